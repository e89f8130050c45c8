"""facts.dimension / ref_value / ref_unit: loaded from the Fact, and added to a warehouse file made before them."""
from __future__ import annotations

import duckdb
import pytest

from warehouse.store import Warehouse
from wh_helpers import document, fact, load


def _quantity():
    return fact("2.9", "terawatt_hour", kind="quantity", dimension="energy", ref_value=2.9e6, ref_unit="megawatt_hour")


def test_columns_loaded(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as w:
        load(w, document("a.txt"), [_quantity(), fact(12, "USD")], "run-1")
        rows = w.query("SELECT unit, dimension, ref_value, ref_unit FROM facts ORDER BY unit")
    assert rows == [("USD", None, None, None), ("terawatt_hour", "energy", 2.9e6, "megawatt_hour")]


def test_older_file_gets_the_columns(tmp_path):
    db = tmp_path / "old.duckdb"
    with Warehouse(db) as w:
        load(w, document("old.txt"), [fact(5, "USD")], "run-1")
    con = duckdb.connect(str(db))  # a file made before the columns existed
    for col in ("dimension", "ref_value", "ref_unit"):
        con.execute(f"ALTER TABLE facts DROP COLUMN {col}")
    con.execute("DROP TABLE warehouse_schema")  # as the release that made it left it: no schema fingerprint
    con.close()
    with Warehouse(db) as w:
        cols = [r[0] for r in w.query("SELECT column_name FROM duckdb_columns() WHERE table_name = 'facts'")]
        assert {"dimension", "ref_value", "ref_unit"} <= set(cols)
        load(w, document("new.txt"), [_quantity()], "run-2")
        rows = w.query("SELECT unit, dimension, ref_value FROM facts ORDER BY unit")
    assert rows == [("USD", None, None), ("terawatt_hour", "energy", pytest.approx(2.9e6))]
