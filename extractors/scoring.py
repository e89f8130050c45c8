"""Score predicted facts against hand-labelled gold (the rule of ../shared/gold/SCHEMA.md).

A prediction matches a label when it is on the same line, has the same unit and its value is within 0.5 %
(relative) of the label's; matching is one-to-one. Recall counts core labels; a prediction that matches no
label (core or optional) is a false positive. Period accuracy compares period_end on matched core labels
whose period is not ambiguous.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


def close(a: float, b: float, tol: float = 0.005) -> bool:
    if a == b:
        return True
    return abs(a - b) <= tol * max(abs(a), abs(b))


@dataclass
class Score:
    core: int = 0
    core_matched: int = 0
    predictions: int = 0
    false_positives: int = 0
    period_total: int = 0
    period_correct: int = 0
    misses: list[dict] = field(default_factory=list)
    fps: list[dict] = field(default_factory=list)
    period_errors: list[tuple[dict, dict]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.core_matched / self.core if self.core else 1.0

    @property
    def precision(self) -> float:
        return (self.predictions - self.false_positives) / self.predictions if self.predictions else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def period_accuracy(self) -> float:
        return self.period_correct / self.period_total if self.period_total else 1.0

    def add(self, other: "Score") -> None:
        for name in ("core", "core_matched", "predictions", "false_positives", "period_total", "period_correct"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses
        self.fps += other.fps
        self.period_errors += other.period_errors

    def line(self) -> str:
        return (
            f"F1 {self.f1:.3f} (P {self.precision:.3f}, R {self.recall:.3f}; core {self.core_matched}/{self.core}, "
            f"predictions {self.predictions}, FP {self.false_positives}); period accuracy {self.period_accuracy:.3f} "
            f"({self.period_correct}/{self.period_total})"
        )


def load_gold(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(predictions: list[dict], gold: list[dict]) -> Score:
    """predictions: dicts with line, unit, value, period_end (ISO string or None), text (optional)."""
    s = Score()
    s.core = sum(1 for g in gold if g.get("grade") == "core")
    s.predictions = len(predictions)
    used: set[int] = set()
    by_line: dict[int, list[int]] = {}
    for i, p in enumerate(predictions):
        by_line.setdefault(int(p["line"]), []).append(i)
    # core labels first, so an optional label never steals a core label's prediction
    order = sorted(range(len(gold)), key=lambda k: (gold[k].get("grade") != "core", gold[k]["line"]))
    for k in order:
        g = gold[k]
        candidates = [
            i for i in by_line.get(int(g["line"]), [])
            if i not in used and predictions[i]["unit"] == g["unit"] and close(float(predictions[i]["value"]), float(g["value"]))
        ]
        if not candidates:
            if g.get("grade") == "core":
                s.misses.append(g)
            continue
        # prefer the same text when several fit
        candidates.sort(key=lambda i: (predictions[i].get("text") != g.get("text"), abs(float(predictions[i]["value"]) - float(g["value"]))))
        i = candidates[0]
        used.add(i)
        if g.get("grade") != "core":
            continue
        s.core_matched += 1
        if not g.get("period_ambiguous"):
            s.period_total += 1
            if (predictions[i].get("period_end") or None) == (g.get("period_end") or None):
                s.period_correct += 1
            else:
                s.period_errors.append((g, predictions[i]))
    s.fps = [predictions[i] for i in range(len(predictions)) if i not in used]
    s.false_positives = len(s.fps)
    return s
