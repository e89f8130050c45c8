"""Normalised names (``subject_key``, ``metric_key``) so the same thing lines up across editions.

Pure Python, no database. The warehouse stores the keys as columns of ``facts`` (computed at load
time by :mod:`warehouse.arrow`), and the analyst views (``facts_latest``, ``fact_changes``,
``fact_conflicts``) match facts on them.

Rules, in order:

1. Unicode NFKD, accents stripped, lowercase (``casefold``).
2. Apostrophes, punctuation and symbols become spaces (``&`` and ``%`` are kept as words),
   whitespace folded to single spaces.
3. A leading article ("the", "le", "la", "les", "l", "un", "une") is dropped.
4. Synonyms from ``warehouse/synonyms.toml``: a variant matching the whole name gives its canonical
   key; otherwise variants are replaced as whole-word phrases, longest first.

``None`` or a name that normalises to nothing gives ``None`` (such facts never match or conflict).
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

SYNONYMS_PATH = Path(__file__).with_name("synonyms.toml")

_LEADING_ARTICLES = ("the", "le", "la", "les", "l", "un", "une")
# characters kept as-is besides letters and digits ("r&d", "%")
_KEEP = "&%"


def normalize_text(text: str | None) -> str | None:
    """Lowercase, strip accents, fold punctuation/whitespace. ``None`` if nothing is left."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text))
    out = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        if ch.isalnum() or ch in _KEEP:
            out.append(ch)
        else:
            out.append(" ")
    folded = " ".join("".join(out).casefold().split())
    words = folded.split(" ")
    if len(words) > 1 and words[0] in _LEADING_ARTICLES:
        folded = " ".join(words[1:])
    return folded or None


class _Table:
    """One synonym table: whole-name lookup plus whole-word phrase substitution."""

    def __init__(self, mapping: dict[str, list[str]]):
        self.exact: dict[str, str] = {}
        phrases: dict[str, str] = {}
        for canonical, variants in mapping.items():
            canon = normalize_text(canonical)
            if canon is None:
                continue
            for variant in [canonical, *variants]:
                v = normalize_text(variant)
                if v is None:
                    continue
                self.exact.setdefault(v, canon)
                if v != canon:
                    phrases.setdefault(v, canon)
        ordered = sorted(phrases, key=lambda p: (-len(p), p))
        self._phrases = phrases
        self._regex = (
            re.compile(r"(?<![\w&%])(" + "|".join(re.escape(p) for p in ordered) + r")(?![\w&%])")
            if ordered
            else None
        )

    def apply(self, name: str) -> str:
        hit = self.exact.get(name)
        if hit is not None:
            return hit
        if self._regex is None:
            return name
        replaced = self._regex.sub(lambda m: self._phrases[m.group(1)], name)
        return self.exact.get(replaced, replaced)


@lru_cache(maxsize=8)
def _tables(path: str) -> dict[str, _Table]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return {section: _Table(dict(data.get(section, {}))) for section in ("subject", "metric")}


def load_synonyms(path: str | Path | None = None) -> dict[str, "_Table"]:
    """Parsed synonym tables (cached per path)."""
    return _tables(str(path or SYNONYMS_PATH))


def _key(text: str | None, section: str, path: str | Path | None) -> str | None:
    name = normalize_text(text)
    if name is None:
        return None
    return load_synonyms(path)[section].apply(name)


def subject_key(subject: str | None, *, synonyms: str | Path | None = None) -> str | None:
    """Normalised subject ("Groupe Alibaba" -> "alibaba group")."""
    return _key(subject, "subject", synonyms)


def metric_key(metric: str | None, *, synonyms: str | Path | None = None) -> str | None:
    """Normalised metric ("Chiffre d'affaires" -> "revenue", "MAU" -> "monthly active users")."""
    return _key(metric, "metric", synonyms)
