"""Shared helpers of the command line: one-line errors, the read-only warehouse, result output.

Light on purpose (typer and the standard library at import time): DuckDB, pyarrow and rich are imported
inside the functions that need them, so `canvas-etl amounts` stays fast.
"""
from __future__ import annotations

import csv
import datetime as _dt
import decimal
import json
import math
import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, NoReturn, Sequence

import typer

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

    from warehouse.store import Warehouse, WarehouseLocked

    try:
        wh = Warehouse(db, read_only=True, lock_timeout=read_lock_timeout())
    except WarehouseLocked as exc:
        fail(f"warehouse locked: {exc} (query a snapshot, or retry when the load has finished)", EXIT_LOCKED)
    except duckdb.Error as exc:
        fail(f"cannot open {db}: {one_line(exc)}")
    try:
        if require_schema:
            try:
                ok = wh.con.execute(
                    "SELECT count(*) FROM duckdb_views() WHERE view_name = 'facts_latest' AND NOT temporary"
                ).fetchone()[0]
            except duckdb.Error:
                ok = 0
            if not ok:
                fail(f"{db} is not a canvas-etl warehouse (no facts/facts_latest): build one with canvas-etl ingest")
        yield wh.con
    finally:
        wh.close()


# ---- values ------------------------------------------------------------------------------------------
def json_value(v: Any) -> Any:
    """A DuckDB value as plain JSON (dates as ISO strings, NaN as null)."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, _dt.timedelta):
        return v.total_seconds()
    if isinstance(v, (list, tuple)):
        return [json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    return str(v)


def csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(json_value(v), ensure_ascii=False)
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    j = json_value(v)
    return j if isinstance(j, (str, int, float)) else str(j)


def display_value(v: Any) -> str:
    """A value for a human table: 1600000000.0 -> 1,600,000,000; lists joined; NULL as empty."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return str(v)
        if v.is_integer() and abs(v) < 1e18:
            return f"{int(v):,}"
        if 1e-4 <= abs(v) < 1e15:
            return f"{v:,.6f}".rstrip("0").rstrip(".")
        return f"{v:.6g}"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10000 else str(v)
    if isinstance(v, decimal.Decimal):
        return f"{v:,}"
    if isinstance(v, (list, tuple)):
        return ", ".join(display_value(x) for x in v)
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    return str(v)


def stdout_console():
    """Console for stdout. Not a terminal (pipe, file): COLUMNS wide, else 200, so tables do not fold at 80."""
    from rich.console import Console

    width = None
    if not sys.stdout.isatty():
        try:
            width = int(os.environ.get("COLUMNS", "")) or 200
        except ValueError:
            width = 200
    return Console(highlight=False, soft_wrap=False, width=width)


def write_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: OutputFormat, *,
               title: str | None = None, numeric: Sequence[str] = (),
               headers: Sequence[str] | None = None, optional: Sequence[str] = ()) -> None:
    """Rows as a rich table, CSV (header + rows) or a JSON array of objects (one per line)."""
    out = sys.stdout
    if fmt is OutputFormat.csv:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([csv_value(v) for v in r])
        out.flush()
        return
    if fmt is OutputFormat.json:
        if not rows:
            out.write("[]\n")
        else:
            out.write("[\n")
            for i, r in enumerate(rows):
                obj = {c: json_value(v) for c, v in zip(columns, r)}
                out.write(json.dumps(obj, ensure_ascii=False) + (",\n" if i < len(rows) - 1 else "\n"))
            out.write("]\n")
        out.flush()
        return
    from rich import box
    from rich.table import Table

    from rich.cells import cell_len

    console = stdout_console()
    shown = [[display_value(v) for v in r] for r in rows]
    heads = list(headers or columns)

    def natural(i: int) -> int:
        return max([cell_len(heads[i])] + [max((cell_len(x) for x in r[i].splitlines()), default=0) for r in shown])

    def total(cols: list[int]) -> int:  # SIMPLE_HEAD without edges: 1 space each side + 1 separator
        return sum(natural(i) for i in cols) + 3 * len(cols) - 1

    # On a narrow screen drop the `optional` columns (in that order) rather than squeeze every column.
    keep = list(range(len(columns)))
    for name in optional:
        if total(keep) <= console.width:
            break
        if name in columns and columns.index(name) in keep:
            keep.remove(columns.index(name))
    if len(keep) < len(columns):
        columns = [columns[i] for i in keep]
        heads = [heads[i] for i in keep]
        rows = [[r[i] for i in keep] for r in rows]
        shown = [[r[i] for i in keep] for r in shown]
    n = len(columns)
    nat = [natural(i) for i in range(n)]
    # short columns (ids, numbers, dates, units) never wrap; long text folds, sharing the room left fairly
    short = [max((cell_len(r[i]) for r in shown), default=0) <= 20 for i in range(n)]
    widths: list[int | None] = [None] * n
    text_cols = [i for i in range(n) if not short[i]]
    room = console.width - (3 * n - 1) - sum(nat[i] for i in range(n) if short[i])
    if sum(nat) + 3 * n - 1 > console.width and text_cols and room >= 8 * len(text_cols):
        pending = sorted(text_cols, key=lambda i: nat[i])
        while pending:
            share = room // len(pending)
            i = pending.pop(0)
            widths[i] = min(nat[i], share)
            room -= widths[i]
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, highlight=False, title_justify="left")
    numeric_cols = set(numeric)
    for i, c in enumerate(columns):
        is_num = c in numeric_cols or (bool(rows) and all(
            isinstance(r[i], (int, float, decimal.Decimal)) and not isinstance(r[i], bool) for r in rows if r[i] is not None
        ) and any(r[i] is not None for r in rows))
        table.add_column(heads[i], justify="right" if is_num else "left", no_wrap=short[i],
                         overflow="ellipsis" if short[i] else "fold", width=widths[i])
    for r in shown:
        table.add_row(*r)
    console.print(table)
