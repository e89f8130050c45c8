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


# With a read snapshot beside the file, wait only this long for the live file before answering from the snapshot.
SNAPSHOT_WAIT = 0.5


def check_target(db: str, data_path: str | None = None, *, writer: bool = False):
    """``--db`` (+ ``--data-path``) -> warehouse.lake.Target; a malformed one exits 2 with one line."""
    from warehouse.lake import LakeError, parse_target

    try:
        return parse_target(db, data_path, require_data_path=writer)
    except LakeError as exc:
        fail(str(exc), EXIT_USAGE)


def _open_lake(target, data_path: str | None, as_of: str | None):
    import duckdb

    from warehouse.lake import LakeError, MissingExtension
    from warehouse.store import Warehouse

    try:
        wh = Warehouse(target, read_only=True, data_path=data_path, as_of=as_of)
    except MissingExtension as exc:
        fail(str(exc))
    except LakeError as exc:
        fail(str(exc), EXIT_USAGE if as_of else EXIT_FAILED)
    except duckdb.Error as exc:
        fail(f"cannot open {target.describe()}: {one_line(exc)}")
    if as_of is not None:
        typer.echo(f"canvas-etl: as of {as_of}: DuckLake snapshot {wh.as_of_snapshot}", err=True)
    return wh


def _open_file(db: str):
    """The live file when it is free; the read snapshot the loader publishes beside it when a load holds it
    (with a note on stderr); exit 3 when neither can be read."""
    require_db_file(db)
    import duckdb

    from warehouse.store import Warehouse, WarehouseLocked, live_writer, snapshot_path

    snap = snapshot_path(db)
    wait = read_lock_timeout()
    if snap.is_file():  # a load holding the file now: straight to the snapshot; else a short wait for the file
        wait = 0.0 if live_writer(db) else min(wait, SNAPSHOT_WAIT)
    try:
        return Warehouse(db, read_only=True, lock_timeout=wait)
    except WarehouseLocked as exc:
        if not snap.is_file():
            fail(f"warehouse locked: {exc} (no read snapshot yet; retry when the load has finished)", EXIT_LOCKED)
        held = exc.holder
    except duckdb.Error as exc:
        fail(f"cannot open {db}: {one_line(exc)}")
    try:
        wh = Warehouse(snap, read_only=True, lock_timeout=read_lock_timeout())
    except (WarehouseLocked, duckdb.Error) as exc:
        fail(f"warehouse locked, and its read snapshot {snap} cannot be opened: {one_line(exc)}", EXIT_LOCKED)
    from datetime import datetime, timezone

    try:
        run = wh.con.execute("SELECT run_id, status FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    except duckdb.Error:
        run = None
    published = datetime.fromtimestamp(snap.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    loader = f"run {held.get('run_id')}, pid {held.get('pid')}" if held.get("run_id") else f"pid {held.get('pid')}"
    as_of = f"as of run {run[0]} ({run[1]})" if run else "as of no run"
    typer.echo(f"canvas-etl: {db} is held by a load ({loader}); answering from the read snapshot {snap.name}, "
               f"{as_of}, published {published}", err=True)
    return wh


@contextmanager
def open_warehouse(db: str, *, require_schema: bool = True, data_path: str | None = None,
                   as_of: str | None = None) -> Iterator[Any]:
    """A read-only connection to the warehouse; exit 1 if missing (or, with ``require_schema``, not a
    canvas-etl warehouse), 2 for a bad --db/--as-of, 3 if a load holds a DuckDB file that has no read snapshot.

    A DuckDB file that a load holds is answered from its read snapshot (see ``_open_file``); a DuckLake is
    read natively (loads never block it) and ``as_of`` reads it at a run's snapshot."""
    target = check_target(db, data_path)
    if target.is_lake:
        wh = _open_lake(target, data_path, as_of)
    else:
        if as_of is not None:
            fail("--as-of needs a DuckLake warehouse (--db ducklake:sqlite:PATH or ducklake:postgres:CONNINFO): "
                 "a DuckDB file keeps no history of runs", EXIT_USAGE)
        wh = _open_file(db)
    try:
        if require_schema:
            from warehouse.queries import is_canvas_warehouse

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


DB_OPTION = typer.Option(DEFAULT_DB, "--db", help="DuckDB warehouse file (opened read-only), or a DuckLake: "
                                                  "ducklake:sqlite:PATH / ducklake:postgres:CONNINFO.")
DATA_PATH_OPTION = typer.Option(None, "--data-path", help="DuckLake: the Parquet files' folder (default: the one "
                                                          "the catalog recorded, or $CANVAS_ETL_DATA_PATH).")
AS_OF_OPTION = typer.Option(None, "--as-of", help="DuckLake: answer as of a run (RUN_ID), a time "
                                                  "(2026-01-31T12:00:00Z) or a snapshot (@N).")
FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", "-f", help="Output: table, csv or json.")
