"""Numbers written with digits: the digit-run regex, what is not a quantity (phone numbers, domains), and the value(s)
of a run ("1 234,5", "1,234.5", "22,24,26" as a list, "3.8.0" as no number)."""
from __future__ import annotations

import re
from decimal import Decimal

from ..retrie import first_char_lookahead
from .lexicon import _SP

# A digit run: space/apostrophe-grouped thousands, or digits with . , separators, or ".75". Every run starts with a
# digit, "." or ",": the look-ahead on that first character lets the scan skip the other positions before it
# tries the look-behinds (same matches, several times faster).
_NUM_RE = re.compile(
    r"(?=[\d.,])(?<![\d_])(?<!\d:)(?<!\w[-/])(?<![\w]\.)(?<![\w],)"
    r"(?:\d{1,3}(?:[ \u00a0\u202f'’]\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)*|[.,]\d+(?!\d|[.,]\d))"
)
_NUM_BODY_RE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f'’]\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)*")
# phone numbers: "+33 1 23 45 67 89", "+1 (555) 123-4567", "555-123-4567", "1111-22223333-4444"
_PHONE_RE = first_char_lookahead(re.compile(
    r"\+\d{1,3}(?:[ .\-]?\(\d{1,4}\))?(?:[ .\-]\d{1,4}){2,6}(?!\d)"
    r"|(?<![\d,.])\(\d{3}\)[ .\-]?\d{3}[ .\-]\d{4}(?!\d)"
    r"|(?<![\d,.])\d{2,4}-\d{3,8}-\d{4}(?!\d)"
    r"|(?<![\d,.])\d-\d{3}-\d{3}-\d{4}(?!\d)"
), always=True)
# what every phone number above contains ("+3", "(5", "5-1"): a text without it has none (one cheap search, a
# class first for re's fast first-character scan)
_PHONE_HINT_RE = re.compile(r"[-+(](?:(?<=[+(])|(?<=\d-))\d")
_DIGIT_RE = re.compile(r"\d")
_VULGAR = "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞⅐⅑⅒"  # the vulgar fractions
_VULGAR_RE = re.compile(r"(\d{1,3}" + _SP + r"?)?([" + _VULGAR + "])")
# one of them in a text: a class searched by re (a scan in C: ~5x fewer instructions than set.isdisjoint over the text)
_VULGAR_CHAR_RE = re.compile("[" + _VULGAR + "]")
_DOMAIN_RE = re.compile(r"\.(?:com|net|org|cn|io|co|fr|jp|hk|uk|de|ai|app|info|biz|tv|me)(?![^\W\d_])")
_FRAC_RE = re.compile(r"/(\d{1,3})(?![\d/])")
_SPACE_SEPS = " \u00a0\u202f'’"
_SPACE_SEP_SET = frozenset(_SPACE_SEPS)
_SEP_RE = re.compile(r"[.,]")
_DIGITS_RE = re.compile(r"\d+")


def _parse_digits(raw: str, dec_mark: str, scaled: bool) -> list[tuple[int, int, Decimal, int]] | None:
    """Value(s) of a digit run: [(offset, length, value, precision)], several when the run is a list
    ("22,24,26"), None when it is not a quantity (version/IP-like "3.8.0")."""
    if raw[0] in ".,":
        return [(0, len(raw), Decimal("0." + raw[1:]), len(raw) - 1)]
    if not _SPACE_SEP_SET.isdisjoint(raw):
        body = "".join(c for c in raw if c not in _SPACE_SEPS)
        m = _SEP_RE.search(body)
        if m:
            return [(0, len(raw), Decimal(body[: m.start()] + "." + body[m.end():]), len(body) - m.end())]
        return [(0, len(raw), Decimal(body), 0)]
    n_dot = raw.count(".")
    n_com = raw.count(",")
    if not n_dot and not n_com:
        return [(0, len(raw), Decimal(raw), 0)]
    groups = _SEP_RE.split(raw)
    if n_dot and n_com:
        last = max(raw.rfind("."), raw.rfind(","))
        dm = raw[last]
        intpart, frac = raw[:last], raw[last + 1:]
        igroups = _SEP_RE.split(intpart)
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
    for m in _DIGITS_RE.finditer(raw):
        out.append((m.start(), m.end() - m.start(), Decimal(m.group()), 0))
    return out
