"""Amount normaliser: money, percentages, counts and quantities in French/English report text.

Pure Python (regex + text2num + data files). Public API: :class:`Amount` and :func:`find_amounts`.

Language knowledge lives in ``data/{fr,en}/amounts.toml`` and currency knowledge in
``data/currencies.toml`` + the Babel-generated ``data/currencies.generated.json``; the code here is
language-neutral. Every regex is linear (no nested unbounded quantifiers), so multi-megabyte lines
are processed in linear time.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from . import currencies as _cur
from . import numbers as _num
from .retrie import trie_alternation

__all__ = ["Amount", "find_amounts"]

DATA = Path(__file__).resolve().parent / "data"
_LANGS = ("fr", "en")


@dataclass(frozen=True, slots=True)
class Amount:
    start: int
    end: int
    text: str
    value: Decimal
    unit: str
    kind: str
    value_high: Decimal | None = None
    flags: frozenset[str] = frozenset()
    precision: int | None = None


# ----------------------------------------------------------------------------------------------
# language tables

_SP = "[ \t\u00a0\u202f]"  # horizontal space
_SPACES = " \t\u00a0\u202f"


def _atom(ch: str) -> str:
    return _SP + "{1,3}" if ch == " " else "['’]" if ch in "'’" else re.escape(ch)


def _alt(words) -> str:
    """Regex alternation of literal phrases (a prefix trie, longest first); spaces match a run of horizontal
    space, either apostrophe matches both."""
    return trie_alternation(words, lambda w: [_atom(ch) for ch in w])


@dataclass
class _Lang:
    lang: str
    decimal_mark: str
    scales_ci: dict[str, Decimal]
    scales_cs: dict[str, Decimal]
    units: dict[str, str]
    scale_re: re.Pattern
    pct_re: re.Pattern
    unit_re: re.Pattern
    approx_before_re: re.Pattern
    approx_after_re: re.Pattern
    neg_before_re: re.Pattern
    between_re: re.Pattern
    range_conn_re: re.Pattern
    per_re: re.Pattern
    half_re: re.Pattern
    equiv_re: re.Pattern
    hint_re: re.Pattern
    not_nouns: frozenset[str] = field(default_factory=frozenset)
    bare_word_skip: frozenset[str] = field(default_factory=frozenset)
    points_words: frozenset[str] = field(default_factory=frozenset)
    bp_words: frozenset[str] = field(default_factory=frozenset)
    frac: _num.Fractions | None = None
    determiners: frozenset[str] = field(default_factory=frozenset)
    alone_words: dict[str, Decimal] = field(default_factory=dict)
    over_re: re.Pattern | None = None
    unit_link_re: re.Pattern | None = None
    not_before_re: re.Pattern | None = None
    year_cue_re: re.Pattern | None = None
    version_after_re: re.Pattern | None = None
    en_scales: dict[str, Decimal] = field(default_factory=dict)


@lru_cache(maxsize=None)
def _raw(lang: str) -> dict:
    with open(DATA / lang / "amounts.toml", "rb") as fh:
        return tomllib.load(fh)


def _merged_list(primary: dict, secondary: dict, section: str, key: str) -> list[str]:
    return list(primary.get(section, {}).get(key, [])) + list(secondary.get(section, {}).get(key, []))


@lru_cache(maxsize=None)
def _lang(lang: str) -> _Lang:
    if lang not in _LANGS:
        lang = "en"
    p = _raw(lang)
    s = _raw("en" if lang == "fr" else "fr")
    # the primary language wins on conflicts (French "billion" = 1e12)
    scales_ci = {k.lower(): Decimal(v) for k, v in s["scales"].items()}
    scales_ci.update({k.lower(): Decimal(v) for k, v in p["scales"].items()})
    scales_cs = {k: Decimal(v) for k, v in s.get("scales_cs", {}).items()}
    scales_cs.update({k: Decimal(v) for k, v in p.get("scales_cs", {}).items()})
    units: dict[str, str] = {}
    for src in (s, p):
        units.update(src["units"])
    # single letters / case-sensitive abbreviations are only read glued to the number ("24h", "10x")
    units_ci = {k.lower(): v for k, v in units.items() if not (k != k.lower() and len(k) <= 3) and len(k) > 1}
    units_cs = {k: v for k, v in units.items() if k != k.lower() and len(k) <= 3}
    units_glued = {k: v for k, v in units.items() if len(k) == 1}
    units_all = {**{k.lower(): v for k, v in units_ci.items()}, **units_cs, **units_glued}

    upper_cs = [k for k in scales_cs if not k.islower()]
    lower_cs = [k for k in scales_cs if k.islower()]
    scale_re = re.compile(
        rf"(?:{_SP}?(?P<w>(?i:{_alt(scales_ci)}))|{_SP}?(?P<u>{_alt(upper_cs)})|(?P<g>{_alt(lower_cs)}))(?![^\W\d_])"
    )
    pct_words = _merged_list(p, s, "percent", "words")
    points = _merged_list(p, s, "percent", "points")
    bps = _merged_list(p, s, "percent", "basis_points")
    pct_re = re.compile(
        rf"{_SP}{{0,2}}(?:(?P<pts>(?i:{_alt([w for w in points if ' ' in w])}))|(?P<bp>(?i:{_alt(bps)}))|(?P<pct>%|(?i:{_alt([w for w in pct_words if w != '%'])}))|(?P<pts2>(?i:{_alt([w for w in points if ' ' not in w])})))(?![^\W\d_])"
    )
    unit_re = re.compile(
        rf"(?:{_SP}?-?{_SP}?(?P<ci>(?i:{_alt(units_ci)}))|{_SP}?(?P<cs>{_alt(units_cs)})|(?P<gl>{_alt(units_glued)}))(?![^\W\d_])"
    )
    approx_before = _merged_list(p, s, "approx", "before")
    approx_before_re = re.compile(rf"(?<![^\W\d_])(?P<w>(?i:{_alt(approx_before)})){_SP}{{0,3}}$")
    approx_after_re = re.compile(rf"{_SP}{{1,3}}(?i:{_alt(_merged_list(p, s, 'approx', 'after'))})(?![^\W\d_])")
    neg_before_re = re.compile(rf"(?<![^\W\d_])(?i:{_alt(_merged_list(p, s, 'numbers', 'negative_words'))}){_SP}{{1,3}}$")
    between_re = re.compile(rf"(?<![^\W\d_])(?P<w>(?i:{_alt(_merged_list(p, s, 'range', 'between'))})){_SP}{{1,3}}$")
    ands = _merged_list(p, s, "range", "and")
    tos = _merged_list(p, s, "range", "to")
    range_conn_re = re.compile(
        rf"{_SP}{{0,3}}(?:(?P<dash>[-–—]|(?i:{_alt(tos)})(?![^\W\d_]))|(?P<and>(?i:{_alt(ands)})(?![^\W\d_]))){_SP}{{0,3}}"
    )
    preps = _merged_list(p, s, "per_unit", "prepositions")
    advs = _merged_list(p, s, "per_unit", "adverbs")
    per_re = re.compile(
        rf"{_SP}{{0,3}}(?:(?P<adv>(?i:{_alt(advs)}))(?![^\W\d_])|(?P<prep>(?i:{_alt([x for x in preps if x != '/'])}){_SP}{{1,3}}|/{_SP}?)(?P<noun>[^\W\d_]{{2,30}}))"
    )
    half_re = re.compile(rf"{_SP}{{1,3}}(?i:{_alt(_merged_list(p, s, 'numbers', 'half'))})(?![^\W\d_])")
    equiv_words = _merged_list(p, s, "equivalent", "words") + approx_before
    equiv_re = re.compile(
        rf"^{_SP}{{0,3}}[,;]?{_SP}{{0,3}}[(\[]{_SP}{{0,3}}(?:(?i:{_alt(equiv_words)}){_SP}{{0,3}}){{0,2}}$"
    )
    frac = _num.build(lang, p.get("fractions", {}))
    # number words, and the fraction denominators ("a fifth", "three quarters": their articles need no hint)
    hints = _merged_list(p, s, "numbers", "word_hints") + sorted(frac.denominators)
    hint_re = re.compile(rf"(?<![^\W\d_])(?i:{_alt(hints)})")
    return _Lang(
        lang=lang,
        decimal_mark=p["numbers"]["decimal_mark"],
        scales_ci=scales_ci,
        scales_cs=scales_cs,
        units=units_all,
        scale_re=scale_re,
        pct_re=pct_re,
        unit_re=unit_re,
        approx_before_re=approx_before_re,
        approx_after_re=approx_after_re,
        neg_before_re=neg_before_re,
        between_re=between_re,
        range_conn_re=range_conn_re,
        per_re=per_re,
        half_re=half_re,
        equiv_re=equiv_re,
        hint_re=hint_re,
        not_nouns=frozenset(w.lower() for w in _merged_list(p, s, "per_unit", "not_nouns")),
        bare_word_skip=frozenset(w.lower() for w in _merged_list(p, s, "numbers", "bare_word_skip")),
        points_words=frozenset(points),
        bp_words=frozenset(bps),
        frac=frac,
        determiners=frozenset(w.lower() for w in p["numbers"].get("determiners", [])),
        alone_words={_num.fold(k): Decimal(v) for k, v in p["numbers"].get("alone_words", {}).items()},
        unit_link_re=re.compile(
            rf"{_SP}{{1,3}}(?:(?i:{_alt(_merged_list(p, s, 'unit_links', 'after_scale'))})(?:{_SP}{{1,3}}|(?<=['’]))"
            rf"|(?!(?i:{_alt(_merged_list(p, s, 'unit_links', 'not_modifiers'))})(?![^\W\d_]))[^\W\d_A-Z]{{3,15}}{_SP}{{1,2}}(?=[^\W\d_]))"
        ),
        not_before_re=re.compile(rf"(?<![^\W\d_])(?i:{_alt(_merged_list(p, s, 'numbers', 'not_before'))}){_SP}{{0,2}}$"),
        year_cue_re=re.compile(rf"(?<![^\W\d_])(?i:{_alt(_merged_list(p, s, 'numbers', 'year_cues'))}){_SP}{{1,2}}$"),
        version_after_re=re.compile(rf"-[^\W\d_]|{_SP}(?:{_alt(_merged_list(p, s, 'numbers', 'version_after'))})(?![^\W\d_])"),
        en_scales={k.lower(): Decimal(v) for k, v in (_raw("en")["scales"].items() if lang == "fr" else ())},
        over_re=re.compile(rf"{_SP}{{1,3}}(?i:{_alt(p.get('fractions', {}).get('over', []))}){_SP}{{1,3}}"),
    )


# ----------------------------------------------------------------------------------------------
# numbers written with digits

# A digit run: space/apostrophe-grouped thousands, or digits with . , separators, or ".75".
_NUM_RE = re.compile(
    r"(?<![\d_])(?<!\d:)(?<!\w[-/])(?<![\w]\.)(?<![\w],)"
    r"(?:\d{1,3}(?:[ \u00a0\u202f']\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)*|[.,]\d+(?!\d|[.,]\d))"
)
_NUM_BODY_RE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f']\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)*")
# phone numbers: "+33 1 23 45 67 89", "+1 (555) 123-4567", "555-123-4567", "1111-22223333-4444"
_PHONE_RE = re.compile(
    r"\+\d{1,3}(?:[ .\-]?\(\d{1,4}\))?(?:[ .\-]\d{1,4}){2,6}(?!\d)"
    r"|(?<![\d,.])\(\d{3}\)[ .\-]?\d{3}[ .\-]\d{4}(?!\d)"
    r"|(?<![\d,.])\d{2,4}-\d{3,8}-\d{4}(?!\d)"
)
_DIGIT_RE = re.compile(r"\d")
_DIGIT_NEXT_RE = re.compile(_SP + r"{0,2}\d")
_HUNDRED_AND_RE = re.compile(_SP + r"{1,2}([^\W\d_]{2,4})" + _SP + r"{1,2}(\d{1,2})(?![\d.,])")
_CENTS_AFTER_RE = re.compile(
    _SP + r"{1,2}(?i:and|et|&)" + _SP + r"{1,2}(?:(?P<d>\d{1,2})" + _SP + r"?(?i:c|cents?|centimes?)(?![^\W\d_])|(?P<w>[^\W\d_]{3,12}(?:-[^\W\d_]{3,6})?))"
)
_SPACED_CENTS_RE = re.compile(r"\." + _SP + r"(\d{2})" + _SP + r"*$")
_VULGAR_RE = re.compile(r"(\d{1,3}" + _SP + r"?)?([½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞⅐⅑⅒])")
_DOMAIN_RE = re.compile(r"\.(?:com|net|org|cn|io|co|fr|jp|hk|uk|de|ai|app|info|biz|tv|me)(?![^\W\d_])")
_EXP_RE = re.compile(r"(?:[eE](?P<e>[+-]?\d{1,3})|\^(?P<c>[+-]{0,2})(?P<ce>\d{1,3})|" + _SP + r"?[x×]" + _SP + r"?10\^(?P<t>[+-]?\d{1,3}))(?![\w])")
_FRAC_RE = re.compile(r"/(\d{1,3})(?![\d/])")
_RATING_RE = re.compile(_SP + r"{0,2}/" + _SP + r"{0,2}(5|10|20|100)(?![\d.,/])")
_TOK_RE = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*|[^\w\s]")
_LINE_START_RE = re.compile(r"(?:^|\n)[ \t]*(?:[#>*]+[ \t]*)?$")
_HEADING_AFTER_RE = re.compile(r"[.)][ \t]")
_SPACE_SEPS = " \u00a0\u202f'"
_ZERO = Decimal(0)


def _parse_digits(raw: str, dec_mark: str, scaled: bool) -> list[tuple[int, int, Decimal, int]] | None:
    """Value(s) of a digit run: [(offset, length, value, precision)], several when the run is a list
    ("22,24,26"), None when it is not a quantity (version/IP-like "3.8.0")."""
    if raw[0] in ".,":
        return [(0, len(raw), Decimal("0." + raw[1:]), len(raw) - 1)]
    if any(c in _SPACE_SEPS for c in raw):
        body = "".join(c for c in raw if c not in _SPACE_SEPS)
        m = re.search(r"[.,]", body)
        if m:
            return [(0, len(raw), Decimal(body[: m.start()] + "." + body[m.end():]), len(body) - m.end())]
        return [(0, len(raw), Decimal(body), 0)]
    n_dot = raw.count(".")
    n_com = raw.count(",")
    if not n_dot and not n_com:
        return [(0, len(raw), Decimal(raw), 0)]
    groups = re.split(r"[.,]", raw)
    if n_dot and n_com:
        last = max(raw.rfind("."), raw.rfind(","))
        dm = raw[last]
        intpart, frac = raw[:last], raw[last + 1:]
        igroups = re.split(r"[.,]", intpart)
        if dm not in intpart and all(len(g) == 3 for g in igroups[1:]) and 1 <= len(igroups[0]) <= 3:
            return [(0, len(raw), Decimal("".join(igroups) + "." + frac), len(frac))]
        return _split(raw)
    sep = "." if n_dot else ","
    if n_dot + n_com > 1:
        if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
            return [(0, len(raw), Decimal("".join(groups)), 0)]
        if sep == ".":
            return None  # version / IP address
        return _split(raw)
    a, b = groups
    decimal = True
    if len(b) == 3 and 1 <= len(a) <= 3 and a != "0":
        if sep == dec_mark:
            decimal = sep == "." or scaled
        else:
            decimal = False
    if decimal:
        return [(0, len(raw), Decimal(a + "." + b), len(b))]
    return [(0, len(raw), Decimal(a + b), 0)]


def _split(raw: str) -> list[tuple[int, int, Decimal, int]]:
    out = []
    for m in re.finditer(r"\d+", raw):
        out.append((m.start(), m.end() - m.start(), Decimal(m.group()), 0))
    return out


class _Tok:
    __slots__ = ("t", "s", "e")

    def __init__(self, t: str, s: int, e: int) -> None:
        self.t, self.s, self.e = t, s, e

    def text(self) -> str:
        return self.t

    def nt_separated(self, previous) -> bool:  # noqa: ARG002 - text2num protocol
        return False

    def not_a_number_part(self) -> bool:
        return False


@dataclass(slots=True)
class _Atom:
    start: int
    end: int
    value: Decimal
    precision: int | None
    word: bool
    raw: str
    frac: bool = False


_WORD_WINDOW = 60  # characters of context kept on each side of a number word for text2num


def _word_windows(text: str, L: _Lang) -> list[tuple[int, int]]:
    """Stretches of text (cut at spaces) around the words that may start a number written in words. A word
    right after a figure is the figure's scale ("12.3 billion", "5 millions"): it opens no stretch."""
    wins: list[tuple[int, int]] = []
    n = len(text)
    for m in L.hint_re.finditer(text):
        k = m.start()
        while k > 0 and text[k - 1] in _SPACES:
            k -= 1
        if k > 0 and text[k - 1].isdigit():
            continue
        lo = text.rfind(" ", 0, max(0, m.start() - _WORD_WINDOW)) + 1
        hi = text.find(" ", min(n, m.end() + _WORD_WINDOW))
        hi = n if hi < 0 else hi
        if wins and lo <= wins[-1][1]:
            wins[-1] = (wins[-1][0], hi)
        else:
            wins.append((lo, hi))
    return wins


