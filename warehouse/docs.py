"""Generate docs/warehouse.md from the database's own comments (so the doc never drifts).

    python -m warehouse.docs            # rewrite docs/warehouse.md
    python -m warehouse.docs --check    # exit 1 if docs/warehouse.md is stale

Tables/views/columns come from ``duckdb_tables()``, ``duckdb_views()`` and ``duckdb_columns()`` of an
in-memory database built from ``warehouse/schema.sql``; the cookbook from ``docs/cookbook.sql``.
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.store import apply_schema

REPO = Path(__file__).resolve().parent.parent
DOC_PATH = REPO / "docs" / "warehouse.md"
COOKBOOK_PATH = REPO / "docs" / "cookbook.sql"

CONCURRENCY = """\
## Querying while a load runs

What DuckDB 2.0 actually does (checked on 2.0.0, and by `tests/warehouse/test_store.py`):

- A DuckDB file is opened either by **one** process read-write, or by **any number** of processes
  read-only, never both. A load (`Warehouse(path)`) holds the file read-write for its whole run.
- While a load runs, opening the live file from another process fails at once, **read-only included**:
  `duckdb.connect(path, read_only=True)` and `ATTACH 'path' AS wh (READ_ONLY)` both raise
  `IO Error: Could not set lock on file "...": Conflicting lock is held in ... (PID n)` (the CLI's
  `-readonly` takes the same file lock). There is no waiting mode on the DuckDB side.
- The reverse also holds: while an analyst keeps the live file open (even read-only), a load cannot
  start. `Warehouse` retries for `lock_timeout` seconds (30 by default), then raises
  `WarehouseLocked`, naming the holder: pid, host, run id and start time of a canvas-etl writer (from
  the sidecar file `<db>.lock.json` the writer keeps while it holds the file), or just the PID when
  the holder is a reader or another program. So do not keep sessions open on the live file.
- Inside one Python process, DuckDB refuses a read-only connection to a file the same process has open
  read-write ("different configuration"), and `Warehouse` refuses a second writer.
- Copying the live file with `cp` while a load runs is **not** safe: committed data can still be in
  the `.wal` file next to it.

**What canvas-etl does about it** (docs/operations.md, "Querying while a load runs"): every run that
loads or rejects something publishes a **read snapshot** beside the file, `<name>.snapshot.duckdb`
(`Warehouse.publish_snapshot`: the loader, the file's only writer, runs `CHECKPOINT` so that nothing
committed is left in the `.wal`, copies the file to a temporary name and renames it over the previous
snapshot atomically: a file copy, ~0.1-0.2 s for 200 reports), also every `CANVAS_ETL_SNAPSHOT_SECONDS`
(300) of a long run, and once at the start of a first load (readers then see an empty warehouse rather
than a refusal).
Read commands (`facts`, `sql`, `report`...) use the live file when it is free and the newest snapshot
when a load holds it, saying so on stderr (`... answering from the read snapshot canvas.snapshot.duckdb,
as of run ID`). Analysts' own sessions should open the snapshot (`duckdb -readonly <snapshot>`), never the
live file: replacing the snapshot while someone has it open is fine on Linux (the session keeps the
previous copy until it reconnects), whereas a session on the live file blocks the next load.

