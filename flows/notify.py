"""What a run tells people, where they already look: Prefect artifacts on the flow run page and Prefect events
that automations can react to. Called once, at the end of ``ingest_flow`` (``publish_run``), from the run's
summary and the warehouse after the load.

Artifacts (keyed, so the newest version of each is the latest run's; the Artifacts page and the flow run's
Artifacts tab show them):

- ``canvas-ingest-summary`` (markdown): counts, time per stage, warehouse, newest edition per report, the
  ``canvas-etl diff`` / ``explain`` commands to run for the reports that got a new edition.
- ``canvas-ingest-documents`` (table): one row per input (rejected first, with the reason; then loaded and
  unchanged), with document, report, newest edition and facts. At most ``TABLE_ROWS`` rows (every rejection
  is kept while there is room; the description says what was left out).

Events (the document is the resource, ``canvas.document.<document_id>``; the flow run, flow and deployment
are attached as related resources by Prefect):

- ``canvas.document.rejected``: payload path, reason, run_id, flow_run_id.
- ``canvas.edition.added``: a report's newest edition is new in this run: payload report_key, ticker,
  company, old_edition / old_edition_id (None for a new report), new_edition / new_edition_id, changed,
  added, removed, run_id; related resource ``canvas.report.<report_key>`` (role ``report``).
- ``canvas.run.completed`` (or ``canvas.run.failed``): resource ``canvas.run.<run_id>``; payload status,
  the counts, seconds, db.

Publishing never fails the run: any error is logged as a warning.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
from typing import Any

SUMMARY_KEY = "canvas-ingest-summary"
DOCUMENTS_KEY = "canvas-ingest-documents"
TABLE_ROWS = 200  # rows of the documents table artifact (the artifact stays small on big runs)
REPORTS_SHOWN = 25  # reports listed in the summary
COMMANDS_SHOWN = 10  # reports whose diff/explain commands are listed
QUERY_MEMORY = os.environ.get("CANVAS_ETL_NOTIFY_MEMORY", "1GB")  # for the summary's queries, see _memory
MAX_EVENTS = 1000  # per event name and run (a first load of thousands of reports stays reasonable)

EVENT_REJECTED = "canvas.document.rejected"
EVENT_EDITION = "canvas.edition.added"
EVENT_COMPLETED = "canvas.run.completed"
EVENT_FAILED = "canvas.run.failed"


def document_resource(document_id: str | None, path: str) -> dict[str, str]:
    """The event resource of a document: ``canvas.document.<document_id>``; an input never read (no bytes, no
    id) is ``canvas.document.path-<16 hex of sha256(path)>``."""
    ident = document_id or "path-" + hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return {"prefect.resource.id": f"canvas.document.{ident}", "prefect.resource.name": os.path.basename(path) or path,
            "canvas.path": path}


def _document_id(sha256: str | None) -> str | None:
    if not sha256:
        return None
    from extractors.ids import document_id

    return document_id(sha256)


def gather(con, summary: Any, files: list[str], status: str) -> dict:
    """Everything the artifacts and events say, from the run's summary and the warehouse (``con``, after the
    load): a plain dict (counts, stages, rows, rejections, editions, reports)."""
    from warehouse.diff import change_counts
    from warehouse.queries import documents_at_paths, newest_editions, newest_editions_of_run, run_rejections

    run_id = summary.run_id
    rejections = run_rejections(con, run_id)
    rejected_paths = {r["path"] for r in rejections}
    loaded = dict(summary.loaded)
    unchanged = [f for f in files if f not in loaded and f not in rejected_paths]
    # the table: every rejection, then loaded, then unchanged documents, up to TABLE_ROWS rows
    room = max(TABLE_ROWS - len(rejections), 0)
    shown_loaded = list(loaded)[:room]
    shown_unchanged = unchanged[:max(room - len(shown_loaded), 0)]
    known = documents_at_paths(con, shown_loaded + shown_unchanged)
    rows: list[dict] = []
    for r in rejections[:TABLE_ROWS]:
        rows.append({"status": "rejected", "path": r["path"], "document_id": _document_id(r["sha256"]),
                     "report": None, "edition": None, "facts": 0, "reason": r["reason"]})
    for status_name, paths in (("loaded", shown_loaded), ("unchanged", shown_unchanged)):
        for p in paths:
            k = known.get(p, {})
            rows.append({"status": status_name, "path": p, "document_id": k.get("document_id"),
                         "report": k.get("report_key"), "edition": k.get("edition_label"),
                         "facts": loaded.get(p, k.get("facts", 0)), "reason": None})
    editions = newest_editions_of_run(con, run_id)
    pairs = [(e["report_key"], e["old_edition_id"], e["new_edition_id"]) for e in editions if e["old_edition_id"]]
    counts = change_counts(con, pairs[:MAX_EVENTS])
    for e in editions:
        c = counts.get((e["old_edition_id"], e["new_edition_id"])) if e["old_edition_id"] else None
        e.update(c or {"changed": None, "added": None, "removed": None, "example_fact_id": None})
    n_reports, reports = newest_editions(con, REPORTS_SHOWN)
    return {
        "run_id": run_id, "status": status, "counts": summary.counts(), "seconds": summary.seconds,
        "stages": dict(summary.stage_seconds), "rows": rows,
        "left_out": {"rejected": max(len(rejections) - TABLE_ROWS, 0),
                     "loaded": len(loaded) - len(shown_loaded), "unchanged": len(unchanged) - len(shown_unchanged)},
        "rejections": rejections, "editions": editions, "n_reports": n_reports, "reports": reports,
    }


def _md_cell(v: Any) -> str:
    if v is None:
        return ""
    text = str(v).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 160 else text[:157] + "..."


def _md_table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(str(arg))


def summary_markdown(info: dict, db: str) -> str:
    """The summary artifact's markdown."""
    c = info["counts"]
    status = info["status"]
    lines = [
        f"# canvas-etl ingest: {status.replace('_', ' ')}",
        "",
        f"**{c['documents_loaded']} loaded**, {c['documents_unchanged']} unchanged, "
        f"**{c['documents_rejected']} rejected** of {c['documents_seen']} documents seen; "
        f"{c['facts_loaded']} facts loaded in {info['seconds']:.1f} s.",
        "",
        f"- run: `{info['run_id']}`",
        f"- warehouse: `{db}`",
    ]
    stages = info["stages"]
    if stages:
        order = ["hash", "decode", "segment", "models", "spacy", "ner", "facts", "extract", "arrow", "load"]
        names = [s for s in order if s in stages] + sorted(s for s in stages if s not in order)
        lines.append("- time per stage (extraction stages summed over workers): "
                     + ", ".join(f"{s} {stages[s]:.2f} s" for s in names))
    if info["rejections"]:
        lines += ["", "## Rejected", "",
                  _md_table(["path", "reason"], [[r["path"], r["reason"]] for r in info["rejections"][:50]])]
        if len(info["rejections"]) > 50:
            lines.append(f"\n… and {len(info['rejections']) - 50} more (`SELECT path, reason FROM rejected_inputs "
                         f"WHERE run_id = '{info['run_id']}'`).")
    eds = info["editions"]
    if eds:
        lines += ["", "## New newest editions", "",
                  _md_table(["report", "old edition", "new edition", "changed", "added", "removed"],
                            [[e["report_key"], e["old_edition"] or "(new report)", e["new_edition"],
                              e["changed"], e["added"], e["removed"]] for e in eds[:REPORTS_SHOWN]])]
        if len(eds) > REPORTS_SHOWN:
            lines.append(f"\n… and {len(eds) - REPORTS_SHOWN} more reports.")
    if info["reports"]:
        lines += ["", f"## Newest edition per report ({info['n_reports']} reports, most recently loaded first)", "",
                  _md_table(["report", "edition", "date", "editions", "facts", "file"],
                            [[r["report_key"], r["edition_label"], r["edition_date"], r["edition_count"],
                              r["fact_count"], r["file_name"]] for r in info["reports"]])]
        if info["n_reports"] > len(info["reports"]):
            lines.append(f"\n… and {info['n_reports'] - len(info['reports'])} more "
                         f"(`canvas-etl sql \"SELECT * FROM editions WHERE is_latest\" --db {_quote(db)}`).")
    cmds = [f"canvas-etl status --db {_quote(db)}"]
    for e in [e for e in eds if e["old_edition_id"]][:COMMANDS_SHOWN]:
        cmds.append(f"canvas-etl diff --ticker {_quote(e['report_key'])} --db {_quote(db)}")
        if e.get("example_fact_id"):
            cmds.append(f"canvas-etl explain {e['example_fact_id']} --db {_quote(db)}")
    if info["rejections"]:
        cmds.append(f"canvas-etl sql \"SELECT path, reason FROM rejected_inputs WHERE run_id = '{info['run_id']}'\" "
                    f"--db {_quote(db)}")
    lines += ["", "## Next", "", "```", *cmds, "```"]
    return "\n".join(lines) + "\n"


