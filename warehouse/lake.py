"""DuckLake targets: parse ``--db``, load the DuckDB extensions offline, attach, apply DDL, commit with
retry, list snapshots and read at one (issue 16 groundwork; docs/ducklake-notes.md has the findings).

Self-contained: imports only duckdb and the standard library, so the CLI and the loader can adopt it piece
by piece. A target is one of

- ``PATH.duckdb`` (or any path without a ``ducklake:`` prefix): the embedded DuckDB file;
- ``ducklake:sqlite:PATH``: DuckLake, catalog in a SQLite file (several local processes);
- ``ducklake:postgres:CONNINFO``: DuckLake, catalog in PostgreSQL (libpq conninfo such as
  ``dbname=lake host=db.example port=5432 user=etl``; many machines).

DuckLake targets need a data path for the Parquet files: ``--data-path DIR`` or ``CANVAS_ETL_DATA_PATH``.
The catalog remembers the data path it was created with; a different one later is refused by DuckLake.

Extensions are never INSTALLed from the network: they come from the wheels ``duckdb-extension-ducklake``,
``duckdb-extension-sqlite`` and ``duckdb-extension-postgres`` (pinned in requirements.lock to the exact
DuckDB version; each ships ``<pkg>/extensions/v<duckdb version>/<name>.duckdb_extension``). A missing one is
:class:`MissingExtension`, whose message is one line naming the package to install.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path
from typing import Any, Callable, TypeVar

import duckdb

ALIAS = "lake"
DATA_PATH_ENV = "CANVAS_ETL_DATA_PATH"

# logical name -> (import name of the wheel's package, pip name, file stem in the wheel, entry-point name)
# The sqlite/postgres wheels name the file after the alias (sqlite.duckdb_extension) while the binary's
# init symbol carries the canonical name (sqlite_scanner_duckdb_cpp_init): DuckDB derives the symbol from
# the file name, so such a file is loaded through a symlink named after the canonical name.
_EXTENSIONS = {
    "ducklake": [("duckdb_extension_ducklake", "duckdb-extension-ducklake", "ducklake", "ducklake")],
    "sqlite": [
        ("duckdb_extension_sqlite", "duckdb-extension-sqlite", "sqlite", "sqlite_scanner"),
        ("duckdb_extension_sqlite_scanner", "duckdb-extension-sqlite-scanner", "sqlite_scanner", "sqlite_scanner"),
    ],
    "postgres": [
        ("duckdb_extension_postgres", "duckdb-extension-postgres", "postgres", "postgres_scanner"),
        ("duckdb_extension_postgres_scanner", "duckdb-extension-postgres-scanner", "postgres_scanner",
         "postgres_scanner"),
    ],
}

# Never download or auto-load anything: every extension is loaded explicitly from a wheel.
OFFLINE_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

T = TypeVar("T")


class LakeError(RuntimeError):
    """A DuckLake target cannot be used as asked (bad --db, missing data path, unknown run id...)."""


class MissingExtension(LakeError):
    """A DuckDB extension wheel is not installed (or is built for another DuckDB version)."""


class CommitConflict(LakeError):
    """A commit still conflicted after every retry."""


# ---- targets ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    kind: str  # "duckdb" | "sqlite" | "postgres"
    location: str  # file path, or the PostgreSQL conninfo
    data_path: str | None = None

    @property
    def is_lake(self) -> bool:
        return self.kind != "duckdb"

    @property
    def attach_uri(self) -> str:
        return self.location if self.kind == "duckdb" else f"ducklake:{self.kind}:{self.location}"

    def describe(self) -> str:
        """For messages: the target with any password in a conninfo masked."""
        if self.kind != "postgres":
            return self.attach_uri
        return "ducklake:postgres:" + re.sub(r"(password\s*=\s*)(\S+)", r"\1***", self.location)


def parse_target(db: str, data_path: str | None = None, env: dict[str, str] | None = None, *,
                 require_data_path: bool = True) -> Target:
    """``--db`` value (+ ``--data-path`` or $CANVAS_ETL_DATA_PATH) -> :class:`Target`.

    ``require_data_path=False`` (readers): a lake without a data path is attached with the one its catalog
    recorded when it was created.

    >>> parse_target("warehouse/canvas.duckdb").kind
    'duckdb'
    >>> parse_target("ducklake:sqlite:/tmp/c.sqlite", "/tmp/data")
    Target(kind='sqlite', location='/tmp/c.sqlite', data_path='/tmp/data')
    """
    env = os.environ if env is None else env
    db = db.strip()
    if not db.startswith("ducklake:"):
        if not db:
            raise LakeError("--db is empty")
        return Target("duckdb", db, None)
    rest = db[len("ducklake:"):]
    kind, sep, location = rest.partition(":")
    if not sep or kind not in ("sqlite", "postgres"):
        raise LakeError(f"--db {db!r}: expected ducklake:sqlite:PATH or ducklake:postgres:CONNINFO")
    if not location.strip():
        raise LakeError(f"--db {db!r}: the catalog {'path' if kind == 'sqlite' else 'conninfo'} is empty")
    data_path = data_path or env.get(DATA_PATH_ENV)
    if not data_path and require_data_path:
        raise LakeError(f"--db {db.split(':', 2)[0]}:{kind}:… needs --data-path DIR (or {DATA_PATH_ENV})")
    return Target(kind, location.strip(), data_path)


# ---- extensions (offline) -------------------------------------------------------------------------------
_LINK_DIR: str | None = None


def _link_dir() -> str:
    global _LINK_DIR
    if _LINK_DIR is None:
        _LINK_DIR = tempfile.mkdtemp(prefix="canvas-etl-ext-")
        atexit.register(shutil.rmtree, _LINK_DIR, True)
    return _LINK_DIR


def extension_file(name: str) -> tuple[Path, str]:
    """(path of the .duckdb_extension file shipped by its wheel, canonical extension name)."""
    if name not in _EXTENSIONS:
        raise LakeError(f"unknown extension {name!r}")
    version = duckdb.__version__
    tried = []
    for module, pip_name, stem, canonical in _EXTENSIONS[name]:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            tried.append(pip_name)
            continue
        root = Path(list(spec.submodule_search_locations)[0]) / "extensions"
        path = root / f"v{version}" / f"{stem}.duckdb_extension"
        if path.is_file():
            return path, canonical
        built = sorted(p.name for p in root.glob("v*")) if root.is_dir() else []
        raise MissingExtension(
            f"DuckDB extension {name!r}: {pip_name} is built for DuckDB {', '.join(built) or '?'} "
            f"but DuckDB is {version}; install {pip_name}=={version}"
        )
    raise MissingExtension(f"DuckDB extension {name!r} is not installed: pip install {tried[0]}=={version}")


def load_extensions(con: duckdb.DuckDBPyConnection, names: list[str] | tuple[str, ...]) -> None:
    """LOAD each extension from its wheel (no network); already loaded ones are left alone."""
    loaded = {r[0] for r in con.execute(
        "SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()}
    for name in names:
        path, canonical = extension_file(name)
        if canonical in loaded:
            continue
        if path.stem != canonical:
            link = Path(_link_dir()) / f"{canonical}.duckdb_extension"
            if not link.exists():
                link.symlink_to(path)
            path = link
        con.execute(f"LOAD '{_sql_str(str(path))}'")


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


# ---- connect ----------------------------------------------------------------------------------------------
def connect(target: Target, *, read_only: bool = False, snapshot: int | None = None,
            config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """A connection with the target attached as ``lake`` and selected (``USE lake``).

    ``snapshot``: attach a DuckLake at that snapshot id (read-only; every table and view answers as of it).
    A DuckDB file is opened directly (``snapshot`` is refused: a file has no snapshots).
    """
    cfg = dict(OFFLINE_CONFIG)
    cfg.update(config or {})
    if target.kind == "duckdb":
        if snapshot is not None:
            raise LakeError("--as-of needs a DuckLake target (--db ducklake:…); a DuckDB file keeps no snapshots")
        return duckdb.connect(target.location, read_only=read_only, config=cfg)
    con = duckdb.connect(config=cfg)
    try:
        load_extensions(con, ["ducklake", target.kind])
        # no data path: the one the catalog recorded (an existing lake, opened by a reader)
        options = [f"DATA_PATH '{_sql_str(target.data_path)}'"] if target.data_path else []
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        if read_only or snapshot is not None:
            options.append("READ_ONLY")
        opts = f" ({', '.join(options)})" if options else ""
        con.execute(f"ATTACH '{_sql_str(target.attach_uri)}' AS {ALIAS}{opts}")
        con.execute(f"USE {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


# ---- DDL -------------------------------------------------------------------------------------------------
def split_sql(text: str) -> list[str]:
    """Statements of a SQL script (``;`` outside quotes and ``--`` comments), comments dropped."""
    out, buf, i, n = [], [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            buf.append("\n")
            continue
        if c in ("'", '"'):
            j = i + 1
            while j < n:
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            buf.append(text[i:j + 1])
            i = j + 1
            continue
        if c == ";":
            stmt = "".join(buf).strip()
            if stmt:
                out.append(stmt)
            buf = []
        else:
            buf.append(c)
        i += 1
    stmt = "".join(buf).strip()
    if stmt:
        out.append(stmt)
    return out


def _drop_balanced(text: str, start: int) -> int:
    """Index just past the parenthesised group opening at or after ``start``."""
    i = text.index("(", start)
    depth = 0
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        elif text[i] == "'":
            i = text.index("'", i + 1)
        i += 1
    raise LakeError("unbalanced parentheses in DDL")


_TABLE_RE = re.compile(r"^\s*CREATE\s+TABLE\b", re.I)
_VIEW_RE = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w\"]+)", re.I)
_COL_COMMENT_RE = re.compile(r"^\s*COMMENT\s+ON\s+COLUMN\s+([\w\"]+)\.", re.I)
_UNSUPPORTED_RE = re.compile(r"^\s*CREATE\s+(?:UNIQUE\s+)?(?:INDEX|SEQUENCE)\b", re.I)
# a lookup table's rows: INSERT INTO t (key, ...) VALUES ... ON CONFLICT DO NOTHING (needs the primary key)
_INSERT_NEW_RE = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES(.*?)ON\s+CONFLICT\s+DO\s+NOTHING\s*;?\s*$",
                            re.I | re.S)


def _strip_constraints(stmt: str) -> str:
    """A CREATE TABLE without PRIMARY KEY / UNIQUE / CHECK (DuckLake keeps NOT NULL and DEFAULT only)."""
    # table-level constraints: ", PRIMARY KEY (...)" / ", UNIQUE (...)" / ", CHECK (...)"
    while True:
        m = re.search(r",\s*(?:CONSTRAINT\s+\w+\s+)?(PRIMARY\s+KEY|UNIQUE|CHECK)\s*\(", stmt, re.I)
        if not m:
            break
        stmt = stmt[:m.start()] + stmt[_drop_balanced(stmt, m.start(1)):]
    while True:  # column-level CHECK (...)
        m = re.search(r"\s+CHECK\s*\(", stmt, re.I)
        if not m:
            break
        stmt = stmt[:m.start()] + stmt[_drop_balanced(stmt, m.start()):]
    return re.sub(r"\s+(PRIMARY\s+KEY|UNIQUE)\b", "", stmt, flags=re.I)


@dataclass
class AdaptedDDL:
    statements: list[str]
    dropped: list[str]  # what DuckLake cannot hold, one line each (for docs/logs)


def adapt_ddl(ddl: str) -> AdaptedDDL:
    """The statements of ``ddl`` that DuckLake 1.5 accepts: constraints other than NOT NULL removed
    (PRIMARY KEY, UNIQUE, CHECK), indexes and sequences dropped, COMMENT ON COLUMN of a view dropped
    (DuckLake comments views, not their columns), INSERT ... ON CONFLICT DO NOTHING (lookup rows) rewritten
    to insert only the rows whose key is missing. Everything else (tables, list/struct columns,
    DEFAULT literals, views, COMMENT ON TABLE/VIEW/COLUMN of tables) is kept as written."""
    stmts = split_sql(ddl)
    views = set()
    for s in stmts:
        m = _VIEW_RE.match(s)
        if m:
            views.add(m.group(1).strip('"').lower())
    kept, dropped = [], []
    for s in stmts:
        head = " ".join(s.split())[:80]
        if _UNSUPPORTED_RE.match(s):
            dropped.append(f"not supported by DuckLake: {head}")
            continue
        m = _COL_COMMENT_RE.match(s)
        if m and m.group(1).strip('"').lower() in views:
            dropped.append(f"view column comment: {head}")
            continue
        m = _INSERT_NEW_RE.match(s)
        if m:  # no primary key to conflict on: insert the rows whose key (first column) is not there yet
            table, cols, values = m.group(1), m.group(2), m.group(3).strip()
            key = cols.split(",")[0].strip()
            s = (f"INSERT INTO {table} ({cols}) SELECT * FROM (VALUES {values}) AS v({cols}) "
                 f"WHERE v.{key} NOT IN (SELECT {key} FROM {table})")
            dropped.append(f"ON CONFLICT DO NOTHING rewritten as NOT IN: {head}")
        if _TABLE_RE.match(s):
            stripped = _strip_constraints(s)
            if stripped != s:
                dropped.append(f"constraints (PRIMARY KEY/UNIQUE/CHECK) removed: {head}")
            s = stripped
        kept.append(s)
    return AdaptedDDL(kept, dropped)


def ddl_fingerprint(ddl: str) -> str:
    return sha256(ddl.encode("utf-8")).hexdigest()[:16]


def apply_ddl(con: duckdb.DuckDBPyConnection, ddl: str, *, retries: int = 20) -> bool:
    """Apply ``ddl`` (adapted) in one snapshot whose commit message is ``schema <fingerprint>``.

    Idempotent and safe under concurrency: when a snapshot with that message exists, nothing is done (so
    opening a lake does not add a snapshot each time); two processes applying at once conflict on the
    CREATEs, the loser retries, sees the winner's snapshot and stops. Returns True when it applied."""
    message = f"schema {ddl_fingerprint(ddl)}"
    adapted = adapt_ddl(ddl)

    def work(c: duckdb.DuckDBPyConnection) -> bool:
        found = c.execute(
            f"SELECT count(*) FROM {ALIAS}.snapshots() WHERE commit_message = ?", [message]).fetchone()[0]
        if found:
            return False
        for stmt in adapted.statements:
            c.execute(stmt)
        return True

    return commit(con, work, message=message, retries=retries)


