"""Throughput of normalizers.periods.find_periods on short sentences (goal: ~10k sentences/s).

Run from the repository root:  PYTHONPATH=. .venv/bin/python bench/periods_bench.py [N]
Sentences: the lines of the sample report (raw/), plus generated French/English
sentences with and without periods, cut to sentence size.
"""
from __future__ import annotations

import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from normalizers.periods import find_periods  # noqa: E402

SAMPLE = ROOT / "raw" / "alibaba-canvas-2025.txt"  # the shared sample, kept in raw/

TEMPLATES = [
    ("fr", "Le chiffre d'affaires a atteint 1,6 milliard de dollars en {y}."),
    ("fr", "Au {ordfr} trimestre {y}, la plateforme comptait 3 073 marchands actifs."),
    ("fr", "Au cours de l'exercice {y}, le groupe a dépensé 9,42 milliards de dollars."),
    ("fr", "Les effectifs étaient de 117 600 employés au 30 juin {y}."),
    ("fr", "La marge a progressé de 2,1 points sur trois ans, contre l'exercice précédent."),
    ("fr", "Support client 24/7 pour les 18-35 ans, 2 000 employés."),
    ("en", "Cloud revenue for the September quarter of {y} reached RMB 39.8 billion."),
    ("en", "Revenue grew 34% year-over-year in Q{q} {y}, versus the same quarter of {y0}."),
    ("en", "For the twelve months ending September 30, {y}, R&D expenses totaled $8.511B."),
    ("en", "Membership exceeded 50 million as of March {y} and grew in Q{q} FY{y}."),
    ("en", "The Qwen2.5-72B model handled 300 million queries during 11.11."),
    ("en", "Management pledged RMB 380 billion over the next three years."),
    ("en", "Operating margin improved to 12.5% from 11.2% a year earlier."),
    ("en", "The company serves customers in more than 200 countries and regions."),
]
ORD_FR = ["premier", "deuxième", "troisième", "quatrième"]


def sentences(n: int, seed: int = 7) -> list[tuple[str, str]]:
    rnd = random.Random(seed)
    pool: list[tuple[str, str]] = []
    if SAMPLE.exists():
        for i, line in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines(), 1):
            lang = "fr" if i < 283 else "en"
            for s in re.split(r"(?<=[.!?])\s+", line):
                if s.strip():
                    pool.append((lang, s[:300]))
    out = []
    for k in range(n):
        if pool and k % 2:
            out.append(pool[rnd.randrange(len(pool))])
        else:
            lang, t = TEMPLATES[rnd.randrange(len(TEMPLATES))]
            y = rnd.randrange(2015, 2030)
            q = rnd.randrange(1, 5)
            out.append((lang, t.format(y=y, y0=y - 1, q=q, ordfr=ORD_FR[q - 1])))
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    data = sentences(n)
    find_periods("warm-up 2023", "fr")  # builds the grammar once
    best = 0.0
    found = 0
    for _ in range(3):
        t0 = time.perf_counter()
        found = 0
        for lang, s in data:
            found += len(find_periods(s, lang, fiscal_year_end=(3, 31)))
        dt = time.perf_counter() - t0
        best = max(best, len(data) / dt)
    avg = sum(len(s) for _, s in data) / len(data)
    print(f"find_periods: {best:,.0f} sentences/s (best of 3; {len(data)} sentences, "
          f"avg {avg:.0f} chars, {found} mentions)")


if __name__ == "__main__":
    main()
