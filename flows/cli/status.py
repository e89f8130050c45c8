"""`canvas-etl status`: did the last run go well, and what needs a look (for people and for monitors)."""
from __future__ import annotations

import datetime as _dt
import json
import sys
from enum import Enum
from pathlib import Path

import typer

from flows.cli.common import DB_OPTION, EXIT_FAILED, EXIT_OK, open_warehouse


SHOWN = 30  # reports listed by the table output (json: all)


class StatusFormat(str, Enum):
    table = "table"
    json = "json"


def _file_info(db: str) -> dict:
    if db.startswith("ducklake:"):  # a DuckLake catalog: no file of its own, and no read snapshot (never locked)
        return {"path": db, "bytes": None, "wal_bytes": None, "snapshot": None}
    p = Path(db)
    size = p.stat().st_size
    wal = Path(str(p) + ".wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    from warehouse.store import snapshot_path  # DuckDB and Arrow: only when the command runs

    snap = snapshot_path(db)  # the loader's read snapshot beside the file (warehouse/store.py)
    snap = snap if snap.is_file() else None
    snapshot = None
    if snap is not None:
        st = snap.stat()
        modified = _dt.datetime.fromtimestamp(st.st_mtime, _dt.timezone.utc)
        snapshot = {"path": str(snap), "bytes": st.st_size, "modified_at": modified,
                    "age_seconds": round((_dt.datetime.now(_dt.timezone.utc) - modified).total_seconds(), 1)}
    return {"path": str(p), "bytes": size + wal_size, "wal_bytes": wal_size, "snapshot": snapshot}


def gather_status(con, db: str, runs: int = 5) -> dict:
    """The status report as a plain dict (the JSON output): warehouse, runs (newest first), last_run,
    rejected (files rejected and not loaded since), editions_changed (reports whose newest edition the last
    run loaded: old -> new edition; what changed is `canvas-etl diff --ticker REPORT`, and the run's
    canvas.edition.added events and summary artifact carry the counts), problems, exit_code.
    Every query reads a few rows or the editions view: well under a second on a 1,000-report warehouse."""
    from warehouse.queries import newest_editions_of_run, outstanding_rejections, recent_runs

    run_rows = recent_runs(con, max(runs, 1))
    last = run_rows[0] if run_rows else None
    rejected = outstanding_rejections(con)
    editions = newest_editions_of_run(con, last["run_id"]) if last else []
    problems = []
    if last is None:
        problems.append("no run recorded")
    elif last["status"] == "failed":
        problems.append(f"last run {last['run_id']} failed" + (f": {last['message']}" if last["message"] else ""))
    elif last["status"] == "running":
        problems.append(f"last run {last['run_id']} never finished (crashed, or still running)")
    if rejected:
        problems.append(f"{len(rejected)} rejected file(s) not loaded since")
    return {
        "warehouse": _file_info(db),
        "last_run": last,
        "runs": run_rows[:runs] if runs else [],
        "rejected": rejected,
        "editions_changed": editions,
        "problems": problems,
        "exit_code": EXIT_FAILED if problems else EXIT_OK,
    }


def _size(n: int | None) -> str:
    if n is None:
        return "DuckLake catalog"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _age(seconds: float) -> str:
    s = int(seconds)
    if s < 120:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 172800:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 86400} days"


def _print_table(info: dict) -> None:
    from flows.cli.common import OutputFormat
    from flows.cli.output import display_value, write_rows

    wh = info["warehouse"]
    snap = wh["snapshot"]
    typer.echo(f"warehouse: {wh['path']} ({_size(wh['bytes'])}); snapshot: "
               + (f"{snap['path']} ({_age(snap['age_seconds'])} old)" if snap else "none"))
    last = info["last_run"]
    if last:
        took = f" in {last['seconds']:.1f} s" if last["seconds"] is not None else ""
        typer.echo(f"last run: {last['run_id']} {last['status'].replace('_', ' ')}{took}, started "
                   f"{display_value(last['started_at'])}"
                   + (f" (Prefect flow run {last['flow_run_id']})" if last["flow_run_id"] else ""))
    typer.echo("")
    cols = ["started_at", "seconds", "status", "documents_seen", "documents_loaded", "documents_unchanged",
            "documents_rejected", "facts_loaded", "flow_run_id"]
    rows = [[r[c] for c in cols] for r in info["runs"]]
    for r in rows:  # timestamps to the second
        r[0] = r[0].replace(microsecond=0) if isinstance(r[0], _dt.datetime) else r[0]
    if rows:
        write_rows(cols, rows, OutputFormat.table, title="last runs (newest first)",
                   headers=["started", "seconds", "status", "seen", "loaded", "unchanged", "rejected", "facts",
                            "Prefect flow run"], numeric=("seconds",), optional=("flow_run_id",))
    rej = info["rejected"]
    typer.echo("")
    if rej:
        write_rows(["path", "reason", "rejected_at", "times"],
                   [[r["path"], r["reason"], r["rejected_at"].replace(microsecond=0), r["times"]] for r in rej],
                   OutputFormat.table, title=f"rejected files not loaded since ({len(rej)})",
                   headers=["path", "reason", "rejected", "times"])
    else:
        typer.echo("rejected files not loaded since: none")
    eds = info["editions_changed"]
    typer.echo("")
    if eds:
        write_rows(["report_key", "old_edition", "new_edition", "fact_count"],
                   [[e["report_key"], e["old_edition"] or "(new report)", e["new_edition"], e["fact_count"]]
                    for e in eds[:SHOWN]],
                   OutputFormat.table, title=f"newest edition changed in the last run ({len(eds)} reports; what "
                                             f"changed: canvas-etl diff --ticker REPORT)",
                   headers=["report", "old edition", "new edition", "facts"])
        if len(eds) > SHOWN:
            typer.echo(f"… and {len(eds) - SHOWN} more (--format json lists them all)")
    else:
        typer.echo("newest edition changed in the last run: none")
    typer.echo("")
    typer.echo("status: ok" if not info["problems"] else "status: attention: " + "; ".join(info["problems"]))


def status(
    fmt: StatusFormat = typer.Option(StatusFormat.table, "--format", "-f", help="Output: table or json."),
    runs: int = typer.Option(5, "--runs", min=1, help="How many of the last runs to list."),
    db: str = DB_OPTION,
) -> None:
    """Show the last runs, rejected files not loaded since, the warehouse size and snapshot age, and the
    reports whose newest edition changed in the last run.

    Exit 0 when the last run completed and no rejected file remains; 1 when the last run failed (or never
    finished) or some rejected file was not loaded since; 3 when a load holds the warehouse.

    Examples:

      canvas-etl status

      canvas-etl status --db warehouse/canvas.duckdb --format json
    """
    from flows.cli.output import json_value

    with open_warehouse(db) as con:
        info = gather_status(con, db, runs)
    if fmt is StatusFormat.json:
        sys.stdout.write(json.dumps(json_value(info), ensure_ascii=False, indent=1) + "\n")
    else:
        _print_table(info)
    raise typer.Exit(info["exit_code"])
