"""Table-driven tests: the example corpora beside the language data files, plus the sample report."""
from __future__ import annotations

import json
import time
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from normalizers.amounts import Amount, find_amounts

DATA = Path(__file__).resolve().parents[2] / "normalizers" / "data"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"  # copies of the shared gold/ and benchmarks/


def _cases(lang: str):
    with open(DATA / lang / "amounts.cases.toml", "rb") as fh:
        return tomllib.load(fh)["case"]


def _params(lang: str):
    return [pytest.param(c, id=f"{lang}-{i:03d}-{c['input'][:40]}") for i, c in enumerate(_cases(lang))]


def _check(case, lang):
    got = find_amounts(case["input"], lang)
    exp = case["expected"]
    summary = [(a.text, str(a.value), a.unit, a.kind, sorted(a.flags), a.value_high) for a in got]
    assert len(got) == len(exp), summary
    for a, e in zip(got, exp):
        assert a.text == e["text"], summary
        assert a.value == Decimal(e["value"]), summary
        assert a.unit == e["unit"], summary
        assert a.kind == e["kind"], summary
        assert sorted(a.flags) == sorted(e.get("flags", [])), summary
        if "value_high" in e:
            assert a.value_high == Decimal(e["value_high"]), summary
        else:
            assert a.value_high is None, summary


@pytest.mark.parametrize("case", _params("fr"))
def test_fr_corpus(case):
    _check(case, "fr")


@pytest.mark.parametrize("case", _params("en"))
def test_en_corpus(case):
    _check(case, "en")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_corpus_size(lang):
    cases = _cases(lang)
    assert len(cases) >= 60
    assert sum(1 for c in cases if not c["expected"]) >= 8  # must-not-match cases


def test_offsets_and_types():
    text = "Revenus de 853,126 milliards de yuan chinois (environ 117,4 milliards de dollars)."
    out = find_amounts(text, "fr")
    assert [a.text for a in out] == ["853,126 milliards de yuan chinois", "117,4 milliards de dollars"]
    for a in out:
        assert isinstance(a, Amount)
        assert text[a.start:a.end] == a.text
        assert isinstance(a.value, Decimal)
    assert out[0].precision == 3
    assert "equivalent" in out[1].flags and "approx" in out[1].flags


def test_precision():
    assert find_amounts("1,6 milliard", "fr")[0].precision == 1
    assert find_amounts("$8.511B", "en")[0].precision == 3
    assert find_amounts("824 millions", "fr")[0].precision == 0


def test_currency_hints():
    assert find_amounts("¥3,799", "en")[0].unit == "JPY"
    assert find_amounts("¥3,799", "en", currency_hints={"¥": "CNY"})[0].unit == "CNY"
    assert find_amounts("¥3,799 per unit, revenue in RMB", "en")[0].unit == "CNY"
    assert find_amounts("5 dollars", "en", currency_hints={"$": "HKD"})[0].unit == "HKD"


def test_no_currency_invented():
    out = find_amounts("824 millions d'utilisateurs", "fr")
    assert out[0].unit == "number" and out[0].kind == "number"


def test_empty_and_no_digits():
    assert find_amounts("", "fr") == []
    assert find_amounts("Aucune donnée ici.", "fr") == []
    assert find_amounts("No figures here.", "en") == []


def test_sample_report_money_and_percent():
    """Every money/percent label of the sample report is found on its line with the same unit and value."""
    sample = Path(__file__).resolve().parents[2] / "raw" / "alibaba-canvas-2025.txt"  # the sample, kept in raw/
    gold = FIXTURES / "gold" / "alibaba-canvas-2025.gold.jsonl"
    lines = sample.read_text(encoding="utf-8").splitlines()
    labels = [json.loads(x) for x in gold.read_text(encoding="utf-8").splitlines() if x.strip()]
    misses = []
    total = 0
    for lab in labels:
        if lab["kind"] not in ("money", "percent") or lab.get("grade") != "core":
            continue
        total += 1
        found = find_amounts(lines[lab["line"] - 1], lab.get("lang", "en"), currency_hints={"¥": "CNY"})
        ok = any(a.unit == lab["unit"] and abs(float(a.value) - lab["value"]) <= 0.005 * abs(lab["value"]) for a in found)
        if not ok:
            misses.append((lab["line"], lab["text"]))
    assert len(misses) <= 0.05 * total, misses