def _word_atoms(text: str, lang: str, L: _Lang) -> list[_Atom]:
    wins = _word_windows(text, L)
    if not wins:
        return []
    try:
        from text_to_num import find_numbers
    except ImportError:  # pragma: no cover
        return []
    out: list[_Atom] = []
    for lo, hi in wins:
        # text2num works on tokens; feed it the stretches around number words only (bounded work)
        toks = [_Tok(m.group(), m.start(), m.end()) for m in _TOK_RE.finditer(text, lo, hi)]
        if toks:
            out.extend(_window_atoms(text, lang, L, toks, find_numbers))
    return out


def _window_atoms(text: str, lang: str, L: _Lang, toks: list[_Tok], find_numbers) -> list[_Atom]:
    out: list[_Atom] = []
    for tl in (lang,):
        try:
            occ = find_numbers(toks, tl, 0.0)
        except BaseException:  # text2num's Rust panics are BaseException
            occ = []
        for o in occ:
            if o.is_ordinal:
                continue
            span = toks[o.start:o.end]
            if any(t.t[0].isdigit() for t in span):
                continue
            try:
                val = Decimal(o.text)
            except InvalidOperation:
                val = Decimal(str(o.value))
            s, e = span[0].s, span[-1].e
            prec = 0 if val == val.to_integral_value() else None
            out.append(_Atom(s, e, val, prec, True, text[s:e]))
    # fractions in words: "three fifths", "a half", "cent et trois quarts"
    if L.frac is not None and L.frac.denominators:
        def gap_ok(i: int, j: int) -> bool:
            g = text[toks[i].e:toks[j].s]
            return not g or not g.strip(" \t\u00a0\u202f")

        def is_scale(w: str):
            v = L.scales_ci.get(w)
            return v if v is not None and w.isalpha() and len(w) > 3 else None

        spans = _num.fraction_spans(toks, L.frac, lang, is_scale, gap_ok)
        for sp in spans:
            s, e = toks[sp.first].s, toks[sp.last].e
            out = [a for a in out if a.end <= s or a.start >= e]
            out.append(_Atom(s, e, sp.value, None, True, text[s:e], frac=True))
        if spans:
            out.sort(key=lambda a: a.start)
    return out


