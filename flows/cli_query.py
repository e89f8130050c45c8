"""Analyst commands: facts, explain, sql, export, diff, report. All read the warehouse read-only.

Every user value reaches DuckDB as a bound parameter (``?``), never formatted into the SQL text.
"""
from __future__ import annotations

import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from flows import DEFAULT_DB
from flows.cli_common import (
    EXIT_LOCKED,
    OutputFormat,
    display_value,
    fail,
    one_line,
    open_warehouse,
    require_db_file,
    stdout_console,
    write_rows,
)

DB_OPTION = typer.Option(DEFAULT_DB, "--db", help="DuckDB warehouse file (opened read-only).")
FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", "-f", help="Output: table, csv or json.")

BLOCKS = (
    "key_partners", "key_activities", "key_resources", "value_propositions", "customer_relationships",
    "channels", "customer_segments", "cost_structure", "revenue_streams",
)
TABLE_DEFAULT_LIMIT = 50


def _block(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    v = value.strip().lower().replace("-", "_").replace(" ", "_")
    if v not in BLOCKS:
        raise typer.BadParameter(f"{value!r} is not a canvas block; choose one of: {', '.join(BLOCKS)}")
    return v


def _duck_errors():
    import duckdb

    return duckdb.Error


# ---- facts --------------------------------------------------------------------------------------------
_FACTS_TABLE_COLUMNS = ("fact_id", "ticker", "edition_label", "block", "subject", "metric", "value", "unit",
                        "period_end", "line_number", "source_text")
_LATEST_TABLE_COLUMNS = ("fact_id", "ticker", "edition_label", "block", "subject", "metric", "value", "unit",
                         "period_end", "line_number", "source_text", "editions_stating")
_SHORT_HEADERS = {"edition_label": "edition", "line_number": "line", "source_text": "as written",
                  "period_end": "period end", "editions_stating": "editions"}


def facts(
    ticker: Optional[str] = typer.Option(None, "--ticker", "-t", help="Only this ticker (e.g. BABA)."),
    block: Optional[str] = typer.Option(None, "--block", "-b", callback=_block,
                                        help="Only this canvas block (e.g. revenue_streams, cost_structure)."),
    metric: Optional[str] = typer.Option(None, "--metric", "-m",
                                         help="Metric contains this text (case and accents ignored; "
                                              "matches the metric as written or its normalised key)."),
    subject: Optional[str] = typer.Option(None, "--subject", "-s",
                                          help="Subject contains this text (same rules as --metric)."),
    period_end: Optional[datetime] = typer.Option(None, "--period-end", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                                                  help="Only figures whose period ends on this date (YYYY-MM-DD)."),
    latest: bool = typer.Option(False, "--latest",
                                help="Newest value of each figure only (view facts_latest: one row per subject, "
                                     "metric, unit and period, from the newest edition stating it)."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=0,
                                        help=f"At most N rows; 0 = all. Default: {TABLE_DEFAULT_LIMIT} for a table, "
                                             "all for csv/json."),
    fmt: OutputFormat = FORMAT_OPTION,
    db: str = DB_OPTION,
) -> None:
    """List facts, filtered by ticker, block, metric, subject or period.

    A table shows the main columns; csv and json give every column of facts (or of facts_latest).

    Examples:

      canvas-etl facts --ticker BABA --block revenue_streams

      canvas-etl facts --metric revenue --latest --format csv > revenue.csv

      canvas-etl facts --subject cloud --period-end 2024-03-31 --format json
    """
    where: list[str] = []
    params: list[Any] = []
    if ticker:
        where.append("upper(ticker) = upper(?)")
        params.append(ticker.strip())
    if block:
        where.append("block = ?")
        params.append(block)
    for column, text in (("metric", metric), ("subject", subject)):
        if text:
            where.append(
                f"(contains(strip_accents(lower({column})), strip_accents(lower(?))) "
                f"OR contains(strip_accents(lower({column}_key)), strip_accents(lower(?))))"
            )
            params += [text, text]
    if period_end:
        where.append("period_end = ?")
        params.append(period_end.date())
    source = "facts_latest" if latest else "facts"
    order = ("report_key, subject_key, metric_key, unit, period_end" if latest
             else "report_key, edition_date NULLS FIRST, document_id, line_number, char_start")
    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    if limit is None:
        limit = TABLE_DEFAULT_LIMIT if fmt is OutputFormat.table else 0
    with open_warehouse(db) as con:
        total = con.execute(f"SELECT count(*) FROM {source}{where_sql}", params).fetchone()[0]
        sql = f"SELECT * FROM {source}{where_sql} ORDER BY {order}"
        if limit:
            sql += " LIMIT ?"
        cur = con.execute(sql, params + ([limit] if limit else []))
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    if fmt is not OutputFormat.table:
        write_rows(columns, rows, fmt)
        return
    if not rows:
        typer.echo("no facts match" + (" these filters" if where else " (the warehouse is empty)"))
        return
    show = _LATEST_TABLE_COLUMNS if latest else _FACTS_TABLE_COLUMNS
    idx = [columns.index(c) for c in show]
    write_rows(list(show), [[r[i] for i in idx] for r in rows], fmt, numeric=("value",),
               headers=[_SHORT_HEADERS.get(c, c) for c in show],
               optional=("edition_label", "ticker", "block", "editions_stating", "source_text"))
    more = total - len(rows)
    tail = f"{total} fact{'s' if total != 1 else ''}" + (f", {len(rows)} shown (--limit 0 for all)" if more > 0 else "")
    typer.echo(tail + "; details: canvas-etl explain FACT_ID")


# ---- explain ------------------------------------------------------------------------------------------
_EXPLAIN_SQL = """
SELECT f.*, d.source_path, d.file_name, d.sha256, d.encoding,
       e.edition_rank, e.edition_count, e.is_latest
FROM facts f
JOIN documents d ON d.document_id = f.document_id
LEFT JOIN editions e ON e.edition_id = f.edition_id
WHERE f.fact_id = ?
"""


def _find_fact(con, fact_id: str) -> dict:
    key = fact_id.strip().lower()
    cur = con.execute(_EXPLAIN_SQL, [key])
    row = cur.fetchone()
    if row is None and len(key) >= 4:
        ids = [r[0] for r in con.execute(
            "SELECT fact_id FROM facts WHERE starts_with(fact_id, ?) ORDER BY fact_id LIMIT 6", [key]).fetchall()]
        if len(ids) == 1:
            cur = con.execute(_EXPLAIN_SQL, [ids[0]])
            row = cur.fetchone()
        elif ids:
            fail(f"fact id prefix {fact_id!r} is ambiguous: {', '.join(ids[:5])}{', ...' if len(ids) > 5 else ''}")
    if row is None:
        fail(f"no fact with id {fact_id!r} (list ids with: canvas-etl facts)")
    return dict(zip([d[0] for d in cur.description], row))


def _source_candidates(con, fact: dict, db: str) -> list[Path]:
    paths = [fact["source_path"]] + [r[0] for r in con.execute(
        "SELECT source_path FROM document_sources WHERE document_id = ? AND source_path <> ? ORDER BY first_seen_at",
        [fact["document_id"], fact["source_path"]]).fetchall()]
    out: list[Path] = []
    db_dir = Path(db).resolve().parent
    for p in paths:
        path = Path(p)
        out.append(path)
        if not path.is_absolute():  # paths are stored as given to `ingest`, relative to where it ran
            out += [db_dir / path, db_dir.parent / path]
    return out


def _line_from_file(con, fact: dict, db: str) -> tuple[str | None, int | None, str]:
    """(line text, span start within the line, where it came from) or (None, None, why not)."""
    from extractors.decode import RejectedInput, document_from_bytes, read_bytes

    changed = None
    for path in _source_candidates(con, fact, db):
        if not path.is_file():
            continue
        try:
            data = read_bytes(path)
        except RejectedInput:
            continue
        import hashlib

        if hashlib.sha256(data).hexdigest() != fact["sha256"]:
            changed = path
            continue
        try:
            doc = document_from_bytes(data, str(path))
        except RejectedInput:
            continue
        n = fact["line_number"]
        if not n or n < 1 or n > len(doc.line_starts):
            break
        start, end = doc.line_span(n)
        cs, ce = fact["char_start"], fact["char_end"]
        if cs is None or ce is None or not (start <= cs <= ce <= end) or doc.text[cs:ce] != fact["source_text"]:
            break
        return doc.text[start:end], cs - start, f"{path}, line {n}"
    if changed is not None:
        return None, None, f"{changed} has changed since it was loaded; showing the stored sentence"
    return None, None, f"{fact['source_path']} not found; showing the stored sentence"


def explain(
    fact_id: str = typer.Argument(..., help="Fact id (from `canvas-etl facts`); a unique prefix of 4+ characters works."),
    db: str = DB_OPTION,
) -> None:
    """Show where a fact comes from, with the source line and the figure highlighted.

    Also: the document and edition, the period and where it was found, the flags, the newest value of
    the same figure and any conflicting statement. The line is read from the source file when it is
    still there (and unchanged), else the stored sentence is shown.

    Example: canvas-etl explain c52b587591ac44e9
    """
    with open_warehouse(db) as con:
        fact = _find_fact(con, fact_id)
        line, offset, origin = _line_from_file(con, fact, db)
        newest = con.execute(
            """SELECT fact_id, value, unit, edition_label, line_number FROM facts_latest
               WHERE report_key = ? AND subject_key = ? AND metric_key = ? AND unit = ? AND period_end = ?
                 AND period_grain IS NOT DISTINCT FROM ?""",
            [fact["report_key"], fact["subject_key"], fact["metric_key"], fact["unit"], fact["period_end"],
             fact["period_grain"]],
        ).fetchone()
        conflicts = con.execute(
            """SELECT CASE WHEN a_fact_id = ? THEN b_fact_id ELSE a_fact_id END,
                      CASE WHEN a_fact_id = ? THEN b_value ELSE a_value END,
                      CASE WHEN a_fact_id = ? THEN b_edition ELSE a_edition END,
                      CASE WHEN a_fact_id = ? THEN b_line_number ELSE a_line_number END
               FROM fact_conflicts WHERE a_fact_id = ? OR b_fact_id = ?""",
            [fact["fact_id"]] * 6,
        ).fetchall()
    _render_explain(fact, line, offset, origin, newest, conflicts)


def _render_explain(fact: dict, line: str | None, offset: int | None, origin: str, newest, conflicts) -> None:
    from rich.table import Table
    from rich.text import Text

    console = stdout_console()
    f = fact
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    value = display_value(f["value"])
    if f["value_high"] is not None:
        value += f" to {display_value(f['value_high'])}"
    figure = Text()
    figure.append(f["source_text"] or "", style="bold yellow")
    figure.append(f"  →  {value} {f['unit']}  ({f['kind']})")
    grid.add_row("figure", figure)
    about = " · ".join(x for x in (f["subject"], f["metric"]) if x) or "(not found)"
    keys = " · ".join(x or "?" for x in (f["subject_key"], f["metric_key"]))
    grid.add_row("about", Text(f"{about}   [keys: {keys}]"))
    grid.add_row("block", Text(f"{f['block'] or '(outside the canvas)'}   lang {f['lang'] or '?'}"))
    if f["period_end"] is None:
        period = "no period stated or implied"
    else:
        span = f"{f['period_start']} → {f['period_end']}" if f["period_start"] else f"ends {f['period_end']}"
        bits = [f["period_grain"] or "?"] + (["fiscal"] if f["is_fiscal"] else [])
        period = f"{span} ({', '.join(bits)})"
        if f["period_label"]:
            period += f', written "{f["period_label"]}"'
    period += f"; found {f['period_source']}" if f["period_source"] else ""
    grid.add_row("period", Text(period))
    grid.add_row("flags", Text(", ".join(f["flags"] or []) or "none"))
    who = ", ".join(x for x in (f["ticker"], f["company"]) if x)
    grid.add_row("document", Text(f"{f['file_name']}  (document {f['document_id']}{', ' + who if who else ''})"))
    edition = f"{f['edition_label'] or '(no label)'}"
    if f["edition_date"]:
        edition += f" ({f['edition_date']})"
    if f["edition_rank"]:
        edition += f", edition {f['edition_rank']} of {f['edition_count']} of {f['report_key']}"
        edition += " (the newest)" if f["is_latest"] else ""
    grid.add_row("edition", Text(edition))
    grid.add_row("where", Text(f"line {f['line_number']}, characters {f['char_start']}-{f['char_end']}"))
    if newest is not None:
        if newest[0] == f["fact_id"]:
            grid.add_row("newest", Text("this is the newest value of this figure (facts_latest)"))
        else:
            grid.add_row("newest", Text(f"{display_value(newest[1])} {newest[2]} in edition {newest[3]}, "
                                        f"line {newest[4]} (fact {newest[0]})"))
    for other, v, ed, ln in conflicts:
        grid.add_row("conflict", Text(f"{display_value(v)} in edition {ed}, line {ln} (fact {other})"))
    grid.add_row("loaded", Text(f"run {f['run_id']}, extractor {f['extractor_version'] or '?'}"))
    console.print(Text(f"fact {f['fact_id']}", style="bold"))
    console.print(grid)
    console.print()

    if line is None:  # the file is gone or changed: the stored sentence, figure found in it
        text = f["sentence"] or f["source_text"] or ""
        src = f["source_text"] or ""
        offset = text.find(src) if src else -1
        prefix = "sentence │ "
        console.print(Text(f"source: {origin}", style="dim"))
    else:
        text = line
        src = f["source_text"] or ""
        prefix = f"{f['line_number']} │ "
        console.print(Text(f"source: {origin}", style="dim"))
    if offset is None or offset < 0:
        console.print(Text(prefix + text), soft_wrap=True)
        return
    text, offset = _window(text, offset, len(src), max(60, console.width - len(prefix)))
    if console.is_terminal:
        shown = Text(prefix + text)
        shown.stylize("bold black on yellow", len(prefix) + offset, len(prefix) + offset + len(src))
        console.print(shown, soft_wrap=True)
    else:  # plain output (pipes, logs): mark the span with carets under the line
        from rich.cells import cell_len

        typer.echo(prefix + text)
        typer.echo(" " * cell_len(prefix + text[:offset]) + "^" * max(1, cell_len(src)))


def _window(text: str, start: int, length: int, width: int) -> tuple[str, int]:
    """Cut a long line to about ``width`` characters around [start, start+length), marking cuts with "…"."""
    if len(text) <= width:
        return text, start
    room = max(0, width - length - 2)
    left = max(0, start - room // 2)
    right = min(len(text), max(start + length, left + width - 2))
    left = max(0, min(left, right - (width - 2)))
    head = "…" if left > 0 else ""
    tail = "…" if right < len(text) else ""
    return head + text[left:right] + tail, start - left + len(head)


# ---- sql ----------------------------------------------------------------------------------------------
def sql(
    query: str = typer.Argument(..., help="SQL to run; '-' reads it from stdin. Several statements: the last one's rows are shown."),
    fmt: OutputFormat = FORMAT_OPTION,
    db: str = DB_OPTION,
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
        fail("empty query", 2)
    Error = _duck_errors()
    with open_warehouse(db, require_schema=False) as con:
        try:
            cur = con.execute(query)
            if cur.description is None:
                return
            columns = [d[0] for d in cur.description]
            rows = cur.fetchall()
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


# ---- export -------------------------------------------------------------------------------------------
class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


EXPORT_TABLES = ("facts", "documents")


def export(
    fmt: ExportFormat = typer.Option(ExportFormat.parquet, "--format", "-f", help="parquet or csv (with a header row)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write to: OUT/facts/ticker=X/… and OUT/documents/ticker=X/…"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUT/facts and OUT/documents if they hold files."),
    db: str = DB_OPTION,
) -> None:
    """Export the facts and documents tables as Parquet or CSV, partitioned by ticker.

    Hive layout (OUT/facts/ticker=BABA/data_0.parquet), readable by DuckDB, pandas, polars, Spark...
    Rows without a ticker go to ticker=NULL/.

    Examples:

      canvas-etl export --format parquet --out export/

      duckdb -c "SELECT ticker, count(*) FROM read_parquet('export/facts/*/*.parquet') GROUP BY ALL"
    """
    targets = {t: out / t for t in EXPORT_TABLES}
    if not overwrite:
        for t, p in targets.items():
            if p.exists() and (not p.is_dir() or any(p.iterdir())):
                fail(f"{p} already exists and is not empty (use --overwrite to replace it)")
    Error = _duck_errors()
    summary = []
    with open_warehouse(db) as con:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"cannot create {out}: {exc.strerror or exc}")
        options = "FORMAT parquet" if fmt is ExportFormat.parquet else "FORMAT csv, HEADER true"
        options += ", PARTITION_BY (ticker)" + (", OVERWRITE" if overwrite else "")
        for table, target in targets.items():
            try:
                rows, parts = con.execute(f"SELECT count(*), count(DISTINCT coalesce(ticker, '')) FROM {table}").fetchone()
                con.execute(f"COPY (SELECT * FROM {table}) TO ? ({options})", [str(target)])
            except Error as exc:
                fail(f"export of {table} failed: {one_line(exc)}")
            summary.append((table, rows, parts, str(target)))
    write_rows(["table", "rows", "partitions", "written to"], summary, OutputFormat.table)


# ---- diff ---------------------------------------------------------------------------------------------
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
) -> None:
    """Show what changed between two editions of a report (default: the two newest).

    Figures whose value changed beyond rounding, figures added, figures removed.

    Examples:

      canvas-etl diff --ticker BABA

      canvas-etl diff --ticker MVRL --old "Jan-2025" --new "Oct-2025" --format csv
    """
    from warehouse.diff import diff_editions

    Error = _duck_errors()
    with open_warehouse(db) as con:
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


# ---- report -------------------------------------------------------------------------------------------
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
