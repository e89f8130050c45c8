"""Document-level currency hints: what a bare "$" means, from the document's own words (data/currencies.toml)."""
from normalizers.amounts import find_amounts
from normalizers.currencies import document_hints


def test_canadian_document_reads_bare_dollar_as_cad():
    text = ("Tous les montants sont en dollars canadiens sauf indication contraire.\n"
            "Chiffre d'affaires : 486,2 M$ CA. BAIIA : 92,7 M$. Dette en 45 M$ US.")
    hints = document_hints(text)
    assert hints == {"$": "CAD"}
    found = find_amounts("BAIIA : 92,7 M$. Dette en 45 M$ US.", "fr", currency_hints=hints)
    assert [(a.text, a.unit) for a in found] == [("92,7 M$", "CAD"), ("45 M$ US", "USD")]


def test_no_hint_without_evidence_or_on_a_tie():
    assert document_hints("Revenue was $12 million, up 4%.") == {}
    assert document_hints("Debt of 5 M$ US and 5 M$ CA; costs of 3 M$.") == {}
    # prefixed symbols are no evidence: the document marks each dollar itself
    assert document_hints("HK$3.5 billion and US$2 billion; a bare $4 million.") == {}
    # the document's word is the hint, even where it is the symbol's default
    assert document_hints("All figures in US dollars: $4 million.") == {"$": "USD"}
