"""facts, explain, sql, export, diff, report: the console script as a subprocess on the sample warehouse."""
from __future__ import annotations

import csv
import io
import json
import re

import duckdb

from cli_helpers import query

COMMANDS = ("ingest", "facts", "explain", "sql", "export", "diff", "report", "serve", "amounts")


def _one_line_error(res, code: int | None = None):
    assert res.returncode != 0
    if code is not None:
        assert res.returncode == code, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("canvas-etl: "), res.stderr
    return lines[0]


# ---- help ---------------------------------------------------------------------------------------------
def test_every_command_has_help_with_an_example(cli):
    top = cli("--help")
    assert top.returncode == 0
    for name in COMMANDS:
        assert name in top.stdout
        res = cli(name, "--help")
        assert res.returncode == 0, (name, res.stderr)
        assert "Example" in res.stdout, name
        if name not in ("amounts",):
            assert "--db" in res.stdout, name
    serve = cli("serve", "--help").stdout
    assert "--cron" in serve and "PATH" in serve.upper()


# ---- facts --------------------------------------------------------------------------------------------
def test_facts_json_by_ticker(cli, sample_db):
    res = cli("facts", "--ticker", "BABA", "--format", "json", "--db", sample_db)
    assert res.returncode == 0, res.stderr
    facts = json.loads(res.stdout)
    assert len(facts) == query(sample_db, "SELECT count(*) FROM facts WHERE ticker = 'BABA'")[0][0] > 100
    assert {f["ticker"] for f in facts} == {"BABA"}
    line13 = [f for f in facts if f["line_number"] == 13 and f["unit"] == "USD"]
    assert line13 and line13[0]["value"] == 1.6e9
    assert line13[0]["source_text"] == "1,6 milliard de dollars" and line13[0]["kind"] == "money"
    assert line13[0]["period_end"] == "2023-12-31" and isinstance(line13[0]["flags"], list)
    # case-insensitive ticker, and a user value is data, never SQL
    assert len(json.loads(cli("facts", "-t", "baba", "-f", "json", "--db", sample_db).stdout)) == len(facts)
    evil = cli("facts", "--ticker", "BABA' OR '1'='1", "--format", "json", "--db", sample_db)
    assert evil.returncode == 0 and json.loads(evil.stdout) == []


def test_facts_filters_csv_and_table(cli, sample_db):
    res = cli("facts", "--block", "key-partners", "--metric", "valeur", "--period-end", "2023-12-31",
              "--format", "csv", "--db", sample_db)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows, res.stdout
    assert {r["block"] for r in rows} == {"key_partners"} and {r["period_end"] for r in rows} == {"2023-12-31"}
    assert all("valeur" in (r["metric"] + r["metric_key"]).lower() for r in rows)
    assert any(float(r["value"]) == 1.6e9 and r["line_number"] == "18" for r in rows)

    latest = json.loads(cli("facts", "--latest", "--subject", "cloud", "-f", "json", "--db", sample_db).stdout)
    assert latest and all("cloud" in (f["subject"] + f["subject_key"]).lower() for f in latest)
    keys = [(f["subject_key"], f["metric_key"], f["unit"], f["period_end"], f["period_grain"]) for f in latest]
    assert len(keys) == len(set(keys)) and "editions_stating" in latest[0]

    table = cli("facts", "--ticker", "BABA", "--limit", "3", "--db", sample_db)
    assert table.returncode == 0
    assert "fact_id" in table.stdout and re.search(r"\d+ facts, 3 shown", table.stdout)
    assert table.stdout.count("BABA") == 3


def test_facts_usage_errors(cli, sample_db):
    assert cli("facts", "--block", "revenue", "--db", sample_db).returncode == 2
    assert cli("facts", "--period-end", "31/12/2023", "--db", sample_db).returncode == 2
    assert cli("facts", "--format", "xml", "--db", sample_db).returncode == 2


# ---- explain ------------------------------------------------------------------------------------------
def test_explain_reads_the_source_line(cli, sample_db, line13_fact):
    res = cli("explain", line13_fact["fact_id"], "--db", sample_db)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert line13_fact["fact_id"] in out and "1,6 milliard de dollars" in out and "1,600,000,000 USD" in out
    assert "key_partners" in out and "2023-12-31" in out and "Jan-2025" in out and "flags" in out
    assert ", line 13" in out  # read from the file
    lines = out.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("13 │ "))
    assert "Nvidia Corporation" in lines[i]
    start = lines[i + 1].index("^")
    assert lines[i][start:start + len("1,6 milliard de dollars")] == "1,6 milliard de dollars"
    # a unique prefix is enough
    assert cli("explain", line13_fact["fact_id"][:8], "--db", sample_db).stdout == out


