"""What a number read as an amount is not: a year used as a date, a day of a month, a heading number, a version,
"one of the", "the two companies", "des millions de"..."""
from __future__ import annotations

import re

from .extent import _Build
from .lexicon import _SP, _Lang
from .words import _alone

_LINE_START_RE = re.compile(r"(?:^|\n)[ \t]*(?:[#>*]+[ \t]*)?$")
_HEADING_AFTER_RE = re.compile(r"[.)][ \t]")


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
        if (bare and L.scale_not_after_re is not None and text[b.start:b.end].lower() in L.scales_ci
                and L.scale_not_after_re.search(text, max(0, b.start - 12), b.start)):
            return False  # "complaints per thousand orders": the base of a rate
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
