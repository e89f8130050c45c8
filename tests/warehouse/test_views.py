"""Two editions of one report (plus an unrelated report), checked row by row in the edition views."""
from datetime import date

import pytest

from warehouse.store import Warehouse
from wh_helpers import FY24, FY25, Q, Y, build_two_editions, document, fact, load

@pytest.fixture(scope="module")
def views(tmp_path_factory):
    db = tmp_path_factory.mktemp("views") / "canvas.duckdb"
    with Warehouse(db) as wh:
        ids = build_two_editions(wh)
        fact_ids = dict(wh.query("SELECT document_id || ':' || line_number || ':' || unit || ':' || value, fact_id FROM facts"))
    with Warehouse(db, read_only=True) as ro:
        yield ro, ids, fact_ids


def fid(views, doc, line, unit, value):
    _, ids, fact_ids = views
    return fact_ids[f"{ids[doc]}:{line}:{unit}:{float(value)}"]


def test_editions(views):
    wh, ids, _ = views
    rows = wh.query("SELECT document_id, report_key, edition_label, edition_rank, edition_count, is_latest, fact_count "
                    "FROM editions ORDER BY report_key, edition_rank")
    assert rows == [
        (ids["A"], "BABA", "2024", 1, 2, False, 11),
        (ids["B"], "BABA", "2025", 2, 2, True, 8),
        (ids["C"], "Other Co", "2025", 1, 1, True, 1),
    ]
    first, second = wh.query("SELECT edition_id, previous_edition_id FROM editions WHERE report_key = 'BABA' ORDER BY edition_rank")
    assert first[1] is None and second[1] == first[0]


def test_two_editions_in_one_document(tmp_path):
    """An updated canvas appended to the same file: editions come from the facts, not the document."""
    with Warehouse(tmp_path / "t.duckdb") as wh:
        run_id = wh.begin_run()
        old = dict(edition_label="Jan-2025", edition_date=date(2025, 1, 1))
        new = dict(edition_label="Oct-2025 (inferred)", edition_date=date(2025, 10, 31))
        doc = document("baba.txt", company="Alibaba", ticker="BABA", **new)
        load(wh, doc, [
            fact("4.35E+9", "USD", line=5, subject="Alibaba Cloud", metric="revenue", period_end=FY24, precision=2, **old),
            fact("3", "count", line=6, subject="Alibaba", metric="data centres", period_end=FY24, precision=0, **old),
            fact("4.6E+9", "USD", line=50, subject="Alibaba Cloud", metric="revenus", period_end=FY24, precision=1, **new),
            # no edition on the fact: takes the document's (and its ticker/company)
            fact("7", "count", line=60, subject="Alibaba", metric="data centres", period_end=FY25, precision=0),
        ], run_id)
        assert wh.query("SELECT DISTINCT ticker, company FROM facts") == [("BABA", "Alibaba")]
        eds = wh.query("SELECT edition_label, edition_rank, fact_count, first_line FROM editions ORDER BY edition_rank")
        assert eds == [("Jan-2025", 1, 2, 5), ("Oct-2025 (inferred)", 2, 2, 50)]
        assert wh.query("SELECT value, edition_label, line_number FROM facts_latest WHERE metric_key = 'revenue'") == [
            (4.6e9, "Oct-2025 (inferred)", 50)]
        changes = wh.query("SELECT change, metric_key, period_end, old_value, new_value, old_document_id = new_document_id, "
                           "old_edition, new_edition FROM fact_changes ORDER BY change, metric_key, period_end")
        assert changes == [
            ("added", "data centres", FY25, None, 7.0, True, "Jan-2025", "Oct-2025 (inferred)"),
            ("changed", "revenue", FY24, 4.35e9, 4.6e9, True, "Jan-2025", "Oct-2025 (inferred)"),
            ("removed", "data centres", FY24, 3.0, None, True, "Jan-2025", "Oct-2025 (inferred)"),
        ]
        assert wh.query("SELECT scope, a_line_number, b_line_number, a_edition, b_edition FROM fact_conflicts") == [
            ("across_editions", 5, 50, "Jan-2025", "Oct-2025 (inferred)")]


