"""Amount normaliser: money, percentages, counts and quantities in French/English report text.

Pure Python (regex + text2num + data files). Public API: :class:`Amount` and :func:`find_amounts`.

Language knowledge lives in ``data/{fr,en}/amounts.toml`` and currency knowledge in
``data/currencies.toml`` + the Babel-generated ``data/currencies.generated.json``; the code here is
language-neutral. Every regex is linear (no nested unbounded quantifiers), so multi-megabyte lines
are processed in linear time.
"""
from __future__ import annotations

from .search import Amount, find_amounts

__all__ = ["Amount", "find_amounts"]
