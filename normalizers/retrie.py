"""Regex alternations of literal phrases, compiled as prefix tries.

Python's ``re`` tries the branches of an alternation one by one at every position, so a flat list of a
hundred words costs a hundred attempts per character. Factoring common prefixes ("mil(?:li(?:on|ard)|le)")
makes the big word lists (number words, scale words, months, relative phrases) several times faster.
The match preferred is the same as with a flat longest-first alternation: phrases that match at one position
are prefixes of each other, and the trie tries the longer continuation first.
"""
from __future__ import annotations

import re
from functools import lru_cache
from re import _casefix
from typing import Callable, Iterable

NEVER = r"(?!x)x"

# Case-insensitive matching in re compares characters by their simple lower-case mapping, which str.lower() gives
# too, save for "İ" (two characters in lower case) and the characters re also pairs with others ("ſ" with "s",
# "ı" with "i", Greek and Cyrillic variants: these, lower-case, here).
FOLD_SPECIAL = frozenset(chr(c) for k, vs in _casefix._EXTRA_CASES.items() for c in (k, *vs) if c > 0x7F)
# one of them in a text: a class searched by re (a scan in C: ~4x faster than set.isdisjoint over the text's characters)
_FOLD_SPECIAL_RE = re.compile("[" + "".join(re.escape(c) for c in sorted(FOLD_SPECIAL)) + "]")


@lru_cache(maxsize=64)  # the gates of a rule set ask for the same text one after another
def lowered_for_ci(text: str) -> str | None:
    """``text.lower()`` when a case-sensitive search of lower-cased phrases (with no character of FOLD_SPECIAL)
    in it finds what the case-insensitive search of the phrases finds in ``text``, at the same offsets; None when
    the text holds a character that rules this out."""
    low = text.lower()
    if len(low) != len(text) or not (low.isascii() or _FOLD_SPECIAL_RE.search(low) is None):
        return None
    return low


def lowered_phrases(phrases: Iterable[str]) -> list[str] | None:
    """The phrases lower-cased, for a case-sensitive search in ``lowered_for_ci``'s texts that finds what their
    case-insensitive search finds in the texts; None when a phrase holds a character that rules this out (the same
    test as for a text)."""
    phrases = list(phrases)
    if any(lowered_for_ci(p) is None for p in phrases):
        return None
    return [p.lower() for p in phrases]


_LETTER = re.compile(r"[^\W\d_]")


def word_start_search(fast: re.Pattern, low: str, pos: int = 0) -> re.Match | None:
    r"""The first match of ``fast`` in the lower-cased text ``low``, from ``pos``, that starts a word (no letter
    right before it): what ``(?<![^\W\d_])`` before ``fast`` finds, without a look-behind tried at every position
    (which keeps re from its fast first-character scan)."""
    while True:
        m = fast.search(low, pos)
        if m is None:
            return None
        i = m.start()
        if i == 0 or _LETTER.match(low, i - 1) is None:
            return m
        pos = i + 1  # inside a word


def word_start_matches(fast: re.Pattern, low: str):
    """All the matches ``word_start_search`` finds, in order, as ``finditer`` gives them."""
    m = word_start_search(fast, low)
    while m is not None:
        yield m
        m = word_start_search(fast, low, m.end())


def shortest_openings(openings: Iterable[str]) -> tuple[str, ...]:
    """The ``openings`` of ``anchored_finditer`` without those that start with another one (found with it),
    sorted."""
    out = set(openings)
    return tuple(sorted(o for o in out if not any(q != o and o.startswith(q) for q in out)))


def anchored_finditer(rx: re.Pattern, openings: Iterable[str], text: str, find_in: str | None = None):
    """The matches ``rx.finditer(text)`` gives (``rx`` never matches the empty string), with ``rx`` tried only where
    one of the literals ``openings`` stands: every match of ``rx`` must start with one of them (say, the literal
    each of its phrases opens with). They are looked for in ``find_in`` when given: the text as they read it, at
    the same offsets (``lowered_for_ci(text)`` for lower-case openings of a pattern that ignores case).
    ``str.find`` skips to them in C, where a pattern that opens with look-arounds is tried at every position of the
    text (a whole document: ~4-6x fewer instructions for the currency evidence and the fiscal year end)."""
    where = text if find_in is None else find_in
    starts = set()
    for literal in openings:
        i = where.find(literal)
        while i >= 0:
            starts.add(i)
            i = where.find(literal, i + 1)
    end = 0
    for i in sorted(starts):
        if i >= end and (m := rx.match(text, i)) is not None:  # (its look-behinds still read the text before i)
            yield m
            end = m.end()


def trie_alternation(phrases: Iterable[str], atoms: Callable[[str], list[str]]) -> str:
    """One non-capturing group matching any of ``phrases``; ``atoms(phrase)`` gives each phrase's regex
    atoms (one per character, or a flexible atom for a space, an apostrophe...)."""
    root: dict = {}
    for p in {p for p in phrases if p}:
        node = root
        for a in atoms(p):
            node = node.setdefault(a, {})
        node[""] = {}
    if not root:
        return NEVER

    def emit(node: dict) -> str:
        kids = sorted((k for k in node if k), key=lambda k: (-len(k), k))
        if not kids:
            return ""
        parts = [k + emit(node[k]) for k in kids]
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + emit(root) + ")"


