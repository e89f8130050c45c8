#!/usr/bin/env python
"""Dump or compare every column of documents, sections, facts and editions built from a fixed set of reports.

Used to show that a refactoring changed nothing the warehouse holds:

    .venv/bin/python bench/compare_outputs.py dump --out /tmp/before.json        # on the old code
    .venv/bin/python bench/compare_outputs.py dump --out /tmp/after.json         # on the new code
    .venv/bin/python bench/compare_outputs.py diff /tmp/before.json /tmp/after.json

The reports: raw/, tests/fixtures/reports/ and --corpus N generated reports (bench/make_corpus.py, seed 7).
Columns that differ on every run by nature (run ids, load timestamps) are left out.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VOLATILE = {"run_id", "loaded_at", "first_seen_run", "last_seen_run", "first_seen_at", "last_seen_at",
            "started_at", "finished_at", "seen_at", "ingested_at", "source_path", "path"}
TABLES = ["documents", "sections", "facts", "editions"]


def _inputs(corpus: int, work: Path) -> list[str]:
    files = sorted(str(p) for p in (ROOT / "raw").glob("*.txt"))
    files += sorted(str(p) for p in (ROOT / "tests" / "fixtures" / "reports").glob("*.txt"))
    if corpus:
        out = work / "corpus"
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), "--n", str(corpus),
                        "--out", str(out), "--seed", "7"], check=True, stdout=subprocess.DEVNULL)
        files += sorted(str(p) for p in out.glob("*.txt"))
    return files


def dump(out: str, corpus: int) -> None:
    import duckdb

    from flows.run import run_ingest

    work = Path(tempfile.mkdtemp(prefix="canvas-compare-"))
    db = str(work / "w.duckdb")
    run_ingest(_inputs(corpus, work), db=db)
    con = duckdb.connect(db, read_only=True)
    result = {}
    for table in TABLES:
        cur = con.execute(f"SELECT * FROM {table}")
        cols = [d[0] for d in cur.description]
        keep = [i for i, c in enumerate(cols) if c not in VOLATILE]
        rows = [[str(r[i]) for i in keep] for r in cur.fetchall()]
        result[table] = {"columns": [cols[i] for i in keep], "rows": sorted(rows)}
    con.close()
    Path(out).write_text(json.dumps(result))
    print(", ".join(f"{t}: {len(result[t]['rows'])} rows" for t in TABLES), "->", out)


def diff(a: str, b: str) -> int:
    left, right = json.loads(Path(a).read_text()), json.loads(Path(b).read_text())
    bad = 0
    for table in TABLES:
        la, ra = left[table], right[table]
        if la["columns"] != ra["columns"] or VOLATILE & set(la["columns"]):  # an older dump may hold one
            common = [c for c in la["columns"] if c in ra["columns"] and c not in VOLATILE]
            print(f"{table}: comparing the {len(common)} columns in common, not volatile "
                  f"(only before: {sorted(set(la['columns']) - set(common))}, "
                  f"only after: {sorted(set(ra['columns']) - set(common))})")
            li = [la["columns"].index(c) for c in common]
            ri = [ra["columns"].index(c) for c in common]
            lrows = sorted([r[i] for i in li] for r in la["rows"])
            rrows = sorted([r[i] for i in ri] for r in ra["rows"])
        else:
            lrows, rrows = la["rows"], ra["rows"]
        ls, rs = {json.dumps(r) for r in lrows}, {json.dumps(r) for r in rrows}
        only_l, only_r = ls - rs, rs - ls
        status = "identical" if not only_l and not only_r and len(lrows) == len(rrows) else "DIFFERENT"
        print(f"{table}: {len(lrows)} vs {len(rrows)} rows, {status}")
        for r in sorted(only_l)[:3]:
            print("   before only:", r[:400])
        for r in sorted(only_r)[:3]:
            print("   after only: ", r[:400])
        bad += status != "identical"
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--out", required=True)
    d.add_argument("--corpus", type=int, default=200, help="generated reports to add (default 200)")
    c = sub.add_parser("diff")
    c.add_argument("before")
    c.add_argument("after")
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        dump(args.out, args.corpus)
        return 0
    return diff(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
