"""normalizers.text.fold: the one folding helper and its edge rules."""
from __future__ import annotations

import pytest

from normalizers.text import fold


@pytest.mark.parametrize("text, options, expected", [
    ("Élevé", {}, "eleve"),
    ("Élevé", {"case": None}, "Eleve"),
    ("ASCII Only", {}, "ascii only"),
    # canonical (default): ligatures and full-width forms stay; every nonspacing mark goes (variation selectors too)
    ("ﬁnance Ｘ²", {}, "ﬁnance ｘ²"),
    ("❤\ufe0f", {}, "❤"),
    # compatibility: ligatures, full-width and superscripts become plain; marks without a combining class stay
    ("ﬁnance Ｘ²", {"compat": True}, "finance x2"),
    ("❤\ufe0f", {"compat": True}, "❤\ufe0f"),
    ("Straße", {"case": "casefold"}, "strasse"),
    ("Straße", {}, "straße"),
    ("l’exercice – clos", {"quotes": "’"}, "l'exercice – clos"),
    ("l‘exercice – clos", {"quotes": "’‘", "dashes": "–—"}, "l'exercice - clos"),
    ("  Chiffre   d'affaires\n", {"spaces": True}, "chiffre d'affaires"),
    ("R&D / marge (%) – Groupe", {"keep": "&%", "spaces": True, "compat": True, "case": "casefold"}, "r&d marge % groupe"),
])
def test_fold(text, options, expected):
    assert fold(text, **options) == expected


def test_fold_rejects_an_unknown_case_rule():
    with pytest.raises(ValueError):
        fold("x", case="upper")


def _compat_by_definition(text: str, quotes: str, dashes: str) -> str:
    """fold(compat=True, case=None) as the module docstring defines it: quotes and dashes, then NFKD of the
    whole text without the characters that have a combining class."""
    import unicodedata

    text = text.translate({**{ord(c): "'" for c in quotes}, **{ord(c): "-" for c in dashes}})
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@pytest.mark.parametrize("quotes, dashes", [("", ""), ("’‘", "–—")])
def test_fold_compat_is_nfkd_of_the_whole_text(quotes, dashes):
    """The compatibility fold works character by character (one translation table): the same as decomposing
    the whole text, with combining marks in every order (reordered by NFKD), Hangul, ligatures, math letters."""
    import random

    rng = random.Random(7)
    pool = ([chr(c) for c in range(0x20, 0x250)] + list("’‘–—\u00a0\u202f€£¥₩ﬁﬂ²½Ｘ가각힣𝐀𝑎❤\ufe0fİſ")
            + ["\u0301", "\u0327", "\u0308", "\u0323", "\u05b0", "\u0345", "\u302a", "\u0f71", "\U0001d165", "\U0001d16d"])
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 24))) for _ in range(5000)]
    texts += ["é\u0327\u0301x", "a\u0301\u0323", "ﬁnance – l’été", "Ｘ²\u0308"]
    for text in texts:
        assert fold(text, case=None, compat=True, quotes=quotes, dashes=dashes) == _compat_by_definition(text, quotes, dashes)
