#!/usr/bin/env python
"""Score the warehouse against hand-labelled gold facts (rule: tests/fixtures/gold/SCHEMA.md).

    .venv/bin/python bench/gold_score.py                       # ingest sample + fixtures into a temp warehouse, score
    .venv/bin/python bench/gold_score.py --db warehouse/canvas.duckdb --gold ../shared/gold
    .venv/bin/python bench/gold_score.py --show misses,fps,periods

Gold files are `<document file name>.gold.jsonl`; each is scored against the facts of the document with that
file name in the warehouse. Prints F1, precision, recall and period accuracy per document and overall.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.scoring import Score, load_gold, score  # noqa: E402

DEFAULT_GOLD = [ROOT / "tests" / "fixtures" / "gold", ROOT / "tests" / "fixtures" / "reports"]  # gold: copy of the shared labels
DEFAULT_DOCS = [ROOT / "raw", ROOT / "tests" / "fixtures" / "reports"]  # raw/: the shared sample


def gold_files(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(p.glob("*.gold.jsonl")))
        elif p.exists():
            out.append(p)
    return out


def facts_by_file(db: str) -> dict[str, list[dict]]:
    import duckdb

    con = duckdb.connect(db, read_only=True)
    rows = con.execute(
        """
        SELECT d.file_name, f.line_number, f.unit, f.value, CAST(f.period_end AS VARCHAR), f.source_text,
               f.subject, f.metric, f.period_source
        FROM facts f JOIN documents d USING (document_id)
        UNION ALL
        SELECT s.file_name, f.line_number, f.unit, f.value, CAST(f.period_end AS VARCHAR), f.source_text,
               f.subject, f.metric, f.period_source
        FROM facts f JOIN document_sources s USING (document_id)
        JOIN documents d USING (document_id) WHERE s.file_name <> d.file_name
        """
    ).fetchall()
    con.close()
    out: dict[str, list[dict]] = {}
    for name, line, unit, value, pend, text, subject, metric, psrc in rows:
        out.setdefault(name, []).append(
            {"line": line, "unit": unit, "value": value, "period_end": pend, "text": text,
             "subject": subject, "metric": metric, "period_source": psrc}
        )
    return out


def build_warehouse(docs: list[Path], db: str) -> None:
    from flows.run import run_ingest

    files = []
    for d in docs:
        if d.is_dir():
            files.extend(str(p) for p in sorted(d.glob("*.txt")))
    run_ingest(files, db=db)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="warehouse to score (default: build a temporary one from the samples and fixtures)")
    ap.add_argument("--gold", nargs="*", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--show", default="", help="comma list: misses,fps,periods")
    args = ap.parse_args(argv)
    show = set(filter(None, args.show.split(",")))
    tmp = None
    db = args.db
    if db is None:
        tmp = tempfile.mkdtemp(prefix="canvas-gold-")
        db = os.path.join(tmp, "gold.duckdb")
        build_warehouse(DEFAULT_DOCS, db)
    facts = facts_by_file(db)
    total = Score()
    for gf in gold_files(args.gold):
        gold = load_gold(gf)
        name = gold[0]["doc"] if gold and gold[0].get("doc") else gf.name[: -len(".gold.jsonl")] + ".txt"
        s = score(facts.get(name, []), gold)
        total.add(s)
        print(f"{name}: {s.line()}")
        if "misses" in show:
            for g in s.misses:
                print(f"   MISS line {g['line']}: {g['text']!r} {g['value']} {g['unit']}")
        if "fps" in show:
            for p in sorted(s.fps, key=lambda p: p["line"]):
                print(f"   FP   line {p['line']}: {p['text']!r} {p['value']} {p['unit']}")
        if "periods" in show:
            for g, p in s.period_errors:
                print(f"   PERIOD line {g['line']}: {g['text']!r} gold {g['period_end']} got {p['period_end']} ({p['period_source']})")
    print(f"OVERALL: {total.line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
