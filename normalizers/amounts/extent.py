"""How far an amount reaches from its number: to the right an exponent, a scale, a currency, a percent or a unit
(and cents); to the left a currency and a sign, with the approximation and negation words before it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache

from .. import numbers as _num
from .currency_context import _currency_after, _currency_before
from .digits import _FRAC_RE
from .lexicon import _SP, _SPACES, _Lang, _lang
from .words import _Atom, _alone, _ends_phrase

_DIGIT_NEXT_RE = re.compile(_SP + r"{0,2}\d")
_HUNDRED_AND_RE = re.compile(_SP + r"{1,2}([^\W\d_]{2,4})" + _SP + r"{1,2}(\d{1,2})(?![\d.,])")
_CENTS_AFTER_RE = re.compile(
    _SP + r"{1,2}(?i:and|et|&)" + _SP + r"{1,2}(?:(?P<d>\d{1,2})" + _SP + r"?(?i:c|cents?|centimes?)(?![^\W\d_])|(?P<w>[^\W\d_]{3,12}(?:-[^\W\d_]{3,6})?))"
)
_SPACED_CENTS_RE = re.compile(r"\." + _SP + r"(\d{2})" + _SP + r"*$")
_GROUPED3_COMMA_RE = re.compile(r"\d{1,3},\d{3}")
_DASH_CENTS_RE = re.compile(r"[.,](?:[–—]|--?)(?![\w\d])")
_WORD_CENTS_RE = re.compile(
    _SP + r"{1,2}(?i:and|et|&)" + _SP + r"{1,2}(?P<w>[^\W\d_]{3,12}(?:[- ][^\W\d_]{3,6})?)" + _SP + r"{1,2}(?i:cents?|centimes?)(?![^\W\d_])"
)
_EXP_RE = re.compile(r"(?:[eE](?P<e>[+-]?\d{1,3})|\^(?P<c>[+-]{0,2})(?P<ce>\d{1,3})|" + _SP + r"?[x×]" + _SP + r"?10\^(?P<t>[+-]?\d{1,3}))(?![\w])")
BASIS_POINT = Decimal("0.01")  # percentage points in a basis point (normalizers/data/units.txt says the same)


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
    basis_points: bool = False  # value converted from basis points to points



def _subunit(L, b, text: str, pos: int) -> int | None:
    """A currency subunit right after the figure ("2.8p", "35 pence"): the amount becomes money in the main unit
    (x 0.01); returns where it ends, or None when there is none."""
    su = L.subunit_re.match(text, pos) if L.subunit_re is not None else None
    if not su:
        return None
    code, one = L.subunits[su.group("g") or su.group("w").lower()]
    b.value *= one
    b.unit, b.kind = code, "money"
    b.precision = None
    return su.end()

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


_SP_CHARS = frozenset(_SPACES)
_EXP_FIRST = frozenset("eE^x×")  # what an exponent (_EXP_RE) starts with, or a space and then "x" / "×"
_X_CHARS = frozenset("x×")
_GLUED_FIRST = frozenset("MkK")  # what a glued scale (_GLUED_SCALE_RE) starts with, or a space and then that


def _right(L: _Lang, text: str, text_lower: str, b: _Build, hints, scales: dict | None = None) -> None:
    """Extend an amount to the right: exponent, scale, currency, percent, unit. ``scales``: _scale_at already
    read at some positions."""
    pos = b.end
    # exponent / power forms
    c0 = text[pos:pos + 1]
    m = (_EXP_RE.match(text, pos)
         if c0 in _EXP_FIRST or (c0 in _SP_CHARS and text[pos + 1:pos + 2] in _X_CHARS) else None)
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
    sc = scales[pos] if scales and pos in scales else _scale_at(L, text, pos)
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
        c0 = text[pos:pos + 1]
        mm = (_GLUED_SCALE_RE.match(text, pos)
              if c0 in _GLUED_FIRST or (c0 in _SP_CHARS and text[pos + 1:pos + 2] in _GLUED_FIRST) else None)
        if mm:
            c = _currency_after(text, mm.end(), text_lower, hints, allow_conn=False)
            if c:
                mult = Decimal("1e9") if mm.group(1).startswith("Md") else Decimal("1e6") if mm.group(1) == "M" else Decimal("1e3")
                b.value *= mult
                b.scale = mult
                b.unit, b.kind = c[0], "money"
                pos = c[1]
    if b.unit is None:
        h = L.half_re.match(text, pos) if text[pos:pos + 1] in _SP_CHARS else None  # it opens with a space
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
            # cents in words: "thirteen dollars and forty-five cents"
            if b.scale is None and (b.word or b.precision == 0):
                wm = _WORD_CENTS_RE.match(text, pos)
                if wm:
                    v = _num.card(tuple(wm.group("w").lower().replace("-", " ").split()), L.lang)
                    if v is None:
                        v = _num.card((wm.group("w").lower(),), L.lang)
                    if v is not None and 0 < v < 100 and v == v.to_integral_value():
                        b.value += v / 100
                        b.precision = 2
                        pos = wm.end()
            # cents: "15 dollars 50", "20 dollars 43 cents", "3 CAD 3 cents"
            if b.scale is None and b.precision == 0 and not _currency_before(text, b.start, max(0, b.start - 12), text_lower, hints):
                cm = _CENTS_RE.match(text, pos)
                if cm and _currency_after(text, cm.end(), text_lower, hints, allow_conn=False) is None:
                    b.value += Decimal(cm.group(1)) / (100 if len(cm.group(1)) == 2 else 100)
                    b.precision = 2
                    pos = cm.end()
    if b.unit is None and b.scale is None:
        pos = _subunit(L, b, text, pos) or pos
    if b.unit is None:
        p = L.pct_re.match(text, pos)
        if p:
            if p.group("pct"):
                b.unit, b.kind = "percent", "percent"
            elif p.group("bp"):  # a basis point is a hundredth of a percentage point: +320bps = 3.2 points
                b.unit, b.kind = "points", "quantity"
                b.value *= BASIS_POINT
                b.basis_points = True
                if b.precision is not None:
                    b.precision += 2
            else:
                b.unit, b.kind = "points", "quantity"
            pos = p.end()
    if b.unit is None and b.scale is not None and b.scale >= 1000 and L.unit_link_re is not None:
        lk = L.unit_link_re.match(text, pos) if text[pos:pos + 1] in _SP_CHARS else None  # it opens with a space
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
        approx, negative = _before_cues(L, before)
        if approx:
            b.flags.add("approx")
        elif negative and "negative" not in b.flags:
            b.value = -b.value
            b.flags.add("negative")


def _before_cues(L: _Lang, before: str) -> tuple[bool, bool]:
    """Does the text before an amount end with an approximation word ("about", "environ"), with a negation
    word? Those 40 characters repeat ("| ", "revenue of "): cached by language and text."""
    if _lang(L.lang) is L:
        return _cached_before_cues(L.lang, before)
    return bool(L.approx_before_re.search(before)), bool(L.neg_before_re.search(before))


@lru_cache(maxsize=16_384)
def _cached_before_cues(lang: str, before: str) -> tuple[bool, bool]:
    L = _lang(lang)
    return bool(L.approx_before_re.search(before)), bool(L.neg_before_re.search(before))


def _build(L: _Lang, text: str, text_lower: str, a: _Atom, floor: int, hints, months, partner: bool = False,
           scales: dict | None = None):
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
    _right(L, text, text_lower, b, hints, scales)
    if b.kind == "money" and not a.word and b.scale is None:
        if (L.decimal_mark == "," and not partner and _GROUPED3_COMMA_RE.fullmatch(a.raw)
                and not _currency_before(text, a.start, max(floor, a.start - 12), text_lower, hints)):
            # French "12,345 $": a comma before a currency written after the number is the decimal mark
            b.value = Decimal(a.raw.replace(",", "."))
            b.precision = 3
    # glued letters that are not a scale/unit/currency: "88VIP", "3rd", "2e", "1er"
    if not a.word and b.end == a.end and a.end < len(text) and (text[a.end].isalpha() or text[a.end] == "_"):
        return None
    # a letter glued between digits: "G7H 4B6", "A4B2" (a code, not "4 billion")
    if not a.word and b.end > a.end and b.end < len(text) and text[b.end].isdigit() and text[b.end - 1].isalpha():
        return None
    if not partner:
        _left(L, text, text_lower, b, floor, hints)
        if b.kind == "money" and b.precision == 0 and b.scale is None:
            dm = _DASH_CENTS_RE.match(text, b.end)
            if dm:
                b.end = dm.end()  # Swiss "CHF 4'900.–", "Fr. 650.-": no cents
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


_CELL_BEFORE_RE = re.compile(r"(?:^|\|)[ \t]*$")
_CELL_AFTER_RE = re.compile(r"[ \t]*(?:$|\|)")


def _accounting(L: _Lang, text: str, text_lower: str, b: _Build, floor: int, hints) -> bool:
    """Accounting negative: a number in parentheses, with its currency before the "(" and its scale, percent or
    subunit after the ")": "(3.6)%", "£(4.5)m", "$(12.4) million", "£(8.1m)", "(1.2)p"; a bare "(1,234)" only when
    it is a whole table cell. Extends b and returns True when it is one."""
    ts = b.text_start if b.text_start is not None else b.start
    if ts <= floor or text[ts - 1] != "(" or b.value_high is not None or "negative" in b.flags:
        return False
    if b.kind != "number" or not text.startswith(")", b.end) or b.value < 0:
        return False  # "(2,54 milliards de $)", "(US$5.6 billion)": a whole amount in parentheses
    marked = False  # only what stands outside the parentheses marks the notation
    pos = b.end + 1
    if b.scale is None:
        sc = _scale_at(L, text, pos)
        if sc and not (b.word or sc[0] < 1000):
            b.scale = sc[0]
            b.value *= sc[0]
            pos = sc[1]
            marked = True
    if b.kind == "number":
        p = L.pct_re.match(text, pos)
        if p and p.group("pct"):
            b.unit, b.kind = "percent", "percent"
            pos = p.end()
            marked = True
    if b.kind == "number" and b.scale is None:
        end = _subunit(L, b, text, pos)
        if end:
            pos, marked = end, True
    start = ts - 1
    if b.kind == "number":
        c = _currency_before(text, ts - 1, floor, text_lower, hints)
        if c and not isinstance(c[0], tuple):
            b.unit, b.kind = c[0], "money"
            start = c[1]
            marked = True
        else:
            c = _currency_after(text, pos, text_lower, hints, allow_conn=False)
            if c:
                b.unit, b.kind = c[0], "money"
                pos = c[1]
                marked = True
    if not marked:
        if not (_CELL_BEFORE_RE.search(text, max(floor, ts - 1 - 40), ts - 1) and _CELL_AFTER_RE.match(text, b.end + 1)):
            return False
    b.value = -b.value
    b.flags.add("negative")
    b.text_start = start
    b.end = max(pos, b.end + 1)
    return True
