"""Currency lookup tables for the amount normaliser.

Built once (lazily, cached) from:
- ``data/currencies.generated.json``: CLDR display names (fr/en, singular and plural), symbols and
  month names, extracted from Babel and price-parser by ``bench/gen_currency_data.py``;
- ``data/currencies.toml``: symbols/prefixes and ambiguity rules the libraries lack;
- ``data/{fr,en}/amounts.toml`` ``[currency_names]``: report jargon ("yuan chinois", "livres sterling").

Pure Python; importing this module is cheap (nothing is read until first use).
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from . import langdata
from .text import fold

DATA = langdata.DATA_DIR
LANGS = ("fr", "en")


@lru_cache(maxsize=65_536)
def norm_key(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


@dataclass(frozen=True)
class CurrencyTables:
    exact: dict[str, str]          # case-sensitive surface -> ISO code (symbols, upper-case codes)
    folded: dict[str, str]         # lower-cased surface -> ISO code (names, lower-case codes, prefixes)
    ambiguous: dict[str, str]      # lower-cased ambiguous surface ("$", "dollars", "¥") -> default code
    codes: frozenset[str]          # ISO codes accepted in upper case (for "MEUR", "k€"-like prefixes)
    yuan_markers: tuple[str, ...]
    months: frozenset[str]
    max_words: int
    # first and last words of every surface form, as written (exact) and as looked up (norm_key): a run of
    # words that neither starts (ends) with one cannot name a currency (cheap pre-check before resolve)
    first_words: frozenset[str] = frozenset()
    last_words: frozenset[str] = frozenset()

    def may_start(self, word: str, hints: Mapping[str, str] | None = None) -> bool:
        return _edge_word(word, self.first_words, hints, 0)

    def may_end(self, word: str, hints: Mapping[str, str] | None = None) -> bool:
        return _edge_word(word, self.last_words, hints, -1)


def _edge_word(word: str, words: frozenset[str], hints: Mapping[str, str] | None, i: int) -> bool:
    """``word`` (as written or as looked up) is word ``i`` of some surface form or hint key."""
    if word in words:
        return True
    key = norm_key(word)
    if key in words:
        return True
    return bool(hints) and any(_edge_of(k, i) in (word, key) for k in hints if _edge_of(k, i) is not None)


@lru_cache(maxsize=1024)
def _edge_of(key: str, i: int) -> str | None:
    """Word ``i`` of a hint key (None when it has no words)."""
    words = key.split()
    return words[i] if words else None


@lru_cache(maxsize=None)
def tables() -> CurrencyTables:
    gen = json.loads((DATA / "currencies.generated.json").read_text(encoding="utf-8"))
    with open(DATA / "currencies.toml", "rb") as fh:
        hand = tomllib.load(fh)
    defaults = {norm_key(k): v for k, v in hand["ambiguous_default"].items()}

    def default_for(key: str) -> str | None:
        for k in (key, key[:-1] if key.endswith("s") else key, fold(key, case=None)):
            if k in defaults:
                return defaults[k]
        return None

    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    ambiguous: dict[str, str] = {}
    current = set(gen["current_codes"])

    # CLDR names (both languages). Full names first; ambiguous full names are dropped.
    for lang in LANGS:
        for name, codes in gen["names"][lang].items():
            if len(codes) > 1:
                codes = [c for c in codes if c in current]
            if len(codes) == 1:
                folded.setdefault(name, codes[0])
        for head, codes in gen["heads"][lang].items():
            if len(codes) == 1:
                folded.setdefault(head, codes[0])
            else:
                d = default_for(head)
                if d:
                    ambiguous[head] = d
    # report jargon from the language files
    for lang in LANGS:
        for name, code in langdata.load(DATA, lang, "amounts").get("currency_names", {}).items():
            folded[norm_key(name)] = code
            folded[fold(norm_key(name), case=None)] = code
    for k in defaults:
        if k in folded:
            continue
        ambiguous.setdefault(k, defaults[k])

    # symbols: generated (unambiguous ones; letter-only ones only when allowed), then hand-written
    allow_letters = set(hand["letter_symbols"]["allow"])
    for sym, codes in gen["symbols"].items():
        letters_only = sym.replace(".", "").isalpha()
        if letters_only and sym not in allow_letters:
            continue
        if len(codes) == 1:
            exact.setdefault(sym, codes[0])
        else:
            d = defaults.get(norm_key(sym))
            if d:
                ambiguous[norm_key(sym)] = d
    for sym, code in hand["symbols"].items():
        if norm_key(sym) in ambiguous:
            continue
        exact[sym] = code
        if not sym.replace(".", "").isalpha() or sym.isupper():
            folded.setdefault(norm_key(sym), code)

    not_upper = set(hand["iso"]["not_codes_upper"])
    codes = frozenset(c for c in gen["all_codes"] if c not in not_upper) | {"RMB"}
    for c in codes:
        exact.setdefault(c, "CNY" if c == "RMB" else c)
    for c in hand["iso"]["lower_ok"]:
        folded.setdefault(c, "CNY" if c == "rmb" else c.upper())

    months = set()
    for lang in LANGS:
        months.update(gen["months"][lang])
    max_words = max(len(k.split()) for k in list(folded) + list(exact))
    keys = [k.split() for k in exact] + [norm_key(k).split() for k in [*folded, *ambiguous]]
    return CurrencyTables(
        first_words=frozenset(k[0] for k in keys if k),
        last_words=frozenset(k[-1] for k in keys if k),
        exact=exact,
        folded=folded,
        ambiguous=ambiguous,
        codes=codes,
        yuan_markers=tuple(hand["ambiguity"]["yuan_markers"]),
        months=frozenset(months),
        max_words=min(max_words, 5),
    )


def resolve(surface: str, text_lower: str | None, hints: Mapping[str, str] | None) -> str | None:
    """ISO code for a currency surface form (symbol, code or name), or None."""
    t = tables()
    key = norm_key(surface)
    if hints:
        for k in (surface, key):
            if k in hints:
                return hints[k]
    code = t.exact.get(surface)
    if code is None:
        code = t.folded.get(key)
    if code is not None:
        return code
    amb = t.ambiguous.get(key)
    if amb is None:
        return None
    if hints:
        # a hint given for the symbol also decides the names ("$" -> "dollar(s)")
        for sym, names in (("$", ("dollar", "dollars")), ("£", ("pound", "pounds", "livre", "livres")),
                           ("¥", ("yen", "yens"))):
            if key in names and sym in hints:
                return hints[sym]
    if key == "¥" and text_lower is not None and any(m in text_lower for m in t.yuan_markers):
        return "CNY"
    return amb


@lru_cache(maxsize=1)
def _document_evidence() -> dict:
    """symbol -> (the pattern of its evidence words, ignoring case; the same pattern for a lower-cased text
    (``normalizers.retrie.lowered_for_ci``), or None when a word holds a character whose case that would not
    cover; and the literals that lower-case pattern's matches open with, for
    ``normalizers.retrie.anchored_finditer``)."""
    import re

    from normalizers.retrie import first_char_lookahead, literal_alternation, lowered_for_ci, shortest_openings

    with open(DATA / "currencies.toml", "rb") as fh:
        hand = tomllib.load(fh)
    out = {}
    for symbol, by_code in hand.get("document_evidence", {}).items():
        def pattern(lower: bool) -> str:
            by = {code: [w.lower() for w in words] if lower else words for code, words in by_code.items()}
            parts = []
            for code, words in by.items():
                alts = "|".join(
                    (r"(?<![^\W\d_])" if w[0].isalpha() else "")
                    + re.escape(w).replace(r"\ ", r"[ \t\u00a0\u202f]?")
                    + (r"(?![^\W\d_])" if w[-1].isalpha() else "")
                    for w in sorted(words, key=len, reverse=True))
                parts.append(f"(?P<{code}>{alts})")
            # every word starts with literal characters: a look-ahead on its first two lets the scan skip the
            # other positions at once instead of trying each alternative there (same matches, several times
            # faster)
            heads = literal_alternation(w[:2] if " " not in w[:2] else w[0] for words in by.values() for w in words)
            # (and a look-ahead on their first character before that: normalizers.retrie.first_char_lookahead)
            return f"(?={heads})(?:" + "|".join(parts) + ")"

        rx = first_char_lookahead(re.compile(pattern(False), re.IGNORECASE))
        words = [w for ws in by_code.values() for w in ws]
        lowered = anchors = None
        if all(lowered_for_ci(w) is not None for w in words):  # each word read lower-cased as it is ignoring case
            lowered = first_char_lookahead(re.compile(pattern(True)))
            # a match starts with its word's text up to the first space (a space matches flexibly); an opening
            # that starts with another one is found with it
            opening = {w.lower().split(" ")[0] for w in words}
            if all(opening):
                anchors = shortest_openings(opening)
        out[symbol] = (rx, lowered, anchors)
    return out


def document_hints(text: str) -> dict[str, str]:
    """Currency hints for a whole document's ambiguous symbols from its own words ("Tous les montants sont en dollars
    canadiens", "M$ CA" -> "$" means CAD): the code mentioned most wins; a tie gives no hint. Pass the result as
    ``currency_hints`` to ``find_amounts``."""
    from normalizers.retrie import anchored_finditer, lowered_for_ci

    hints: dict[str, str] = {}
    sample = text[:2_000_000]
    low = None  # the sample lower-cased, when the evidence patterns can read it instead (lowered_for_ci)
    for symbol, (rx, lowered, anchors) in _document_evidence().items():
        if symbol not in sample:
            continue
        matches = None
        if lowered is not None:
            if low is None:
                low = lowered_for_ci(sample) or ""
            if low:  # a case-sensitive scan, tried only where a word can start: several times faster
                matches = anchored_finditer(lowered, anchors, low) if anchors else lowered.finditer(low)
        if matches is None:
            matches = rx.finditer(sample)
        counts: dict[str, int] = {}
        for m in matches:
            counts[m.lastgroup] = counts.get(m.lastgroup, 0) + 1
        if counts:
            code, n = max(counts.items(), key=lambda kv: kv[1])
            if list(counts.values()).count(n) == 1:
                hints[symbol] = code
    return hints
