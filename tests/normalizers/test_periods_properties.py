"""Property tests for normalizers.periods: arbitrary text never raises, offsets always point at
their text, mentions are ordered and non-overlapping, and periods are well formed."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from normalizers.periods import GRAINS, Period, find_fiscal_year_end, find_periods

FRAGMENTS = [
    "2023", "2024", "2025", " ", ", ", ". ", "(", ")", "|", "-", "–", "/", "'", "’", "Q3", "T4", "H1", "S2", "3Q",
    "FY", "FY25", "fiscal year", "fiscal", "exercice", "l'exercice", "trimestre", "quarter", "quatrième",
    "second", "premier", "semestre", "half", "of", "de", "the", "September", "Sep", "sept.", "juin", "mars",
    "30", "31", "1er", "ended", "ending", "clos le", "au", "as of", "early", "fin", "mid-", "TTM", "LTM",
    "twelve months", "over", "three years", "sur trois ans", "same quarter", "a year earlier", "prior year",
    "exercice précédent", "11.11", "24/7", "18-35 ans", "2 000", "1,6 milliard", "Qwen2.5-72B", "Singles' Day",
    "between", "and", "to", "à", "\u00a0", "\n", "2100", "1899", "19", "20", "É", "İ", "ß",
    "half-year", "halfyear", "half‐year", "six months", "three-month period", "douze mois", "même trimestre",
    "1st", "premier", "March 31,", "Double 11", "next", "prochaines", "années", "dernier", "précédent",
]

REF = st.one_of(
    st.none(),
    st.builds(lambda y, q: Period(date(y, 3 * q - 2, 1), date(y, 3 * q, 28), "quarter", False, "ref"),
              st.integers(1950, 2090), st.integers(1, 4)),
    st.builds(lambda y, f: Period(date(y - 1, 4, 1), date(y, 3, 31), "year", f, "ref"),
              st.integers(1950, 2090), st.booleans()),
    st.builds(lambda d: Period(None, d, "day", False, "ref"), st.dates(date(1950, 1, 1), date(2090, 12, 31))),
)
FYE = st.sampled_from([(12, 31), (3, 31), (6, 30), (9, 30), (1, 31), (9, 27), (2, 1), (2, 29)])


def _check(text: str, mentions) -> None:
    prev_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.start >= prev_end
        prev_end = m.end
        if m.period is not None:
            p = m.period
            assert p.grain in GRAINS
            assert isinstance(p.end, date)
            assert p.start is None or p.start <= p.end
            assert p.label
        if m.grain_hint is not None:
            assert m.grain_hint in GRAINS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["fr", "en", "de", ""]), FYE, REF)
def test_arbitrary_text_never_raises(text, lang, fye, ref):
    _check(text, find_periods(text, lang, fiscal_year_end=fye, reference=ref))
    find_fiscal_year_end(text, lang)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join), st.sampled_from(["fr", "en"]), FYE, REF)
def test_period_like_text(text, lang, fye, ref):
    _check(text, find_periods(text, lang, fiscal_year_end=fye, reference=ref))
    r = find_fiscal_year_end(text, lang)
    assert r is None or (1 <= r[0] <= 12 and 1 <= r[1] <= 31)


@settings(max_examples=200, deadline=None)
@given(st.integers(1900, 2100), st.integers(1, 4), FYE)
def test_quarter_forms_agree(y, q, fye):
    ms = find_periods(f"Q{q} FY{y} and fiscal Q{q} {y}", "en", fiscal_year_end=fye)
    assert len(ms) == 2 and ms[0].period == ms[1].period
    assert ms[0].period.grain == "quarter" and ms[0].period.is_fiscal
    cal = find_periods(f"Q{q} {y}", "en", fiscal_year_end=fye)[0].period
    assert cal.end.month == 3 * q and cal.end.year == y and not cal.is_fiscal
