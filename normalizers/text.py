"""Text folding: the one helper that turns words into look-up keys (accents off, case folded, typographic quotes
and dashes made plain, optionally punctuation to spaces and whitespace collapsed).

Every caller in ``normalizers/`` and ``extractors/`` folds through :func:`fold`; the options are the edge rules
the callers need:

* accents: ``compat=False`` (default) decomposes canonically (NFD) and drops every nonspacing mark (category Mn,
  variation selectors included); ``compat=True`` decomposes for compatibility (NFKD: ligatures, full-width and
  superscript forms become plain letters and digits) and drops the marks that have a combining class;
* ``case``: ``"lower"`` (default), ``"casefold"`` (also "ß" -> "ss") or None;
* ``quotes`` / ``dashes``: typographic (non-ASCII) characters written as ``'`` / ``-``;
* ``keep``: when given, letters and digits are kept, and these characters; anything else becomes a space;
* ``spaces``: whitespace runs become one space, none at the ends.

Steps run in that order: quotes and dashes, accents, ``keep``, case, spaces.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["fold"]


def _strip_marks(text: str, compat: bool) -> str:
    if compat:
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# Latin letters with diacritics -> plain letter (one character for one), built once per accent rule: most
# non-ASCII report text is accented Latin, which str.translate folds far faster than a decomposition.
_LATIN = {compat: {cp: _strip_marks(chr(cp), compat) for cp in range(0xC0, 0x250)
                   if len(_strip_marks(chr(cp), compat)) == 1} for compat in (False, True)}


class _CompatTable(dict):
    """One str.translate table for ``compat=True``: character -> its quotes and dashes made plain, then its Latin
    letter folded, then decomposed for compatibility (NFKD) without the marks that have a combining class; filled
    on first use of each character. One pass per text instead of three, and the same result: NFKD decomposes
    each character on its own and only reorders runs of characters that have a combining class, which are all
    dropped."""

    def __init__(self, quotes: str, dashes: str) -> None:
        super().__init__()
        self.punct = _punct_table(quotes, dashes) if quotes or dashes else {}

    def __missing__(self, cp: int) -> str:
        ch = chr(cp).translate(self.punct).translate(_LATIN[True])
        out = self[cp] = ch if ch.isascii() else _strip_marks(ch, True)
        return out


@lru_cache(maxsize=64)
def _compat_table(quotes: str, dashes: str) -> _CompatTable:
    return _CompatTable(quotes, dashes)


@lru_cache(maxsize=64)
def _punct_table(quotes: str, dashes: str) -> dict[int, str]:
    return {**{ord(c): "'" for c in quotes}, **{ord(c): "-" for c in dashes}}


def fold(text: str, *, case: str | None = "lower", compat: bool = False, quotes: str = "", dashes: str = "",
         keep: str | None = None, spaces: bool = False) -> str:
    """``text`` folded for look-ups (see the module docstring for the options)."""
    if not text.isascii() and compat:
        text = text.translate(_compat_table(quotes, dashes))
    elif not text.isascii():
        if quotes or dashes:
            text = text.translate(_punct_table(quotes, dashes))
        text = text.translate(_LATIN[compat])
        if not text.isascii():
            text = _strip_marks(text, compat)
    if keep is not None:
        text = "".join(c if c.isalnum() or c in keep else " " for c in text)
    if case == "lower":
        text = text.lower()
    elif case == "casefold":
        text = text.casefold()
    elif case is not None:
        raise ValueError(f"case must be 'lower', 'casefold' or None, not {case!r}")
    if spaces:
        text = " ".join(text.split())
    return text
