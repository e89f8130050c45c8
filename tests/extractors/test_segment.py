"""Canvas structure: headings (French, English, misspelt), tables, bullets, sentences, boilerplate."""
from extractors.decode import document_from_bytes
from extractors.segment import edition_date, parse_heading, segment, split_cells

TEXT = """|
Acme Widgets SA (ACMW): Business Model Canvas [Mar-2024 Mis à jour] |
Acme Widgets SA (ACMW) - Modèle d'entreprise: partenariats clés
Partenariats industriels
Acme a signé des accords avec:
- Bolt Corp - contrat d'une valeur de 2,5 millions d'euros en 2023
| Partenaire | Valeur (2023) |
|---|---|
| Bolt Corp | 2,5 M€ |
| Nut GmbH | 1 200 k€ |
Acme Widgets SA (ACMW) - Modèle d'entreprise: Strots de revenus
Le chiffre d'affaires a atteint 12 millions d'euros en 2023. La marge était de 8 %.
Acme Widgets SA (ACMW) - Canvas Business Model: Cost Structure
Costs rose 4% in 2025.
Disclaimer
All figures, 100% of them, are illustrative.
"""


def _doc():
    return document_from_bytes(TEXT.encode("utf-8"), "acme.txt")


def test_headings_blocks_languages_and_editions():
    st = segment(_doc())
    blocks = [(s.block, s.lang, s.edition_label) for s in st.sections if s.block]
    assert blocks == [
        ("key_partners", "fr", "Mar-2024 Mis à jour"),
        ("revenue_streams", "fr", "Mar-2024 Mis à jour"),
        ("cost_structure", "en", None),
    ]
    assert st.company == "Acme Widgets SA" and st.ticker == "ACMW"
    assert st.sections[-1].boilerplate
    groups = {s.block: s.edition_group for s in st.sections if s.block}
    assert groups["key_partners"] == groups["revenue_streams"] != groups["cost_structure"]


def test_units_carry_their_context_and_offsets():
    doc = _doc()
    st = segment(doc)
    for u in st.units:
        assert doc.text[u.start:u.end] == u.text
    cells = [u for u in st.units if u.kind == "cell" and u.text == "2,5 M€"]
    assert len(cells) == 1
    cell = cells[0]
    assert cell.label == "Bolt Corp" and cell.col_header == "Valeur (2023)"
    assert cell.intro == "Acme a signé des accords avec:"
    assert cell.subheading == "Partenariats industriels"
    bullets = [u for u in st.units if u.kind == "bullet"]
    assert bullets[0].text.startswith("Bolt Corp")
    sentences = [u.text for u in st.units if u.kind == "sentence" and u.section.block == "revenue_streams"]
    assert sentences == ["Le chiffre d'affaires a atteint 12 millions d'euros en 2023.", "La marge était de 8 %."]


def test_text_without_headings_still_has_units():
    doc = document_from_bytes(b"Revenue was $5 million in 2024. Margins hit 12%.\n- Users: 3 million\n")
    st = segment(doc)
    assert [u.kind for u in st.units] == ["sentence", "sentence", "bullet"]
    assert all(u.section.block is None for u in st.units)
    assert st.units[0].lang == "en"


def test_ragged_tables_and_stray_pipes_do_not_crash():
    doc = document_from_bytes(b"| a | b |\n| 1 | 2 | 3 | 4 |\n| x\n|||\n| **bold** | `code` |\n")
    st = segment(doc)
    for u in st.units:
        assert doc.text[u.start:u.end] == u.text


def test_parse_heading_variants():
    h = parse_heading("Maison Verel SA (MVRL) - Modèle d'entreprise: Propositons de valeur")
    assert h["block"] == "value_propositions" and h["lang"] == "fr"
    h = parse_heading("Foo Inc (FOO) - Canvas Business Model: Customer Segmnets")
    assert h["block"] == "customer_segments" and h["lang"] == "en"
    assert parse_heading("Revenue grew (see note) strongly") is None


def test_split_cells_offsets():
    line = "| Taobao | 824 millions |  |"
    cells = split_cells(line, 100)
    assert [c for c, _ in cells] == ["Taobao", "824 millions", ""]
    assert all(line[off - 100: off - 100 + len(c)] == c for c, off in cells)


def test_edition_dates():
    assert str(edition_date("Jan-2025 Mis à jour")) == "2025-01-01"
    assert str(edition_date("Octobre 2025")) == "2025-10-01"
    assert edition_date("no date") is None
    assert str(edition_date("Updated 2025-03-14")) == "2025-03-14"
    assert str(edition_date("Édition 2024")) == "2024-01-01"
