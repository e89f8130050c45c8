"""The warehouse: one DuckDB file, one writer at a time, loads through Arrow.

    with Warehouse("warehouse/canvas.duckdb") as wh:          # writer: creates dir + schema
        run_id = wh.begin_run(flow_run_id)
        if wh.known_document(sha) is None:
            wh.load_document(document, sections_tbl, facts_tbl, run_id)   # one transaction
        wh.finish_run(run_id, "completed", counts)

    with Warehouse(path, read_only=True) as wh:               # analysts / checks: never writes
        wh.query("SELECT * FROM facts_latest")

Locking (what DuckDB 2.0 does, verified): a file is opened by ONE process in read-write mode, or by
any number of processes in read-only mode, never both. Any second process (reader or writer) gets
``IOException: Could not set lock on file ... Conflicting lock is held in <exe> (PID n)``. This class
retries until ``lock_timeout`` and then raises :class:`WarehouseLocked`, naming the holder from the
sidecar ``<db>.lock.json`` the writer keeps while it holds the file (pid, host, run id, since).
Inside one process DuckDB would happily share the file between two read-write connections, so an
in-process registry enforces the same rule between ``Warehouse`` objects of one process.

Read snapshot (DuckDB file): the loader publishes ``<db stem>.snapshot<suffix>`` beside the file
(:func:`snapshot_path`, :meth:`Warehouse.publish_snapshot`) after each run and every few minutes of a long
one; read commands answer from it while a load holds the live file.

DuckLake (``Warehouse("ducklake:sqlite:PATH", data_path=DIR)`` or ``ducklake:postgres:CONNINFO``; see
warehouse/lake.py and docs/ducklake-notes.md): the same tables, views and methods, no file lock, any number
of writers at once. Every write is one DuckLake commit (one snapshot) retried on conflict (``load_new_documents``
commits a group of documents at once); a document's commit updates one of 16 token tables chosen by its
sha256, so two loaders of the same bytes conflict and the loser finds the document already there
(idempotency without unique keys). ``as_of`` opens a lake
read-only at a run's snapshot.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from warehouse import lake
from warehouse.tables import FACTS_SCHEMA, FX_RATES_SCHEMA, SECTIONS_SCHEMA

RUN_STATUSES = ("running", "completed", "completed_with_rejections", "failed")
COUNT_FIELDS = ("documents_seen", "documents_loaded", "documents_unchanged", "documents_rejected", "facts_loaded")
DOCUMENT_FIELDS = (
    "document_id", "source_path", "file_name", "sha256", "byte_size", "encoding", "company", "ticker",
    "edition_label", "edition_date", "languages", "line_count",
)


_SOURCE_FIELDS = ("document_id", "source_path", "file_name", "first_seen_at", "run_id")


def schema_sql() -> str:
    """The DDL (warehouse/schema.sql)."""
    return resources.files("warehouse").joinpath("schema.sql").read_text(encoding="utf-8")


def apply_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """Create/refresh every table, view and comment (idempotent), unless the file already holds this very
    schema text: its fingerprint is kept in ``warehouse_schema``, written last (the script is ~300 statements,
    about 0.15 s at every writer open otherwise). Returns True when the schema was applied."""
    ddl = schema_sql()
    fingerprint = lake.ddl_fingerprint(ddl)
    try:
        if con.execute("SELECT fingerprint FROM warehouse_schema").fetchall() == [(fingerprint,)]:
            return False
    except duckdb.CatalogException:  # a new file, or one made before the table
        pass
    con.execute(ddl)
    con.execute("DELETE FROM warehouse_schema")
    con.execute("INSERT INTO warehouse_schema VALUES (?, ?)", [fingerprint, _now()])
    return True


# The loader is one of several processes on the machine (extraction workers run beside it): small
# per-document transactions gain nothing from many threads, and DuckDB's default memory limit (80 % of RAM)
# would let its cache grow with the warehouse. Appends need little cache, and no table has an index that
# grows with the facts, so 64 MB holds for any warehouse size. DuckDB moves committed data from its WAL into the
# file (compressing it) when the WAL passes ``checkpoint_threshold``; at its default (16 MB) a big load checkpoints
# every ~80 documents and compresses the newest row groups again each time: at 64 MB the loader spends ~30 % less
# CPU (1,000 bench reports: 12.7 -> 8.8 s) and the end of the run's checkpoint (before the snapshot copy) takes
# ~0.8 s more. Override with CANVAS_ETL_DUCKDB_THREADS / _MEMORY / _CHECKPOINT.
WRITER_CONFIG = {
    "threads": os.environ.get("CANVAS_ETL_DUCKDB_THREADS", "1"),
    "memory_limit": os.environ.get("CANVAS_ETL_DUCKDB_MEMORY", "64MB"),
    "checkpoint_threshold": os.environ.get("CANVAS_ETL_DUCKDB_CHECKPOINT", "64MB"),
}


# Columns whose values must be in a lookup table (schema.sql): (column, incoming table, its column, lookup
# table, its key). The incoming tables are the Arrow tables handed to load_document.
ENUMERATIONS = (
    ("sections.block", "sections", "block", "canvas_blocks", "block"),
    ("facts.block", "facts", "block", "canvas_blocks", "block"),
    ("facts.kind", "facts", "kind", "fact_kinds", "kind"),
    ("facts.period_grain", "facts", "period_grain", "period_grains", "grain"),
    ("facts.period_source", "facts", "period_source", "period_sources", "source"),
    ("facts.flags", "facts", "flags", "fact_flags", "flag"),
)


def _lookup_values(con) -> dict[str, pa.Array]:
    """The keys of every lookup table ENUMERATIONS names, read from the warehouse (its one list of each)."""
    return {lookup: pa.array([r[0] for r in con.execute(f"SELECT {key} FROM {lookup}").fetchall()], pa.string())
            for _, _, _, lookup, key in ENUMERATIONS}


def _check_enumerations(lookups: dict[str, pa.Array], incoming: dict[str, pa.Table]) -> None:
    """Refuse (ConstraintException) incoming rows whose block, kind, grain, period source or flags are not in
    their lookup table (``lookups``: :func:`_lookup_values`): the one list of each, enforced the same way on
    every backend, on the Arrow tables before any write (no query per document)."""
    unknown: set[tuple[str, Any]] = set()
    for column, table, name, lookup, _ in ENUMERATIONS:
        rows = incoming[table]
        if not rows.num_rows or name not in rows.column_names:
            continue
        values = rows.column(name)
        if pa.types.is_list(values.type):
            values = pc.list_flatten(values)
        values = pc.drop_null(values)
        known = lookups[lookup].cast(values.type)
        bad = pc.filter(values, pc.invert(pc.is_in(values, value_set=known)))
        unknown.update((column, v) for v in pc.unique(bad).to_pylist())
    if unknown:
        raise duckdb.ConstraintException(
            "values not in their lookup table: " + ", ".join(f"{c}={v!r}" for c, v in sorted(unknown)))


# DuckLake: token tables (schema TOKEN_SCHEMA) that make two commits of the same document conflict; one per
# first hex digit of the sha256, so loaders of different documents rarely wait for each other.
TOKEN_SCHEMA = "canvas_etl_tokens"
TOKEN_SHARDS = "0123456789abcdef"


def is_lake_target(db: Any) -> bool:
    return isinstance(db, (str, lake.Target)) and (isinstance(db, lake.Target) and db.is_lake
                                                    or str(db).strip().startswith("ducklake:"))


def resolve_target(db: Any, data_path: str | None = None, *, require_data_path: bool = True) -> lake.Target:
    """``--db`` (+ data path) -> lake.Target with absolute local paths (workers may run elsewhere)."""
    t = db if isinstance(db, lake.Target) else lake.parse_target(str(db), data_path,
                                                                   require_data_path=require_data_path)
    location, dp = t.location, t.data_path
    if t.kind in ("duckdb", "sqlite"):
        location = os.path.abspath(os.path.expanduser(location))
    if dp and "://" not in dp:
        dp = os.path.abspath(os.path.expanduser(dp))
    return lake.Target(t.kind, location, dp)


def snapshot_path(db: str | os.PathLike) -> Path:
    """Where the loader publishes the read snapshot of a DuckDB warehouse file: beside it,
    ``canvas.duckdb`` -> ``canvas.snapshot.duckdb``."""
    p = Path(db).expanduser().resolve()
    suffix = p.suffix or ".duckdb"
    return p.with_name(f"{p.stem if p.suffix else p.name}.snapshot{suffix}")


def sidecar_path(db: str | os.PathLike) -> Path:
    """``<db>.lock.json``: where the writer of a DuckDB file says who it is while it holds the file."""
    return Path(str(Path(db).expanduser().resolve()) + ".lock.json")


def live_writer(db: str | os.PathLike) -> dict | None:
    """The sidecar ``<db>.lock.json`` of a writer that holds the DuckDB file now (its process alive on this host),
    else None: a reader that finds one goes to the read snapshot at once instead of waiting for the file."""
    try:
        info = json.loads(sidecar_path(db).read_text(encoding="utf-8"))
        if info.get("host") != socket.gethostname():
            return None
        os.kill(int(info["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):  # no sidecar, unreadable, or its process is gone
        return None
    return info


def snapshot_info(path: str | os.PathLike) -> dict | None:
    """The newest run recorded in a snapshot file (run_id, status, started_at, finished_at) and when the file
    was published; None when there is no readable snapshot."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        con = duckdb.connect(str(p), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("SELECT run_id, status, started_at, finished_at FROM runs "
                          "ORDER BY started_at DESC LIMIT 1").fetchone()
    except duckdb.Error:
        row = None
    finally:
        con.close()
    info = dict(zip(("run_id", "status", "started_at", "finished_at"), row)) if row else {}
    info["published_at"] = datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)
    return info


