"""Scale-out runners give the same warehouse as the default one: a Dask cluster of worker processes, and a
local process pool. Extraction runs in the workers; loading stays in the flow process (one DuckDB writer).
Also: the extract task's retries with backoff work inside Dask workers (the process pool's: test_extraction_pool.py)."""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import cloudpickle
import duckdb
import pytest

import flows.ingest
from flows.ingest import extract_batch
from flows.run import make_task_runner, run_ingest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "reports"
VOLATILE = {"run_id", "ingested_at"}  # differ between runs by design

# worker processes import the flow code from the installed package; this module's own helpers (the flaky
# task below) travel by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, sample_path) -> Path:
    raw = tmp_path_factory.mktemp("scale_inputs")
    shutil.copy(sample_path, raw / sample_path.name)
    for report in sorted(FIXTURES.glob("*.txt")):
        shutil.copy(report, raw / report.name)
    return raw


def _connect(db) -> duckdb.DuckDBPyConnection:
    """A DuckDB file, or a DuckLake given as (--db, data path), read-only."""
    if isinstance(db, tuple):
        from warehouse import lake

        return lake.connect(lake.parse_target(*db), read_only=True)
    return duckdb.connect(str(db), read_only=True)


def table_rows(db, table: str, order_by: str) -> tuple[list[str], list[tuple]]:
    """Every column of `table` except run ids and timestamps, in a stable order."""
    con = _connect(db)
    try:
        cols = [name for name, typ, *_ in con.execute(f"DESCRIBE {table}").fetchall()
                if name not in VOLATILE and not name.endswith("_at") and "TIMESTAMP" not in typ]
        rows = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {order_by}").fetchall()
    finally:
        con.close()
    return cols, rows


def warehouse_contents(db) -> dict:
    return {
        "facts": table_rows(db, "facts", "fact_id"),
        "documents": table_rows(db, "documents", "document_id"),
        "sections": table_rows(db, "sections", "document_id, section_index"),
    }


def ingest_timed(raw: Path, db: Path, **kwargs) -> tuple[dict, float]:
    t0 = time.perf_counter()
    summary = run_ingest([str(raw)], db=str(db), **kwargs)
    return summary, time.perf_counter() - t0


@pytest.fixture(scope="module")
def baseline(inputs, tmp_path_factory, prefect_harness):
    """The default runner (threads, default batching) on the same inputs."""
    db = tmp_path_factory.mktemp("baseline") / "threads.duckdb"
    summary, seconds = ingest_timed(inputs, db)
    n_inputs = len(list(inputs.iterdir()))
    assert summary["documents_loaded"] == n_inputs, summary["rejections"]
    contents = warehouse_contents(db)
    assert len(contents["facts"][1]) > 250
    return contents, seconds


