"""`canvas-etl report`: write the HTML report of the warehouse (drawn by warehouse.report)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from flows.cli.common import AS_OF_OPTION, DATA_PATH_OPTION, DB_OPTION, duck_errors, fail, one_line, open_warehouse


def report(
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="HTML file to write."),
    db: str = DB_OPTION,
    data_path: Optional[str] = DATA_PATH_OPTION,
    as_of: Optional[str] = AS_OF_OPTION,
) -> None:
    """Write an HTML report of the warehouse (reports, editions, latest figures, changes).

    Example: canvas-etl report --out report.html && xdg-open report.html
    """
    from warehouse.report import write_report

    Error = duck_errors()
    name = Path(db).name if not db.startswith("ducklake:") else db.split(":", 2)[0] + ":" + db.split(":", 2)[1]
    with open_warehouse(db, require_schema=False, data_path=data_path, as_of=as_of) as con:
        try:
            written = write_report(con, str(out), db_name=name)
        except Error as exc:
            fail(f"report failed: {one_line(exc)}")
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"wrote {written or out}")
