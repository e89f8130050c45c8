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


def _mention(text, date, lang):
    from normalizers.periods import find_periods

    found = [m for m in find_periods(text, lang, fiscal_year_end=(12, 31)) if m.text.endswith(date)]
    assert found, (text, date)
    return found[0]


@pytest.mark.parametrize("case,lang", _cases("event_date"))
def test_event_date(case, lang):
    from extractors.period_context import event_date

    assert event_date(case["text"], _mention(case["text"], case["date"], lang))


@pytest.mark.parametrize("case,lang", _cases("not_event_date"))
def test_not_event_date(case, lang):
    from extractors.period_context import event_date

    assert not event_date(case["text"], _mention(case["text"], case["date"], lang))


def _amount(text, figure, lang):
    from normalizers.amounts import find_amounts

    found = [a for a in find_amounts(text, lang) if a.text == figure]
    assert found, (text, figure)
    return found[0]


@pytest.mark.parametrize("case,lang", _cases("comparison_lead"))
def test_comparison_lead(case, lang):
    from extractors.period_context import comparative_figure

    assert comparative_figure(case["text"], _amount(case["text"], case["figure"], lang))


@pytest.mark.parametrize("case,lang", _cases("not_comparison_lead"))
def test_not_comparison_lead(case, lang):
    from extractors.period_context import comparative_figure

    assert not comparative_figure(case["text"], _amount(case["text"], case["figure"], lang))


def _rate(case, lang):
    from extractors.period_context import yearly_rate
    from normalizers.amounts import find_amounts
    from normalizers.periods import find_periods

    text = case["text"]
    amounts = list(find_amounts(text, lang))
    mentions = find_periods(text, lang, fiscal_year_end=(12, 31))
    return yearly_rate(text, _amount(text, case["figure"], lang), amounts, mentions)


@pytest.mark.parametrize("case,lang", _cases("yearly_rate"))
def test_yearly_rate(case, lang):
    assert _rate(case, lang)


@pytest.mark.parametrize("case,lang", _cases("not_yearly_rate"))
def test_not_yearly_rate(case, lang):
    assert not _rate(case, lang)


@pytest.mark.parametrize("case,lang", _cases("measure_label"))
def test_measure_label(case, lang):
    from extractors.subjects import names_a_measure

    assert names_a_measure(case["text"])


@pytest.mark.parametrize("case,lang", _cases("not_measure_label"))
def test_not_measure_label(case, lang):
    from extractors.subjects import names_a_measure

    assert not names_a_measure(case["text"])


@pytest.mark.parametrize("case,lang", _cases("subject_phrase"))
def test_subject_phrase(case, lang):
    from extractors.subjects import lead_phrase

    assert lead_phrase(case["text"], lang) == case["phrase"]


@pytest.mark.parametrize("case,lang", _cases("not_subject_phrase"))
def test_not_subject_phrase(case, lang):
    from extractors.subjects import lead_phrase

    assert lead_phrase(case["text"], lang) is None
