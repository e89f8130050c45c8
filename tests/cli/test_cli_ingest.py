"""`canvas-etl ingest` output: plain progress lines when not on a terminal, the summary line and table,
exit codes; the progress observer itself in-process (live bar and plain lines)."""
from __future__ import annotations

import io
import re
import shutil

from cli_helpers import query

SUMMARY = re.compile(r"^documents: (\d+) seen, (\d+) loaded, (\d+) unchanged, (\d+) rejected; "
                     r"facts: (\d+); time: [\d.]+ s; run: \S+$")


def test_ingest_progress_and_summary(cli, tmp_path, sample_path, prefect_harness):
    from prefect.settings import PREFECT_API_URL

    api = {"PREFECT_API_URL": PREFECT_API_URL.value()}  # the harness server: no temporary server to start
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / "a.txt")
    shutil.copy(sample_path, raw / "b-same-bytes.txt")
    (raw / "broken.txt").write_bytes(b"\x00\x01\x02" * 50)
    db = tmp_path / "w.duckdb"
    res = cli("ingest", raw, "--db", db, "--no-models", env=api)
    assert res.returncode == 1, res.stdout + res.stderr  # one input rejected, the rest loaded
    lines = res.stdout.splitlines()
    m = SUMMARY.match(lines[0])
    assert m, lines[0]
    assert m.groups()[:4] == ("3", "1", "1", "1") and int(m.group(5)) > 100
    out = res.stdout
    assert re.search(r"loaded\s+1\s+.*a\.txt \(\d+ facts\)", out)
    assert re.search(r"skipped as unchanged\s+1", out)
    assert re.search(r"rejected\s+1\s+.*broken\.txt: .*NUL", out)
    assert re.search(r"facts loaded\s+\d+", out) and re.search(r"time\s+[\d.]+ s", out)
    assert "rejected: " in out and "broken.txt" in out
    # not a terminal: one plain progress line per input on stderr
    progress = [ln for ln in res.stderr.splitlines() if re.match(r"\[\d/3\] ", ln)]
    assert len(progress) == 3, res.stderr
    assert {ln.split()[1] for ln in progress} == {"loaded", "unchanged", "rejected"}
    assert any("broken.txt" in ln and "rejected" in ln for ln in progress)

    again = cli("ingest", raw / "a.txt", "--db", db, "--no-models", env=api)
    assert again.returncode == 0, again.stdout + again.stderr
    assert SUMMARY.match(again.stdout.splitlines()[0]).groups()[:4] == ("1", "0", "1", "0")
    assert query(db, "SELECT count(*) FROM documents")[0][0] == 1


def test_progress_observer_live_and_plain(capsys):

    from flows.cli.progress import IngestProgress, print_summary

    events = [{"path": "raw/a.txt", "status": "loaded", "facts": 12, "reason": None},
              {"path": "raw/b.txt", "status": "unchanged", "facts": 0, "reason": None},
              {"path": "raw/c.txt", "status": "rejected", "facts": 0, "reason": "empty file"}]
    with IngestProgress(3, live=True) as live:
        buf = io.StringIO()
        live._progress.console.file = buf  # capture the bar's console
        for e in events:
            live(e)
        task = live._progress.tasks[0]
        assert task.completed == 3 and task.total == 3
    assert live.counts == {"loaded": 1, "unchanged": 1, "rejected": 1} and live.facts == 12
    assert "rejected raw/c.txt: empty file" in buf.getvalue()

    plain = IngestProgress(3, live=False)
    for e in events:
        plain(e)
    err = capsys.readouterr().err
    assert "[1/3] loaded    raw/a.txt (12 facts)" in err and "[3/3] rejected  raw/c.txt (empty file)" in err

    print_summary({"documents_seen": 3, "documents_loaded": 1, "documents_unchanged": 1, "documents_rejected": 1,
                   "facts_loaded": 12, "seconds": 1.25, "run_id": "R1", "rejections": [("raw/c.txt", "empty file")],
                   "loaded": [("raw/a.txt", 12)], "stage_seconds": {"hash": 0.1, "extract": 1.0, "load": 0.1}},
                  wall_seconds=3.0, db="w.duckdb")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("documents: 3 seen, 1 loaded, 1 unchanged, 1 rejected; facts: 12; "
                                   "time: 1.2 s; run: R1")
    assert "rejected: raw/c.txt: empty file" in out and "raw/a.txt (12 facts)" in out


def test_max_bytes_option_rejects_large_files(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "small.txt").write_text("Revenue was $5 million in 2024.\n", encoding="utf-8")
    (raw / "big.txt").write_text("Revenue was $5 million in 2024.\n" * 200, encoding="utf-8")
    bin_ = Path(sys.executable).parent / "canvas-etl"
    res = subprocess.run([str(bin_), "ingest", str(raw), "--db", str(tmp_path / "w.duckdb"), "--max-bytes", "1000",
                          "--no-models"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "1 loaded" in res.stdout and "big.txt" in res.stdout and "too large" in res.stdout