# ----------------------------------------------------------------------------------------------
# context helpers

_CUR_AFTER_RE = re.compile(
    _SP + r"{0,3}(?P<conn>(?:(?i:de|d['’]|of|en|in)" + _SP + r"{0,2})?)"
    r"(?P<w>[^\s\d|()\[\],;:!?\"«»]{1,24}(?:" + _SP + r"{1,2}[^\s\d|()\[\],;:!?\"«»]{1,24}){0,4})"
)
_WORD_SPLIT_RE = re.compile(r"\S+")
_PUNCT_TRAIL = ".,*:;!?'’\""
_LEAD_STRIP = "([{|\"«"


def _lookup_words(words: list[tuple[str, int, int]], text_lower: str, hints, from_end: bool):
    """Longest run of words (from the start, or from the end) naming a currency."""
    t = _cur.tables()
    if not from_end and words:
        # every candidate below starts with the first word, that word without its trailing punctuation,
        # or its first character: none of them starts a currency name -> no currency here
        w0 = words[0][0]
        if not (t.may_start(w0, hints) or t.may_start(w0.rstrip(_PUNCT_TRAIL), hints) or t.may_start(w0[0], hints)):
            return None
    n_max = min(len(words), t.max_words)
    for n in range(n_max, 0, -1):
        chunk = words[-n:] if from_end else words[:n]
        surface = " ".join(w for w, _, _ in chunk)
        cands = [surface]
        stripped = surface.rstrip(_PUNCT_TRAIL)
        if stripped and stripped != surface:
            cands.append(stripped)
        if not from_end and n == 1 and len(surface) > 1 and not surface[0].isalnum():
            cands.append(surface[0])  # "€ur", "$."
        for c in cands:
            code = _cur.resolve(c, text_lower, hints)
            if code:
                s = chunk[0][1]
                e = chunk[-1][1] + len(c) if n == 1 else chunk[-1][2] - (len(surface) - len(c) if c != surface.replace(" ", "") else 0)
                return code, s, e
    return None


