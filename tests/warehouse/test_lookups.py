"""One list of each enumeration: the lookup tables of warehouse/schema.sql equal the extraction side's lists,
and the schema refuses values outside them."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from extractors import fact as extraction
from warehouse import queries
from warehouse.store import Warehouse, schema_sql
from wh_helpers import document, fact, load


def _keys(table: str) -> list[str]:
    return [row[0] for row in queries.lookup_rows(None, table)]


def test_lookup_tables_equal_the_extraction_lists():
    assert _keys("canvas_blocks") == list(extraction.BLOCKS)  # same blocks, same reading order
    assert sorted(_keys("fact_kinds")) == sorted(extraction.KINDS)
    assert sorted(_keys("period_grains")) == sorted(extraction.GRAINS)
    assert sorted(_keys("fact_flags")) == sorted(extraction.FLAGS)
    assert sorted(_keys("period_sources")) == sorted(extraction.PERIOD_SOURCES)


def test_blocks_have_english_labels_in_order():
    rows = queries.lookup_rows(None, "canvas_blocks")
    assert [position for _, _, position in rows] == list(range(1, len(rows) + 1))
    assert queries.canvas_blocks()[0] == ("key_partners", "Key partners")


def test_schema_reapplied_keeps_one_row_per_value(tmp_path):
    db = tmp_path / "w.duckdb"
    for _ in range(2):  # every writer open applies the schema again
        with Warehouse(db) as wh:
            counts = {t: wh.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in queries.LOOKUP_TABLES}
    assert counts == {t: len(_keys(t)) for t in queries.LOOKUP_TABLES}


@pytest.mark.parametrize("field, bad", [
    ("block", "key_partner"), ("kind", "amount"), ("period_grain", "week"), ("period_source", "footnote"),
    ("flags", ("approx", "guess")),
])
def test_unknown_value_is_refused(tmp_path, field, bad):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        run_id = wh.begin_run()
        kw = {"kind": bad} if field == "kind" else {field: bad}
        with pytest.raises(duckdb.ConstraintException):
            load(wh, document("bad.txt"), [fact("1", "CNY", **kw)], run_id)
        assert wh.con.execute("SELECT count(*) FROM facts").fetchone()[0] == 0  # the transaction rolled back
        assert wh.con.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_every_listed_value_is_accepted(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        run_id = wh.begin_run()
        facts = [fact("1", "CNY", line=i + 1, block=b) for i, b in enumerate(_keys("canvas_blocks"))]
        facts += [fact("2", "count", line=20 + i, kind=k) for i, k in enumerate(_keys("fact_kinds"))]
        facts += [fact("3", "CNY", line=40 + i, period_grain=g) for i, g in enumerate(_keys("period_grains"))]
        facts += [fact("4", "CNY", line=60 + i, period_source=s) for i, s in enumerate(_keys("period_sources"))]
        facts.append(fact("5", "CNY", line=80, flags=tuple(_keys("fact_flags"))))
        assert load(wh, document("all.txt"), facts, run_id) == len(facts)


def test_unknown_section_block_is_refused(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        run_id = wh.begin_run()
        with pytest.raises(duckdb.ConstraintException, match="sections.block='nope'"):
            load(wh, document("s.txt"), [fact("1", "CNY")], run_id, sections=[{"section_index": 0, "block": "nope"}])
        assert wh.con.execute("SELECT count(*) FROM sections").fetchone()[0] == 0
        assert wh.con.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_file_made_before_the_lookup_tables(tmp_path):
    """An old file (facts and sections without the constraints, no lookup tables) still opens: readers get the
    lists from the schema, a writer adds the filled lookup tables and loads into the old facts table."""
    db = tmp_path / "old.duckdb"
    old_ddl = re.sub(r" REFERENCES \w+ \(\w+\)", "", schema_sql())
    assert "REFERENCES" not in old_ddl
    con = duckdb.connect(str(db))
    con.execute(old_ddl)
    for table in queries.LOOKUP_TABLES:
        con.execute(f"DROP TABLE {table}")
    con.close()
    with Warehouse(db, read_only=True) as ro:
        assert queries.canvas_blocks(ro.con) == queries.canvas_blocks()
    with Warehouse(db) as wh:
        assert queries.lookup_rows(wh.con, "fact_kinds") == queries.lookup_rows(None, "fact_kinds")
        run_id = wh.begin_run()
        assert load(wh, document("old.txt"), [fact("1", "CNY", block="channels")], run_id) == 1


def test_crash_right_after_the_schema_replays(tmp_path):
    """A process killed before DuckDB checkpoints leaves the schema in the WAL: the next open replays it
    offline (a CHECK calling a list function did not: DuckDB tried to download an extension)."""
    import subprocess
    import sys

    db = tmp_path / "w.duckdb"
    code = ("import duckdb, os, sys; from warehouse.store import apply_schema; "
            f"con = duckdb.connect({str(db)!r}); apply_schema(con); os._exit(0)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(Path(__file__).resolve().parents[2]))
    assert Path(str(db) + ".wal").exists()
    with Warehouse(db, read_only=True) as ro:
        assert queries.canvas_blocks(ro.con) == queries.canvas_blocks()
