"""A rule that crashes on one document quarantines that document (rejected_inputs, with the exception and
where it was raised) and the others load; the next run retries it (a quarantine is not remembered as done)."""
from __future__ import annotations

import hashlib
import shutil

import duckdb

from faults_helpers import FIXTURES, french_excerpt


def test_crash_in_a_rule_quarantines_only_that_document(tmp_path, prefect_harness, monkeypatch):
    import extractors.extract as extract
    from flows.run import run_ingest

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FIXTURES / "no-headings-en.txt", raw / "a-good.txt")
    shutil.copy(FIXTURES / "techco-fy-june-en.txt", raw / "c-good.txt")
    bad = raw / "b-bad.txt"
    bad.write_text(french_excerpt()[:4000] + "\nZorglub a réalisé un chiffre d'affaires de 12,5 millions d'euros en 2024.\n",
                   encoding="utf-8")

    real = extract.find_metric

    def find_metric(text, *args, **kwargs):  # a rule that breaks on one input
        if "Zorglub" in text:
            raise ZeroDivisionError("rule blew up on this sentence")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(extract, "find_metric", find_metric)
    db = tmp_path / "wh.duckdb"
    summary = run_ingest([str(raw)], db=str(db), runner="threads", use_model=False)
    assert summary["documents_loaded"] == 2 and summary["documents_rejected"] == 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        (path, sha, reason, run_id), = con.execute("SELECT path, sha256, reason, run_id FROM rejected_inputs").fetchall()
        names = sorted(r[0] for r in con.execute("SELECT file_name FROM documents").fetchall())
        status = con.execute("SELECT status FROM runs").fetchone()[0]
    finally:
        con.close()
    assert path == str(bad) and sha == hashlib.sha256(bad.read_bytes()).hexdigest()
    assert reason.startswith("extraction failed: ZeroDivisionError: rule blew up on this sentence (at ")
    assert "test_quarantine.py:" in reason  # where it was raised: file and line
    assert run_id == summary["run_id"] and status == "completed_with_rejections"
    assert names == ["a-good.txt", "c-good.txt"]

    # the rule fixed: the quarantined document loads on the next run, the others are unchanged
    monkeypatch.setattr(extract, "find_metric", real)
    again = run_ingest([str(raw)], db=str(db), use_model=False)
    assert again["documents_loaded"] == 1 and again["documents_unchanged"] == 2 and again["documents_rejected"] == 0
