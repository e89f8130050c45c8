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
