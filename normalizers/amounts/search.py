"""find_amounts: read every number in a text (digits, words, vulgar fractions), extend each to its amount, join
ranges, mark approximations, rates and equivalents, and keep the amounts."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Mapping

from .. import currencies as _cur
from .. import numbers as _num
from .currency_context import _currency_before, _glued_currency, _Hints
from .digits import (_DIGIT_RE, _DOMAIN_RE, _NUM_BODY_RE, _NUM_RE, _PHONE_HINT_RE, _PHONE_RE, _VULGAR_CHAR_RE,
                     _VULGAR_RE, _parse_digits)
from .extent import _SP_CHARS, BASIS_POINT, _Build, _accounting, _build, _scale_at
from .filters import _keep
from .lexicon import _SP, _lang
from .words import _ALONE_STRIP, _Atom, _merge_atoms, _word_atoms

_CUR_PREFIX_RE = re.compile(r"[^\s\d]{1,6}" + _SP + r"?")
_RATING_RE = re.compile(_SP + r"{0,2}/" + _SP + r"{0,2}(5|10|20|100)(?![\d.,/])")


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


def find_amounts(text: str, lang: str, *, currency_hints: Mapping[str, str] | None = None) -> list[Amount]:
    """All amounts in text, in order, non-overlapping (see module docstring)."""
    if not text or not isinstance(text, str):
        return []
    L = _lang(lang)
    has_digit = _DIGIT_RE.search(text) is not None
    words = _word_atoms(text, L.lang, L)
    has_vulgar = _VULGAR_CHAR_RE.search(text) is not None
    if not has_digit and not words and not has_vulgar:
        # a number word that is the whole text: "single", "nought"
        w = text.strip(_ALONE_STRIP)
        v = L.alone_words.get(_num.word_key(w)) if len(w) < 12 else None
        if v is None:
            return []
        s = text.index(w)
        words = [_Atom(s, s + len(w), v, 0, True, w)]
    hints = _prepared_hints(currency_hints) if currency_hints else None
    text_lower = text.lower()
    months = _cur.tables().months

    atoms: list[_Atom] = []
    scales: dict = {}  # position -> _scale_at there
    if has_digit:
        phones = [(p.start(), p.end()) for p in _PHONE_RE.finditer(text)] if _PHONE_HINT_RE.search(text) else []
        for m in _NUM_RE.finditer(text):
            raw = m.group()
            if len(raw) > 40:
                continue  # a digit string, not a quantity
            if phones and any(ps <= m.start() < pe for ps, pe in phones):
                continue
            if text.startswith(".", m.end()) and _DOMAIN_RE.match(text, m.end()):
                continue  # "1688.com"
            # scaled? (decides "853,126 milliards" vs "93,456")
            sc = scales[m.end()] = _scale_at(L, text, m.end())  # _right reads it again there
            scaled = bool(sc or L.pct_re.match(text, m.end()))
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
        b = _build(L, text, text_lower, a, floor, hints, months, scales=scales)
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
        elif text[b.end:b.end + 1] in _SP_CHARS and L.approx_after_re.match(text, b.end):  # it opens with a space
            b.flags.add("approx")
        # accounting negative "(8.2)%", "£(4.5)m", "$(12.4) million", "(1.2)p"
        _accounting(L, text, text_lower, b, floor, hints)
        # rating "4.6 / 5"
        if b.kind == "number" and b.scale is None and "/" in text[b.end:b.end + 3]:  # (the "/" opens it, after 0-2 spaces)
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


def _prepared_hints(currency_hints: Mapping[str, str]) -> _Hints:
    """The hints as the look-ups read them: each key also under its look-up key (a later key wins)."""
    try:
        return _cached_hints(tuple(currency_hints.items()))
    except TypeError:  # an unhashable value
        return _make_hints(currency_hints.items())


@lru_cache(maxsize=256)
def _cached_hints(items: tuple) -> _Hints:
    return _make_hints(items)


def _make_hints(items) -> _Hints:
    hints = _Hints()
    for k, v in items:
        hints[k] = v
        hints[_cur.norm_key(k)] = v
    try:
        hints.key = frozenset(hints.items())
    except TypeError:  # an unhashable value: _hints_key says it
        pass
    return hints


def _clean(v: Decimal) -> Decimal:
    if v == v.to_integral_value():
        try:
            return v.quantize(Decimal(1))
        except InvalidOperation:
            return v
    return v.normalize() if v.adjusted() < 20 else v


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
        m = _CUR_PREFIX_RE.match(text, pos)
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
    if b2.basis_points and not b.unit:
        lo = lo * BASIS_POINT  # "50-80 bps": both bounds in basis points
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
