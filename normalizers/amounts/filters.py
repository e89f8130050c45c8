"""What a number read as an amount is not: a year used as a date, a day of a month, a heading number, a version,
"one of the", "the two companies", "des millions de"..."""
from __future__ import annotations

import re

from .extent import _Build
from .lexicon import _SP, _SPACES, _Lang
from .words import _alone

_LINE_START_RE = re.compile(r"(?:^|\n)[ \t]*(?:[#>*=<\[(■•▪◆§-]+[ \t]*)?$")
_HEADING_AFTER_RE = re.compile(r"[.)][ \t]")
# "=== 1 / PARTNERS ===", "<1> KEY PARTNERS", "[2] Activités": a heading number at the start of a line
_HEADING_NUM_RE = re.compile(r"\d{1,2}[ \t]?(?:[.)>\]]|/)[ \t]*[^\W\d_]")
# "…, 69002 Lyon", "— 5000 Namur", ", 1348 Le Brassus": a postcode between punctuation and a place name
_POSTCODE_RE = re.compile(r"\d{4,5}" + _SP + r"{1,2}[A-Z][^\W\d_]+(?:" + _SP + r"[A-Z][^\W\d_]+)?(?=" + _SP + r"*(?:$|[,.;|—–(\n]))")
_POSTCODE_BEFORE_RE = re.compile(r"(?:^|[,—–(]|" + _SP + r"-)" + _SP + r"{1,2}$")


_PREV_CAP_RE = re.compile(r"(?<![^\W\d_])[A-Z][^\W\d_]*[a-z][^\W\d_]*" + _SP + r"$")
_PREV_WORD_RE = re.compile(r"([^\W\d_]+)" + _SP + r"{1,3}$")
_MONTH_AFTER_RE = re.compile(_SP + r"{1,2}(?:er" + _SP + r")?([^\W\d_]{3,10})(?![^\W\d_])")
_MONTH_BEFORE_RE = re.compile(r"([^\W\d_]{3,10})\.?" + _SP + r"{1,2}$")


_FESTIVAL_RE = re.compile(r"(\d{1,2})\.\1")
_YEAR_AFTER_RE = re.compile(_SP + r"{1,2}(?:19|20)?\d\d(?!\d|[.,]\d)")
_SENTENCE_END_RE = re.compile(r"[.;!?](?:" + _SP + r"|$)|\n")
_SPACE_CHARS = frozenset(_SPACES)
_ID_PREFIX_RE = re.compile(r"[A-Z]{1,3}" + _SP + r"{1,2}$")
_ID_CHAIN_RE = re.compile(r"\d[\d.\-/]*" + _SP + r"{0,2}$")


def _in_id_chain(L: _Lang, text: str, ts: int) -> bool:
    """The number continues an identifier: "VAT reg. GB 318 4417 26", "Tel 0116 496 0321"."""
    # _ID_CHAIN_RE ends with a digit, ".", "-" or "/" and at most two spaces: without one right before ts (the
    # common case, a word before the number), no search
    lo = max(0, ts - 24)
    k = ts
    while k > lo and ts - k < 2 and text[k - 1] in _SPACE_CHARS:
        k -= 1
    if k <= lo or not (text[k - 1].isdecimal() or text[k - 1] in ".-/"):
        return False
    m = _ID_CHAIN_RE.search(text, lo, ts)
    if not m or m.start() == ts:
        return False
    k = m.start()
    for _ in range(6):  # a few groups at most ("GB 318 4417 26"); bounded work on long digit runs
        m2 = _ID_CHAIN_RE.search(text, max(0, k - 24), k)
        if not m2 or m2.start() == k or text[m2.end():k].strip(" \t\u00a0\u202f"):
            break
        k = m2.start()
    # the words before the first number of the chain (allowing a country/letter prefix such as "GB")
    pre = text[max(0, k - 40):k]
    pm = _ID_PREFIX_RE.search(pre)
    if pm:
        pre = pre[:pm.start()]
    return L.id_before_re.search(pre) is not None


