"""Fiscal year ends: stated in a text ("fiscal year ending 30 June", "exercice clos le 30 juin") and by ticker
(``normalizers/data/fiscal_calendars.toml``, extended by the files named in CANVAS_ETL_FISCAL_CALENDARS)."""
from __future__ import annotations

import calendar
import os
import re
import tomllib
from functools import lru_cache
from pathlib import Path

from ..retrie import anchored_finditer, first_char_lookahead, lowered_for_ci
from .rules import _Grammar, _grammar
from .vocabulary import DATA_DIR, _RE_FLAGS, _alt, _day_int, _openings

ENV_CALENDARS = "CANVAS_ETL_FISCAL_CALENDARS"


# ---- fiscal year end stated in the text ------------------------------------------------------


@lru_cache(maxsize=1)
def _fye_grammar() -> tuple[tuple[tuple[re.Pattern, tuple[str, ...] | None], ...], _Grammar]:
    """The two patterns, each with the literals its matches open with (``vocabulary._openings``), and the grammar."""
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
    # (the look-ahead: same matches, faster scans of a text when no opening is known)
    return ((first_char_lookahead(a), _openings(W("fiscal_year_end.anchors"))),
            (first_char_lookahead(b), _openings(W("fiscal_year_end.leads")))), g


def find_fiscal_year_end(text: str, lang: str | tuple[str, ...]) -> tuple[int, int] | None:
    """A fiscal year end stated in the text ("fiscal year ending 30 June", "exercice clos le 30 juin")
    as (month, day). "the last Saturday of September" -> (9, 30). Several languages: the first that finds
    one wins (numeric dates are read in each language's order; the text is scanned once)."""
    if not text:
        return None
    patterns, g = _fye_grammar()
    # each pattern's matches, read as far as needed (the first one that gives a date in a language ends its scan
    # for that language: the rest of the text is read only when a later language or no match needs it); tried only
    # where their phrases' openings stand in the lower-cased text, when it reads as the text ignoring case
    low = lowered_for_ci(text)
    found = [_Matches(rx.finditer(text) if low is None or openings is None
                      else anchored_finditer(rx, openings, text, low))
             for rx, openings in patterns]
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


class _Matches:
    """A scan's matches, iterable several times: those read so far, then the scan goes on as far as asked."""

    def __init__(self, scan) -> None:
        self._scan, self._seen = scan, []

    def __iter__(self):
        yield from self._seen
        for m in self._scan:
            self._seen.append(m)
            yield m


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


# ---- how the text names its fiscal years ----------------------------------------------------------

_HAS_DIGIT = re.compile(r"\d")
_FY_NAME_WINDOW = 100  # a fiscal-year name and the date that defines it: this close, in one line


def find_fiscal_year_naming(text: str, lang: str, fye: tuple[int, int]) -> int:
    """How the text names its fiscal years, from its own definitions: 1 when it names a year by the calendar
    year it starts in ('FY2024 = year ended March 31, 2025', 'Fiscal year ended March 31, 2025 ("FY2024")'),
    else 0 (the default: FY2025 ends in 2025). Only the first lines are read (that is where reports say it);
    every definition found must agree."""
    from .search import find_periods

    fye = (fye[0], fye[1])
    if fye == (12, 31) or not text:
        return 0
    votes = set()
    for line in text[:6_000].splitlines():
        if not _HAS_DIGIT.search(line) and line.isascii():
            continue  # a name ends with a digit ("FY2024"): a line without one gives no vote (outside ASCII,
            # str.isdigit also takes "²", which \d does not)
        ms = [m for m in find_periods(line, lang, fiscal_year_end=fye) if m.period is not None]
        names = [m for m in ms if m.period.grain == "year" and m.period.is_fiscal and m.text.strip()[-1:].isdigit()
                 and m.text[:1].isupper() and m.period.label == f"FY{m.period.end.year}" and "ended" not in m.text
                 and len(m.text) <= 12]
        dates = [m for m in ms if m not in names and m.period.end.month == fye[0]
                 and m.period.grain in ("day", "year") and m.period.end.day >= 28]
        for n in names:
            near = [d for d in dates if abs(d.start - n.start) <= _FY_NAME_WINDOW]
            if near:
                d = min(near, key=lambda d: abs(d.start - n.start))
                votes.add(d.period.end.year - n.period.end.year)
    return 1 if votes == {1} else 0
