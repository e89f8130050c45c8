"""Table-driven tests for normalizers.periods over normalizers/data/<lang>/periods.cases.toml,
plus fiscal arithmetic, fiscal-year-end detection and the user fiscal calendar override."""
from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from normalizers import periods as P
from normalizers.periods import Period, find_fiscal_year_end, find_periods, fiscal_year_end_for
from normalizers.periods.fiscal import _parse_calendar_file
from normalizers.periods.rules import _grammar
from normalizers.periods.search import _scan

DATA = Path(__file__).resolve().parents[2] / "normalizers" / "data"
LANGS = ("en", "fr")


def _load_cases(lang: str) -> list[dict]:
    with open(DATA / lang / "periods.cases.toml", "rb") as f:
        return tomllib.load(f)["case"]


def _mmdd(s: str | None) -> tuple[int, ...]:
    """"MM-DD", or "MM-DD-1" for fiscal years named by the calendar year they start in."""
    if not s:
        return (12, 31)
    return tuple(int(x) for x in s.split("-"))


def _ref(r: dict | None) -> Period | None:
    if not r:
        return None
    start = date.fromisoformat(r["start"]) if r.get("start") else None
    return Period(start, date.fromisoformat(r["end"]), r["grain"], bool(r.get("is_fiscal", False)), "ref")


CASES = [(lang, i, c) for lang in LANGS for i, c in enumerate(_load_cases(lang))]


def test_corpus_sizes():
    for lang in LANGS:
        cases = _load_cases(lang)
        assert len(cases) >= 50, lang
        assert sum(1 for c in cases if c["expected"] == []) >= 5, lang


@pytest.mark.parametrize("lang,idx,case", CASES, ids=[f"{l}-{i}-{c['text'][:40]}" for l, i, c in CASES])
def test_case(lang: str, idx: int, case: dict):
    text = case["text"]
    got = find_periods(text, lang, fiscal_year_end=_mmdd(case.get("fiscal_year_end")),
                       reference=_ref(case.get("reference")))
    exp = case["expected"]
    summary = [(m.text, m.period and (m.period.start, m.period.end, m.period.grain, m.period.is_fiscal, m.period.label),
                m.relative, m.grain_hint) for m in got]
    assert [m.text for m in got] == [e["text"] for e in exp], summary
    for m, e in zip(got, exp):
        assert text[m.start:m.end] == m.text
        if "end" in e:
            assert m.period is not None, summary
            assert m.period.end.isoformat() == e["end"], summary
            if "start" in e:
                assert m.period.start is not None and m.period.start.isoformat() == e["start"], summary
            if "grain" in e:
                assert m.period.grain == e["grain"], summary
            if "is_fiscal" in e:
                assert m.period.is_fiscal == e["is_fiscal"], summary
            if "label" in e:
                assert m.period.label == e["label"], summary
        else:
            assert m.period is None, summary
        assert m.relative == e.get("relative"), summary
        if "grain_hint" in e:
            assert m.grain_hint == e["grain_hint"], summary


# ---- fiscal arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize("fye,n,q,start,end", [
    ((3, 31), 2025, 4, "2025-01-01", "2025-03-31"),
    ((3, 31), 2026, 2, "2025-07-01", "2025-09-30"),
    ((3, 31), 2025, 3, "2024-10-01", "2024-12-31"),
    ((3, 31), 2025, 1, "2024-04-01", "2024-06-30"),
    ((6, 30), 2025, 3, "2025-01-01", "2025-03-31"),
    ((6, 30), 2025, 1, "2024-07-01", "2024-09-30"),
    ((9, 30), 2025, 1, "2024-10-01", "2024-12-31"),
    ((12, 31), 2025, 3, "2025-07-01", "2025-09-30"),
    ((1, 31), 2026, 1, "2025-02-01", "2025-04-30"),
    ((9, 27), 2025, 4, "2025-07-01", "2025-09-30"),  # 52/53-week year: snapped to the month end
    ((2, 1), 2025, 4, "2024-11-01", "2025-01-31"),  # Saturday nearest 31 January
])
def test_fiscal_quarter(fye, n, q, start, end):
    p = P.fiscal_quarter(n, q, fye)
    assert (p.start.isoformat(), p.end.isoformat(), p.grain, p.is_fiscal) == (start, end, "quarter", True)
    assert p.label == f"Q{q} FY{n}"


