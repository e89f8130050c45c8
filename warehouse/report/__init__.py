"""`canvas-etl report`: one self-contained static HTML page describing a warehouse.

    from warehouse.report import render_report
    render_report("warehouse/canvas.duckdb", "report.html")   # -> "report.html"

The page needs no server and no network: inline CSS (style.css), inline SVG charts drawn in Python
(charts.py), and a few lines of inline JavaScript (report.js: sortable tables, a filter box). It shows the
documents and editions, the facts of each report per canvas block (canvas.py), the changes between editions (``fact_changes``), the conflicts
(``fact_conflicts``), a chart of every figure stated for several periods or editions, and the runs.

The warehouse is opened read-only (:class:`warehouse.store.Warehouse`), so a report can be drawn while
analysts are reading the file (not while a writer holds it: it then waits ``lock_timeout``). Every piece of
text from the warehouse is HTML-escaped. An empty warehouse (or a file without the schema) gives a page
that says so.
"""
from __future__ import annotations

import os
from pathlib import Path

from warehouse.report.charts import chart_svg
from warehouse.report.data import load
from warehouse.report.format import fmt_value
from warehouse.report.page import render_page
from warehouse.store import Warehouse

__all__ = ["chart_svg", "fmt_value", "render_report", "write_report"]


def render_report(db_path: str, out_path: str) -> str:
    """Write the HTML report of the warehouse ``db_path`` to ``out_path`` and return ``out_path``."""
    path = Path(db_path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {db_path}")
    with Warehouse(path, read_only=True) as wh:
        return write_report(wh.con, out_path, db_name=path.name)


def write_report(con, out_path: str, *, db_name: str) -> str:
    """Write the HTML report of the warehouse open on ``con`` (a DuckDB file, its read snapshot, or a DuckLake
    at any snapshot) to ``out_path``; returns ``out_path``."""
    data = load(con)
    page = render_page(data, db_name=db_name)
    out = Path(out_path).expanduser()
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return str(out_path)
