"""`canvas-etl ingest`: run the ingest flow on files and folders, with progress and a summary."""
from __future__ import annotations

import os
from enum import Enum
from typing import List, Optional

import typer

from flows import DEFAULT_DB, DEFAULT_RAW
from flows.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail


class Runner(str, Enum):
    auto = "auto"
    threads = "threads"
    processes = "processes"
    dask = "dask"


def ingest(
    paths: List[str] = typer.Argument(None, help="Files or folders to ingest (default: raw/)."),
    db: str = typer.Option(DEFAULT_DB, "--db", help="DuckDB warehouse file (created if missing), or a DuckLake: "
                                                    "ducklake:sqlite:PATH / ducklake:postgres:CONNINFO."),
    data_path: Optional[str] = typer.Option(None, "--data-path", help="DuckLake: folder (or shared storage) of the "
                                                                      "Parquet files (default $CANVAS_ETL_DATA_PATH)."),
    edition: Optional[str] = typer.Option(None, "--edition", help="Edition label for sections that state none (e.g. 'Oct-2025')."),
    runner: Runner = typer.Option(Runner.auto, "--runner", help="Prefect task runner for extraction. auto: worker processes (or the Dask cluster given) for a backlog, the flow's own process for a few files."),
    dask_address: Optional[str] = typer.Option(None, "--dask-address", help="Existing Dask scheduler (tcp://host:8786; default CANVAS_ETL_DASK_ADDRESS); with --runner auto or dask."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Parallel extraction workers (default: the cores this process may use)."),
    no_models: bool = typer.Option(False, "--no-models", help="Rules only: do not load the spaCy statistical models."),
    lock_timeout: float = typer.Option(30.0, "--lock-timeout", help="Seconds to wait for another writer to finish."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", min=1, help="Refuse files larger than this (default 20 MiB, or CANVAS_ETL_MAX_BYTES)."),
) -> None:
    """Ingest report files into the warehouse (new or changed files only).

    Shows a progress bar per document on a terminal (plain lines on stderr otherwise), then a summary.
    Exit 0: all loaded or unchanged; 1: some input rejected (the rest is loaded); 2: usage error;
    3: warehouse locked by another process; 4: the run failed.

    Examples:

      canvas-etl ingest

      canvas-etl ingest raw/ new-reports/ --db warehouse/canvas.duckdb --workers 4

      canvas-etl ingest raw/ --db ducklake:postgres:"dbname=lake host=db" --data-path /shared/lake --runner processes
    """
    from flows.cli.common import EXIT_LOCKED, EXIT_RUN_FAILED, one_line

    if dask_address and runner not in (Runner.auto, Runner.dask):
        fail("--dask-address needs --runner auto or dask", EXIT_USAGE)
    from flows.run import run_ingest, start_temporary_server

    start_temporary_server()  # boots (seconds) while the rest loads
    from flows.cli.progress import now, observe_ingest, print_summary

    targets = paths or [DEFAULT_RAW]
    from flows.cli.common import check_target
    from warehouse.store import WarehouseLocked

    target = check_target(db, data_path, writer=True)

    if max_bytes is not None:  # read by the decode step, in this process and in the workers it starts
        os.environ["CANVAS_ETL_MAX_BYTES"] = str(max_bytes)
    started = now()
    try:
        with observe_ingest(targets):
            summary = run_ingest(
                targets, db=db, edition=edition, runner=runner.value, dask_address=dask_address,
                workers=workers, use_model=not no_models, lock_timeout=lock_timeout, data_path=data_path,
            )
    except WarehouseLocked as exc:  # one clear line, not a traceback
        fail(str(exc), EXIT_LOCKED)
    except Exception as exc:
        if os.environ.get("CANVAS_ETL_DEBUG"):
            raise
        fail(f"ingest failed: {type(exc).__name__}: {one_line(exc)} (CANVAS_ETL_DEBUG=1 shows the traceback)",
              EXIT_RUN_FAILED)
    print_summary(summary, wall_seconds=now() - started, db=target.describe())
    raise typer.Exit(EXIT_FAILED if summary["documents_rejected"] else EXIT_OK)
