"""The work of one extraction batch: files -> Arrow tables (staged as files, or committed into a DuckLake).

Pure work, and importable without Prefect: a process-pool worker (``flows.run.ExtractionPool``) imports this
module and the extractors only (no Prefect, no API client, no flow module), and runs ``extract_paths``.
The Prefect task that wraps it is ``flows.ingest.extract_batch``.
"""
from __future__ import annotations

import atexit
import gc
import hashlib
import os
import threading
import time
import traceback

from flows.parent_watch import when_parent_gone


def _stage(table, path: str) -> str:
    """Write an Arrow table as an IPC file (the loader memory-maps it back)."""
    import pyarrow as pa

    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return path


# DuckLake writers of this process, one per thread (a DuckDB connection is not shared between threads)
_lake_writers = threading.local()


def _lake_writer(load_into: tuple[str, str | None]):
    """This thread's Warehouse on the lake ``load_into`` = (db, data_path), opened once and kept."""
    from warehouse.store import Warehouse

    cache = getattr(_lake_writers, "cache", None)
    if cache is None:
        cache = _lake_writers.cache = {}
    wh = cache.get(load_into)
    if wh is None:
        wh = cache[load_into] = Warehouse(load_into[0], data_path=load_into[1])
    return wh


LOAD_GROUP_DOCS = 16  # documents committed at once (Warehouse.load_new_documents: one transaction or lake commit)


def load_group_docs() -> int:
    """``LOAD_GROUP_DOCS``, or ``CANVAS_ETL_LOAD_GROUP_DOCS`` when set (1 = a transaction per document)."""
    try:
        return max(1, int(os.environ.get("CANVAS_ETL_LOAD_GROUP_DOCS", LOAD_GROUP_DOCS)))
    except ValueError:
        return LOAD_GROUP_DOCS


def _load_here(load_into: tuple[str, str | None], group: list[tuple[str, dict, object, object, object]],
               run_id: str, out: dict) -> None:
    """A worker commits its own documents into the lake, ``group`` = [(path, document, sections, facts, fx)]
    in one commit (``Warehouse.load_new_documents``); outcomes go to ``out["loaded"]`` and
    ``out["rejections"]``."""
    wh = _lake_writer(load_into)
    try:
        results = wh.load_new_documents([item[1:] for item in group], run_id)
    except Exception as exc:  # the commit itself failed (after its retries): every document of it
        results = [exc] * len(group)
    for (path, document, *_), n in zip(group, results):
        if isinstance(n, Exception):  # refused by the warehouse: the flow quarantines it
            out["rejections"].append({"path": path, "sha256": document.get("sha256"),
                                      "reason": f"load failed: {type(n).__name__}: {str(n).splitlines()[0][:300]}"})
        else:
            out.setdefault("loaded", []).append({"path": path, "status": "unchanged" if n is None else "loaded",
                                                 "facts": n or 0})


def extract_paths(paths: list[str], run_id: str, edition: str | None = None, use_model: bool = True,
                  staging: str | None = None, load_into: tuple[str, str | None] | None = None) -> dict:
    """Extract a batch of files for run ``run_id`` (pure work, no DuckDB): Arrow tables per document, or a
    rejection. Extraction gives plain rows (ids and keys made there); the warehouse types them as its tables.
    ``load_into`` = (DuckLake --db, data path): commit the documents here, ``load_group_docs()`` at a time
    (a document is visible whole or not at all); the result then lists outcomes (``"loaded"``) instead of
    tables."""
    from extractors.decode import RejectedInput, document_from_bytes, read_bytes
    from extractors.extract import EXTRACTOR_VERSION, extract_document
    from extractors.fx import fx_records
    from extractors.records import fact_columns
    from extractors.warm import wait_for_warm_up
    from warehouse.tables import facts_table, fx_table, sections_table

    _lower_priority()
    wait_for_warm_up()  # the command line's warm-up of this process (flows.run._warm_up) may still be running
    out: dict = {"documents": [], "rejections": [], "seconds": {}}
    secs = out["seconds"]
    pending: list = []  # DuckLake: extracted documents not committed yet
    group_docs = load_group_docs()

    def commit() -> None:
        t = time.perf_counter()
        _load_here(load_into, pending, run_id, out)
        pending.clear()
        secs["commit"] = secs.get("commit", 0.0) + (time.perf_counter() - t)

    cpu = time.thread_time  # CPU of this thread: right for every runner (threads share the process)
    for path in paths:
        sha = None
        try:
            t0, c0 = time.perf_counter(), cpu()
            data = read_bytes(path)
            sha = hashlib.sha256(data).hexdigest()
            doc = document_from_bytes(data, path, sha256=sha)  # hashed once, above (rejections need it too)
            t1 = time.perf_counter()
            result = extract_document(doc, edition=edition, use_model=use_model)
            t2 = time.perf_counter()
            columns = fact_columns(result.facts, document=result.document, run_id=run_id,
                                   extractor_version=EXTRACTOR_VERSION)
            facts, fx = facts_table(columns), fx_table(fx_records(columns))
            sections = sections_table(result.sections)
            t3 = time.perf_counter()
            secs["cpu_extract"] = secs.get("cpu_extract", 0.0) + (cpu() - c0)  # decode, extract, Arrow (any backend)
            secs["decode"] = secs.get("decode", 0.0) + (t1 - t0)
            for stage in ("segment", "models", "spacy", "ner", "facts"):
                secs[stage] = secs.get(stage, 0.0) + result.stats.get(f"{stage}_s", 0.0)
            secs["extract"] = secs.get("extract", 0.0) + (t2 - t1)
            secs["arrow"] = secs.get("arrow", 0.0) + (t3 - t2)
            if load_into is not None:
                pending.append((path, result.document, sections, facts, fx))
                if len(pending) >= group_docs:
                    commit()
                continue
            if staging:  # results travel as files: the flow process holds one group of documents at a time
                base = os.path.join(staging, f"{doc.document_id}-{os.getpid()}-{len(out['documents'])}")
                facts, sections = _stage(facts, base + ".facts.arrow"), _stage(sections, base + ".sections.arrow")
                fx = _stage(fx, base + ".fx.arrow")
            out["documents"].append({"path": path, "document": result.document, "sections": sections, "facts": facts,
                                     "fx": fx})
        except RejectedInput as exc:
            out["rejections"].append({"path": path, "sha256": sha, "reason": exc.reason})
        except Exception as exc:  # a rule crashed on this document: quarantine it, keep the batch going
            tb = traceback.extract_tb(exc.__traceback__)
            where = f"{tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else "?"
            out["rejections"].append(
                {"path": path, "sha256": sha, "reason": f"extraction failed: {type(exc).__name__}: {exc} (at {where})"}
            )
    if pending:
        commit()
    _tune_gc()
    return out


