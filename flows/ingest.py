"""The ingest flow: raw files -> extraction tasks (parallel, per batch of documents) -> one loader.

- Only new or changed files are extracted: every file is hashed first (cheap) and compared with the
  warehouse; the same bytes under a new path only add a `document_sources` row.
- Extraction tasks are pure (extractors/normalizers) and return Arrow tables; they retry with backoff.
- Loading happens in the flow's own process, ``load_group_docs()`` documents per transaction (each whole or
  absent; one the warehouse refuses is refused alone), so there is exactly one DuckDB writer whatever the task
  runner (threads, processes or a Dask cluster).
- A broken input is quarantined (recorded in `rejected_inputs` with its reason); the rest loads.
- DuckLake target (``--db ducklake:…``): no single loader; each extraction task commits its own documents
  (``Warehouse.load_new_documents``, a few documents per DuckLake commit, retried on conflict, idempotent by
  sha256), and the flow only records the run and the rejections.
- From the command line (``flows.run.run_ingest``), ``plan_run`` reads what a run will do before the flow
  starts: nothing new is recorded by ``record_unchanged_run`` without a flow run.
- DuckDB file: the flow publishes the read snapshot beside the file (``Warehouse.publish_snapshot``) at the
  end of the run and every ``CANVAS_ETL_SNAPSHOT_SECONDS`` (default 300) of a long one.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.futures import as_completed

from flows import DEFAULT_DB, DEFAULT_RAW
from flows.batch import extract_paths, load_group_docs
from flows.notify import publish_run

# a task extracts about this many bytes of documents (≈ 100 reports): every task costs the flow a submit (its
# settings are serialised for the worker, ~0.1 s of CPU) and Prefect's server its run records (~0.2 s)
BATCH_BYTES = 4_000_000
BATCH_MAX_DOCS = 128
TAIL_BATCHES = 4  # the last batches of a run are split in quarters (see _batches)
MIN_SPLIT_DOCS = 8  # a run of at least twice this many documents is never a single batch


# In-process observers of the load step (the CLI's progress bar): each gets one dict per input,
# {"path", "status": "loaded"|"unchanged"|"rejected", "facts", "reason"}. Never sent to Prefect.
progress_callbacks: list = []


def _notify(path: str, status: str, facts: int = 0, reason: str | None = None) -> None:
    for cb in list(progress_callbacks):
        cb({"path": path, "status": status, "facts": facts, "reason": reason})


@dataclass
class IngestSummary:
    run_id: str = ""
    documents_seen: int = 0
    documents_loaded: int = 0
    documents_unchanged: int = 0
    documents_rejected: int = 0
    facts_loaded: int = 0
    seconds: float = 0.0
    rejections: list[tuple[str, str]] = field(default_factory=list)
    loaded: list[tuple[str, int]] = field(default_factory=list)  # (path, facts)
    stage_seconds: dict = field(default_factory=dict)
    runner: str = ""  # where extraction ran (flows.run.choose_runner) ...
    runner_reason: str = ""  # ... and why

    @property
    def exit_code(self) -> int:
        return 1 if self.documents_rejected else 0

    def counts(self) -> dict:
        return {
            "documents_seen": self.documents_seen,
            "documents_loaded": self.documents_loaded,
            "documents_unchanged": self.documents_unchanged,
            "documents_rejected": self.documents_rejected,
            "facts_loaded": self.facts_loaded,
        }


def discover(paths: list[str]) -> list[str]:
    """Files named, and the files inside folders named (recursively, hidden files skipped), sorted."""
    found: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for sub in sorted(path.rglob("*")):
                # not only regular files: broken links, FIFOs... are rejected with a reason, not skipped silently
                if not sub.is_dir() and not any(part.startswith(".") for part in sub.relative_to(path).parts):
                    found.append(str(sub))
        else:
            found.append(str(path))  # missing/unreadable paths are rejected with a reason later
    seen: set[str] = set()
    return [f for f in found if not (f in seen or seen.add(f))]


# (path, size, mtime in ns, inode) -> sha256: a file is hashed once per process even when a run's plan
# (plan_run, before the flow) and its flow both look at it
_hashed: dict[tuple, str] = {}


def _hash_file(path: str) -> tuple[str | None, int | None, str | None]:
    """(sha256, size, error) without loading more than the size limit."""
    from extractors.decode import max_bytes_default

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block open() forever
            return None, None, "not a regular file"
        size = st.st_size
        if size > max_bytes_default():
            return None, size, None  # rejected with the size reason by the extraction step
        key = (path, size, st.st_mtime_ns, st.st_ino)
        if key not in _hashed:
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            _hashed[key] = h.hexdigest()
        return _hashed[key], size, None
    except OSError as exc:
        return None, None, f"unreadable path: {exc.strerror or exc}"


def _sort_inputs(files: list[str], known: dict[str, str], sources: set[tuple[str, str]]):
    """What a run does with each file, in order: (path, "reject", reason), (path, "extract", size), or for bytes
    already loaded (path, "unchanged", document_id) / (path, "source", document_id) when seen under a new path.
    ``known``: sha256 -> document_id; ``sources``: (document_id, source_path) already recorded."""
    for path in files:
        sha, size, error = _hash_file(path)
        existing = known.get(sha) if sha else None
        if error:
            yield path, "reject", error
        elif existing:
            yield path, "unchanged" if (existing, path) in sources else "source", existing
        else:
            yield path, "extract", size or 0


def _known(wh) -> tuple[dict[str, str], set[tuple[str, str]]]:
    return (dict(wh.query("SELECT sha256, document_id FROM documents")),
            set(wh.query("SELECT document_id, source_path FROM document_sources")))


@dataclass
class Plan:
    """What a run would do, read before it starts (``plan_run``)."""

    files: list[str]
    todo: list[tuple[str, int]]  # (path, size) of the files to extract
    other_writes: int  # rejections and new source paths of known bytes

    @property
    def nothing_new(self) -> bool:
        return not self.todo and not self.other_writes


def plan_run(paths: list[str] | None, db: str, data_path: str | None = None) -> Plan | None:
    """What a run of ``paths`` into the warehouse ``db`` (a DuckDB file, or a DuckLake with ``data_path``) would
    do, read without writing (the command line reads it while Prefect's temporary server boots). None when it
    cannot be known now: a file held by a writer, a lake that cannot be read yet."""
    from warehouse.store import Warehouse, is_lake_target

    files = discover(paths or [DEFAULT_RAW])
    known, sources = {}, set()
    if is_lake_target(db) or os.path.exists(db):
        try:
            with Warehouse(db, read_only=True, lock_timeout=0, data_path=data_path) as wh:
                known, sources = _known(wh)
        except Exception:  # held by a writer, not a warehouse, no lake yet: the flow finds out and says so
            return None
    todo, other = [], 0
    for path, what, arg in _sort_inputs(files, known, sources):
        if what == "extract":
            todo.append((path, arg))
        elif what != "unchanged":
            other += 1
    return Plan(files, todo, other)


def record_unchanged_run(plan: Plan, db: str, lock_timeout: float = 30.0, data_path: str | None = None) -> dict | None:
    """A run in which nothing is new (``plan.nothing_new``: every file already loaded under its path): its
    ``runs`` row, checked again with the writer open (a DuckDB file's lock held; on a lake, loaded bytes stay
    loaded), and no Prefect flow run, task runner or model. None when something changed since the plan (the
    caller then runs the flow)."""
    import logging

    from warehouse.store import Warehouse

    started = time.perf_counter()
    with Warehouse(db, lock_timeout=lock_timeout, data_path=data_path) as wh:
        known, sources = _known(wh)
        if any(what != "unchanged" for _, what, _ in _sort_inputs(plan.files, known, sources)):
            return None
        run_id = wh.begin_run(None)
        summary = IngestSummary(run_id=run_id, documents_seen=len(plan.files), documents_unchanged=len(plan.files),
                                runner="none", runner_reason="nothing new or changed: no flow run")
        for path in plan.files:
            _notify(path, "unchanged")
        summary.seconds = time.perf_counter() - started
        summary.stage_seconds["hash"] = summary.seconds
        wh.finish_run(run_id, "completed", summary.counts())
        _SnapshotPublisher(wh, logging.getLogger(__name__)).publish(final=True, changed=False)
    _write_summary_json(summary)
    return summary.__dict__


def _write_summary_json(summary: "IngestSummary") -> None:
    out = os.environ.get("CANVAS_ETL_SUMMARY_JSON")
    if out:  # for benchmarks: the run's figures, including seconds per stage summed over workers
        import json

        with open(out, "w", encoding="utf-8") as fh:
            json.dump(summary.__dict__, fh, indent=1, default=str)


def _unstage(value):
    """An Arrow table (or None), or a staged file path -> (table, path or None)."""
    if isinstance(value, str):
        import pyarrow as pa

        with pa.memory_map(value, "r") as source:
            return pa.ipc.open_file(source).read_all(), value
    return value, None


@task(name="extract-batch", retries=2, retry_delay_seconds=[1, 5], persist_result=False)
def extract_batch(paths: list[str], run_id: str, edition: str | None = None, use_model: bool = True,
                  staging: str | None = None, load_into: tuple[str, str | None] | None = None) -> dict:
    """``flows.batch.extract_paths`` on a batch: in a worker of the run's extraction pool when there is one
    (``--runner processes``: this task runs in a thread of the flow process, its CPU work in the pool), else
    where the task runs (a thread, the flow process, a Dask worker)."""
    from flows.run import extraction_pool

    kwargs = dict(edition=edition, use_model=use_model, staging=staging, load_into=load_into)
    pool = extraction_pool()
    return pool.run(extract_paths, paths, run_id, **kwargs) if pool else extract_paths(paths, run_id, **kwargs)


def _batches(items: list[tuple[str, int]]) -> list[list[str]]:
    batches: list[list[str]] = []
    cur: list[str] = []
    size = 0
    for path, n in items:
        if cur and (size + n > BATCH_BYTES or len(cur) >= BATCH_MAX_DOCS):
            batches.append(cur)
            cur, size = [], 0
        cur.append(path)
        size += n
    if cur:
        batches.append(cur)
    if len(batches) == 1 and len(batches[0]) >= 2 * MIN_SPLIT_DOCS:
        # enough for two workers: two tasks rather than one (a single batch runs in the flow process)
        batches = _split(batches[0], 2)
    if len(batches) > TAIL_BATCHES:
        # the last batches in smaller pieces, so that the workers finish together (no core idles for a
        # whole batch at the end of a big run)
        batches = batches[:-TAIL_BATCHES] + [piece for b in batches[-TAIL_BATCHES:] for piece in _split(b, 4)]
    return batches


def _split(batch: list[str], parts: int) -> list[list[str]]:
    """``batch`` in ``parts`` near-equal pieces, in order."""
    size = -(-len(batch) // parts)
    return [batch[i:i + size] for i in range(0, len(batch), size)]


def _load_group(wh, items: list[dict], run_id: str, summary: IngestSummary) -> None:
    """Documents extracted by a task, committed together (``Warehouse.load_new_documents``: one transaction; a
    document the warehouse refuses is quarantined alone; bytes already loaded, or twice in the run, only get
    their source path recorded). Their staged files are deleted."""
    try:
        results = wh.load_new_documents(
            [(item["document"], _unstage(item["sections"])[0], _unstage(item["facts"])[0], _unstage(item.get("fx"))[0])
             for item in items], run_id)
    finally:
        for item in items:
            for key in ("facts", "sections", "fx"):
                if isinstance(item.get(key), str):
                    with contextlib.suppress(OSError):
                        os.remove(item[key])
    for item, n in zip(items, results):
        if isinstance(n, Exception):
            reason = f"load failed: {type(n).__name__}: {str(n).splitlines()[0][:300]}"
            wh.record_rejection(item["path"], item["document"].get("sha256"), reason, run_id)
            summary.documents_rejected += 1
            summary.rejections.append((item["path"], reason))
            _notify(item["path"], "rejected", reason=reason)
        elif n is None:
            summary.documents_unchanged += 1
            _notify(item["path"], "unchanged")
        else:
            summary.documents_loaded += 1
            summary.facts_loaded += n
            summary.loaded.append((item["path"], n))
            _notify(item["path"], "loaded", n)


def load_results(wh, result: dict, run_id: str, summary: IngestSummary) -> None:
    """The single writer: the documents of a task's result, ``load_group_docs()`` per transaction."""
    for rej in result["rejections"]:
        wh.record_rejection(rej["path"], rej["sha256"], rej["reason"], run_id)
        summary.documents_rejected += 1
        summary.rejections.append((rej["path"], rej["reason"]))
        _notify(rej["path"], "rejected", reason=rej["reason"])
    for item in result.get("loaded", ()):  # committed by the worker itself (DuckLake)
        if item["status"] == "loaded":
            summary.documents_loaded += 1
            summary.facts_loaded += item["facts"]
            summary.loaded.append((item["path"], item["facts"]))
        else:
            summary.documents_unchanged += 1
        _notify(item["path"], item["status"], item["facts"])
    documents, size = result["documents"], load_group_docs()
    for start in range(0, len(documents), size):
        _load_group(wh, documents[start:start + size], run_id, summary)
    for k, v in result.get("seconds", {}).items():
        summary.stage_seconds[k] = summary.stage_seconds.get(k, 0.0) + v


class _SnapshotPublisher:
    """The read snapshot of a DuckDB warehouse file, published every ``CANVAS_ETL_SNAPSHOT_SECONDS`` (default
    300; 0 = only at the end of the run) and at the end; a failure to publish is logged, not fatal."""

    def __init__(self, wh, logger):
        self.wh, self.logger = wh, logger
        try:
            self.every = float(os.environ.get("CANVAS_ETL_SNAPSHOT_SECONDS", "300"))
        except ValueError:
            self.every = 300.0
        self.last = time.monotonic()
        self.copy = None  # a copy started with publish(wait=False), until settle()

    def maybe(self) -> None:
        if self.every > 0 and time.monotonic() - self.last >= self.every:
            self.publish()

    def publish(self, final: bool = False, changed: bool = True, wait: bool = True) -> None:
        """``changed=False`` at the end of a run that loaded and rejected nothing: the snapshot already there
        holds the same data (only this run's ``runs`` row is missing from it), so it is kept. ``wait=False``: the
        copy runs while the caller goes on reading (the run's summary), and ``settle()`` says how it ended."""
        if self.wh.is_lake:
            return
        if final and not changed and self.wh.publish_snapshot_path().is_file():
            return
        self.started = time.perf_counter()
        try:
            self.copy = self.wh.publish_snapshot(wait=False)
        except Exception as exc:  # readers keep the previous snapshot
            self.logger.warning("read snapshot not published: %s: %s", type(exc).__name__, exc)
            return
        if wait:
            self.settle()

    def settle(self) -> None:
        copy, self.copy = self.copy, None
        if copy is None:
            return
        try:
            path = copy.wait()
        except Exception as exc:  # readers keep the previous snapshot
            self.logger.warning("read snapshot not published: %s: %s", type(exc).__name__, exc)
            return
        self.last = time.monotonic()
        self.logger.info("read snapshot published: %s (%.2f s)", path, time.perf_counter() - self.started)


@flow(name="canvas-ingest", log_prints=False, persist_result=False)
def ingest_flow(
    paths: list[str] | None = None,
    db: str = DEFAULT_DB,
    edition: str | None = None,
    use_model: bool = True,
    lock_timeout: float = 30.0,
    data_path: str | None = None,
    runner: str = "auto",
    workers: int | None = None,
    dask_address: str | None = None,
) -> dict:
    """Ingest canvas reports (files or folders; default raw/) into the warehouse (a DuckDB file, or a DuckLake
    ``ducklake:sqlite:PATH`` / ``ducklake:postgres:CONNINFO`` with ``data_path``).

    ``runner``: where the extraction batches run (``auto``, ``threads``, ``processes``, ``dask``); decided
    after hashing, from the amount of new work (flows.run.choose_runner). ``workers``: default the cores
    available; ``dask_address``: default ``CANVAS_ETL_DASK_ADDRESS``."""
    from prefect.context import get_run_context

    from flows.run import choose_runner, dask_address_default, make_task_runner, use_extraction_pool
    from warehouse.store import Warehouse

    logger = get_run_logger()
    started, cpu_started = time.perf_counter(), time.thread_time()
    summary = IngestSummary()
    files = discover(paths or [DEFAULT_RAW])
    summary.documents_seen = len(files)
    try:
        flow_run_id = str(get_run_context().flow_run.id)
    except Exception:
        flow_run_id = None
    with Warehouse(db, lock_timeout=lock_timeout, data_path=data_path) as wh, contextlib.ExitStack() as stack:
        # DuckLake: the extraction tasks load (absolute paths: they may run on other machines)
        load_into = (wh.target.attach_uri, wh.target.data_path) if wh.is_lake else None
        snapshots = _SnapshotPublisher(wh, logger)
        run_id = wh.begin_run(flow_run_id)
        summary.run_id = run_id
        if not wh.is_lake and not wh.publish_snapshot_path().is_file():
            snapshots.publish()  # a first load: readers get the warehouse as it was, not a refusal
        status = "failed"
        staging = None
        try:
            todo: list[tuple[str, int]] = []
            known, sources = _known(wh)
            for path, what, arg in _sort_inputs(files, known, sources):
                if what == "reject":
                    load_results(wh, {"rejections": [{"path": path, "sha256": None, "reason": arg}], "documents": []}, run_id, summary)
                elif what == "extract":
                    todo.append((path, arg))
                else:
                    if what == "source":
                        wh.add_source(arg, path, run_id)
                    summary.documents_unchanged += 1
                    _notify(path, "unchanged")
            t_hash = time.perf_counter()
            summary.stage_seconds["hash"] = t_hash - started
            summary.stage_seconds["cpu_hash"] = time.thread_time() - cpu_started
            batches = _batches(todo)
            choice = choose_runner(runner, documents=len(todo), batches=len(batches), workers=workers,
                                   dask_address=dask_address_default(dask_address) if runner in ("auto", "dask") else None)
            summary.runner, summary.runner_reason = choice.label, choice.reason
            logger.info("%d files: %d unchanged, %d to extract in %d batches", len(files), summary.documents_unchanged, len(todo), len(batches))
            logger.info("runner: %s", choice.describe())
            t_load = 0.0
            if not choice.parallel:
                # here, one batch after another: no worker process to start, no models to load again
                results = (extract_batch(b, run_id, edition, use_model, None, load_into) for b in batches)
            else:
                # DuckDB file: workers stage their Arrow tables as files beside the warehouse; the loader reads
                # them a group at a time and deletes them (bounded memory, small task results).
                # DuckLake: workers commit their own documents.
                if load_into is None:
                    staging = f"{db}.staging-{run_id}"
                    os.makedirs(staging, exist_ok=True)
                if choice.name == "processes":  # tasks in threads here, their extraction in worker processes
                    # (entered first: the pool stops after the task threads)
                    stack.enter_context(use_extraction_pool(choice.workers, use_model=use_model))
                task_runner = stack.enter_context(
                    make_task_runner(choice.name, workers=choice.workers, dask_address=choice.dask_address))
                futures = [task_runner.submit(extract_batch, dict(paths=b, run_id=run_id, edition=edition,
                                                                   use_model=use_model, staging=staging,
                                                                   load_into=load_into))
                           for b in batches]
                results = (fut.result() for fut in as_completed(futures))
            c_load = 0.0
            for done, result in enumerate(results, 1):
                t0, c0 = time.perf_counter(), time.thread_time()
                load_results(wh, result, run_id, summary)
                snapshots.maybe()
                if choice.parallel and len(batches) - done == choice.workers:
                    # the last batches are all running: the loader, idle until they end, moves what it
                    # committed into the file now rather than after them in the final snapshot's checkpoint
                    wh.checkpoint()
                t_load += time.perf_counter() - t0
                c_load += time.thread_time() - c0
            summary.stage_seconds["load"] = t_load
            summary.stage_seconds["cpu_load"] = c_load
            status = "completed_with_rejections" if summary.documents_rejected else "completed"
        finally:
            stack.close()  # the task runner's workers stop before their staging folder goes
            if staging:
                shutil.rmtree(staging, ignore_errors=True)
            summary.seconds = time.perf_counter() - started
            wh.finish_run(run_id, status, summary.counts())
            # the snapshot is copied while the run's summary is read and published: artifacts on the flow run
            # page, events for automations (flows/notify.py; never raises)
            snapshots.publish(final=True, changed=bool(summary.documents_loaded or summary.documents_rejected),
                              wait=False)
            publish_run(wh, summary, files, status, db, flow_run_id, logger)
            snapshots.settle()
    _write_summary_json(summary)
    logger.info(
        "documents %d (loaded %d, unchanged %d, rejected %d), facts %d, %.1f s",
        summary.documents_seen, summary.documents_loaded, summary.documents_unchanged,
        summary.documents_rejected, summary.facts_loaded, summary.seconds,
    )
    return summary.__dict__
