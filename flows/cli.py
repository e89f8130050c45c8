"""`canvas-etl` command line. Heavy imports (Prefect, spaCy, DuckDB) happen inside the commands, so
`canvas-etl amounts` starts fast and never loads a statistical model."""
from __future__ import annotations

import json
import os
import sys
from enum import Enum
from typing import List, Optional

import typer

from flows import DEFAULT_DB, DEFAULT_RAW

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="canvas-etl: business-model-canvas reports (French/English text) -> typed facts in DuckDB.\n\n"
         "Every command takes --db FILE (default warehouse/canvas.duckdb) and --help (with an example). "
         "Tables and views: docs/warehouse.md.",
    pretty_exceptions_enable=False,
)


class Runner(str, Enum):
    threads = "threads"
    processes = "processes"
    dask = "dask"


class Lang(str, Enum):
    fr = "fr"
    en = "en"


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"canvas-etl: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def ingest(
    paths: List[str] = typer.Argument(None, help="Files or folders to ingest (default: raw/)."),
    db: str = typer.Option(DEFAULT_DB, "--db", help="DuckDB warehouse file (created if missing)."),
    edition: Optional[str] = typer.Option(None, "--edition", help="Edition label for sections that state none (e.g. 'Oct-2025')."),
    runner: Runner = typer.Option(Runner.threads, "--runner", help="Prefect task runner for extraction."),
    dask_address: Optional[str] = typer.Option(None, "--dask-address", help="Existing Dask scheduler (tcp://host:8786); with --runner dask."),
    workers: int = typer.Option(2, "--workers", min=1, help="Parallel extraction workers."),
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
    """
    from flows.cli_common import EXIT_LOCKED, EXIT_RUN_FAILED, one_line

    if dask_address and runner is not Runner.dask:
        _fail("--dask-address needs --runner dask")
    from flows.run import run_ingest, start_temporary_server

    start_temporary_server()  # boots (seconds) while the rest loads
    from flows.cli_ingest import now, observe_ingest, print_summary

    targets = paths or [DEFAULT_RAW]
    from warehouse.store import WarehouseLocked

    if max_bytes is not None:  # read by the decode step, in this process and in the workers it starts
        os.environ["CANVAS_ETL_MAX_BYTES"] = str(max_bytes)
    started = now()
    try:
        with observe_ingest(targets):
            summary = run_ingest(
                targets, db=db, edition=edition, runner=runner.value, dask_address=dask_address,
                workers=workers, use_model=not no_models, lock_timeout=lock_timeout,
            )
    except WarehouseLocked as exc:  # one clear line, not a traceback
        _fail(str(exc), EXIT_LOCKED)
    except Exception as exc:
        if os.environ.get("CANVAS_ETL_DEBUG"):
            raise
        _fail(f"ingest failed: {type(exc).__name__}: {one_line(exc)} (CANVAS_ETL_DEBUG=1 shows the traceback)",
              EXIT_RUN_FAILED)
    print_summary(summary, wall_seconds=now() - started, db=db)
    raise typer.Exit(1 if summary["documents_rejected"] else 0)


def _register_analyst_commands() -> None:
    from flows import cli_query

    app.command("facts")(cli_query.facts)
    app.command("explain")(cli_query.explain)
    app.command("sql")(cli_query.sql)
    app.command("export")(cli_query.export)
    app.command("diff")(cli_query.diff)
    app.command("report")(cli_query.report)


_register_analyst_commands()


@app.command()
def serve(
    paths: List[str] = typer.Argument(None, help="Files or folders each scheduled run ingests (default: raw/)."),
    db: str = typer.Option(DEFAULT_DB, "--db", help="DuckDB warehouse file."),
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
        _fail("serve is not available in this version (flows/deploy.py is missing)", 1)
    from warehouse.store import WarehouseLocked

    try:
        serve_deployment(paths=list(paths or [DEFAULT_RAW]), db=db, cron=cron)
    except WarehouseLocked as exc:
        _fail(str(exc), 3)
    except (RuntimeError, ValueError) as exc:  # e.g. no Prefect server configured, bad cron
        if os.environ.get("CANVAS_ETL_DEBUG"):
            raise
        _fail(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, 1)


@app.command()
def amounts(
    lang: Lang = typer.Option(..., "--lang", help="Language of the text: fr or en."),
) -> None:
    """Read one text per line on stdin; write one JSON array of amounts per line (rules only, no models).

    Example: echo "1,6 milliard de dollars" | canvas-etl amounts --lang fr
    """
    from extractors.records import amount_to_json
    from normalizers.amounts import find_amounts

    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\n").rstrip("\r")
        found = find_amounts(line, lang.value)
        out.write(json.dumps([amount_to_json(a) for a in found], ensure_ascii=False))
        out.write("\n")
    out.flush()


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # e.g. `canvas-etl facts --format csv | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # last resort: one line, not a traceback
        if os.environ.get("CANVAS_ETL_DEBUG"):
            raise
        from flows.cli_common import one_line

        typer.echo(f"canvas-etl: {type(exc).__name__}: {one_line(exc)} (CANVAS_ETL_DEBUG=1 shows the traceback)",
                   err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