# The cyclic garbage collector of an extraction process, once its first batch has loaded the spaCy models and
# rule tables: those objects live as long as the process, so they are frozen out of every later collection, and
# collections start after this many new objects rather than 700 (extraction allocates many short-lived
# objects, freed by reference counting: collections found little and cost ~10 % of the CPU, measured on 60
# bench reports in one process). Frozen objects are still freed when their last reference goes.
GC_THRESHOLD = (50_000, 20, 20)
_gc_tuned = False


def _tune_gc() -> None:
    global _gc_tuned
    if not _gc_tuned:
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLD)
        _gc_tuned = True


# Extraction is batch work: it runs this much nicer than the analysts' commands (a read during a big load keeps
# its CPU share; nothing changes on an otherwise idle machine). CANVAS_ETL_EXTRACT_NICE=0 keeps the priority.
EXTRACT_NICE = 5
_niced = False


def preload_worker() -> None:
    """What the extraction pool's fork server loads before it forks the workers (``flows.pool_preload``): the
    spaCy pipelines (with their models unless $CANVAS_ETL_NO_MODELS says otherwise) and the rule tables of every
    language (``extractors.warm``), frozen out of the garbage collector, so that no collection in a worker
    touches (and copies) the pages the workers share. A failure is left to the workers' own warm-up to
    report."""
    from extractors.nlp import models_disabled
    from extractors.warm import warm_up

    try:
        warm_up(use_model=not models_disabled())
    except Exception:
        pass
    gc.freeze()


def start_worker(use_model: bool = True, owner: int | None = None, environ: dict[str, str] | None = None) -> None:
    """The first step of an extraction pool's worker process (``flows.run.ExtractionPool``): the environment of
    the flow process ``owner`` as ``environ`` (a worker forked from a fork server inherits the fork server's,
    as of its start), a watch on ``owner`` (default: its parent; ``flows.parent_watch``), extraction's lower
    priority, then what its first batch would load (``extractors.warm``: the spaCy pipelines and rule tables of
    every language, found loaded when the fork server loaded them), frozen out of the garbage collector. The
    command line starts the workers while Prefect's server boots."""
    from extractors.nlp import forget_pipelines
    from extractors.warm import warm_up

    if environ is not None:
        os.environ.clear()
        os.environ.update(environ)

    # ended once the flow process is gone however it ended: a pool worker waits on a queue whose other end it
    # holds itself, so it would otherwise wait forever, holding its models (~300 MB)
    when_parent_gone(lambda: os._exit(1), owner=owner)
    _lower_priority()
    if not use_model:  # rules only: not the fork server's pipelines with models
        forget_pipelines()
    warm_up(use_model=use_model)
    _tune_gc()
    atexit.register(gc.freeze)  # at the pool's end: the interpreter's last collections skip what the batches left


def _lower_priority() -> None:
    global _niced
    if not _niced:
        _niced = True
        try:
            step = int(os.environ.get("CANVAS_ETL_EXTRACT_NICE", EXTRACT_NICE))
            if step > 0 and hasattr(os, "nice"):
                os.nice(step)  # Linux: this thread (the one extracting) and the threads it starts
        except (ValueError, OSError):
            pass
