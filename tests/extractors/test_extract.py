"""Extraction end to end without the warehouse: real spaCy models, real rules, the sample and our fixtures."""
from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pytest

from extractors import nlp as nlp_module
from extractors.decode import document_from_bytes, read_document
from extractors.extract import currency_hints, extract_document
from extractors.scoring import load_gold, score

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "fixtures" / "gold"
FIXTURES = ROOT / "tests" / "fixtures" / "reports"


def _predictions(facts):
    return [
        {"line": f.line_number, "unit": f.unit, "value": float(f.value), "text": f.source_text,
         "period_end": f.period_end.isoformat() if f.period_end else None}
        for f in facts
    ]


@pytest.fixture(scope="module")
def sample_extraction():
    path = ROOT / "raw" / "alibaba-canvas-2025.txt"  # the shared sample, kept in raw/
    return read_document(path), extract_document(read_document(path))


def test_sample_facts_are_typed_and_placed(sample_extraction):
    doc, ex = sample_extraction
    by_text = {}
    for f in ex.facts:
        assert doc.text[f.char_start:f.char_end] == f.source_text
        assert doc.line_number(f.char_start) == f.line_number
        assert isinstance(f.value, Decimal)
        by_text.setdefault((f.line_number, f.source_text), f)
    f = by_text[(13, "1,6 milliard de dollars")]
    assert (f.value, f.unit, f.kind, f.block, f.lang, str(f.period_end), f.period_grain) == (
        Decimal("1600000000"), "USD", "money", "key_partners", "fr", "2023-12-31", "year")
    f = by_text[(50, "824 millions")]
    assert (f.unit, f.kind, f.subject, "table" in f.flags) == ("count", "count", "Taobao", True)
    assert f.metric == "Utilisateurs actifs annuels"
    f = by_text[(121, "1,2 milliard")]  # bullet "Utilisateurs actifs quotidiens: 1,2 milliard"
    assert f.metric == "Utilisateurs actifs quotidiens"
    retracted = [f for f in ex.facts if "retracted" in f.flags]
    assert [f.source_text for f in retracted] == ["RMB 29.6 billion"]
    # the English sections are a later edition of the same report
    editions = {(f.lang, f.edition_label) for f in ex.facts if f.block}
    assert ("fr", "Jan-2025 Mis à jour") in editions
    assert any(lang == "en" and label and label != "Jan-2025 Mis à jour" for lang, label in editions)


def test_fiscal_calendar_of_the_company_is_used(sample_extraction):
    _, ex = sample_extraction
    fy = [f for f in ex.facts if f.is_fiscal and f.period_label and "2023" in f.period_label and f.lang == "fr"]
    assert fy and all(str(f.period_end) == "2023-03-31" for f in fy)


def test_sample_accuracy_against_gold(sample_extraction):
    _, ex = sample_extraction
    s = score(_predictions(ex.facts), load_gold(GOLD / "alibaba-canvas-2025.gold.jsonl"))
    assert s.f1 >= 0.97, s.line()
    assert s.period_accuracy >= 0.95, s.line()


def test_unseen_reports_accuracy():
    """Our own hand-labelled reports (other companies, currencies, calendars): the bar for unseen reports."""
    from extractors.scoring import Score

    golds = sorted(FIXTURES.glob("*.gold.jsonl"))
    assert len(golds) >= 4
    total = Score()
    for g in golds:
        doc = read_document(FIXTURES / g.name.replace(".gold.jsonl", ".txt"))
        s = score(_predictions(extract_document(doc).facts), load_gold(g))
        assert s.f1 >= 0.90, (g.name, s.line())
        total.add(s)
    assert total.f1 >= 0.93, total.line()
    assert total.period_accuracy >= 0.85, total.line()


def test_text_without_headings_yields_facts_without_block():
    doc = document_from_bytes("Acme's revenue reached $12.5 million in 2024, up 8%.\n".encode())
    facts = extract_document(doc).facts
    assert [(f.source_text, f.unit, f.block) for f in facts] == [("$12.5 million", "USD", None), ("8%", "percent", None)]
    assert str(facts[0].period_end) == "2024-12-31"


