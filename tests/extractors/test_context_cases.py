"""Context vocabulary per language, from the case corpora beside it (extractors/data/<lang>/context.cases.toml)."""
import tomllib
from pathlib import Path

import pytest

from extractors import lexicon
from extractors.period_context import current_period_cue

DATA = Path(__file__).resolve().parents[2] / "extractors" / "data"


def _cases(kind):
    out = []
    for path in sorted(DATA.glob("*/context.cases.toml")):
        with open(path, "rb") as fh:
            for case in tomllib.load(fh).get(kind, []):
                out.append(pytest.param(case, path.parent.name, id=f"{path.parent.name}:{case['text'][:50]}"))
    return out


@pytest.mark.parametrize("case,lang", _cases("current_cue"))
def test_current_cue(case, lang):
    assert current_period_cue().search(lexicon.fold(case["text"]))


@pytest.mark.parametrize("case,lang", _cases("not_current_cue"))
def test_not_current_cue(case, lang):
    assert not current_period_cue().search(lexicon.fold(case["text"]))


@pytest.mark.parametrize("case,lang", _cases("comparison_column"))
def test_comparison_column(case, lang):
    from extractors.period_context import comparison_column

    assert comparison_column(case["text"])


@pytest.mark.parametrize("case,lang", _cases("not_comparison_column"))
def test_not_comparison_column(case, lang):
    from extractors.period_context import comparison_column

    assert not comparison_column(case["text"])
