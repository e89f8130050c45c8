"""What a run tells people (flows/notify.py), read back through a real Prefect server's API.

A `prefect server start` (the fixture of test_deployment.py), one flow run in a subprocess pointed at it over
the sample (two editions of one report) and a binary file, then: the two keyed artifacts of that flow run,
the latest artifact of each key, the canvas.* events related to the flow run (filter endpoint), and
`canvas-etl status --format json` on the warehouse it left (a rejected file remains: exit 1).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.notify import DOCUMENTS_KEY, EVENT_COMPLETED, EVENT_EDITION, EVENT_REJECTED, SUMMARY_KEY
from test_deployment import _api, _tail, prefect_server  # noqa: F401 - the module's real server

pytestmark = pytest.mark.slow

PYTHON = sys.executable
CANVAS_ETL = str(Path(sys.executable).parent / "canvas-etl")
PREFECT = str(Path(sys.executable).parent / "prefect")
OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def _create_documented_automation(api_url: str, env: dict, tmp_path: Path) -> str:
    """The automation of docs/operations.md, created as the page says (`prefect automation create`), its
    notification block a Slack webhook to a closed local port; returns the automation's id."""
    from prefect import get_client
    from prefect.blocks.notifications import SlackWebhook

    page = OPERATIONS.read_text(encoding="utf-8")
    section = page[page.index("### An automation"):]
    yaml_text = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    with _api(api_url):
        block_id = SlackWebhook(url="http://127.0.0.1:9/canvas-alerts").save("canvas-alerts", overwrite=True)
    yaml_text = re.sub(r"block_document_id: \S+", f"block_document_id: {block_id}", yaml_text)
    path = tmp_path / "canvas-rejected.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    res = subprocess.run([PREFECT, "automation", "create", "--from-file", str(path)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    name = re.search(r"^name: (.*)$", yaml_text, re.M).group(1).strip()
    with _api(api_url), get_client(sync_client=True) as client:
        (automation,) = client.read_automations_by_name(name)
    return str(automation.id)


def _poll_events(api_url: str, flt, done, timeout: float = 60) -> list:
    """Events matching ``flt``, polled until ``done(events)`` or ``timeout`` (the server persists events in
    batches)."""
    from prefect import get_client

    deadline = time.monotonic() + timeout
    with _api(api_url), get_client(sync_client=True) as client:
        while True:
            events = list(client.read_events(filter=flt, limit=50).events)
            if done(events) or time.monotonic() > deadline:
                return events
            time.sleep(1)


def _automation_events(api_url: str, automation_id: str, timeout: float = 60) -> list:
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    flt = EventFilter(event=EventNameFilter(prefix=["prefect.automation."]),
                      resource=EventResourceFilter(id=[f"prefect.automation.{automation_id}"]))
    return _poll_events(api_url, flt, lambda events: any(e.event == "prefect.automation.triggered" for e in events),
                        timeout)


def _read_events(api_url: str, flow_run_id: str, names: set[str], timeout: float = 60) -> list:
    """canvas.* events related to the flow run, polled until every name in ``names`` arrived."""
    from prefect.events.filters import EventFilter, EventNameFilter, EventRelatedFilter

    flt = EventFilter(event=EventNameFilter(prefix=["canvas."]),
                      related=EventRelatedFilter(id=[f"prefect.flow-run.{flow_run_id}"]))
    return _poll_events(api_url, flt, lambda events: names <= {e.event for e in events}, timeout)


