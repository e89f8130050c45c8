"""`canvas-etl serve`: the ingest flow on a schedule (a served Prefect deployment)."""
from __future__ import annotations

import os
from typing import List, Optional

import typer

from flows import DEFAULT_DB, DEFAULT_RAW
from flows.cli.common import EXIT_FAILED, EXIT_LOCKED, fail


def serve(
    paths: List[str] = typer.Argument(None, help="Files or folders each scheduled run ingests (default: raw/)."),
    db: str = typer.Option(DEFAULT_DB, "--db", help="DuckDB warehouse file, or a DuckLake (ducklake:sqlite:PATH / "
                                                    "ducklake:postgres:CONNINFO)."),
    data_path: Optional[str] = typer.Option(None, "--data-path", help="DuckLake: the Parquet files' folder "
                                                                      "(default $CANVAS_ETL_DATA_PATH)."),
    cron: Optional[str] = typer.Option("0 2 * * *", "--cron", help="Schedule, cron syntax, in UTC (default: every night at 02:00)."),
) -> None:
    """Run the ingest flow on a schedule (a served Prefect deployment).

    Also runs on demand from the Prefect UI or `prefect deployment run`. Runs until stopped (Ctrl-C).

    Example: canvas-etl serve raw/ --db warehouse/canvas.duckdb --cron "0 2 * * *"
    """
    try:
        from flows.deploy import serve as serve_deployment
    except ModuleNotFoundError as exc:
        if exc.name != "flows.deploy":
            raise
        fail("serve is not available in this version (flows/deploy.py is missing)", EXIT_FAILED)
    from flows.cli.common import check_target
    from warehouse.store import WarehouseLocked

    target = check_target(db, data_path, writer=True)
    try:
        serve_deployment(paths=list(paths or [DEFAULT_RAW]), db=db, cron=cron,
                         **({"data_path": target.data_path} if target.is_lake else {}))
    except WarehouseLocked as exc:
        fail(str(exc), EXIT_LOCKED)
    except (RuntimeError, ValueError) as exc:  # e.g. no Prefect server configured, bad cron
        if os.environ.get("CANVAS_ETL_DEBUG"):
            raise
        fail(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, EXIT_FAILED)