def test_explain_falls_back_to_the_sentence(cli, db_copy, line13_fact):
    con = duckdb.connect(str(db_copy))
    con.execute("UPDATE documents SET source_path = '/nonexistent/alibaba.txt'")
    con.execute("UPDATE document_sources SET source_path = '/nonexistent/alibaba.txt'")
    con.close()
    res = cli("explain", line13_fact["fact_id"], "--db", db_copy)
    assert res.returncode == 0, res.stderr
    assert "not found; showing the stored sentence" in res.stdout
    lines = res.stdout.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("sentence │ "))
    start = lines[i + 1].index("^")
    assert lines[i][start:start + len("1,6 milliard de dollars")] == "1,6 milliard de dollars"


def test_explain_unknown_fact(cli, sample_db):
    msg = _one_line_error(cli("explain", "0000000000000000", "--db", sample_db), 1)
    assert "no fact" in msg


# ---- sql ----------------------------------------------------------------------------------------------
def test_sql_csv_json_and_table(cli, sample_db):
    q = "SELECT fact_id, value, unit, line_number FROM facts WHERE line_number = 13 ORDER BY char_start"
    res = cli("sql", q, "--format", "csv", "--db", sample_db)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows and rows[0]["line_number"] == "13" and float(rows[0]["value"]) == 1.6e9
    as_json = json.loads(cli("sql", q, "-f", "json", "--db", sample_db).stdout)
    assert [r["fact_id"] for r in as_json] == [r["fact_id"] for r in rows]
    table = cli("sql", "SELECT edition_label, fact_count FROM editions ORDER BY edition_rank", "--db", sample_db)
    assert table.returncode == 0 and "edition_label" in table.stdout and "2 rows" in table.stdout
    stdin = cli("sql", "-", "-f", "json", "--db", sample_db, stdin="SELECT count(*) AS n FROM documents")
    assert json.loads(stdin.stdout) == [{"n": 1}]


def test_sql_is_read_only(cli, sample_db):
    before = query(sample_db, "SELECT count(*) FROM facts")[0][0]
    for stmt in ("CREATE TABLE x AS SELECT 1 AS a", "DELETE FROM facts", "DROP VIEW facts_latest"):
        msg = _one_line_error(cli("sql", stmt, "--db", sample_db), 1)
        assert "read-only" in msg, msg
    assert query(sample_db, "SELECT count(*) FROM facts")[0][0] == before


def test_sql_errors_are_one_line(cli, sample_db, tmp_path):
    assert "syntax error" in _one_line_error(cli("sql", "SELEC 1", "--db", sample_db), 1)
    assert "no warehouse file" in _one_line_error(cli("sql", "SELECT 1", "--db", tmp_path / "none.duckdb"), 1)
    assert "no warehouse file" in _one_line_error(cli("facts", "--db", tmp_path / "none.duckdb"), 1)


def test_locked_warehouse_exit_3(cli, db_copy):
    writer = duckdb.connect(str(db_copy))  # a load holding the file
    try:
        for args in (("sql", "SELECT 1"), ("facts",), ("diff",)):
            msg = _one_line_error(cli(*args, "--db", db_copy, env={"CANVAS_ETL_LOCK_TIMEOUT": "0.2"}), 3)
            assert "locked" in msg
    finally:
        writer.close()
    assert cli("sql", "SELECT 1", "--db", db_copy).returncode == 0