def test_ambiguous_yen_symbol_follows_the_document():
    assert currency_hints("Revenue of RMB 5 billion; ¥3 billion later; yuan everywhere") == {"¥": "CNY"}
    assert currency_hints("Sony earned ¥3 billion, or 3 billion yen") == {"¥": "JPY"}
    assert currency_hints("¥3 billion") == {}
    assert currency_hints("RMB 5 billion, no yen symbol") == {}  # nothing to resolve


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_rule_components_mark_spans_with_their_values(lang):
    """canvas_amounts / canvas_periods are registered factories: each span carries its typed value."""
    nlp = nlp_module.get_nlp(lang)
    assert list(nlp_module.RULE_COMPONENTS) == [n for n in nlp.pipe_names if n in nlp_module.RULE_COMPONENTS]
    text = {"en": "Revenue rose to $4.5 billion in FY2025, up 12%.",
            "fr": "Le chiffre d'affaires atteint 4,5 milliards d'euros sur l'exercice 2025, en hausse de 12 %."}[lang]
    doc = nlp(text, disable=[n for n in nlp.pipe_names if n not in nlp_module.RULE_COMPONENTS])
    amounts = [(s.text, s.label_, s._.amount.unit, s._.amount.value) for s in doc.spans["amounts"]]
    expected_money = ("$4.5 billion", "money", "USD", Decimal("4500000000")) if lang == "en" else \
        ("4,5 milliards d'euros", "money", "EUR", Decimal("4500000000"))
    assert amounts[0] == expected_money
    assert amounts[-1][1:3] == ("percent", "percent") and amounts[-1][3] == 12
    periods = [(s.text, s._.period.period.label) for s in doc.spans["periods"]]
    assert periods == [({"en": "FY2025", "fr": "exercice 2025"}[lang], "FY2025")]
    assert doc.user_data["amounts"] == [s._.amount for s in doc.spans["amounts"]]


def test_rule_components_read_the_document_context():
    """doc._.currency_hints and doc._.fiscal_year_end decide ambiguous symbols and fiscal periods."""
    nlp = nlp_module.get_nlp("en")
    rules_only = [n for n in nlp.pipe_names if n not in nlp_module.RULE_COMPONENTS]
    doc = nlp.make_doc("Sales of ¥3 billion in FY2025.")
    assert doc._.currency_hints is None and doc._.fiscal_year_end == (12, 31)
    doc._.currency_hints, doc._.fiscal_year_end = {"¥": "JPY"}, (3, 31)
    doc = nlp(doc, disable=rules_only)
    assert [s._.amount.unit for s in doc.spans["amounts"]] == ["JPY"]
    period = doc.spans["periods"][0]._.period.period
    assert (period.start.isoformat(), period.end.isoformat()) == ("2024-04-01", "2025-03-31")


def test_rules_only_when_a_model_is_missing(monkeypatch, caplog):
    nlp_module._load.cache_clear()
    monkeypatch.setitem(nlp_module.MODELS, "en", "no_such_model_package")
    try:
        with caplog.at_level(logging.WARNING):
            facts = extract_document(document_from_bytes(b"Widget Corp sold 3 million units for $4.5 billion in 2023.\n")).facts
        assert [(f.source_text, f.unit) for f in facts] == [("3 million", "count"), ("$4.5 billion", "USD")]
        assert any("not installed" in r.getMessage() for r in caplog.records)
    finally:
        nlp_module._load.cache_clear()


def test_ner_only_runs_on_prose():
    """Tables and labelled bullets get their subject from structure; the statistical NER never sees them."""
    table = "| Platform | Users |\n|---|---|\n| Foo | 5 million |\n- Users: 3 million\n"
    stats = extract_document(document_from_bytes(table.encode())).stats
    assert stats["spacy_docs"] == 2 and stats["ner_docs"] == 0
    prose = table + "Bar Inc earned $2 billion in 2024. No figure here.\n"
    ex = extract_document(document_from_bytes(prose.encode()))
    assert ex.stats["ner_docs"] == 1 and ex.stats["ner_chars"] == len("Bar Inc earned")
    assert [f.subject for f in ex.facts if f.unit == "USD"] == ["Bar Inc"]


def test_units_declared_by_table_headers():
    text = (
        "| Segment | Revenue (USD m) | Volume (TEU) | Staff |\n"
        "|---|---|---|---|\n"
        "| Freight | 1,234 | 56,000 | 410 |\n"
        "| Or alipay | 213 millions | 5 | 7 |\n"
    )
    facts = extract_document(document_from_bytes(text.encode())).facts
    got = [(f.source_text, float(f.value), f.unit, f.kind) for f in facts]
    assert got == [
        ("1,234", 1234e6, "USD", "money"), ("56,000", 56000.0, "teu", "quantity"), ("410", 410.0, "count", "count"),
        ("213 millions", 213e6, "USD", "money"), ("5", 5.0, "teu", "quantity"), ("7", 7.0, "count", "count"),
    ]


