import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from extractors.ids import fact_id
from warehouse.tables import FACTS_SCHEMA, SECTIONS_SCHEMA, facts_table, sections_table
from warehouse.store import Warehouse, WarehouseLocked
from wh_helpers import EXTRACTOR_VERSION, FY24, document, fact, facts_tbl, load

REPO = Path(__file__).resolve().parents[2]
TABLES = {"runs", "documents", "document_sources", "sections", "facts", "rejected_inputs", "fx_rates"}
VIEWS = {"editions", "facts_latest", "fact_changes", "fact_conflicts", "facts_converted", "fx_conflicts"}


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "wh" / "canvas.duckdb"


@pytest.fixture
def wh(db):
    with Warehouse(db) as w:
        yield w


def _user_columns(con):
    return con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal"
    ).fetchall()


def test_schema_created_with_parent_dir(db):
    assert not db.parent.exists()
    with Warehouse(db) as w:
        tables = {r[0] for r in w.query("SELECT table_name FROM duckdb_tables() WHERE NOT internal")}
        views = {r[0] for r in w.query("SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert TABLES <= tables and VIEWS <= views
    # idempotent: a second open re-applies the schema without error
    with Warehouse(db) as w:
        assert w.query("SELECT count(*) FROM facts") == [(0,)]


def test_contract_columns(wh):
    cols = {}
    for t, c, _ in _user_columns(wh.con):
        cols.setdefault(t, []).append(c)
    assert cols["runs"][:7] == ["run_id", "flow_run_id", "started_at", "finished_at", "status", "counts", "extractor_version"]
    for required in ("document_id", "source_path", "file_name", "sha256", "byte_size", "encoding", "company", "ticker",
                     "edition_label", "edition_date", "languages", "line_count", "ingested_at", "run_id"):
        assert required in cols["documents"]
    assert set(cols["document_sources"]) == {"document_id", "source_path", "file_name", "first_seen_at", "run_id"}
    assert set(FACTS_SCHEMA.names) | {"report_key", "edition_id"} == set(cols["facts"])
    assert set(SECTIONS_SCHEMA.names) == set(cols["sections"])
    assert set(cols["rejected_inputs"]) == {"path", "sha256", "reason", "run_id", "rejected_at"}
    for c in ("change", "ticker", "subject", "metric", "unit", "period_end", "old_value", "new_value", "old_document_id",
              "new_document_id", "old_edition", "new_edition", "old_fact_id", "new_fact_id", "old_line_number", "new_line_number"):
        assert c in cols["fact_changes"]
    types = dict(((t, c), d) for t, c, d in wh.query(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE NOT internal"))
    assert types[("runs", "counts")].startswith("STRUCT(documents_seen INTEGER")
    assert types[("facts", "value")] == "DOUBLE" and types[("facts", "flags")] == "VARCHAR[]"
    assert types[("documents", "edition_date")] == "DATE" and types[("documents", "languages")] == "VARCHAR[]"


def test_every_table_view_and_column_has_a_comment(wh):
    missing = [(t, c) for t, c, comment in _user_columns(wh.con) if not comment]
    assert missing == []
    for sql in ("SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal",
                "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal"):
        assert all(comment for _, comment in wh.query(sql))


def test_arrow_round_trip_exact_values(wh):
    run_id = wh.begin_run("flow-1", extractor_version=EXTRACTOR_VERSION)
    doc = document("alibaba-canvas-2025.txt", company="Alibaba", ticker="BABA", edition_label="2025",
                   edition_date=date(2025, 6, 30))
    facts = [
        fact("1.6E+9", "USD", line=3, text="1,6 milliard de dollars", subject="Alibaba Cloud", metric="Revenus",
             period_end=FY24, period_start=date(2023, 4, 1), period_grain="year", is_fiscal=True,
             period_label="exercice 2024", period_source="inline", precision=1, block="revenue_streams", lang="fr",
             section_index=0),
        fact("39.5", "percent", line=4, text="39,5%", precision=1, flags=("approx",)),
        fact("3", "percent", line=5, value_high=Decimal("4"), flags=("range",), precision=0),
        fact("824000000", "count", line=6, text="824 millions", precision=0, metric="MAU"),
        fact("1.2E+12", "CNY", line=7, text="1,2 billion de yuans", precision=1),
    ]
    sections = [{"section_index": 0, "heading": "Flux de revenus", "block": "revenue_streams", "lang": "fr",
                 "line_start": 1, "line_end": 10, "company": "Alibaba", "ticker": "BABA", "extra_key": "ignored"}]
    assert load(wh, doc, facts, run_id, sections) == 5
    rows = wh.query("SELECT value, value_high, unit, kind, flags, precision, rounding_step, subject_key, metric_key, "
                    "period_end, period_start, is_fiscal, fact_id, document_id, run_id, extractor_version, line_number, "
                    "char_start, char_end, source_text FROM facts ORDER BY line_number")
    assert [r[0] for r in rows] == [1.6e9, 39.5, 3.0, 824e6, 1.2e12]
    assert rows[0][0] == 1600000000.0
    assert rows[2][1] == 4.0 and rows[0][1] is None
    assert rows[0][4] == [] and rows[1][4] == ["approx"] and rows[2][4] == ["range"]
    assert rows[0][5:9] == (1, 1e8, "alibaba cloud", "revenue")
    assert rows[3][6] == 1e6 and rows[3][8] == "monthly active users"
    assert rows[0][9:12] == (FY24, date(2023, 4, 1), True)
    document_id = doc["document_id"]
    assert rows[0][12] == fact_id(document_id, 3000, 3000 + len("1,6 milliard de dollars"), "USD")
    assert {r[13] for r in rows} == {document_id} and {r[14] for r in rows} == {run_id}
    assert rows[0][15] == EXTRACTOR_VERSION and rows[0][16:20] == (3, 3000, 3023, "1,6 milliard de dollars")
    d = wh.query("SELECT document_id, file_name, sha256, byte_size, languages, edition_date, ticker, run_id FROM documents")
    assert d == [(document_id, "alibaba-canvas-2025.txt", doc["sha256"], doc["byte_size"], ["fr", "en"], date(2025, 6, 30), "BABA", run_id)]
    assert wh.query("SELECT document_id, section_index, heading, block, line_start, line_end FROM sections") == [
        (document_id, 0, "Flux de revenus", "revenue_streams", 1, 10)]
    assert wh.query("SELECT source_path, file_name, run_id FROM document_sources") == [
        ("/data/in/alibaba-canvas-2025.txt", "alibaba-canvas-2025.txt", run_id)]
    assert wh.known_document(doc["sha256"]) == document_id
    assert wh.known_document("0" * 64) is None


def test_empty_lists_give_typed_tables():
    f = facts_table({name: [] for name in FACTS_SCHEMA.names})
    s = sections_table([])
    assert f.num_rows == 0 and f.schema == FACTS_SCHEMA
    assert s.num_rows == 0 and s.schema == SECTIONS_SCHEMA


def test_facts_table_wants_the_declared_columns():
    cols = {name: [] for name in FACTS_SCHEMA.names}
    with pytest.raises(ValueError, match="missing.*edition_id"):
        facts_table({k: v for k, v in cols.items() if k != "edition_id"})
    with pytest.raises(ValueError, match="unknown.*nope"):
        facts_table({**cols, "nope": []})


def test_idempotent_reload(wh):
    run_id = wh.begin_run()
    doc = document("a.txt", ticker="BABA")
    facts = [fact("1.6E+9", "USD", line=1), fact("2", "USD", line=2)]
    assert load(wh, doc, facts, run_id) == 2
    before = wh.query("SELECT * FROM facts ORDER BY fact_id")
    run2 = wh.begin_run()
    assert load(wh, doc, facts, run2) == 0
    assert wh.query("SELECT * FROM facts ORDER BY fact_id") == before
    assert wh.query("SELECT count(*) FROM documents") == [(1,)]
    assert wh.query("SELECT count(*) FROM document_sources") == [(1,)]


def test_add_source_same_bytes_other_name(wh):
    run_id = wh.begin_run()
    doc = document("a.txt")
    load(wh, doc, [fact("1", line=1)], run_id)
    document_id = wh.known_document(doc["sha256"])
    assert wh.add_source(document_id, "/data/in/copy-of-a.txt", run_id) is True
    assert wh.add_source(document_id, "/data/in/copy-of-a.txt", run_id) is False
    assert wh.add_source(document_id, "/data/in/a.txt", run_id) is False  # loaded from there
    assert wh.query("SELECT file_name FROM document_sources ORDER BY file_name") == [("a.txt",), ("copy-of-a.txt",)]
    assert wh.query("SELECT count(*) FROM documents") == [(1,)]
    assert wh.query("SELECT count(*) FROM facts") == [(1,)]


def test_load_is_one_transaction(wh):
    run_id = wh.begin_run()
    doc = document("bad.txt")
    document_id = doc["document_id"]
    good = facts_tbl([fact("1", line=1)], doc, run_id, "v")
    # a value DuckDB cannot store, met only when the facts go in, after documents/sections went in
    at = good.schema.get_field_index("char_start")
    bad = good.set_column(at, "char_start", pa.array(["not a number"]))
    sections = sections_table([{"document_id": document_id, "heading": "h"}])
    with pytest.raises(duckdb.ConversionException):
        wh.load_document(doc, sections, bad, run_id)
    for table in ("documents", "document_sources", "sections", "facts"):
        assert wh.query(f"SELECT count(*) FROM {table}") == [(0,)], table
    with pytest.raises(ValueError, match="repeats a fact_id"):
        wh.load_document(doc, sections, pa.concat_tables([good, good]), run_id)
    for table in ("documents", "document_sources", "sections", "facts"):
        assert wh.query(f"SELECT count(*) FROM {table}") == [(0,)], table
    # the connection is usable and the same document loads fine afterwards
    assert wh.load_document(doc, sections, good, run_id) == 1
    assert wh.query("SELECT count(*) FROM sections") == [(1,)]


def test_load_rejects_mismatched_tables(wh):
    run_id = wh.begin_run()
    doc = document("x.txt")
    other = facts_tbl([fact("1")], {**doc, "document_id": "f" * 16}, run_id, "v")
    with pytest.raises(ValueError, match="document_id"):
        wh.load_document(doc, None, other, run_id)
    with pytest.raises(ValueError, match="document_id"):
        wh.load_document({**doc, "document_id": None}, None, None, run_id)
    with pytest.raises(ValueError, match="unknown document fields"):
        wh.load_document({**doc, "nope": 1}, None, None, run_id)
    assert wh.query("SELECT count(*) FROM documents") == [(0,)]


def test_runs_and_rejections(wh):
    run_id = wh.begin_run("prefect-123", extractor_version="1.2.3")
    assert wh.query("SELECT flow_run_id, status, finished_at, extractor_version FROM runs") == [
        ("prefect-123", "running", None, "1.2.3")]
    wh.record_rejection("/data/in/garbage.bin", "ab" * 32, "undecodable", run_id)
    wh.record_rejection("/data/in/unreadable.txt", None, "permission denied", run_id)
    wh.finish_run(run_id, "completed_with_rejections",
                  {"documents_seen": 3, "documents_loaded": 1, "documents_rejected": 2, "facts_loaded": 10_000_000_000})
    status, finished, counts = wh.query("SELECT status, finished_at, counts FROM runs")[0]
    assert status == "completed_with_rejections" and finished is not None
    assert counts == {"documents_seen": 3, "documents_loaded": 1, "documents_unchanged": 0, "documents_rejected": 2,
                      "facts_loaded": 10_000_000_000}
    assert wh.query("SELECT path, sha256, reason, run_id FROM rejected_inputs ORDER BY path") == [
        ("/data/in/garbage.bin", "ab" * 32, "undecodable", run_id),
        ("/data/in/unreadable.txt", None, "permission denied", run_id)]
    with pytest.raises(ValueError):
        wh.finish_run(run_id, "done", {})
    with pytest.raises(ValueError):
        wh.finish_run(run_id, "failed", {"bogus": 1})
    with pytest.raises(KeyError):
        wh.finish_run("no-such-run", "failed", {})


def test_read_only_never_writes(db):
    with Warehouse(db) as w:
        run_id = w.begin_run()
        load(w, document("a.txt"), [fact("1")], run_id)
    mtime = db.stat().st_mtime_ns
    with Warehouse(db, read_only=True) as r:
        assert r.query("SELECT count(*) FROM facts") == [(1,)]
        with pytest.raises(PermissionError):
            r.begin_run()
        with pytest.raises(PermissionError):
            r.record_rejection("p", None, "x", run_id)
        with pytest.raises(PermissionError):
            r.load_document(document("b.txt"), None, None, run_id)
        with pytest.raises(duckdb.Error, match="read-only"):
            r.con.execute("INSERT INTO rejected_inputs VALUES ('p', NULL, 'r', 'x', now())")
    assert db.stat().st_mtime_ns == mtime
    assert not Path(str(db) + ".lock.json").exists()


def test_second_writer_in_same_process_is_refused(db):
    with Warehouse(db) as w:
        run_id = w.begin_run()
        t0 = time.monotonic()
        with pytest.raises(WarehouseLocked) as err:
            Warehouse(db, lock_timeout=0.3)
        assert time.monotonic() - t0 < 5
        assert str(os.getpid()) in str(err.value) and run_id in str(err.value)
        with pytest.raises(WarehouseLocked):
            Warehouse(db, read_only=True, lock_timeout=0.1)
    with Warehouse(db, lock_timeout=0.1) as w2:  # released on close
        assert w2.query("SELECT count(*) FROM runs") == [(1,)]


HOLDER = textwrap.dedent(
    """
    import sys, time
    from warehouse.store import Warehouse
    mode, path, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if mode == "writer":
        wh = Warehouse(path)
        run_id = wh.begin_run("holder-flow")
        print(run_id, flush=True)
    else:
        wh = Warehouse(path, read_only=True)
        print("reader", flush=True)
    time.sleep(hold)
    wh.close()
    """
)


def _holder(mode, db, hold):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, mode, str(db), str(hold)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()
    assert line, proc.stderr.read()
    return proc, line


def test_locked_by_writer_in_another_process(db):
    Warehouse(db).close()
    proc, run_id = _holder("writer", db, 30)
    try:
        t0 = time.monotonic()
        with pytest.raises(WarehouseLocked) as err:
            Warehouse(db, lock_timeout=1.0)
        waited = time.monotonic() - t0
        assert 0.9 <= waited < 10
        msg = str(err.value)
        assert f"pid {proc.pid}" in msg and socket.gethostname() in msg and run_id in msg and "since" in msg
        assert err.value.holder["pid"] == proc.pid and err.value.holder["run_id"] == run_id
        # readers are refused too while the writer holds the file (DuckDB file lock)
        with pytest.raises(WarehouseLocked):
            Warehouse(db, read_only=True, lock_timeout=0.2)
        info = json.loads(Path(str(db) + ".lock.json").read_text())
        assert info["pid"] == proc.pid and info["run_id"] == run_id
    finally:
        proc.kill()
        proc.wait()


def test_writer_waits_for_the_lock(db):
    Warehouse(db).close()
    proc, _ = _holder("writer", db, 1.0)
    try:
        with Warehouse(db, lock_timeout=20) as w:  # retries until the holder exits
            assert w.query("SELECT flow_run_id, status FROM runs") == [("holder-flow", "running")]
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        proc.wait()


def test_locked_by_reader_in_another_process(db):
    Warehouse(db).close()
    proc, _ = _holder("reader", db, 30)
    try:
        with pytest.raises(WarehouseLocked) as err:
            Warehouse(db, lock_timeout=0.3)
        assert f"pid {proc.pid}" in str(err.value) and "reader" in str(err.value)
        with Warehouse(db, read_only=True, lock_timeout=1) as r:  # many readers are fine
            assert r.query("SELECT count(*) FROM runs") == [(0,)]
    finally:
        proc.kill()
        proc.wait()


def test_stale_lock_file_is_replaced(db):
    Warehouse(db).close()
    Path(str(db) + ".lock.json").write_text(json.dumps({"pid": 999999, "host": "elsewhere", "run_id": "old"}))
    with Warehouse(db, lock_timeout=0.5) as w:
        assert json.loads(Path(str(db) + ".lock.json").read_text())["pid"] == os.getpid()
        w.begin_run()
    assert not Path(str(db) + ".lock.json").exists()


def test_snapshot_for_analysts(db, tmp_path):
    snap = tmp_path / "snap" / "canvas-snapshot.duckdb"
    with Warehouse(db) as w:
        run_id = w.begin_run()
        load(w, document("a.txt", ticker="BABA"), [fact("1.6E+9", "USD")], run_id)
        w.snapshot(snap)
        # an analyst reads the snapshot while the writer still holds the live file
        code = ("import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True); "
                "print(c.sql('select value from facts').fetchall()[0][0]); "
                "print(c.sql(\"select comment is not null from duckdb_views() where view_name='facts_latest'\").fetchall()[0][0])")
        out = subprocess.run([sys.executable, "-c", code, str(snap)], capture_output=True, text=True, check=True).stdout
        assert out.split() == ["1600000000.0", "True"]
        # replacing the snapshot while an analyst has it open works: the analyst keeps the old copy
        code = ("import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True); "
                "print(c.sql('select count(*) from facts').fetchall()[0][0], flush=True); sys.stdin.readline(); "
                "print(c.sql('select count(*) from facts').fetchall()[0][0], flush=True)")
        analyst = subprocess.Popen([sys.executable, "-c", code, str(snap)], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        try:
            assert analyst.stdout.readline().strip() == "1"
            load(w, document("b.txt", ticker="BABA"), [fact("2", "USD")], run_id)
            w.snapshot(snap)
            out, _ = analyst.communicate("go\n", timeout=30)
            assert out.strip() == "1"
        finally:
            analyst.kill()
            analyst.wait()
    with Warehouse(snap, read_only=True) as s:
        assert s.query("SELECT count(*) FROM facts") == [(2,)]
    assert [p.name for p in snap.parent.iterdir()] == ["canvas-snapshot.duckdb"]


def test_a_checkpoint_moves_the_write_ahead_log_into_the_file(db):
    """What the loader does while a run's last batches are still being extracted (flows/ingest.py)."""
    wal = Path(str(db) + ".wal")
    with Warehouse(db) as w:
        run_id = w.begin_run()
        load(w, document("a.txt", ticker="BABA"), [fact("1.6E+9", "USD")], run_id)
        assert wal.stat().st_size > 0
        w.checkpoint()
        assert not wal.exists() or wal.stat().st_size == 0
        assert w.query("SELECT count(*) FROM facts") == [(1,)]


def test_a_snapshot_copied_while_the_writer_reads_is_settled_before_its_next_write(db, tmp_path):
    snap = tmp_path / "snap" / "s.duckdb"
    with Warehouse(db) as w:
        run_id = w.begin_run()
        load(w, document("a.txt", ticker="BABA"), [fact("1.6E+9", "USD")], run_id)
        copy = w.snapshot(snap, wait=False)  # the copy runs in another process ...
        assert w.query("SELECT count(*) FROM facts") == [(1,)]  # ... while this connection reads
        load(w, document("b.txt", ticker="BABA"), [fact("2", "USD")], run_id)  # a write waits for it first
        assert copy.process.returncode == 0 and copy.wait() == snap.resolve()
        bad = w.snapshot(tmp_path / "other" / "x.duckdb", wait=False)
        bad.dest = tmp_path / "no-such-dir" / "x.duckdb"  # its final rename will fail
    # closing waited for the copy; its failure is its caller's to read, and the partial copy is gone
    assert bad.process.returncode == 0
    with pytest.raises(OSError):
        bad.wait()
    assert not bad.tmp.exists() and list((tmp_path / "other").iterdir()) == []
    with Warehouse(snap, read_only=True) as s:  # the snapshot holds the state of its start: one document
        assert s.query("SELECT count(*) FROM facts") == [(1,)]
    assert [p.name for p in snap.parent.iterdir()] == ["s.duckdb"]


@pytest.mark.parametrize("backend", ["file", "lake"])
def test_a_group_of_documents_loads_each_once_and_refuses_only_the_bad_one(tmp_path, backend):
    """``load_new_documents``: on a DuckLake the valid documents of a group go in one commit; a document the
    warehouse refuses is refused alone; the same bytes twice in a group load once (the second is a source)."""
    from warehouse import lake as lakes

    if backend == "lake":
        db, kw = "ducklake:sqlite:" + str(tmp_path / "c.sqlite"), {"data_path": str(tmp_path / "data")}
    else:
        db, kw = tmp_path / "w.duckdb", {}
    with Warehouse(db, **kw) as wh:
        run_id = wh.begin_run()
        docs = [document(f"d{i}.txt") for i in range(3)]
        twin = document("twin.txt", content=b"contents of d0.txt")  # d0's bytes under another path
        bad = document("bad.txt")
        items = [(d, None, facts_tbl([fact(i + 1, line=i + 1)], d, run_id), None) for i, d in enumerate(docs)]
        items.append((twin, None, facts_tbl([fact(1, line=1)], twin, run_id), None))
        items.append((bad, None, facts_tbl([fact(9, kind="guess")], bad, run_id), None))
        before = len(lakes.snapshots(wh.con)) if backend == "lake" else 0
        out = wh.load_new_documents(items, run_id)
        assert out[:4] == [1, 1, 1, None]
        assert isinstance(out[4], duckdb.ConstraintException) and "facts.kind='guess'" in str(out[4])
        assert wh.query("SELECT count(*), count(DISTINCT document_id) FROM facts") == [(3, 3)]
        assert sorted(r[0] for r in wh.query("SELECT file_name FROM document_sources")) == [
            "d0.txt", "d1.txt", "d2.txt", "twin.txt"]
        if backend == "lake":
            new = lakes.snapshots(wh.con)[before:]
            assert len(new) == 1 and json.loads(new[0].commit_extra_info)["document_ids"] == [
                d["document_id"] for d in docs + [twin]]
        assert wh.load_new_documents(items[:3], run_id) == [None, None, None]  # idempotent


def test_live_writer_is_the_sidecar_of_a_running_holder(tmp_path):
    from warehouse.store import live_writer

    db = tmp_path / "w.duckdb"
    assert live_writer(db) is None  # no file, no sidecar
    with Warehouse(db) as wh:
        run_id = wh.begin_run()
        info = live_writer(db)
        assert info["pid"] == os.getpid() and info["run_id"] == run_id
    assert live_writer(db) is None  # the sidecar goes with the writer
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "w.duckdb.lock.json").write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))
    assert live_writer(db) is None  # a sidecar left by a process that is gone


def test_publishing_the_snapshot_keeps_the_writer_s_lock(tmp_path):
    """The snapshot is a copy of the file; the copy must not cost the writer its file lock (a POSIX record lock
    is lost when its process closes any descriptor of the file): another process still cannot open it."""
    db = tmp_path / "w.duckdb"
    probe = "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True); print('opened')"
    with Warehouse(db) as wh:
        wh.begin_run()
        snap = wh.publish_snapshot()
        other = subprocess.run([sys.executable, "-c", probe, str(db)], capture_output=True, text=True)
        assert other.returncode != 0 and "Could not set lock" in other.stderr, other.stdout + other.stderr
        assert subprocess.run([sys.executable, "-c", probe, str(snap)], capture_output=True, text=True).stdout == "opened\n"


def test_the_schema_is_applied_again_only_when_its_text_changes(tmp_path, monkeypatch):
    import duckdb

    from warehouse import lake, store

    db = tmp_path / "w.duckdb"
    with Warehouse(db):
        pass
    con = duckdb.connect(str(db))
    try:
        fingerprint = lake.ddl_fingerprint(store.schema_sql())
        assert con.execute("SELECT fingerprint FROM warehouse_schema").fetchall() == [(fingerprint,)]
        assert store.apply_schema(con) is False  # the same text: nothing run
        ddl = store.schema_sql() + "\nCREATE OR REPLACE VIEW probe AS SELECT 1 AS x;\n"
        monkeypatch.setattr(store, "schema_sql", lambda: ddl)
        assert store.apply_schema(con) is True  # a new text (a new release): applied, and remembered
        assert con.execute("SELECT x FROM probe").fetchall() == [(1,)]
        assert con.execute("SELECT fingerprint FROM warehouse_schema").fetchall() == [(lake.ddl_fingerprint(ddl),)]
        assert store.apply_schema(con) is False
        con.execute("DROP TABLE warehouse_schema")  # a file made before the table: applied, and the table made
        assert store.apply_schema(con) is True
        assert con.execute("SELECT count(*) FROM warehouse_schema").fetchall() == [(1,)]
    finally:
        con.close()


def test_the_writer_runs_with_its_configuration(db):
    import duckdb

    from warehouse.store import WRITER_CONFIG

    names = "('threads', 'memory_limit', 'checkpoint_threshold')"
    q = f"SELECT name, value FROM duckdb_settings() WHERE name IN {names} ORDER BY name"
    with Warehouse(db) as w:
        got = w.query(q)
    assert got == duckdb.connect(config=WRITER_CONFIG).execute(q).fetchall()
    default = dict(duckdb.connect().execute(q).fetchall())
    assert dict(got)["checkpoint_threshold"] != default["checkpoint_threshold"]  # not DuckDB's 16 MB
