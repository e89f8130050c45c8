"""`canvas-etl diff`: what changed between two editions of a report."""
from __future__ import annotations

from typing import Optional

import typer

from flows.cli.common import AS_OF_OPTION, DATA_PATH_OPTION, DB_OPTION, FORMAT_OPTION, OutputFormat, duck_errors, fail, one_line, open_warehouse
from flows.cli.output import display_value, write_rows


_CHANGE_ORDER = {"changed": 0, "added": 1, "removed": 2}
_DIFF_HEADERS = {"period_end": "period end", "relative": "delta", "lines": "lines (old → new)"}


def _with_unit(value, high, unit) -> str | None:
    if value is None:
        return None
    text = display_value(value) + (f" to {display_value(high)}" if high is not None else "")
    return f"{text} {unit}" if unit else text


def diff(
    ticker: Optional[str] = typer.Option(None, "--ticker", "-t", help="Report (ticker, else company); default: every report."),
    old: Optional[str] = typer.Option(None, "--old", help="Label of the older edition (as in `canvas-etl sql \"SELECT * FROM editions\"`)."),
    new: Optional[str] = typer.Option(None, "--new", help="Label of the newer edition; default: the newest."),
    fmt: OutputFormat = FORMAT_OPTION,
    db: str = DB_OPTION,
    data_path: Optional[str] = DATA_PATH_OPTION,
    as_of: Optional[str] = AS_OF_OPTION,
) -> None:
    """Show what changed between two editions of a report (default: the two newest).

    Figures whose value changed beyond rounding, figures added, figures removed.

    Examples:

      canvas-etl diff --ticker BABA

      canvas-etl diff --ticker MVRL --old "Jan-2025" --new "Oct-2025" --format csv
    """
    from warehouse.diff import diff_editions

    Error = duck_errors()
    with open_warehouse(db, data_path=data_path, as_of=as_of) as con:
        try:
            rows = list(diff_editions(con, report=ticker, old=old, new=new))
        except (Error, ValueError, LookupError) as exc:  # LookupError: warehouse.diff.EditionNotFound
            fail(f"diff: {one_line(exc)}")
    if fmt is not OutputFormat.table:
        cols = list(rows[0].keys()) if rows else []
        write_rows(cols, [[r[c] for c in cols] for r in rows], fmt)
        return
    if not rows:
        what = f"report {ticker}" if ticker else "any report"
        typer.echo(f"no changes found for {what} (a report needs two editions; list them with: "
                   f"canvas-etl sql \"SELECT report_key, edition_label, edition_date FROM editions\")")
        return
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        key = (r.get("report_key") or r.get("ticker"), r.get("old_edition"), r.get("new_edition"))
        groups.setdefault(key, []).append(r)
    for (report, old_label, new_label), items in groups.items():
        items.sort(key=lambda r: (_CHANGE_ORDER.get(r.get("change"), 9), str(r.get("subject_key") or r.get("subject")),
                                  str(r.get("metric_key") or r.get("metric")), str(r.get("period_end"))))
        counts = {c: sum(1 for r in items if r.get("change") == c) for c in _CHANGE_ORDER}
        title = (f"{report}: {old_label} → {new_label}: {counts['changed']} changed, {counts['added']} added, "
                 f"{counts['removed']} removed")
        with_relative = counts["changed"] > 0
        table_rows = []
        for r in items:
            rel = r.get("relative_change")
            ol, nl = r.get("old_line_number"), r.get("new_line_number")
            row = [r.get("change"), r.get("subject"), r.get("metric"), r.get("period_end") or "undated",
                   _with_unit(r.get("old_value"), r.get("old_value_high"), r.get("unit")),
                   _with_unit(r.get("new_value"), r.get("new_value_high"), r.get("unit"))]
            if with_relative:
                row.append(None if rel is None else f"{100 * rel:+.1f}%")
            row.append(f"{ol if ol is not None else '-'} → {nl if nl is not None else '-'}")
            table_rows.append(row)
        cols = ["change", "subject", "metric", "period_end", "old", "new"] + (["relative"] if with_relative else []) + ["lines"]
        write_rows(cols, table_rows, OutputFormat.table, title=title, headers=[_DIFF_HEADERS.get(c, c) for c in cols],
                   numeric=("old", "new", "relative", "lines"), optional=("lines",))