def test_change_columns_take_the_period_of_the_current_column():
    text = ("Acme Retail plc\nInterim report\n\nRetail operations:\n| Measure | H1 24 | H1 23 | Change |\n|---|---|---|---|\n"
            "| Store revenue | £255.8m | £265.3m | (3.6)% |\n\nProduction in FY2024:\n| Product | Units | vs FY2023 |\n"
            "|---|---|---|\n| Compressors | 212,000 | +6.1% |\n")
    facts = extract_document(document_from_bytes(text.encode())).facts
    got = {f.source_text: str(f.period_end) for f in facts}
    assert got["£255.8m"] == "2024-06-30"
    assert got["£265.3m"] == "2023-06-30"  # the prior-year column keeps its own header
    assert got["(3.6)%"] == "2024-06-30"  # the change is for the current period
    assert got["212,000"] == "2024-12-31"  # "vs FY2023" is a comparison base, not the column's period
    assert got["6.1%"] == "2024-12-31"


def test_block_headings_alone_on_their_line():
    text = ("Acme Industries\nAnnual report 2024\n\n<1> KEY PARTNERS\n- Steel: about a dozen mills\n\n"
            "<9> REVENUE STREAMS\nRevenue reached $4.2 billion.\n")
    facts = extract_document(document_from_bytes(text.encode())).facts
    blocks = {f.source_text: f.block for f in facts}
    assert blocks == {"a dozen": "key_partners", "$4.2 billion": "revenue_streams"}
    periods = {f.source_text: str(f.period_end) for f in facts}
    # the title's year is the revenue's period; a count of partners states none
    assert periods == {"a dozen": "None", "$4.2 billion": "2024-12-31"}


def test_fractions_in_words_are_percentages():
    text = "Five-eighths of new orders in 2024 included a maintenance contract; cinq huitièmes des ventes, 0.5 of a point.\n"
    facts = extract_document(document_from_bytes(text.encode())).facts
    got = {f.source_text: (f.kind, f.unit, float(f.value)) for f in facts}
    assert got["Five-eighths"] == ("percent", "percent", 62.5)
    assert got["0.5"][0] != "percent"  # written in digits: a number, not a share


def test_scale_declared_by_the_line_before_a_table():
    text = ("Net sales by channel, Q3 25 ($ millions):\n| Channel | Net sales | YoY |\n|---|---|---|\n"
            "| Wholesale | 598.7 | 4.1% |\n\nStores by region:\n| Region | Stores |\n|---|---|\n| West | 142 |\n")
    facts = extract_document(document_from_bytes(text.encode())).facts
    got = {f.source_text: (f.unit, float(f.value)) for f in facts}
    assert got["598.7"] == ("USD", 598_700_000.0)
    assert got["142"] == ("count", 142.0)
def test_equivalents_are_linked_to_the_first_stated_figure():
    text = ("Acme Group - Business Model Canvas\n\nRevenue Streams\n\n"
            "- Cloud revenue for the September quarter of 2025 reached RMB 39.8 billion (US$5.6 billion).\n"
            "- Europe brought €4.2 billion (about $4.6 billion) in 2024.\n"
            "- Margin was 12% and costs were RMB 3.1 billion.\n").encode()
    doc = document_from_bytes(text, "acme.txt")
    facts = extract_document(doc).facts
    by_text = {f.source_text: f for f in facts}
    rmb = by_text["RMB 39.8 billion"]
    assert rmb.equivalent_of is None
    assert by_text["US$5.6 billion"].equivalent_of == (rmb.char_start, rmb.char_end, "CNY")
    eur = by_text["€4.2 billion"]
    assert eur.equivalent_of is None and by_text["$4.6 billion"].equivalent_of == (eur.char_start, eur.char_end, "EUR")
    assert by_text["RMB 3.1 billion"].equivalent_of is None


def test_the_ner_memo_keeps_the_heads_asked_for_now(monkeypatch):
    """The memo of the heads the model read is bounded: what it drops are the least recently used heads, never
    one of those just asked for (their entities are read back from it), whatever their age."""
    from collections import OrderedDict

    from extractors import subjects

    monkeypatch.setattr(subjects, "_NER_MEMO", OrderedDict())
    monkeypatch.setattr(subjects, "_NER_MEMO_SIZE", 2)
    nlp = nlp_module.get_nlp("en")
    old, other, new = "Microsoft reported revenue of", "The company booked", "Siemens said sales were"
    subjects.read_entities(nlp, [old])
    subjects.read_entities(nlp, [other])
    subjects.read_entities(nlp, [old, new])  # old is the oldest entry: one entry must go, not it
    assert subjects.head_entities("en", old) == ((0, 9, "ORG"),)
    assert subjects.head_entities("en", new) == ((0, 7, "ORG"),)
    assert len(subjects._NER_MEMO) == 2
