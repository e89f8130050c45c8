"""`canvas-etl report`: write the HTML report of the warehouse (drawn by warehouse.report)."""
from __future__ import annotations

from pathlib import Path

import typer

from flows.cli.common import DB_OPTION, EXIT_LOCKED, fail, one_line, require_db_file


def report(
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="HTML file to write."),
    db: str = DB_OPTION,
) -> None:
    """Write an HTML report of the warehouse (reports, editions, latest figures, changes).

    Example: canvas-etl report --out report.html && xdg-open report.html
    """
    require_db_file(db)
    import duckdb

    from warehouse.report import render_report

    from warehouse.store import WarehouseLocked

    try:
        written = render_report(str(db), str(out))
    except WarehouseLocked as exc:
        fail(f"warehouse locked: {exc}", EXIT_LOCKED)
    except duckdb.Error as exc:
        fail(f"report failed: {one_line(exc)}")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"wrote {written or out}")
