"""warehouse/lake.py on real DuckLake catalogs: SQLite file and a real PostgreSQL server (tests/pg.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from pg import postgres_server  # noqa: F401  (session fixture)

from warehouse import lake
from warehouse.store import schema_sql

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"runs", "documents", "document_sources", "sections", "facts", "rejected_inputs",
          "canvas_blocks", "fact_kinds", "period_grains", "fact_flags", "period_sources", "fx_rates",
          "warehouse_schema"}  # empty in a lake (its schema snapshots carry the fingerprint)
VIEWS = {"editions", "facts_latest", "fact_changes", "fact_conflicts", "facts_converted", "fx_conflicts"}


def _documents(ids: list[str], run_id: str) -> pa.Table:
    now = datetime.now(timezone.utc)
    n = len(ids)
    return pa.table({
        "document_id": ids, "source_path": [f"/in/{i}.txt" for i in ids], "file_name": [f"{i}.txt" for i in ids],
        "sha256": [i * 4 for i in ids], "byte_size": [100] * n, "encoding": ["utf-8"] * n,
        "company": ["ACME"] * n, "ticker": ["ACM"] * n, "edition_label": ["Jan-2025"] * n,
        "edition_date": [datetime(2025, 1, 1).date()] * n, "languages": [["fr", "en"]] * n,
        "line_count": [10] * n, "ingested_at": pa.array([now] * n, pa.timestamp("us", tz="UTC")),
        "run_id": [run_id] * n,
    })


def _load_run(con, run_id: str, ids: list[str]) -> None:
    con.register("incoming_documents", _documents(ids, run_id))  # Arrow table, scanned without a copy
    try:
        lake.commit(con, lambda c: c.execute("INSERT INTO documents SELECT * FROM incoming_documents"),
                    message=f"run {run_id}", extra_info={"run_id": run_id}, author="test")
    finally:
        con.unregister("incoming_documents")


# ---- targets and DDL ------------------------------------------------------------------------------------
def test_parse_target_forms_and_errors(tmp_path):
    assert lake.parse_target("warehouse/canvas.duckdb") == lake.Target("duckdb", "warehouse/canvas.duckdb")
    t = lake.parse_target("ducklake:sqlite:/x/c.sqlite", "/x/data")
    assert (t.kind, t.location, t.data_path, t.attach_uri) == ("sqlite", "/x/c.sqlite", "/x/data",
                                                               "ducklake:sqlite:/x/c.sqlite")
    t = lake.parse_target("ducklake:postgres:dbname=l host=h password=s3cret", env={"CANVAS_ETL_DATA_PATH": "/d"})
    assert (t.kind, t.location, t.data_path) == ("postgres", "dbname=l host=h password=s3cret", "/d")
    assert "s3cret" not in t.describe()
    with pytest.raises(lake.LakeError, match="--data-path"):
        lake.parse_target("ducklake:sqlite:/x/c.sqlite", env={})
    with pytest.raises(lake.LakeError, match="ducklake:sqlite:PATH or ducklake:postgres:CONNINFO"):
        lake.parse_target("ducklake:mysql:db", "/d")
    with pytest.raises(lake.LakeError, match="empty"):
        lake.parse_target("ducklake:sqlite:", "/d")


def test_missing_extension_is_one_line_naming_the_package(monkeypatch):
    monkeypatch.setitem(lake._EXTENSIONS, "ducklake",
                        [("no_such_module_canvas_etl", "duckdb-extension-ducklake", "ducklake", "ducklake")])
    with pytest.raises(lake.MissingExtension) as err:
        lake.extension_file("ducklake")
    text = str(err.value)
    assert "\n" not in text and f"duckdb-extension-ducklake=={duckdb.__version__}" in text


def test_extensions_load_from_wheels_without_network():
    con = duckdb.connect(config=lake.OFFLINE_CONFIG)
    lake.load_extensions(con, ["ducklake", "sqlite", "postgres"])
    loaded = {r[0]: r[1] for r in con.execute(
        "SELECT extension_name, install_path FROM duckdb_extensions() WHERE loaded").fetchall()}
    assert {"ducklake", "sqlite_scanner", "postgres_scanner"} <= set(loaded)
    lake.load_extensions(con, ["ducklake", "sqlite"])  # again: a no-op, not an error


def test_adapt_ddl_keeps_what_ducklake_holds():
    adapted = lake.adapt_ddl(schema_sql())
    text = "\n".join(s for s in adapted.statements if s.upper().startswith("CREATE TABLE")).upper()
    assert "PRIMARY KEY" not in text and " UNIQUE" not in text and "CHECK (" not in text
    assert "NOT NULL" in text and "VARCHAR[]" in text and "STRUCT(" in text
    views = [s for s in adapted.statements if s.upper().startswith("CREATE OR REPLACE VIEW")]
    assert len(views) == len(VIEWS)
    assert any(d.startswith("view column comment") for d in adapted.dropped)


def test_split_sql_respects_quotes_and_comments():
    assert lake.split_sql("SELECT 'a;b'; -- x; y\nSELECT \"c;\"") == ["SELECT 'a;b'", 'SELECT "c;"']


def test_as_of_refused_on_a_duckdb_file(tmp_path):
    t = lake.parse_target(str(tmp_path / "w.duckdb"))
    with pytest.raises(lake.LakeError, match="DuckLake target"):
        lake.open_as_of(t, "20250101T000000Z-abc")


# ---- round trips on both catalogs ---------------------------------------------------------------------
def _round_trip(target: lake.Target) -> None:
    con = lake.connect(target)
    assert lake.apply_ddl(con, schema_sql()) is True
    assert lake.apply_ddl(con, schema_sql()) is False  # idempotent: no new snapshot
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'").fetchall()}
    views = {r[0]: r[1] for r in con.execute(
        "SELECT view_name, comment FROM duckdb_views() WHERE database_name = 'lake'").fetchall()}
    assert tables == TABLES and set(views) == VIEWS and all(views.values())
    # the table and column comments are the schema's (compare with a plain DuckDB database)
    ref = duckdb.connect()
    ref.execute(schema_sql())
    q = ("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = ? "
         "AND table_name IN ({}) ORDER BY ALL").format(", ".join(f"'{t}'" for t in sorted(TABLES)))
    assert con.execute(q, ["lake"]).fetchall() == ref.execute(q, ["memory"]).fetchall()

    _load_run(con, "R1", ["a", "b"])
    time.sleep(0.05)
    between = datetime.now(timezone.utc)
    time.sleep(0.05)
    _load_run(con, "R2", ["c"])
    assert con.execute("SELECT count(*), count(DISTINCT run_id) FROM documents").fetchone() == (3, 2)
    assert con.execute("SELECT languages FROM documents WHERE document_id = 'c'").fetchone()[0] == ["fr", "en"]
    snaps = lake.snapshots(con)
    assert [s.run_id for s in snaps if s.run_id] == ["R1", "R2"]
    assert snaps[-1].author == "test" and snaps[-1].commit_message == "run R2"
    con.close()

    for as_of, expected in (("R1", 2), ("R2", 3), (between.isoformat(), 2), (f"@{snaps[-1].snapshot_id}", 3)):
        old, snap = lake.open_as_of(target, as_of)
        try:
            assert old.execute("SELECT count(*) FROM documents").fetchone()[0] == expected, as_of
            assert old.execute("SELECT count(*) FROM editions").fetchone()[0] == 0  # views answer too
            with pytest.raises(duckdb.Error, match="read-only"):
                old.execute("DELETE FROM documents")
        finally:
            old.close()
    with pytest.raises(lake.LakeError, match="no run with that id"):
        lake.open_as_of(target, "no-such-run")
    with pytest.raises(lake.LakeError, match="no snapshot that old"):
        lake.open_as_of(target, (snaps[0].snapshot_time - timedelta(days=1)).isoformat())


def test_sqlite_catalog_round_trip(tmp_path):
    _round_trip(lake.parse_target(f"ducklake:sqlite:{tmp_path / 'cat.sqlite'}", str(tmp_path / "data")))


def test_postgres_catalog_round_trip(tmp_path, postgres_server):
    conninfo = postgres_server.conninfo("round_trip")
    _round_trip(lake.parse_target(f"ducklake:postgres:{conninfo}", str(tmp_path / "data")))


# ---- two processes committing into one catalog --------------------------------------------------------
WORKER = textwrap.dedent("""
    import json, sys, time
    from warehouse import lake
    db, data, tag, keys, token = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
    con = lake.connect(lake.parse_target(db, data))
    loaded, t0 = 0, time.perf_counter()
    for key in keys:
        def work(c, key=key):
            # check-then-insert: idempotent only because the token makes concurrent commits conflict
            if c.execute("SELECT count(*) FROM docs WHERE k = ?", [key]).fetchone()[0]:
                return 0
            c.execute("INSERT INTO docs SELECT ? AS k, ? AS tag, range AS r FROM range(100)", [key, tag])
            return 1
        loaded += lake.commit(con, work, message=f"{tag} {key}", extra_info={"run_id": tag},
                              token=token or None, retries=200)
    print(json.dumps({"tag": tag, "loaded": loaded, "seconds": time.perf_counter() - t0}))
