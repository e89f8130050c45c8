"""Formatting of warehouse values for the report: escaped text, numbers with M/bn/tn, values with units, dates,
periods, flags, sortable table cells, tables and filter boxes (HTML fragments)."""
from __future__ import annotations

import html
import math
from datetime import date, datetime, timezone
from typing import Any, Iterable


def e(x: Any) -> str:
    """Escaped text of a value ('' for None)."""
    if x is None:
        return ""
    return html.escape(str(x), quote=True)


def _trim(x: float, decimals: int = 3) -> str:
    s = f"{x:,.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"))


def fmt_number(v: float | None) -> str:
    """1.6e9 -> '1.6 bn', 824e6 -> '824 M', 3073 -> '3,073', 39.5 -> '39.5'."""
    if v is None:
        return ""
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    a = abs(v)
    for scale, suffix in _SCALES:
        if a >= scale:
            return f"{_trim(v / scale)} {suffix}"
    return _trim(v)


def fmt_value(value: float | None, unit: str | None, value_high: float | None = None) -> str:
    """A value in base units with its unit: '1.6 bn USD', '39.5 %', '824 M', '2 petabyte', '1–2 bn CNY'."""
    if value is None:
        return ""
    if value_high is not None and value_high != value:
        num = f"{fmt_number(value)} – {fmt_number(value_high)}"
    else:
        num = fmt_number(value)
    if unit in (None, "", "count"):
        return num
    if unit == "percent":
        return f"{num} %"
    return f"{num} {unit}"


def fmt_date(d: Any) -> str:
    if d is None:
        return ""
    if isinstance(d, datetime):
        return d.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if d.tzinfo else d.strftime("%Y-%m-%d %H:%M")
    if isinstance(d, date):
        return d.isoformat()
    return str(d)


def fmt_period(label: Any, end: Any, grain: Any) -> str:
    """Escaped HTML: the period as written, with its end date and grain underneath."""
    parts = [e(label)] if label else []
    meta = " · ".join(x for x in (fmt_date(end), grain or "") if x)
    if meta:
        parts.append(f'<span class="muted">{e(meta)}</span>')
    return "<br>".join(parts)


def flags_html(flags: Iterable[str] | None) -> str:
    return "".join(f'<span class="flag flag-{e(f)}">{e(f)}</span>' for f in (flags or ()))


def sort_attr(v: Any) -> str:
    """data-sort attribute for numeric / date cells (so sorting is by value, not by the shown text)."""
    if v is None:
        return ' data-sort=""'
    if isinstance(v, (date, datetime)):
        return f' data-sort="{e(v.isoformat())}"'
    return f' data-sort="{e(repr(float(v)))}"'


def table_html(table_id: str, headers: list[tuple[str, str]], rows: list[str], *, empty: str, cls: str = "",
           wrap: str = "tablewrap") -> str:
    """headers: (label, css class); rows: pre-rendered <tr> strings."""
    if not rows:
        return f'<p class="empty">{e(empty)}</p>'
    head = "".join(f'<th class="{c}" title="Click to sort">{e(h)}</th>' for h, c in headers)
    return (f'<div class="{wrap}"><table id="{table_id}" class="sortable {cls}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def filter_box(target: str, placeholder: str) -> str:
    return (f'<input type="search" class="filter" data-filter="{e(target)}" '
            f'placeholder="{e(placeholder)}" aria-label="{e(placeholder)}">')
