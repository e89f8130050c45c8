"""Extraction rows for the warehouse: ids, rounding steps, the report and edition of each fact."""
from datetime import date
from decimal import Decimal

import pytest

from extractors import ids
from extractors.fact import Fact
from extractors.records import fact_columns, rounding_step


def _fact(value, unit="USD", *, start, text="1 USD", **kw) -> Fact:
    return Fact(value=Decimal(value), unit=unit, kind="money", char_start=start, char_end=start + len(text),
                source_text=text, **kw)


DOC = {"document_id": "d" * 16, "ticker": "BABA", "company": "Alibaba", "edition_label": "Dec-2025",
       "edition_date": date(2025, 12, 1)}


def test_fact_ids_are_deterministic_and_unique():
    facts = [_fact("1", start=1000), _fact("2", start=2000), _fact("1", start=1000)]  # same span twice
    a = fact_columns(facts, document=DOC, run_id="r1", extractor_version="v")["fact_id"]
    b = fact_columns(facts, document=DOC, run_id="r2", extractor_version="v")["fact_id"]
    assert a == b and len(set(a)) == 3
    assert a[0] == ids.fact_id("d" * 16, 1000, 1005, "USD") and a[2] == ids.fact_id("d" * 16, 1000, 1005, "USD", 1)
    other = fact_columns(facts, document={**DOC, "document_id": "e" * 16}, run_id="r", extractor_version="v")
    assert other["fact_id"][0] != a[0]


@pytest.mark.parametrize(
    "value, precision, kind, step",
    [("4.4E+9", 1, "money", Decimal("1E+8")), ("4.35E+9", 2, "money", Decimal("1E+7")),
     ("824000000", 0, "count", Decimal("1E+6")), ("39.5", 1, "percent", Decimal("0.1")),
     ("1234567", 0, "count", Decimal(1)), ("1.2E+12", 1, "money", Decimal("1E+11")),
     ("1200000000000", 0, "money", Decimal("1E+9")), ("5", None, "money", None)],
)
def test_rounding_step(value, precision, kind, step):
    assert rounding_step(Decimal(value), precision, kind) == step


def test_report_and_edition_of_each_fact():
    facts = [
        _fact("1", start=10),  # nothing of its own: the document's ticker, company and edition
        _fact("2", start=20, ticker="XYZ", edition_label="Jun-2024", edition_date=date(2024, 6, 1)),
        _fact("3", start=30, edition_date=date(2024, 6, 1)),  # a date of its own: no document label
    ]
    cols = fact_columns(facts, document=DOC, run_id="r", extractor_version="v")
    assert cols["ticker"] == ["BABA", "XYZ", "BABA"] and cols["company"] == ["Alibaba"] * 3
    assert cols["edition_label"] == ["Dec-2025", "Jun-2024", None]
    assert cols["report_key"] == ["BABA", "XYZ", "BABA"]
    assert cols["edition_id"][0] == ids.edition_id("d" * 16, "BABA", "Dec-2025", date(2025, 12, 1))
    assert cols["edition_id"][2] == ids.edition_id("d" * 16, "BABA", None, date(2024, 6, 1)) != cols["edition_id"][0]
    bare = fact_columns(facts[:1], document={"document_id": "d" * 16}, run_id="r", extractor_version="v")
    assert bare["report_key"] == ["d" * 16] and bare["edition_label"] == [None]
    assert cols["run_id"] == ["r"] * 3
