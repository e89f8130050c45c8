"""Fact / section lists -> typed Arrow tables matching ``schema.sql`` (pure: no duckdb here).

Extraction tasks build these tables and send them to the single loader
(:meth:`warehouse.store.Warehouse.load_document`). Schemas are explicit so an empty list still gives
a correctly typed table. Money is an exact ``Decimal`` in Python and becomes DOUBLE only here.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import pyarrow as pa

from extractors.fact import Fact
from extractors.keys import metric_key, subject_key

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

# scales a money/count figure may be written at ("4,4 milliards" = 4.4 x 10^9, precision 1)
_SCALE_EXPONENTS = (12, 9, 6, 3, 0)
_SCALES = tuple(Decimal(10) ** e for e in _SCALE_EXPONENTS)


def make_fact_id(document_id: str, char_start: int, char_end: int, unit: str | None, occurrence: int = 0) -> str:
    """Deterministic id: first 16 hex of sha256(document_id, char_start, char_end, unit[, occurrence]).

    ``occurrence`` > 0 only when one document yields several facts with the same span and unit
    (the 2nd gets occurrence 1, ...), so ids stay unique and identical across re-runs.
    """
    parts = [document_id, str(char_start), str(char_end), unit or ""]
    if occurrence:
        parts.append(str(occurrence))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def rounding_step(value: Decimal | None, precision: int | None, kind: str | None = None) -> Decimal | None:
    """Size of the last written digit, in base units (None when ``precision`` is unknown).

    ``precision`` is the number of decimals written; the scale word ("million", "milliard", ...) is
    recovered as the largest power of 1000 at which the value has at most ``precision`` decimals
    (money and counts only; percents and quantities are written at scale 1). Examples:
    4.4e9 at precision 1 -> 1e8; 4.35e9 at precision 2 -> 1e7; 824e6 at 0 -> 1e6; 39.5 % at 1 -> 0.1.
    Two figures are the same figure written at different precision when they differ by at most half
    the coarser step (the views use this).
    """
    if value is None or precision is None:
        return None
    v = abs(Decimal(value))
    ulp = Decimal(10) ** -int(precision)
    if kind not in ("money", "count") or v == 0 or not v.is_finite():
        return ulp
    # v / scale * 10^precision is a whole number  <=>  log10(scale) <= exponent of v's last non-zero digit
    # + precision: the largest such scale, from the exponent alone (no divisions)
    room = v.normalize().as_tuple().exponent + int(precision)
    for scale_exp, scale in zip(_SCALE_EXPONENTS, _SCALES):
        if scale_exp <= room:
            return scale * ulp
    return ulp


def _float(x: Decimal | float | int | None) -> float | None:
    return None if x is None else float(x)


def facts_to_arrow(
    facts: Iterable[Fact], *, document_id: str, run_id: str, extractor_version: str
) -> pa.Table:
    """One row per fact, with fact_id, subject_key, metric_key and rounding_step computed here."""
    facts = list(facts)
    n = len(facts)
    ids: list[str] = []
    seen: dict[str, int] = {}
    for f in facts:
        base = make_fact_id(document_id, f.char_start, f.char_end, f.unit)
        k = seen.get(base, 0)
        seen[base] = k + 1
        ids.append(base if k == 0 else make_fact_id(document_id, f.char_start, f.char_end, f.unit, k))
    cols: dict[str, list] = {
        "fact_id": ids,
        "document_id": [document_id] * n,
        "subject_key": [subject_key(f.subject) for f in facts],
        "metric_key": [metric_key(f.metric) for f in facts],
        "value": [_float(f.value) for f in facts],
        "value_high": [_float(f.value_high) for f in facts],
        "is_fiscal": [bool(f.is_fiscal) for f in facts],
        "flags": [list(f.flags or ()) for f in facts],
        "rounding_step": [_float(rounding_step(f.value, f.precision, f.kind)) for f in facts],
        "extractor_version": [extractor_version] * n,
        "run_id": [run_id] * n,
    }
    for name in FACTS_SCHEMA.names:  # the other columns are the Fact's own fields, as they are
        if name not in cols:
            cols[name] = [getattr(f, name) for f in facts]
    return pa.table(cols, schema=FACTS_SCHEMA)


def sections_to_arrow(sections: Iterable[dict], document_id: str) -> pa.Table:
    """One row per section dict (keys as the ``sections`` columns; unknown keys are ignored).

    ``section_index`` defaults to the position in the list when missing.
    """
    cols: dict[str, list] = {name: [] for name in SECTIONS_SCHEMA.names}
    for i, s in enumerate(sections):
        for name in SECTIONS_SCHEMA.names:
            if name == "document_id":
                value = document_id
            elif name == "section_index":
                value = s.get("section_index", i)
            else:
                value = s.get(name)
                if name == "edition_date" and isinstance(value, str):
                    value = date.fromisoformat(value)
            cols[name].append(value)
    return pa.table(cols, schema=SECTIONS_SCHEMA)
