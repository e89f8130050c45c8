"""Builders shared by the warehouse tests (real Fact dataclass, real DuckDB files)."""
from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from extractors import ids
from extractors.fact import Fact
from extractors.records import fact_columns
from warehouse.tables import facts_table, sections_table

EXTRACTOR_VERSION = "test-1"


def fact(value, unit="CNY", *, line=1, col=0, kind=None, text=None, **kw) -> Fact:
    """A Fact on ``line``; offsets are derived from line/col so they are unique and deterministic."""
    if kind is None:
        kind = {"percent": "percent", "count": "count"}.get(unit, "money")
    start = line * 1000 + col
    text = text or f"{value} {unit}"
    return Fact(
        value=Decimal(str(value)),
        unit=unit,
        kind=kind,
        line_number=line,
        char_start=start,
        char_end=start + len(text),
        source_text=text,
        sentence=f"sentence of line {line}",
        **kw,
    )


def document(name: str, *, content: bytes | None = None, **kw) -> dict:
    content = content if content is not None else f"contents of {name}".encode()
    sha = hashlib.sha256(content).hexdigest()
    doc = {
        "document_id": ids.document_id(sha),
        "sha256": sha,
        "source_path": f"/data/in/{name}",
        "byte_size": len(content),
        "encoding": "utf-8",
        "languages": ["fr", "en"],
        "line_count": 100,
    }
    doc.update(kw)
    return doc


def load(wh, doc: dict, facts: list[Fact], run_id: str, sections: list[dict] | None = None) -> int:
    document_id = doc["document_id"]
    for f in facts:
        f.company = f.company or doc.get("company")
        f.ticker = f.ticker or doc.get("ticker")
        f.edition_label = f.edition_label or doc.get("edition_label")
        f.edition_date = f.edition_date or doc.get("edition_date")
    ftab = facts_tbl(facts, doc, run_id)
    stab = sections_table([{**s, "document_id": document_id} for s in sections or []])
    return wh.load_document(doc, stab, ftab, run_id)


def facts_tbl(facts: list[Fact], doc: dict, run_id: str, extractor_version: str = EXTRACTOR_VERSION):
    """The facts table the flow would build for ``doc`` (extraction rows -> the warehouse's typed table)."""
    return facts_table(fact_columns(facts, document=doc, run_id=run_id, extractor_version=extractor_version))


FY24 = date(2024, 3, 31)
FY25 = date(2025, 3, 31)


Q = "quarter"
Y = "year"


def a_facts():
    """Edition 2024 of BABA."""
    return [
        # L10: group revenue FY2024, RMB 941.17 billion; L11 its USD equivalent
        fact("941.17E+9", "CNY", line=10, subject="Alibaba Group", metric="revenue", period_end=FY24, period_grain=Y, precision=2),
        fact("130.35E+9", "USD", line=10, col=40, subject="Alibaba Group", metric="revenue", period_end=FY24, period_grain=Y,
             precision=2, flags=("equivalent",)),
        # L30/L31: cloud revenue written at two precisions: rounding, not a conflict
        fact("4.35E+9", "USD", line=30, subject="Alibaba Cloud", metric="chiffre d'affaires", period_end=FY24, period_grain=Y, precision=2),
        fact("4.4E+9", "USD", line=31, subject="Alibaba Cloud", metric="revenue", period_end=FY24, period_grain=Y, precision=1),
        # L40/L41: Cainiao revenue stated twice with different values: a conflict within the edition
        fact("99.0E+9", "CNY", line=40, subject="Cainiao", metric="revenue", period_end=FY24, period_grain=Y, precision=1),
        fact("102.0E+9", "CNY", line=41, subject="Cainiao", metric="revenue", period_end=FY24, period_grain=Y, precision=1),
        # L50 retracted (then corrected on L51): never conflicts, never latest
        fact("29.6E+9", "CNY", line=50, subject="Local services", metric="revenue", period_end=FY24, period_grain=Y,
             precision=1, flags=("retracted",)),
        fact("39.8E+9", "CNY", line=51, subject="Local services", metric="revenue", period_end=FY24, period_grain=Y, precision=1),
        # L60 no period: ignored by all views
        fact("5.0E+9", "USD", line=60, subject="AIDC", metric="revenue", precision=1),
        fact("6.0E+9", "USD", line=61, subject="AIDC", metric="revenue", precision=1),
        # L70 only in this edition -> removed
        fact("204891", "count", line=70, subject="Alibaba Group", metric="employees", period_end=FY24, period_grain="day", precision=0),
    ]


def b_facts():
    """Edition 2025 of BABA, in French names."""
    return [
        # restated at another precision: not changed, not a conflict; latest comes from here
        fact("941.2E+9", "CNY", line=5, subject="Groupe Alibaba", metric="Chiffre d'affaires", period_end=FY24, period_grain=Y, precision=1),
        # FY2025 revenue, its USD equivalent (L6) and a USD figure stated directly (L8) 2 % apart: not a conflict
        fact("996.35E+9", "CNY", line=6, subject="Groupe Alibaba", metric="revenus", period_end=FY25, period_grain=Y, precision=2),
        fact("137.3E+9", "USD", line=6, col=40, subject="Groupe Alibaba", metric="revenus", period_end=FY25, period_grain=Y,
             precision=1, flags=("equivalent",)),
        fact("140E+9", "USD", line=8, subject="Alibaba Group", metric="revenue", period_end=FY25, period_grain=Y, precision=0),
        # Cainiao: same as A's first statement (L40); conflicts with A's L41
        fact("99.0E+9", "CNY", line=9, subject="Cainiao", metric="revenus", period_end=FY24, period_grain=Y, precision=1),
        # Cloud revenue revised: changed vs A (4.35e9), conflicts with A's L30 and L31
        fact("4.5E+9", "USD", line=11, subject="Alibaba Cloud", metric="Revenus", period_end=FY24, period_grain=Y, precision=1),
        # Q4 FY2025 revenue ends on the same day as FY2025: different grain, no conflict
        fact("236.45E+9", "CNY", line=12, subject="Groupe Alibaba", metric="chiffre d'affaires", period_end=FY25, period_grain=Q, precision=2),
        fact("1.0E+9", "count", line=13, subject="Taobao", metric="MAU", period_end=FY25, period_grain="day", precision=1),
    ]


def build_two_editions(wh) -> dict:
    """Load edition 2024 and 2025 of BABA (newest first) and an unrelated report; returns document ids."""
    run_id = wh.begin_run()
    doc_a = document("baba-2024.txt", company="Alibaba", ticker="BABA", edition_label="2024", edition_date=date(2024, 6, 30))
    doc_b = document("baba-2025.txt", company="Alibaba", ticker="BABA", edition_label="2025", edition_date=date(2025, 6, 30))
    doc_c = document("other.txt", company="Other Co", edition_label="2025", edition_date=date(2025, 1, 1))
    # newest edition loaded FIRST: edition_date, not load order, decides
    load(wh, doc_b, b_facts(), run_id)
    load(wh, doc_a, a_facts(), run_id)
    load(wh, doc_c, [fact("500E+9", "CNY", line=1, subject="Alibaba Group", metric="revenue", period_end=FY24,
                          period_grain=Y, precision=0)], run_id)
    wh.finish_run(run_id, "completed", {"documents_loaded": 3})
    return {"A": doc_a["sha256"][:16], "B": doc_b["sha256"][:16], "C": doc_c["sha256"][:16]}
