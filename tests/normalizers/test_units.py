"""normalizers.units: the unit lexicon (data/<lang>/units.toml and its cases), canonical names, dimensions and
reference values checked against pint."""
from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from normalizers import units
from normalizers.amounts import find_amounts

DATA = Path(__file__).resolve().parents[2] / "normalizers" / "data"
LANGS = ("en", "fr")


def _cases(lang: str, kind: str):
    with open(DATA / lang / "units.cases.toml", "rb") as fh:
        return tomllib.load(fh).get(kind, [])


def _params(kind: str):
    return [pytest.param(lang, c, id=f"{lang}-{i:02d}-{c['input'][:30]}")
            for lang in LANGS for i, c in enumerate(_cases(lang, kind))]


@pytest.mark.parametrize(("lang", "case"), _params("match"))
def test_must_match(lang, case):
    got = [(a.text, a.value, a.unit) for a in find_amounts(case["input"], lang)]
    assert (case["text"], Decimal(case["value"]), case["unit"]) in got, got


@pytest.mark.parametrize(("lang", "case"), _params("no_match"))
def test_must_not_match(lang, case):
    got = [(a.text, a.unit) for a in find_amounts(case["input"], lang) if a.kind == "quantity"]
    assert got == []


@pytest.mark.parametrize("lang", LANGS)
def test_cases_size(lang):
    assert len(_cases(lang, "match")) >= 15 and len(_cases(lang, "no_match")) >= 3


@pytest.mark.parametrize("lang", LANGS)
def test_lexicon_values_are_canonical_pint_units_with_a_dimension(lang):
    lex = units.lexicon(lang)
    assert len(lex) > 80
    for word, name in lex.items():
        assert units.canonical(name) == name, (word, name)
        info = units.resolve(name)
        assert info is not None and info.dimension in units.DIMENSIONS, (word, name, info)


def test_reference_units_are_their_own_reference():
    for dimension, (_, ref) in units.DIMENSIONS.items():
        info = units.resolve(ref)
        assert (info.name, info.dimension, info.ref_unit, info.to_ref) == (ref, dimension, ref, 1.0)


@pytest.mark.parametrize(("expr", "name", "dimension", "ref_value"), [
    ("hl", "hectoliter", "volume", 0.1),
    ("MWh", "megawatt_hour", "energy", 1.0),
    ("TWh", "terawatt_hour", "energy", 1e6),
    ("GW", "gigawatt", "power", 1e3),
    ("t", "metric_ton", "mass", 1.0),
    ("m**2", "square_meter", "area", 1.0),
    ("hectare", "hectare", "area", 1e4),
    ("sq_ft", "square_foot", "area", 0.09290304),
    ("ms", "millisecond", "duration", 1 / 3.6e6),
    ("PB", "petabyte", "data", 1e6),
    ("EVP", "teu", "containers", 1.0),
    ("basis_point", "basis_point", "points", 0.01),  # not "bps": pint reads it as bits per second ("Mbps")
    ("yard", "yard", "length", 0.0009144),
    ("m**3", "cubic_meter", "volume", 1.0),
])
def test_resolve(expr, name, dimension, ref_value):
    info = units.resolve(expr)
    assert (info.name, info.dimension) == (name, dimension)
    assert info.to_ref == pytest.approx(ref_value, rel=1e-9)
    dim, value, ref = units.reference(2.0, expr)
    assert (dim, ref) == (dimension, units.DIMENSIONS[dimension][1])
    assert value == pytest.approx(2 * ref_value, rel=1e-9)


def test_no_dimension():
    assert units.resolve("not_a_unit_at_all") is None
    assert units.reference(5.0, "USD") == (None, None, None)
    info = units.resolve("percent")
    assert info is not None and info.dimension is None
