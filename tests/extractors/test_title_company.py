"""A report whose title names the company without the "Company (TICKER): Business Model Canvas" form."""
import pytest

from extractors.segment import title_company


@pytest.mark.parametrize("text,expected", [
    ("Pennant Homeware plc\nInterim Report H1 24\n", ("Pennant Homeware plc", None)),
    ("Nordhavn Freight Group AB -- Business Model Canvas, full year 2024\n", ("Nordhavn Freight Group AB", None)),
    ("RIDGELINE OUTDOOR CORP. (NYSE: RDGL) -- Q3 25 Canvas Brief\n", ("Ridgeline Outdoor Corp.", "RDGL")),
    ("Quarterly notes - Brightwater Foods plc (BWF)\n", ("Brightwater Foods plc", "BWF")),
    ("Groupe Exemple inc. (TSX : GEX)\n", ("Groupe Exemple inc.", "GEX")),
    # not names: a sentence, a line with figures, a canvas word alone
    ("Revenue grew strongly in the year and margins held up well.\n", (None, None)),
    ("Q3 2025 results: 12 stores\n", (None, None)),
    ("Business Model Canvas\n", (None, None)),
])
def test_title_company(text, expected):
    assert title_company(text) == expected
