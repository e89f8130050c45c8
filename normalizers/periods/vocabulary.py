"""Language data for periods: ``normalizers/data/<lang>/periods.toml`` of every language merged, the word tables
built from it (months and weekdays from Babel, ordinals, number words, events, relative phrases), and the phrase
helpers (look-up keys, flexible literal alternations)."""
from __future__ import annotations

import re
from datetime import date
from typing import Iterable

from .. import langdata
from ..retrie import lowered_phrases, shortest_openings, trie_alternation
from ..text import fold

DATA_DIR = langdata.DATA_DIR


_KEY_DROP = re.compile(r"[\s\-‐‑–'’‘.]+")


def _norm(s: str) -> str:
    """Key for phrase look-ups: lower case, no accents, no spaces, hyphens, dots or apostrophes
    (the phrase regexes make those flexible, so the keys must ignore them)."""
    return _KEY_DROP.sub("", fold(s))


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
            base = fold(ch, case=None)
            out.append(f"[{re.escape(ch)}{re.escape(base)}]" if base and base != ch else re.escape(ch))
    return out


def _openings(phrases: Iterable[str]) -> tuple[str, ...] | None:
    """The literals, lower-cased, that the matches of ``_alt(phrases)`` open with, for
    ``normalizers.retrie.anchored_finditer`` in a text's ``lowered_for_ci``: each phrase up to its first flexible
    atom (``_atoms``: a space, an apostrophe, a hyphen, an accented letter); one that starts with another is found
    with it. None when a phrase opens with such an atom or holds a character whose case that search would not
    cover."""
    phrases = lowered_phrases(phrases)
    if phrases is None:
        return None
    out = set()
    for p in phrases:
        n = 0
        while n < len(p) and not p[n].isspace() and p[n] not in "'’-" and fold(p[n], case=None) in ("", p[n]):
            n += 1
        if n == 0:
            return None
        out.add(p[:n])
    return shortest_openings(out)


def _alt(phrases: Iterable[str]) -> str:
    """Alternation of literal phrases (a prefix trie), with flexible spaces, apostrophes, hyphens, accents."""
    return trie_alternation(phrases, _atoms)


def _cs_alt(phrases: Iterable[str]) -> str:
    """Case-sensitive literal alternation (letters such as Q, T, H, S, FY)."""
    ps = sorted({p for p in phrases if p}, key=lambda s: (-len(s), s))
    if not ps:
        return r"(?!x)x"
    return "(?-i:" + "|".join(re.escape(p) for p in ps) + ")"


def _get(d: dict, dotted: str, default=None):
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return default
        d = d[part]
    return d


def _day_int(s: str) -> int:
    return int(re.match(r"\d+", s).group(0))


class _Vocab:
    """All language files merged."""

    def __init__(self) -> None:
        self.langs = langdata.languages(DATA_DIR, "periods")
        self.data = {lang: langdata.load(DATA_DIR, lang, "periods") for lang in self.langs}

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




Y4 = r"(?:19\d\d|20\d\d|2100)"
_RE_FLAGS = re.IGNORECASE | re.UNICODE


class _Lexicon:
    """Word tables built from the merged vocabulary."""

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
        self.month_names = month_names
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
        for g in ("quarter", "half", "year", "fiscal_year", "ttm", "nine_months"):
            for ph in v.words(f"ended.{g}"):
                grain = {"fiscal_year": "year", "nine_months": "ytd"}.get(g, g)
                ended[_norm(ph)] = (grain, g == "fiscal_year")
        self.ended_of = ended

        self.fiscal_abbr = v.words("fiscal.abbreviations")
        self.quarter_letters = v.words("quarter.letters")
        self.half_letters = v.words("half.letters")
        self.multi_next = {_norm(w) for w in v.words("multi_year.next")}
        self.multi_past = {_norm(w) for w in v.words("multi_year.past")}

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
