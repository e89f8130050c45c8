"""The whole pipeline on the sample: Prefect flow (test harness) -> spaCy -> facts in a real DuckDB file."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from flows.run import run_ingest

DOCUMENT_COLUMNS = {"document_id", "source_path", "file_name", "sha256", "byte_size", "encoding", "company",
                    "ticker", "edition_label", "languages", "ingested_at", "run_id"}
FACT_COLUMNS = {"fact_id", "document_id", "block", "lang", "subject", "metric", "value", "value_high", "unit",
                "kind", "period_start", "period_end", "period_grain", "is_fiscal", "period_label", "flags",
                "source_text", "line_number", "char_start", "char_end", "sentence", "extractor_version", "run_id"}


def _columns(con, table):
    return {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}


def test_sample_lands_with_contract_columns(sample_warehouse, sample_path):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    assert DOCUMENT_COLUMNS <= _columns(con, "documents")
    assert FACT_COLUMNS <= _columns(con, "facts")
    assert {"run_id", "flow_run_id", "started_at", "finished_at", "status", "counts"} <= _columns(con, "runs")
    assert {"path", "sha256", "reason", "run_id", "rejected_at"} <= _columns(con, "rejected_inputs")
    doc = con.execute("SELECT file_name, company, ticker, encoding, languages, byte_size FROM documents").fetchall()
    assert doc == [("alibaba-canvas-2025.txt", "Alibaba Group Holding Limited", "BABA", "utf-8", ["en", "fr"],
                    sample_path.stat().st_size)]
    n = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    assert n > 250
    status = con.execute("SELECT status, counts.facts_loaded FROM runs").fetchall()
    assert status == [("completed", n)]


def test_offsets_point_at_source_text(sample_warehouse, sample_path):
    text = sample_path.read_text(encoding="utf-8")
    lines = text.split("\n")
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    rows = con.execute("SELECT char_start, char_end, source_text, line_number FROM facts").fetchall()
    for start, end, source, line in rows:
        assert text[start:end] == source
        assert source in lines[line - 1]


def test_values_in_base_units_with_iso_currency(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    got = con.execute(
        "SELECT value, unit, kind, block, period_end::VARCHAR FROM facts WHERE line_number = 13"
    ).fetchall()
    assert got == [(1.6e9, "USD", "money", "key_partners", "2023-12-31")]
    pct = con.execute("SELECT value, unit FROM facts WHERE source_text = '39,5%'").fetchall()
    assert pct == [(39.5, "percent")]
    # French "billion" is 10^12
    tril = con.execute("SELECT value FROM facts WHERE source_text = '1,2 billion de dollars'").fetchall()
    assert tril == [(1.2e12,)]


def test_reingest_adds_nothing_and_renamed_copy_is_a_source(tmp_path, prefect_harness, sample_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / sample_path.name)
    db = tmp_path / "wh.duckdb"
    first = run_ingest([str(raw)], db=str(db))
    assert first["documents_loaded"] == 1 and first["facts_loaded"] > 0
    second = run_ingest([str(raw)], db=str(db))
    assert second["documents_loaded"] == 0 and second["documents_unchanged"] == 1 and second["facts_loaded"] == 0
    shutil.copy(sample_path, raw / "renamed.txt")
    third = run_ingest([str(raw)], db=str(db))
    assert third["documents_unchanged"] == 2 and third["facts_loaded"] == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == first["facts_loaded"]
    names = sorted(r[0] for r in con.execute("SELECT file_name FROM document_sources").fetchall())
    assert names == ["alibaba-canvas-2025.txt", "renamed.txt"]
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 3


def test_rejected_inputs_are_recorded_and_the_rest_loads(tmp_path, prefect_harness, sample_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / "good.txt")
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.bin").write_bytes(bytes(range(256)) * 8)
    db = tmp_path / "wh.duckdb"
    summary = run_ingest([str(raw)], db=str(db))
    assert summary["documents_loaded"] == 1
    assert summary["documents_rejected"] == 2
    con = duckdb.connect(str(db), read_only=True)
    reasons = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), reason FROM rejected_inputs").fetchall())
    assert set(reasons) == {"empty.txt", "binary.bin"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.bin"]
    assert con.execute("SELECT status FROM runs").fetchone()[0] == "completed_with_rejections"


def test_gold_score_from_the_warehouse(sample_warehouse):
    """bench/gold_score.py scores the warehouse itself (issue bar: F1 >= 0.97, period accuracy >= 0.95)."""
    import importlib.util
    from pathlib import Path

    from extractors.scoring import load_gold, score

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("gold_score", root / "bench" / "gold_score.py")
    gold_score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gold_score)
    facts = gold_score.facts_by_file(str(sample_warehouse))
    gold_path = root / "tests" / "fixtures" / "gold" / "alibaba-canvas-2025.gold.jsonl"
    s = score(facts["alibaba-canvas-2025.txt"], load_gold(gold_path))
    assert s.f1 >= 0.97, s.line()
    assert s.period_accuracy >= 0.95, s.line()


def test_a_document_the_warehouse_refuses_is_quarantined(tmp_path, prefect_harness, sample_path, monkeypatch):
    """The loader commits the run's two documents in one transaction; the write fails for one of them: that
    one is quarantined with the reason, the other is loaded (committed again alone)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / "good.txt")
    (raw / "other.txt").write_text("Acme revenue was $5 million in 2024.\n", encoding="utf-8")
    from warehouse import store

    original = store._insert_documents

    def refuse_acme(con, group, run_id, now):  # a write that fails for one document of the loader's group
        if any(doc["file_name"] == "other.txt" for doc, *_ in group):
            raise RuntimeError("disk full (simulated)")
        return original(con, group, run_id, now)

    monkeypatch.setattr(store, "_insert_documents", refuse_acme)
    db = tmp_path / "wh.duckdb"
    summary = run_ingest([str(raw)], db=str(db))
    assert summary["documents_loaded"] == 1 and summary["documents_rejected"] == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT file_name FROM documents").fetchall() == [("good.txt",)]
    (reason,) = con.execute("SELECT reason FROM rejected_inputs").fetchone()
    assert reason.startswith("load failed: RuntimeError: disk full")


