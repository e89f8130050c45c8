"""Memoised rule engines. Reports and their later editions repeat most sentences, table cells and headers,
so every call site (spaCy components, table-row and context look-ups) goes through these caches."""
from __future__ import annotations

from functools import lru_cache

from normalizers.amounts import find_amounts
from normalizers.periods import find_periods


@lru_cache(maxsize=8_000)
def _amounts(text: str, lang: str, hints: tuple) -> tuple:
    return tuple(find_amounts(text, lang, currency_hints=dict(hints) if hints else None))


@lru_cache(maxsize=8_000)
def _periods(text: str, lang: str, fye: tuple) -> tuple:
    return tuple(find_periods(text, lang, fiscal_year_end=fye))


def hints_key(hints: dict | None) -> tuple:
    """Currency hints as the memo keys them: their items, sorted (() for none)."""
    return tuple(sorted(hints.items())) if hints else ()


def cached_amounts(text: str, lang: str, hints: dict | tuple | None = None) -> tuple:
    """``find_amounts`` (results are immutable ``Amount``s). ``hints``: the currency hints, or their ``hints_key``
    (a document's, worked out once: sorting them again at each of its texts cost ~1.5 % of the extraction)."""
    return _amounts(text, lang, hints if isinstance(hints, tuple) else hints_key(hints))


def cached_periods(text: str, lang: str, fiscal_year_end: tuple[int, int] = (12, 31)) -> tuple:
    """``find_periods`` without a reference (results are immutable ``PeriodMention``s)."""
    return _periods(text, lang, tuple(fiscal_year_end))