def literal_alternation(phrases: Iterable[str]) -> str:
    """A trie of exact phrases (each character literal; case folding is left to the pattern's flags)."""
    return trie_alternation(phrases, lambda p: [re.escape(ch) for ch in p])


# ---------------------------------------------------------------------------------------------------------
# first-character look-ahead

def _first_items(items, ci: bool):
    """The class items (regex source, each with whether it is read case-insensitively) a match of the parsed
    sequence ``items`` can start with, and whether the sequence can match the empty string; None when that
    cannot be said simply (then no look-ahead is added)."""
    from re import _constants as C  # noqa: PLC0415 - the parser's opcodes (CPython 3.11+)

    out: set[tuple[str, bool]] = set()
    for op, av in items:
        if op in (C.ASSERT, C.ASSERT_NOT) or op is C.AT and av in _BOUNDARIES:
            continue  # zero width: the next item starts the match
        if op is C.LITERAL:
            out.add((f"\\U{av:08x}", ci))
            return out, False
        if op is C.IN:
            for iop, iav in av:
                if iop is C.LITERAL:
                    out.add((f"\\U{iav:08x}", ci))
                elif iop is C.RANGE:
                    out.add((f"\\U{iav[0]:08x}-\\U{iav[1]:08x}", ci))
                elif iop is C.CATEGORY and iav in _CATEGORIES:
                    out.add((_CATEGORIES[iav], False))
                else:
                    return None
            return out, False
        if op is C.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            got = _first_items(sub, (ci or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE)
        elif op is C.BRANCH:
            got, empty = set(), False
            for alt in av[1]:
                r = _first_items(alt, ci)
                if r is None:
                    return None
                got |= r[0]
                empty = empty or r[1]
            got = (got, empty)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            r = _first_items(sub, ci)
            if r is None:
                return None
            got = (r[0], r[1] or lo == 0)
        else:
            return None  # any character, a back-reference, a negated literal, a "^"...
        if got is None:
            return None
        out |= got[0]
        if not got[1]:
            return out, False
    return out, True


def _categories() -> tuple[dict, frozenset]:
    from re import _constants as C  # noqa: PLC0415

    return ({C.CATEGORY_DIGIT: r"\d", C.CATEGORY_SPACE: r"\s", C.CATEGORY_WORD: r"\w"},
            frozenset({C.AT_BOUNDARY, C.AT_NON_BOUNDARY, C.AT_UNI_BOUNDARY, C.AT_UNI_NON_BOUNDARY}))


try:
    _CATEGORIES, _BOUNDARIES = _categories()
except ImportError:  # pragma: no cover - another Python: no look-ahead
    _CATEGORIES, _BOUNDARIES = {}, frozenset()


def _opens_with_assertion(items) -> bool:
    """Does the parsed pattern (each of its alternatives, when it opens with some) open with a look-behind, a
    look-ahead or a word boundary?"""
    from re import _constants as C  # noqa: PLC0415

    if not items:
        return False
    op, av = items[0]
    if op in (C.ASSERT, C.ASSERT_NOT) or op is C.AT and av in _BOUNDARIES:
        return True
    if op is C.SUBPATTERN:
        return _opens_with_assertion(list(av[3]))
    if op is C.BRANCH:
        return all(_opens_with_assertion(list(alt)) for alt in av[1])
    return False


def first_char_lookahead(rx: re.Pattern, *, always: bool = False) -> re.Pattern:
    """``rx`` with a look-ahead on the characters its matches can start with, when it opens with look-behinds
    or a word boundary (or, with ``always``, whatever it opens with: re's own first-character scan does not
    serve an alternation of case-sensitive groups such as "(?-i:Q|T)[1-4]|[1-4](?-i:Q|T)")
    (then ``re`` cannot skip the positions where no match can start: it tries every look-behind, then the
    alternation, at each of them; a look-ahead on one character class is a single test). Same matches: every
    match starts with one of those characters (the class has the pattern's own flags). ``rx`` itself when its
    first characters cannot be told (a pattern that may match the empty string, a negated class...)."""
    try:
        from re import _parser  # noqa: PLC0415

        parsed = _parser.parse(rx.pattern, rx.flags)
        first = list(parsed)
        if not always and not _opens_with_assertion(first):
            return rx
        r = _first_items(first, bool(rx.flags & re.IGNORECASE))
    except (ImportError, AttributeError, re.error):  # pragma: no cover
        return rx
    if r is None or r[1] or not r[0] or not isinstance(rx.pattern, str) or (
            rx.pattern.startswith("(?") and rx.pattern[2:3].isalpha()):  # a global flag must stay first
        return rx
    cs = "".join(sorted(item for item, ci in r[0] if not ci))
    ci = "".join(sorted(item for item, ci in r[0] if ci))
    if rx.flags & re.IGNORECASE:  # the whole pattern ignores case: one class
        classes = ["[" + cs + ci + "]"]
    else:
        classes = (["[" + cs + "]"] if cs else []) + (["(?i:[" + ci + "])"] if ci else [])
    # grouped: the look-ahead must stand before every alternative of a pattern that is an alternation
    return re.compile("(?=" + "|".join(classes) + ")(?:" + rx.pattern + ")", rx.flags)