def create_artifacts(info: dict, db: str) -> None:
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    left = info["left_out"]
    desc = f"Documents of run {info['run_id']}: rejected (with reason), loaded, unchanged."
    if any(left.values()):
        desc += " Left out (table capped at %d rows): %s." % (
            TABLE_ROWS, ", ".join(f"{n} {k}" for k, n in left.items() if n))
    create_markdown_artifact(markdown=summary_markdown(info, db), key=SUMMARY_KEY,
                             description=f"canvas-etl ingest run {info['run_id']}: {info['status']}")
    table = info["rows"] or [{"status": "", "path": "(no input)", "document_id": None, "report": None,
                              "edition": None, "facts": 0, "reason": None}]
    create_table_artifact(table=table, key=DOCUMENTS_KEY, description=desc)


def emit_events(info: dict, db: str, flow_run_id: str | None) -> int:
    """The run's events; returns how many were emitted."""
    from prefect.events import emit_event

    run_id = info["run_id"]
    n = 0
    for r in info["rejections"][:MAX_EVENTS]:
        emit_event(EVENT_REJECTED, resource=document_resource(_document_id(r["sha256"]), r["path"]),
                   payload={"path": r["path"], "reason": r["reason"], "run_id": run_id, "flow_run_id": flow_run_id,
                            "db": db})
        n += 1
    for e in info["editions"][:MAX_EVENTS]:
        report = e["report_key"]
        resource = {"prefect.resource.id": f"canvas.document.{e['document_id']}",
                    "prefect.resource.name": f"{report} {e['new_edition'] or ''}".strip()}
        related = [{"prefect.resource.id": f"canvas.report.{report}", "prefect.resource.role": "report",
                    "prefect.resource.name": str(report)}]
        emit_event(EVENT_EDITION, resource=resource, related=related, payload={
            "report_key": report, "ticker": e["ticker"], "company": e["company"],
            "old_edition": e["old_edition"], "old_edition_id": e["old_edition_id"],
            "new_edition": e["new_edition"], "new_edition_id": e["new_edition_id"],
            "new_edition_date": None if e["new_edition_date"] is None else str(e["new_edition_date"]),
            "changed": e["changed"], "added": e["added"], "removed": e["removed"],
            "run_id": run_id, "db": db})
        n += 1
    name = EVENT_FAILED if info["status"] == "failed" else EVENT_COMPLETED
    emit_event(name, resource={"prefect.resource.id": f"canvas.run.{run_id}", "prefect.resource.name": run_id},
               payload={"run_id": run_id, "status": info["status"], **info["counts"],
                        "seconds": round(info["seconds"], 3), "editions_added": len(info["editions"]),
                        "flow_run_id": flow_run_id, "db": db})
    return n + 1