def _currency_after(text: str, pos: int, text_lower: str, hints, allow_conn: bool = True):
    m = _CUR_AFTER_RE.match(text, pos)
    if not m:
        return None
    if m.group("conn") and not allow_conn:
        return None
    base = m.start("w")
    words = [(w.group(), base + w.start(), base + w.end()) for w in _WORD_SPLIT_RE.finditer(m.group("w"))]
    r = _lookup_words(words, text_lower, hints, from_end=False)
    if r is None:
        return None
    code, s, e = r
    if e < len(text) and text[e].isalnum() and text[e - 1].isalnum():
        return None  # currency word continues ("euro" in "europe")
    return code, e


def _currency_before(text: str, pos: int, floor: int, text_lower: str, hints):
    lo = max(floor, pos - 48)
    chunk = text[lo:pos]
    if not chunk:
        return None
    # no digits between the currency and the number
    ws = [(w.group(), lo + w.start(), lo + w.end()) for w in _WORD_SPLIT_RE.finditer(chunk)]
    if not ws:
        return None
    # words must be contiguous up to pos (only spaces/colon between)
    tail = text[ws[-1][2]:pos]
    if tail.strip(" \t\u00a0\u202f:"):
        return None
    # strip leading punctuation of the first word considered / trailing colon of the last
    cleaned = []
    for w, s, e in ws[-4:]:
        if any(c.isdigit() for c in w):
            cleaned = []
            continue
        cleaned.append((w, s, e))
    if not cleaned:
        return None
    last_w, ls, le = cleaned[-1]
    if last_w.endswith(".") and len(last_w.rstrip(".")) and not last_w.rstrip(".")[-1].isalnum():
        last_w = last_w.rstrip(".")  # "$.75", "$..75"
        cleaned[-1] = (last_w, ls, ls + len(last_w))
    if last_w.endswith(":"):
        last_w = last_w.rstrip(":")
        cleaned[-1] = (last_w, ls, ls + len(last_w))
    # every candidate below ends with the last word (alone, it may lose leading punctuation; "MEUR"-like
    # glued scales are read from it): none of them ends a currency name -> no currency here
    t = _cur.tables()
    alone = last_w.lstrip(_LEAD_STRIP + "~≈-−–+<>≥≤") or last_w[-1:]
    if not (t.may_end(last_w, hints) or t.may_end(alone, hints) or (len(alone) >= 4 and alone[0] in "Mkm")):
        return None
    for n in range(min(len(cleaned), t.max_words), 0, -1):
        chunk_w = cleaned[-n:]
        first, fs, fe = chunk_w[0]
        k = 0
        while k < len(first) - 1 and first[k] in _LEAD_STRIP + "~≈-−–+<>≥≤":
            k += 1
        chunk_w = [(first[k:], fs + k, fe)] + chunk_w[1:]
        surface = " ".join(w for w, _, _ in chunk_w)
        for c in (surface,):
            if not c:
                continue
            code = _cur.resolve(c, text_lower, hints)
            if code:
                return code, chunk_w[0][1]
            # scale + code glued before the number: "MAUD 60", "MEUR 5"
            if len(c) >= 4 and c[0] in "Mk" and c[1:].isupper() and c[1:] in t.codes:
                return (_cur.resolve(c[1:], text_lower, hints), Decimal("1e6") if c[0] == "M" else Decimal("1e3")), chunk_w[0][1]
            if len(c) >= 4 and c[0] in "Mm" and c[1:].lower() in ("aud", "usd", "eur", "gbp", "cad"):
                return (_cur.resolve(c[1:].upper(), text_lower, hints), Decimal("1e6")), chunk_w[0][1]
    return None


# ----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Build:
    start: int
    end: int
    value: Decimal
    precision: int | None
    unit: str | None = None
    kind: str = "number"
    scale: Decimal | None = None
    flags: set = field(default_factory=set)
    value_high: Decimal | None = None
    word: bool = False
    plain4: bool = False
    frac: bool = False
    cur_before: bool = False
    text_start: int | None = None


