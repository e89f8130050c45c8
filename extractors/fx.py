"""The exchange rates of one document (``fx_rates`` rows) and the flags they put on its facts, from its ``facts``
columns (:func:`extractors.records.fact_columns`). Pure Python; the rates come from :mod:`normalizers.fx`.

- ``report`` rows: one per pair of money facts where one restates the other in another currency
  (``equivalent_of``): rate = equivalent value / original value, from the original's currency to the
  equivalent's, dated by the pair's period end (the original's, else the equivalent's), else the edition date.
- ``ecb`` rows: the ECB reference rate of every money fact's currency to USD and to EUR at the fact's date (period
  end, else edition date), and of every report pair's currencies at the pair's date (to compare them); one row per
  (from, to, date asked), at the nearest earlier business day; ``stale`` past the bundled data.
- flags: ``fx_stale`` on a money fact whose ECB rate is stale; ``fx_mismatch`` on both facts of a pair whose rate
  is more than 5 % outside the ECB rate of its date, once the rounding of the two figures is allowed for.
"""
from __future__ import annotations

from datetime import date

from normalizers.fx import TARGETS, ecb_rate, implied_rate, mismatch


def _fact_date(cols: dict[str, list], i: int) -> date | None:
    return cols["period_end"][i] or cols["edition_date"][i]


def _pairs(cols: dict[str, list]) -> list[tuple[int, int, date | None]]:
    """(original index, equivalent index, the pair's date) of every money pair in two currencies."""
    index = {fid: i for i, fid in enumerate(cols["fact_id"])}
    out = []
    for i, orig in enumerate(cols.get("equivalent_of") or ()):
        j = index.get(orig) if orig is not None else None
        if j is None or cols["kind"][i] != "money" or cols["kind"][j] != "money" or cols["unit"][i] == cols["unit"][j]:
            continue
        if "retracted" in (cols["flags"][i] or ()) or "retracted" in (cols["flags"][j] or ()):
            continue
        when = cols["period_end"][j] or cols["period_end"][i] or cols["edition_date"][j] or cols["edition_date"][i]
        out.append((j, i, when))
    return out


def _plan(cols: dict[str, list]) -> tuple[list[dict], dict[int, set[str]]]:
    document_id = cols["document_id"][0] if cols["fact_id"] else None
    rows: list[dict] = []
    flags: dict[int, set[str]] = {}
    ecb_rows: dict[tuple[str, str, date], dict] = {}

    def ecb(frm: str, to: str, when: date) -> dict | None:
        key = (frm, to, when)
        if key not in ecb_rows:
            r = ecb_rate(frm, to, when)
            ecb_rows[key] = None if r is None else {
                "document_id": document_id, "from_currency": frm, "to_currency": to, "rate": r.rate,
                "rate_low": None, "rate_high": None,
                "rate_date": r.rate_date, "requested_date": when, "source": "ecb", "stale": r.stale,
                "fact_id": None, "equivalent_fact_id": None, "line_number": None,
            }
        return ecb_rows[key]

    for j, i, when in _pairs(cols):
        bounds = implied_rate(cols["value"][j], cols["value"][i], cols["rounding_step"][j], cols["rounding_step"][i])
        if bounds is None:
            continue
        rows.append({
            "document_id": document_id, "from_currency": cols["unit"][j], "to_currency": cols["unit"][i],
            "rate": bounds[0], "rate_low": bounds[1], "rate_high": bounds[2] if bounds[2] != float("inf") else None,
            "rate_date": when, "requested_date": when, "source": "report", "stale": False,
            "fact_id": cols["fact_id"][j], "equivalent_fact_id": cols["fact_id"][i],
            "line_number": cols["line_number"][i],
        })
        ref = ecb(cols["unit"][j], cols["unit"][i], when) if when is not None else None
        if ref is not None and mismatch(bounds, ref["rate"]):
            flags.setdefault(i, set()).add("fx_mismatch")
            flags.setdefault(j, set()).add("fx_mismatch")
    for i, kind in enumerate(cols["kind"]):
        when = _fact_date(cols, i)
        if kind != "money" or when is None:
            continue
        for target in TARGETS:
            if cols["unit"][i] == target:
                continue
            ref = ecb(cols["unit"][i], target, when)
            if ref is not None and ref["stale"]:
                flags.setdefault(i, set()).add("fx_stale")
    rows.extend(r for r in ecb_rows.values() if r is not None)
    return rows, flags


def fx_records(cols: dict[str, list]) -> list[dict]:
    """The ``fx_rates`` rows of the document whose ``facts`` columns are ``cols``: report rows (in fact order),
    then ECB rows."""
    return _plan(cols)[0]


def fx_flags(cols: dict[str, list]) -> dict[int, set[str]]:
    """{fact index: {fx_stale, fx_mismatch}} for the facts of ``cols`` that get either flag."""
    return _plan(cols)[1]
