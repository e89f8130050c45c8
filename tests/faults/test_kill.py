"""SIGKILL of `canvas-etl ingest` at any moment leaves a warehouse that opens, holds no partially loaded
document, keeps no lock that blocks the next run, and a rerun ends with exactly the facts of a clean run.

How the kill is timed without reading the database (DuckDB refuses every other process while the writer holds
the file): the writer's lock sidecar ``<db>.lock.json`` appears when the file is opened and gets the run id
once the run row is written, and the command reports each document once its transaction has committed. So
"kill at open" = as soon as the sidecar appears, and "kill mid-load" = a short, seeded delay after the first
document is reported loaded (the next batch of 24 documents takes over a second to extract). The WAL's size
is no such sign: the read snapshot a first load publishes checkpoints, which writes to the WAL first.
"""
from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from faults_helpers import (
    cli_env, document_counts, facts_by_sha, orphan_rows, pid_alive, run_ingest_cli, sidecar,
    start_ingest, wait_for, write_variants,
)

N_DOCS = 48  # two extraction batches (of 24: see flows.ingest._batches): loading interleaves with extraction
# Rules only (no statistical model) in every run here: what is tested is the loader, and each subprocess saves
# the model load. The clean run uses the same setting, so facts must be identical.
ARGS = ["--no-models", "--workers", "2"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("kill") / "raw"
    write_variants(raw, N_DOCS)
    return raw


@pytest.fixture(scope="module")
def clean(batch, prefect_harness, tmp_path_factory):
    """The same batch loaded by an uninterrupted run (in process)."""
    from flows.run import run_ingest

    db = tmp_path_factory.mktemp("kill_clean") / "clean.duckdb"
    summary = run_ingest([str(batch)], db=str(db), use_model=False)
    assert summary["documents_loaded"] == N_DOCS and summary["documents_rejected"] == 0
    return {"facts": facts_by_sha(db), "counts": document_counts(db), "facts_loaded": summary["facts_loaded"]}


def _kill(proc) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _assert_whole_documents(db: Path, clean: dict, *, writer: bool = False) -> int:
    """The warehouse opens; every documents row has all its facts and sections; returns documents loaded.

    ``writer``: open it as the next run would (replays the dead writer's WAL, applies the schema; needed when
    the kill came before the schema existed). Otherwise read-only, which leaves the WAL and the dead writer's
    lock sidecar in place for the rerun to deal with."""
    from warehouse.store import Warehouse

    with Warehouse(db, read_only=not writer, lock_timeout=5) as wh:
        assert wh.query("SELECT count(*) FROM runs WHERE status <> 'running'")[0][0] == 0
    counts = document_counts(db)
    for sha, got in counts.items():
        assert got == clean["counts"][sha], f"document {sha[:16]} partially loaded: {got} != {clean['counts'][sha]}"
    assert orphan_rows(db) == 0
    loaded = facts_by_sha(db)
    for sha, facts in loaded.items():
        assert facts == clean["facts"][sha]
    return len(counts)


@pytest.mark.slow
def test_sigkill_at_open_and_mid_load_then_rerun(batch, clean, prefect_api_url, tmp_path, capsys):
    db = tmp_path / "wh.duckdb"
    env = cli_env(prefect_api_url)
    args = [str(batch), "--db", str(db), "--lock-timeout", "30", *ARGS]

    # 1. killed while opening a fresh warehouse (creating the schema)
    proc = start_ingest(args, env, tmp_path / "kill1.log")
    wait_for(lambda: sidecar(db) is not None or proc.poll() is not None, 90, what="the writer to open the file")
    _kill(proc)
    if db.exists():
        assert _assert_whole_documents(db, clean, writer=True) == 0

    # 2. killed in the middle of loading
    proc = start_ingest(args, env, tmp_path / "kill2.log")
    wait_for(lambda: (s := sidecar(db)) and s.get("pid") == proc.pid and s.get("run_id"), 90,
             what="the run to begin")
    log = tmp_path / "kill2.log"
    wait_for(lambda: " loaded " in log.read_text(errors="replace") or proc.poll() is not None, 180,
             interval=0.005, what="the first document to commit")
    assert proc.poll() is None, (tmp_path / "kill2.log").read_text(errors="replace")
    time.sleep(random.Random(20250101).uniform(0.05, 0.5))
    _kill(proc)
    loaded_at_kill = _assert_whole_documents(db, clean)
    assert 0 < loaded_at_kill < N_DOCS, f"{loaded_at_kill} documents loaded when killed"

    # the dead writer's sidecar is still there, naming a dead pid: it must not block the rerun
    stale = sidecar(db)
    assert stale is not None and stale["pid"] == proc.pid and not pid_alive(proc.pid)

    # 3. rerun: completes, loads exactly what is missing, ends with the facts of a clean run
    t0 = time.monotonic()
    res = run_ingest_cli([str(batch), "--db", str(db), "--lock-timeout", "5", *ARGS], env)
    rerun_s = time.monotonic() - t0
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"{N_DOCS - loaded_at_kill} loaded, {loaded_at_kill} unchanged" in res.stdout, res.stdout
    assert facts_by_sha(db) == clean["facts"]
    assert document_counts(db) == clean["counts"]
    assert sidecar(db) is None  # the rerun replaced the stale sidecar and removed it on close
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        runs = con.execute("SELECT status, finished_at IS NULL FROM runs ORDER BY started_at").fetchall()
        n_facts = con.execute("SELECT count(*), count(DISTINCT fact_id) FROM facts").fetchone()
    finally:
        con.close()
    # killed runs stay 'running' with no finished_at (schema: "a run left at running after its process ended crashed")
    assert runs[-1] == ("completed", False) and all(r == ("running", True) for r in runs[:-1])
    assert n_facts == (clean["facts_loaded"], clean["facts_loaded"])
    with capsys.disabled():
        print(f"\n[kill] {N_DOCS} docs: killed with {loaded_at_kill} loaded; rerun loaded "
              f"{N_DOCS - loaded_at_kill} in {rerun_s:.1f} s; {n_facts[0]} facts == clean run")
