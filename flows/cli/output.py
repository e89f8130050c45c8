"""Result output of the command line: values as JSON, CSV or human text, and rows as a rich table, CSV or
JSON (``write_rows``). rich is imported inside the functions that need it."""
from __future__ import annotations

import csv
import datetime as _dt
import decimal
import json
import math
import os
import sys
from typing import Any, Sequence

from flows.cli.common import OutputFormat


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
