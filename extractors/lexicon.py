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


def fold(text: str) -> str:
    """Lower-case, strip accents, fold apostrophes and dashes: the key used for vocabulary matching."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.lower().split())


@lru_cache(maxsize=None)
def canvas(lang: str) -> dict:
    return load(lang, "canvas")


@lru_cache(maxsize=None)
def all_canvas_words() -> tuple[tuple[str, str], ...]:
    """(folded canvas word, lang), longest first."""
    out = [(fold(w), lang) for lang in LANGS for w in canvas(lang).get("canvas_words", [])]
    return tuple(sorted(set(out), key=lambda x: -len(x[0])))


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
