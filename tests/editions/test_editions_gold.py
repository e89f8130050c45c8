"""The edition views on what a perfect extractor gives: the gold labels of lvmh-like-fr.txt (v1) and
lvmh-like-fr-v2.txt (v2), checked row by row against lvmh-like-fr-v2.changes.md. No Prefect, no spaCy.

The same checks on the real pipeline are in test_editions_pipeline.py; where they differ, the extractor is wrong."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from editions_helpers import V1, V2, expected_changes, expected_conflict, load_gold
from extractors.fact import Fact
from extractors.records import fact_columns
from warehouse.tables import facts_table
from warehouse.diff import CHANGE_COLUMNS, EditionNotFound, diff_editions
from warehouse.store import Warehouse

V1_LABEL, V2_LABEL = "Mai-2025 Mis à jour", "Oct-2025 Mis à jour"


@pytest.fixture(scope="module")
def gold(tmp_path_factory):
    db = tmp_path_factory.mktemp("gold") / "canvas.duckdb"
    with Warehouse(db) as wh:
        run_id = wh.begin_run()
        ids = {"v1": load_gold(wh, V1, V1_LABEL, run_id), "v2": load_gold(wh, V2, V2_LABEL, run_id)}
        wh.finish_run(run_id, "completed", {"documents_loaded": 2})
    with Warehouse(db, read_only=True) as ro:
        yield ro, ids


def _changes(wh):
    return wh.query(
        "SELECT change, period_end, old_value, new_value, old_line_number, new_line_number, old_document_id, "
        "new_document_id, old_edition, new_edition, ticker FROM fact_changes")


def test_fact_changes_are_exactly_the_documented_ones(gold):
    wh, ids = gold
    got = sorted(_changes(wh), key=repr)
    want = sorted(((e.change, e.period_end, e.old_value, e.new_value, e.old_line, e.new_line, ids["v1"], ids["v2"],
                    V1_LABEL, V2_LABEL, "MVRL") for e in expected_changes()), key=repr)
    assert len(want) == 8  # 4 revised, 2 removed, 2 added
    assert got == want  # and nothing else: unchanged figures never appear


def test_line_134_is_unchanged_and_r1_is_a_revision(gold):
    wh, _ = gold
    # employees at 2024-12-31 is stated twice per edition; the diff compares the first statements (line 54 -> 53)
    assert wh.query("SELECT count(*) FROM fact_changes WHERE old_line_number = 134 OR new_line_number = 134") == [(0,)]


def test_facts_latest_takes_the_newest_edition(gold):
    wh, ids = gold
    latest = wh.query("SELECT period_end, value, line_number, document_id, edition_label, editions_stating FROM facts_latest")
    for e in expected_changes():
        if e.change == "removed":  # still the latest statement of that figure: the old edition's
            assert (e.period_end, e.old_value, e.old_line, ids["v1"], V1_LABEL, 1) in latest, e
        elif e.change == "added":
            assert (e.period_end, e.new_value, e.new_line, ids["v2"], V2_LABEL, 1) in latest, e
        else:
            assert (e.period_end, e.new_value, e.new_line, ids["v2"], V2_LABEL, 2) in latest, e
            assert not [r for r in latest if r[1] == e.old_value and r[0] == e.period_end and r[3] == ids["v1"]], e
    # one row per key, and an unchanged figure comes from v2
    assert wh.query("SELECT count(*) - count(DISTINCT (report_key, subject_key, metric_key, unit, period_end, period_grain)) "
                    "FROM facts_latest") == [(0,)]
    assert wh.query("SELECT document_id, edition_label, editions_stating FROM facts_latest WHERE source_text = '9,83 Md€'") == [
        (ids["v2"], V2_LABEL, 2)]


def test_planted_conflict_with_both_provenances(gold):
    wh, ids = gold
    (a_line, a_value), (b_line, b_value) = expected_conflict()
    rows = wh.query("SELECT ticker, subject_key, metric_key, period_end, a_value, b_value, a_line_number, b_line_number, "
                    "a_document_id, b_document_id, a_edition, b_edition, a_source_text, b_source_text "
                    "FROM fact_conflicts WHERE scope = 'same_edition'")
    assert rows == [("MVRL", "maison verel", "employees", date(2024, 12, 31), a_value, b_value, a_line, b_line,
                     ids["v2"], ids["v2"], V2_LABEL, V2_LABEL, "27\u00a0950 collaborateurs", "27\u00a0600 collaborateurs")]


def test_no_spurious_conflicts(gold):
    """Across editions, only the revised figures disagree; nothing from rounding or restated figures."""
    wh, _ = gold
    across = wh.query("SELECT DISTINCT a_value, b_value FROM fact_conflicts WHERE scope = 'across_editions'")
    revised = {(e.old_value, e.new_value) for e in expected_changes() if e.change == "changed" and e.period_end}
    assert set(across) == revised
    # v1 states employees twice with the same value: no conflict inside v1
    assert wh.query("SELECT count(*) FROM fact_conflicts WHERE a_edition = ? AND b_edition = ?", [V1_LABEL, V1_LABEL]) == [(0,)]


def test_diff_editions_matches_fact_changes(gold):
    wh, ids = gold
    rows = diff_editions(wh.con, "MVRL")
    assert rows and all(tuple(r) == CHANGE_COLUMNS for r in rows)
    view = wh.query(f"SELECT {', '.join(CHANGE_COLUMNS)} FROM fact_changes")
    assert sorted(map(repr, (tuple(r.values()) for r in rows))) == sorted(map(repr, view))
    assert [r["change"] for r in rows] == sorted(r["change"] for r in rows)
    # by label, by label prefix, by date, by document id; the default pair; no report named
    for old, new in ((V1_LABEL, V2_LABEL), ("Mai-2025", "Oct-2025"), ("2025-05-01", "2025-10-01"), (ids["v1"], None),
                     (None, ids["v2"])):
        assert diff_editions(wh, "MVRL", old=old, new=new) == rows, (old, new)
    assert diff_editions(wh) == rows
    # backwards: what v1 has that v2 lacks is now "added"
    back = diff_editions(wh, "MVRL", old=V2_LABEL, new=V1_LABEL)
    assert sorted(r["change"] for r in back) == ["added"] * 2 + ["changed"] * 4 + ["removed"] * 2
    assert diff_editions(wh, "MVRL", new=V1_LABEL) == []  # nothing before the first edition
    with pytest.raises(EditionNotFound):
        diff_editions(wh, "MVRL", old="Jan-1999")
    with pytest.raises(EditionNotFound):
        diff_editions(wh, "NOPE")


def test_sample_cloud_conflict_with_gold_labels(tmp_path):
    """The sample's gold labels (one edition): cloud revenue for the September 2025 quarter, US$4.35 billion
    (line 291, "Alibaba Cloud Intelligence Group") vs US$5.6 billion (line 378, "Alibaba Cloud", a converted
    amount), lines up and conflicts; RMB 39.8 billion and its US$5.6 billion equivalent do not."""
    from pathlib import Path

    GOLD = Path(__file__).resolve().parents[1] / "fixtures" / "gold" / "alibaba-canvas-2025.gold.jsonl"
    facts = []
    for raw in GOLD.read_text(encoding="utf-8").splitlines():
        g = json.loads(raw)
        if g["line"] not in (291, 378, 425):
            continue
        start = g["line"] * 1000 + len(facts)
        facts.append(Fact(value=Decimal(str(g["value"])), unit=g["unit"], kind=g["kind"], flags=tuple(g["flags"]),
                          line_number=g["line"], char_start=start, char_end=start + len(g["text"]), source_text=g["text"],
                          sentence="", subject=g["subject"], metric=g["metric"], period_grain=g["period_grain"],
                          period_end=date.fromisoformat(g["period_end"]), precision=len(g["text"].split(".")[1].split()[0])
                          if "." in g["text"] else 0, ticker="BABA", edition_label="Dec-2025", edition_date=date(2025, 12, 1)))
    with Warehouse(tmp_path / "s.duckdb") as wh:
        run_id = wh.begin_run()
        document = {"document_id": "ab" * 8, "sha256": "ab" * 32, "source_path": "sample.txt", "ticker": "BABA"}
        wh.load_document(document, None, facts_table(fact_columns(facts, document=document, run_id=run_id,
                                                                  extractor_version="gold")), run_id)
        rows = wh.query("SELECT subject_key, metric_key, unit, period_end, a_value, b_value, a_line_number, b_line_number "
                        "FROM fact_conflicts WHERE unit = 'USD' ORDER BY a_line_number, b_line_number")
        assert rows == [
            ("alibaba cloud", "revenue", "USD", date(2025, 9, 30), 4.35e9, 5.6e9, 291, 378),
            ("alibaba cloud", "revenue", "USD", date(2025, 9, 30), 4.35e9, 5.6e9, 291, 425),
        ]
        # RMB 39.8 billion twice (378, 425): same figure; the retracted RMB 29.6 billion never conflicts
        assert wh.query("SELECT count(*) FROM fact_conflicts WHERE unit = 'CNY'") == [(0,)]
        # growth: 13 % (291) vs 34 % (378, 425) for the same quarter: a real contradiction of the text
        assert wh.query("SELECT DISTINCT a_value, b_value FROM fact_conflicts WHERE unit = 'percent' AND "
                        "subject_key = 'alibaba cloud'") == [(13.0, 34.0)]
