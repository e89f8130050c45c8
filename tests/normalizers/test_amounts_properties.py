"""Property tests: find_amounts never raises, spans are exact, ranges are ordered."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalizers.amounts import find_amounts

_ALPHABET = st.sampled_from(list("0123456789 ,.'-−–+%$€£¥()/:|\u00a0\u202fkKMBmbnT")
                            + ["milliards", "million", "billion", "de", "dollars", "euros", "RMB", "US$", "environ",
                               "entre", "et", "and", "between", "from", "to", "à", "par", "per", "an", "year",
                               "three", "vingt", "et demi", "points", "pour cent", "secondes", "~", "(", ")", "\n",
                               "fifths", "a", "half", "un", "tiers", "quarts", "sur", "over", "½", "million", "de", "tonnes", "TEU"])
_texts = st.one_of(st.text(max_size=80), st.lists(_ALPHABET, max_size=30).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_texts, lang=st.sampled_from(["fr", "en"]))
def test_never_raises_and_spans_are_exact(text, lang):
    out = find_amounts(text, lang)
    last_end = -1
    for a in out:
        assert 0 <= a.start < a.end <= len(text)
        assert text[a.start:a.end] == a.text
        assert a.start >= last_end  # in order, non-overlapping
        last_end = a.end
        assert isinstance(a.value, Decimal)
        assert a.kind in {"money", "percent", "number", "quantity"}
        assert a.flags <= {"approx", "range", "negative", "equivalent", "per_unit"}
        if a.value_high is not None:
            assert "range" in a.flags
            assert a.value_high >= a.value


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**12), lang=st.sampled_from(["fr", "en"]))
def test_plain_integers_round_trip(n, lang):
    text = f"total {n} unités"
    out = find_amounts(text, lang)
    if 1900 <= n <= 2100 or n < 1:
        return
    assert out and out[0].value == n
