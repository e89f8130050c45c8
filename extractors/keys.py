"""Normalised names (``subject_key``, ``metric_key``) so the same thing lines up across editions.

Pure Python. Computed at extraction, for each fact's record (:mod:`extractors.records`); the warehouse
stores them as columns of ``facts`` and its analyst views (``facts_latest``, ``fact_changes``,
``fact_conflicts``) match facts on them. The words come from the per-language data files
``extractors/data/<lang>/keys.toml`` (all languages together: a key does not depend on the language of
its sentence), with examples in ``keys.cases.toml`` beside each.

Rules, in order:

1. Unicode NFKD, accents stripped, lowercase (``casefold``).
2. Apostrophes, punctuation and symbols become spaces (``&`` and ``%`` are kept as words),
   whitespace folded to single spaces.
3. A leading article ("the", "le", "la", "les", "l", "un", "une": ``[names] leading_articles``) is dropped.
4. Synonyms from ``extractors/data/synonyms.toml``: a variant matching the whole name gives its canonical
   key; otherwise the name is reduced (5.) and looked up again, and then variants are replaced as
   whole-word phrases, longest first.
5. Reduction, so that names written more or less fully line up across editions:
   - subjects lose trailing legal-form / organisation words ("SA", "Inc", "Limited", "Holding",
     "Group", "Groupe"...: ``[subject] organisation_words``) and a leading "Groupe"/"Group":
     "Maison Verel SA" -> "maison verel"; "Alibaba Cloud Intelligence Group" -> "alibaba cloud
     intelligence" -> (synonym) "alibaba cloud". A name made only of such words is kept as is.
   - metrics lose the periods written inside them ("Évolution des ventes au T3 2024", "Chiffre
     d'affaires (exercice 2024)", a table column headed "S1 2025"): the period is a fact's
     ``period_end``, not part of what is measured (the words: ``[metric]``), and later editions word it differently. A metric
     that was nothing but a period (a column header like "Exercice 2024") gets the key
     ``UNSPECIFIED_METRIC`` ("unspecified"): the figure is then matched on subject, unit and period.

``None`` or a name that normalises to nothing gives ``None`` (such facts never match or conflict).
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from normalizers.retrie import literal_alternation
from normalizers.text import fold

from . import lexicon

SYNONYMS_PATH = lexicon.DATA_DIR / "synonyms.toml"

UNSPECIFIED_METRIC = "unspecified"


def _words(section: str, name: str) -> list[str]:
    """One word list of ``keys.toml``, all languages together (file order, first occurrence kept)."""
    out: list[str] = []
    for lang in lexicon.LANGS:
        for w in lexicon.load(lang, "keys").get(section, {}).get(name, []):
            if w not in out:
                out.append(w)
    return out


_LEADING_ARTICLES = tuple(_words("names", "leading_articles"))

# Words that say what kind of organisation a name is, not which one (normalised form).
ORGANISATION_WORDS = frozenset(_words("subject", "organisation_words"))
_LEADING_ORGANISATION_WORDS = frozenset(_words("subject", "leading_organisation_words"))


def _period_in_metric() -> re.Pattern:
    """A period written inside a metric name (normalised text: lowercase, no accents, punctuation as spaces).
    Always anchored on a year (1900-2099) or a fiscal-year code ("fy24"/"fy2024"), so durations ("12 mois")
    stay."""
    def alt(name: str) -> str:
        return literal_alternation(_words("metric", name))

    year = r"(?:19|20)\d\d"
    codes = "[" + "".join(sorted(set(_words("metric", "year_part_codes")))) + "]"
    fy = alt("fiscal_year_codes")
    parts = alt("year_parts")
    return re.compile(
        r"(?<![\w&%])"
        r"(?:" + alt("prepositions") + r"\s+)?"
        r"(?:" + alt("articles") + r"\s+)?"
        r"(?:(?:" + literal_alternation(_words("metric", "period_words") + _words("metric", "year_parts"))
        + r"|" + alt("ordinals") + r"\s+" + parts + r"(?:\s+" + alt("year_part_of") + r")?"
        + r"|" + codes + r"[1-4](?:\s+" + fy + r")?|" + fy + r")\s*)?"
        r"(?:" + year + r"(?:\s+" + year + r")*|" + fy + r"\s*\d{2}(?:\d{2})?|"
        + codes + r"[1-4]\s*" + fy + r"\s*\d{2}(?:\d{2})?)"
        r"(?![\w&%])"
    )


_PERIOD_IN_METRIC = _period_in_metric()
# characters kept as-is besides letters and digits ("r&d", "%")
_KEEP = "&%"


def normalize_text(text: str | None) -> str | None:
    """Lowercase, strip accents, fold punctuation/whitespace. ``None`` if nothing is left."""
    if text is None:
        return None
    folded = fold(str(text), case="casefold", compat=True, keep=_KEEP, spaces=True)
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
            re.compile(r"(?<![\w&%])(" + literal_alternation(ordered) + r")(?![\w&%])")
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


def _reduce_subject(name: str) -> str:
    words = name.split(" ")
    while len(words) > 1 and words[-1] in ORGANISATION_WORDS:
        words.pop()
    while len(words) > 1 and words[0] in _LEADING_ORGANISATION_WORDS:
        words.pop(0)
    return " ".join(words)


def _reduce_metric(name: str) -> str:
    reduced = " ".join(_PERIOD_IN_METRIC.sub(" ", name).split())
    if reduced == name:
        return name
    # a leftover dangling preposition/article ("evolution des ventes au") goes too
    words = reduced.split(" ") if reduced else []
    while words and words[-1] in _DANGLING:
        words.pop()
    return normalize_text(" ".join(words)) or UNSPECIFIED_METRIC


_DANGLING = frozenset(_words("metric", "dangling"))


@lru_cache(maxsize=20_000)  # subjects and metrics repeat across a report's facts and across reports
def _key(text: str | None, section: str, path: str | Path | None) -> str | None:
    name = normalize_text(text)
    if name is None:
        return None
    table = load_synonyms(path)[section]
    hit = table.exact.get(name)
    if hit is not None:
        return hit
    name = _reduce_subject(name) if section == "subject" else _reduce_metric(name)
    return table.apply(name)


def subject_key(subject: str | None, *, synonyms: str | Path | None = None) -> str | None:
    """Normalised subject ("Groupe Alibaba" -> "alibaba group", "Maison Verel SA" -> "maison verel")."""
    return _key(subject, "subject", synonyms)


def metric_key(metric: str | None, *, synonyms: str | Path | None = None) -> str | None:
    """Normalised metric ("Chiffre d'affaires" -> "revenue", "MAU" -> "monthly active users", "S1 2025" -> "unspecified")."""
    return _key(metric, "metric", synonyms)
