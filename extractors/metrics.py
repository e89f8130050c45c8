"""The metric an amount measures ("revenue", "monthly active users"), from the per-language metric
vocabulary (``extractors/data/<lang>/context.toml``, canonical English names), and label cleaning."""
from __future__ import annotations

import re
from functools import lru_cache

from normalizers.amounts import Amount
from normalizers.retrie import literal_alternation

from . import lexicon

_PAREN = re.compile(r"\s*\([^()]*\)")


@lru_cache(maxsize=None)
def _metric_table(lang: str) -> tuple[tuple[str, str], ...]:
    rows = []
    for lg in (lang, "en" if lang == "fr" else "fr"):
        for phrase, metric in lexicon.load(lg, "context").get("metrics", {}).items():
            rows.append((lexicon.fold(phrase), metric))
    rows.sort(key=lambda r: -len(r[0]))
    return tuple(rows)


@lru_cache(maxsize=None)
def _metric_of(lang: str) -> dict[str, str]:
    return dict(_metric_table(lang))


@lru_cache(maxsize=None)
def _metric_regex(lang: str) -> re.Pattern:
    alts = literal_alternation(p for p, _ in _metric_table(lang))
    return re.compile(r"(?<![\w])(" + alts + r")(?![\w])")


@lru_cache(maxsize=16_384)  # pure; row labels and column headers repeat
def clean_label(text: str | None) -> str | None:
    if not text:
        return None
    text = _PAREN.sub("", text).strip(" -:*_|")
    text = re.sub(r"\s+", " ", text)
    return text or None


def find_metric(text: str, lang: str, amount: Amount | None = None, amounts: list | tuple = ()) -> str | None:
    """The metric an amount measures, from the metric vocabulary (canonical English names).

    - A count names what it counts right after it ("486 boutiques", "27 600 collaborateurs", "1.2 million
      developers"): that noun, mapped through the vocabulary when it is known, else as written.
    - Money and percentages: the nearest metric phrase before the amount, not reaching back past another
      figure; else the first one after it, before the next figure."""
    folded = lexicon.fold(text)
    table = _metric_of(lang)
    rx = _metric_regex(lang)
    if amount is None or len(folded) != len(text):  # folding changed lengths: positions are unreliable
        m = rx.search(folded)
        return table[m.group(1)] if m else None
    kind, start, end = amount.kind, amount.start, amount.end
    if kind == "number":
        noun = _COUNTED_NOUN.match(folded, end)
        if not noun:
            return None  # "37 boutiques en aéroport, dont 12 en Asie": 12 counts something unnamed
        phrase = noun.group(1)
        hit = rx.match(phrase)
        if not hit:
            return phrase
        rest = phrase[hit.end():].strip()
        return f"{table[hit.group(1)]} {rest}" if rest else table[hit.group(1)]
    if kind == "percent":
        of = _SHARE_OF.match(folded, end)
        if of and of.end() > end:
            hit = rx.match(folded, of.end())
            if hit:
                return f"share of {table[hit.group(1)]}"
    # between the figures before and after it
    prev_end, next_start = 0, len(text)
    for b in amounts:
        if prev_end < b.end <= start:
            prev_end = b.end
        if end <= b.start < next_start:
            next_start = b.start
    last = None
    for last in rx.finditer(folded, prev_end, start):
        pass
    if last is not None:
        return table[last.group(1)]
    after = rx.search(folded, end, next_start)
    return table[after.group(1)] if after else None


# "486 boutiques", "96 millions de visites", "1.2 million developers on paid seats"
_COUNTED_NOUN = re.compile(
    r"\s+(?:(?:de|des|of)\s+|d'\s*)?"
    r"([a-z][a-z'-]{2,}"  # the counted noun ...
    r"(?:\s+(?!(?:au|aux|a|fin|dans|sur|pour|par|chez|et|ou|in|at|on|by|for|from|to|as|across|per|with|avec|and|or)\b)"
    r"(?:en\s+)?[a-z][a-z'-]{2,}){0,2})"  # ... and up to two qualifiers ("en aéroport", "en propre", "phares")
)
# "39 % du chiffre d'affaires", "27% of revenue": a share of something
_SHARE_OF = re.compile(r"\s*(?:of|du|des|de la|de l'|de|d')\s*(?:the\s+|la\s+|le\s+|l')?")
