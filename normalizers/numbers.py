"""Numbers written in words that text2num does not read on its own: fractions.

"three fifths", "a half", "two and fifty-four hundredths", "one hundred thirty-fifths", "un sur trois",
"cent et trois quarts", "cinq milliards et trois quarts", "quarter million", "deux tiers de million".

The words (denominators, articles, "and", "over") come from ``data/{fr,en}/amounts.toml`` ``[fractions]``;
cardinals are read by text2num. Work is bounded: a fraction is looked for only around a denominator word (or an
"over" word), and at most a dozen words before it are considered.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache

from .text import fold as _fold

__all__ = ["Fractions", "fraction_spans", "card", "word_key"]

_MAX_WORDS = 12


def word_key(s: str) -> str:
    """Key of a number word: lower case, accents removed, typographic apostrophe as '."""
    return _fold(s, quotes="’")


@dataclass(frozen=True)
class Fractions:
    lang: str
    denominators: dict[str, int]      # folded word (singular and plural) -> value
    compound_only: dict[str, int]     # "first", "second": only as the tail of a compound ordinal
    alone: frozenset[str]             # "half", "quarter": read without a numerator in some contexts
    articles: frozenset[str]          # "a", "an", "one", "un", "une"
    ands: frozenset[str]              # "and", "et"
    over: tuple[tuple[str, ...], ...]  # ("over",), ("out", "of"), ("sur",)
    of_scale: tuple[tuple[str, ...], ...]


def build(lang: str, data: dict) -> Fractions:
    def forms(table: dict) -> dict[str, int]:
        out: dict[str, int] = {}
        for w, v in table.items():
            for f in {word_key(w), w.lower()}:
                out.setdefault(f, int(v))
                if not f.endswith("s"):
                    out.setdefault(f + "s", int(v))
        return out

    return Fractions(
        lang=lang,
        denominators=forms(data.get("denominators", {})),
        compound_only=forms(data.get("compound_only", {})),
        alone=frozenset(word_key(w) for w in data.get("alone", [])) | frozenset(word_key(w) + "s" for w in data.get("alone", [])),
        articles=frozenset(word_key(w) for w in data.get("articles", [])),
        ands=frozenset(word_key(w) for w in data.get("and", [])),
        over=tuple(tuple(word_key(w).split()) for w in sorted(data.get("over", []), key=len, reverse=True)),
        of_scale=tuple(tuple(word_key(w).replace("'", " ' ").split()) for w in sorted(data.get("of_scale", []), key=len, reverse=True)),
    )


@lru_cache(maxsize=4096)
def card(words: tuple[str, ...], lang: str) -> Decimal | None:
    """Value of a whole cardinal written in words (text2num), None when the words are not one number."""
    if not words:
        return None
    try:
        from text_to_num import text2num
    except ImportError:  # pragma: no cover
        return None
    try:
        v = text2num(" ".join(words), lang)
    except BaseException:  # ValueError; text2num's Rust panics are BaseException
        return None
    return Decimal(v)


def _composable(v: Decimal, d: int) -> bool:
    """A cardinal v followed by the ordinal d makes one ordinal ("twenty" + "first", "hundred" + "fifth")."""
    if v <= 0 or v != v.to_integral_value():
        return False
    place = 10 ** len(str(d))
    return int(v) % place == 0 and int(v) > d


