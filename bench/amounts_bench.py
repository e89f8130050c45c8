"""Score normalizers.amounts.find_amounts on the money/number/percent benchmark.

    .venv/bin/python bench/amounts_bench.py [--cases PATH] [--show-failures] [--repeat N]

Scoring (tests/fixtures/benchmarks/README.md): a case is correct when every expected item is matched by a
distinct output with the same unit and a value within 0.5 % (relative). An expected unit "number"
accepts any output unit attached to the right value. A range output (value .. value_high) offers
both of its bounds as values.
Speed: cases per second in-process on one core, best of N full passes.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalizers.amounts import find_amounts  # noqa: E402

DEFAULT_CASES = ROOT / "tests" / "fixtures" / "benchmarks" / "money_cases_dev.jsonl"  # copy of the shared dev half


def close(a: float, b: float) -> bool:
    if a == b:
        return True
    return abs(a - b) <= 0.005 * max(abs(a), abs(b))


def candidates(amounts):
    out = []
    for a in amounts:
        out.append((a.unit, float(a.value)))
        if a.value_high is not None:
            out.append((a.unit, float(a.value_high)))
    return out


def score_case(case, amounts) -> bool:
    cands = candidates(amounts)
    used = [False] * len(cands)
    for exp in case["expected"]:
        ev = float(exp["value"])
        eu = exp["unit"]
        hit = False
        for i, (u, v) in enumerate(cands):
            if used[i]:
                continue
            if (eu == "number" or u == eu) and close(v, ev):
                used[i] = True
                hit = True
                break
        if not hit:
            return False
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default=str(DEFAULT_CASES))
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    cases = [json.loads(line) for line in Path(args.cases).read_text(encoding="utf-8").splitlines() if line.strip()]

    slices = defaultdict(lambda: [0, 0])
    failures = []
    ok_total = 0
    for c in cases:
        amounts = find_amounts(c["input"], c["lang"])
        ok = score_case(c, amounts)
        key = f"{c['source']}/{c['lang']}"
        slices[key][0] += ok
        slices[key][1] += 1
        ok_total += ok
        if not ok:
            failures.append((c, amounts))

    if args.show_failures:
        for c, amounts in failures:
            got = [(a.text, str(a.value), a.unit) for a in amounts]
            exp = [(e.get("text"), e["value"], e["unit"]) for e in c["expected"]]
            print(f"FAIL {c['id']} [{c['lang']}] {c['input'][:160]!r}\n     expected {exp}\n     got      {got}")
        print()

    print(f"overall: {ok_total}/{len(cases)} = {100 * ok_total / len(cases):.1f} %")
    for key in sorted(slices):
        ok, n = slices[key]
        print(f"  {key:18s} {ok:4d}/{n:<4d} {100 * ok / n:5.1f} %")

    best = float("inf")
    inputs = [(c["input"], c["lang"]) for c in cases]
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        for text, lang in inputs:
            find_amounts(text, lang)
        best = min(best, time.perf_counter() - t0)
    print(f"speed: {len(cases) / best:,.0f} cases/s (best of {args.repeat} passes, {len(cases)} cases, one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