class _AbsentModules:
    """A ``sys.meta_path`` finder that answers "no such module" at once for modules known to be absent."""

    def __init__(self, names: set[str]):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _no_pandas_lookups() -> None:
    """DuckDB's Python client checks the Python values it binds (statement parameters) against pandas types,
    importing pandas to do so; without pandas installed every attempt is a failed import that searches the
    whole ``sys.path`` again (tens per loaded document: a third of the loader's CPU). Once pandas is known to
    be absent, a finder placed first on ``sys.meta_path`` fails that import at once: the same
    ModuleNotFoundError, no file system search. Nothing changes when pandas is installed."""
    if "pandas" in sys.modules or any(isinstance(f, _AbsentModules) for f in sys.meta_path):
        return
    import importlib.util

    if importlib.util.find_spec("pandas") is None:
        sys.meta_path.insert(0, _AbsentModules({"pandas"}))


_INCOMING = ("_wh_sections_in", "_wh_facts_in", "_wh_fx_in")  # the Arrow tables of the document being loaded


def _register_incoming(con, sections: pa.Table, facts: pa.Table, fx: pa.Table) -> None:
    for name, table in zip(_INCOMING, (sections, facts, fx)):
        con.register(name, table)


def _unregister_incoming(con) -> None:
    for name in _INCOMING:
        try:
            con.unregister(name)
        except (duckdb.Error, KeyError):
            pass


