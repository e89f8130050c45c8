"""Every quantity fact of the fixture reports (and the blind ones) has a dimension, and its ref_value is what
pint says (within 0.5 %), computed here from pint's own registry and unit names."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractors.decode import read_document
from extractors.extract import extract_document
from normalizers import units

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
DOCS = sorted(REPORTS.glob("*.txt")) + sorted((REPORTS / "unseen").glob("*.txt"))


def _pint_unit(name: str):
    """The pint unit of a canonical name, parsed here independently of normalizers.units."""
    ureg = units.registry()
    for prefix, power in (("square_", 2), ("cubic_", 3)):
        if name.startswith(prefix) and name not in ureg:
            return ureg.Unit(name[len(prefix):]) ** power
    return ureg.Unit(name)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_quantities_have_a_dimension_and_pint_agrees(path):
    facts = extract_document(read_document(path)).facts
    quantities = [f for f in facts if f.kind == "quantity"]
    for f in facts:
        if f.kind != "quantity":
            assert (f.dimension, f.ref_value, f.ref_unit) == (None, None, None), f
    assert quantities, "no quantity found"
    ureg = units.registry()
    for f in quantities:
        assert f.dimension in units.DIMENSIONS, (f.source_text, f.unit)
        assert f.ref_unit == units.DIMENSIONS[f.dimension][1]
        want = ureg.Quantity(float(f.value), _pint_unit(f.unit)).to(_pint_unit(f.ref_unit)).magnitude
        assert f.ref_value == pytest.approx(want, rel=0.005), (f.source_text, f.unit, f.ref_value, want)
