"""Currency words around a number: after it ("12 euros", "5 millions de dollars US"), before it ("US$ 12",
"RMB53,178"), glued to it; the longest run of words naming a currency wins."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from .. import currencies as _cur
from .lexicon import _SP

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


class _Hints(dict):
    """The currency hints as the look-ups read them (find_amounts' own copy), with their cache key computed once
    (``_hints_key``; the look-ups below run several times per figure)."""

    __slots__ = ("key",)


def _hints_key(hints) -> frozenset | None:
    if not hints:
        return None
    key = getattr(hints, "key", None)
    return key if key is not None else frozenset(hints.items())


def _hints(hints_key) -> dict | None:
    return dict(hints_key) if hints_key else None


def _names_yuan(text_lower: str | None) -> bool:
    """Does the text name the yuan (what makes a bare "¥" CNY, see currencies.resolve)?"""
    return text_lower is not None and any(m in text_lower for m in _cur.tables().yuan_markers)


def _yuan_text(yuan: bool) -> str:
    """A lower-cased text that names the yuan or not, as the cached look-ups' ``text_lower`` (resolve reads it
    only for that)."""
    return _cur.tables().yuan_markers[0] if yuan else ""


def _currency_after(text: str, pos: int, text_lower: str, hints, allow_conn: bool = True):
    m = _CUR_AFTER_RE.match(text, pos)
    if not m:
        return None
    if m.group("conn") and not allow_conn:
        return None
    w, base, end = m.group("w"), m.start("w"), m.end("w")
    # the words after a figure repeat ("million", "%", "de dollars"): the look-up is cached by those words, the
    # character after them, the hints and (for "¥" only) whether the text names the yuan
    r = _after_words(w, text[end:end + 1], _hints_key(hints), "¥" in w and _names_yuan(text_lower))
    return None if r is None else (r[0], base + r[1])


@lru_cache(maxsize=16_384)
def _after_words(w: str, after: str, hints_key, yuan: bool):
    """The currency the words ``w`` (what _CUR_AFTER_RE read after a figure; ``after``: the character that
    follows them) start with, and where it ends in ``w``; None when there is none."""
    words = [(x.group(), x.start(), x.end()) for x in _WORD_SPLIT_RE.finditer(w)]
    r = _lookup_words(words, _yuan_text(yuan), _hints(hints_key), from_end=False)
    if r is None:
        return None
    code, s, e = r
    text = w + after
    if e < len(text) and text[e].isalnum() and text[e - 1].isalnum():
        return None  # currency word continues ("euro" in "europe")
    return code, e


def _currency_before(text: str, pos: int, floor: int, text_lower: str, hints):
    lo = max(floor, pos - 48)
    chunk = text[lo:pos]
    if not chunk:
        return None
    # the words before figures repeat ("| ", "US$", "revenue of "): the look-up is cached by those words, the hints
    # and (for "¥" only) whether the text names the yuan
    r = _before_words(chunk, _hints_key(hints), "¥" in chunk and _names_yuan(text_lower))
    return None if r is None else (r[0], lo + r[1])


@lru_cache(maxsize=16_384)
def _before_words(chunk: str, hints_key, yuan: bool):
    """The currency the text ``chunk`` ends with (right before a figure) and where it starts in ``chunk``."""
    hints = _hints(hints_key)
    text_lower = _yuan_text(yuan)
    text, pos, lo = chunk, len(chunk), 0
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
        if not w.isalpha() and any(c.isdigit() for c in w):  # (a letter is never a digit)
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
