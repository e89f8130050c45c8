"""Numbers written in words (text2num, read only in stretches around number words; fractions by
``normalizers.numbers``), the atoms (one number each, digits or words) and how neighbouring atoms join
("un sur trois", "2 1/4", "trente 3")."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from .. import numbers as _num
from .digits import _FRAC_RE
from ..retrie import lowered_for_ci, word_start_matches
from .lexicon import _SP, _SPACES, _Lang

_TOK_RE = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*|[^\w\s]")


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
    for m in _hints(text, L):
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


def _hints(text: str, L: _Lang):
    """L.hint_re.finditer(text), or its matches read in the lower-cased text (the same spans, each word start
    checked: the lower-case trie has no look-behind)."""
    fast = L.hint_lower_re
    low = lowered_for_ci(text) if fast is not None else None
    return L.hint_re.finditer(text) if low is None else word_start_matches(fast, low)


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
    if L.article_scale_re is not None:
        # "a dozen", "about a dozen": the article stands for 1 (the scale word is read after it)
        taken = {a.start for a in out}
        extra = [_Atom(m.start(), m.start() + len(m.group().split()[0]), Decimal(1), 0, True, m.group().split()[0])
                 for lo, hi in wins for m in L.article_scale_re.finditer(text, lo, hi) if m.end() not in taken]
        extra = [x for x in extra if not any(a.start <= x.start < a.end for a in out)]
        if extra:
            out = sorted(out + extra, key=lambda a: a.start)
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