# ---- export -------------------------------------------------------------------------------------------
def test_export_parquet_and_csv_partitioned_by_ticker(cli, sample_db, tmp_path):
    out = tmp_path / "export"
    res = cli("export", "--format", "parquet", "--out", out, "--db", sample_db)
    assert res.returncode == 0, res.stderr
    assert (out / "facts" / "ticker=BABA").is_dir() and (out / "documents" / "ticker=BABA").is_dir()
    n_facts = query(sample_db, "SELECT count(*) FROM facts")[0][0]
    con = duckdb.connect()
    got = con.execute("SELECT count(*), min(ticker), max(ticker), sum(CASE WHEN value = 1.6e9 THEN 1 ELSE 0 END) "
                      "FROM read_parquet(?, hive_partitioning = true)", [str(out / "facts" / "*" / "*.parquet")]).fetchone()
    assert got[0] == n_facts and got[1] == got[2] == "BABA" and got[3] >= 1
    assert con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = true)",
                       [str(out / "documents" / "*" / "*.parquet")]).fetchone()[0] == 1
    # a second export into the same folder needs --overwrite
    assert "--overwrite" in _one_line_error(cli("export", "--out", out, "--db", sample_db), 1)
    res = cli("export", "--format", "csv", "--out", out, "--overwrite", "--db", sample_db)
    assert res.returncode == 0, res.stderr
    assert not list(out.glob("facts/*/*.parquet"))
    assert con.execute("SELECT count(*) FROM read_csv(?, hive_partitioning = true)",
                       [str(out / "facts" / "*" / "*.csv")]).fetchone()[0] == n_facts
    con.close()


# ---- diff ---------------------------------------------------------------------------------------------
def test_diff_between_the_two_newest_editions(cli, sample_db):
    res = cli("diff", "--ticker", "BABA", "--format", "json", "--db", sample_db)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    expected = query(sample_db, "SELECT count(*) FROM fact_changes c JOIN editions e "
                                "ON e.edition_id = c.new_edition_id AND e.is_latest WHERE c.report_key = 'BABA'")[0][0]
    assert len(rows) == expected > 0
    assert {r["change"] for r in rows} <= {"changed", "added", "removed"}
    assert all(r["report_key"] == "BABA" for r in rows)
    table = cli("diff", "--ticker", "BABA", "--db", sample_db)
    assert table.returncode == 0
    assert re.search(r"BABA: Jan-2025.* → .*: \d+ changed, \d+ added, \d+ removed", table.stdout), table.stdout[:500]
    assert "NOPE" in _one_line_error(cli("diff", "--ticker", "NOPE", "--db", sample_db), 1)
    assert "XYZ" in _one_line_error(cli("diff", "--ticker", "BABA", "--old", "XYZ", "--db", sample_db), 1)


# ---- report -------------------------------------------------------------------------------------------
def test_report(cli, sample_db, tmp_path):
    out = tmp_path / "r" / "report.html"
    res = cli("report", "--out", out, "--db", sample_db)
    assert res.returncode == 0, res.stderr
    assert f"wrote {out}" in res.stdout
    assert "<html" in out.read_text(encoding="utf-8").lower()
    assert "no warehouse file" in _one_line_error(cli("report", "--db", tmp_path / "none.duckdb"), 1)


# ---- money in one currency (issue 15) -------------------------------------------------------------------
def test_facts_currency_converts_money(cli, sample_db):
    import json

    res = cli("facts", "--ticker", "BABA", "--currency", "usd", "--format", "json", "--db", sample_db)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    money = query(sample_db, "SELECT count(*) FROM facts WHERE kind = 'money' AND ticker = 'BABA'")[0][0]
    assert len(rows) == money and all(r["kind"] == "money" and r["currency"] == "USD" for r in rows)
    assert all(r["value_converted"] is not None and r["fx_source"] in ("identity", "report", "ecb") for r in rows)
    pair = next(r for r in rows if r["source_text"] == "RMB 39.8 billion" and r["period_end"] == "2025-09-30")
    assert pair["fx_source"] == "report" and abs(pair["value_converted"] - 5.6e9) < 1 and pair["fx_fact_id"]
    usd = next(r for r in rows if r["unit"] == "USD")
    assert usd["fx_source"] == "identity" and usd["value_converted"] == usd["value"]
    table = cli("facts", "--metric", "revenue", "--currency", "EUR", "--db", sample_db)
    assert table.returncode == 0 and "converted" in table.stdout and "rate from" in table.stdout
    assert " ecb " in table.stdout and " EUR " in table.stdout
    assert cli("facts", "--currency", "GBP", "--db", sample_db).returncode == 2


def test_explain_shows_the_rate_its_date_and_source(cli, sample_db):
    fid, eq = query(sample_db, "SELECT fact_id, equivalent_fact_id FROM fx_conflicts")[0]
    out = cli("explain", fid, "--db", sample_db).stdout
    assert "in USD" in out and "rate of 2023-03-31, source report" in out and eq in out
    assert "in EUR" in out and "source ecb" in out
    assert "fx mismatch" in out and "fx_mismatch" in out and "restated as" in out
    out = cli("explain", eq, "--db", sample_db).stdout
    assert f"restates" in out and fid in out and "(stated in it)" in out
