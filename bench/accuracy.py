#!/usr/bin/env python
"""Accuracy per corpus: builds one temporary warehouse through the real flow and scores it against gold labels.

    .venv/bin/python bench/accuracy.py                              # all corpora + TAT-QA
    .venv/bin/python bench/accuracy.py --corpus unseen --show misses,fps,periods,subjects --worst 3
    .venv/bin/python bench/accuracy.py --db /tmp/x.duckdb            # score an existing warehouse (no ingest)

Corpora (paths relative to the repository; each is a folder of *.txt with <name>.gold.jsonl labels):
  sample    raw/*.txt, labels from tests/fixtures/gold/ (--sample-gold)
  fixtures  tests/fixtures/reports/*.txt  (hand-written, style of the sample)
  unseen    tests/fixtures/reports/unseen/*.txt  (written blind, other house styles; see its README.md)

Scoring is extractors/scoring.py (same line, same unit, value within 0.5 %; recall on core labels). Printed per
document and per corpus: F1, precision, recall, period accuracy, subject overlap, and recall by kind.

Subject overlap: share of matched core facts whose extracted subject shares a word with the label's subject.
A word is a case- and accent-folded run of letters of length >= 3, minus stop words and legal-form words
(STOP below). A matched fact with no extracted subject counts as no overlap.

TAT-QA (tests/fixtures/benchmarks/tatqa/tatqa_cases.jsonl; --tatqa): share of the non-year figures
(cases not tagged year_like) that normalizers.amounts.find_amounts finds in their paragraph: an amount
overlapping [answer_start, answer_end) whose value (or value_high) is within 0.5 % of expect_value and that is a
percent exactly when expect_kind is percent. When the scale is not written in the paragraph (scale_in_text
false) the bare `number` is accepted too: the README says expect_value is then the bare number, but a few cases
carry the table's scale ("in thousands") that the paragraph alone cannot know.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extractors.scoring import Score, close, load_gold, score  # noqa: E402
from gold_score import facts_by_file  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"  # gold/ and benchmarks/ are copies of the shared data
KINDS = ("money", "percent", "count", "quantity")
STOP = set("""
the and for with from that this its their other total per into over under than of not all are was were has had
les des une aux sur par pour dans avec est sont son ses leur leurs autres total plus que qui
inc ltd plc corp corporation company limited holdings holding group groupe sa ag ab spa nv bv gmbh kk co
société societe compagnie
""".split())


def words(s: str | None) -> set[str]:
    if not s:
        return set()
    folded = "".join(c for c in unicodedata.normalize("NFKD", s.casefold()) if not unicodedata.combining(c))
    return {w for w in re.findall(r"[^\W\d_]{3,}", folded) if w not in STOP}


def corpora(args) -> list[tuple[str, Path, Path | None, str]]:
    """(name, docs dir, gold dir or None, message)."""
    out = []
    sample_gold = args.sample_gold
    if not Path(sample_gold).is_dir():
        out.append(("sample", ROOT / "raw", None, f"no gold for the sample: {sample_gold} not found (use --sample-gold)"))
    else:
        out.append(("sample", ROOT / "raw", Path(sample_gold), f"gold from {Path(sample_gold)}"))
    out.append(("fixtures", ROOT / "tests" / "fixtures" / "reports", ROOT / "tests" / "fixtures" / "reports", ""))
    out.append(("unseen", ROOT / "tests" / "fixtures" / "reports" / "unseen",
                ROOT / "tests" / "fixtures" / "reports" / "unseen", ""))
    return [c for c in out if not args.corpus or c[0] in args.corpus]


def matched_pairs(preds: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    """The (label, prediction) pairs that extractors.scoring.score matches, for every matched core label.

    score() only reports pairs whose periods differ; matching itself never looks at periods, so scoring again
    with each prediction's period replaced by a unique token (and no label marked ambiguous) yields every pair
    of the real matching, unchanged."""
    tagged = [dict(p, period_end=f"#pred{i}", _i=i) for i, p in enumerate(preds)]
    plain = [dict(g, period_ambiguous=False, _k=k) for k, g in enumerate(gold)]
    s = score(tagged, plain)
    return [(gold[g["_k"]], preds[p["_i"]]) for g, p in s.period_errors]


class Tally:
    def __init__(self) -> None:
        self.score = Score()
        self.subj_n = self.subj_ok = 0
        self.kind_core: Counter = Counter()
        self.kind_hit: Counter = Counter()
        self.subject_misses: list[tuple[dict, dict]] = []

    def add_doc(self, preds: list[dict], gold: list[dict]) -> "Tally":
        s = score(preds, gold)
        self.score.add(s)
        missed = {id(g) for g in s.misses}
        for g in gold:
            if g.get("grade") == "core":
                self.kind_core[g["kind"]] += 1
                self.kind_hit[g["kind"]] += id(g) not in missed
        for g, p in matched_pairs(preds, gold):
            self.subj_n += 1
            if words(g.get("subject")) & words(p.get("subject")):
                self.subj_ok += 1
            else:
                self.subject_misses.append((g, p))
        return self

    def merge(self, o: "Tally") -> None:
        self.score.add(o.score)
        self.subj_n += o.subj_n
        self.subj_ok += o.subj_ok
        self.kind_core.update(o.kind_core)
        self.kind_hit.update(o.kind_hit)
        self.subject_misses += o.subject_misses

    @property
    def subject_overlap(self) -> float:
        return self.subj_ok / self.subj_n if self.subj_n else 1.0

    def line(self) -> str:
        s = self.score
        kinds = " ".join(f"{k} {self.kind_hit[k]}/{self.kind_core[k]}" for k in KINDS if self.kind_core[k])
        return (f"F1 {s.f1:.3f}  P {s.precision:.3f}  R {s.recall:.3f} ({s.core_matched}/{s.core}, FP {s.false_positives})"
                f"  period {s.period_accuracy:.3f} ({s.period_correct}/{s.period_total})"
                f"  subject {self.subject_overlap:.3f} ({self.subj_ok}/{self.subj_n})  recall by kind: {kinds}")


def show_lists(t: Tally, show: set[str]) -> None:
    s = t.score
    if "misses" in show:
        for g in sorted(s.misses, key=lambda g: g["line"]):
            print(f"     MISS    line {g['line']:>3}: {g['text']!r} = {g['value']} {g['unit']}  [{g['subject']} / {g['metric']}]")
    if "fps" in show:
        for p in sorted(s.fps, key=lambda p: p["line"]):
            print(f"     FP      line {p['line']:>3}: {p.get('text')!r} = {p['value']} {p['unit']}")
    if "periods" in show:
        for g, p in sorted(s.period_errors, key=lambda gp: gp[0]["line"]):
            print(f"     PERIOD  line {g['line']:>3}: {g['text']!r} gold {g['period_end']} got {p.get('period_end')}"
                  f" ({p.get('period_source')})")
    if "subjects" in show:
        for g, p in sorted(t.subject_misses, key=lambda gp: gp[0]["line"]):
            print(f"     SUBJECT line {g['line']:>3}: {g['text']!r} gold {g['subject']!r} got {p.get('subject')!r}")


def tatqa(path: Path) -> str:
    if not path.exists():
        return f"TAT-QA: skipped, {path} not found (pass --tatqa)"
    from normalizers.amounts import find_amounts

    n = ok = years = 0
    missed = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        c = json.loads(line)
        if "year_like" in c.get("tags", []):
            years += 1
            continue
        n += 1
        want_pct = c["expect_kind"] == "percent"
        found = False
        for a in find_amounts(c["text"], "en"):
            if a.end <= c["answer_start"] or a.start >= c["answer_end"]:
                continue
            if (a.unit == "percent") != want_pct:
                continue
            vals = [float(a.value)] + ([float(a.value_high)] if a.value_high is not None else [])
            want = [float(c["expect_value"])] + ([] if c.get("scale_in_text") else [float(c["number"])])
            if any(close(v, w) for v in vals for w in want):
                found = True
                break
        ok += found
        if not found:
            missed.append(f"{c['answer_text']!r} (expect {c['expect_value']})")
    msg = f"TAT-QA: {ok}/{n} non-year figures found = {100 * ok / n:.1f} % ({years} year-like cases set apart)"
    if missed:
        msg += "\n   missed: " + "; ".join(missed[:10])
    return msg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="score this warehouse instead of building a temporary one")
    ap.add_argument("--corpus", nargs="*", choices=["sample", "fixtures", "unseen"], help="default: all")
    ap.add_argument("--sample-gold", type=Path, default=FIXTURES / "gold", help="folder holding the sample's gold labels")
    ap.add_argument("--tatqa", type=Path, default=FIXTURES / "benchmarks" / "tatqa" / "tatqa_cases.jsonl")
    ap.add_argument("--no-tatqa", action="store_true")
    ap.add_argument("--show", default="", help="comma list: misses,fps,periods,subjects (for the --worst documents)")
    ap.add_argument("--worst", type=int, default=0, help="print the --show lists for the N documents with lowest F1 "
                                                          "(default: all documents when --show is given)")
    args = ap.parse_args(argv)
    show = set(filter(None, args.show.split(",")))
    sets = corpora(args)

    db = args.db
    if db is None:
        files = [str(p) for _, d, g, _ in sets if g is not None for p in sorted(d.glob("*.txt"))]
        db = os.path.join(tempfile.mkdtemp(prefix="canvas-accuracy-"), "accuracy.duckdb")
        t0 = time.perf_counter()
        from flows.run import run_ingest

        run_ingest(files, db=db)
        print(f"ingested {len(files)} documents into {db} in {time.perf_counter() - t0:.1f} s\n")
    facts = facts_by_file(db)

    per_doc: list[tuple[str, Tally]] = []
    for name, docs, gold_dir, msg in sets:
        print(f"== {name}" + (f"  ({msg})" if msg else ""))
        if gold_dir is None:
            print()
            continue
        total = Tally()
        for gf in sorted(gold_dir.glob("*.gold.jsonl")):
            gold = load_gold(gf)
            doc = gold[0]["doc"] if gold and gold[0].get("doc") else gf.name[: -len(".gold.jsonl")] + ".txt"
            if not (docs / doc).exists():
                print(f"   {doc}: no such document in {docs}")
                continue
            t = Tally().add_doc(facts.get(doc, []), gold)
            total.merge(t)
            per_doc.append((doc, t))
            print(f"   {doc}: {t.line()}")
        print(f"   ALL {name}: {total.line()}\n")

    if show:
        chosen = sorted(per_doc, key=lambda dt: dt[1].score.f1)
        if args.worst:
            chosen = chosen[: args.worst]
        for doc, t in chosen:
            print(f"-- {doc}: F1 {t.score.f1:.3f}, period {t.score.period_accuracy:.3f}, subject {t.subject_overlap:.3f}")
            show_lists(t, show)
        print()
    if not args.no_tatqa:
        print(tatqa(args.tatqa))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
