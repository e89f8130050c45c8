"""Period values and calendar arithmetic: calendar and fiscal years, quarters, halves, months, days,
trailing twelve months; shifting, relabelling and the period containing a day."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

GRAINS = ("year", "half", "quarter", "month", "day", "ttm", "multi_year", "ytd")
# "ytd": the first months of a (fiscal) year up to period_end ("9M 2025", "neuf premiers mois")
MIN_YEAR, MAX_YEAR = 1900, 2100


# public types


@dataclass(frozen=True, slots=True)
class Period:
    start: date | None  # first day of the period (None for an as-of day, or unknown start)
    end: date  # last day of the period / the as-of date
    grain: str  # one of GRAINS
    is_fiscal: bool
    label: str  # canonical: "2023", "FY2025", "Q3 2025", "Q2 FY2026", "H1 2025", "2025-03", ...


@dataclass(frozen=True, slots=True)
class PeriodMention:
    start: int  # char offsets in the input; text[start:end] == self.text
    end: int
    text: str
    period: Period | None  # None when unresolvable
    relative: str | None = None  # "same" | "prior_year" | "prior_period" | "trailing" | "next_years" | "past_years"
    grain_hint: str | None = None  # e.g. "multi_year" for "over three years" even when period is None


# --------------------------------------------------------------------------------------------
# calendar arithmetic


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(y: int, m: int, n: int) -> tuple[int, int]:
    """(year, month) n months after (y, m)."""
    k = y * 12 + (m - 1) + n
    return k // 12, k % 12 + 1


def _fy_offset(fye: tuple[int, ...]) -> int:
    """How a fiscal year is named: 0 = by the calendar year it ends in (FY2025 ends March 2025), 1 = by the
    year it starts in (a text saying "FY2024 = year ended March 31, 2025"). A third element of ``fye``."""
    return fye[2] if len(fye) > 2 else 0


def _snap_fye(fye: tuple[int, ...]) -> int:
    """Month of a fiscal year end, snapped to the nearest month end (52/53-week years)."""
    m, d = fye[0], fye[1]
    if not 1 <= m <= 12:
        raise ValueError(f"bad fiscal year end month: {fye!r}")
    if d <= 15:  # e.g. (2, 1): a 52-week year ending on the Saturday nearest 31 January
        return 12 if m == 1 else m - 1
    return m


def calendar_year(y: int, *, is_fiscal: bool = False) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), "year", is_fiscal, f"FY{y}" if is_fiscal else str(y))


def calendar_quarter(y: int, q: int) -> Period:
    return Period(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter", False, f"Q{q} {y}")


def calendar_half(y: int, h: int) -> Period:
    return Period(date(y, 6 * h - 5, 1), _month_end(y, 6 * h), "half", False, f"H{h} {y}")


def fiscal_year(n: int, fye: tuple[int, int] = (12, 31)) -> Period:
    """Fiscal year N: ends in calendar year N on the fiscal year end month."""
    m = _snap_fye(fye)
    e = n + _fy_offset(fye)
    sy, sm = _add_months(e - 1, m, 1)
    return Period(date(sy, sm, 1), _month_end(e, m), "year", True, f"FY{n}")


def _fiscal_part(n: int, k: int, months: int, fye: tuple[int, int]) -> tuple[date, date]:
    m = _snap_fye(fye)
    n += _fy_offset(fye)
    sy, sm = _add_months(n - 1, m, 1 + months * (k - 1))
    ey, em = _add_months(n - 1, m, months * k)
    return date(sy, sm, 1), _month_end(ey, em)


def fiscal_quarter(n: int, q: int, fye: tuple[int, int] = (12, 31)) -> Period:
    """Quarter q (1-4) of fiscal year N."""
    if not 1 <= q <= 4:
        raise ValueError(f"bad quarter {q}")
    s, e = _fiscal_part(n, q, 3, fye)
    return Period(s, e, "quarter", True, f"Q{q} FY{n}")


def fiscal_half(n: int, h: int, fye: tuple[int, int] = (12, 31)) -> Period:
    if not 1 <= h <= 2:
        raise ValueError(f"bad half {h}")
    s, e = _fiscal_part(n, h, 6, fye)
    return Period(s, e, "half", True, f"H{h} FY{n}")


def month_period(y: int, m: int) -> Period:
    return Period(date(y, m, 1), _month_end(y, m), "month", False, f"{y:04d}-{m:02d}")


def day_period(d: date) -> Period:
    return Period(None, d, "day", False, d.isoformat())


def _minus_year_plus_day(end: date) -> date:
    """First day of the twelve months ending on `end`."""
    if end == _month_end(end.year, end.month):
        y, m = _add_months(end.year, end.month, -11)
        return date(y, m, 1)
    try:
        return date(end.year - 1, end.month, end.day) + timedelta(days=1)
    except ValueError:  # 29 Feb
        return date(end.year - 1, 3, 1)


def ttm_period(end: date) -> Period:
    return Period(_minus_year_plus_day(end), end, "ttm", False, f"TTM to {end.isoformat()}")


def _fiscal_year_of(d: date, fye: tuple[int, int]) -> int:
    m = _snap_fye(fye)
    return d.year + (1 if d.month > m else 0) - _fy_offset(fye)


def _period_ending(end: date, months: int, grain: str, is_fiscal: bool, fye: tuple[int, int]) -> Period:
    """A quarter/half/year of `months` months ending on `end` (e.g. "quarter ended Sep 30, 2025")."""
    if end == _month_end(end.year, end.month):
        sy, sm = _add_months(end.year, end.month, 1 - months)
        start = date(sy, sm, 1)
    else:
        y, m = _add_months(end.year, end.month, -months)
        try:
            start = date(y, m, end.day) + timedelta(days=1)
        except ValueError:
            start = _month_end(y, m) + timedelta(days=1)
    label = f"9M to {end.isoformat()}" if grain == "ytd" else _label_for(start, end, grain, is_fiscal, fye)
    return Period(start, end, grain, is_fiscal, label)


def nine_months(start: date, is_fiscal: bool) -> Period:
    """The first nine months of a (fiscal) year starting on `start`."""
    ey, em = _add_months(start.year, start.month, 8)
    end = _month_end(ey, em)
    return Period(start, end, "ytd", is_fiscal, f"9M to {end.isoformat()}")


def _label_for(start: date, end: date, grain: str, is_fiscal: bool, fye: tuple[int, int]) -> str:
    months = {"quarter": 3, "half": 6, "year": 12}[grain]
    is_month_end = end == _month_end(end.year, end.month) and start.day == 1
    fm = _snap_fye(fye)
    letter = {"quarter": "Q", "half": "H", "year": ""}[grain]
    if is_month_end and not is_fiscal and end.month % months == 0:
        k = end.month // months
        return str(end.year) if grain == "year" else f"{letter}{k} {end.year}"
    if is_month_end and is_fiscal and grain == "year":
        return f"FY{_fiscal_year_of(end, fye)}"
    if is_month_end and (end.month - fm) % months == 0:
        n = _fiscal_year_of(end, fye)
        k = ((end.month - fm - 1) % 12) // months + 1
        if is_fiscal or fm != 12:
            return f"FY{n}" if grain == "year" else f"{letter}{k} FY{n}"
    word = {"quarter": "quarter", "half": "half", "year": "year"}[grain]
    return f"{word} to {end.isoformat()}"


def _shift_years(p: Period, n: int, fye: tuple[int, int]) -> Period:
    """The same kind of period n years later (n < 0: earlier)."""

    def sh(d: date) -> date:
        if d == _month_end(d.year, d.month):
            return _month_end(d.year + n, d.month)
        try:
            return d.replace(year=d.year + n)
        except ValueError:
            return date(d.year + n, 2, 28)

    start = sh(p.start) if p.start else None
    end = sh(p.end)
    return _relabel(Period(start, end, p.grain, p.is_fiscal, p.label), fye)


def _relabel(p: Period, fye: tuple[int, int]) -> Period:
    g = p.grain
    if g == "day":
        label = p.end.isoformat()
    elif g == "month":
        label = f"{p.end.year:04d}-{p.end.month:02d}"
    elif g == "ttm":
        label = f"TTM to {p.end.isoformat()}"
    elif g == "ytd":
        label = f"9M to {p.end.isoformat()}"
    elif g == "multi_year":
        label = _multi_label(p.start, p.end, p.is_fiscal, fye)
    elif p.start is None:
        label = p.label
    else:
        label = _label_for(p.start, p.end, g, p.is_fiscal, fye)
    return Period(p.start, p.end, p.grain, p.is_fiscal, label)


def _multi_label(start: date | None, end: date, is_fiscal: bool, fye: tuple[int, int]) -> str:
    if start is None:
        return f"to {end.isoformat()}"
    if is_fiscal:
        m = _snap_fye(fye)
        if end == _month_end(end.year, m) and start.day == 1 and _add_months(start.year, start.month, -1)[1] == m:
            return f"FY{_fiscal_year_of(start, fye)}-FY{_fiscal_year_of(end, fye)}"
    if (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31):
        return f"{start.year}-{end.year}"
    return f"{start.isoformat()}..{end.isoformat()}"


def _multi_year(y1: int, y2: int, is_fiscal: bool, fye: tuple[int, int]) -> Period:
    if is_fiscal:
        s = fiscal_year(y1, fye).start
        e = fiscal_year(y2, fye).end
    else:
        s, e = date(y1, 1, 1), date(y2, 12, 31)
    return Period(s, e, "multi_year", is_fiscal, _multi_label(s, e, is_fiscal, fye))


def _containing(d: date, grain: str, is_fiscal: bool, fye: tuple[int, int]) -> Period:
    """The period of `grain` that contains day d."""
    if grain == "day":
        return day_period(d)
    if grain == "month":
        return month_period(d.year, d.month)
    if grain == "ttm":
        return ttm_period(d)
    months = {"quarter": 3, "half": 6, "year": 12}[grain]
    if is_fiscal:
        n = _fiscal_year_of(d, fye)
        if grain == "year":
            return fiscal_year(n, fye)
        fm = _snap_fye(fye)
        k = ((d.month - fm - 1) % 12) // months + 1
        return fiscal_quarter(n, k, fye) if grain == "quarter" else fiscal_half(n, k, fye)
    if grain == "year":
        return calendar_year(d.year)
    k = (d.month - 1) // months + 1
    return calendar_quarter(d.year, k) if grain == "quarter" else calendar_half(d.year, k)


def _fiscal_number(p: Period, fye: tuple[int, int]) -> int:
    return _fiscal_year_of(p.end, fye) if p.is_fiscal else p.end.year
