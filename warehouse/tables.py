"""The declared Arrow schemas of the tables the loader receives, and building them from plain rows.

The extraction side hands plain Python rows (:mod:`extractors.records`: column names as in
``schema.sql``, ids and keys already made); this module types them as ``FACTS_SCHEMA`` /
``SECTIONS_SCHEMA`` / ``FX_RATES_SCHEMA`` for the single loader (:meth:`warehouse.store.Warehouse.load_document`). Schemas are
explicit so an empty list still gives a correctly typed table. Pure: no duckdb here.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import pyarrow as pa

FACTS_SCHEMA = pa.schema(
    [
        pa.field("fact_id", pa.string(), nullable=False),
        pa.field("document_id", pa.string(), nullable=False),
        pa.field("section_index", pa.int32()),
        pa.field("block", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("company", pa.string()),
        pa.field("ticker", pa.string()),
        pa.field("edition_label", pa.string()),
        pa.field("edition_date", pa.date32()),
        pa.field("subject", pa.string()),
        pa.field("metric", pa.string()),
        pa.field("subject_key", pa.string()),
        pa.field("metric_key", pa.string()),
        pa.field("value", pa.float64()),
        pa.field("value_high", pa.float64()),
        pa.field("unit", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("period_start", pa.date32()),
        pa.field("period_end", pa.date32()),
        pa.field("period_grain", pa.string()),
        pa.field("is_fiscal", pa.bool_()),
        pa.field("period_label", pa.string()),
        pa.field("period_source", pa.string()),
        pa.field("flags", pa.list_(pa.string())),
        pa.field("source_text", pa.string()),
        pa.field("line_number", pa.int32()),
        pa.field("char_start", pa.int32()),
        pa.field("char_end", pa.int32()),
        pa.field("sentence", pa.string()),
        pa.field("precision", pa.int32()),
        pa.field("rounding_step", pa.float64()),
        pa.field("extractor_version", pa.string()),
        pa.field("run_id", pa.string()),
        pa.field("report_key", pa.string(), nullable=False),
        pa.field("edition_id", pa.string(), nullable=False),
        pa.field("dimension", pa.string()),
        pa.field("ref_value", pa.float64()),
        pa.field("ref_unit", pa.string()),
        pa.field("equivalent_of", pa.string()),
    ]
)

FX_RATES_SCHEMA = pa.schema(
    [
        pa.field("document_id", pa.string(), nullable=False),
        pa.field("from_currency", pa.string(), nullable=False),
        pa.field("to_currency", pa.string(), nullable=False),
        pa.field("rate", pa.float64(), nullable=False),
        pa.field("rate_low", pa.float64()),
        pa.field("rate_high", pa.float64()),
        pa.field("rate_date", pa.date32()),
        pa.field("requested_date", pa.date32()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("stale", pa.bool_()),
        pa.field("fact_id", pa.string()),
        pa.field("equivalent_fact_id", pa.string()),
        pa.field("line_number", pa.int32()),
    ]
)

SECTIONS_SCHEMA = pa.schema(
    [
        pa.field("document_id", pa.string(), nullable=False),
        pa.field("section_index", pa.int32(), nullable=False),
        pa.field("company", pa.string()),
        pa.field("ticker", pa.string()),
        pa.field("block", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("edition_label", pa.string()),
        pa.field("edition_date", pa.date32()),
        pa.field("heading", pa.string()),
        pa.field("line_start", pa.int32()),
        pa.field("line_end", pa.int32()),
    ]
)


def facts_table(columns: Mapping[str, list]) -> pa.Table:
    """The facts rows, given column by column (exactly the ``FACTS_SCHEMA`` names), as a typed table."""
    missing, unknown = set(FACTS_SCHEMA.names) - set(columns), set(columns) - set(FACTS_SCHEMA.names)
    if missing or unknown:
        raise ValueError(f"facts columns: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return pa.table({name: columns[name] for name in FACTS_SCHEMA.names}, schema=FACTS_SCHEMA)


def sections_table(records: Iterable[Mapping]) -> pa.Table:
    """One row per section record (keys as the ``sections`` columns; missing keys are NULL, unknown ones
    ignored). ``section_index`` defaults to the position in the list; an ISO date string is a date."""
    records = list(records)
    cols: dict[str, list] = {name: [r.get(name) for r in records] for name in SECTIONS_SCHEMA.names}
    cols["section_index"] = [r.get("section_index", i) for i, r in enumerate(records)]
    cols["edition_date"] = [date.fromisoformat(v) if isinstance(v, str) else v for v in cols["edition_date"]]
    return pa.table(cols, schema=SECTIONS_SCHEMA)


def fx_table(records: Iterable[Mapping]) -> pa.Table:
    """The ``fx_rates`` rows of one document (keys as its columns; missing keys are NULL, unknown ones ignored)."""
    records = list(records)
    return pa.table({name: [r.get(name) for r in records] for name in FX_RATES_SCHEMA.names}, schema=FX_RATES_SCHEMA)