def test_run_artifacts_events_and_status_through_a_real_server(prefect_server, tmp_path, sample_path):
    api_url, env = prefect_server
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / sample_path.name)
    bad = raw / "scan.txt"
    bad.write_bytes(b"\x89PNG\x00\x00\x01\x02" * 64)
    db = tmp_path / "canvas.duckdb"
    automation_id = _create_documented_automation(api_url, env, tmp_path)
    log = tmp_path / "flow.log"
    code = (f"from flows.ingest import ingest_flow; "
            f"ingest_flow(paths=[{str(raw)!r}], db={str(db)!r}, use_model=False)")
    with open(log, "wb") as out:
        res = subprocess.run([PYTHON, "-c", code], env=env, cwd=str(tmp_path), stdout=out, stderr=subprocess.STDOUT,
                             timeout=300)
    assert res.returncode == 0, _tail(log)
    assert "not published" not in _tail(log, 100_000), _tail(log)

    con = duckdb.connect(str(db), read_only=True)
    try:
        flow_run_id, run_id = con.execute("SELECT flow_run_id, run_id FROM runs").fetchone()
        doc_id, n_facts = con.execute(
            "SELECT d.document_id, count(*) FROM documents d JOIN facts f USING (document_id) GROUP BY ALL").fetchone()
        reason, sha = con.execute("SELECT reason, sha256 FROM rejected_inputs").fetchone()
        report, old_ed, new_ed, old_id, new_id = con.execute(
            "SELECT n.report_key, o.edition_label, n.edition_label, o.edition_id, n.edition_id "
            "FROM editions n JOIN editions o ON o.edition_id = n.previous_edition_id WHERE n.is_latest").fetchone()
        from warehouse.diff import diff_editions

        changes = [r["change"] for r in diff_editions(con, report)]
    finally:
        con.close()
    assert flow_run_id

    from prefect import get_client
    from prefect.client.schemas.filters import (ArtifactCollectionFilter, ArtifactCollectionFilterKey, ArtifactFilter,
                                                ArtifactFilterFlowRunId)

    with _api(api_url), get_client(sync_client=True) as client:
        arts = {a.key: a for a in client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))}
        latest = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[SUMMARY_KEY, DOCUMENTS_KEY])))
    assert set(arts) == {SUMMARY_KEY, DOCUMENTS_KEY}
    assert (arts[SUMMARY_KEY].type, arts[DOCUMENTS_KEY].type) == ("markdown", "table")
    assert {a.key: str(a.flow_run_id) for a in latest} == {SUMMARY_KEY: flow_run_id, DOCUMENTS_KEY: flow_run_id}

    table = arts[DOCUMENTS_KEY].data
    table = json.loads(table) if isinstance(table, str) else table
    by_status = {r["status"]: r for r in table}
    assert set(by_status) == {"loaded", "rejected"} and len(table) == 2
    assert by_status["rejected"]["path"] == str(bad) and by_status["rejected"]["reason"] == reason
    loaded = by_status["loaded"]
    assert (loaded["path"], loaded["document_id"], loaded["facts"], loaded["report"], loaded["edition"]) == (
        str(raw / sample_path.name), doc_id, n_facts, report, new_ed)

    md = arts[SUMMARY_KEY].data
    assert "**1 loaded**" in md and "**1 rejected**" in md and f"{n_facts} facts loaded" in md
    assert reason in md and str(db) in md and run_id in md
    assert f"canvas-etl diff --ticker {report} --db {db}" in md
    assert f"| {report} | {old_ed} | {new_ed} | {changes.count('changed')} | {changes.count('added')} | " \
           f"{changes.count('removed')} |" in md

    events = _read_events(api_url, flow_run_id, {EVENT_REJECTED, EVENT_EDITION, EVENT_COMPLETED})
    by_name: dict[str, list] = {}
    for e in events:
        by_name.setdefault(e.event, []).append(e)
    assert {k: len(v) for k, v in by_name.items()} == {EVENT_REJECTED: 1, EVENT_EDITION: 1, EVENT_COMPLETED: 1}

    rej = by_name[EVENT_REJECTED][0]
    assert rej.resource.id == f"canvas.document.{sha[:16]}"
    assert rej.payload["path"] == str(bad) and rej.payload["reason"] == reason and rej.payload["run_id"] == run_id

    ed = by_name[EVENT_EDITION][0]
    assert ed.resource.id == f"canvas.document.{doc_id}"
    assert f"canvas.report.{report}" in {r.id for r in ed.related}
    p = ed.payload
    assert (p["report_key"], p["old_edition"], p["new_edition"], p["old_edition_id"], p["new_edition_id"]) == (
        report, old_ed, new_ed, old_id, new_id)
    assert (p["changed"], p["added"], p["removed"]) == (
        changes.count("changed"), changes.count("added"), changes.count("removed"))
    assert p["added"] + p["removed"] + p["changed"] > 0

    done = by_name[EVENT_COMPLETED][0]
    assert done.resource.id == f"canvas.run.{run_id}"
    assert {k: done.payload[k] for k in ("status", "documents_seen", "documents_loaded", "documents_unchanged",
                                         "documents_rejected", "facts_loaded")} == {
        "status": "completed_with_rejections", "documents_seen": 2, "documents_loaded": 1, "documents_unchanged": 0,
        "documents_rejected": 1, "facts_loaded": n_facts}

    # the documented automation fired on the rejection
    fired = [e for e in _automation_events(api_url, automation_id) if e.event == "prefect.automation.triggered"]
    assert fired, "the automation of docs/operations.md did not trigger"
    assert f"prefect.event.{rej.id}" in {r.id for e in fired for r in e.related}

    # the monitor's view of the same warehouse: a rejected file remains -> exit 1
    st = subprocess.run([CANVAS_ETL, "status", "--db", str(db), "--format", "json"], capture_output=True, text=True,
                        timeout=60, env={k: v for k, v in env.items() if k != "PREFECT_API_URL"})
    assert st.returncode == 1, st.stderr
    out = json.loads(st.stdout)
    assert set(out) == {"warehouse", "last_run", "runs", "rejected", "editions_changed", "problems", "exit_code"}
    assert out["exit_code"] == 1 and out["problems"]
    assert (out["last_run"]["run_id"], out["last_run"]["flow_run_id"], out["last_run"]["status"]) == (
        run_id, flow_run_id, "completed_with_rejections")
    assert out["last_run"]["documents_rejected"] == 1 and out["last_run"]["facts_loaded"] == n_facts
    assert [(r["path"], r["reason"]) for r in out["rejected"]] == [(str(bad), reason)]
    assert [(e["report_key"], e["old_edition"], e["new_edition"], e["document_id"])
            for e in out["editions_changed"]] == [(report, old_ed, new_ed, doc_id)]
    assert out["warehouse"]["path"] == str(db) and out["warehouse"]["bytes"] >= db.stat().st_size
    assert out["warehouse"]["snapshot"]["path"] == str(db.with_name("canvas.snapshot.duckdb"))  # the run published it
