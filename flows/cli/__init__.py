"""`canvas-etl` command line: one module per command, registered here. Heavy imports (Prefect, spaCy,
DuckDB) happen inside the commands, so `canvas-etl amounts` starts fast and never loads a statistical model.

Every SQL query a command runs is a named query of ``warehouse.queries``; the commands call them and format
the results (``flows.cli.output``).
"""
from __future__ import annotations

import gc
import os
import sys

import typer

from flows.cli import amounts, diff, explain, export, facts, ingest, report, serve, sql
from flows.cli import status as status_cmd
from flows.cli.common import EXIT_FAILED

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="canvas-etl: business-model-canvas reports (French/English text) -> typed facts in DuckDB.\n\n"
         "Every command takes --db FILE (default warehouse/canvas.duckdb; or a DuckLake: ducklake:sqlite:PATH / "
         "ducklake:postgres:CONNINFO with --data-path DIR) and --help (with an example). "
         "Tables and views: docs/warehouse.md.",
    pretty_exceptions_enable=False,
)

app.command("ingest")(ingest.ingest)
app.command("facts")(facts.facts)
app.command("explain")(explain.explain)
app.command("sql")(sql.sql)
app.command("export")(export.export)
app.command("diff")(diff.diff)
app.command("report")(report.report)
app.command("serve")(serve.serve)
app.command("amounts")(amounts.amounts)
app.command("status")(status_cmd.status)


def main() -> None:
    if sys.argv[1:2] == ["ingest"] and not {"-h", "--help"} & set(sys.argv):
        from flows.run import start_early_server

        start_early_server()  # Prefect's temporary server boots while the command's imports go on
    try:
        app()
    except BrokenPipeError:  # e.g. `canvas-etl facts --format csv | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # last resort: one line, not a traceback
        if os.environ.get("CANVAS_ETL_DEBUG"):
            raise
        from flows.cli.common import one_line

        typer.echo(f"canvas-etl: {type(exc).__name__}: {one_line(exc)} (CANVAS_ETL_DEBUG=1 shows the traceback)",
                   err=True)
        sys.exit(EXIT_FAILED)
    finally:
        # The command is done and the process about to exit: its objects are frozen out of the garbage collector,
        # so that the interpreter's last collections, as it tears the modules down, do not walk them all again
        # (~0.4 s after a 300-report load: Prefect's, DuckDB's and Arrow's objects). The exit handlers (Prefect
        # flushing its logs and events, the temporary server's stop) run as before.
        gc.freeze()


if __name__ == "__main__":
    main()
