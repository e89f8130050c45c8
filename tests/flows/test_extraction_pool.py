"""``--runner processes``: the extraction tasks are Prefect tasks in threads of the flow process, and each hands
its batch's CPU work to a worker process of the run's ``ExtractionPool``. The workers never import Prefect; a
worker that dies breaks the pool, which is replaced, and Prefect's retries run the batch again.

(The whole ingest with this runner gives the same warehouse as the default one: tests/flows/test_dask.py.)
This module imports no Prefect at its top: the workers import it to find the functions they are handed."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import psutil
import pytest

import flows.run
from flows.batch import extract_paths
from flows.run import (ExtractionPool, discard_prepared_pool, extraction_pool, prepare_extraction_pool,
                       use_extraction_pool)

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


def _worker_modules() -> dict:
    """Runs in a worker: its pid and which heavy packages it has imported."""
    loaded = {name.split(".")[0] for name in sys.modules}
    return {"pid": os.getpid(), "prefect": "prefect" in loaded, "spacy": "spacy" in loaded}


def _models_loaded() -> int:
    """Runs in a worker: how many spaCy pipelines it has loaded."""
    from extractors.nlp import _load

    return _load.cache_info().currsize


def _environment(name: str) -> str | None:
    """Runs in a worker: one of its environment variables."""
    return os.environ.get(name)


def _die_once(marker: str) -> dict:
    """Runs in a worker: the first attempt kills its process (as the OOM killer would), the next one answers."""
    path = Path(marker)
    attempt = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(attempt))
    if attempt == 1:
        os._exit(9)
    return {"attempt": attempt, "pid": os.getpid()}


def test_a_batch_is_extracted_in_a_worker_that_never_imports_prefect():
    report = sorted(FIXTURES.glob("*.txt"))[0]
    pool = ExtractionPool(1)
    try:
        here = extract_paths([str(report)], "run-here")
        there = pool.run(extract_paths, [str(report)], "run-here")
        worker = pool.run(_worker_modules)
    finally:
        pool.close()
    assert worker["pid"] != os.getpid()
    assert worker["spacy"] and not worker["prefect"]
    assert [d["path"] for d in there["documents"]] == [str(report)] and not there["rejections"]
    assert there["documents"][0]["facts"].equals(here["documents"][0]["facts"])  # the same Arrow table


def test_the_pool_belongs_to_the_context_that_opened_it():
    assert extraction_pool() is None
    with use_extraction_pool(2) as pool:
        assert extraction_pool() is pool and pool.workers == 2
    assert extraction_pool() is None


def test_the_workers_end_after_the_context_without_being_waited_for():
    with use_extraction_pool(1, use_model=False) as pool:
        worker = psutil.Process(pool.run(os.getpid))
    # the context returned without waiting for the worker to exit (it ends while the run finishes); it does end
    worker.wait(timeout=30)
    assert not worker.is_running()


def test_workers_start_with_their_models_loaded_and_the_flow_adopts_the_prepared_pool():
    from extractors.nlp import MODELS

    prepare_extraction_pool(1)
    with use_extraction_pool(1) as pool:
        assert pool.run(_models_loaded) == len(MODELS)  # loaded by the worker's first step, before any batch
        prepared = pool
    prepare_extraction_pool(1)
    with use_extraction_pool(2) as pool:  # not the size the flow chose: stopped, and a pool of the right size
        assert pool is not prepared and pool.workers == 2
    prepare_extraction_pool(1, use_model=False)
    worker = flows.run._prepared_pool.run(os.getpid)
    discard_prepared_pool()  # never adopted (the flow failed first): its worker stopped
    assert not psutil.pid_exists(worker)
    with use_extraction_pool(1, use_model=False) as pool:
        assert pool.run(_models_loaded) == len(MODELS)  # rules-only pipelines (blank spaCy), one per language
    assert extraction_pool() is None


def test_a_dead_worker_is_replaced_and_prefect_retries_its_batch(tmp_path, prefect_harness):
    from concurrent.futures.process import BrokenProcessPool

    from prefect import flow, task
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.ingest import extract_batch

    @task(retries=extract_batch.retries, retry_delay_seconds=extract_batch.retry_delay_seconds, persist_result=False)
    def batch(marker: str) -> dict:
        return extraction_pool().run(_die_once, marker)

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=1), persist_result=False)
    def run(marker: str) -> dict:
        with use_extraction_pool(1):
            return batch.submit(marker).result()

    out = run(str(tmp_path / "attempts"))
    assert out["attempt"] == 2 and out["pid"] != os.getpid()

    pool = ExtractionPool(1)  # without Prefect's retry, the caller sees the broken pool, and the next call works
    try:
        marker = str(tmp_path / "again")
        with pytest.raises(BrokenProcessPool):
            pool.run(_die_once, marker)
        assert pool.run(_die_once, marker)["attempt"] == 2
    finally:
        pool.close()


ORPHAN = """
import os, sys, time
from flows.run import ExtractionPool
pool = ExtractionPool(1, use_model=False).start()
print(pool.run(os.getpid), flush=True)
time.sleep(120)
"""


def test_a_worker_ends_when_the_flow_process_is_killed(tmp_path):
    """The worker, and the fork server it was forked from (it waits for its workers to end), end by themselves."""
    import signal
    import subprocess

    root = Path(__file__).resolve().parents[2]
    flow = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(root)})
    try:
        worker = int(flow.stdout.readline())
        assert psutil.pid_exists(worker)
        tree = psutil.Process(flow.pid).children(recursive=True)
        assert worker in {p.pid for p in tree}
        os.kill(flow.pid, signal.SIGKILL)  # no shutdown of the pool: the worker must notice by itself
        flow.wait()
        gone, alive = psutil.wait_procs(tree, timeout=30)
        for p in alive:
            p.kill()
        assert not alive, f"outlived the killed flow process: {[' '.join(p.cmdline())[:80] for p in alive]}"
    finally:
        if flow.poll() is None:
            flow.kill()


def test_workers_share_the_models_the_fork_server_loaded():
    """A worker is forked from a fork server that loaded the models and rule tables once: most of its memory is
    pages it shares (a spawned worker loading its own copy shares only the libraries' code: ~20 %)."""
    pool = ExtractionPool(1)
    try:
        worker = psutil.Process(pool.run(os.getpid))
        memory, parent = worker.memory_full_info(), worker.ppid()
    finally:
        pool.close()
    assert memory.uss < memory.rss / 2, memory
    assert parent != os.getpid()  # forked by the fork server, not by this process


def test_a_worker_has_the_environment_of_the_flow_process_as_of_its_pool(monkeypatch):
    """The fork server started earlier, in another environment: a worker still sees the flow process's own (the
    extraction reads its limits there: CANVAS_ETL_MAX_BYTES, ...)."""
    pool = ExtractionPool(1, use_model=False)
    try:
        assert pool.run(_environment, "CANVAS_ETL_TEST_SETTING") is None
    finally:
        pool.close()
    monkeypatch.setenv("CANVAS_ETL_TEST_SETTING", "changed")
    pool = ExtractionPool(1, use_model=False)
    try:
        assert pool.run(_environment, "CANVAS_ETL_TEST_SETTING") == "changed"
    finally:
        pool.close()