def _flow_runs() -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return len(client.read_flow_runs())


def test_nothing_new_is_recorded_without_a_flow_run(tmp_path, prefect_harness, sample_path):
    """An unchanged re-run is read before Prefect is involved: a ``runs`` row, no flow run; a new path of known
    bytes is a write, so it goes through the flow."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / sample_path.name)
    db = tmp_path / "wh.duckdb"
    first = run_ingest([str(raw)], db=str(db))
    runs_before = _flow_runs()
    again = run_ingest([str(raw)], db=str(db))
    assert (again["runner"], again["documents_unchanged"], again["documents_loaded"]) == ("none", 1, 0)
    assert _flow_runs() == runs_before  # no flow run for nothing new
    shutil.copy(sample_path, raw / "copy.txt")  # known bytes under a new path: a document_sources row to write
    third = run_ingest([str(raw)], db=str(db))
    assert third["runner"] != "none" and third["documents_unchanged"] == 2
    assert _flow_runs() == runs_before + 1
    con = duckdb.connect(str(db), read_only=True)
    runs = con.execute("SELECT run_id, status, flow_run_id IS NULL, counts.documents_unchanged FROM runs "
                       "ORDER BY started_at").fetchall()
    assert [r[1:] for r in runs] == [("completed", False, 0), ("completed", True, 1), ("completed", False, 2)]
    assert [r[0] for r in runs] == [first["run_id"], again["run_id"], third["run_id"]]
    assert con.execute("SELECT count(*) FROM document_sources").fetchone()[0] == 2


def test_a_change_after_the_plan_sends_the_run_to_the_flow(tmp_path, prefect_harness, sample_path):
    from flows.ingest import plan_run, record_unchanged_run

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / "a.txt")
    db = tmp_path / "wh.duckdb"
    run_ingest([str(raw)], db=str(db))
    plan = plan_run([str(raw)], str(db))
    assert plan.nothing_new and plan.files == [str(raw / "a.txt")]
    (raw / "a.txt").write_bytes(sample_path.read_bytes() + b"\nOne more line: 5 EUR.\n")  # changed meanwhile
    assert record_unchanged_run(plan, str(db)) is None  # checked again under the writer's lock
    assert plan_run([str(raw)], str(db)).todo == [(str(raw / "a.txt"), (raw / "a.txt").stat().st_size)]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 1  # nothing recorded by the refused fast path


def test_plan_of_a_new_warehouse_and_of_a_held_one(tmp_path, sample_path):
    from flows.ingest import plan_run
    from warehouse.store import Warehouse

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / "a.txt")
    (raw / "b.txt").mkdir()  # a folder: nothing inside, nothing to do
    os_fifo = raw / "pipe"
    import os

    os.mkfifo(os_fifo)  # not a regular file: rejected by the run, so not "nothing new"
    db = tmp_path / "wh.duckdb"
    plan = plan_run([str(raw)], str(db))  # no warehouse yet: everything is new
    assert [p for p, _ in plan.todo] == [str(raw / "a.txt")] and plan.other_writes == 1 and not plan.nothing_new
    with Warehouse(db):  # a writer holds the file: the plan cannot be read now
        assert plan_run([str(raw)], str(db)) is None
    assert plan_run([str(raw)], "ducklake:sqlite:" + str(tmp_path / "c.sqlite")) is None  # no lake there yet


def test_nothing_new_in_a_lake_is_recorded_without_a_flow_run(tmp_path, prefect_harness, sample_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / "a.txt")
    db, data = "ducklake:sqlite:" + str(tmp_path / "c.sqlite"), str(tmp_path / "data")
    first = run_ingest([str(raw)], db=db, data_path=data)
    runs_before = _flow_runs()
    again = run_ingest([str(raw)], db=db, data_path=data)
    assert (again["runner"], again["documents_unchanged"]) == ("none", 1) and _flow_runs() == runs_before
    from warehouse.store import Warehouse

    with Warehouse(db, read_only=True, data_path=data) as wh:
        assert wh.query("SELECT run_id, status FROM runs ORDER BY started_at") == [
            (first["run_id"], "completed"), (again["run_id"], "completed")]


def test_an_extraction_process_freezes_its_models_out_of_the_garbage_collector(tmp_path, sample_path):
    """After its first batch, an extraction process's long-lived objects (models, rule tables) are frozen and
    collections start later (flows.batch._tune_gc); the next batch gives the same rows. Extraction runs niced,
    once (the second batch does not lower it again)."""
    import json
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import gc, json, sys
        from flows.batch import GC_THRESHOLD, extract_paths
        import os
        nice = os.nice(0)
        before = (gc.get_threshold(), gc.get_freeze_count())
        one = extract_paths([sys.argv[1]], "r", use_model=False)
        two = extract_paths([sys.argv[1]], "r", use_model=False)
        rows = [b["documents"][0]["facts"].to_pylist() for b in (one, two)]
        print(json.dumps({"before": before[0], "frozen_before": before[1], "after": gc.get_threshold(),
                          "frozen": gc.get_freeze_count(), "tuned": list(GC_THRESHOLD), "same": rows[0] == rows[1],
                          "niced": os.nice(0) - nice}))
    """)
    res = subprocess.run([sys.executable, "-c", script, str(sample_path)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["frozen_before"] == 0 and out["frozen"] > 10_000
    assert list(out["after"]) == out["tuned"] != list(out["before"]) and out["same"]
    assert out["niced"] == 5  # extraction runs nicer than the analysts' commands (flows.batch.EXTRACT_NICE)
