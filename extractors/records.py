"""Extraction results -> plain rows for the warehouse tables (pure Python: no pyarrow here).

- ``document_record``: the ``documents`` row of a decoded document;
- ``section_records``: its ``sections`` rows;
- ``fact_columns``: its ``facts`` rows, column by column (the names of ``warehouse/schema.sql``), with
  the ids, keys, rounding step, equivalent links and exchange-rate flags computed here (``fx_records``, in
  :mod:`extractors.fx`, gives the document's ``fx_rates`` rows from these columns). Money is an exact ``Decimal`` until here; the rows hold
  floats, as the warehouse stores them (DOUBLE).

The flow hands these to :mod:`warehouse.tables`, which types them as the declared Arrow schemas.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter, itemgetter

from normalizers.amounts import Amount

from . import ids
from .decode import Document
from .editions import fact_report, newest_edition
from .fact import Fact
from .keys import metric_key, subject_key
from .segment import Structure

# the facts columns that are the Fact's own fields, as they are
_FACT_FIELDS = (
    "section_index", "block", "lang", "subject", "metric", "unit", "kind", "period_start", "period_end",
    "period_grain", "period_label", "period_source", "source_text", "line_number", "char_start", "char_end",
    "sentence", "precision", "dimension", "ref_unit",
)
_REPORT_FIELDS = ("ticker", "company", "edition_label", "edition_date", "report_key", "edition_id")
_FACT_GETTER = attrgetter(*_FACT_FIELDS)
_REPORT_GETTER = itemgetter(*_REPORT_FIELDS)

# scales a money/count figure may be written at ("4,4 milliards" = 4.4 x 10^9, precision 1)
_SCALE_EXPONENTS = (12, 9, 6, 3, 0)
_SCALES = tuple(Decimal(10) ** e for e in _SCALE_EXPONENTS)


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


@lru_cache(maxsize=16_384)  # figures repeat within and across reports (editions, tables restating prose)
def _cached_step(value: Decimal, precision: int, kind: str | None) -> float | None:
    return _float(rounding_step(value, precision, kind))


def _step_float(value: Decimal | None, precision: int | None, kind: str | None) -> float | None:
    """facts.rounding_step: ``rounding_step`` as a float (a function of the value's magnitude, not of how its
    Decimal is written, so equal values may share a cached result)."""
    if value is None or precision is None:
        return None
    try:
        return _cached_step(value, precision, kind)
    except TypeError:  # an unhashable value (a signalling NaN)
        return _float(rounding_step(value, precision, kind))


def document_record(doc: Document, st: Structure, facts: list[Fact]) -> dict:
    """The ``documents`` row: the newest edition stated, the languages of its facts and canvas sections."""
    label, when = newest_edition(st.sections)
    langs = sorted({f.lang for f in facts if f.lang} | {s.lang for s in st.sections if s.lang and s.block})
    return {
        "document_id": doc.document_id,
        "source_path": doc.source_path,
        "file_name": doc.file_name,
        "sha256": doc.sha256,
        "byte_size": doc.byte_size,
        "encoding": doc.encoding,
        "company": st.company,
        "ticker": st.ticker,
        "edition_label": label,
        "edition_date": when,
        "languages": langs,
        "line_count": doc.line_count,
    }


def section_records(st: Structure, document_id: str) -> list[dict]:
    """The ``sections`` rows."""
    return [
        {
            "document_id": document_id,
            "section_index": s.index,
            "company": s.company,
            "ticker": s.ticker,
            "block": s.block,
            "lang": s.lang,
            "edition_label": s.edition_label,
            "edition_date": s.edition_date,
            "heading": s.heading,
            "line_start": s.line_start,
            "line_end": s.line_end,
        }
        for s in st.sections
    ]


def fact_columns(facts: Iterable[Fact], *, document: dict, run_id: str, extractor_version: str) -> dict[str, list]:
    """The ``facts`` rows of one document, column by column. ``document`` is its ``documents`` row (for
    its id, and the ticker, company and edition of facts that have none: :func:`extractors.editions.fact_report`)."""
    facts = list(facts)
    n = len(facts)
    document_id = document["document_id"]
    cols: dict[str, list] = {
        "fact_id": ids.fact_ids(document_id, ((f.char_start, f.char_end, f.unit) for f in facts)),
        "document_id": [document_id] * n,
        "subject_key": [subject_key(f.subject) for f in facts],
        "metric_key": [metric_key(f.metric) for f in facts],
        "value": [_float(f.value) for f in facts],
        "value_high": [_float(f.value_high) for f in facts],
        "ref_value": [_float(f.ref_value) for f in facts],
        "is_fiscal": [bool(f.is_fiscal) for f in facts],
        "flags": [list(f.flags or ()) for f in facts],
        "rounding_step": [_step_float(f.value, f.precision, f.kind) for f in facts],
        "extractor_version": [extractor_version] * n,
        "run_id": [run_id] * n,
    }
    # the Fact's own fields and the report fields, transposed in one pass each (attrgetter/itemgetter + zip)
    own = zip(*map(_FACT_GETTER, facts)) if n else ([] for _ in _FACT_FIELDS)
    for name, values in zip(_FACT_FIELDS, own):
        cols[name] = list(values)
    # the report fields depend on the fact's ticker, company and edition only: worked out once per distinct four
    by_edition: dict[tuple, tuple] = {}
    rows = []
    for f in facts:
        key = (f.ticker, f.company, f.edition_label, f.edition_date)
        row = by_edition.get(key)
        if row is None:
            row = by_edition[key] = _REPORT_GETTER(fact_report(f, document))
        rows.append(row)
    reports = zip(*rows) if n else ([] for _ in _REPORT_FIELDS)
    for name, values in zip(_REPORT_FIELDS, reports):
        cols[name] = list(values)
    cols["equivalent_of"] = _equivalent_ids(facts, cols["fact_id"])
    add_fx_flags(cols)
    return cols


def _equivalent_ids(facts: list[Fact], fact_ids: list[str]) -> list[str | None]:
    """facts.equivalent_of: the id of the fact each equivalent restates (Fact.equivalent_of is its span)."""
    by_span: dict[tuple, str] = {}
    for f, fid in zip(facts, fact_ids):
        by_span.setdefault((f.char_start, f.char_end, f.unit), fid)
    return [by_span.get(f.equivalent_of) if f.equivalent_of is not None else None for f in facts]


def add_fx_flags(cols: dict[str, list]) -> None:
    """Flag fx_stale (a money fact converted at an ECB rate past the bundled data) and fx_mismatch (both facts of a
    pair whose implied rate is more than 5 % off the ECB rate of its date, beyond rounding), in place."""
    from .fx import fx_flags

    for i, extra in fx_flags(cols).items():
        cols["flags"][i] = sorted(set(cols["flags"][i]) | extra)


def amount_to_json(a: Amount) -> dict:
    """The `canvas-etl amounts` output record of one amount."""
    value = a.value
    rec = {
        "value": _num(value),
        "unit": a.unit,
        "kind": a.kind,
        "text": a.text,
        "start": a.start,
        "end": a.end,
    }
    if a.value_high is not None:
        rec["value_high"] = _num(a.value_high)
    if a.flags:
        rec["flags"] = sorted(a.flags)
    return rec


def _num(v: Decimal) -> int | float:
    if v == v.to_integral_value():
        return int(v)
    return float(v)
