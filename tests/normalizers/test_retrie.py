"""first_char_lookahead: a pattern that opens with look-behinds gets a look-ahead on its first characters, and
finds exactly the same matches (the period grammar's rules and gates on the period cases and report lines).
anchored_finditer: the same matches as finditer (the currency evidence and the fiscal year end on whole reports)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from normalizers.periods.rules import _grammar
from normalizers.currencies import _document_evidence
from normalizers.periods.fiscal import _fye_grammar
from normalizers.retrie import anchored_finditer, first_char_lookahead, lowered_for_ci

ROOT = Path(__file__).resolve().parents[2]


def _texts() -> list[str]:
    files = [*sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.txt")), ROOT / "raw" / "alibaba-canvas-2025.txt"]
    lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines + ["ſame quarter 2024", "K1 2024", "İnine months", "12 derniers mois", "x-2024", ",5", "FY25", ""]


@pytest.mark.parametrize("pattern, flags, added", [
    (r"(?<![^\W\d_])(?:same|m[êe]me)\s+quarter", re.IGNORECASE, True),
    (r"(?<![\w.])(?:Q|T)[1-4]|(?<!\w)\d{4}", 0, True),  # every alternative opens with a look-behind
    (r"(?<!\w)(?:a|b)?c", re.IGNORECASE, True),  # an optional first part: its characters and the next ones
    (r"(?:19\d\d|20\d\d)", 0, False),  # no look-behind: re already skips to the first characters
    (r"(?<!\w).x", 0, False),  # any character first
    (r"(?<!\w)[^a]x", 0, False),  # a negated class first
    (r"(?<!\w)(?:a)?", 0, False),  # may match the empty string
    (r"(?<!\w)foo|bar", 0, False),  # one alternative opens without a look-behind
    (r"(?<!\w)(?i:ab)|(?<!\w)Ac", 0, True),  # a case-insensitive part in a case-sensitive pattern
    (r"\b(?:ab|ac)\b", re.IGNORECASE, True),  # a word boundary first
    (r"^(?:ab|ac)", 0, False),  # "^" first: re only tries the start
])
def test_lookahead_added_only_when_it_can_be_told(pattern, flags, added):
    rx = re.compile(pattern, flags)
    got = first_char_lookahead(rx)
    assert (got is not rx) == added
    if added:
        assert got.pattern.startswith("(?=[") and got.flags == rx.flags
        for text in ["same quarter", "MÊME quarter", "xQ3 T4 2024", "ac bc c", "abc", "ſame quarter", "AB Ac ac aB"]:
            assert [m.span() for m in got.finditer(text)] == [m.span() for m in rx.finditer(text)]


def test_period_grammar_same_matches_with_lookahead():
    g = _grammar()
    texts = _texts()
    changed = 0
    for name, rx, _fn, _needs in g.rules:
        plain = re.compile(rx.pattern.split("])", 1)[1] if rx.pattern.startswith("(?=[") else rx.pattern, rx.flags)
        changed += plain.pattern != rx.pattern
        assert [[m.span() for m in rx.finditer(t)] for t in texts] == [[m.span() for m in plain.finditer(t)] for t in texts], name
    for name, rx in g.gates.items():
        plain = re.compile(rx.pattern.split("])", 1)[1] if rx.pattern.startswith("(?=[") else rx.pattern, rx.flags)
        changed += plain.pattern != rx.pattern
        assert [bool(rx.search(t)) for t in texts] == [bool(plain.search(t)) for t in texts], name
    assert changed >= 10  # the look-ahead is there (most rules and gates open with a look-behind)


def test_anchored_finditer_same_matches():
    rx = re.compile(r"(?<![^\W\d_])(?:us[ \u00a0]?dollars?|u\.s\.[ ]?dollars)(?![^\W\d_])|\$[ ]?ca")
    anchors = ("us", "u.s.", "$")
    for text in ["us dollars, bus dollars, $ca, $ ca US$ca", "u.s. dollars u.s.dollarsx us\u00a0dollar", "", "$"]:
        assert [m.span() for m in anchored_finditer(rx, anchors, text)] == [m.span() for m in rx.finditer(text)]
    # the currency evidence (normalizers.currencies.document_hints) and the fiscal year end's phrases (read in the
    # text, found in its lowered_for_ci) on whole reports and their lines
    files = [*sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.txt")), ROOT / "raw" / "alibaba-canvas-2025.txt"]
    reports = [f.read_text(encoding="utf-8") for f in files]
    evidence = [(lowered, openings) for _rx, lowered, openings in _document_evidence().values()]
    fiscal, _g = _fye_grammar()
    assert all(openings for _rx, openings in evidence + list(fiscal))
    found = {"evidence": 0, "fiscal": 0}
    extra = ["Cn¥ 5 JP¥ yens, Yuan; RMBx xrmb $ CAD $Can dollar", "FYE: 30 June. Année fiscale"]
    for text in reports + _texts() + extra:
        low = lowered_for_ci(text)
        if not low:
            continue
        for rx, openings in evidence:
            got = [(m.span(), m.lastgroup) for m in anchored_finditer(rx, openings, low)]
            assert got == [(m.span(), m.lastgroup) for m in rx.finditer(low)]
            found["evidence"] += len(got)
        for rx, openings in fiscal:
            got = [m.span() for m in anchored_finditer(rx, openings, text, low)]
            assert got == [m.span() for m in rx.finditer(text)]
            found["fiscal"] += len(got)
    assert found["evidence"] >= 3 and found["fiscal"] >= 3
