"""find_periods: run the grammar over a text, keep the longest non-overlapping candidates, resolve relative
mentions ("the same quarter", "a year earlier") against a reference period."""
from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

from .calendar import (Period, PeriodMention, _containing, _fiscal_number, _month_end, _multi_label, _period_ending,
                       _shift_years, _snap_fye, month_period, ttm_period)
from .handlers import _Cand, _Ctx
from .rules import _grammar

_DIGIT = re.compile(r"\d")


# --------------------------------------------------------------------------------------------
# relative resolution


def _resolve(c: _Cand, ref: Period | None, fye: tuple[int, int]) -> Period | None:
    spec = c.spec
    if ref is None or not spec or not spec.get("kind"):
        return None
    kind = spec["kind"]
    d = ref.end
    if kind == "trailing":
        return ttm_period(d)
    if kind in ("next_years", "past_years"):
        n = spec["n"]
        if kind == "next_years":
            s = d + timedelta(days=1)
            e = _shift_years(Period(None, d, "day", False, ""), n, fye).end
        else:
            e = d
            s = _shift_years(Period(None, d, "day", False, ""), -n, fye).end + timedelta(days=1)
        return Period(s, e, "multi_year", ref.is_fiscal, _multi_label(s, e, False, fye))
    grain = spec.get("grain") or ref.grain
    fiscal = spec.get("fiscal") or (ref.is_fiscal and grain in ("year", "half", "quarter"))
    month = spec.get("month")
    if month:  # "the September quarter [of the prior year]": latest such quarter ending <= reference end
        y = d.year if (d.month, d.day) >= (month, _month_end(d.year, month).day) else d.year - 1
        base = _period_ending(_month_end(y, month), 3, "quarter", False, fye)
    elif grain == ref.grain and fiscal == ref.is_fiscal and ref.start is not None or grain in ("day", "multi_year"):
        base = ref
    else:
        base = _containing(d, grain, fiscal, fye)
    if "year" in spec:  # "the same quarter of 2024"
        shift = spec["year"] - _fiscal_number(base, fye)
        return _shift_years(base, shift, fye) if shift else base
    if kind == "same":
        return base
    if kind == "prior_year":
        return _shift_years(base, -1, fye)
    if kind == "prior_period":
        if base.grain in ("quarter", "half", "month") and base.start is not None:
            months = {"quarter": 3, "half": 6, "month": 1}[base.grain]
            prev_end = base.start - timedelta(days=1)
            if base.grain == "month":
                return month_period(prev_end.year, prev_end.month)
            return _period_ending(prev_end, months, base.grain, base.is_fiscal, fye)
        return _shift_years(base, -1, fye)
    return None


# --------------------------------------------------------------------------------------------
# public functions


@lru_cache(maxsize=16_384)
def _scan(text: str) -> tuple[tuple[int, tuple[re.Match, ...]], ...]:
    """The grammar's matches in a text, rule by rule (index in the rule list, matches in order); a rule whose
    gates fail is not run. Depends on the text only (not on the language or the fiscal year end, which only the
    handlers read), so a text read again with another fiscal year end is not scanned again."""
    g = _grammar()
    gates = g.gates
    has_digit = _DIGIT.search(text) is not None
    has = {"digit": has_digit, "words": gates["words"].search(text) is not None}
    if not has_digit and not has["words"]:
        return ()
    has["year"] = has_digit and gates["year"].search(text) is not None
    if not has["year"]:
        for name in g.year_only_gates:
            has[name] = False
    gate_any = g.gate_any
    out = []
    for needs, rules in g.rule_groups:
        ok = True
        for need in needs:
            hit = has.get(need)
            if hit is None:
                alts = gate_any.get(need)
                if alts is None:
                    hit = gates[need].search(text) is not None
                else:
                    hit = False
                    for alt in alts:
                        h = has.get(alt)
                        if h is None:
                            h = has[alt] = gates[alt].search(text) is not None
                        if h:
                            hit = True
                            break
                has[need] = hit
            if not hit:
                ok = False
                break
        if not ok:
            continue
        for idx, rx in rules:
            matches = tuple(rx.finditer(text))
            if matches:
                out.append((idx, matches))
    out.sort(key=lambda r: r[0])  # rule order (it breaks ties between candidates)
    return tuple(out)


def find_periods(text: str, lang: str, *, fiscal_year_end: tuple[int, int] = (12, 31),
                 reference: Period | None = None) -> list[PeriodMention]:
    """All period expressions in text, in order, non-overlapping, most specific (longest) wins."""
    if not text:
        return []
    g = _grammar()
    fye = tuple(fiscal_year_end) if fiscal_year_end else (12, 31)
    _snap_fye(fye)  # validate
    ctx = _Ctx(text, g.v.date_order(lang), fye)  # type: ignore[arg-type]
    scanned = _scan(text)
    if not scanned:
        return []
    rules = g.rules
    cands: list[_Cand] = []
    for idx, matches in scanned:
        fn = rules[idx][2]
        for m in matches:
            c = fn(m, ctx)
            if c is not None and c.end > c.start:
                cands.append(c)
    if not cands:
        return []
    # longest first, then leftmost; rule order (list order) breaks ties
    order = sorted(range(len(cands)), key=lambda i: (-(cands[i].end - cands[i].start), cands[i].start, i))
    taken: list[_Cand] = []
    for i in order:
        c = cands[i]
        if all(c.end <= t.start or c.start >= t.end for t in taken):
            taken.append(c)
    taken.sort(key=lambda c: c.start)
    out = []
    for c in taken:
        period = c.period
        if period is None and c.spec is not None:
            period = _resolve(c, reference, fye)  # type: ignore[arg-type]
        out.append(PeriodMention(c.start, c.end, text[c.start:c.end], period, c.relative, c.grain_hint))
    return out