def test_facts_latest(views):
    wh, ids, _ = views
    rows = wh.query(
        "SELECT report_key, subject_key, metric_key, unit, period_end, period_grain, value, document_id, line_number, editions_stating "
        "FROM facts_latest ORDER BY report_key, period_end, subject_key, metric_key, unit, period_grain")
    A, B, C = ids["A"], ids["B"], ids["C"]
    assert rows == [
        ("BABA", "alibaba cloud", "revenue", "USD", FY24, Y, 4.5e9, B, 11, 2),
        ("BABA", "alibaba group", "employees", "count", FY24, "day", 204891.0, A, 70, 1),
        ("BABA", "alibaba group", "revenue", "CNY", FY24, Y, 941.2e9, B, 5, 2),
        ("BABA", "alibaba group", "revenue", "USD", FY24, Y, 130.35e9, A, 10, 1),
        ("BABA", "cainiao", "revenue", "CNY", FY24, Y, 99.0e9, B, 9, 2),
        ("BABA", "local services", "revenue", "CNY", FY24, Y, 39.8e9, A, 51, 1),  # retracted L50 skipped
        ("BABA", "alibaba group", "revenue", "CNY", FY25, Q, 236.45e9, B, 12, 1),
        ("BABA", "alibaba group", "revenue", "CNY", FY25, Y, 996.35e9, B, 6, 1),
        ("BABA", "alibaba group", "revenue", "USD", FY25, Y, 140e9, B, 8, 1),  # stated figure before its equivalent
        ("BABA", "taobao", "monthly active users", "count", FY25, "day", 1.0e9, B, 13, 1),
        ("Other Co", "alibaba group", "revenue", "CNY", FY24, Y, 500e9, C, 1, 1),
    ]
    # subject/metric as written in the chosen edition, edition info from the document
    assert wh.query("SELECT subject, metric, edition_label, ticker FROM facts_latest WHERE value = 941.2e9") == [
        ("Groupe Alibaba", "Chiffre d'affaires", "2025", "BABA")]


def test_fact_changes(views):
    wh, ids, _ = views
    A, B = ids["A"], ids["B"]
    rows = wh.query(
        "SELECT change, ticker, subject_key, metric_key, unit, period_end, period_grain, old_value, new_value, "
        "old_document_id, new_document_id, old_edition, new_edition, old_line_number, new_line_number "
        "FROM fact_changes ORDER BY change, period_end, subject_key, metric_key, unit, period_grain")
    assert rows == [
        ("added", "BABA", "alibaba group", "revenue", "CNY", FY25, Q, None, 236.45e9, A, B, "2024", "2025", None, 12),
        ("added", "BABA", "alibaba group", "revenue", "CNY", FY25, Y, None, 996.35e9, A, B, "2024", "2025", None, 6),
        ("added", "BABA", "alibaba group", "revenue", "USD", FY25, Y, None, 140e9, A, B, "2024", "2025", None, 8),
        ("added", "BABA", "taobao", "monthly active users", "count", FY25, "day", None, 1.0e9, A, B, "2024", "2025", None, 13),
        ("changed", "BABA", "alibaba cloud", "revenue", "USD", FY24, Y, 4.35e9, 4.5e9, A, B, "2024", "2025", 30, 11),
        ("removed", "BABA", "alibaba group", "employees", "count", FY24, "day", 204891.0, None, A, B, "2024", "2025", 70, None),
        ("removed", "BABA", "alibaba group", "revenue", "USD", FY24, Y, 130.35e9, None, A, B, "2024", "2025", 10, None),
        ("removed", "BABA", "local services", "revenue", "CNY", FY24, Y, 39.8e9, None, A, B, "2024", "2025", 51, None),
    ]
    changed = wh.query("SELECT old_fact_id, new_fact_id, relative_change FROM fact_changes WHERE change = 'changed'")[0]
    assert changed[:2] == (fid(views, "A", 30, "USD", 4.35e9), fid(views, "B", 11, "USD", 4.5e9))
    assert changed[2] == pytest.approx(0.15 / 4.35)