@contextlib.contextmanager
def _memory(con):
    """The loader's connection runs with a small memory limit (warehouse.store.WRITER_CONFIG), which a big
    load leaves full: the summary's queries (the editions view over every fact) get ``QUERY_MEMORY`` for their
    time, then the limit is put back."""
    try:
        old = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        con.execute(f"SET memory_limit = '{QUERY_MEMORY}'")
    except Exception:  # noqa: BLE001 - not DuckDB, or the setting is fixed: run with what there is
        old = None
    try:
        yield
    finally:
        if old is not None:
            con.execute(f"SET memory_limit = '{old}'")


def publish_run(wh: Any, summary: Any, files: list[str], status: str, db: str,
                flow_run_id: str | None = None, logger: Any = None) -> dict | None:
    """Artifacts and events of a finished run (``wh``: the open warehouse, or a DuckDB connection). Errors are
    logged (``logger``) and swallowed: telling people never fails the run itself."""
    con = getattr(wh, "con", wh)
    try:
        with _memory(con):
            info = gather(con, summary, files, status)
    except Exception as exc:  # noqa: BLE001 - reporting must not break a load that succeeded
        if logger:
            logger.warning("run summary not published (warehouse query failed): %s: %s", type(exc).__name__, exc)
        return None
    for what, fn in (("artifacts", lambda: create_artifacts(info, db)),
                     ("events", lambda: emit_events(info, db, flow_run_id))):
        try:
            fn()
        except Exception as exc:  # noqa: BLE001
            if logger:
                logger.warning("run %s not published: %s: %s", what, type(exc).__name__, exc)
    return info
