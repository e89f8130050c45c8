"""Run the ingest flow with the chosen task runner (threads, processes, or Dask).

Whatever the runner, extraction tasks only compute (Arrow tables in plain dicts, which pickle) and the
load step stays in the flow's own process: the single DuckDB writer. spaCy pipelines are never task
arguments; each worker (thread pool: the flow process; process pool / Dask: each worker process) loads
them once through the ``lru_cache`` in ``extractors.nlp``.
"""
from __future__ import annotations

import contextlib
import os
from typing import Iterator

RUNNERS = ("threads", "processes", "dask")


def make_task_runner(runner: str = "threads", *, workers: int = 2, dask_address: str | None = None):
    """A Prefect task runner for the extraction tasks.

    - ``threads``: a thread pool in the flow process (default; spaCy releases the GIL little, so this is
      mostly for I/O overlap and small batches).
    - ``processes``: ``workers`` local processes (``ProcessPoolTaskRunner``).
    - ``dask``: an existing Dask scheduler (``dask_address``, e.g. ``tcp://host:8786``), or a temporary
      ``LocalCluster`` of ``workers`` single-threaded worker processes.
    """
    if runner == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    if runner == "processes":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=workers)
    if runner == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        # a temporary local cluster: scheduler and dashboard on localhost only (dashboard port 8787, or
        # another free one if taken)
        return DaskTaskRunner(cluster_kwargs={
            "n_workers": workers, "threads_per_worker": 1, "processes": True,
            "host": "127.0.0.1", "dashboard_address": "127.0.0.1:8787",
        })
    raise ValueError(f"unknown runner {runner!r}: choose {', '.join(RUNNERS)}")


@contextlib.contextmanager
def shared_prefect_api() -> Iterator[str | None]:
    """Make sure every process of a run talks to the same Prefect API.

    Without ``PREFECT_API_URL``, Prefect starts a temporary ("ephemeral") server lazily, in whichever process
    first needs a client. Task worker processes (process pool, Dask) would then each start their own
    temporary server (seconds each, and several writers on the same SQLite file). Here the temporary server
    is started once, up front, and its URL is put in the settings that Prefect passes to the workers
    (environment for the process pool, serialized settings context for Dask). With ``PREFECT_API_URL`` set
    (a real server, or the test harness) nothing changes.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED, temporary_settings

    url = PREFECT_API_URL.value()
    if url or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield url
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the same singleton Prefect's own client would start (stopped at exit)
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield server.api_url


def run_ingest(paths: list[str], *, db: str, edition: str | None = None, runner: str = "threads",
               dask_address: str | None = None, workers: int = 2, use_model: bool = True,
               lock_timeout: float = 30.0) -> dict:
    from flows.ingest import ingest_flow

    task_runner = make_task_runner(runner, workers=workers, dask_address=dask_address)
    flow_fn = ingest_flow.with_options(task_runner=task_runner)
    kwargs = dict(paths=[os.fspath(p) for p in paths], db=db, edition=edition, use_model=use_model,
                  lock_timeout=lock_timeout)
    if runner == "threads":
        return flow_fn(**kwargs)
    with shared_prefect_api():
        return flow_fn(**kwargs)
