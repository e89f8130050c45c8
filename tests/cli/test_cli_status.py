"""`canvas-etl status`: the console script as a subprocess, on the sample warehouse and on warehouses whose
runs are written through the Warehouse API (a rejected file, then loaded; a failed run; a snapshot)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time

from cli_helpers import query

KEYS = {"warehouse", "last_run", "runs", "rejected", "editions_changed", "problems", "exit_code"}


def _status(cli, db, *args):
    res = cli("status", "--db", db, "--format", "json", *args)
    assert "Traceback" not in res.stderr, res.stderr
    out = json.loads(res.stdout)
    assert set(out) == KEYS
    assert out["exit_code"] == res.returncode
    return res.returncode, out


def test_status_of_the_sample_warehouse(cli, sample_db):
    code, out = _status(cli, sample_db)
    assert code == 0 and out["problems"] == [] and out["rejected"] == []
    (run_id, flow_run_id, status, loaded, facts), = query(
        sample_db, "SELECT run_id, flow_run_id, status, counts.documents_loaded, counts.facts_loaded FROM runs")
    last = out["last_run"]
    assert (last["run_id"], last["flow_run_id"], last["status"], last["documents_loaded"], last["facts_loaded"]) == (
        run_id, flow_run_id, status, loaded, facts)
    assert last["seconds"] > 0 and out["runs"] == [last]
    # the run loaded the sample: its report's newest edition is new, with the edition before it
    expected = query(sample_db, "SELECT n.report_key, o.edition_label, n.edition_label FROM editions n "
                                "LEFT JOIN editions o ON o.edition_id = n.previous_edition_id WHERE n.is_latest")
    assert [(e["report_key"], e["old_edition"], e["new_edition"]) for e in out["editions_changed"]] == expected
    assert all(e["fact_count"] > 0 for e in out["editions_changed"])
    assert out["warehouse"]["bytes"] >= os.path.getsize(sample_db)
    # the run published its read snapshot beside the warehouse
    snap = os.path.join(os.path.dirname(sample_db), "canvas.snapshot.duckdb")
    assert out["warehouse"]["snapshot"]["path"] == snap and out["warehouse"]["snapshot"]["age_seconds"] >= 0

    table = cli("status", "--db", sample_db)
    assert table.returncode == 0, table.stderr
    assert f"snapshot: {snap} (" in table.stdout and run_id in table.stdout and flow_run_id in table.stdout
    assert "rejected files not loaded since: none" in table.stdout
    assert table.stdout.rstrip().endswith("status: ok")
    assert "Example" in cli("status", "--help").stdout


def _doc(path: str, content: bytes) -> dict:
    sha = hashlib.sha256(content).hexdigest()
    return {"document_id": sha[:16], "sha256": sha, "source_path": path}


def test_status_follows_rejections_failures_and_the_snapshot(cli, tmp_path):
    from warehouse.store import Warehouse

    db = tmp_path / "canvas.duckdb"
    good, bad = str(tmp_path / "raw" / "a.txt"), str(tmp_path / "raw" / "b.txt")
    with Warehouse(db) as wh:
        run1 = wh.begin_run("flow-run-1")
        wh.load_document(_doc(good, b"a"), None, None, run1)
        wh.record_rejection(bad, None, "binary file (contains NUL characters)", run1)
        wh.finish_run(run1, "completed_with_rejections", {"documents_seen": 2, "documents_loaded": 1,
                                                          "documents_rejected": 1})
    code, out = _status(cli, str(db))
    assert code == 1
    assert [(r["path"], r["reason"], r["run_id"], r["times"]) for r in out["rejected"]] == [
        (bad, "binary file (contains NUL characters)", run1, 1)]
    assert out["last_run"]["flow_run_id"] == "flow-run-1" and out["last_run"]["documents_rejected"] == 1
    table = cli("status", "--db", db)
    assert table.returncode == 1 and bad in table.stdout
    assert "status: attention: 1 rejected file(s) not loaded since" in table.stdout

    time.sleep(0.01)
    with Warehouse(db) as wh:  # the file was fixed: its new bytes load from the same path
        run2 = wh.begin_run("flow-run-2")
        wh.load_document(_doc(bad, b"b fixed"), None, None, run2)
        wh.finish_run(run2, "completed", {"documents_seen": 2, "documents_loaded": 1, "documents_unchanged": 1})
    code, out = _status(cli, str(db), "--runs", "1")
    assert code == 0 and out["rejected"] == [] and out["problems"] == []
    assert [r["run_id"] for r in out["runs"]] == [run2]
    assert out["editions_changed"] == []  # documents without facts have no editions

    with Warehouse(db) as wh:
        run3 = wh.begin_run(None)
        wh.finish_run(run3, "failed", {}, message="disk full")
    snap = tmp_path / "canvas.snapshot.duckdb"
    shutil.copy(db, snap)
    old = time.time() - 3600
    os.utime(snap, (old, old))
    code, out = _status(cli, str(db))
    assert code == 1
    assert [r["run_id"] for r in out["runs"]] == [run3, run2, run1]
    assert any("failed: disk full" in p for p in out["problems"])
    assert out["warehouse"]["snapshot"]["path"] == str(snap)
    assert 3595 <= out["warehouse"]["snapshot"]["age_seconds"] <= 3600 + 120
    assert f"snapshot: {snap} (1 h " in cli("status", "--db", db).stdout


def test_status_without_a_warehouse_is_one_line(cli, tmp_path):
    res = cli("status", "--db", tmp_path / "none.duckdb")
    assert res.returncode == 1 and res.stderr.startswith("canvas-etl: no warehouse file")
    assert len(res.stderr.strip().splitlines()) == 1
