"""Every id the warehouse stores, made here and only here (deterministic: a re-run gives the same ids).

- ``document_id``: first 16 hex of the sha256 of the file's bytes (one document per distinct content).
- ``fact_id``: first 16 hex of sha256(document_id, char_start, char_end, unit[, occurrence]).
- ``report_key``: the report a fact belongs to: ticker, else company, else document_id.
- ``edition_id``: first 16 hex of md5(document_id|report_key|edition_label|edition_date): one document may
  hold several editions (an updated canvas appended to the file).

The run id is not made here: the warehouse opens a run (``runs`` row) and the flow passes its id along.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from functools import lru_cache


def document_id(sha256: str) -> str:
    """The document of these bytes: the first 16 hex of their sha256."""
    return sha256.lower()[:16]


def fact_id(document_id: str, char_start: int, char_end: int, unit: str | None, occurrence: int = 0) -> str:
    """Deterministic id: first 16 hex of sha256(document_id, char_start, char_end, unit[, occurrence]).

    ``occurrence`` > 0 only when one document yields several facts with the same span and unit
    (the 2nd gets occurrence 1, ...), so ids stay unique and identical across re-runs.
    """
    parts = [document_id, str(char_start), str(char_end), unit or ""]
    if occurrence:
        parts.append(str(occurrence))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def fact_ids(document_id: str, spans: Iterable[tuple[int, int, str | None]]) -> list[str]:
    """The ids of a document's facts, given their (char_start, char_end, unit) in order; a repeated span and
    unit gets the next occurrence number."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for start, end, unit in spans:
        base = fact_id(document_id, start, end, unit)
        k = seen.get(base, 0)
        seen[base] = k + 1
        ids.append(base if k == 0 else fact_id(document_id, start, end, unit, k))
    return ids


def report_key(ticker: str | None, company: str | None, document_id: str) -> str:
    """The report: ticker, else company, else the document itself."""
    if ticker is not None:
        return ticker
    if company is not None:
        return company
    return document_id


@lru_cache(maxsize=4096)  # every fact of an edition asks for it
def edition_id(document_id: str, report_key: str, edition_label: str | None, edition_date: date | None) -> str:
    """The edition of a report written in a document: md5(document_id|report_key|label|date)[:16]."""
    text = "|".join((document_id, report_key, edition_label or "", edition_date.isoformat() if edition_date is not None else ""))
    return hashlib.md5(text.encode("utf-8")).hexdigest()[:16]