def test_linear_time_on_long_lines():
    """No catastrophic backtracking: time grows linearly with the input (bounded repetition everywhere).
    The pipeline cuts prose into bounded windows anyway; multi-megabyte lines are covered in tests/faults."""
    chunk = "1 234 567,89 and 12,500.75 dollars 3-4% between 2 and 4 million, 2023 Qwen2.5 plus de 230 "
    big = (chunk * (300_000 // len(chunk) + 1))[:300_000]
    t0 = time.perf_counter()
    out = find_amounts(big, "fr")
    elapsed = time.perf_counter() - t0
    assert out  # it finds things
    assert elapsed < 20, elapsed
    # adversarial dense inputs: 10x the input, at most ~15x the time
    for unit in ("9", "1 ", ",1", "1-", "(1)%"):
        small = unit * (10_000 // len(unit))
        large = unit * (100_000 // len(unit))
        t0 = time.perf_counter()
        find_amounts(small, "en")
        t_small = time.perf_counter() - t0
        t0 = time.perf_counter()
        find_amounts(large, "en")
        t_large = time.perf_counter() - t0
        assert t_large < 20, (unit, t_large)
        assert t_large < 15 * t_small + 1.0, (unit, t_small, t_large)


def test_cheap_prechecks_never_hide_an_amount(monkeypatch):
    """text2num reads only the stretches around number words, and a currency is looked up only when the
    neighbouring word can start or end a currency name: the amounts found are the same as when every text is
    read whole and every neighbour looked up (case corpora, benchmark inputs, report lines)."""
    from normalizers.amounts import words as A
    from normalizers import currencies as C

    texts = [(c["input"], lang) for lang in ("en", "fr") for c in _cases(lang)]
    bench = FIXTURES / "benchmarks" / "money_cases_dev.jsonl"
    for line in bench.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        texts.append((case.get("input") or case.get("text"), case.get("lang") or "en"))
    reports = [*sorted((DATA.parents[1] / "tests" / "fixtures" / "reports").glob("*.txt")), DATA.parents[1] / "raw" / "alibaba-canvas-2025.txt"]
    texts += [(line, "fr") for f in reports for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [(t, lang) for t, lang in texts if t]
    assert len(texts) > 1000

    def key(found):
        return [(a.start, a.end, a.value, a.unit, a.kind, a.flags, a.value_high) for a in found]

    checked = [key(find_amounts(t, lang)) for t, lang in texts]
    monkeypatch.setattr(A, "_word_windows", lambda text, L: [(0, len(text))] if L.hint_re.search(text) else [])
    monkeypatch.setattr(C.CurrencyTables, "may_start", lambda self, word, hints=None: True)
    monkeypatch.setattr(C.CurrencyTables, "may_end", lambda self, word, hints=None: True)
    unchecked = [key(find_amounts(t, lang)) for t, lang in texts]
    assert sum(len(x) for x in checked) > 1000
    assert checked == unchecked


def test_cached_currency_lookups_keep_their_context():
    """The currency words around a figure are looked up once per words (cached): what else decides the currency
    is part of the key: the hints, whether the text names the yuan (a bare "¥"), the character after the words."""
    for _ in range(2):  # the second round reads the cache
        assert [a.unit for a in find_amounts("Price ¥300 today.", "en")] == ["JPY"]
        assert [a.unit for a in find_amounts("Price ¥300 today (China, renminbi).", "en")] == ["CNY"]
        assert [a.unit for a in find_amounts("Price 300 ¥ today.", "en")] == ["JPY"]
        assert [a.unit for a in find_amounts("Price 300 ¥ today, renminbi.", "en")] == ["CNY"]
        assert [a.unit for a in find_amounts("Price ¥300 today.", "en", currency_hints={"¥": "CNY"})] == ["CNY"]
        assert [a.unit for a in find_amounts("Price $300 today.", "en", currency_hints={"$": "CAD"})] == ["CAD"]
        assert [a.unit for a in find_amounts("Price $300 today.", "en")] == ["USD"]
        assert [(a.text, a.unit) for a in find_amounts("12 euros; 12 europeans", "fr")] == [("12 euros", "EUR"), ("12", "number")]
