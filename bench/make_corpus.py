#!/usr/bin/env python
"""Write N distinct canvas reports (~40 KB each) for throughput benchmarks.

Each report takes a title line for a made-up company, then canvas sections drawn at random from the
sample and our fixture reports (both languages, shuffled), re-headed for that company, with every figure
changed (digits replaced, years and dates kept so periods stay meaningful).

    .venv/bin/python bench/make_corpus.py --n 1000 --out bench/corpus
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.decode import read_document  # noqa: E402
from extractors.segment import segment  # noqa: E402

SOURCES = [ROOT / "raw" / "alibaba-canvas-2025.txt", *sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.txt"))]
NAMES = ["Aster", "Borealis", "Cobalt", "Dune", "Ember", "Fjord", "Garnet", "Harbor", "Iris", "Juniper", "Kestrel",
         "Lumen", "Meridian", "Nimbus", "Orchid", "Pylon", "Quartz", "Raven", "Sierra", "Tundra", "Umber", "Vale",
         "Willow", "Xenon", "Yarrow", "Zephyr"]
KINDS = ["Holdings", "Group", "SA", "plc", "Inc.", "AG", "Technologies", "Systems"]
_NUMBER = re.compile(r"\d[\d,.\u00a0\u202f ]*\d|\d")
_YEARLIKE = re.compile(r"^(19|20)\d\d$")


def sections_of(path: Path) -> list[list[str]]:
    """Canvas sections (heading line excluded) of a report, as lists of lines."""
    doc = read_document(path)
    lines = doc.text.split("\n")
    out = []
    for s in segment(doc).sections:
        if s.block and not s.boilerplate:
            body = lines[s.line_start:s.line_end]  # line_start is the heading (1-based) -> body starts after it
            if body:
                out.append((s.block, s.lang, body))
    return out


def perturb(line: str, rng: random.Random) -> str:
    def repl(m: re.Match) -> str:
        text = m.group(0)
        if _YEARLIKE.match(text):
            return text
        return "".join(str(rng.randint(1, 9)) if ch.isdigit() and i == 0 else (str(rng.randint(0, 9)) if ch.isdigit() else ch)
                       for i, ch in enumerate(text))

    return _NUMBER.sub(repl, line)


def heading(company: str, ticker: str, block: str, lang: str) -> str:
    names = {
        "fr": {"key_partners": "partenariats clés", "key_activities": "Activités clés", "key_resources": "Ressources clés",
               "value_propositions": "propositions de valeur", "customer_relationships": "relations avec les clients",
               "channels": "canaux", "customer_segments": "segments de clientèle", "cost_structure": "Structure des coûts",
               "revenue_streams": "Flux de revenus"},
        "en": {"key_partners": "Key Partnerships", "key_activities": "Key Activities", "key_resources": "Key Resources",
               "value_propositions": "Value Propositions", "customer_relationships": "Customer Relationships",
               "channels": "Channels", "customer_segments": "Customer Segments", "cost_structure": "Cost Structure",
               "revenue_streams": "Revenue Streams"},
    }
    if lang == "fr":
        return f"{company} ({ticker}) - Modèle d'entreprise: {names['fr'][block]}"
    return f"{company} ({ticker}) - Canvas Business Model: {names['en'][block]}"


def make_report(i: int, pool: list, rng: random.Random, target_bytes: int) -> str:
    company = f"{rng.choice(NAMES)} {rng.choice(NAMES)} {rng.choice(KINDS)}"
    ticker = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + str(i % 10)
    month = rng.choice(["Jan", "Mar", "Jun", "Sep", "Nov"])
    out = [f"{company} ({ticker}): Business Model Canvas [{month}-{rng.choice([2024, 2025])} Mis à jour] |", ""]
    size = 0
    sections = pool[:]
    rng.shuffle(sections)
    for block, lang, body in sections:
        if size >= target_bytes:
            break
        out.append(heading(company, ticker, block, lang))
        for line in body:
            out.append(perturb(line, rng))
        size = sum(len(x.encode()) + 1 for x in out)
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "corpus")
    ap.add_argument("--kb", type=int, default=40, help="approximate size of each report")
    ap.add_argument("--seed", type=int, default=20261130)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    pool = [sec for src in SOURCES if src.exists() for sec in sections_of(src)]
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(args.n):
        text = make_report(i, pool, rng, args.kb * 1024)
        path = args.out / f"report-{i:05d}.txt"
        path.write_text(text, encoding="utf-8")
        total += len(text.encode())
    print(f"wrote {args.n} reports, {total / 1e6:.1f} MB, to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
