"""Shared helpers of the command line: exit codes, one-line errors, the read-only warehouse, common options.

Light on purpose (typer and the standard library at import time): DuckDB, pyarrow and rich are imported
inside the functions that need them, so `canvas-etl amounts` stays fast.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, NoReturn

import typer

from flows import DEFAULT_DB

# Exit codes shared by every command.
EXIT_OK = 0
EXIT_FAILED = 1  # ingest: some input rejected; other commands: the command failed (bad SQL, unknown fact...)
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_RUN_FAILED = 4  # ingest: the run itself failed (not just some inputs)

# Read commands wait this long for a running load to release the file (DuckDB has no waiting mode).
LOCK_TIMEOUT_ENV = "CANVAS_ETL_LOCK_TIMEOUT"
READ_LOCK_TIMEOUT = 5.0


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """One clear line on stderr, then exit (no traceback)."""
    typer.echo(f"canvas-etl: {message}", err=True)
    raise typer.Exit(code)


def one_line(exc: BaseException) -> str:
    """An exception as one line: DuckDB errors carry a multi-line context (LINE 1: ... ^)."""
    text = str(exc).strip()
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "") or type(exc).__name__
    return first


def read_lock_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(LOCK_TIMEOUT_ENV, READ_LOCK_TIMEOUT)))
    except ValueError:
        return READ_LOCK_TIMEOUT


def require_db_file(db: str) -> Path:
    path = Path(db)
    if not path.is_file():
        hint = f" (build it with: canvas-etl ingest --db {db})" if not path.exists() else ""
        fail(f"no warehouse file at {db}{hint}")
    return path


@contextmanager
def open_warehouse(db: str, *, require_schema: bool = True) -> Iterator[Any]:
    """A read-only DuckDB connection to the warehouse; exit 1 if missing (or, with ``require_schema``,
    not a canvas-etl warehouse), 3 if a load holds it."""
    require_db_file(db)
    import duckdb

    from warehouse.queries import is_canvas_warehouse
    from warehouse.store import Warehouse, WarehouseLocked

    try:
        wh = Warehouse(db, read_only=True, lock_timeout=read_lock_timeout())
    except WarehouseLocked as exc:
        fail(f"warehouse locked: {exc} (query a snapshot, or retry when the load has finished)", EXIT_LOCKED)
    except duckdb.Error as exc:
        fail(f"cannot open {db}: {one_line(exc)}")
    try:
        if require_schema:
            ok = is_canvas_warehouse(wh.con)
            if not ok:
                fail(f"{db} is not a canvas-etl warehouse (no facts/facts_latest): build one with canvas-etl ingest")
        yield wh.con
    finally:
        wh.close()


def duck_errors():
    """duckdb.Error, imported late (DuckDB is not loaded at start-up)."""
    import duckdb

    return duckdb.Error


DB_OPTION = typer.Option(DEFAULT_DB, "--db", help="DuckDB warehouse file (opened read-only).")
FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", "-f", help="Output: table, csv or json.")
