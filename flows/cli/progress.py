"""`canvas-etl ingest` output: a rich progress bar (one step per input document) on a terminal, plain log
lines on stderr otherwise, then the summary (first line unchanged for scripts, then a table).

Fed by ``flows.ingest.progress_callbacks``: the loader calls every observer once per input with
``{"path", "status": "loaded"|"unchanged"|"rejected", "facts", "reason"}``.
"""
from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import typer

class IngestProgress:
    """Observer for flows.ingest.progress_callbacks."""

    def __init__(self, total: int, *, live: bool):
        self.total = total
        self.live = live
        self.done = 0
        self.counts = {"loaded": 0, "unchanged": 0, "rejected": 0}
        self.facts = 0
        self._lock = threading.Lock()
        self._progress = None
        self._task = None

    # context manager: starts/stops the live bar
    def __enter__(self) -> "IngestProgress":
        if self.live:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                       TimeElapsedColumn)

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]ingest"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("documents"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[last]}", markup=False),
                console=Console(stderr=True),
                transient=False,
            )
            self._progress.start()
            self._route_prefect_logs(self._progress.console)
            self._task = self._progress.add_task("ingest", total=max(self.total, 1) if self.total else None,
                                                 last="starting Prefect…")
        return self

    def _route_prefect_logs(self, console) -> None:
        """Prefect's console handler writes to the stderr it captured at start-up, which would cut through
        the live bar: while the bar is shown, print its log lines above the bar instead."""
        import logging

        try:
            from prefect.logging.handlers import PrefectConsoleHandler
        except ImportError:
            return
        self._swapped = []
        loggers = [logging.getLogger()] + [lg for lg in logging.Logger.manager.loggerDict.values()
                                           if isinstance(lg, logging.Logger)]
        seen: set[int] = set()
        for lg in loggers:
            for h in lg.handlers:
                if isinstance(h, PrefectConsoleHandler) and id(h) not in seen and hasattr(h, "console"):
                    seen.add(id(h))
                    self._swapped.append((h, h.console))
                    h.console = console

    def __exit__(self, *exc) -> None:
        for handler, console in getattr(self, "_swapped", []):
            handler.console = console
        self._swapped = []
        if self._progress is not None:
            if self.total == 0:
                self._progress.update(self._task, total=1, completed=1, last="nothing to ingest")
            self._progress.stop()
            self._progress = None

    def __call__(self, event: dict) -> None:
        status = event.get("status", "?")
        path = event.get("path", "?")
        with self._lock:
            self.done += 1
            self.counts[status] = self.counts.get(status, 0) + 1
            self.facts += int(event.get("facts") or 0)
            done = self.done
        if status == "loaded":
            detail = f"{event.get('facts') or 0} facts"
        elif status == "rejected":
            detail = event.get("reason") or "rejected"
        else:
            detail = "already in the warehouse"
        if self._progress is not None:
            from rich.markup import escape

            self._progress.update(self._task, advance=1, last=f"{status}: {path}")
            if status == "rejected":  # reasons stay visible above the bar
                self._progress.console.print(f"[bold red]rejected[/] {escape(path)}: {escape(detail)}")
        else:
            width = len(str(self.total)) if self.total else 1
            typer.echo(f"[{done:>{width}}/{self.total}] {status:<9} {path} ({detail})", err=True)


@contextmanager
def observe_ingest(paths: list[str]) -> Iterator[IngestProgress]:
    """Register a progress observer for the duration of the run."""
    from flows.ingest import discover, progress_callbacks

    total = len(discover(paths))
    live = sys.stdout.isatty() and sys.stderr.isatty()
    with IngestProgress(total, live=live) as progress:
        progress_callbacks.append(progress)
        try:
            yield progress
        finally:
            try:
                progress_callbacks.remove(progress)
            except ValueError:
                pass


def summary_line(s: dict) -> str:
    """The first summary line (scripts and tests grep it: do not change its format)."""
    return (
        f"documents: {s['documents_seen']} seen, {s['documents_loaded']} loaded, "
        f"{s['documents_unchanged']} unchanged, {s['documents_rejected']} rejected; "
        f"facts: {s['facts_loaded']}; time: {s['seconds']:.1f} s; run: {s['run_id']}"
    )


def print_summary(s: dict, *, wall_seconds: float | None = None, db: str | None = None) -> None:
    from rich import box
    from rich.table import Table

    from flows.cli.output import stdout_console

    typer.echo(summary_line(s))
    table = Table(box=box.SIMPLE_HEAD, show_header=True, show_edge=False, highlight=False)
    table.add_column("documents", no_wrap=True)
    table.add_column("count", justify="right")
    table.add_column("details", overflow="fold")
    loaded = s.get("loaded") or []
    shown = "\n".join([f"{p} ({n} facts)" for p, n in loaded[:5]] + ([f"… {len(loaded) - 5} more"] if len(loaded) > 5 else []))
    table.add_row("loaded", str(s["documents_loaded"]), shown)
    table.add_row("skipped as unchanged", str(s["documents_unchanged"]), "same bytes already loaded (content hash)"
                  if s["documents_unchanged"] else "")
    rejections = s.get("rejections") or []
    table.add_row("rejected", str(s["documents_rejected"]),
                  "\n".join([f"{p}: {r}" for p, r in rejections[:5]] + ([f"… {len(rejections) - 5} more"] if len(rejections) > 5 else [])),
                  style="red" if s["documents_rejected"] else None)
    table.add_row("facts loaded", str(s["facts_loaded"]), f"into {db}" if db else "")
    if s.get("runner"):  # where extraction ran, and why (``--runner auto`` decides after hashing)
        why = s.get("runner_reason")
        table.add_row("runner", "", s["runner"] + (f" ({why})" if why else ""))
    stages = s.get("stage_seconds") or {}
    detail = ", ".join(f"{k} {stages[k]:.1f} s" for k in ("hash", "extract", "load") if k in stages)
    if wall_seconds is not None:
        detail = (detail + "; " if detail else "") + f"{wall_seconds:.1f} s in all" + (
            " (with Prefect start-up)" if s.get("runner") != "none" else "")
    table.add_row("time", f"{s['seconds']:.1f} s", detail)
    stdout_console().print(table)
    for path, reason in rejections:  # one greppable line per rejected input
        typer.echo(f"rejected: {path}: {reason}")
    if rejections:
        typer.echo("all rejections: canvas-etl sql \"SELECT * FROM rejected_inputs ORDER BY rejected_at DESC\"")


def now() -> float:
    return time.perf_counter()