@pytest.mark.parametrize("fye", [(1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30), (7, 31), (8, 31),
                                 (9, 30), (10, 31), (11, 30), (12, 31)])
def test_fiscal_year_parts_tile(fye):
    for n in (2019, 2024, 2025):
        fy = P.fiscal_year(n, fye)
        assert fy.end.year == n and fy.end.month == fye[0]
        qs = [P.fiscal_quarter(n, k, fye) for k in range(1, 5)]
        hs = [P.fiscal_half(n, k, fye) for k in (1, 2)]
        assert qs[0].start == fy.start and qs[-1].end == fy.end
        assert hs[0].start == fy.start and hs[-1].end == fy.end and hs[0].end == qs[1].end
        for a, b in zip(qs, qs[1:]):
            assert (b.start - a.end).days == 1
        assert P.fiscal_year(n - 1, fye).end.toordinal() + 1 == fy.start.toordinal()


def test_fiscal_year_default_is_calendar_but_fiscal():
    (m,) = find_periods("exercice 2023", "fr")
    assert (m.period.start, m.period.end, m.period.is_fiscal, m.period.label) == (
        date(2023, 1, 1), date(2023, 12, 31), True, "FY2023")


def test_calendar_quarter_not_fiscal_even_with_fye():
    (m,) = find_periods("troisième trimestre 2023", "fr", fiscal_year_end=(3, 31))
    assert m.period.end == date(2023, 9, 30) and not m.period.is_fiscal


def test_bad_fiscal_year_end():
    with pytest.raises(ValueError):
        find_periods("FY2025", "en", fiscal_year_end=(13, 1))


# ---- fiscal year end stated in text --------------------------------------------------------


@pytest.mark.parametrize("text,lang,expected", [
    ("Our fiscal year ending 30 June", "en", (6, 30)),
    ("for the fiscal year ended March 31, 2024", "en", (3, 31)),
    ("The Company's fiscal year runs from April 1 to March 31.", "en", (3, 31)),
    ("Apple's fiscal year ends on the last Saturday of September.", "en", (9, 30)),
    ("Fiscal year-end: 31 May", "en", (5, 31)),
    ("for the year ended 31 December 2023", "en", (12, 31)),
    ("l'exercice social ... clôture au 31 décembre", "fr", (12, 31)),
    ("exercice clos le 30 juin 2024", "fr", (6, 30)),
    ("L'exercice social commence le 1er avril et se termine le 31 mars.", "fr", (3, 31)),
    ("Date de clôture de l'exercice : 31 mars", "fr", (3, 31)),
    ("Notre exercice fiscal se termine fin février", "fr", (2, 28)),
    ("Le chiffre d'affaires a progressé de 8 % en 2023.", "fr", None),
    ("Revenue rose in fiscal 2024.", "en", None),
    ("", "en", None),
])
def test_find_fiscal_year_end(text, lang, expected):
    assert find_fiscal_year_end(text, lang) == expected


# ---- fiscal calendars by ticker ------------------------------------------------------------


def test_shipped_calendars(monkeypatch):
    monkeypatch.delenv(P.ENV_CALENDARS, raising=False)
    assert fiscal_year_end_for("BABA") == (3, 31)
    assert fiscal_year_end_for("baba") == (3, 31)
    assert fiscal_year_end_for("BABA.N") == (3, 31)
    assert fiscal_year_end_for("MSFT") == (6, 30)
    assert fiscal_year_end_for("AAPL") == (9, 30)
    assert fiscal_year_end_for("6758") == (3, 31)
    assert fiscal_year_end_for("WMT") == (1, 31)
    assert fiscal_year_end_for("NO-SUCH-TICKER") is None
    assert fiscal_year_end_for(None) is None
    assert fiscal_year_end_for("") is None


