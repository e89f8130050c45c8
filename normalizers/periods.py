"""Period expressions in French/English report text -> typed :class:`Period` values.

Pure Python (no spaCy, Prefect or DuckDB). Language knowledge lives in
``normalizers/data/<lang>/periods.toml`` (all languages are merged, since reports mix French and
English; ``lang`` only picks the numeric date order); month and weekday names come from Babel.
Dates are parsed here from those tables (faster than dateparser and it never invents a day or month).

Conventions (see also shared/gold/SCHEMA.md):

* Fiscal year N ends in calendar year N on the fiscal year end (for a 31 March year end FY2025 is
  2024-04-01..2025-03-31); fiscal quarter/half k of FY N counts from the day after FY N-1 ends.
  Fiscal year ends that are not month ends (52/53-week years) are snapped to the nearest month end.
* ``is_fiscal`` is True only when the text says fiscal / FY / exercice.
* Bare years ("2023", "(2023)", "in 2024") are calendar years; "by the end of 2023", "fin 2023",
  "late 2025" are typed as the year too (grain "year", end 12-31): the modifier stays in the span.
* "early August 2025", "as of March 2025" -> the month (grain "month").
* A quarter/half letter form needs a year: "T4" or "Q3" alone is not a period (no mention).
* Spans start at the period words themselves: leading prepositions and articles ("in", "the", "au",
  "l'", "as of") are not part of ``PeriodMention.text``.
* "over three years" / "sur trois ans" -> period None, grain_hint "multi_year"; with next/past
  ("over the next three years") and a ``reference`` it is resolved from the reference end.
* "fiscal second quarter of 2025" is read literally as Q2 of FY2025.
"""
from __future__ import annotations

import calendar
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from .retrie import trie_alternation

__all__ = [
    "Period",
    "PeriodMention",
    "find_periods",
    "find_fiscal_year_end",
    "fiscal_year_end_for",
    "fiscal_year",
    "fiscal_quarter",
    "fiscal_half",
    "calendar_year",
    "calendar_quarter",
    "calendar_half",
    "month_period",
    "day_period",
    "ttm_period",
]

DATA_DIR = Path(__file__).parent / "data"
GRAINS = ("year", "half", "quarter", "month", "day", "ttm", "multi_year")
ENV_CALENDARS = "CANVAS_ETL_FISCAL_CALENDARS"
MIN_YEAR, MAX_YEAR = 1900, 2100


# --------------------------------------------------------------------------------------------
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


def _snap_fye(fye: tuple[int, int]) -> int:
    """Month of a fiscal year end, snapped to the nearest month end (52/53-week years)."""
    m, d = fye
    if not 1 <= m <= 12:
        raise ValueError(f"bad fiscal year end month: {fye!r}")
    if d <= 15:  # e.g. (2, 1): a 52-week year ending on the Saturday nearest 31 January
        return 12 if m == 1 else m - 1
    return m


def _yy(y: int) -> int:
    return y % 100


def calendar_year(y: int, *, is_fiscal: bool = False) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), "year", is_fiscal, f"FY{y}" if is_fiscal else str(y))


