"""`canvas-etl sql`: the user's SQL on a read-only connection."""
from __future__ import annotations

import sys

from typing import Optional

import typer

from flows.cli.common import (AS_OF_OPTION, DATA_PATH_OPTION, DB_OPTION, EXIT_USAGE, FORMAT_OPTION, OutputFormat, duck_errors, fail, one_line,
                              open_warehouse)
from flows.cli.output import write_rows


def sql(
    query: str = typer.Argument(..., help="SQL to run; '-' reads it from stdin. Several statements: the last one's rows are shown."),
    fmt: OutputFormat = FORMAT_OPTION,
    db: str = DB_OPTION,
    data_path: Optional[str] = DATA_PATH_OPTION,
    as_of: Optional[str] = AS_OF_OPTION,
) -> None:
    """Run SQL on a read-only connection to the warehouse (writes fail).

    Tables and views: docs/warehouse.md; ready-made queries: docs/cookbook.sql.

    Examples:

      canvas-etl sql "SELECT ticker, count(*) FROM facts GROUP BY ticker"

      canvas-etl sql "SELECT * FROM fact_changes" --format csv > changes.csv

      canvas-etl sql - --format json < docs/cookbook.sql
    """
    if query == "-":
        query = sys.stdin.read()
    if not query.strip():
        fail("empty query", EXIT_USAGE)
    from warehouse.queries import run_sql

    Error = duck_errors()
    with open_warehouse(db, require_schema=False, data_path=data_path, as_of=as_of) as con:
        try:
            columns, rows = run_sql(con, query)
            if columns is None:
                return
        except Error as exc:
            msg = one_line(exc)
            if "read-only mode" in msg:
                msg += " (canvas-etl sql never writes: the warehouse is opened read-only)"
            fail(f"SQL error: {msg}")
    if fmt is OutputFormat.table and columns == ["Success"] and rows in ([(True,)], []):
        return
    if fmt is OutputFormat.table and not rows:
        typer.echo(f"0 rows (columns: {', '.join(columns)})")
        return
    write_rows(columns, rows, fmt)
    if fmt is OutputFormat.table:
        typer.echo(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