def test_shipped_calendar_size_and_format():
    cal = _parse_calendar_file(DATA / "fiscal_calendars.toml")
    assert len(cal) >= 40


def test_user_calendar_overrides(tmp_path, monkeypatch):
    user = tmp_path / "my_calendars.toml"
    user.write_text('BABA = "12-31"\nNEWCO = "06-30"\n"7974.T" = "03-31"\n', encoding="utf-8")
    monkeypatch.setenv(P.ENV_CALENDARS, str(user))
    assert fiscal_year_end_for("BABA") == (12, 31)  # user entry wins
    assert fiscal_year_end_for("NEWCO") == (6, 30)  # user entry added
    assert fiscal_year_end_for("7974.t") == (3, 31)
    assert fiscal_year_end_for("MSFT") == (6, 30)  # shipped entries kept
    monkeypatch.delenv(P.ENV_CALENDARS)
    assert fiscal_year_end_for("BABA") == (3, 31)
    assert fiscal_year_end_for("NEWCO") is None


def test_user_calendar_bad_value(tmp_path, monkeypatch):
    user = tmp_path / "bad.toml"
    user.write_text('BABA = "31-03"\n', encoding="utf-8")
    monkeypatch.setenv(P.ENV_CALENDARS, str(user))
    with pytest.raises(ValueError):
        fiscal_year_end_for("BABA")


# ---- the sample report ---------------------------------------------------------------------


SAMPLE = Path(__file__).resolve().parents[2] / "raw" / "alibaba-canvas-2025.txt"  # the sample, kept in raw/


def test_sample_lines_have_periods():
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    want = {
        104: ["Q4 2023", "FY2023"],
        285: ["Q2 FY2026"],
        341: ["Q4 FY2025"],
        361: ["Q3 2025"],
        411: ["TTM to 2025-09-30"],
        360: ["2025-08"],
    }
    for ln, labels in want.items():
        got = [m.period.label for m in find_periods(lines[ln - 1], "fr" if ln < 283 else "en",
                                                    fiscal_year_end=(3, 31)) if m.period]
        assert got == labels, (ln, got)


def test_offsets_and_order_on_mixed_text():
    text = "En 2023 (FY2024), Q3 2025 vs. the same quarter; au 30 juin 2025 — sur trois ans."
    ms = find_periods(text, "fr", fiscal_year_end=(3, 31))
    assert [m.text for m in ms] == ["2023", "FY2024", "Q3 2025", "same quarter", "30 juin 2025", "sur trois ans"]
    for a, b in zip(ms, ms[1:]):
        assert a.end <= b.start
    for m in ms:
        assert text[m.start:m.end] == m.text


def _report_lines() -> list[str]:
    root = Path(__file__).resolve().parents[2]
    files = [*sorted((root / "tests" / "fixtures" / "reports").glob("*.txt")), root / "raw" / "alibaba-canvas-2025.txt"]
    return [line for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_rule_gates_never_hide_a_match(monkeypatch):
    """Each rule runs only when its cheap test (a year, a month name, a fiscal word...) passes: the periods
    found are the same as with every rule run on every text (case corpora and report lines)."""
    texts = [(c["text"], lang, _mmdd(c.get("fiscal_year_end"))) for lang, _, c in CASES] + [(t, "fr", (12, 31)) for t in _report_lines()]
    assert len(texts) > 500
    gated = [find_periods(t, lang, fiscal_year_end=fye) for t, lang, fye in texts]
    g = _grammar()
    monkeypatch.setattr(g, "gates", {name: re.compile("") for name in g.gates})  # every test passes
    _scan.cache_clear()  # the scans are cached by text: run the rules again, ungated
    try:
        ungated = [find_periods(t, lang, fiscal_year_end=fye) for t, lang, fye in texts]
    finally:
        _scan.cache_clear()
    assert sum(len(x) for x in gated) > 300
    assert gated == ungated
