"""flows.batch: the extraction of a batch in the flow's own process or a worker."""
from __future__ import annotations

import threading
from pathlib import Path

import extractors.extract
from extractors import warm
from flows.batch import extract_paths


def test_an_extraction_waits_for_a_warm_up_in_progress(monkeypatch):
    """flows.batch.extract_paths, started while the command line's warm-up of the process still runs, waits for it
    rather than doing the same first-use work beside it."""
    started, release = threading.Event(), threading.Event()

    def slow_warm_up(**kwargs):
        started.set()
        release.wait(30)

    monkeypatch.setattr(warm, "_warm_up", slow_warm_up)
    real_extract = extractors.extract.extract_document
    calls = []

    def recording_extract(*args, **kwargs):
        calls.append(release.is_set())
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(extractors.extract, "extract_document", recording_extract)
    warming = threading.Thread(target=warm.warm_up, kwargs={"use_model": False})
    warming.start()
    assert started.wait(30)
    report = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "reports").glob("*.txt"))[0]
    out = []
    extracting = threading.Thread(target=lambda: out.append(extract_paths([str(report)], "run-1", use_model=False)))
    extracting.start()
    extracting.join(0.5)
    release.set()
    extracting.join(60)
    warming.join(30)
    assert calls == [True]  # extracted only once the warm-up had ended
    assert len(out[0]["documents"]) == 1 and not out[0]["rejections"]