def _scale_at(L: _Lang, text: str, pos: int):
    m = L.scale_re.match(text, pos)
    if not m:
        return None
    if m.group("w"):
        k = " ".join(m.group("w").lower().split())
        v = L.scales_ci.get(k)
        if v is None:
            return None
    elif m.group("u"):
        v = L.scales_cs[m.group("u")]
    else:
        v = L.scales_cs[m.group("g")]
    return v, m.end()


def _right(L: _Lang, text: str, text_lower: str, b: _Build, hints, glued_ok: bool) -> None:
    """Extend an amount to the right: exponent, scale, currency, percent, unit."""
    pos = b.end
    # exponent / power forms
    m = _EXP_RE.match(text, pos)
    if m and not b.word:
        try:
            with localcontext() as ctx:
                ctx.prec = 28
                if m.group("e") is not None:
                    b.value = b.value.scaleb(int(m.group("e")))
                elif m.group("ce") is not None:
                    e = int(m.group("ce"))
                    if m.group("c") == "-":
                        e = -e
                    b.value = b.value ** e
                else:
                    b.value = b.value.scaleb(int(m.group("t")))
            b.precision = None
            pos = m.end()
        except (InvalidOperation, OverflowError, ValueError):
            pass
    sc = _scale_at(L, text, pos)
    if sc and sc[0] == 100 and L.frac is not None and b.value == b.value.to_integral_value():
        # "3 hundred and 21"
        hm = _HUNDRED_AND_RE.match(text, sc[1])
        if hm and hm.group(1).lower() in L.frac.ands and not _scale_at(L, text, hm.end()):
            b.value = b.value * 100 + Decimal(hm.group(2))
            b.end = pos = hm.end()
            b.scale = Decimal(1)
            sc = None
    if sc and L.en_scales and b.value >= 2:
        w = text[pos:sc[1]].strip().lower()
        if w in ("billion", "trillion"):
            sc = (L.en_scales[w], sc[1])  # French needs "billions" here: "HK$3.5 billion" is English usage
    if sc:
        b.scale = sc[0]
        b.value *= sc[0]
        pos = sc[1]
    # currency with a scale glued before it: "M€", "Md$", "k€", "MEUR"
    if b.scale is None:
        mm = _GLUED_SCALE_RE.match(text, pos)
        if mm:
            c = _currency_after(text, mm.end(), text_lower, hints, allow_conn=False)
            if c:
                mult = Decimal("1e9") if mm.group(1).startswith("Md") else Decimal("1e6") if mm.group(1) == "M" else Decimal("1e3")
                b.value *= mult
                b.scale = mult
                b.unit, b.kind = c[0], "money"
                pos = c[1]
    if b.unit is None:
        h = L.half_re.match(text, pos)
        if h:
            last = text[b.start:pos].split()[-1].lower() if b.word else ""
            if b.scale is None and last in L.scales_ci:
                b.value += L.scales_ci[last] / 2
            elif b.scale is not None:
                b.value += b.scale / 2
            else:
                b.value += Decimal("0.5")
            pos = h.end()
    if b.unit is None:
        c = _currency_after(text, pos, text_lower, hints)
        if c and _DIGIT_NEXT_RE.match(text, c[1]) and _currency_before(text, b.start, max(0, b.start - 12), text_lower, hints):
            c = None  # "rmb 10 usd 20": the currency belongs to the next number
        if c:
            b.unit, b.kind = c[0], "money"
            pos = c[1]
            if b.scale is None:  # "75 USD million"
                sc = _scale_at(L, text, pos)
                if sc and sc[0] >= 1000:
                    b.scale = sc[0]
                    b.value *= sc[0]
                    pos = sc[1]
            # cents: "15 dollars 50", "20 dollars 43 cents", "3 CAD 3 cents"
            if b.scale is None and b.precision == 0 and not _currency_before(text, b.start, max(0, b.start - 12), text_lower, hints):
                cm = _CENTS_RE.match(text, pos)
                if cm and _currency_after(text, cm.end(), text_lower, hints, allow_conn=False) is None:
                    b.value += Decimal(cm.group(1)) / (100 if len(cm.group(1)) == 2 else 100)
                    b.precision = 2
                    pos = cm.end()
    if b.unit is None:
        p = L.pct_re.match(text, pos)
        if p:
            if p.group("pct"):
                b.unit, b.kind = "percent", "percent"
            elif p.group("bp"):
                b.unit, b.kind = "basis point", "quantity"
            else:
                b.unit, b.kind = "points", "quantity"
            pos = p.end()
    if b.unit is None and b.scale is not None and b.scale >= 1000 and L.unit_link_re is not None:
        lk = L.unit_link_re.match(text, pos)
        if lk:
            u = L.unit_re.match(text, lk.end())
            if u and (u.group("ci") or u.group("cs")):
                word = u.group("ci") or u.group("cs")
                unit = L.units.get(word) or L.units.get(word.lower())
                if unit:
                    b.unit, b.kind = unit, "quantity"
                    pos = u.end()
    if b.unit is None:
        u = L.unit_re.match(text, pos)
        if u:
            word = u.group("ci") or u.group("cs") or u.group("gl")
            unit = L.units.get(word) or L.units.get(word.lower())
            if unit:
                b.unit, b.kind = unit, "quantity"
                pos = u.end()
    b.end = pos


_GLUED_SCALE_RE = re.compile(r"" + _SP + r"?(Mds|Md|M|k|K)(?=[^\W\d_]{3}(?![^\W\d_])|[$€£¥])")
_CENTS_RE = re.compile(
    _SP + r"{1,2}(?:(?i:and|et|&)" + _SP + r"{1,2})?(\d{1,2})(?:" + _SP
    + r"?(?i:cents?|c|kopiykas?|kopecks?|centimes?|pence|p)\b)?(?!\d|[.,]\d|[^\W\d_]|" + _SP
    + r"?[^\W\d_]*[$€£¥]|" + _SP + r"?(?i:%|[a-z]{3}\b(?<!and)))"
)


