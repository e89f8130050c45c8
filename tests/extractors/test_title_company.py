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


from extractors.subjects import lead_label_end, value_name  # noqa: E402


@pytest.mark.parametrize("value,expected", [
    ("Ateliers Cattin, contrat-cadre de CHF 38 mio sur trois ans", "Ateliers Cattin"),
    ("Summit & Co. carries the brand in 310 doors", "Summit & Co."),
    ("Teravant Mills framework, 38 million yards", "Teravant Mills"),
    ("SEK 24.9 billion", None),
    ("46 %", None),
    ("block-space agreements with 9 airlines", None),
])
def test_value_name(value, expected):
    assert value_name(value) == expected


def test_lead_label_end():
    assert lead_label_end("Snapshot: loyalty members generated 61% of revenue") == len("Snapshot: ")
    assert lead_label_end("Chiffre d'affaires : 486,2 M$ CA") == len("Chiffre d'affaires : ")
    assert lead_label_end("Revenue rose 12% in 2024: a record") == 0
