"""`canvas-etl facts`: list facts, filtered by ticker, block, metric, subject or period; --currency USD|EUR converts
money facts (view facts_converted).

Every user value reaches DuckDB as a bound parameter (``?``), never formatted into the SQL text.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import typer

from flows.cli.common import AS_OF_OPTION, DATA_PATH_OPTION, DB_OPTION, FORMAT_OPTION, OutputFormat, open_warehouse
from flows.cli.output import write_rows

TABLE_DEFAULT_LIMIT = 50


def _block(value: Optional[str]) -> Optional[str]:
    """--block: a key of the canvas_blocks lookup table (as in warehouse/schema.sql), case, spaces and dashes
    ignored."""
    if value is None:
        return None
    from warehouse.queries import canvas_blocks

    blocks = [b for b, _ in canvas_blocks()]
    v = value.strip().lower().replace("-", "_").replace(" ", "_")
    if v not in blocks:
        raise typer.BadParameter(f"{value!r} is not a canvas block; choose one of: {', '.join(blocks)}")
    return v


_FACTS_TABLE_COLUMNS = ("fact_id", "ticker", "edition_label", "block", "subject", "metric", "value", "unit",
                        "period_end", "line_number", "source_text")
_LATEST_TABLE_COLUMNS = ("fact_id", "ticker", "edition_label", "block", "subject", "metric", "value", "unit",
                         "period_end", "line_number", "source_text", "editions_stating")
_SHORT_HEADERS = {"edition_label": "edition", "line_number": "line", "source_text": "as written",
                  "period_end": "period end", "editions_stating": "editions"}
# with --currency: the figure as written, then converted, with the rate's source and date
_CONVERTED_TABLE_COLUMNS = ("fact_id", "ticker", "edition_label", "subject", "metric", "value", "unit",
                            "value_converted", "currency", "fx_source", "fx_rate_date", "period_end", "line_number",
                            "source_text")
_CONVERTED_HEADERS = {"value_converted": "converted", "fx_source": "rate from", "fx_rate_date": "rate date"}


def _cents(v):
    """A converted amount as shown in a table: to the cent (a rate gives it more digits than it has)."""
    return None if v is None else round(v, 2)


def _currency(value: Optional[str]) -> Optional[str]:
    """--currency: USD or EUR (case ignored)."""
    if value is None:
        return None
    from warehouse.queries import CURRENCIES

    v = value.strip().upper()
    if v not in CURRENCIES:
        raise typer.BadParameter(f"{value!r}: convert to one of {', '.join(CURRENCIES)}")
    return v


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
    currency: Optional[str] = typer.Option(None, "--currency", "-c", callback=_currency, metavar="USD|EUR",
                                           help="Money facts only, each also in this currency (USD or EUR), with "
                                                "the rate's source (identity, report, ecb) and date (view "
                                                "facts_converted); no rate known: empty, reason in csv/json."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=0,
                                        help=f"At most N rows; 0 = all. Default: {TABLE_DEFAULT_LIMIT} for a table, "
                                             "all for csv/json."),
    fmt: OutputFormat = FORMAT_OPTION,
    db: str = DB_OPTION,
    data_path: Optional[str] = DATA_PATH_OPTION,
    as_of: Optional[str] = AS_OF_OPTION,
) -> None:
    """List facts, filtered by ticker, block, metric, subject or period.

    A table shows the main columns; csv and json give every column of facts (or of facts_latest). With
    --currency, money facts only, each converted (value_converted) with its rate's source, date and pair.

    Examples:

      canvas-etl facts --ticker BABA --block revenue_streams

      canvas-etl facts --metric revenue --latest --format csv > revenue.csv

      canvas-etl facts --subject cloud --period-end 2024-03-31 --format json

      canvas-etl facts --ticker BABA --metric revenue --currency USD
    """
    if limit is None:
        limit = TABLE_DEFAULT_LIMIT if fmt is OutputFormat.table else 0
    from warehouse.queries import find_facts

    with open_warehouse(db, data_path=data_path, as_of=as_of) as con:
        total, columns, rows = find_facts(con, latest=latest, ticker=ticker, block=block, metric=metric,
                                          subject=subject, period_end=period_end.date() if period_end else None,
                                          limit=limit, currency=currency)
    if fmt is not OutputFormat.table:
        write_rows(columns, rows, fmt)
        return
    if not rows:
        filtered = any((ticker, block, metric, subject, period_end, currency))
        typer.echo("no facts match" + (" these filters" if filtered else " (the warehouse is empty)"))
        return
    show = _CONVERTED_TABLE_COLUMNS if currency else _LATEST_TABLE_COLUMNS if latest else _FACTS_TABLE_COLUMNS
    idx = [columns.index(c) for c in show]
    shown = [[_cents(r[i]) if c == "value_converted" else r[i] for c, i in zip(show, idx)] for r in rows]
    write_rows(list(show), shown, fmt, numeric=("value", "value_converted"),
               headers=[_CONVERTED_HEADERS.get(c) or _SHORT_HEADERS.get(c, c) for c in show],
               optional=("edition_label", "ticker", "block", "editions_stating", "source_text"))
    more = total - len(rows)
    tail = f"{total} fact{'s' if total != 1 else ''}" + (f", {len(rows)} shown (--limit 0 for all)" if more > 0 else "")
    typer.echo(tail + "; details: canvas-etl explain FACT_ID")