def _in_address(L: _Lang, text: str, ts: int) -> bool:
    """The number stands in the sentence of an address cue ("Registered office: ...", "Siège social : ...")."""
    lo = max(0, ts - 160)
    if text.find(":", lo, ts) < 0:
        return False  # every cue ends with a colon
    cue = None
    for cue in L.address_cue_re.finditer(text, lo, ts):
        pass
    if cue is None:
        return False
    return _SENTENCE_END_RE.search(text, cue.end(), ts) is None


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
    if b.kind == "number" and b.scale is None and b.precision == 0 and b.start > 0 and not b.word \
            and _in_address(L, text, b.text_start if b.text_start is not None else b.start):
        return False  # "Siège social : 1450, boulevard Talbot, Chicoutimi G7H 4B6", "Head office: 2-8-1 Konan"
    if bare and b.start > 0:
        ts = b.text_start if b.text_start is not None else b.start
        if L.id_before_re.search(text, max(0, ts - 40), ts) or _in_id_chain(L, text, ts):
            return False  # "ISO 14001", "NEQ 1163429875", "RCS Lyon 812 455 903", "File No. 001-38512"
    if bare and b.value_high is None and b.start > 0:
        ts = b.text_start if b.text_start is not None else b.start
        lo = max(0, ts - 40)
        if b.precision == 0 and (L.street_after_re.match(text, b.end) or L.street_before_re.search(text, lo, ts)):
            return False  # "18 Chandler Way", "Route de l'Orient 12"
        if b.end - b.start == 2 and b.precision == 0 and L.period_label_re.search(text, max(0, ts - 8), ts):
            return False  # "Q3 25", "H1 24", "T3 25": the year of a period label
    if (b.kind == "number" and b.scale is not None and b.value <= 12 * b.scale and b.precision == 0 and not b.word
            and text[b.end - 1:b.end] in L.period_scale_letters and _YEAR_AFTER_RE.match(text, b.end)):
        return False  # "9M 2025": nine months of a year, a period label
    if (b.kind == "quantity" and b.unit in L.period_length_units and b.value_high is None and "negative" not in b.flags
            and (L.period_length_after_re.match(text, b.end)
                 or L.period_length_before_re.search(text, max(0, (b.text_start or b.start) - 24), b.text_start or b.start))):
        return False  # "nine months ended 30 June", "9 mois clos le", "for the six months": a period, not a figure
    if b.value_high is not None and not b.word:
        raw = text[b.start:b.end]
        if len(raw) > 2 and raw[0] == "0" and raw[1].isdigit():
            return False  # "001-38512": a file number with a leading zero, not a range
    w0 = text[b.start:b.end].split()[0].lower() if b.word else ""
    if len(w0) > 3 and w0.endswith("s") and w0 in L.scales_ci and "negative" not in b.flags and b.value_high is None:
        return False  # "($ millions)", "des millions de dollars": a scale word with no number is no figure
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
        if small and b.value <= 12:
            pm = _PREV_WORD_RE.search(text, max(0, b.start - 24), b.start)
            if pm and (pm.group(1).lower() in L.reference_determiners
                       or (b.value == 2 and pm.group(1).lower() in L.determiners)):
                return False  # "the two companies", "ces trois partenaires", "all three DCs": a reference
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
        if _LINE_START_RE.search(text[max(0, b.start - 8):b.start]) and (
                _HEADING_AFTER_RE.match(text, b.end) or _HEADING_NUM_RE.match(text, b.start)):
            return False
        if b.precision == 0 and _POSTCODE_RE.match(text, b.start) and _POSTCODE_BEFORE_RE.search(text, max(0, b.start - 4), b.start):
            return False
        # festival-like "11.11", "12.12"
        raw = text[b.start:b.end]
        if _FESTIVAL_RE.fullmatch(raw):
            return False
    return True
