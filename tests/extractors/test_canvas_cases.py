"""Canvas headings per language, from the case corpora beside the vocabulary (extractors/data/<lang>/)."""
import tomllib
from pathlib import Path

import pytest

from extractors.segment import parse_heading

DATA = Path(__file__).resolve().parents[2] / "extractors" / "data"


def _cases(kind):
    out = []
    for path in sorted(DATA.glob("*/canvas.cases.toml")):
        with open(path, "rb") as fh:
            for case in tomllib.load(fh).get(kind, []):
                out.append(pytest.param(case, id=f"{path.parent.name}:{case['text'][:50]}"))
    return out


@pytest.mark.parametrize("case", _cases("heading"))
def test_heading(case):
    got = parse_heading(case["text"].strip("| "))
    assert got is not None
    assert (got["block"] or "") == case["block"]
    if "lang" in case:
        assert got["lang"] == case["lang"]
    if "edition" in case:
        assert got["edition_label"] == case["edition"]


@pytest.mark.parametrize("case", _cases("not_heading"))
def test_not_heading(case):
    got = parse_heading(case["text"].strip("| "))
    assert got is None or (got["block"] is None and got["edition_label"] is None and got["canvas"] is None)


@pytest.mark.parametrize("case", _cases("bare_heading"))
def test_bare_block_heading(case):
    from extractors.segment import bare_block_heading

    got = bare_block_heading(case["text"])
    assert got is not None and got[0] == case["block"]


@pytest.mark.parametrize("case", _cases("not_bare_heading"))
def test_not_bare_block_heading(case):
    from extractors.segment import bare_block_heading

    assert bare_block_heading(case["text"]) is None
