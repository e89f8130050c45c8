"""subject_key / metric_key per language, from the cases beside the word lists (extractors/data/<lang>/)."""
import tomllib
from pathlib import Path

import pytest

from extractors.keys import metric_key, normalize_text, subject_key

DATA = Path(__file__).resolve().parents[2] / "extractors" / "data"
KEY = {"subject": subject_key, "metric": metric_key}


def _cases(kind):
    out = []
    for path in sorted(DATA.glob("*/keys.cases.toml")):
        with open(path, "rb") as fh:
            for case in tomllib.load(fh).get(kind, []):
                out.append(pytest.param(case, id=f"{path.parent.name}:{case['text'][:50]}"))
    return out


def test_every_language_has_cases():
    langs = {p.parent.name for p in DATA.glob("*/keys.toml")}
    assert langs and langs == {p.parent.name for p in DATA.glob("*/keys.cases.toml")}
    for kind in ("subject", "metric", "kept"):
        assert _cases(kind), kind


@pytest.mark.parametrize("case", _cases("subject"))
def test_subject_key(case):
    assert subject_key(case["text"]) == case["key"]


@pytest.mark.parametrize("case", _cases("metric"))
def test_metric_key(case):
    assert metric_key(case["text"]) == case["key"]


@pytest.mark.parametrize("case", _cases("kept"))
def test_kept(case):
    """The word lists must not reduce these names: the key is the name, only normalised."""
    assert KEY[case["section"]](case["text"]) == normalize_text(case["text"])
