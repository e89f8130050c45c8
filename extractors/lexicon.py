"""Per-language canvas vocabulary (extractors/data/<lang>/*.toml), loaded once."""
from __future__ import annotations

import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
LANGS = ("fr", "en")


@lru_cache(maxsize=None)
def load(lang: str, name: str) -> dict:
    path = DATA_DIR / lang / f"{name}.toml"
    if not path.exists():
        return {}
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _strip_accents(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


# Latin letters with diacritics -> plain letters (same length), plus quotes and dashes; built once.
_FOLD_TABLE = {cp: _strip_accents(chr(cp)) for cp in range(0xC0, 0x250) if len(_strip_accents(chr(cp))) == 1}
_FOLD_TABLE.update({0x2019: "'", 0x2018: "'", 0x2013: "-", 0x2014: "-"})


@lru_cache(maxsize=20_000)
def fold(text: str) -> str:
    """Lower-case, strip accents, fold apostrophes and dashes: the key used for vocabulary matching."""
    if not text.isascii():
        text = text.translate(_FOLD_TABLE)
        if not text.isascii():
            text = _strip_accents(text)
    return " ".join(text.lower().split())


@lru_cache(maxsize=None)
def canvas(lang: str) -> dict:
    return load(lang, "canvas")


@lru_cache(maxsize=None)
def all_canvas_words() -> tuple[tuple[str, str], ...]:
    """(folded canvas word, lang), longest first."""
    out = [(fold(w), lang) for lang in LANGS for w in canvas(lang).get("canvas_words", [])]
    return tuple(sorted(set(out), key=lambda x: (-len(x[0]), x[0], x[1])))  # deterministic whatever the hash seed


@lru_cache(maxsize=None)
def block_names() -> tuple[tuple[str, str, str], ...]:
    """(folded block name, block id, lang)."""
    out = []
    for lang in LANGS:
        for block, names in canvas(lang).get("blocks", {}).items():
            out.extend((fold(n), block, lang) for n in names)
    return tuple(out)


@lru_cache(maxsize=None)
def stopwords(lang: str) -> frozenset[str]:
    return frozenset(fold(w) for w in canvas(lang).get("language", {}).get("stopwords", []))


@lru_cache(maxsize=None)
def boilerplate_headings() -> frozenset[str]:
    return frozenset(fold(w) for lang in LANGS for w in canvas(lang).get("boilerplate_headings", []))


@lru_cache(maxsize=None)
def edition_words() -> tuple[str, ...]:
    return tuple(fold(w) for lang in LANGS for w in canvas(lang).get("edition_words", []))


@lru_cache(maxsize=None)
def retraction_markers() -> tuple[str, ...]:
    words = {fold(w) for lang in LANGS for w in canvas(lang).get("retraction", {}).get("markers", [])}
    return tuple(sorted(words, key=len, reverse=True))


def guess_lang(text: str, default: str | None = None) -> str | None:
    """French or English by function-word counts; ``default`` when undecided."""
    words = fold(text).replace("'", "' ").split()
    if not words:
        return default
    fr = sum(1 for w in words if w in stopwords("fr"))
    en = sum(1 for w in words if w in stopwords("en"))
    if fr == en:
        return default
    return "fr" if fr > en else "en"
