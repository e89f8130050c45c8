"""The one ``Fact`` type of the extraction side.

A fact is one figure of a report, typed and placed (XBRL-like: entity, concept, period, unit,
precision, filing). Money stays an exact ``Decimal`` until :mod:`extractors.records` turns facts into the
plain rows handed to the warehouse (which never sees a ``Fact``).

The tuples below are the extraction side's one list of each closed vocabulary (canvas blocks, kinds,
period grains, flags, period sources).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

BLOCKS = (
    "key_partners",
    "key_activities",
    "key_resources",
    "value_propositions",
    "customer_relationships",
    "channels",
    "customer_segments",
    "cost_structure",
    "revenue_streams",
)
KINDS = ("money", "percent", "count", "quantity")
GRAINS = ("year", "half", "quarter", "month", "day", "ttm", "multi_year", "ytd")
FLAGS = ("approx", "range", "equivalent", "retracted", "negative", "table", "per_unit", "fx_stale", "fx_mismatch")
PERIOD_SOURCES = ("inline", "row", "header", "intro")


@dataclass(slots=True)
class Fact:
    # what
    value: Decimal
    unit: str  # ISO 4217, 'percent', 'count' or a pint unit's canonical name (normalizers.units)
    kind: str  # one of KINDS
    value_high: Decimal | None = None
    flags: tuple[str, ...] = ()
    # provenance: offsets are in the decoded text of the document
    line_number: int = 0  # 1-based
    char_start: int = 0
    char_end: int = 0
    source_text: str = ""
    sentence: str = ""
    # who / what
    subject: str | None = None
    metric: str | None = None
    block: str | None = None
    lang: str | None = None
    company: str | None = None
    ticker: str | None = None
    edition_label: str | None = None
    edition_date: date | None = None
    section_index: int | None = None
    # when
    period_start: date | None = None
    period_end: date | None = None
    period_grain: str | None = None
    is_fiscal: bool = False
    period_label: str | None = None
    period_source: str | None = None  # one of PERIOD_SOURCES or None
    # number of decimals written (for "same figure at another precision" comparisons)
    precision: int | None = None
    # a quantity's dimension (normalizers.units.DIMENSIONS: energy, volume, mass, ...) and its value in the
    # dimension's reference unit (megawatt_hour, cubic_meter, metric_ton, ...); None for money, percents, counts
    dimension: str | None = None
    ref_value: float | None = None
    ref_unit: str | None = None
    # an equivalent ("RMB 39.8 billion (US$5.6 billion)"): the (char_start, char_end, unit) of the figure it
    # restates, the first stated of the pair (its fact id is made from these by extractors.records / ids)
    equivalent_of: tuple[int, int, str] | None = None
