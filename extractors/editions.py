"""Which edition of a report each section and fact belongs to, worked out once, here.

A document may hold several editions (an updated canvas appended to the file): sections carry their
edition label and date from their heading (:mod:`extractors.segment`). Here:

1. sections of an unlabelled later edition get a label (``assign_editions``): from ``--edition``, else
   inferred from the latest date the edition itself states;
2. a fact whose section has neither label nor date belongs to the document's edition, and a fact with no
   ticker/company to the document's (``fact_report``);
3. the ids follow from these (:func:`extractors.ids.report_key`, :func:`extractors.ids.edition_id`).
"""
from __future__ import annotations

from datetime import date

from . import ids
from .fact import Fact
from .segment import Section, Structure, edition_date


def assign_editions(st: Structure, facts: list[Fact], edition: str | None) -> None:
    """Sections of an unlabelled later edition: label from --edition, else inferred from the latest date
    the edition itself states (never later than today)."""
    groups: dict[int, list[Section]] = {}
    for s in st.sections:
        groups.setdefault(s.edition_group, []).append(s)
    by_section: dict[int, list[Fact]] = {}
    for f in facts:
        by_section.setdefault(f.section_index, []).append(f)
    today = date.today()
    for _group, sections in groups.items():
        if any(s.edition_label for s in sections):
            continue
        label, when = None, None
        if edition:
            label, when = edition, edition_date(edition)
        else:
            ends = [f.period_end for s in sections for f in by_section.get(s.index, []) if f.period_end and f.period_end <= today]
            if ends:
                when = max(ends)
                label = f"{when:%b-%Y} (inferred)"
        if label is None:
            continue
        for s in sections:
            s.edition_label, s.edition_date = label, when
            for f in by_section.get(s.index, []):
                f.edition_label, f.edition_date = label, when


def newest_edition(sections) -> tuple[str | None, date | None]:
    """The document's edition: the newest (by date, undated first) of its sections' labelled editions."""
    editions = [(s.edition_date or date.min, s.edition_label) for s in sections if s.edition_label]
    if not editions:
        return None, None
    when, label = max(editions)
    return label, (when if when != date.min else None)


def fact_report(fact: Fact, document: dict) -> dict:
    """The fact's ticker, company, edition label and date (the document's where the fact has none: the
    edition only when the fact has neither label nor date), ``report_key`` and ``edition_id``."""
    document_id = document["document_id"]
    ticker = fact.ticker if fact.ticker is not None else document.get("ticker")
    company = fact.company if fact.company is not None else document.get("company")
    label, day = fact.edition_label, fact.edition_date
    if label is None and day is None:
        label, day = document.get("edition_label"), document.get("edition_date")
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
    report = ids.report_key(ticker, company, document_id)
    return {
        "ticker": ticker, "company": company, "edition_label": label, "edition_date": day,
        "report_key": report, "edition_id": ids.edition_id(document_id, report, label, day),
    }
