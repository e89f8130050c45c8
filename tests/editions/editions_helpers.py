"""Shared by the edition tests: the expected v1 -> v2 changes, read from lvmh-like-fr-v2.changes.md, and a
warehouse loaded from the hand-labelled gold facts (what a perfect extractor would give)."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from extractors.fact import Fact
from extractors.segment import edition_date
from extractors import ids
from extractors.records import fact_columns
from warehouse.tables import facts_table

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "tests" / "fixtures" / "reports"
V1 = REPORTS / "lvmh-like-fr.txt"
V2 = REPORTS / "lvmh-like-fr-v2.txt"
CHANGES_MD = REPORTS / "lvmh-like-fr-v2.changes.md"
TICKER = "MVRL"


# ---- the expected changes, row by row from the .changes.md ------------------------------------------------
@dataclass(frozen=True)
class Expected:
    ident: str  # R1, X2, A1 ...
    change: str  # changed | removed | added
    subject: str
    metric: str
    period_end: date | None
    old_value: float | None
    new_value: float | None
    old_line: int | None
    new_line: int | None


def _value(cell: str) -> float:
    m = re.search(r"\((\d+(?:\.\d+)?e\d+)\s", cell)
    if m:
        return float(m.group(1))
    m = re.match(r"\s*([\d\s\u00a0\u202f]+(?:,\d+)?)", cell)
    return float(re.sub(r"[\s\u00a0\u202f]", "", m.group(1)).replace(",", "."))


def _period(cell: str) -> date | None:
    m = re.match(r"\s*(\d{4}-\d{2}-\d{2})", cell)
    return date.fromisoformat(m.group(1)) if m else None


def _first_int(cell: str) -> int:
    return int(re.match(r"\s*(\d+)", cell).group(1))


def expected_changes() -> list[Expected]:
    out = []
    for line in CHANGES_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*([RXA]\d+)\s*\|", line)
        if not m:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        ident, subject, metric, period = cells[0], cells[1], cells[2], _period(cells[3])
        if ident.startswith("R"):
            v1_line, v2_line = (int(x) for x in re.findall(r"\d+", cells[6])[:2])
            out.append(Expected(ident, "changed", subject, metric, period, _value(cells[4]), _value(cells[5]), v1_line, v2_line))
        elif ident.startswith("X"):
            out.append(Expected(ident, "removed", subject, metric, period, _value(cells[4]), None, _first_int(cells[5]), None))
        else:
            out.append(Expected(ident, "added", subject, metric, period, None, _value(cells[4]), None, _first_int(cells[5])))
    return out


def expected_conflict() -> list[tuple[int, float]]:
    """[(line, value), ...] of the conflict inside v2 ("- line 53 (...): "..." → 27 950")."""
    text = CHANGES_MD.read_text(encoding="utf-8").split("## Conflict", 1)[1]
    return [(int(m.group(1)), _value(m.group(2))) for m in re.finditer(r"^- line (\d+) .*→ ([\d\s\u00a0\u202f,]+)$", text, re.M)]


# ---- a warehouse from the gold labels -------------------------------------------------------------------
_NUMBER = re.compile(r"\d(?:[\d\u00a0\u202f ,.]*\d)?")


def _precision(text: str) -> int:
    m = _NUMBER.search(text)
    if not m:
        return 0
    num = m.group(0)
    sep = "," if "," in num else ("." if re.search(r"\.\d{1,2}$|\.\d(?!\d{2})", num) else None)
    return len(num.rsplit(sep, 1)[1]) if sep else 0


def gold_facts(path: Path, label: str) -> list[Fact]:
    """Gold labels of ``path`` as Facts of edition ``label`` (offsets found on the labelled line)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    starts = [0]
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)
    used: dict[tuple[int, str], int] = {}
    facts = []
    gold = path.with_suffix(".gold.jsonl")
    for raw in gold.read_text(encoding="utf-8").splitlines():
        g = json.loads(raw)
        line = g["line"]
        col = lines[line - 1].index(g["text"], used.get((line, g["text"]), 0))
        used[(line, g["text"])] = col + 1
        start = starts[line - 1] + col
        facts.append(Fact(
            value=Decimal(str(g["value"])), unit=g["unit"], kind=g["kind"],
            value_high=Decimal(str(g["value_high"])) if g.get("value_high") is not None else None,
            flags=tuple(g.get("flags") or ()), line_number=line, char_start=start, char_end=start + len(g["text"]),
            source_text=g["text"], sentence=lines[line - 1], subject=g["subject"], metric=g["metric"],
            block=g.get("block"), lang=g.get("lang"), company="Maison Verel SA", ticker=TICKER,
            edition_label=label, edition_date=edition_date(label),
            period_end=date.fromisoformat(g["period_end"]) if g.get("period_end") else None,
            period_grain=g.get("period_grain"), is_fiscal=bool(g.get("fiscal")), precision=_precision(g["text"]),
        ))
    return facts


def load_gold(wh, path: Path, label: str, run_id: str, source_path: str | None = None) -> str:
    """Load the gold facts of ``path`` as one document; returns its document_id."""
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    document_id = ids.document_id(sha)
    facts = gold_facts(path, label)
    document = {
        "document_id": document_id, "sha256": sha, "source_path": source_path or str(path), "byte_size": len(data),
        "encoding": "utf-8", "company": "Maison Verel SA", "ticker": TICKER, "edition_label": label,
        "edition_date": edition_date(label), "languages": ["fr"], "line_count": len(data.decode("utf-8").split("\n")),
    }
    table = facts_table(fact_columns(facts, document=document, run_id=run_id, extractor_version="gold"))
    wh.load_document(document, None, table, run_id)
    return document_id