**DuckLake** (`--db ducklake:sqlite:PATH` or `ducklake:postgres:CONNINFO`, `--data-path DIR`) has no
file lock at all: readers and any number of loaders work at once, and every run is a snapshot that read
commands reach with `--as-of RUN_ID` (docs/scaling.md). DuckLake keeps the same tables, views and table
comments, but not the comments on view columns, nor PRIMARY KEY/UNIQUE/CHECK (the loader enforces
uniqueness by sha256 and the lookup values itself); this reference is generated from schema.sql for both.
"""


@dataclass
class CookbookQuery:
    name: str
    description: str
    sql: str


def parse_cookbook(text: str) -> list[CookbookQuery]:
    """Split cookbook.sql into queries: '-- name: x', '-- ' description lines, SQL ending with ';'."""
    queries: list[CookbookQuery] = []
    blocks = re.split(r"^-- name:\s*", text, flags=re.M)
    for block in blocks[1:]:
        lines = block.splitlines()
        name = lines[0].strip()
        desc, body = [], []
        for line in lines[1:]:
            if not body and line.startswith("--"):
                desc.append(line[2:].strip())
            elif line.strip() or body:
                body.append(line.rstrip())
        sql = "\n".join(body).strip()
        if not sql.endswith(";"):
            raise ValueError(f"cookbook query {name!r} must end with ';'")
        queries.append(CookbookQuery(name, " ".join(desc), sql))
    return queries


def load_cookbook(path: Path = COOKBOOK_PATH) -> list[CookbookQuery]:
    return parse_cookbook(path.read_text(encoding="utf-8"))


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str, str | None]]:
    return con.execute(
        """SELECT column_name, data_type, comment FROM duckdb_columns()
           WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?
           ORDER BY column_index""",
        [name],
    ).fetchall()


def generate(con: duckdb.DuckDBPyConnection | None = None, cookbook: Path = COOKBOOK_PATH) -> str:
    """The markdown text, from the comments of ``con`` (default: a fresh in-memory schema)."""
    own = con is None
    if own:
        con = duckdb.connect(":memory:")
        apply_schema(con)
    try:
        out = [
            "# canvas-etl warehouse reference",
            "",
            "<!-- GENERATED by `python -m warehouse.docs` from the COMMENTs in warehouse/schema.sql and from",
            "     docs/cookbook.sql. Do not edit: change the comments/cookbook and regenerate. -->",
            "",
            "Tables and column names are a public API. Values are in base units (`value` 1.6e9 for",
            '"1,6 milliard"), money converted to DOUBLE from exact decimals. Edition-aware views:',
            "`editions`, `facts_latest`, `fact_changes`, `fact_conflicts`.",
            "",
            "Lookup tables hold the one list of each enumeration: `canvas_blocks` (with an English label and the",
            "reading order), `fact_kinds`, `period_grains`, `fact_flags` and `period_sources`. `facts` and `sections`",
            "refer to them (foreign keys; a CHECK for the list column `facts.flags`), so a load with an unknown",
            "value fails and rolls back. A file made before the lookup tables gets them, filled, on its next writer",
            "open; its existing `facts`/`sections` tables stay without the constraints (DuckDB cannot add one to an",
            "existing table): ingest into a new file to have them enforced.",
            "",
            CONCURRENCY,
        ]
        tables = con.execute(
            """SELECT table_name, comment FROM duckdb_tables()
               WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
               ORDER BY table_oid"""
        ).fetchall()
        views = con.execute(
            """SELECT view_name, comment FROM duckdb_views()
               WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
               ORDER BY view_oid"""
        ).fetchall()
        for title, objects in (("Tables", tables), ("Views", views)):
            out += [f"## {title}", ""]
            for name, comment in objects:
                out += [f"### `{name}`", "", comment or "_(no comment)_", "", "| column | type | description |", "|---|---|---|"]
                for column, dtype, ccomment in _columns(con, name):
                    out.append(f"| `{column}` | `{_cell(dtype)}` | {_cell(ccomment)} |")
                out.append("")
        out += ["## Cookbook", "", "Hand-written queries from `docs/cookbook.sql` (each one is run by the tests).", ""]
        for q in load_cookbook(cookbook):
            out += [f"### {q.name}", "", q.description, "", "```sql", q.sql, "```", ""]
        return "\n".join(out).rstrip() + "\n"
    finally:
        if own:
            con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the doc is stale, write nothing")
    parser.add_argument("--output", type=Path, default=DOC_PATH, help=f"markdown file (default {DOC_PATH})")
    parser.add_argument("--cookbook", type=Path, default=COOKBOOK_PATH)
    args = parser.parse_args(argv)
    text = generate(cookbook=args.cookbook)
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if args.check:
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), str(args.output), "generated", lineterm="", n=1)
            print("\n".join(list(diff)[:40]), file=sys.stderr)
            print(f"{args.output} is stale: run `python -m warehouse.docs`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