def _insert_source(con, document_id: str, source_path: str, run_id: str, when: datetime) -> None:
    """One document_sources row: ``source_path`` is where the document's bytes were seen."""
    con.execute(
        f"INSERT INTO document_sources ({', '.join(_SOURCE_FIELDS)}) VALUES ({', '.join('?' for _ in _SOURCE_FIELDS)})",
        [document_id, source_path, os.path.basename(source_path), when, run_id],
    )


def _insert_documents(con, group: list[tuple[dict, pa.Table, pa.Table, pa.Table]], run_id: str, now: datetime) -> None:
    """The rows of new documents, each ``(document row, sections, facts, fx)`` checked by
    ``Warehouse._incoming`` (inside the caller's transaction or DuckLake commit): documents, their first source
    (add_source records later ones), sections, facts and exchange rates, one statement per table for the whole
    group (on a lake every statement writes its own Parquet file)."""
    def values(fields: tuple, rows: list[list]) -> tuple[str, list]:
        one = f"({', '.join('?' for _ in fields)})"
        return ", ".join(one for _ in rows), [v for row in rows for v in row]

    sql, params = values(DOCUMENT_FIELDS + ("ingested_at", "run_id"),
                         [[*(doc[k] for k in DOCUMENT_FIELDS), now, run_id] for doc, *_ in group])
    con.execute(f"INSERT INTO documents ({', '.join(DOCUMENT_FIELDS)}, ingested_at, run_id) VALUES {sql}", params)
    sql, params = values(_SOURCE_FIELDS, [[doc["document_id"], doc["source_path"], os.path.basename(doc["source_path"]),
                                           now, run_id] for doc, *_ in group])
    con.execute(f"INSERT INTO document_sources ({', '.join(_SOURCE_FIELDS)}) VALUES {sql}", params)
    tables = [pa.concat_tables([item[k] for item in group]) if len(group) > 1 else group[0][k] for k in (1, 2, 3)]
    _register_incoming(con, *tables)
    try:
        con.execute("INSERT INTO sections BY NAME SELECT * FROM _wh_sections_in")
        con.execute("INSERT INTO facts BY NAME SELECT * FROM _wh_facts_in")
        if tables[2].num_rows:
            con.execute("INSERT INTO fx_rates BY NAME SELECT * FROM _wh_fx_in")
    finally:
        _unregister_incoming(con)


class WarehouseLocked(RuntimeError):
    """The warehouse file is held by another writer (or by readers) past ``lock_timeout``."""

    def __init__(self, message: str, holder: dict | None = None):
        super().__init__(message)
        self.holder = holder or {}


class _SnapshotCopy:
    """A snapshot copy running in another process (``Warehouse.snapshot``): ``wait()`` puts it in place and gives
    its path, or removes the partial copy and raises."""

    def __init__(self, process: subprocess.Popen, tmp: Path, dest: Path) -> None:
        self.process, self.tmp, self.dest = process, tmp, dest
        self._done: Path | BaseException | None = None

    def wait(self) -> Path:
        if self._done is None:
            try:
                _, err = self.process.communicate()
                if self.process.returncode:
                    raise subprocess.CalledProcessError(self.process.returncode, self.process.args, stderr=err)
                os.replace(self.tmp, self.dest)
                self._done = self.dest
            except BaseException as exc:
                if self.process.poll() is None:
                    self.process.kill()
                    self.process.wait()
                self.tmp.unlink(missing_ok=True)
                self._done = exc
        if isinstance(self._done, BaseException):
            raise self._done
        return self._done


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ---- in-process registry: one writer xor many readers per file, across Warehouse objects ----------
_REGISTRY: dict[str, dict[str, Any]] = {}
_REGISTRY_COND = threading.Condition()


