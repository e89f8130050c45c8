from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from extractors.keys import load_synonyms, metric_key, normalize_text, subject_key


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Chiffre d'affaires", "revenue"),
        ("chiffre d’affaires", "revenue"),
        ("CHIFFRE  D'AFFAIRES ", "revenue"),
        ("Revenus", "revenue"),
        ("revenue", "revenue"),
        ("Total revenue", "revenue"),
        ("MAU", "monthly active users"),
        ("Utilisateurs actifs mensuels", "monthly active users"),
        ("monthly active users", "monthly active users"),
        ("Croissance du chiffre d'affaires", "revenue growth"),
        ("Dépenses de R&D", "r&d expenses"),
        ("revenus cloud", "revenue cloud"),  # phrase substitution inside a longer name
        ("the revenue", "revenue"),
        ("partnership value", "partnership value"),  # no synonym: just normalised
    ],
)
def test_metric_key(raw, expected):
    assert metric_key(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Groupe Alibaba", "alibaba group"),
        ("Alibaba", "alibaba group"),
        ("Alibaba Group", "alibaba group"),
        ("Taobao & Tmall", "taobao and tmall"),
        ("Taobao et Tmall", "taobao and tmall"),
        ("Alibaba Cloud", "alibaba cloud"),
        ("Cainiao", "cainiao"),
        ("Nvidia partnership", "nvidia partnership"),
    ],
)
def test_subject_key(raw, expected):
    assert subject_key(raw) == expected


def test_normalize_text():
    assert normalize_text("  Élan   vital — été ") == "elan vital ete"
    assert normalize_text("l'Oréal") == "oreal"  # leading article dropped
    assert normalize_text("39,5 %") == "39 5 %"
    assert normalize_text(None) is None
    assert normalize_text(" ... ") is None
    assert metric_key(None) is None and subject_key("—") is None


def test_custom_synonyms_file(tmp_path: Path):
    p = tmp_path / "syn.toml"
    p.write_text('[metric]\n"gmv" = ["volume d\'affaires", "Gross Merchandise Value"]\n[subject]\n', encoding="utf-8")
    assert metric_key("Gross merchandise value", synonyms=p) == "gmv"
    assert metric_key("Volume d’affaires", synonyms=p) == "gmv"
    assert subject_key("X", synonyms=p) == "x"


def test_synonym_file_is_consistent():
    """Every canonical key is itself normalised and no variant maps to two canonicals."""
    tables = load_synonyms()
    for section in ("subject", "metric"):
        table = tables[section]
        for variant, canonical in table.exact.items():
            assert normalize_text(canonical) == canonical
            assert table.apply(canonical) == canonical, (section, canonical)


@given(st.text(max_size=40))
def test_keys_are_idempotent(text):
    k = metric_key(text)
    if k is not None:
        assert normalize_text(k) == k
        assert metric_key(k) == k
    s = subject_key(text)
    if s is not None:
        assert subject_key(s) == s