def test_fact_conflicts(views):
    wh, ids, _ = views
    A, B = ids["A"], ids["B"]
    rows = wh.query(
        "SELECT scope, ticker, subject_key, metric_key, unit, period_end, a_value, b_value, a_document_id, b_document_id, "
        "a_edition, b_edition, a_line_number, b_line_number, a_source_text, b_source_text "
        "FROM fact_conflicts ORDER BY subject_key, a_line_number, b_line_number")
    assert rows == [
        ("across_editions", "BABA", "alibaba cloud", "revenue", "USD", FY24, 4.35e9, 4.5e9, A, B, "2024", "2025", 30, 11,
         "4.35E+9 USD", "4.5E+9 USD"),
        ("across_editions", "BABA", "alibaba cloud", "revenue", "USD", FY24, 4.4e9, 4.5e9, A, B, "2024", "2025", 31, 11,
         "4.4E+9 USD", "4.5E+9 USD"),
        ("same_edition", "BABA", "cainiao", "revenue", "CNY", FY24, 99e9, 102e9, A, A, "2024", "2024", 40, 41,
         "99.0E+9 CNY", "102.0E+9 CNY"),
        ("across_editions", "BABA", "cainiao", "revenue", "CNY", FY24, 102e9, 99e9, A, B, "2024", "2025", 41, 9,
         "102.0E+9 CNY", "99.0E+9 CNY"),
    ]
    ids_row = wh.query("SELECT a_fact_id, b_fact_id FROM fact_conflicts WHERE scope = 'same_edition'")[0]
    assert ids_row == (fid(views, "A", 40, "CNY", 99e9), fid(views, "A", 41, "CNY", 102e9))


def test_rounding_and_equivalent_are_not_conflicts(views):
    wh, _, _ = views
    # 4.35e9 (precision 2) vs 4.4e9 (precision 1); 941.17e9 vs 941.2e9; USD equivalent 137.3e9 vs stated 140e9
    for a, b in ((4.35e9, 4.4e9), (941.17e9, 941.2e9), (137.3e9, 140e9), (29.6e9, 39.8e9), (236.45e9, 996.35e9)):
        assert wh.query("SELECT count(*) FROM fact_conflicts WHERE (a_value = ? AND b_value = ?) OR (a_value = ? AND b_value = ?)",
                        [a, b, b, a]) == [(0,)], (a, b)
    # no period -> never in any view; other report never mixes with BABA
    for view in ("facts_latest", "fact_changes", "fact_conflicts"):
        assert "AIDC" not in str(wh.query(f"SELECT * FROM {view}"))
    assert wh.query("SELECT count(*) FROM fact_conflicts WHERE report_key = 'Other Co' OR a_value = 500e9 OR b_value = 500e9") == [(0,)]


def test_relative_tolerance(tmp_path):
    """Without precision, values within 0.5 % are the same figure; beyond are conflicts."""
    with Warehouse(tmp_path / "t.duckdb") as wh:
        run_id = wh.begin_run()
        load(wh, document("t.txt", ticker="T"), [
            fact("1000", "USD", line=1, subject="s", metric="m", period_end=FY24),
            fact("1004", "USD", line=2, subject="s", metric="m", period_end=FY24),
            fact("1010", "USD", line=3, subject="s", metric="m", period_end=FY24),
        ], run_id)
        rows = wh.query("SELECT a_line_number, b_line_number FROM fact_conflicts ORDER BY 1, 2")
    assert rows == [(1, 3), (2, 3)]
