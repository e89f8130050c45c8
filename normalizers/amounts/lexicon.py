"""Language tables of the amount normaliser, built once per language from ``data/{fr,en}/amounts.toml`` (the
other language's words are merged in, the primary language winning): scales, units, percent words, approximation,
negation, range and rate words, fractions, and the regexes made of them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .. import langdata
from .. import numbers as _num
from .. import units as _units
from ..retrie import first_char_lookahead, lowered_phrases, trie_alternation

_LANGS = ("fr", "en")

_SP = "[ \t\u00a0\u202f]"  # horizontal space
_SPACES = " \t\u00a0\u202f"


def _atom(ch: str) -> str:
    return _SP + "{1,3}" if ch == " " else "['’]" if ch in "'’" else re.escape(ch)


def _alt(words) -> str:
    """Regex alternation of literal phrases (a prefix trie, longest first); spaces match a run of horizontal
    space, either apostrophe matches both."""
    return trie_alternation(words, lambda w: [_atom(ch) for ch in w])


@dataclass
class _Lang:
    lang: str
    decimal_mark: str
    scales_ci: dict[str, Decimal]
    scales_cs: dict[str, Decimal]
    units: dict[str, str]
    scale_re: re.Pattern
    pct_re: re.Pattern
    unit_re: re.Pattern
    approx_before_re: re.Pattern
    approx_after_re: re.Pattern
    neg_before_re: re.Pattern
    between_re: re.Pattern
    range_conn_re: re.Pattern
    per_re: re.Pattern
    half_re: re.Pattern
    equiv_re: re.Pattern
    hint_re: re.Pattern
    hint_lower_re: re.Pattern | None = None  # hint_re's phrases, case-sensitive, for lower-cased texts (words.py)
    not_nouns: frozenset[str] = field(default_factory=frozenset)
    bare_word_skip: frozenset[str] = field(default_factory=frozenset)
    points_words: frozenset[str] = field(default_factory=frozenset)
    bp_words: frozenset[str] = field(default_factory=frozenset)
    frac: _num.Fractions | None = None
    determiners: frozenset[str] = field(default_factory=frozenset)
    reference_determiners: frozenset[str] = field(default_factory=frozenset)
    alone_words: dict[str, Decimal] = field(default_factory=dict)
    over_re: re.Pattern | None = None
    unit_link_re: re.Pattern | None = None
    not_before_re: re.Pattern | None = None
    year_cue_re: re.Pattern | None = None
    version_after_re: re.Pattern | None = None
    en_scales: dict[str, Decimal] = field(default_factory=dict)
    subunit_re: re.Pattern | None = None
    article_scale_re: re.Pattern | None = None
    id_before_re: re.Pattern | None = None
    address_cue_re: re.Pattern | None = None
    street_after_re: re.Pattern | None = None
    street_before_re: re.Pattern | None = None
    period_label_re: re.Pattern | None = None
    period_length_units: frozenset[str] = field(default_factory=frozenset)
    period_length_after_re: re.Pattern | None = None
    period_length_before_re: re.Pattern | None = None
    period_scale_letters: frozenset[str] = field(default_factory=frozenset)
    scale_not_after_re: re.Pattern | None = None
    subunits: dict[str, tuple[str, Decimal]] = field(default_factory=dict)


def _raw(lang: str) -> dict:
    return langdata.load(langdata.DATA_DIR, lang, "amounts")


def _merged_list(primary: dict, secondary: dict, section: str, key: str) -> list[str]:
    return list(primary.get(section, {}).get(key, [])) + list(secondary.get(section, {}).get(key, []))


@lru_cache(maxsize=None)
def _lang(lang: str) -> _Lang:
    if lang not in _LANGS:
        lang = "en"
    p = _raw(lang)
    s = _raw("en" if lang == "fr" else "fr")
    # the primary language wins on conflicts (French "billion" = 1e12)
    scales_ci = {k.lower(): Decimal(v) for k, v in s["scales"].items()}
    scales_ci.update({k.lower(): Decimal(v) for k, v in p["scales"].items()})
    scales_cs = {k: Decimal(v) for k, v in s.get("scales_cs", {}).items()}
    scales_cs.update({k: Decimal(v) for k, v in p.get("scales_cs", {}).items()})
    # unit words: data/<lang>/units.toml (pint units, normalizers/units.py), the primary language winning
    other = "en" if lang == "fr" else "fr"
    units: dict[str, str] = {**_units.lexicon(other), **_units.lexicon(lang)}
    spaced = _units.spaced_letters(lang)
    # case-sensitive abbreviations ("MW", "TEU") and the one-letter symbols read after a space ("612 000 t");
    # other single letters are only read glued to the number ("24h", "10x")
    units_ci = {k.lower(): v for k, v in units.items() if not (k != k.lower() and len(k) <= 3) and len(k) > 1}
    units_cs = {k: v for k, v in units.items() if (k != k.lower() and len(k) <= 3) or k in spaced}
    units_glued = {k: v for k, v in units.items() if len(k) == 1 and k not in spaced}
    units_all = {**{k.lower(): v for k, v in units_ci.items()}, **units_cs, **units_glued}

    upper_cs = [k for k in scales_cs if not k.islower()]
    lower_cs = [k for k in scales_cs if k.islower()]
    scale_re = re.compile(
        rf"(?:{_SP}?(?P<w>(?i:{_alt(scales_ci)}))|{_SP}?(?P<u>{_alt(upper_cs)})|(?P<g>{_alt(lower_cs)}))(?![^\W\d_])"
    )
    pct_words = _merged_list(p, s, "percent", "words")
    points = _merged_list(p, s, "percent", "points")
    bps = _merged_list(p, s, "percent", "basis_points")
    pct_re = re.compile(
        rf"{_SP}{{0,2}}(?:(?P<pts>(?i:{_alt([w for w in points if ' ' in w])}))|(?P<bp>(?i:{_alt([w for w in bps if len(w) > 3])})|{_alt([w for w in bps if len(w) <= 3])})|(?P<pct>%|(?i:{_alt([w for w in pct_words if w != '%'])}))|(?P<pts2>(?i:{_alt([w for w in points if ' ' not in w])})))(?![^\W\d_])"
    )
    unit_re = re.compile(
        rf"(?:{_SP}?-?{_SP}?(?P<ci>(?i:{_alt(units_ci)}))|{_SP}?(?P<cs>{_alt(units_cs)})|(?P<gl>{_alt(units_glued)}))(?![^\W\d_])"
    )
    approx_before = _merged_list(p, s, "approx", "before")
    approx_before_re = first_char_lookahead(re.compile(rf"(?<![^\W\d_])(?P<w>(?i:{_alt(approx_before)})){_SP}{{0,3}}$"))
    approx_after_re = re.compile(rf"{_SP}{{1,3}}(?i:{_alt(_merged_list(p, s, 'approx', 'after'))})(?![^\W\d_])")
    neg_before_re = first_char_lookahead(re.compile(rf"(?<![^\W\d_])(?i:{_alt(_merged_list(p, s, 'numbers', 'negative_words'))}){_SP}{{1,3}}$"))
    between_re = first_char_lookahead(re.compile(rf"(?<![^\W\d_])(?P<w>(?i:{_alt(_merged_list(p, s, 'range', 'between'))})){_SP}{{1,3}}$"))
    ands = _merged_list(p, s, "range", "and")
    tos = _merged_list(p, s, "range", "to")
    range_conn_re = re.compile(
        rf"{_SP}{{0,3}}(?:(?P<dash>[-–—]|(?i:{_alt(tos)})(?![^\W\d_]))|(?P<and>(?i:{_alt(ands)})(?![^\W\d_]))){_SP}{{0,3}}"
    )
    preps = _merged_list(p, s, "per_unit", "prepositions")
    advs = _merged_list(p, s, "per_unit", "adverbs")
    per_re = re.compile(
        rf"{_SP}{{0,3}}(?:(?P<adv>(?i:{_alt(advs)}))(?![^\W\d_])|(?P<prep>(?i:{_alt([x for x in preps if x != '/'])}){_SP}{{1,3}}|/{_SP}?)(?P<noun>[^\W\d_]{{2,30}}))"
    )
    half_re = re.compile(rf"{_SP}{{1,3}}(?i:{_alt(_merged_list(p, s, 'numbers', 'half'))})(?![^\W\d_])")
    equiv_words = _merged_list(p, s, "equivalent", "words") + approx_before
    equiv_re = re.compile(
        rf"^{_SP}{{0,3}}[,;]?{_SP}{{0,3}}[(\[]{_SP}{{0,3}}(?:(?i:{_alt(equiv_words)}){_SP}{{0,3}}){{0,2}}$"
    )
    frac = _num.build(lang, p.get("fractions", {}))
    # number words, and the fraction denominators ("a fifth", "three quarters": their articles need no hint)
    hints = _merged_list(p, s, "numbers", "word_hints") + sorted(frac.denominators)
    hint_re = first_char_lookahead(re.compile(rf"(?<![^\W\d_])(?i:{_alt(hints)})"))
    # the same trie (lower-case phrases), searched in a lower-cased text: re's fast first-character scan serves it
    low_hints = lowered_phrases(hints)
    hint_lower_re = re.compile(_alt(low_hints)) if low_hints is not None else None
    # currency subunits after a number: "2.8p" (glued, case-sensitive), "35 pence" (a word)
    sub = {k: (v[0], Decimal(v[1])) for src in (s, p) for k, v in src.get("subunits", {}).get("glued", {}).items()}
    subw = {k.lower(): (v[0], Decimal(v[1])) for src in (s, p) for k, v in src.get("subunits", {}).get("words", {}).items()}
    subunit_re = None
    if sub or subw:
        parts = []
        if sub:
            parts.append(rf"(?P<g>{_alt(sub)})")
        if subw:
            parts.append(rf"{_SP}{{1,2}}(?P<w>(?i:{_alt(subw)}))")
        subunit_re = re.compile(rf"(?:{'|'.join(parts)})(?![^\W\d_])")
    # "a dozen", "an hundred": the article is the number 1 before a scale word
    arts = list(p.get("fractions", {}).get("articles", []))
    word_scales = [k for k in scales_ci if k.replace(" ", "").isalpha() and len(k) > 3]
    article_scale_re = first_char_lookahead(re.compile(
        rf"(?<![^\W\d_])(?i:{_alt(arts)}){_SP}{{1,2}}(?=(?i:{_alt(word_scales)})(?![^\W\d_]))")) if arts else None
    scale_not_after_re = first_char_lookahead(re.compile(
        rf"(?<![^\W\d_])(?i:{_alt(_merged_list(p, s, 'numbers', 'scale_not_after'))}){_SP}{{1,3}}$"))
    nf = lambda key: _merged_list(p, s, "not_facts", key)  # noqa: E731
    streets = nf("street_words")
    return _Lang(
        id_before_re=first_char_lookahead(re.compile(
            rf"(?<![^\W\d_])(?i:{_alt(nf('id_before'))})(?:{_SP}{{1,2}}[A-Z][^\W\d_]+)?[:#]?{_SP}{{0,2}}$")),
        address_cue_re=first_char_lookahead(re.compile(rf"(?<![^\W\d_])(?i:{_alt(nf('address_cues'))}){_SP}*:")),
        street_after_re=re.compile(
            rf"{_SP}{{0,2}},?{_SP}{{1,2}}(?:[^\W\d_][^\s\d,.;:]*{_SP}{{1,2}}){{0,3}}(?i:{_alt(streets)})(?![^\W\d_])"),
        street_before_re=first_char_lookahead(re.compile(
            rf"(?<![^\W\d_])(?i:{_alt(streets)})(?:{_SP}{{1,2}}[^\s\d,.;:]+){{1,3}}{_SP}{{1,2}}$")),
        period_label_re=first_char_lookahead(re.compile(rf"(?<![^\W\d_])(?i:{_alt(nf('period_labels'))}){_SP}{{1,2}}$")),
        period_length_units=frozenset(nf("period_length_units")),
        period_length_after_re=re.compile(rf"{_SP}{{0,3}}\)?{_SP}{{0,2}}(?i:{_alt(nf('period_length_after'))})(?![^\W\d_])"),
        period_length_before_re=first_char_lookahead(re.compile(rf"(?<![^\W\d_])(?i:{_alt(nf('period_length_before'))}){_SP}{{1,3}}$")),
        period_scale_letters=frozenset(nf("period_scale_letters")),
        article_scale_re=article_scale_re,
        scale_not_after_re=scale_not_after_re,
        subunit_re=subunit_re,
        subunits={**sub, **subw},
        lang=lang,
        decimal_mark=p["numbers"]["decimal_mark"],
        scales_ci=scales_ci,
        scales_cs=scales_cs,
        units=units_all,
        scale_re=scale_re,
        pct_re=pct_re,
        unit_re=unit_re,
        approx_before_re=approx_before_re,
        approx_after_re=approx_after_re,
        neg_before_re=neg_before_re,
        between_re=between_re,
        range_conn_re=range_conn_re,
        per_re=per_re,
        half_re=half_re,
        equiv_re=equiv_re,
        hint_re=hint_re,
        hint_lower_re=hint_lower_re,
        not_nouns=frozenset(w.lower() for w in _merged_list(p, s, "per_unit", "not_nouns")),
        bare_word_skip=frozenset(w.lower() for w in _merged_list(p, s, "numbers", "bare_word_skip")),
        points_words=frozenset(points),
        bp_words=frozenset(bps),
        frac=frac,
        determiners=frozenset(w.lower() for w in p["numbers"].get("determiners", [])),
        reference_determiners=frozenset(w.lower() for w in p["numbers"].get("reference_determiners", [])),
        alone_words={_num.word_key(k): Decimal(v) for k, v in p["numbers"].get("alone_words", {}).items()},
        unit_link_re=re.compile(
            rf"{_SP}{{1,3}}(?:(?i:{_alt(_merged_list(p, s, 'unit_links', 'after_scale'))})(?:{_SP}{{1,3}}|(?<=['’]))"
            rf"|(?!(?i:{_alt(_merged_list(p, s, 'unit_links', 'not_modifiers'))})(?![^\W\d_]))[^\W\d_A-Z]{{3,15}}{_SP}{{1,2}}(?=[^\W\d_]))"
        ),
        not_before_re=first_char_lookahead(re.compile(rf"(?<![^\W\d_])(?i:{_alt(_merged_list(p, s, 'numbers', 'not_before'))}){_SP}{{0,2}}$")),
        year_cue_re=first_char_lookahead(re.compile(rf"(?<![^\W\d_])(?i:{_alt(_merged_list(p, s, 'numbers', 'year_cues'))}){_SP}{{1,2}}$")),
        version_after_re=re.compile(rf"-[^\W\d_]|{_SP}(?:{_alt(_merged_list(p, s, 'numbers', 'version_after'))})(?![^\W\d_])"),
        en_scales={k.lower(): Decimal(v) for k, v in (_raw("en")["scales"].items() if lang == "fr" else ())},
        over_re=re.compile(rf"{_SP}{{1,3}}(?i:{_alt(p.get('fractions', {}).get('over', []))}){_SP}{{1,3}}"),
    )