def calendar_quarter(y: int, q: int) -> Period:
    return Period(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter", False, f"Q{q} {y}")


def calendar_half(y: int, h: int) -> Period:
    return Period(date(y, 6 * h - 5, 1), _month_end(y, 6 * h), "half", False, f"H{h} {y}")


def fiscal_year(n: int, fye: tuple[int, int] = (12, 31)) -> Period:
    """Fiscal year N: ends in calendar year N on the fiscal year end month."""
    m = _snap_fye(fye)
    sy, sm = _add_months(n - 1, m, 1)
    return Period(date(sy, sm, 1), _month_end(n, m), "year", True, f"FY{n}")


def _fiscal_part(n: int, k: int, months: int, fye: tuple[int, int]) -> tuple[date, date]:
    m = _snap_fye(fye)
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
    return d.year + (1 if d.month > m else 0)


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
    label = _label_for(start, end, grain, is_fiscal, fye)
    return Period(start, end, grain, is_fiscal, label)


def _label_for(start: date, end: date, grain: str, is_fiscal: bool, fye: tuple[int, int]) -> str:
    months = {"quarter": 3, "half": 6, "year": 12}[grain]
    is_month_end = end == _month_end(end.year, end.month) and start.day == 1
    fm = _snap_fye(fye)
    letter = {"quarter": "Q", "half": "H", "year": ""}[grain]
    if is_month_end and not is_fiscal and end.month % months == 0:
        k = end.month // months
        return str(end.year) if grain == "year" else f"{letter}{k} {end.year}"
    if is_month_end and is_fiscal and grain == "year":
        return f"FY{end.year}"
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
            return f"FY{_fiscal_year_of(start, fye)}-FY{end.year}"
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


# --------------------------------------------------------------------------------------------
# language data


def _strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def _norm(s: str) -> str:
    """Key for phrase look-ups: lower case, no accents, no spaces, hyphens, dots or apostrophes
    (the phrase regexes make those flexible, so the keys must ignore them)."""
    return re.sub(r"[\s\-‐‑–'’‘.]+", "", _strip_accents(s.lower()))


def _atoms(p: str) -> list[str]:
    """Regex atoms of a literal phrase: flexible whitespace/apostrophes/hyphens, optional accents."""
    out = []
    for ch in p:
        if ch.isspace():
            out.append(r"\s+")
        elif ch in "'’":
            out.append(r"['’]\s*")
        elif ch == "-":
            out.append(r"[-‐‑\s]?")
        else:
            base = _strip_accents(ch)
            out.append(f"[{re.escape(ch)}{re.escape(base)}]" if base and base != ch else re.escape(ch))
    return out


def _alt(phrases: Iterable[str]) -> str:
    """Alternation of literal phrases (a prefix trie), with flexible spaces, apostrophes, hyphens, accents."""
    return trie_alternation(phrases, _atoms)


def _cs_alt(phrases: Iterable[str]) -> str:
    """Case-sensitive literal alternation (letters such as Q, T, H, S, FY)."""
    ps = sorted({p for p in phrases if p}, key=lambda s: (-len(s), s))
    if not ps:
        return r"(?!x)x"
    return "(?-i:" + "|".join(re.escape(p) for p in ps) + ")"


def _available_langs() -> list[str]:
    return sorted(p.parent.name for p in DATA_DIR.glob("*/periods.toml"))


@lru_cache(maxsize=None)
def _load_lang(lang: str) -> dict:
    with open(DATA_DIR / lang / "periods.toml", "rb") as f:
        return tomllib.load(f)


def _get(d: dict, dotted: str, default=None):
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return default
        d = d[part]
    return d


class _Vocab:
    """All language files merged."""

    def __init__(self) -> None:
        self.langs = _available_langs()
        self.data = {lang: _load_lang(lang) for lang in self.langs}

    def words(self, dotted: str) -> list[str]:
        out: list[str] = []
        for d in self.data.values():
            v = _get(d, dotted, [])
            out.extend(v if isinstance(v, list) else [v])
        return out

    def numbered(self, dotted: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for d in self.data.values():
            for k, v in (_get(d, dotted, {}) or {}).items():
                out.setdefault(str(k), []).extend(v)
        return out

    def date_order(self, lang: str) -> str:
        d = self.data.get(lang) or self.data.get((lang or "").split("-")[0].split("_")[0].lower())
        return (d or {}).get("date_order", "DMY")


# --------------------------------------------------------------------------------------------
# the grammar


Y4 = r"(?:19\d\d|20\d\d|2100)"
_RE_FLAGS = re.IGNORECASE | re.UNICODE
_DIGIT = re.compile(r"\d")


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    period: Period | None
    relative: str | None = None
    grain_hint: str | None = None
    spec: dict | None = None  # for relative resolution


class _Grammar:
    def __init__(self) -> None:
        v = self.v = _Vocab()
        self._build_lexicon(v)
        self._build_rules(v)

    # ---- lexicon -------------------------------------------------------------------------
    def _build_lexicon(self, v: _Vocab) -> None:
        from babel.dates import get_day_names, get_month_names

        months: dict[str, int] = {}
        month_names: list[str] = []
        weekdays: list[str] = []
        for lang in v.langs:
            for width in ("wide", "abbreviated"):
                for ctx in ("format", "stand-alone"):
                    for num, name in get_month_names(width, ctx, locale=lang).items():
                        months[_norm(name.rstrip("."))] = num
                        month_names.append(name.rstrip("."))
                    weekdays.extend(get_day_names(width, ctx, locale=lang).values())
            for num, names in (_get(v.data[lang], "months", {}) or {}).items():
                for name in names:
                    months[_norm(name.rstrip("."))] = int(num)
                    month_names.append(name.rstrip("."))
        self.month_of = months
        self.month_alt = _alt(month_names)
        self.weekday_alt = _alt(w.rstrip(".") for w in weekdays)

        ords: dict[str, int] = {}
        for k, names in v.numbered("ordinals").items():
            for n in names:
                ords[_norm(n)] = -1 if k == "last" else int(k)
        self.ordinal_of = ords
        self.ordinal_alt = _alt(n for names in v.numbered("ordinals").values() for n in names)

        nums: dict[str, int] = {}
        for k, names in v.numbered("numbers").items():
            for n in names:
                nums[_norm(n)] = int(k)
            nums[str(k)] = int(k)
        self.number_of = nums
        self.number_alt = _alt(list(nums) + [n for names in v.numbered("numbers").values() for n in names])

        self.event_of: dict[str, tuple[int, int]] = {}
        self.event_names: list[str] = []
        for k, names in v.numbered("events").items():
            mm, dd = (int(x) for x in k.split("-"))
            for n in names:
                self.event_of[_norm(n)] = (mm, dd)
                self.event_names.append(n)

        rel: dict[str, dict] = {}
        self.relative_phrases: list[str] = []
        self.prior_year_phrases: list[str] = []
        for lang in v.langs:
            for entry in v.data[lang].get("relative", []):
                spec = {"kind": entry["kind"], "grain": entry.get("grain") or None,
                        "fiscal": bool(entry.get("fiscal", False))}
                for ph in entry["phrases"]:
                    rel[_norm(ph)] = spec
                    self.relative_phrases.append(ph)
                    if spec["kind"] == "prior_year" and spec["grain"] in (None, "year"):
                        self.prior_year_phrases.append(ph)
        self.relative_of = rel

        ended: dict[str, tuple[str, bool]] = {}
        for g in ("quarter", "half", "year", "fiscal_year", "ttm"):
            for ph in v.words(f"ended.{g}"):
                grain = "year" if g == "fiscal_year" else g
                ended[_norm(ph)] = (grain, g == "fiscal_year")
        self.ended_of = ended

        self.fiscal_abbr = v.words("fiscal.abbreviations")
        self.quarter_letters = v.words("quarter.letters")
        self.half_letters = v.words("half.letters")
        self.multi_next = {_norm(w) for w in v.words("multi_year.next")}
        self.multi_past = {_norm(w) for w in v.words("multi_year.past")}

    # ---- rules ---------------------------------------------------------------------------
    def _build_rules(self, v: _Vocab) -> None:
        W = v.words
        B = r"(?<![\w.,$€£¥])"  # left boundary of a token
        E = r"(?![\w])"  # right boundary
        MON = rf"(?:{self.month_alt})(?:\.|{E})"
        DAY = r"(?:[0-3]?\d)(?:er|re|ère|st|nd|rd|th|e|ème)?(?!\w)"
        fy_abbr = _cs_alt(self.fiscal_abbr)
        cy_abbr = _cs_alt(W("calendar.abbreviations"))
        fyw = _alt(W("fiscal.year_words"))
        fadj = _alt(W("fiscal.adjectives"))
        calw = _alt(W("calendar.year_words"))
        ynoun = _alt(W("calendar.year_nouns"))
        qw = _alt(W("quarter.words"))
        hw = _alt(W("half.words"))
        qletters = _cs_alt(self.quarter_letters)
        hletters = _cs_alt(self.half_letters)
        between = _alt(W("connectors.between"))
        arts = _alt(W("connectors.articles"))
        mods = _alt(W("modifiers.words"))
        rel_prior_year = _alt(self.prior_year_phrases)
        # connector between a quarter/half word and its year: " of the ", " de l'", " ", ", "
        CONN = rf"(?:\s*,?\s+(?:{between})(?:\s*(?:{arts}))?\s*|\s*,\s*|\s+)"
        YEARPART = (rf"(?:(?P<fyw>{fyw})\s+(?:(?:{between})\s+)?|(?P<fya>{fy_abbr})\s?['’]?"
                    rf"|(?:{calw}|{ynoun})\s+)?")

        def date_re(p: str) -> str:
            return (rf"(?:(?P<{p}d1>{DAY})\s+(?:(?:de|of)\s+)?(?P<{p}m1>{MON}),?\s+(?P<{p}y1>{Y4})"
                    rf"|(?P<{p}m2>{MON})\s*(?P<{p}d2>{DAY}),?\s+(?P<{p}y2>{Y4})"
                    rf"|(?P<{p}n1>\d{{1,2}})(?P<{p}sep>[/.])(?P<{p}n2>\d{{1,2}})(?P={p}sep)(?P<{p}ny>{Y4})"
                    rf"|(?P<{p}iy>{Y4})-(?P<{p}im>\d\d)-(?P<{p}id>\d\d))(?![\d\w])")

        self.date_re = date_re
        R: list[tuple[str, re.Pattern, Callable, tuple[str, ...]]] = []
        # What a rule cannot match without: cheap tests (self.gates, below), each run at most once per text, so
        # that most rules are never run on a text. A test finds what its rules need wherever they could match
        # (tests/normalizers/test_periods.py checks that no gate hides a period).
        needs = {
            "fy_abbr": ("digit", "fy"), "cy": ("digit", "cy"),
            "qh_letter": ("digit", "qh"), "qh_suffix": ("digit", "qh"), "qh_yearfirst": ("digit", "qh"),
            "month_quarter": ("words",), "relative": ("words",), "multi": ("words",), "multi_adj": ("words",),
            "day": ("year", "date"), "ended": ("year", "date"), "month": ("year", "month"),
            "quarter_of_month": ("year", "month"), "month_num": ("year", "month_num"), "fy_words": ("year", "fyw"),
            "qh_words": ("year", "qhw"), "year_mod": ("year", "mods"), "range_between": ("year", "between"),
            "event": ("year", "event"), "same_of_year": ("year", "words"),
        }

        def rule(name: str, pattern: str, fn: Callable) -> None:
            R.append((name, re.compile(pattern, _RE_FLAGS), fn, needs.get(name, ("year",))))

        # full dates: "30 juin 2025", "March 31, 2025", "30/06/2025", "2025-09-30"
        rule("day", rf"(?<![\w/.\-])(?:(?:{self.weekday_alt}),?\s+)?{date_re('a_')}", self._r_day)
        # "<noun> ended <date>": "quarter ended September 30, 2025", "exercice clos le 31 mars 2024"
        nouns = _alt(W("ended.quarter") + W("ended.half") + W("ended.year") + W("ended.fiscal_year") + W("ended.ttm"))
        verbs = _alt(W("ended.verbs"))
        preps = _alt(W("ended.prepositions"))
        rule("ended",
             rf"{B}(?:(?P<fadj>{fadj})\s+)?(?P<noun>{nouns})\s+(?:(?:{verbs})(?:\s+(?:{preps}))?|(?:{preps}))\s+"
             rf"{date_re('b_')}", self._r_ended)
        # fiscal years: FY2025, FY 2025, FY25, FY2024-25, FY2024-FY2028
        rule("fy_abbr",
             rf"(?<![A-Za-z0-9])(?P<mod>(?:{mods})[\s\-]+(?:(?:of|de|d['’])\s*)?)?{fy_abbr}[\s\-]?['’]?(?P<y>{Y4}|\d\d)"
             rf"(?:\s*(?P<sep>[-–/])\s*(?P<fy2>{fy_abbr}\s?['’]?)?(?P<y2>{Y4}|\d\d))?(?![\d])(?!\.\d)",
             self._r_fy)
        # "fiscal year 2025", "exercice 2023", "fiscal 2024", "end of fiscal 2024", "exercice 2023/2024"
        rule("fy_words",
             rf"{B}(?P<mod>(?:{mods})[\s\-]+(?:(?:of|de|d['’])\s*(?:{arts})?\s*)?)?(?P<w>{fyw})\s+(?:(?:{between})\s+)?"
             rf"(?P<y>{Y4})(?:\s*(?P<sep>[-–/])\s*(?P<y2>{Y4}|\d\d))?(?![\d])(?!\.\d)",
             self._r_fy)
        # calendar years said explicitly: "Calendar Year 2025", "CY2025", "année civile 2025"
        rule("cy",
             rf"(?:(?<![A-Za-z0-9]){cy_abbr}\s?['’]?(?P<y>{Y4}|\d\d)|{B}{calw}\s+(?P<y4>{Y4}))(?![\d])(?!\.\d)",
             self._r_cy)
        # letter quarters/halves: "Q3 2025", "Q3 FY2025", "Q2 fiscal year 2026", "T4 2023", "H1 2025", "S1 2025"
        rule("qh_letter",
             rf"(?<![A-Za-z0-9])(?:(?P<fadj>{fadj})\s+)?(?:(?P<ql>{qletters})|(?P<hl>{hletters}))(?P<k>[1-4])"
             rf"(?:\s*(?:{between})\s+(?:(?:{arts})\s*)?|[/\-–]|\s+)?"
             rf"(?:(?P<fya>{fy_abbr})\s?['’]?(?P<fyy>{Y4}|\d\d)|(?P<fyw>{fyw})\s+(?P<fwy>{Y4})"
             rf"|['’](?P<yy>\d\d)|(?P<y>{Y4}))(?![\d])(?!\.\d)",
             self._r_qh_letter)
        # "3Q25", "3Q 2025", "1H25", "1S 2024", "3QFY25"
        rule("qh_suffix",
             rf"(?<![\w.,])(?P<k>[1-4])(?:(?P<ql>{qletters})|(?P<hl>{hletters}))\s?(?:(?P<fya>{fy_abbr})\s?['’]?)?"
             rf"(?P<y>{Y4}|\d\d)(?![\d])(?!\.\d)",
             self._r_qh_suffix)
        # "2025 Q3", "2025Q3", "FY2025 Q3", "FY25 H1"
        rule("qh_yearfirst",
             rf"(?<![\w.,])(?:(?P<fya>{fy_abbr})\s?['’]?(?P<fyy>{Y4}|\d\d)|(?P<y>{Y4}))(?:[/\-–]|\s+)?"
             rf"(?:(?P<ql>{qletters})|(?P<hl>{hletters}))(?P<k>[1-4])(?![\w])",
             self._r_qh_yearfirst)
        # "second quarter of 2025", "fiscal second quarter of 2025", "quatrième trimestre 2023",
        # "premier semestre de l'exercice 2025", "second half of fiscal 2024"
        rule("qh_words",
             rf"{B}(?:(?P<f1>{fadj})\s+)?(?P<ord>{self.ordinal_alt})\s+(?:(?P<f2>{fadj})\s+)?"
             rf"(?:(?P<qw>{qw})|(?P<hw>{hw}))(?:\s+(?P<f3>{fadj}))?{CONN}{YEARPART}(?P<y>{Y4})(?![\d])(?!\.\d)",
             self._r_qh_words)
        # "September quarter of 2025", "Sep Qtr 2025", "September 2025 quarter",
        # "September quarter of the prior year", "the September quarter"
        rule("month_quarter",
             rf"{B}(?P<m>{MON})\s*(?:(?P<y0>{Y4})\s+)?(?P<qw>{qw})(?:\.|{E})"
             rf"(?:{CONN}(?:(?P<y>{Y4})(?![\d])|(?P<rel>{rel_prior_year})))?",
             self._r_month_quarter)
        rule("quarter_of_month",
             rf"{B}(?P<qw>{qw})\s+(?:de|d['’]|of|ending\s+in|ended\s+in|clos\s+en|se\s+terminant\s+en)\s*"
             rf"(?P<m>{MON})\s*(?P<y>{Y4})(?![\d])",
             self._r_month_quarter)
        # months: "October 2025", "en octobre 2025", "early August 2025", "fin juin 2025", "06/2025", "2025-03"
        rule("month",
             rf"{B}(?:(?P<mod>{mods})[\s\-]+(?:(?:of|de|d['’])\s*)?)?(?P<m>{MON}),?\s*(?:(?:of|de)\s+)?"
             rf"(?P<y>{Y4})(?![\d])(?!\.\d)",
             self._r_month)
        rule("month_num",
             rf"(?<![\w./\-])(?:(?P<nm>0?[1-9]|1[0-2])/(?P<ny>{Y4})|(?P<iy>{Y4})-(?P<im>0[1-9]|1[0-2]))(?![\w/\-.])",
             self._r_month_num)
        # year with a modifier: "end of 2023", "fin 2023", "late 2025", "mid-2025", "year-end 2023"
        rule("year_mod",
             rf"{B}(?P<mod>{mods})[\s\-]*(?:(?:of|de|d['’])\s*(?:(?:{arts})\s*)?(?:{ynoun})?\s*)?(?P<y>{Y4})(?![\d])(?!\.\d)(?![,.]\d)",
             self._r_year_mod)
        # ranges: "2024-2028", "2024–2028", "from 2024 to 2028", "between 2024 and 2028", "2024-28"
        rw = _alt(W("connectors.range_words"))
        rfrom = _alt(W("connectors.range_from"))
        rbetw = _alt(W("connectors.range_between"))
        rand = _alt(W("connectors.range_and"))
        rule("range",
             rf"(?<![\w.,/\-])(?:(?:{rfrom})\s+)?(?P<y1>{Y4})(?:\s*[-–—]\s*|\s*/\s*|\s+(?:{rw})\s+)(?P<y2>{Y4}|\d\d)"
             rf"(?![\d\-/])(?!\.\d)(?!,\d)",
             self._r_range)
        rule("range_between",
             rf"{B}(?:{rbetw})\s+(?P<y1>{Y4})\s+(?:{rand})\s+(?P<y2>{Y4})(?![\d])",
             self._r_range)
        # shopping festivals next to a year: "Singles' Day 2024", "the 2024 11.11 Shopping Festival"
        ev = _alt(self.event_names)
        rule("event",
             rf"(?<![\w.])(?:(?P<y1>{Y4})\s+(?P<e1>{ev})|(?P<e2>{ev})\s+(?P<y2>{Y4}))(?![\w])(?!\.\d)",
             self._r_event)
        # relative: "the same quarter", "a year earlier", "l'exercice précédent", "past four quarters"
        same_w = _alt(W("connectors.same"))
        pnouns = _alt(W("connectors.period_nouns"))
        rule("same_of_year",
             rf"{B}(?P<same>{same_w})\s+(?P<g>{qw}|{hw}|{pnouns})(?:\s+(?P<fadj>{fadj}))?\s*,?\s+(?:{between})?\s*"
             rf"(?:(?:{arts})\s*)?(?:(?P<fyw>{fyw})\s+|(?P<fya>{fy_abbr})\s?)?(?P<y>{Y4})(?![\d])(?!\.\d)",
             self._r_same_of_year)
        rule("relative", rf"(?<![\w\-]){_alt(self.relative_phrases)}(?![\w\-])", self._r_relative)
        # multi-year: "over three years", "over the next three years", "sur les trois prochaines années"
        mprep = _alt(W("multi_year.prepositions"))
        marts = _alt(W("multi_year.articles"))
        mnext = _alt(W("multi_year.next") + W("multi_year.past"))
        myw = _alt(W("multi_year.year_words"))
        rule("multi",
             rf"{B}(?:{mprep})\s+(?:(?:{marts})\s+)?(?:(?P<d1>{mnext})\s+)?(?P<n>{self.number_alt})[\s\-]+"
             rf"(?:(?P<d2>{mnext})\s+)?(?:{myw})(?:\s+(?P<d3>{mnext}))?(?![\w])",
             self._r_multi)
        # multi-year adjectives: "3-Year AI/Cloud Plan", "a five-year programme", "plan triennal"
        madj = W("multi_year.adjective_words")
        if madj:
            rule("multi_adj",
                 rf"{B}(?P<n>{self.number_alt}|\d{{1,2}})-(?:{_alt(madj)})(?![\w\-])",
                 self._r_multi_adj)
        # bare years last (weakest): "2023", "(2023)", "in 2024"
        rule("year", rf"(?<![\w.,$€£¥'’])(?P<y>{Y4})(?![\w%])(?!\s?%)(?![.,]\d)(?!-\d)", self._r_year)
        self.rules = R
        trig = (self.relative_phrases + self.event_names + W("multi_year.year_words") + W("multi_year.adjective_words")
                + W("connectors.same") + W("quarter.words"))
        # Gates look for their words at the start of a word only (that is where the rules have them: after a
        # boundary, a space, a hyphen or an apostrophe), which also keeps them cheap: Python's re tries the
        # word lists only where a word starts.
        W0 = r"(?<![^\W\d_])"
        month = rf"{W0}(?:{self.month_alt})(?:\.|{E})"
        self.gates = {
            "year": re.compile(Y4),  # a four-digit year
            "words": re.compile(W0 + _alt(trig), _RE_FLAGS),  # relative, multi-year, "same", quarter words
            "qh": re.compile(rf"(?:{qletters}|{hletters})[1-4]|[1-4](?:{qletters}|{hletters})", _RE_FLAGS),  # Q3, 3Q
            "fy": re.compile(fy_abbr, _RE_FLAGS),  # FY25
            "cy": re.compile(rf"{cy_abbr}|{W0}{calw}", _RE_FLAGS),  # CY25, calendar year
            "date": re.compile(rf"{month}|\d[/.]\d{{1,2}}[/.]\d|\d-\d\d-\d", _RE_FLAGS),  # a month name, 30/06/2025
            "month": re.compile(month, _RE_FLAGS),
            "month_num": re.compile(r"\d/\d|\d-\d"),  # 06/2025, 2025-03
            "fyw": re.compile(W0 + fyw, _RE_FLAGS),  # fiscal year words
            "qhw": re.compile(rf"{W0}(?:{qw}|{hw})", _RE_FLAGS),  # quarter and half words
            "mods": re.compile(W0 + mods, _RE_FLAGS),  # "end of", "mid-", "fin"
            "between": re.compile(W0 + rbetw, _RE_FLAGS),
            "event": re.compile(W0 + ev, _RE_FLAGS),  # shopping festivals
        }
        self.year_blockers = _YearBlockers(v)

    # ---- helpers -------------------------------------------------------------------------
    def month(self, s: str | None) -> int | None:
        if not s:
            return None
        return self.month_of.get(_norm(s.rstrip(".")))

    def date_from(self, m: re.Match, p: str, order: str) -> date | None:
        g = m.group
        try:
            if g(p + "y1"):
                return date(int(g(p + "y1")), self.month(g(p + "m1")), _day_int(g(p + "d1")))
            if g(p + "y2"):
                return date(int(g(p + "y2")), self.month(g(p + "m2")), _day_int(g(p + "d2")))
            if g(p + "ny"):
                a, b, y = int(g(p + "n1")), int(g(p + "n2")), int(g(p + "ny"))
                if a > 12 or (b <= 12 and order == "DMY"):
                    return date(y, b, a)
                return date(y, a, b)
            if g(p + "iy"):
                return date(int(g(p + "iy")), int(g(p + "im")), int(g(p + "id")))
        except (ValueError, TypeError):
            return None
        return None

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
        y = _year(g("fyy") or g("fwy") or g("yy") or g("y"))
        return self._qh(m, ctx, int(g("k")), bool(g("ql")), y, fiscal)

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


class _YearBlockers:
    """Context that makes a 4-digit number not a year: "2 000", "$2025", "2024 millions", "24/2024"."""

    def __init__(self, v: _Vocab) -> None:
        self.after = re.compile(r"\s*" + _alt(v.words("year_blockers.after")) + r"(?!\w)", _RE_FLAGS)
        self.before = re.compile(r"(?<!\w)" + _alt(v.words("year_blockers.before")) + r"\s*$", _RE_FLAGS)

    def blocked(self, text: str, s: int, e: int) -> bool:
        pre = text[max(0, s - 12):s]
        # part of a grouped number: "1 2023", "12 2024 456" (digit + space right before/after)
        if re.search(r"\d[ \u00a0\u202f]$", pre) or re.match(r"[ \u00a0\u202f]\d{3}(?!\d)", text[e:e + 5]):
            return True
        # after a slash or dash: only when that is itself a year ("2025/2024"), not "24/2024"
        if pre.endswith(("/", "-", "–")):
            if not re.search(rf"(?<!\d){Y4}\s*[/\-–]$", pre):
                return True
        if self.before.search(pre):
            return True
        if self.after.match(text, e):
            return True
        return False


def _day_int(s: str) -> int:
    return int(re.match(r"\d+", s).group(0))


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


@dataclass(slots=True)
class _Ctx:
    text: str
    order: str
    fye: tuple[int, int]


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    return _Grammar()


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


def find_periods(text: str, lang: str, *, fiscal_year_end: tuple[int, int] = (12, 31),
                 reference: Period | None = None) -> list[PeriodMention]:
    """All period expressions in text, in order, non-overlapping, most specific (longest) wins."""
    if not text:
        return []
    g = _grammar()
    fye = tuple(fiscal_year_end) if fiscal_year_end else (12, 31)
    _snap_fye(fye)  # validate
    ctx = _Ctx(text, g.v.date_order(lang), fye)  # type: ignore[arg-type]
    has_digit = _DIGIT.search(text) is not None
    has = {"digit": has_digit, "words": g.gates["words"].search(text) is not None}
    if not has_digit and not has["words"]:
        return []
    if not has_digit:
        has["year"] = False
    gates = g.gates
    cands: list[_Cand] = []
    for _name, rx, fn, needs in g.rules:
        ok = True
        for need in needs:
            hit = has.get(need)
            if hit is None:
                hit = has[need] = gates[need].search(text) is not None
            if not hit:
                ok = False
                break
        if not ok:
            continue
        for m in rx.finditer(text):
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


# ---- fiscal year end stated in the text ------------------------------------------------------


@lru_cache(maxsize=1)
def _fye_grammar() -> tuple[re.Pattern, re.Pattern, _Grammar]:
    g = _grammar()
    W = g.v.words
    MON = rf"(?:{g.month_alt})(?:\.|(?!\w))"
    DAY = r"(?:[0-3]?\d)(?:er|re|ère|st|nd|rd|th|e|ème)?(?!\w)"
    last = _alt(W("fiscal_year_end.last_words"))
    end_of = _alt(W("fiscal_year_end.end_of"))
    daymonth = (rf"(?:(?P<d1>{DAY})\s+(?:(?:de|of)\s+)?(?P<m1>{MON})"
                rf"|(?P<m2>{MON})\s*(?P<d2>{DAY})"
                rf"|(?:the\s+|le\s+)?(?:{last})\s+(?:{g.weekday_alt})\s+(?:(?:of|in|de|du\s+mois\s+de|d['’])\s*)?(?P<m3>{MON})"
                rf"|(?:{end_of})\s+(?:(?:de|d['’])\s*)?(?P<m4>{MON})"
                rf"|(?P<n1>[0-3]?\d)[/.](?P<n2>[01]?\d)(?![/.]?\d)"
                rf"|(?P<m5>{MON}))")
    anchors = _alt(W("fiscal_year_end.anchors"))
    verbs = _alt(W("fiscal_year_end.verbs"))
    preps = _alt(W("fiscal_year_end.prepositions"))
    leads = _alt(W("fiscal_year_end.leads"))
    links = _alt(W("fiscal_year_end.lead_links"))
    a = re.compile(
        rf"(?<![\w])(?:{anchors})(?![\w])(?:[^.;\n]|\.(?!\s+(?-i:[A-Z])|\s*$)){{0,80}}?(?<![\w])(?:{verbs})(?:\s+(?:{preps}))?\s*(?:the\s+|le\s+)?{daymonth}",
        _RE_FLAGS)
    b = re.compile(rf"(?<![\w])(?:{leads})\s*(?:(?:{links})\s*)?{daymonth}", _RE_FLAGS)
    return a, b, g


def find_fiscal_year_end(text: str, lang: str | tuple[str, ...]) -> tuple[int, int] | None:
    """A fiscal year end stated in the text ("fiscal year ending 30 June", "exercice clos le 30 juin")
    as (month, day). "the last Saturday of September" -> (9, 30). Several languages: the first that finds
    one wins (numeric dates are read in each language's order; the text is scanned once)."""
    if not text:
        return None
    a, b, g = _fye_grammar()
    found = [list(rx.finditer(text)) for rx in (a, b)]
    for lg in ((lang,) if isinstance(lang, str) else lang):
        order = g.v.date_order(lg)
        best = None
        for matches in found:
            for m in matches:
                r = _fye_from(m, g, order)
                if r is not None and (best is None or m.start() < best[0]):
                    best = (m.start(), r)
                    break
        if best:
            return best[1]
    return None


def _fye_from(m: re.Match, g: _Grammar, order: str) -> tuple[int, int] | None:
    gr = m.group
    try:
        if gr("m1"):
            mon, day = g.month(gr("m1")), _day_int(gr("d1"))
        elif gr("m2"):
            mon, day = g.month(gr("m2")), _day_int(gr("d2"))
        elif gr("m3") or gr("m4") or gr("m5"):
            mon = g.month(gr("m3") or gr("m4") or gr("m5"))
            day = calendar.monthrange(2001, mon)[1] if mon else 0  # Feb -> 28
        else:
            a_, b_ = int(gr("n1")), int(gr("n2"))
            mon, day = (b_, a_) if (a_ > 12 or order == "DMY") else (a_, b_)
        if not mon or not (1 <= mon <= 12) or not (1 <= day <= calendar.monthrange(2000, mon)[1]):
            return None
        return (mon, day)
    except (TypeError, ValueError):
        return None


# ---- fiscal calendars by ticker ---------------------------------------------------------------


def _parse_calendar_file(path: Path) -> dict[str, tuple[int, int]]:
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    table = raw.get("fiscal_year_end", raw)
    out: dict[str, tuple[int, int]] = {}
    for k, v in table.items():
        if isinstance(v, dict):
            continue
        mm = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", str(v))
        if not mm:
            raise ValueError(f"{path}: {k} = {v!r}: expected \"MM-DD\"")
        mon, day = int(mm.group(1)), int(mm.group(2))
        if not 1 <= mon <= 12 or not 1 <= day <= calendar.monthrange(2000, mon)[1]:
            raise ValueError(f"{path}: {k} = {v!r}: not a day of the year")
        out[str(k).strip().upper()] = (mon, day)
    return out


@lru_cache(maxsize=16)
def _calendar_file(path: str, mtime: float) -> dict[str, tuple[int, int]]:
    return _parse_calendar_file(Path(path))


def _calendars() -> dict[str, tuple[int, int]]:
    shipped = DATA_DIR / "fiscal_calendars.toml"
    merged = dict(_calendar_file(str(shipped), shipped.stat().st_mtime))
    user = os.environ.get(ENV_CALENDARS, "")
    for p in filter(None, user.split(os.pathsep)):
        path = Path(p).expanduser()
        merged.update(_calendar_file(str(path), path.stat().st_mtime))
    return merged


def fiscal_year_end_for(ticker: str | None) -> tuple[int, int] | None:
    """Fiscal year end of a listed company from normalizers/data/fiscal_calendars.toml
    (ticker -> "MM-DD"), extended by the file(s) named in CANVAS_ETL_FISCAL_CALENDARS
    (same format, os.pathsep-separated; user entries win)."""
    if not ticker:
        return None
    cal = _calendars()
    t = ticker.strip().upper()
    if t in cal:
        return cal[t]
    base = re.split(r"[.:\s]", t)[0]  # "BABA.N", "9988.HK" -> "BABA", "9988"
    return cal.get(base)
