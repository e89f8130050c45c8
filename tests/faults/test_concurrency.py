"""Two `canvas-etl ingest` runs started at once on one warehouse, a third that gives up, and analysts reading
while a load runs (docs/operations.md, "Two runs at once" and "Querying while a load runs")."""
from __future__ import annotations

import os
import re
import shutil
import signal

import duckdb
import pytest

from faults_helpers import cli_env, facts_by_sha, run_ingest_cli, sidecar, start_ingest, wait_for, write_variants

N_DOCS = 10


@pytest.mark.slow
def test_two_runs_at_once_third_times_out_readers_use_the_snapshot(tmp_path, prefect_harness, prefect_api_url):
    from flows.run import run_ingest
    from warehouse.store import Warehouse, WarehouseLocked

    raw = tmp_path / "raw"
    write_variants(raw, N_DOCS, sample=False)  # the fixtures, figures changed (smaller than the sample)
    first = tmp_path / "first"
    first.mkdir()
    for p in sorted(raw.iterdir())[:2]:
        shutil.copy(p, first / p.name)
    db = tmp_path / "wh.duckdb"
    snap = tmp_path / "analysts.duckdb"

    # an earlier load, and the snapshot analysts query
    s0 = run_ingest([str(first)], db=str(db), use_model=False)
    assert s0["documents_loaded"] == 2
    with Warehouse(db) as wh:
        wh.snapshot(snap)
    facts_before = s0["facts_loaded"]

    env = cli_env(prefect_api_url)
    args = [str(raw), "--db", str(db), "--no-models", "--lock-timeout", "120"]
    a = start_ingest(args, env, tmp_path / "a.log")
    b = start_ingest(args, env, tmp_path / "b.log")
    stopped = None
    try:
        holder = wait_for(lambda: (s := sidecar(db)) and s.get("run_id") and s.get("pid") in (a.pid, b.pid) and s,
                          120, what="one of the two runs to take the warehouse")
        # freeze the holder (it keeps the lock) so that what follows happens during its load whatever the speed
        # of the machine; it resumes below
        os.kill(holder["pid"], signal.SIGSTOP)
        stopped = holder["pid"]

        # readers while the load runs: the live file is refused at once (DuckDB lock, read-only included) ...
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(db), read_only=True)
        with pytest.raises(WarehouseLocked) as err:
            Warehouse(db, read_only=True, lock_timeout=0.3)
        assert f"pid {holder['pid']}" in str(err.value) and holder["run_id"] in str(err.value)
        # ... the snapshot is not: analysts keep querying the last published state
        con = duckdb.connect(str(snap), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == facts_before
            assert con.execute("SELECT count(*) FROM facts_latest").fetchone()[0] > 0
        finally:
            con.close()

        # a third run that will not wait long fails with a clear message naming the holder
        c = run_ingest_cli([str(raw), "--db", str(db), "--no-models", "--lock-timeout", "1"], env)
        assert c.returncode == 3, c.stdout + c.stderr
        msg = c.stderr.strip().splitlines()[-1]
        assert msg.startswith("canvas-etl: cannot open") and "held by the canvas-etl writer pid" in msg, msg
        named = int(re.search(r"writer pid (\d+)", msg).group(1))
        assert named == holder["pid"] and holder["run_id"] in msg
        # (Prefect's own log of the failed flow run, with its traceback, comes before that last line)
        os.kill(stopped, signal.SIGCONT)
        stopped = None

        # the two runs started together: one loads, the other waits for the lock, then finds nothing new
        assert a.wait(timeout=240) == 0, (tmp_path / "a.log").read_text(errors="replace")
        assert b.wait(timeout=240) == 0, (tmp_path / "b.log").read_text(errors="replace")
    finally:
        if stopped:
            os.kill(stopped, signal.SIGCONT)
        for p in (a, b):
            if p.poll() is None:
                p.kill()
                p.wait()
    outs = sorted((tmp_path / n).read_text(errors="replace") for n in ("a.log", "b.log"))
    lines = [re.search(r"documents: .*", o).group(0) for o in outs]
    assert any(f"{N_DOCS - 2} loaded, 2 unchanged" in l for l in lines), lines
    assert any(f"0 loaded, {N_DOCS} unchanged" in l for l in lines), lines

    # nothing duplicated, nothing half-loaded
    con = duckdb.connect(str(db), read_only=True)
    try:
        docs, shas = con.execute("SELECT count(*), count(DISTINCT sha256) FROM documents").fetchone()
        facts, ids = con.execute("SELECT count(*), count(DISTINCT fact_id) FROM facts").fetchone()
        sources = con.execute("SELECT count(*) FROM document_sources").fetchone()[0]
        runs = con.execute("SELECT status FROM runs").fetchall()
        empty = con.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM sections s WHERE s.document_id = d.document_id)"
        ).fetchone()[0]
    finally:
        con.close()
    assert docs == shas == N_DOCS
    assert facts == ids and facts > facts_before
    assert sources == N_DOCS + 2  # the first two files were also seen at their first/ path
    assert runs == [("completed",)] * 3  # the third run never got the file: no run row
    assert empty == 0
    assert sidecar(db) is None

    # publishing a fresh snapshot: an analyst session already open keeps its copy until it reconnects
    old = duckdb.connect(str(snap), read_only=True)
    try:
        with Warehouse(db) as wh:
            wh.snapshot(snap)
        assert old.execute("SELECT count(*) FROM facts").fetchone()[0] == facts_before
    finally:
        old.close()
    new = duckdb.connect(str(snap), read_only=True)
    try:
        assert new.execute("SELECT count(*) FROM facts").fetchone()[0] == facts
    finally:
        new.close()
    assert sum(len(v) for v in facts_by_sha(snap).values()) == facts
