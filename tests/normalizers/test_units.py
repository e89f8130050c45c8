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


@pytest.fixture
def machine_cache_dir(tmp_path, monkeypatch):
    """A machine cache of its own, and a process that has read no table yet."""
    monkeypatch.setenv("CANVAS_ETL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(units, "_table", None)
    units.resolve.cache_clear()
    yield tmp_path
    units.resolve.cache_clear()


def _lexicon_units() -> list[str]:
    return sorted({name for lang in LANGS for name in units.lexicon(lang).values()} | {"not_a_unit_at_all"})


def test_the_machine_table_answers_what_pint_answered(machine_cache_dir, monkeypatch):
    units.resolve_lexicon(tuple(LANGS))
    units.resolve("not_a_unit_at_all")
    [table] = machine_cache_dir.glob("units-*.json")
    monkeypatch.setattr(units, "_table", None)  # another process: reads the file
    units.resolve.cache_clear()

    def no_pint(expr):
        raise AssertionError(f"pint asked for {expr!r}")

    monkeypatch.setattr(units, "_resolve_with_pint", no_pint)
    from_table = {expr: units.resolve(expr) for expr in _lexicon_units()}
    monkeypatch.undo()
    assert from_table == {expr: units._resolve_with_pint(expr) for expr in _lexicon_units()}
    assert from_table["not_a_unit_at_all"] is None and from_table["hectoliter"].to_ref == pytest.approx(0.1)


def test_a_damaged_machine_table_is_ignored_and_written_again(machine_cache_dir, monkeypatch):
    units.resolve("hectoliter")
    [table] = machine_cache_dir.glob("units-*.json")
    table.write_bytes(table.read_bytes()[:-5])  # truncated
    monkeypatch.setattr(units, "_table", None)
    units.resolve.cache_clear()
    assert units.resolve("hectoliter") == units._resolve_with_pint("hectoliter")
    monkeypatch.setattr(units, "_table", None)
    assert units._machine_table()["hectoliter"] == ["hectoliter", "volume", "cubic_meter", 0.1]


def test_a_process_that_finds_every_unit_in_the_machine_table_never_loads_pint(tmp_path):
    import json
    import os
    import subprocess
    import sys

    script = ("import json, sys\nfrom normalizers import units\nunits.resolve_lexicon(('en', 'fr'))\n"
              "print(json.dumps([units.reference(2.0, 'hl'), 'pint' in sys.modules]))")
    env = {**os.environ, "CANVAS_ETL_CACHE_DIR": str(tmp_path)}
    runs = []
    for _ in range(2):
        res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
    assert runs[0] == [["volume", 0.2, "cubic_meter"], True]  # the first builds the table with pint
    assert runs[1] == [["volume", 0.2, "cubic_meter"], False]