def _left(L: _Lang, text: str, text_lower: str, b: _Build, floor: int, hints) -> None:
    """Extend to the left: currency prefix, sign; record approx/negative words (not in the span)."""
    s = b.start
    if b.unit is None or b.kind != "money":
        c = _currency_before(text, s, floor, text_lower, hints)
        if c:
            code, cs = c
            if isinstance(code, tuple):
                code, mult = code
                if b.scale is None:
                    b.value *= mult
                    b.scale = mult
            if code and b.kind in ("number",):
                b.unit, b.kind = code, "money"
                b.cur_before = True
                s = cs
    # sign glued before (number or currency): "-$12 million", "−1,8 %"
    if s > floor and text[s - 1] in "-−" and (s - 1 == 0 or not text[s - 2].isalnum()):
        if not (s - 1 > 0 and text[s - 2] in "-−"):
            s -= 1
            b.value = -b.value
            b.flags.add("negative")
    elif s > floor and text[s - 1] == "~":
        b.flags.add("approx")
        s -= 1
    b.text_start = s
    before = text[max(floor, s - 40):s]
    if before:
        if L.approx_before_re.search(before):
            b.flags.add("approx")
        elif L.neg_before_re.search(before) and "negative" not in b.flags:
            b.value = -b.value
            b.flags.add("negative")


_PREV_CAP_RE = re.compile(r"(?<![^\W\d_])[A-Z][^\W\d_]*[a-z][^\W\d_]*" + _SP + r"$")
_PREV_WORD_RE = re.compile(r"([^\W\d_]+)" + _SP + r"{1,3}$")
_MONTH_AFTER_RE = re.compile(_SP + r"{1,2}(?:er" + _SP + r")?([^\W\d_]{3,10})(?![^\W\d_])")
_MONTH_BEFORE_RE = re.compile(r"([^\W\d_]{3,10})\.?" + _SP + r"{1,2}$")


def _is_date_context(text: str, start: int, end: int, months) -> bool:
    before = text[max(0, start - 12):start]
    mb = _MONTH_BEFORE_RE.search(before)
    if mb and mb.group(1).lower() in months:
        return True
    ma = _MONTH_AFTER_RE.match(text, end)
    if ma and ma.group(1).lower() in months:
        # "3 mars", "30 juin 2025", "1 October"; but not "3 mois"
        return True
    return False


def find_amounts(text: str, lang: str, *, currency_hints: Mapping[str, str] | None = None) -> list[Amount]:
    """All amounts in text, in order, non-overlapping (see module docstring)."""
    if not text or not isinstance(text, str):
        return []
    L = _lang(lang)
    has_digit = _DIGIT_RE.search(text) is not None
    words = _word_atoms(text, L.lang, L)
    has_vulgar = not _VULGAR_CHARS.isdisjoint(text)
    if not has_digit and not words and not has_vulgar:
        # a number word that is the whole text: "single", "nought"
        w = text.strip(_ALONE_STRIP)
        v = L.alone_words.get(_num.fold(w)) if len(w) < 12 else None
        if v is None:
            return []
        s = text.index(w)
        words = [_Atom(s, s + len(w), v, 0, True, w)]
    hints = None
    if currency_hints:
        hints = {}
        for k, v in currency_hints.items():
            hints[k] = v
            hints[_cur.norm_key(k)] = v
    text_lower = text.lower()
    months = _cur.tables().months

    atoms: list[_Atom] = []
    if has_digit:
        phones = [(p.start(), p.end()) for p in _PHONE_RE.finditer(text)] if ("+" in text or "(" in text or "-" in text) else []
        for m in _NUM_RE.finditer(text):
            raw = m.group()
            if len(raw) > 40:
                continue  # a digit string, not a quantity
            if phones and any(ps <= m.start() < pe for ps, pe in phones):
                continue
            if text.startswith(".", m.end()) and _DOMAIN_RE.match(text, m.end()):
                continue  # "1688.com"
            # scaled? (decides "853,126 milliards" vs "93,456")
            scaled = bool(_scale_at(L, text, m.end()) or L.pct_re.match(text, m.end()))
            parsed = _parse_digits(raw, L.decimal_mark, scaled)
            if parsed is None:
                continue
            if m.start() > 0 and text[m.start() - 1].isalpha() and not _glued_currency(text, m.start(), text_lower, hints):
                continue  # "Qwen2", "FY2025", "Q3", "B2B" (but "EUR29,99", "RMB53,178", "USD115")
            for off, ln, val, prec in parsed:
                s = m.start() + off
                atoms.append(_Atom(s, s + ln, val, prec, False, raw[off:off + ln]))
    if words:
        atoms.extend(words)
    if has_vulgar:
        for vm in _VULGAR_RE.finditer(text):
            whole = vm.group(1)
            s = vm.start()
            if whole:
                atoms = [x for x in atoms if not (x.start <= s < x.end)]
            v = Decimal(str(unicodedata.numeric(vm.group(2)))).quantize(Decimal("1e-12")).normalize()
            if whole:
                v += Decimal(whole.strip())
            atoms.append(_Atom(s, vm.end(), v, None, True, vm.group(), frac=True))
        words = words or atoms
    if words:
        atoms.sort(key=lambda a: a.start)

    if len(atoms) > 1:
        atoms = _merge_atoms(L, text, atoms)

    out: list[Amount] = []
    floor = 0
    i = 0
    by_start = {a.start: a for a in atoms}
    n = len(atoms)
    while i < n:
        a = atoms[i]
        i += 1
        if a.start < floor:
            continue
        b = _build(L, text, text_lower, a, floor, hints, months)
        if b is None:
            continue
        # range: "3-5%", "entre 3 et 5%", "from 88 yuan to 888 yuan", "between $1 and $2 billion"
        rm = L.range_conn_re.match(text, b.end)
        if rm and rm.end() > b.end:
            b2 = _range_partner(L, text, text_lower, b, rm, by_start, hints, months)
            if b2 is not None:
                b = b2
        # a trailing "+" ("230+", "50 million+")
        if b.end < len(text) and text[b.end] == "+" and (b.end + 1 == len(text) or not text[b.end + 1].isalnum()):
            b.end += 1
            b.flags.add("approx")
        elif L.approx_after_re.match(text, b.end):
            b.flags.add("approx")
        # accounting negative "(8.2)%"
        if b.kind == "number" and b.text_start and text[b.text_start - 1] == "(" and text.startswith(")%", b.end):
            b.value = -b.value
            b.flags.add("negative")
            b.text_start -= 1
            b.end += 2
            b.unit, b.kind = "percent", "percent"
        # rating "4.6 / 5"
        if b.kind == "number" and b.scale is None:
            rt = _RATING_RE.match(text, b.end)
            if rt and b.precision and Decimal(rt.group(1)) >= b.value:
                b.unit, b.kind = "points", "quantity"
                b.end = rt.end()
        # rate: "par membre", "per user", "annually"
        pm = L.per_re.match(text, b.end)
        if pm and b.kind in ("money", "quantity", "number", "percent"):
            noun = pm.group("noun")
            if pm.group("adv") or (noun and noun.lower() not in L.not_nouns):
                if b.kind != "percent":
                    b.flags.add("per_unit")
                    b.end = pm.end()
        if not _keep(L, text, b, months):
            continue
        # equivalent: "RMB 39.8 billion (US$5.6 billion)"
        ts = b.text_start if b.text_start is not None else b.start
        if out and b.kind == "money" and out[-1].kind == "money":
            between = text[out[-1].end:ts]
            if len(between) < 60 and L.equiv_re.match(between):
                b.flags.add("equivalent")
        if b.unit is None:
            b.unit = "number"
        out.append(Amount(
            start=ts, end=b.end, text=text[ts:b.end], value=_clean(b.value), unit=b.unit, kind=b.kind,
            value_high=_clean(b.value_high) if b.value_high is not None else None,
            flags=frozenset(b.flags), precision=b.precision,
        ))
        floor = b.end
    return out