def _lock_conflict(exc: BaseException) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


class Warehouse:
    """One connection to the warehouse (a DuckDB file, or a DuckLake); a writer (default) or a read-only
    reader. ``data_path``: the DuckLake's data path (or $CANVAS_ETL_DATA_PATH); ``as_of``: a run id, an ISO
    time or ``@N``: a lake opened read-only at that snapshot (refused on a DuckDB file: lake.LakeError)."""

    _pending_snapshot: "_SnapshotCopy | None" = None  # snapshot(wait=False) still copying

    def __init__(self, path: str | os.PathLike | lake.Target, *, read_only: bool = False, lock_timeout: float = 30.0,
                 data_path: str | None = None, as_of: str | None = None):
        self.is_lake = is_lake_target(path)
        self.as_of_snapshot: int | None = None
        self._lookups: dict[str, pa.Array] | None = None  # lookup-table keys, read at the first load
        if self.is_lake:
            self._open_lake(path, read_only, data_path, as_of)
            return
        if as_of is not None:
            raise lake.LakeError("--as-of needs a DuckLake warehouse (--db ducklake:sqlite:PATH or "
                                 "ducklake:postgres:CONNINFO): a DuckDB file keeps no history of runs")
        self.target = lake.Target("duckdb", os.fspath(path))
        self.path = Path(path).expanduser().resolve()
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self.lock_path = sidecar_path(self.path)
        self._key = str(self.path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._run_id: str | None = None
        self._since = _now()
        deadline = time.monotonic() + max(0.0, lock_timeout)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _no_pandas_lookups()
        self._enter_registry(deadline)
        try:
            self._con = self._connect(deadline)
            if not read_only:
                self._since = _now()
                self._write_sidecar()
                apply_schema(self._con)
        except BaseException:
            if self._con is not None:
                self._con.close()
                self._con = None
                self._remove_sidecar()
            self._leave_registry()
            raise

    def _open_lake(self, db, read_only: bool, data_path: str | None, as_of: str | None) -> None:
        self.target = resolve_target(db, data_path, require_data_path=not read_only)
        self.path = None
        self.read_only = read_only or as_of is not None
        self.lock_timeout = 0.0
        self._con = None
        self._run_id = None
        if self.target.kind == "sqlite" and not self.read_only:
            Path(self.target.location).parent.mkdir(parents=True, exist_ok=True)
        if self.target.data_path and "://" not in self.target.data_path and not self.read_only:
            Path(self.target.data_path).mkdir(parents=True, exist_ok=True)
        if self.target.kind == "sqlite" and self.read_only and not Path(self.target.location).is_file():
            raise lake.LakeError(f"no DuckLake catalog at {self.target.location}")
        config = {} if self.read_only else dict(WRITER_CONFIG)
        if as_of is not None:
            self._con, self.as_of_snapshot = lake.open_as_of(self.target, as_of, config=config)
            return
        self._con = lake.connect(self.target, read_only=self.read_only, config=config)
        try:
            if not self.read_only:
                lake.apply_ddl(self._con, schema_sql())
                self._ensure_tokens()
        except BaseException:
            self._con.close()
            self._con = None
            raise

    def _ensure_tokens(self) -> None:
        def have(c) -> set:
            return {r[0] for r in c.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?",
                [lake.ALIAS, TOKEN_SCHEMA]).fetchall()}

        if len(have(self._con)) >= len(TOKEN_SHARDS):
            return

        def create(c) -> None:
            c.execute(f"CREATE SCHEMA IF NOT EXISTS {lake.ALIAS}.{TOKEN_SCHEMA}")
            there = have(c)
            for x in TOKEN_SHARDS:
                if f"t_{x}" not in there:
                    c.execute(f"CREATE TABLE {lake.ALIAS}.{TOKEN_SCHEMA}.t_{x} (n BIGINT NOT NULL)")
                    c.execute(f"INSERT INTO {lake.ALIAS}.{TOKEN_SCHEMA}.t_{x} VALUES (0)")

        lake.commit(self._con, create, message="load tokens", author="canvas-etl")

    def _lake_commit(self, work, *, message: str, run_id: str | None, shards: list[str] = (), **info):
        """One DuckLake commit (retried on conflict), tagged with the run id for ``--as-of``; it updates the
        token of each of ``shards`` (see TOKEN_SHARDS)."""
        def tokened(c):
            for shard in shards:
                c.execute(f"UPDATE {lake.ALIAS}.{TOKEN_SCHEMA}.t_{shard} SET n = n + 1")
            return work(c)

        extra = {"run_id": run_id, **info} if run_id else (info or None)
        return lake.commit(self.con, tokened if shards else work, message=message,
                           extra_info=extra, author="canvas-etl", retries=40)

    @property
    def name(self) -> str:
        """For messages: the file, or the lake with any password masked."""
        return str(self.path) if not self.is_lake else self.target.describe()

    # ---- connection and locking ----------------------------------------------------------------
    def _enter_registry(self, deadline: float) -> None:
        mode = "r" if self.read_only else "w"
        with _REGISTRY_COND:
            while True:
                entry = _REGISTRY.get(self._key)
                if entry is None:
                    _REGISTRY[self._key] = {"mode": mode, "count": 1, "holder": self._holder_info()}
                    return
                if mode == "r" and entry["mode"] == "r":
                    entry["count"] += 1
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    holder = entry["holder"] if entry["mode"] == "w" else {"pid": os.getpid(), "readers": entry["count"]}
                    raise WarehouseLocked(self._message(holder, same_process=True, mode=entry["mode"]), holder)
                _REGISTRY_COND.wait(min(remaining, 0.5))

    def _leave_registry(self) -> None:
        with _REGISTRY_COND:
            entry = _REGISTRY.get(self._key)
            if entry is not None:
                entry["count"] -= 1
                if entry["count"] <= 0:
                    del _REGISTRY[self._key]
            _REGISTRY_COND.notify_all()

    def _connect(self, deadline: float) -> duckdb.DuckDBPyConnection:
        delay = 0.05
        while True:
            try:
                config = {} if self.read_only else WRITER_CONFIG
                return duckdb.connect(str(self.path), read_only=self.read_only, config=config)
            except duckdb.IOException as exc:
                if not _lock_conflict(exc):
                    raise
                if time.monotonic() >= deadline:
                    holder = self._holder_from(exc)
                    raise WarehouseLocked(self._message(holder), holder) from exc
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 0.5)

    def _holder_info(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "run_id": self._run_id,
            "started_at": self._since.isoformat(timespec="seconds"),
            "path": str(self.path),
        }

    def _write_sidecar(self) -> None:
        info = self._holder_info()
        tmp = self.lock_path.with_name(self.lock_path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(info, indent=1), encoding="utf-8")
        os.replace(tmp, self.lock_path)
        with _REGISTRY_COND:
            entry = _REGISTRY.get(self._key)
            if entry is not None and entry["mode"] == "w":
                entry["holder"] = info

    def _remove_sidecar(self) -> None:
        try:
            info = json.loads(self.lock_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if info.get("pid") == os.getpid() and info.get("host") == socket.gethostname():
            try:
                self.lock_path.unlink()
            except OSError:
                pass

    def _holder_from(self, exc: BaseException) -> dict[str, Any]:
        m = re.search(r"PID (\d+)", str(exc))
        duck_pid = int(m.group(1)) if m else None
        try:
            info = json.loads(self.lock_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = None
        if info and (duck_pid is None or info.get("pid") == duck_pid):
            return info
        holder: dict[str, Any] = {"pid": duck_pid, "duckdb_error": str(exc)}
        if info:
            holder["stale_lock_file"] = info
        return holder

    def _message(self, holder: dict, *, same_process: bool = False, mode: str = "w") -> str:
        what = "read-only" if self.read_only else "read-write"
        base = f"cannot open {self.path} {what} within {self.lock_timeout:g}s: "
        if same_process and mode == "r":
            return base + f"{holder.get('readers')} read-only Warehouse(s) of this process (pid {holder.get('pid')}) hold it"
        if holder.get("run_id") is not None or holder.get("host"):
            return base + (
                f"held by the canvas-etl writer pid {holder.get('pid')} on host {holder.get('host')}, "
                f"run {holder.get('run_id') or '(none yet)'}, since {holder.get('started_at')}"
                + (" (this process)" if same_process else "")
            )
        stale = holder.get("stale_lock_file")
        return base + (
            f"held by pid {holder.get('pid')}, not a canvas-etl writer (probably a read-only reader, e.g. an "
            "analyst session, or another program)"
            + (f"; the lock file {self.lock_path.name} (pid {stale.get('pid')}) is stale" if stale else "")
        )

    # ---- lifecycle --------------------------------------------------------------------------------
    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise RuntimeError("warehouse is closed")
        return self._con

    def close(self) -> None:
        if self._con is None:
            return
        self._settle_snapshot()
        try:
            self._con.close()
        finally:
            self._con = None
            if self.is_lake:
                return
            if not self.read_only:
                self._remove_sidecar()
            self._leave_registry()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def query(self, sql: str, params: list | tuple | dict | None = None) -> list[tuple]:
        """Run one statement and return all rows."""
        return self.con.execute(sql, params).fetchall() if params is not None else self.con.execute(sql).fetchall()

    def _require_writer(self) -> None:
        if self.read_only:
            raise PermissionError(f"{self.name} is opened read_only: this Warehouse never writes")
        self._settle_snapshot()

    # ---- runs ------------------------------------------------------------------------------------
    def begin_run(self, flow_run_id: str | None = None, *, extractor_version: str | None = None) -> str:
        """Insert a runs row with status 'running'; returns the new run_id."""
        self._require_writer()
        started = _now()
        run_id = f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        insert = ("INSERT INTO runs (run_id, flow_run_id, started_at, status, extractor_version) "
                  "VALUES (?, ?, ?, 'running', ?)")
        params = [run_id, flow_run_id, started, extractor_version]
        self._run_id = run_id
        if self.is_lake:
            self._lake_commit(lambda c: c.execute(insert, params), message=f"begin run {run_id}", run_id=run_id)
            return run_id
        self.con.execute(insert, params)
        self._write_sidecar()
        return run_id

    def finish_run(self, run_id: str, status: str, counts: dict, *, message: str | None = None) -> None:
        """Set status, finished_at and counts (missing count fields are 0)."""
        self._require_writer()
        if status not in RUN_STATUSES:
            raise ValueError(f"status must be one of {RUN_STATUSES}, not {status!r}")
        unknown = set(counts or {}) - set(COUNT_FIELDS)
        if unknown:
            raise ValueError(f"unknown count fields {sorted(unknown)}; expected {COUNT_FIELDS}")
        c = {name: int((counts or {}).get(name) or 0) for name in COUNT_FIELDS}
        run = self.con if not self.is_lake else None
        if self.is_lake:  # one commit (the run's last snapshot: what --as-of RUN_ID answers from)
            return self._lake_commit(
                lambda con: self._finish_run(con, run_id, status, c, message),
                message=f"finish run {run_id}: {status}", run_id=run_id)
        self._finish_run(run, run_id, status, c, message)

    @staticmethod
    def _finish_run(con, run_id: str, status: str, c: dict, message: str | None) -> None:
        rows = con.execute(
            """UPDATE runs SET status = ?, finished_at = ?, message = ?,
                   counts = struct_pack(documents_seen := ?::INTEGER, documents_loaded := ?::INTEGER,
                                        documents_unchanged := ?::INTEGER, documents_rejected := ?::INTEGER,
                                        facts_loaded := ?::BIGINT)
               WHERE run_id = ?""",
            [status, _now(), message, *(c[n] for n in COUNT_FIELDS), run_id],
        ).fetchall()  # [(rows updated,)] (DuckLake has no UPDATE ... RETURNING)
        if not rows or not rows[0][0]:
            raise KeyError(f"no run {run_id!r}")

    # ---- documents ---------------------------------------------------------------------------------
    def known_document(self, sha256: str) -> str | None:
        """document_id if these bytes are already loaded, else None."""
        row = self.con.execute("SELECT document_id FROM documents WHERE sha256 = ?", [sha256.lower()]).fetchone()
        return row[0] if row else None

    def add_source(self, document_id: str, source_path: str, run_id: str) -> bool:
        """Record that the document's bytes were seen at ``source_path``; True if the path is new."""
        self._require_writer()
        return self._insert_source(document_id, str(source_path), run_id, _now())

    def _insert_source(self, document_id: str, source_path: str, run_id: str, when: datetime) -> bool:
        if self.is_lake:  # no unique key: insert unless present, serialized with the document's loads
            return self._lake_commit(lambda c: self._insert_source_if_new(c, document_id, source_path, run_id, when),
                                     message=f"source {document_id}", run_id=run_id, shards=[document_id[0].lower()])
        rows = self.con.execute(
            f"""INSERT INTO document_sources ({', '.join(_SOURCE_FIELDS)})
               VALUES ({', '.join('?' for _ in _SOURCE_FIELDS)}) ON CONFLICT DO NOTHING RETURNING document_id""",
            [document_id, source_path, os.path.basename(source_path), when, run_id],
        ).fetchall()
        return bool(rows)

    @staticmethod
    def _insert_source_if_new(c, document_id: str, source_path: str, run_id: str, when: datetime) -> bool:
        if c.execute("SELECT 1 FROM document_sources WHERE document_id = ? AND source_path = ?",
                     [document_id, source_path]).fetchone():
            return False
        _insert_source(c, document_id, source_path, run_id, when)
        return True

    def load_document(self, document: dict, sections: pa.Table | None, facts: pa.Table | None, run_id: str,
                      fx: pa.Table | None = None) -> int:
        """Load one document with its sections, facts and exchange rates (``fx``: ``FX_RATES_SCHEMA`` rows,
        optional) in ONE transaction; returns facts loaded.

        ``document`` has the ``documents`` columns (document_id, sha256 and source_path required; file_name
        defaults to the basename). ``sections``/``facts`` are Arrow tables of ``SECTIONS_SCHEMA`` /
        ``FACTS_SCHEMA`` (:mod:`warehouse.tables`), every id and key already in them: they go in as sent.
        Already loaded document_id -> nothing happens, returns 0. Any error -> ROLLBACK, nothing stays.
        """
        return self.load_new_document(document, sections, facts, run_id, fx) or 0

    def load_new_document(self, document: dict, sections: pa.Table | None, facts: pa.Table | None,
                          run_id: str, fx: pa.Table | None = None) -> int | None:
        """:meth:`load_document`, telling "already loaded" apart: None when the document (same document_id or
        sha256) is already in the warehouse (on a lake, its source path is then recorded in the same commit:
        another loader of the same bytes won the race)."""
        self._require_writer()
        doc, sections, facts, fx = self._incoming(document, sections, facts, fx)
        if self.is_lake:
            return self._load_group([(doc, sections, facts, fx)], run_id)[0]
        document_id = doc["document_id"]
        if self.con.execute("SELECT 1 FROM documents WHERE document_id = ?", [document_id]).fetchone():
            return None
        self._file_transaction(lambda con: _insert_documents(con, [(doc, sections, facts, fx)], run_id, _now()))
        return facts.num_rows

    def _file_transaction(self, work):
        """``work(con)`` in one transaction of the DuckDB file: committed, or rolled back and raised."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            out = work(con)
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise
        return out

    def load_new_documents(self, items: list[tuple[dict, pa.Table | None, pa.Table | None, pa.Table | None]],
                           run_id: str) -> list[int | None | Exception]:
        """Several documents, each ``(document, sections, facts, fx)`` as for :meth:`load_new_document`; one
        result each: facts loaded, None when already there, or the exception that refused it.

        The valid ones go in ONE transaction (DuckDB file) or commit (DuckLake): a commit costs about the same
        for one document as for sixteen (the file's write-ahead log, the lake's catalog transaction and Parquet
        files), and each document is still all or nothing since the group is. If that commit fails, each is
        committed alone so that only the culprit is refused. A document already there (or earlier in the
        group) gets its ``source_path`` recorded."""
        self._require_writer()
        out: list[int | None | Exception] = [None] * len(items)
        valid: list[tuple[int, tuple]] = []
        for i, (document, sections, facts, fx) in enumerate(items):
            try:
                valid.append((i, self._incoming(document, sections, facts, fx)))
            except Exception as exc:
                out[i] = exc
        if not valid:
            return out
        try:
            for (i, _), n in zip(valid, self._load_group([v for _, v in valid], run_id)):
                out[i] = n
        except Exception:
            if len(valid) == 1:
                raise
            for i, v in valid:  # find the one refused: each alone
                try:
                    out[i] = self._load_group([v], run_id)[0]
                except Exception as exc:
                    out[i] = exc
        return out

    def _incoming(self, document: dict, sections: pa.Table | None, facts: pa.Table | None,
                  fx: pa.Table | None) -> tuple[dict, pa.Table, pa.Table, pa.Table]:
        """A document's row and tables, checked (ids, enumerations) before any write."""
        doc = self._document_row(document)
        document_id = doc["document_id"]
        sections = sections if sections is not None else SECTIONS_SCHEMA.empty_table()
        facts = facts if facts is not None else FACTS_SCHEMA.empty_table()
        fx = fx if fx is not None else FX_RATES_SCHEMA.empty_table()
        for name, table in (("sections", sections), ("facts", facts), ("fx_rates", fx)):
            if table.num_rows and "document_id" in table.column_names:
                other = pc.unique(table.column("document_id")).to_pylist()
                if other != [document_id]:
                    raise ValueError(f"{name} table has document_id {other}, expected only {document_id!r}")
        if facts.num_rows and pc.count_distinct(facts.column("fact_id")).as_py() != facts.num_rows:
            raise ValueError("facts table repeats a fact_id")
        if self._lookups is None:
            self._lookups = _lookup_values(self.con)
        _check_enumerations(self._lookups, {"sections": sections, "facts": facts})
        return doc, sections, facts, fx

    def _load_group(self, group: list[tuple[dict, pa.Table, pa.Table, pa.Table]], run_id: str) -> list[int | None]:
        """One transaction (DuckDB file) or DuckLake commit for a group of checked documents (:meth:`_incoming`).
        The check for each document runs inside it. On a lake the commit updates the tokens of the documents'
        sha256 shards, so two loaders of the same bytes conflict: the loser is rolled back, re-runs against the
        newer snapshot and finds the document (None for it)."""

        def work(c) -> list[int | None]:
            now = _now()
            out: list[int | None] = []
            new: dict[str, tuple] = {}  # sha256 -> the group's first document with these bytes
            sources = []
            for item in group:
                doc = item[0]
                if doc["sha256"] in new or c.execute("SELECT 1 FROM documents WHERE document_id = ? OR sha256 = ?",
                                                     [doc["document_id"], doc["sha256"]]).fetchone():
                    sources.append(doc)
                    out.append(None)
                else:
                    new[doc["sha256"]] = item
                    out.append(item[2].num_rows)
            if new:
                _insert_documents(c, list(new.values()), run_id, now)
            for doc in sources:  # bytes already there (or earlier in the group): where they were seen
                known = new[doc["sha256"]][0]["document_id"] if doc["sha256"] in new else doc["document_id"]
                self._insert_source_if_new(c, known, doc["source_path"], run_id, now)
            return out

        if not self.is_lake:
            return self._file_transaction(work)
        ids = [doc["document_id"] for doc, *_ in group]
        return self._lake_commit(work, message=f"document {ids[0]}" if len(ids) == 1 else f"{len(ids)} documents",
                                 run_id=run_id, shards=sorted({doc["sha256"][0] for doc, *_ in group}),
                                 **({"document_id": ids[0]} if len(ids) == 1 else {"document_ids": ids}))

    @staticmethod
    def _document_row(document: dict) -> dict:
        unknown = set(document) - set(DOCUMENT_FIELDS)
        if unknown:
            raise ValueError(f"unknown document fields {sorted(unknown)}; expected {DOCUMENT_FIELDS}")
        doc = {k: document.get(k) for k in DOCUMENT_FIELDS}
        if not doc["document_id"] or not doc["sha256"] or not doc["source_path"]:
            raise ValueError("document needs document_id, sha256 and source_path")
        doc["sha256"] = str(doc["sha256"]).lower()
        doc["source_path"] = str(doc["source_path"])
        if doc["file_name"] is None:
            doc["file_name"] = os.path.basename(doc["source_path"])
        if doc["languages"] is not None:
            doc["languages"] = list(doc["languages"])
        return doc

    def record_rejection(self, path: str, sha256: str | None, reason: str, run_id: str) -> None:
        """One rejected_inputs row."""
        self._require_writer()
        insert = "INSERT INTO rejected_inputs (path, sha256, reason, run_id, rejected_at) VALUES (?, ?, ?, ?, ?)"
        params = [str(path), sha256, reason, run_id, _now()]
        if self.is_lake:
            self._lake_commit(lambda c: c.execute(insert, params), message="rejected input", run_id=run_id)
            return
        self.con.execute(insert, params)

    # ---- snapshot for analysts -----------------------------------------------------------------------
    def snapshot(self, dest: str | os.PathLike, *, wait: bool = True) -> "Path | _SnapshotCopy":
        """Write a consistent copy of the warehouse to ``dest`` (atomically replaced), for analysts.

        ``wait=False``: return as soon as the copy has started (a ``_SnapshotCopy``, whose ``wait()`` gives the
        path or raises), so that the caller reads meanwhile (a run's summary); this connection's next write, or
        its closing, waits for the copy first.

        Analysts cannot open the warehouse while a load holds it (DuckDB file lock); they open the
        snapshot instead (read-only). The writer checkpoints (every committed transaction moves from the WAL
        into the file) and has the file's bytes copied: between the two nothing writes (this connection is the
        file's only writer and runs nothing else meanwhile), so the copy is the database as of the last commit,
        tables, views and comments, and costs a file copy rather than a re-encoding of every table.
        """
        self._require_writer()
        if self.is_lake:
            raise ValueError("a DuckLake keeps every snapshot itself (read at one with --as-of)")
        dest = Path(dest).expanduser().resolve()
        if dest == self.path:
            raise ValueError("snapshot destination is the warehouse itself")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
        self.checkpoint()
        # copied by another process: the file lock DuckDB holds is a POSIX record lock, which this process would
        # lose the moment it closed any descriptor of the file of its own (its copy's read side)
        copy = _SnapshotCopy(subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])", str(self.path),
             str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), tmp, dest)
        if wait:
            return copy.wait()
        self._pending_snapshot = copy
        return copy

    def checkpoint(self) -> None:
        """Move what the write-ahead log holds into the DuckDB file now (compressing it), rather than at the next
        automatic checkpoint or snapshot (nothing to do on a lake)."""
        self._require_writer()
        if not self.is_lake:
            self._settle_snapshot()
            self.con.execute("CHECKPOINT")

    def _settle_snapshot(self) -> None:
        """Before the next write, or closing: the copy started by ``snapshot(wait=False)`` ends first (its
        outcome is its caller's to read, from the ``_SnapshotCopy`` it got)."""
        copy, self._pending_snapshot = self._pending_snapshot, None
        if copy is not None:
            with contextlib.suppress(Exception):
                copy.wait()

    def publish_snapshot(self, *, wait: bool = True) -> "Path | _SnapshotCopy | None":
        """The read snapshot beside a DuckDB warehouse file (:func:`snapshot_path`), atomically replaced: what
        read commands answer from while a load holds the file. Nothing to do on a lake (returns None).
        ``wait=False``: see ``snapshot``."""
        if self.is_lake:
            return None
        return self.snapshot(snapshot_path(self.path), wait=wait)

    def publish_snapshot_path(self) -> Path:
        return snapshot_path(self.path)
