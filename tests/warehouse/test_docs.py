import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from warehouse import docs
from warehouse.store import Warehouse
from wh_helpers import build_two_editions, document, fact, load

REPO = Path(__file__).resolve().parents[2]


def test_docs_are_up_to_date():
    assert docs.DOC_PATH.read_text(encoding="utf-8") == docs.generate(), "run: python -m warehouse.docs"


def test_check_cli(tmp_path):
    env_path = {"PYTHONPATH": str(REPO)}
    ok = subprocess.run([sys.executable, "-m", "warehouse.docs", "--check"], cwd=REPO, env=env_path,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    stale = tmp_path / "warehouse.md"
    stale.write_text(docs.DOC_PATH.read_text(encoding="utf-8").replace("One row per ETL run", "Old text"))
    bad = subprocess.run([sys.executable, "-m", "warehouse.docs", "--check", "--output", str(stale)], cwd=REPO,
                         env=env_path, capture_output=True, text=True)
    assert bad.returncode == 1 and "stale" in bad.stderr
    assert docs.main(["--output", str(stale)]) == 0  # regenerates
    assert docs.main(["--check", "--output", str(stale)]) == 0


def test_doc_covers_every_table_view_and_column():
    text = docs.DOC_PATH.read_text(encoding="utf-8")
    with _memory() as con:
        names = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal "
                            "AND database_name = current_database()").fetchall()
    for table, column in names:
        assert f"### `{table}`" in text and f"| `{column}` |" in text
    assert "## Querying while a load runs" in text and "## Cookbook" in text


def _memory():
    import duckdb
    from warehouse.store import apply_schema
    con = duckdb.connect(":memory:")
    apply_schema(con)
    return con


COOKBOOK = docs.load_cookbook()


def test_cookbook_parses():
    names = [q.name for q in COOKBOOK]
    assert len(names) == len(set(names)) >= 6
    for required in ("latest_revenue_per_segment", "stated_growth_rates", "computed_growth_by_period", "figures_in_usd",
                     "changes_since_previous_edition", "conflicts"):
        assert required in names
    assert all(q.description for q in COOKBOOK)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    db = tmp_path_factory.mktemp("cookbook") / "canvas.duckdb"
    with Warehouse(db) as wh:
        build_two_editions(wh)
        run_id = wh.begin_run()
        # a growth rate and a line with two figures + one USD equivalent
        load(wh, document("growth.txt", ticker="GRW", edition_label="2025"), [
            fact("8", "percent", line=1, subject="Alibaba Cloud", metric="YoY revenue growth", period_end=date(2025, 3, 31),
                 period_grain="year", precision=0),
            fact("39.8E+9", "CNY", line=2, text="RMB 39.8 billion", subject="Cloud", metric="revenue",
                 period_end=date(2025, 3, 31), precision=1),
            fact("5.6E+9", "USD", line=2, col=20, text="US$5.6 billion", subject="Cloud", metric="revenue",
                 period_end=date(2025, 3, 31), precision=1, flags=("equivalent",)),
            fact("12E+9", "CNY", line=2, col=50, text="RMB 12 billion", subject="AI", metric="revenue", precision=0),
        ], run_id)
        wh.finish_run(run_id, "completed", {})
    with Warehouse(db, read_only=True) as ro:
        yield ro


@pytest.mark.parametrize("query", COOKBOOK, ids=[q.name for q in COOKBOOK])
def test_cookbook_query_runs(loaded, query):
    rel = loaded.con.execute(query.sql)
    rows = rel.fetchall()
    assert rel.description  # has columns
    assert rows, f"{query.name} returned nothing on the sample warehouse"


def _run(loaded, name):
    q = next(q for q in COOKBOOK if q.name == name)
    cur = loaded.con.execute(q.sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def test_cookbook_usd_pairs_equivalent_with_original(loaded):
    rows = _run(loaded, "figures_in_usd")
    converted = [r for r in rows if r["usd_source"] == "equivalent"]
    by_text = {r["original_text"]: r for r in converted}
    assert by_text["RMB 39.8 billion"]["usd_value"] == 5.6e9  # the figure before the equivalent, not the one after
    assert "RMB 12 billion" not in by_text
    assert by_text["941.17E+9 CNY"]["usd_value"] == 130.35e9
    stated = {r["original_value"] for r in rows if r["usd_source"] == "stated"}
    assert 140e9 in stated and 5.6e9 not in stated and 137.3e9 not in stated


def test_cookbook_latest_revenue_and_changes(loaded):
    latest = {(r["ticker"], r["subject"]): r["value"] for r in _run(loaded, "latest_revenue_per_segment")}
    assert latest[("BABA", "Groupe Alibaba")] == 996.35e9
    changes = _run(loaded, "changes_since_previous_edition")
    assert {r["change"] for r in changes} == {"added", "changed", "removed"}
    growth = _run(loaded, "stated_growth_rates")
    assert [r["growth_percent"] for r in growth] == [8.0]