_VULGAR_CHARS = frozenset("½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞⅐⅑⅒")
_ALONE_STRIP = " \t\n\r\u00a0\u202f.,;:!?()\"'«»"


_NOT_ALONE_RE = re.compile("[^" + re.escape(_ALONE_STRIP) + "]")


def _alone(text: str, s: int, e: int) -> bool:
    """The amount is the whole phrase ("one", "Un.")."""
    return _NOT_ALONE_RE.search(text, 0, s) is None and _NOT_ALONE_RE.search(text, e) is None


def _merge_atoms(L: _Lang, text: str, atoms: list[_Atom]) -> list[_Atom]:
    """Join neighbouring atoms that make one number: "1 over twenty-one", "un sur trois", "trente 3"."""
    out: list[_Atom] = []
    i = 0
    n = len(atoms)
    while i < n:
        a = atoms[i]
        if i + 1 < n:
            b = atoms[i + 1]
            gap = text[a.end:b.start]
            # "<n> over <m>", "<n> sur <m>": a fraction when both are whole numbers with nothing after
            if (len(gap) > 3 and L.over_re is not None and a.precision == 0 and b.precision == 0 and not a.frac and not b.frac
                    and b.value != 0 and L.over_re.fullmatch(gap) and not b.raw.startswith("0")
                    and (a.value < b.value or a.value >= 100 * b.value)
                    and not (not b.word and len(b.raw) == 4 and 1700 <= b.value <= 2100)
                    and _ends_phrase(text, b.end)):
                with localcontext() as ctx:
                    ctx.prec = 28
                    v = a.value / b.value
                out.append(_Atom(a.start, b.end, v, None, True, text[a.start:b.end], frac=True))
                i += 2
                continue
            # "2 1/4", "2  1/4": a whole number then a fraction
            if (b.end < len(text) and text[b.end] == "/" and not a.word and not b.word and a.precision == 0
                    and b.precision == 0 and 0 < len(gap) <= 2 and gap.strip(" \u00a0") == "" and not a.frac):
                fm = _FRAC_RE.match(text, b.end)
                if fm and b.end < len(text) and text[b.end] == "/" and 0 < b.value < Decimal(fm.group(1)):
                    with localcontext() as ctx:
                        ctx.prec = 28
                        v = a.value + b.value / Decimal(fm.group(1))
                    out.append(_Atom(a.start, fm.end(), v, None, True, text[a.start:fm.end()], frac=True))
                    i += 2
                    continue
            # "trente 3": a tens word then a single digit
            if (a.word and len(b.raw) == 1 and not a.frac and not b.word and len(b.raw) == 1 and b.raw != "0" and gap in (" ", "-")
                    and 20 <= a.value <= 90 and a.value % 10 == 0 and _ends_phrase(text, b.end)):
                out.append(_Atom(a.start, b.end, a.value + b.value, 0, True, text[a.start:b.end]))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


_PHRASE_END_RE = re.compile(_SP + r"*(?:$|[.,;:!?)\]\n]|(?i:and|et|or|ou)(?![^\W\d_]))")


def _ends_phrase(text: str, pos: int) -> bool:
    return _PHRASE_END_RE.match(text, pos) is not None


def _glued_currency(text: str, pos: int, text_lower: str, hints) -> bool:
    k = pos
    while k > 0 and pos - k < 12 and not text[k - 1].isspace() and not text[k - 1].isdigit():
        k -= 1
    word = text[k:pos].lstrip(_LEAD_STRIP + "~≈-−–+")
    if not word:
        return False
    if _cur.resolve(word, text_lower, hints):
        return True
    return len(word) >= 4 and word[0] in "Mm" and _cur.resolve(word[1:], text_lower, hints) is not None


def _clean(v: Decimal) -> Decimal:
    if v == v.to_integral_value():
        try:
            return v.quantize(Decimal(1))
        except InvalidOperation:
            return v
    return v.normalize() if v.adjusted() < 20 else v


def _build(L: _Lang, text: str, text_lower: str, a: _Atom, floor: int, hints, months, partner: bool = False):
    b = _Build(a.start, a.end, a.value, a.precision, word=a.word, frac=a.frac)
    b.plain4 = (not a.word) and len(a.raw) == 4 and a.raw.isdigit() and 1900 <= int(a.raw) <= 2100
    if not b.plain4 and not a.word and len(a.raw) == 4 and a.raw.isdigit() and 1700 <= int(a.raw) < 1900:
        b.plain4 = _alone(text, a.start, a.end) or bool(L.year_cue_re.search(text, max(0, a.start - 24), a.start))
    # clock times "10:30"
    if not a.word and a.end + 2 < len(text) and text[a.end] == ":" and text[a.end + 1:a.end + 3].isdigit():
        return None
    # fractions "3/4", "2 1/4"; "24/7", dates "17/05/2018" are not amounts
    if not a.word and a.end + 1 < len(text) and text[a.end] == "/" and text[a.end + 1].isdigit():
        fm = _FRAC_RE.match(text, a.end)
        if not fm or a.precision != 0:
            return None
        den = Decimal(fm.group(1))
        if den == 0 or a.value >= den:
            return None
        b.value = a.value / den
        b.precision = None
        b.end = fm.end()
    _right(L, text, text_lower, b, hints, True)
    # glued letters that are not a scale/unit/currency: "88VIP", "3rd", "2e", "1er"
    if not a.word and b.end == a.end and a.end < len(text) and (text[a.end].isalpha() or text[a.end] == "_"):
        return None
    if not partner:
        _left(L, text, text_lower, b, floor, hints)
        if b.cur_before and b.scale is None and b.precision == 0 and b.kind == "money" and b.value_high is None:
            _cents(L, text, b)
    return b