# ---- commits ------------------------------------------------------------------------------------------
def is_conflict(exc: BaseException) -> bool:
    """A commit lost a race with another writer (retrying the whole transaction may succeed)."""
    text = str(exc)
    return isinstance(exc, duckdb.Error) and (
        "Transaction conflict" in text
        or "Failed to commit DuckLake transaction" in text
        or "database is locked" in text  # SQLite catalog busy
        or "could not serialize access" in text  # PostgreSQL serialization failure
    )


def commit(con: duckdb.DuckDBPyConnection, work: Callable[[duckdb.DuckDBPyConnection], T], *,
           message: str | None = None, extra_info: dict | str | None = None, author: str | None = None,
           token: str | None = None, retries: int = 20, wait: float = 0.05) -> T:
    """Run ``work(con)`` in one transaction (one snapshot) and commit; on a conflict roll back and run it
    again, up to ``retries`` times with a growing randomised wait. ``work`` must read what it depends on
    inside the transaction (it is re-run against the newer snapshot after a conflict).

    ``message`` / ``extra_info`` / ``author`` are recorded on the snapshot (``snapshots()`` columns
    commit_message / commit_extra_info / author; a dict is stored as JSON, e.g. ``{"run_id": ...}``).

    ``token``: name of a one-row table that the transaction updates, so that any two transactions passing
    the same token conflict and one is retried. DuckLake lets concurrent pure INSERTs commit side by side
    (there are no unique keys), so a check-then-insert (load a document unless its sha256 is present) needs
    a token to stay idempotent under concurrency. The table is created on first use.
    """
    import random

    if isinstance(extra_info, dict):
        extra_info = json.dumps(extra_info, sort_keys=True)
    if token is not None:
        ensure_token(con, token)
    for attempt in range(retries + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            result = work(con)
            if token is not None:
                con.execute(f"UPDATE {ALIAS}.{token} SET n = n + 1")
            if message is not None or extra_info is not None or author is not None:
                con.execute(f"CALL {ALIAS}.set_commit_message(?, ?, extra_info => ?)",
                            [author, message, extra_info])
            con.execute("COMMIT")
            return result
        except BaseException as exc:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            if not is_conflict(exc):
                raise
            if attempt == retries:
                raise CommitConflict(f"commit still conflicting after {retries} retries: "
                                     f"{str(exc).splitlines()[0]}") from exc
            time.sleep(wait * (1.5 ** min(attempt, 10)) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def ensure_token(con: duckdb.DuckDBPyConnection, token: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", token):
        raise LakeError(f"bad token table name {token!r}")
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
        [ALIAS, token]).fetchone()[0]
    if exists:
        return

    def create(c: duckdb.DuckDBPyConnection) -> None:
        if c.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
                     [ALIAS, token]).fetchone()[0]:
            return
        c.execute(f"CREATE TABLE {ALIAS}.{token} (n BIGINT NOT NULL)")
        c.execute(f"INSERT INTO {ALIAS}.{token} VALUES (0)")

    commit(con, create, message=f"token {token}")


# ---- snapshots -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    snapshot_id: int
    snapshot_time: datetime
    changes: dict
    author: str | None
    commit_message: str | None
    commit_extra_info: str | None

    @property
    def run_id(self) -> str | None:
        """``run_id`` from a JSON commit_extra_info, when there is one."""
        try:
            info = json.loads(self.commit_extra_info or "")
        except ValueError:
            return None
        return info.get("run_id") if isinstance(info, dict) else None


def snapshots(con: duckdb.DuckDBPyConnection) -> list[Snapshot]:
    rows = con.execute(
        f"SELECT snapshot_id, snapshot_time, changes, author, commit_message, commit_extra_info "
        f"FROM {ALIAS}.snapshots() ORDER BY snapshot_id").fetchall()
    return [Snapshot(*r) for r in rows]


def current_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(f"SELECT id FROM {ALIAS}.current_snapshot()").fetchone()[0]


def resolve_as_of(con: duckdb.DuckDBPyConnection, as_of: str) -> int:
    """``--as-of`` value -> snapshot id: a run id (the newest snapshot whose commit_extra_info has that
    ``run_id``), an ISO timestamp (the newest snapshot at or before it; a naive one is UTC), or
    ``@N`` for snapshot N."""
    as_of = as_of.strip()
    snaps = snapshots(con)
    if as_of.startswith("@") and as_of[1:].isdigit():
        n = int(as_of[1:])
        if any(s.snapshot_id == n for s in snaps):
            return n
        raise LakeError(f"--as-of {as_of}: no snapshot {n}")
    by_run = [s.snapshot_id for s in snaps if s.run_id == as_of]
    if by_run:
        return max(by_run)
    try:
        when = datetime.fromisoformat(as_of)
    except ValueError:
        raise LakeError(f"--as-of {as_of!r}: no run with that id, and not a timestamp") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    before = [s.snapshot_id for s in snaps if s.snapshot_time <= when]
    if not before:
        raise LakeError(f"--as-of {as_of}: the lake has no snapshot that old")
    return max(before)


def open_as_of(target: Target, as_of: str, **kw: Any) -> tuple[duckdb.DuckDBPyConnection, int]:
    """A read-only connection at the snapshot ``as_of`` names (see :func:`resolve_as_of`)."""
    if not target.is_lake:
        raise LakeError("--as-of needs a DuckLake target (--db ducklake:…); a DuckDB file keeps no snapshots")
    probe = connect(target, read_only=True, **kw)
    try:
        snap = resolve_as_of(probe, as_of)
    finally:
        probe.close()
    return connect(target, snapshot=snap, **kw), snap
