"""Run the ingest flow with the chosen task runner (threads, processes, or Dask)."""
from __future__ import annotations

import logging
import os


def make_task_runner(runner: str = "threads", *, workers: int = 2, dask_address: str | None = None):
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
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})
    raise ValueError(f"unknown runner {runner!r}: choose threads, processes or dask")


def run_ingest(paths: list[str], *, db: str, edition: str | None = None, runner: str = "threads",
               dask_address: str | None = None, workers: int = 2, use_model: bool = True,
               lock_timeout: float = 30.0) -> dict:
    from flows.ingest import ingest_flow

    task_runner = make_task_runner(runner, workers=workers, dask_address=dask_address)
    flow_fn = ingest_flow.with_options(task_runner=task_runner)
    return flow_fn(paths=[os.fspath(p) for p in paths], db=db, edition=edition, use_model=use_model,
                   lock_timeout=lock_timeout)
