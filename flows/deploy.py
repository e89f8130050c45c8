"""The scheduled ("nightly") deployment of the ingest flow, served by a long-running process.

`serve()` registers the deployment `canvas-ingest/nightly` on the Prefect server named by `PREFECT_API_URL`
(with its cron schedule, in UTC) and then polls that server for runs to execute: the scheduled ones and the
ones triggered by hand (UI, `prefect deployment run canvas-ingest/nightly`, `run_deployment`). Each run is
a fresh `python -m prefect.engine` subprocess running `flows.ingest.ingest_flow`; only new or changed files
are extracted (content hash), so a run over an unchanged folder takes seconds.

The same deployment can be created without a serving process, for a Prefect worker, from `prefect.yaml`
(`prefect deploy --all`); see docs/scaling.md.
"""
from __future__ import annotations

import os

from flows import DEFAULT_DB, DEFAULT_RAW

FLOW_NAME = "canvas-ingest"
DEFAULT_DEPLOYMENT = "nightly"
DEPLOYMENT_NAME = f"{FLOW_NAME}/{DEFAULT_DEPLOYMENT}"
DEFAULT_CRON = "0 2 * * *"  # every night at 02:00
TIMEZONE = "UTC"
TAGS = ["canvas-etl", "ingest"]


def deployment_parameters(paths: list[str], db: str, data_path: str | None = None) -> dict:
    """Absolute paths, so runs do not depend on the directory the serving process was started from (a
    DuckLake ``--db`` is kept as given, with its absolute data path)."""
    if db.startswith("ducklake:"):
        from warehouse.store import resolve_target

        target = resolve_target(db, data_path)
        return {"paths": [os.path.abspath(p) for p in paths], "db": target.attach_uri, "data_path": target.data_path}
    return {"paths": [os.path.abspath(p) for p in paths], "db": os.path.abspath(db)}


def build_deployment(paths: list[str] | None = None, db: str = DEFAULT_DB, cron: str = DEFAULT_CRON,
                     name: str = DEFAULT_DEPLOYMENT, data_path: str | None = None):
    """The `RunnerDeployment` of the ingest flow with its cron schedule (not yet registered)."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.ingest import ingest_flow

    return ingest_flow.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=TIMEZONE)],
        parameters=deployment_parameters(list(paths or [DEFAULT_RAW]), db, data_path),
        description="Ingest new or changed canvas reports into the DuckDB warehouse (unchanged files are skipped by content hash).",
        tags=TAGS,
        # `flows.ingest.ingest_flow` (the installed package), not a file path relative to the current directory
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def serve(paths: list[str] = ["raw"], db: str = DEFAULT_DB, cron: str = "0 2 * * *", name: str = "nightly",  # noqa: B006
          data_path: str | None = None) -> None:
    """Serve the scheduled ingest deployment until interrupted (Ctrl-C / SIGTERM).

    Needs a Prefect server with its scheduler (`prefect server start`) named by `PREFECT_API_URL`: Prefect's
    temporary in-process server does not create scheduled runs, so a schedule served on it would never fire.
    At most one run executes at a time (one DuckDB writer). On shutdown the schedule is paused (Prefect's
    default for served deployments) until the next `serve`.
    """
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise RuntimeError(
            "serve needs a Prefect server: start one (`prefect server start`) and set PREFECT_API_URL "
            "(e.g. export PREFECT_API_URL=http://127.0.0.1:4200/api)"
        )
    deployment = build_deployment(list(paths), db=db, cron=cron, name=name, data_path=data_path)
    prefect_serve(deployment, limit=1)
