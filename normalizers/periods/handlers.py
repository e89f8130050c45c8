"""The grammar's rule handlers: (regex match, context) -> a candidate period (resolved now, or a relative spec
resolved later against a reference period)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .calendar import (MAX_YEAR, MIN_YEAR, Period, _month_end, _multi_year, _period_ending, calendar_half,
                       calendar_quarter, calendar_year, day_period, fiscal_half, fiscal_quarter, fiscal_year,
                       month_period, nine_months, ttm_period)
from .vocabulary import _Lexicon, _norm


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    period: Period | None
    relative: str | None = None
    grain_hint: str | None = None
    spec: dict | None = None  # for relative resolution


@dataclass(slots=True)
class _Ctx:
    text: str
    order: str
    fye: tuple[int, int]


def _year(s: str | None) -> int | None:
    if not s:
        return None
    s = s.strip("'’ ")
    y = int(s)
    if len(s) == 2:
        y += 2000 if y < 70 else 1900
    return y if MIN_YEAR <= y <= MAX_YEAR else None


def _year2(y1: int, s: str) -> int | None:
    """Second year of a range: 4 digits, or 2 digits in the same century ("2024-28")."""
    if len(s) == 4:
        return int(s)
    y2 = (y1 // 100) * 100 + int(s)
    return y2 if y2 > y1 else None


class _Handlers(_Lexicon):
    """Rule handlers: (match, ctx) -> _Cand | None."""

    # ---- rule handlers: (match, ctx) -> _Cand | None --------------------------------------
    def _r_day(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        d = self.date_from(m, "a_", ctx.order)
        return _Cand(m.start(), m.end(), day_period(d)) if d else None

    def _r_ended(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        d = self.date_from(m, "b_", ctx.order)
        if d is None:
            return None
        hit = self.ended_of.get(_norm(m.group("noun")))
        if hit is None:
            return None
        grain, fiscal = hit
        fiscal = fiscal or bool(m.group("fadj"))
        if grain == "ttm":
            return _Cand(m.start(), m.end(), ttm_period(d))
        if grain == "ytd":
            return _Cand(m.start(), m.end(), _period_ending(d, 9, "ytd", fiscal, ctx.fye))
        months = {"quarter": 3, "half": 6, "year": 12}[grain]
        return _Cand(m.start(), m.end(), _period_ending(d, months, grain, fiscal, ctx.fye))

    def _r_fy(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        y = _year(m.group("y"))
        if y is None:
            return None
        y2s = m.group("y2")
        if y2s:
            y2 = _year2(y, y2s)
            explicit_fy2 = "fy2" in m.re.groupindex and bool(m.group("fy2"))
            if y2 is None or y2 <= y or y2 - y > 50:
                return None
            if y2 == y + 1 and not explicit_fy2:  # "FY2024-25", "exercice 2023/2024": one fiscal year
                return _Cand(m.start(), m.end(), fiscal_year(y2, ctx.fye))
            if m.group("sep") == "/":
                return None
            return _Cand(m.start(), m.end(), _multi_year(y, y2, True, ctx.fye))
        return _Cand(m.start(), m.end(), fiscal_year(y, ctx.fye))

    def _r_cy(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        y = _year(m.group("y") or m.group("y4"))
        return _Cand(m.start(), m.end(), calendar_year(y)) if y else None

    def _qh(self, m: re.Match, ctx: "_Ctx", k: int, is_q: bool, y: int | None, fiscal: bool) -> _Cand | None:
        if y is None:
            return None
        if is_q:
            if not 1 <= k <= 4:
                return None
            p = fiscal_quarter(y, k, ctx.fye) if fiscal else calendar_quarter(y, k)
        else:
            if not 1 <= k <= 2:
                return None
            p = fiscal_half(y, k, ctx.fye) if fiscal else calendar_half(y, k)
        return _Cand(m.start(), m.end(), p)

    def _r_qh_letter(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        g = m.group
        fiscal = bool(g("fadj") or g("fya") or g("fyw"))
        sy = g("sy")
        if sy and self.year_blockers.after.match(ctx.text, m.end()):
            return None  # "Q3 25 million": a figure, not a short year
        y = _year(g("fyy") or g("fwy") or g("yy") or g("y") or sy)
        return self._qh(m, ctx, int(g("k")), bool(g("ql")), y, fiscal)

    def _r_nine_months(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        g = m.group
        if g("ay") and len(g("ay")) == 2 and self.year_blockers.after.match(ctx.text, m.end()):
            return None
        y = _year(g("ay") or g("y"))
        if y is None:
            return None
        fiscal = bool(g("fyb") or g("fya") or g("fyw"))
        start = fiscal_year(y, ctx.fye).start if fiscal else date(y, 1, 1)
        return _Cand(m.start(), m.end(), nine_months(start, fiscal))

    def _r_qh_suffix(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        g = m.group
        return self._qh(m, ctx, int(g("k")), bool(g("ql")), _year(g("y")), bool(g("fya")))

    def _r_qh_yearfirst(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        g = m.group
        y = _year(g("fyy") or g("y"))
        return self._qh(m, ctx, int(g("k")), bool(g("ql")), y, bool(g("fya")))

    def _r_qh_words(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        g = m.group
        is_q = bool(g("qw"))
        k = self.ordinal_of.get(_norm(g("ord")))
        if k == -1:
            k = 4 if is_q else 2
        fiscal = bool(g("f1") or g("f2") or g("f3") or g("fyw") or g("fya"))
        if is_q and _norm(g("qw")).endswith("fiscal"):
            fiscal = True
        if not is_q and _norm(g("hw")).startswith("fiscal") or (not is_q and _norm(g("hw")).endswith("fiscal")):
            fiscal = True
        return self._qh(m, ctx, k or 0, is_q, _year(g("y")), fiscal)

    def _r_month_quarter(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        g = m.group
        mon = self.month(g("m"))
        if mon is None:
            return None
        gi = m.re.groupindex
        y = _year(g("y") or (g("y0") if "y0" in gi else None))
        if y is not None:
            end = _month_end(y, mon)
            return _Cand(m.start(), m.end(), _period_ending(end, 3, "quarter", False, ctx.fye))
        kind = "prior_year" if ("rel" in gi and g("rel")) else "same"
        spec = {"kind": kind, "grain": "quarter", "fiscal": False, "month": mon}
        return _Cand(m.start(), m.end(), None, relative=kind, spec=spec)

    def _r_month(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        mon, y = self.month(m.group("m")), _year(m.group("y"))
        if mon is None or y is None:
            return None
        return _Cand(m.start(), m.end(), month_period(y, mon))

    def _r_month_num(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        g = m.group
        if g("ny"):
            return _Cand(m.start(), m.end(), month_period(int(g("ny")), int(g("nm"))))
        return _Cand(m.start(), m.end(), month_period(int(g("iy")), int(g("im"))))

    def _r_year_mod(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        y = _year(m.group("y"))
        return _Cand(m.start(), m.end(), calendar_year(y)) if y else None

    def _r_range(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        y1 = _year(m.group("y1"))
        y2 = _year2(y1, m.group("y2")) if y1 else None
        if y1 is None or y2 is None or not (y1 < y2 <= y1 + 50):
            return None
        return _Cand(m.start(), m.end(), _multi_year(y1, y2, False, ctx.fye))

    def _r_event(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        g = m.group
        y = _year(g("y1") or g("y2"))
        mm, dd = self.event_of.get(_norm(g("e1") or g("e2")), (0, 0))
        if not y or not mm:
            return None
        return _Cand(m.start(), m.end(), day_period(date(y, mm, dd)))

    def _r_same_of_year(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        g = m.group
        y = _year(g("y"))
        if y is None:
            return None
        gw = _norm(g("g"))
        grain = None
        if any(gw == _norm(w) or gw.startswith(_norm(w)) for w in self.v.words("quarter.words")):
            grain = "quarter"
        elif any(gw == _norm(w) for w in self.v.words("half.words")):
            grain = "half"
        elif gw in ("mois", "month"):
            grain = "month"
        fiscal = bool(g("fadj") or g("fyw") or g("fya"))
        spec = {"kind": "same", "grain": grain, "fiscal": fiscal, "year": y}
        return _Cand(m.start(), m.end(), None, relative="same", spec=spec)

    def _r_relative(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        spec = self.relative_of.get(_norm(m.group(0)))
        if spec is None:
            return None
        hint = "ttm" if spec["kind"] == "trailing" else None
        return _Cand(m.start(), m.end(), None, relative=spec["kind"], grain_hint=hint, spec=dict(spec))

    def _r_multi(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        n = self.number_of.get(_norm(m.group("n")))
        if n is None or n < 2:
            return None
        d = next((_norm(x) for x in (m.group("d1"), m.group("d2"), m.group("d3")) if x), None)
        kind = None
        if d in self.multi_next:
            kind = "next_years"
        elif d in self.multi_past:
            kind = "past_years"
        spec = {"kind": kind, "n": n} if kind else None
        return _Cand(m.start(), m.end(), None, relative=kind, grain_hint="multi_year", spec=spec)

    def _r_multi_adj(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        raw = m.group("n")
        n = int(raw) if raw.isdigit() else self.number_of.get(_norm(raw))
        if n is None or n < 2:
            return None
        return _Cand(m.start(), m.end(), None, grain_hint="multi_year")

    def _r_year(self, m: re.Match, ctx: "_Ctx") -> _Cand | None:
        s, e = m.start(), m.end()
        if self.year_blockers.blocked(ctx.text, s, e):
            return None
        return _Cand(s, e, calendar_year(int(m.group("y"))))