@pytest.fixture(scope="module")
def dask_cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def small_batches():
    """Two documents a task, so the 6 inputs make 3 tasks spread over the workers."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(flows.ingest, "BATCH_MAX_DOCS", 2)
        yield


def assert_same_rows(got: dict, expected: dict, table: str) -> None:
    cols, rows = got[table]
    exp_cols, exp_rows = expected[table]
    assert cols == exp_cols, table
    assert len(rows) == len(exp_rows), table
    for row, exp in zip(rows, exp_rows):
        assert row == exp, f"{table}: {dict(zip(cols, row))} != {dict(zip(cols, exp))}"


@pytest.fixture(scope="module")
def dask_run(inputs, baseline, dask_cluster, small_batches, tmp_path_factory):
    db = tmp_path_factory.mktemp("dask") / "dask.duckdb"
    summary, seconds = ingest_timed(inputs, db, runner="dask", dask_address=dask_cluster.scheduler_address)
    assert summary["documents_loaded"] == len(list(inputs.iterdir())), summary["rejections"]
    print(f"\nthreads (1 batch) {baseline[1]:.1f} s; dask 2 workers (3 batches, cluster already up) {seconds:.1f} s")
    return warehouse_contents(db), seconds


@pytest.fixture(scope="module")
def processes_run(inputs, baseline, small_batches, tmp_path_factory):
    db = tmp_path_factory.mktemp("processes") / "processes.duckdb"
    summary, seconds = ingest_timed(inputs, db, runner="processes", workers=2)
    assert summary["documents_loaded"] == len(list(inputs.iterdir())), summary["rejections"]
    print(f"\nthreads (1 batch) {baseline[1]:.1f} s; process pool 2 workers (3 batches) {seconds:.1f} s")
    return warehouse_contents(db), seconds


@pytest.fixture(scope="module")
def dask_lake_run(inputs, baseline, dask_cluster, small_batches, tmp_path_factory):
    """The Dask workers load their documents directly into a DuckLake (SQLite catalog): no single loader."""
    d = tmp_path_factory.mktemp("dask_lake")
    db, data = f"ducklake:sqlite:{d / 'cat.sqlite'}", str(d / "data")
    summary, seconds = ingest_timed(inputs, db, runner="dask", dask_address=dask_cluster.scheduler_address,
                                    data_path=data)
    assert summary["documents_loaded"] == len(list(inputs.iterdir())), summary["rejections"]
    print(f"\nthreads into a DuckDB file {baseline[1]:.1f} s; dask 2 workers loading into a DuckLake {seconds:.1f} s")
    return warehouse_contents((db, data)), (db, data), summary


def test_dask_workers_loading_into_a_lake_give_the_same_facts(dask_lake_run, baseline):
    contents, (db, data), summary = dask_lake_run
    for table in ("facts", "documents", "sections"):
        assert_same_rows(contents, baseline[0], table)
    # every document was committed by a worker process, a few per snapshot, each snapshot tagged with the run id
    import json

    from warehouse import lake

    con = lake.connect(lake.parse_target(db, data), read_only=True)
    try:
        snaps = [s for s in lake.snapshots(con) if "document" in (s.commit_message or "")]
        loaded = con.execute("SELECT document_id FROM documents").fetchall()
    finally:
        con.close()
    committed = []
    for s in snaps:
        info = json.loads(s.commit_extra_info)
        committed += info.get("document_ids") or [info["document_id"]]
    assert sorted(committed) == sorted(r[0] for r in loaded) and len(committed) == summary["documents_loaded"]
    assert {s.run_id for s in snaps} == {summary["run_id"]}


def test_dask_cluster_gives_the_same_facts(dask_run, baseline, dask_cluster):
    assert_same_rows(dask_run[0], baseline[0], "facts")
    assert_same_rows(dask_run[0], baseline[0], "documents")

    # spaCy pipelines were loaded inside the workers, once per (language, model) in each worker
    from distributed import Client

    def nlp_cache():
        from extractors.nlp import _load

        return _load.cache_info()._asdict()

    with Client(dask_cluster) as client:
        caches = client.run(nlp_cache)
    used = [c for c in caches.values() if c["currsize"]]
    assert used, caches
    assert all(c["misses"] == c["currsize"] for c in used), caches


def test_process_pool_gives_the_same_facts(processes_run, baseline):
    assert_same_rows(processes_run[0], baseline[0], "facts")
    assert_same_rows(processes_run[0], baseline[0], "documents")


@pytest.mark.parametrize("run", ["dask_run", "processes_run"])
def test_sections_are_the_same_across_processes(run, baseline, request):
    assert_same_rows(request.getfixturevalue(run)[0], baseline[0], "sections")


def _flaky(marker: str) -> dict:
    """Fails on its first attempt (a transient error), succeeds on the next."""
    path = Path(marker)
    attempt = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(attempt))
    if attempt == 1:
        raise OSError("transient: shared storage not mounted yet")
    return {"attempt": attempt, "pid": os.getpid(), "at": time.time()}


def test_extract_task_retries_with_backoff_in_dask_workers(tmp_path, prefect_harness, dask_cluster):
    from prefect import flow, task

    assert extract_batch.retries >= 1 and extract_batch.retry_delay_seconds
    first_delay = extract_batch.retry_delay_seconds[0]
    flaky = task(_flaky, name="flaky-extract", retries=extract_batch.retries,
                 retry_delay_seconds=extract_batch.retry_delay_seconds, persist_result=False)

    @flow(name="retry-check", persist_result=False)
    def retry_check(marker: str) -> dict:
        return flaky.submit(marker).result()

    runner_obj = make_task_runner("dask", workers=1, dask_address=dask_cluster.scheduler_address)
    t0 = time.time()
    out = retry_check.with_options(task_runner=runner_obj)(str(tmp_path / "attempts"))
    assert out["attempt"] == 2
    assert out["pid"] != os.getpid()  # ran in a worker process
    assert out["at"] - t0 >= first_delay  # waited for the backoff before retrying
