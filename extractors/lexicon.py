"""Per-language canvas vocabulary (extractors/data/<lang>/*.toml), loaded once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from normalizers import langdata
from normalizers.text import fold as _fold

DATA_DIR = Path(__file__).with_name("data")
LANGS = ("fr", "en")


def load(lang: str, name: str) -> dict:
    """The parsed extractors/data/<lang>/<name>.toml ({} when missing), read once."""
    return langdata.load(DATA_DIR, lang, name)


@lru_cache(maxsize=20_000)
def fold(text: str) -> str:
    """Lower-case, strip accents, fold apostrophes and dashes, collapse spaces: the key used for vocabulary matching."""
    return _fold(text, compat=True, quotes="’‘", dashes="–—", spaces=True)


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
def heading_block_names() -> dict[str, tuple[str, str]]:
    """folded name -> (block id, lang), for block headings written alone on their line ([blocks] and the
    extra short names of [heading_blocks])."""
    out: dict[str, tuple[str, str]] = {}
    for lang in LANGS:
        for table in ("blocks", "heading_blocks"):
            for block, names in canvas(lang).get(table, {}).items():
                for n in names:
                    out.setdefault(fold(n).replace("-", " "), (block, lang))
    return out


@lru_cache(maxsize=None)
def stopwords(lang: str) -> frozenset[str]:
    return frozenset(fold(w) for w in canvas(lang).get("language", {}).get("stopwords", []))


@lru_cache(maxsize=None)
def boilerplate_headings() -> frozenset[str]:
    return frozenset(fold(w) for lang in LANGS for w in canvas(lang).get("boilerplate_headings", []))


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