""")


def _two_loaders(db: str, data: str, keys_a: list[str], keys_b: list[str], token: str) -> list[dict]:
    con = lake.connect(lake.parse_target(db, data))
    lake.commit(con, lambda c: c.execute("CREATE TABLE IF NOT EXISTS docs (k VARCHAR, tag VARCHAR, r BIGINT)"))
    if token:
        lake.ensure_token(con, token)
    con.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, db, data, tag, json.dumps(keys), token],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for tag, keys in (("A", keys_a), ("B", keys_b))]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _count(db: str, data: str) -> list[tuple]:
    con = lake.connect(lake.parse_target(db, data), read_only=True)
    try:
        return con.execute("SELECT k, count(*), count(DISTINCT tag) FROM docs GROUP BY k ORDER BY k").fetchall()
    finally:
        con.close()


def test_two_processes_commit_concurrently_into_postgres_without_loss(tmp_path, postgres_server):
    db = "ducklake:postgres:" + postgres_server.conninfo("two_loaders")
    keys_a = [f"a{i:02d}" for i in range(50)]
    keys_b = [f"b{i:02d}" for i in range(50)]
    results = _two_loaders(db, str(tmp_path / "data"), keys_a, keys_b, token="")
    assert sorted(r["loaded"] for r in results) == [50, 50]
    assert _count(db, str(tmp_path / "data")) == [(k, 100, 1) for k in sorted(keys_a + keys_b)]
    print("two loaders x 50 commits (postgres, no token):", [round(r["seconds"], 2) for r in results])


def test_same_keys_from_two_processes_load_once_with_a_token(tmp_path, postgres_server):
    db = "ducklake:postgres:" + postgres_server.conninfo("same_keys")
    keys = [f"k{i:02d}" for i in range(30)]
    results = _two_loaders(db, str(tmp_path / "data"), keys, list(reversed(keys)), token="load_token")
    assert sum(r["loaded"] for r in results) == len(keys)
    assert _count(db, str(tmp_path / "data")) == [(k, 100, 1) for k in keys]
    print("two loaders x 30 same keys (postgres, token):", [round(r["seconds"], 2) for r in results])


def test_two_processes_commit_concurrently_into_sqlite(tmp_path):
    db = f"ducklake:sqlite:{tmp_path / 'cat.sqlite'}"
    keys_a = [f"a{i:02d}" for i in range(20)]
    keys_b = [f"b{i:02d}" for i in range(20)]
    results = _two_loaders(db, str(tmp_path / "data"), keys_a, keys_b, token="")
    assert sorted(r["loaded"] for r in results) == [20, 20]
    assert _count(db, str(tmp_path / "data")) == [(k, 100, 1) for k in sorted(keys_a + keys_b)]