def _cents(L: _Lang, text: str, b: _Build) -> None:
    """"$20 and 43c", "US$3 and fourteen", "$119. 95"."""
    cm = _CENTS_AFTER_RE.match(text, b.end)
    if cm:
        if cm.group("d") is not None:
            b.value += Decimal(cm.group("d")) / 100
            b.precision, b.end = 2, cm.end()
            return
        v = _num.card((cm.group("w").lower(),), L.lang)
        if v is not None and 0 < v < 100 and v == v.to_integral_value() and _ends_phrase(text, cm.end()):
            b.value += v / 100
            b.precision, b.end = 2, cm.end()
        return
    sm = _SPACED_CENTS_RE.match(text, b.end)
    if sm:
        b.value += Decimal(sm.group(1)) / 100
        b.precision, b.end = 2, b.end + 1 + len(sm.group(0).rstrip()) - 1


def _range_partner(L, text, text_lower, b: _Build, rm, by_start, hints, months):
    is_and = rm.group("and") is not None
    ts = b.text_start if b.text_start is not None else b.start
    if is_and:
        bm = L.between_re.search(text[max(0, ts - 30):ts])
        if not bm:
            return None
    pos = rm.end()
    cur_prefix = None
    a2 = by_start.get(pos)
    if a2 is None:
        nm = _NUM_BODY_RE.match(text, pos)
        if nm:
            parsed = _parse_digits(nm.group(), L.decimal_mark, bool(_scale_at(L, text, nm.end()) or L.pct_re.match(text, nm.end())))
            if parsed and len(parsed) == 1:
                off, ln, val, prec = parsed[0]
                a2 = _Atom(pos, pos + ln, val, prec, False, nm.group())
    if a2 is None:
        # currency before the second number: "$45,000 - $70,000", "between $1 and $2 billion"
        m = re.compile(r"[^\s\d]{1,6}" + _SP + r"?").match(text, pos)
        if m and m.end() in by_start:
            c = _currency_before(text, m.end(), pos, text_lower, hints)
            if c and not isinstance(c[0], tuple):
                cur_prefix = c[0]
                a2 = by_start[m.end()]
    if a2 is None:
        return None
    b2 = _build(L, text, text_lower, a2, pos, hints, months, partner=True)
    if b2 is None:
        return None
    if cur_prefix:
        b2.unit, b2.kind = cur_prefix, "money"
    # units must agree (or one side has none)
    if b.unit and b2.unit and b.unit != b2.unit:
        return None
    if b.kind == "number" and b2.kind == "number" and b.scale is None and b2.scale is None and rm.group("dash") is None and not is_and:
        # "10 to 20" without unit: keep as two numbers unless "from"/"between" introduces them
        return None
    lo, hi = b.value, b2.value
    if b.scale is None and b2.scale is not None and not b.word:
        lo = lo * b2.scale
    if hi < lo:
        return None
    if b.plain4 and not b2.plain4 and not b.unit:
        return None  # "in fiscal 2025 to 48,300 accounts"
    if b.plain4 and b2.plain4 and not b.unit and not b2.unit:
        # "2024-2028": a span of years, not an amount
        b.flags.add("_years")
    b.value = lo
    b.value_high = hi
    b.flags.add("range")
    if b.unit is None:
        b.unit, b.kind = b2.unit, b2.kind
    if b.scale is None:
        b.scale = b2.scale
    b.end = b2.end
    if is_and:
        bm = L.between_re.search(text[max(0, ts - 30):ts])
        if bm:
            b.text_start = ts - (len(text[max(0, ts - 30):ts]) - bm.start())
    return b


def _keep(L: _Lang, text: str, b: _Build, months) -> bool:
    if "_years" in b.flags:
        return False
    bare = b.kind == "number" and b.scale is None
    if bare and b.plain4 and b.value_high is None:
        return False  # a year used as a date
    if b.word:
        if b.frac:
            return True
        if b.start > 1 and text[b.start - 1] == "-" and text[b.start - 2].isalpha():
            return False  # inside a compound word: "trailing-twelve-month"
        if bare and b.end - b.start > 3 and text[b.end - 1] in "sS" and text[b.start:b.end].lower() in L.scales_ci:
            return False  # "des millions de consommateurs", "thousands of"
        alone = _alone(text, b.start, b.end)
        small = (b.kind in ("number", "quantity") and b.scale is None and "negative" not in b.flags
                 and b.value_high is None)
        if small and b.value == 1:
            return alone  # "one of the", "une fois que", "sur un an"; but "one", "Un."
        if small and b.value == 2:
            pm = _PREV_WORD_RE.search(text, max(0, b.start - 24), b.start)
            if pm and pm.group(1).lower() in L.determiners:
                return False  # "the two companies", "les deux maisons"
        if bare and not alone and "negative" not in b.flags:
            w = text[b.start:b.end].lower()
            if w in L.bare_word_skip:
                return False
        return True
    if bare and b.value_high is None:
        ts = b.text_start if b.text_start is not None else b.start
        if ts > 1 and not text[ts - 2].isdigit() and L.not_before_re.search(text, max(0, ts - 16), ts):
            return False  # "ext. 4417", "Fortune 500", "slide 7"
        if b.precision and L.version_after_re.match(text, b.end) and ts > 0 and _PREV_CAP_RE.search(text, max(0, ts - 24), ts):
            return False  # "Qwen 2.5-coder", "Qwen 2.5 series"
    if bare or b.kind == "quantity":
        if b.value_high is None and b.value == b.value.to_integral_value() and abs(b.value) <= 31 and _is_date_context(text, b.start, b.end, months):
            return False
    if bare:
        # heading numbering "1. Title"
        if _LINE_START_RE.search(text[max(0, b.start - 8):b.start]) and _HEADING_AFTER_RE.match(text, b.end):
            return False
        # festival-like "11.11", "12.12"
        raw = text[b.start:b.end]
        if re.fullmatch(r"(\d{1,2})\.\1", raw):
            return False
    return True