def _div(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return a / b


@dataclass
class Span:
    first: int        # index of the first token
    last: int         # index of the last token (inclusive)
    value: Decimal


def fraction_spans(toks, F: Fractions, lang: str, is_scale, gap_ok) -> list[Span]:
    """Fractions among the tokens. ``toks[i].t`` is the token text; ``gap_ok(i, j)`` says token j directly
    follows token i (only spaces between); ``is_scale(word)`` gives a scale word's multiplier or None."""
    out: list[Span] = []
    dens, comps = F.denominators, F.compound_only
    if not any((w := t.t.lower()) in dens or w in comps or (not w.isascii() and (word_key(w) in dens or word_key(w) in comps))
               for t in toks):
        return out  # no denominator word at all: the common case, decided without folding every token
    n = len(toks)
    low = [word_key(t.t) for t in toks]
    glued = [i > 0 and toks[i].s == toks[i - 1].e for i in range(n)]
    j = 0
    while j < n:
        w = low[j]
        d = F.denominators.get(w)
        comp = F.compound_only.get(w) if d is None else None
        if d is None and comp is None:
            j += 1
            continue
        den_first = j
        dv = d if d is not None else comp
        hyphen_compound = False
        # compound ordinal glued with hyphens: "thirty-fifths", "twenty-first", "vingt-cinquième"
        if j >= 2 and low[j - 1] == "-" and glued[j] and glued[j - 1]:
            k = j - 2
            while k >= 2 and low[k - 1] == "-" and glued[k] and glued[k - 1]:
                k -= 2
            v = card(tuple(low[k:j - 1]), lang)
            if v is not None and _composable(v, dv):
                dv = int(v) + dv
                den_first = k
                hyphen_compound = True
        # the words before: cardinals, "and", "-", an article at the start
        words: list[tuple[str, int, int]] = []  # (word, first token, last token); hyphen-glued tokens joined
        k = den_first - 1
        if (not hyphen_compound and k >= 1 and low[k] == "-" and glued[k] and glued[k + 1]
                and card((low[k - 1],), lang) is not None):
            k -= 1  # numerator and denominator joined by a hyphen: "five-eighths", "two-thirds"
        while k >= 0 and len(words) < _MAX_WORDS and gap_ok(k, k + 1 if not words else words[0][1]):
            t = low[k]
            if t == "-" and k >= 1 and words and glued[k] and glued[k + 1] and glued[k]:
                # join "twenty" "-" "three"
                prev = low[k - 1]
                if card((prev,), lang) is None:
                    break
                wd, _, wl = words[0]
                words[0] = (prev + "-" + wd, k - 1, wl)
                k -= 2
                continue
            if t in F.ands and words and words[0][0] not in F.ands:
                words.insert(0, (t, k, k))
                k -= 1
                continue
            if t in F.articles:
                words.insert(0, (t, k, k))
                # an article starts the number, unless it follows "and" ("three and a third")
                if k >= 1 and low[k - 1] in F.ands and gap_ok(k - 1, k):
                    k -= 1
                    continue
                break
            if t.isalpha() and (card((t,), lang) is not None or is_scale(t)):
                words.insert(0, (t, k, k))
                k -= 1
                continue
            break
        while words and words[0][0] in F.ands:
            words.pop(0)
        # a scale after: "quarter million", "deux tiers de million", "two thirds of a million"
        mult, last2 = _scale_after(toks, low, j, F, is_scale, gap_ok)
        value = _evaluate([w for w, _, _ in words], dv, d is None and not hyphen_compound, F, lang, is_scale, mult)
        if value is not None:
            out.append(Span(words[0][1], last2, value))
            j = last2 + 1
            continue
        if d is not None and w in F.alone:
            mult, last2 = _scale_after(toks, low, j, F, is_scale, gap_ok)
            prev_ok = den_first > 0 and low[den_first - 1] in ("than", "de", "nearly", "almost", "over", "about")
            if mult is not None:
                out.append(Span(j, last2, _div(Decimal(mult), Decimal(d))))
                j = last2 + 1
                continue
            if prev_ok and (den_first < 2 or low[den_first - 2] not in ("the", "first", "second", "premier", "second")):
                out.append(Span(j, j, _div(Decimal(1), Decimal(d))))
        j += 1
    return out


def _scale_after(toks, low, j, F: Fractions, is_scale, gap_ok):
    n = len(toks)
    for conn in ((),) + F.of_scale + (("-",),):
        k = j + 1
        ok = True
        for c in conn:
            if k < n and low[k] == c and (gap_ok(k - 1, k) or c == "'" or low[k - 1] == "'"):
                k += 1
            else:
                ok = False
                break
        if not ok or k >= n or not (gap_ok(k - 1, k) or low[k - 1] == "'"):
            continue
        m = is_scale(low[k])
        if m is not None and (m >= 1000 or m == 12):
            return m, k
    return None, j


def _evaluate(ws: list[str], d: int, compound_required: bool, F: Fractions, lang: str, is_scale, mult):
    """Value of '<words> <ordinal d> [<scale mult>]', or None."""
    m = len(ws)
    if m == 0:
        return None
    if m > 1 and ws[0] in F.articles and card(tuple(ws[:1]), lang) is None:
        ws = ws[1:]  # "a hundred trillionths"
        m -= 1
    # "one hundred thirty fifths" = 100/35 (but "one hundred and thirty fifths" = 130/5)
    if m >= 2 and not compound_required:
        lastv = card(tuple(ws[-1:]), lang)
        if lastv is not None and _composable(lastv, d) and lastv < 100 and card(tuple(ws), lang) is not None:
            pv = card(tuple(ws[-2:-1]), lang)
            if pv is not None and pv >= 100 and ws[-2] not in F.ands:
                num = card(tuple(ws[:-1]), lang)
                if num is not None:
                    v = _div(num, lastv + d)
                    return v * Decimal(mult) if mult is not None else v
    # the denominator may take the last cardinal words ("one one hundred fifth" = 1/105); fewest first
    for k in range(0, m):
        den = Decimal(d)
        if k > 0:
            sv = card(tuple(ws[m - k:]), lang)
            if sv is None or ws[m - k] in F.ands or not _composable(sv, d):
                continue
            den = sv + d
        elif compound_required:
            continue
        p = ws[: m - k]
        if not p:
            continue
        val = _numerator(p, den, F, lang, is_scale, mult)
        if val is not None:
            return val
    return None


def _numerator(p: list[str], den: Decimal, F: Fractions, lang: str, is_scale, mult) -> Decimal | None:
    mult = Decimal(mult) if mult is not None else None
    if len(p) == 1 and p[0] in F.articles:
        v = _div(Decimal(1), den)
        return v * mult if mult is not None else v
    # mixed number: "<whole> and <numerator>"
    for i in range(len(p) - 2, 0, -1):
        if p[i] not in F.ands:
            continue
        whole = card(tuple(p[:i]), lang)
        right = p[i + 1:]
        num = Decimal(1) if len(right) == 1 and right[0] in F.articles else card(tuple(right), lang)
        if whole is None or num is None:
            continue
        if num < den:
            frac = _div(num, den)
            if mult is not None:
                # "one billion and a half million" / "one and a half million"
                return whole + frac * mult if whole >= mult else (whole + frac) * mult
            sc = is_scale(p[i - 1])
            if sc is not None and sc >= 1000:
                frac *= Decimal(sc)  # "cinq milliards et trois quarts"
            return whole + frac
        v = _div(whole + num, den)
        return v * mult if mult is not None else v
    v = card(tuple(p), lang)
    if v is None:
        return None
    v = _div(v, den)
    return v * mult if mult is not None else v
