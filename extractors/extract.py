"""Document -> facts: the one place where structure, mentions and context meet.

raw bytes -> Document (decode) -> sections/units (segment) -> mentions (spaCy spans from our components, nlp)
-> typed facts with period (period_context), subject (subjects), metric (metrics), unit (units), block,
edition (editions) and provenance. The rows for the warehouse are made from these by ``records``.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

from normalizers.amounts import Amount
from normalizers.currencies import document_hints
from normalizers.periods import (Period, PeriodMention, find_fiscal_year_end, find_fiscal_year_naming, find_periods,
                                 fiscal_year_end_for)
from normalizers.retrie import first_char_lookahead, literal_alternation

from . import lexicon
from .decode import Document
from .editions import assign_editions
from .fact import Fact
from .memo import cached_amounts, hints_key
from .metrics import clean_label, find_metric
from .period_context import (
    RESOLVABLE_RELATIVE, TITLE_PERIOD_BLOCKS, ResolvedPeriod, combine, default_marker, nearest, opens_sentence,
    periods_in, resolve, lead_period, shares_words, speaks_of_period, usable, comparison_column, is_base,
    comparative_figure, event_date, may_state_yearly_rate, yearly_rate,
)
from .period_context import _paren_groups as _paren_spans
from .records import document_record, section_records
from .segment import Section, Structure, Unit, segment
from .subjects import (head_entities, lead_label_end, lead_phrase, leading_name, names_a_measure, names_a_thing,
                       needs_ner, ner_head, read_entities, set_entities, subject_from_entities, trailing_name,
                       value_name)
from .units import PLAIN_NUMBER, declared_unit, kind_unit, physical

EXTRACTOR_VERSION = "0.1.0"

_PREFILTER_WORDS = first_char_lookahead(re.compile(  # a figure in words (extractors/data/<lang>/context.toml)
    r"\b" + literal_alternation(
        w for lg in lexicon.LANGS for w in lexicon.load(lg, "context").get("prefilter", {}).get("number_words", [])
    ) + r"\b",
    re.IGNORECASE,
))
_DIGIT = re.compile(r"\d")


def may_hold_figure(text: str) -> bool:
    """A digit, or a figure in words: the cheap test before a text is read for amounts (the digit is looked
    for first, on its own: one scan that stops at the first digit, instead of the word list tried everywhere)."""
    return _DIGIT.search(text) is not None or _PREFILTER_WORDS.search(text) is not None


@dataclass(slots=True)
class Extraction:
    document: dict
    sections: list[dict]
    facts: list[Fact]
    stats: dict = field(default_factory=dict)  # units, spacy_docs (units the rule components read), ner_docs, ner_chars


# ---------------------------------------------------------------------------------------------------------
# document-level context


def currency_hints(text: str) -> dict[str, str]:
    """What the document's ambiguous symbols ("$", "¥") mean, from its own words (normalizers.currencies, data in
    normalizers/data/currencies.toml [document_evidence]): the most mentioned candidate wins."""
    return document_hints(text)


@lru_cache(maxsize=None)
def _negative_words() -> re.Pattern:
    words = {lexicon.fold(w) for lg in lexicon.LANGS for w in lexicon.load(lg, "context").get("direction", {}).get("negative", [])}
    return first_char_lookahead(re.compile(r"(?<![\w])(" + literal_alternation(words) + r")(?![\w])"))

@lru_cache(maxsize=None)
def _retraction_regex() -> re.Pattern:
    return first_char_lookahead(re.compile(r"(?<![\w])(" + literal_alternation(lexicon.retraction_markers()) + r")(?![\w])"))


_NO_CONTEXT_PERIOD = object()  # a unit's context gives its figures no period (the document's default may)

# Blocks whose "- Label: figure" lists are split by a thing (channel, segment, revenue line: "- Distributors:
# 39%"); elsewhere such a label names a measure ("- Median build time: 4.2 minutes") of the company.
LABEL_SUBJECT_BLOCKS = ("key_partners", "channels", "customer_segments", "revenue_streams")
MEASURE_BLOCKS = ("cost_structure",)  # its lines name costs (measures), not things
_FR_DETERMINER = re.compile(r"(?i)(?:le|la|les|l['’]|nos|notre|ses|son|sa|leurs?|ces|cette|cet)\b|l['’]")
_STARTS_WITH_FIGURE = re.compile(r"[(~≈+-]?\s*(?:[$€£¥₩₹]|[A-Z]{3}\s|\d)")


class DocumentExtractor:
    """Extracts the facts of one document. Holds the per-document context (hints, fiscal year end)."""

    def __init__(self, doc: Document, structure: Structure, *, edition: str | None = None,
                 fiscal_year_end: tuple[int, int] | None = None):
        self.doc = doc
        self.st = structure
        self.edition = edition
        self.hints = currency_hints(doc.text)
        fye = fiscal_year_end
        if fye is None:
            fye = find_fiscal_year_end(doc.text[:2_000_000], ("en", "fr"))
        if fye is None:
            fye = fiscal_year_end_for(structure.ticker)
        fye = tuple(fye or (12, 31))
        if len(fye) == 2 and find_fiscal_year_naming(doc.text[:6_000], "en", fye):
            fye = (*fye, 1)  # "FY2024 = year ended March 31, 2025": years named by the year they start in
        self.fye = fye
        self._ctx_cache: dict[tuple[str | None, str], list[PeriodMention]] = {}
        self._context_unit: Unit | None = None  # the unit whose context period is _context_got
        self._context_got = None
        self._dated: tuple = (None, None, [])  # the last table's headers and language, and its headers with a period
        self._row: tuple = (None, frozenset())  # the last table row asked for, and its cells that hold a figure
        self._context_subjects: dict[tuple, str | None] = {}  # (intro, subheading) -> the name they give
        self.hints_key = hints_key(self.hints)
        self._amount_cache: dict[str, bool] = {}
        self.last_period: Period | None = None  # the last concrete period stated, for relative words
        # (section index, line, period) of the last labelled line that stated or carried a period
        self.label_run: tuple[int, int, Period] | None = None
        self.default_period: Period | None = lead_period(doc.text, self.fye)  # the title's / "unless stated otherwise"
        self.default_stated = False  # True once "unless stated otherwise" set it (then it applies everywhere)
        self._last_section: int | None = None
        self.title_lines = frozenset([ln.strip() for ln in doc.text[:2_000].splitlines() if ln.strip()][:3])

    def cell_has_amount(self, text: str, lang: str) -> bool:
        hit = self._amount_cache.get(text)
        if hit is None:
            hit = False
            amounts = cached_amounts(text, lang, self.hints_key) if may_hold_figure(text) else ()
            if amounts:  # the periods only matter when there is a figure
                periods = periods_in(text, lang, self.fye)
                hit = any(not any(p.start < a.end and a.start < p.end for p in periods) for a in amounts)
            self._amount_cache[text] = hit
        return hit

    def row_amounts(self, row_cells: tuple[tuple[str, int], ...], lang: str) -> frozenset[int]:
        """The cells of a table row that hold a figure (not only a date), worked out once per row (the cells of a
        row share its ``row_cells``: ``segment``)."""
        if row_cells is not self._row[0]:
            self._row = (row_cells, frozenset(
                i for i, (ctext, _) in enumerate(row_cells) if self.cell_has_amount(ctext, lang)))
        return self._row[1]

    def _ctx_periods(self, text: str | None, lang: str) -> list[PeriodMention]:
        key = (text, lang)
        hit = self._ctx_cache.get(key)
        if hit is None:
            hit = usable(periods_in(text, lang, self.fye))
            self._ctx_cache[key] = hit
        return hit

    def resolve_period(self, unit: Unit, lang: str, amount: Amount, inline: list[PeriodMention],
                       cells_with_amounts: frozenset[int] = frozenset(), amounts: list[Amount] = (), *,
                       rate_words: bool = True) -> ResolvedPeriod | None:
        """Most specific wins: same clause -> same table row -> column header -> introducing text -> None.

        Prose sentences only use their own clause (and relative words resolved against the text just before);
        a period written inside another amount's cell belongs to that amount, not to the row. ``rate_words``
        False: the unit has none of the yearly-rate words (``may_state_yearly_rate``), no figure of it is a rate."""
        if rate_words and yearly_rate(unit.text, amount, amounts, inline):
            return None  # "capacity 900,000 TEU a year": a rate, no period
        m = nearest(inline, amount, unit.text, amounts) if inline else None
        if m is not None and m.period is not None and m.end <= amount.start and comparative_figure(unit.text, amount):
            # "rose to $189 in Q3 25, from $176": the base figure is the same period a year earlier
            return ResolvedPeriod(self._year_earlier(m.period, lang), "inline")
        if m is not None:
            return resolve(m, "inline")
        # the unit's context (the same for all its figures: worked out once per unit)
        if self._context_unit is unit:
            got = self._context_got
        else:
            got = self._context_period(unit, lang, cells_with_amounts)
            self._context_unit, self._context_got = unit, got
        if got is not _NO_CONTEXT_PERIOD:
            return got
        if self.default_period is not None and (
                self.default_stated or unit.section.block in TITLE_PERIOD_BLOCKS
                or speaks_of_period(unit.text, amount, inline)):
            return ResolvedPeriod(self.default_period, "intro")
        return None

    def _context_period(self, unit: Unit, lang: str, cells_with_amounts: frozenset[int]):
        """The period a unit's context gives its figures with no period of their own (earlier sentences of the
        paragraph, labelled lines above, the table row, column headers, the introducing text): a
        ``ResolvedPeriod``, None (no period), or ``_NO_CONTEXT_PERIOD`` (none: the document's default may apply)."""
        got = None
        if unit.kind == "sentence" and unit.paragraph:
            # a period that opens an earlier sentence of the paragraph ("En 2024, ...") sets its topic
            for m in self._ctx_periods(unit.paragraph, lang):
                if m.period is not None and opens_sentence(unit.paragraph, m.start):
                    got = resolve(m, "intro")
            if got:
                return got
            if lead_label_end(unit.text):
                # "Ventes d'électricité : 4,96 Md€ en 2024. Services énergétiques : 512 M€.": a run of labelled
                # figures in one paragraph (``paragraph`` holds the sentences before this one); a statement with no
                # period of its own is for the last one stated before it
                before = [m for m in self._ctx_periods(unit.paragraph, lang) if m.period is not None]
                if before:
                    return resolve(before[-1], "intro")
        if unit.kind == "sentence" and not unit.paragraph and lead_label_end(unit.text):
            run = self.label_run
            if run and run[0] == unit.section.index and run[1] in (unit.line - 1, unit.line):
                # "People: 17,350 employees at 31 December 2024." / "Warehouses: 112 sites ...": consecutive
                # labelled lines of a block; one with no period of its own is for the one stated just above
                self.label_run = (run[0], unit.line, run[2])
                return ResolvedPeriod(run[2], "intro")
        if unit.kind == "cell":
            found_row = [
                self._ctx_periods(ctext, lang)
                for idx, (ctext, _) in enumerate(unit.row_cells)
                if idx != unit.col_index and idx not in cells_with_amounts
            ]
            hints = [m for found in found_row for m in found if m.period is None]
            multi = [h for h in hints if h.grain_hint == "multi_year"]
            if multi:  # "3-Year Plan | RMB 380 billion | Announced early 2025": a multi-year total, no period end
                return resolve(multi[0], "row")
            concrete = [m for found in found_row for m in found if m.period is not None]
            if concrete:
                return combine(resolve(concrete[0], "row"), hints)
            if hints:
                return resolve(hints[0], "row")
            found = self._header_periods(unit.col_header, lang)
            comparison = comparison_column(unit.col_header)
            if found and (not comparison or any(m.period is not None for m in found)):
                return resolve(found[-1], "header")
            if comparison:
                # "| H1 24 | H1 23 | Change |": a change or share column is for the first period column on its left
                for idx, h in enumerate(unit.headers[1:unit.col_index], start=1):
                    current = [m for m in self._header_periods(h, lang) if m.period is not None]
                    if current:
                        return resolve(current[0], "header")
        if unit.kind == "cell" and self._table_dates_columns(unit, lang) and not shares_words(unit, unit.intro):
            # the table says which columns have a period ("Part du CA (exercice 2024)"), this one has none,
            # and the introducing sentence is about something else
            return None
        if unit.kind in ("cell", "bullet"):
            for ctx in (unit.intro, unit.subheading):
                found = [m for m in self._ctx_periods(ctx, lang) if m.period is not None]
                if found:
                    return resolve(found[0], "intro")
        return _NO_CONTEXT_PERIOD

    @staticmethod
    def may_state_default_period(unit: Unit) -> bool:
        """Does the unit say its period is the default one ("... unless stated otherwise", not in a table)?"""
        return unit.kind != "cell" and default_marker().search(lexicon.fold(unit.text)) is not None

    def note_default_period(self, unit: Unit, lang: str, inline: list[PeriodMention]) -> None:
        """"... figures are for the year to September 30, 2024 unless stated otherwise": a default period."""
        if not self.may_state_default_period(unit):
            return
        concrete = [m.period for m in inline if m.period is not None]
        if concrete:
            self.default_period = concrete[0]
            self.default_stated = True

    def _table_dates_columns(self, unit: Unit, lang: str) -> bool:
        """True when some other column header of the unit's table states a period."""
        headers = unit.headers
        if headers is not self._dated[0] or lang != self._dated[1]:  # the headers that state one, once per table
            self._dated = (headers, lang, [h for h in headers if h and self._header_periods(h, lang)])
        return any(h != unit.col_header for h in self._dated[2])

    def _header_periods(self, header: str | None, lang: str) -> list[PeriodMention]:
        """The periods a column header states, without a comparison base ("vs FY2023": the column compares
        the figures' period with FY2023, it is not FY2023's)."""
        return [m for m in self._ctx_periods(header, lang) if not is_base(header, m)]

    def _year_earlier(self, period: Period, lang: str) -> Period:
        again = find_periods("a year earlier", "en", fiscal_year_end=self.fye, reference=period)
        return again[0].period if again and again[0].period is not None else period

    def resolve_relative(self, mentions: list[PeriodMention], lang: str) -> list[PeriodMention]:
        """Relative periods ("the same quarter", "a year earlier") against a period stated earlier in the same
        text; else, for "a year earlier" / "the prior quarter", the document's current period (its title's or
        "unless stated otherwise"); else the last period stated before."""
        if not any(m.relative in RESOLVABLE_RELATIVE and m.period is None for m in mentions):
            return mentions
        out = []
        for m in mentions:
            if m.relative in RESOLVABLE_RELATIVE and m.period is None:
                earlier = [x.period for x in mentions if x.period is not None and not x.relative and x.end <= m.start]
                if earlier:
                    ref = earlier[-1]
                elif m.relative in ("prior_year", "prior_period"):
                    ref = self.default_period or self.last_period
                else:
                    ref = self.last_period or self.default_period
                if ref is None:
                    out.append(m)
                    continue
                again = find_periods(m.text, lang, fiscal_year_end=self.fye, reference=ref)
                if again and again[0].period is not None:
                    a = again[0]
                    m = PeriodMention(m.start, m.end, m.text, a.period, m.relative, m.grain_hint)
            out.append(m)
        return out

    def subject_metric(self, unit: Unit, spacy_doc, amount: Amount, lang: str,
                       amounts: list[Amount] = ()) -> tuple[str | None, str | None]:
        company = unit.section.company or self.st.company
        if unit.kind == "cell":
            subject = clean_label(unit.label) if unit.col_index != 0 else None
            metric = clean_label(unit.col_header)
            if subject is None:
                subject = self._context_subject(unit, lang) or company
            return subject, metric
        if unit.kind == "bullet":
            if unit.label and amount.start > len(unit.label):
                return self._bullet_subject(unit, spacy_doc, amount, lang, company), clean_label(unit.label)
            subject = leading_name(unit.text) or (subject_from_entities(spacy_doc, amount.start)
                                                  if spacy_doc is not None else None)
            return (subject or self._context_subject(unit, lang) or (lead_phrase(unit.text.lstrip("-•*· "), lang)
                                                                 if unit.section.block not in (None, *MEASURE_BLOCKS)
                                                                 else None) or company,
                    find_metric(unit.text, lang, amount, amounts))
        skip = lead_label_end(unit.text)
        subject = subject_from_entities(spacy_doc, amount.start, skip) if spacy_doc is not None else None
        if subject is not None and not names_a_thing(subject, lang):
            subject = None  # "Consolidated revenue ...": a generic word tagged as a name
        if subject is None:
            subject = self._sentence_subject(unit, amount, lang, skip, amounts)
        return subject or self._context_subject(unit, lang) or company, find_metric(unit.text, lang, amount, amounts)

    def _sentence_subject(self, unit: Unit, amount: Amount, lang: str, skip: int, amounts) -> str | None:
        """A prose sentence with no name before its figure: its lead label when the figures follow it
        ("Service network: 1,900 engineers", "Ventes d'électricité : 4,96 Md€") or when the block lists
        channels, segments, revenue lines or partners; else the name its value starts with ("Fournisseurs de
        turbines : Vestrom, accord-cadre ..."); else the noun phrase the sentence opens with ("Overseas sales
        reached 58%", "Uptime: remote monitoring covers ...") when it names a thing, not a metric."""
        block = unit.section.block
        if amount.start < skip or block is None or block in MEASURE_BLOCKS:
            return None  # headline and cost lines are about the company
        value = unit.text[skip:].lstrip()
        if skip:
            label = clean_label(unit.text[:skip])
            first = min((a for a in amounts if a.start >= skip), key=lambda a: a.start, default=amount)
            counted = (first.kind == "number" and _STARTS_WITH_FIGURE.match(value)  # "Service network: 1,900
                       and find_metric(unit.text, lang, first) is not None  # engineers", not "People: 6,480 ..."
                       and find_metric(label, lang) is None)
            if label and (names_a_thing(label, lang, metric_ok=block in LABEL_SUBJECT_BLOCKS)
                          and (block in LABEL_SUBJECT_BLOCKS or counted)):
                return label
            name = value_name(value)
            if name:
                return name
        elif lang == "fr" and not _FR_DETERMINER.match(value):
            return None  # "Grâce à ...", "Entrez dans ...": a French subject opens with its determiner
        return lead_phrase(value, lang)

    def _bullet_subject(self, unit: Unit, spacy_doc, amount: Amount, lang: str, company: str | None) -> str | None:
        """"- Label: value" bullets. The name the value starts with ("- Boîtes : Ateliers Cattin, contrat ...");
        else a name inside it; else the label when it names a thing (a channel, segment or revenue line, see
        LABEL_SUBJECT_BLOCKS; a short label outside canvas blocks), not a measure (a label with a figure or a
        date, a metric of the vocabulary): then the context's name or the company."""
        value_start = len(unit.label)
        value = unit.text[value_start:].lstrip(" :")
        name = value_name(value)
        if name:
            return name
        if spacy_doc is not None and value[:1].islower():
            name = subject_from_entities(spacy_doc, amount.start, value_start)
            if name:
                return name
        label = clean_label(unit.label)
        block = unit.section.block
        if (not label or any(ch.isdigit() for ch in unit.label)
                or not names_a_thing(label, lang, metric_ok=block in LABEL_SUBJECT_BLOCKS)
                or (block not in LABEL_SUBJECT_BLOCKS if block else len(label.split()) > 4)):
            return self._context_subject(unit, lang) or company
        return label

    def _context_subject(self, unit: Unit, lang: str) -> str | None:
        """A name the list or section is about: "Partner - ..." or a trailing "(Alibaba Cloud)" (never the
        report's title: "Interim Report H1 24 - Business Model Canvas edition")."""
        key = (unit.intro, unit.subheading)
        if key in self._context_subjects:  # the units of a list or table share their context
            return self._context_subjects[key]
        found = None
        for ctx in key:
            if ctx and ctx.strip() not in self.title_lines:
                name = leading_name(ctx) or trailing_name(ctx)
                if name:
                    found = name
                    break
        self._context_subjects[key] = found
        return found


def extract_document(doc: Document, *, edition: str | None = None, fiscal_year_end: tuple[int, int] | None = None,
                     use_model: bool = True) -> Extraction:
    """All facts of a decoded document (pure: no I/O)."""
    from .nlp import RULE_COMPONENTS, get_nlp, has_ner, rule_periods

    clock = time.perf_counter
    t0 = clock()
    st = segment(doc)
    t_segment = clock() - t0
    ex = DocumentExtractor(doc, st, edition=edition, fiscal_year_end=fiscal_year_end)
    t_spacy = t_ner = 0.0
    units = [u for u in st.units if not u.section.boilerplate and may_hold_figure(u.text)]
    by_lang: dict[str, list[Unit]] = {}
    for u in units:
        by_lang.setdefault(u.lang or "en", []).append(u)
    facts: list[Fact] = []
    stats = {"units": len(st.units), "spacy_docs": len(units), "ner_docs": 0, "ner_chars": 0}
    t_models = 0.0
    for lang, lang_units in by_lang.items():
        t = clock()
        nlp = get_nlp(lang, use_model=use_model)  # loaded once per process; only the first call costs
        t_models += clock() - t
        # The rule components' findings are pure functions of the text (extractors.memo): read here for every
        # unit; a spaCy Doc is made only where the statistical NER decides a subject (a unit with a figure that
        # needs_ner) and names something in the head it reads, the one consumer of its tokens. Elsewhere it was
        # tokenised and never read.
        t1 = clock()
        rule_lang, hints, fye = nlp.lang, ex.hints, ex.fye
        found = [cached_amounts(u.text, rule_lang, ex.hints_key) for u in lang_units]
        ner = has_ner(nlp)
        rules_only = [name for name in nlp.pipe_names if name not in RULE_COMPONENTS]

        def make_docs(which: list[int]) -> dict:
            """The spaCy Docs of these units, read by the rule components (amounts and periods as spans)."""
            made = {}
            for i in which:
                u = lang_units[i]
                d = made[i] = nlp.make_doc(u.text)
                d.user_data["text"] = u.text
                if u.kind == "cell":
                    d.user_data["skip_periods_without_amounts"] = True
                d.user_data["currency_hints"] = hints  # = doc._.currency_hints, without an Underscore object
                d.user_data["fiscal_year_end"] = fye
                d.user_data["has_ents"] = False  # only set_entities sets entities (below)
            return dict(zip(made, nlp.pipe(made.values(), disable=rules_only, batch_size=256))) if made else made

        docs: dict = {}
        t_model = 0.0
        if ner:
            # The units whose subject the NER decides (a unit with a figure that needs_ner), and where the head the
            # model reads ends (subjects.ner_head): at the start of the token of the first amount's span. A figure
            # that opens the text or follows white space opens its token (spaCy's tokens end where white space
            # starts or ends), so there the head is known without a Doc; elsewhere the Doc's span tells.
            first: dict[int, int] = {}
            tokenise: list[int] = []  # the units whose first figure's token start only their Doc tells
            for i, (u, amounts) in enumerate(zip(lang_units, found)):
                if amounts and needs_ner(u):
                    s0 = amounts[0].start
                    if (s0 == 0 or u.text[s0 - 1].isspace()) and not u.text[s0:s0 + 1].isspace():
                        first[i] = s0
                    else:
                        tokenise.append(i)
            docs = make_docs(tokenise)
            for i, d in docs.items():
                first[i] = d.spans["amounts"][0].start_char  # spans are in text order
            heads = {i: ner_head(lang_units[i].text, first[i]) for i in sorted(first)}
            t2 = clock()
            stats["ner_docs"] += len(heads)
            stats["ner_chars"] += read_entities(nlp, list(heads.values()))
            t_model = clock() - t2
            found_ents = {i: head_entities(nlp.lang, h) for i, h in heads.items()}
            # a Doc only for the units whose head names something: the others' subjects are found without one
            # (subject_from_entities finds none in a Doc without entities), half of them in the bench reports
            docs.update(make_docs([i for i in heads if i not in docs and found_ents[i]]))
            for i, d in docs.items():
                set_entities(d, found_ents[i])
        t_spacy += clock() - t1 - t_model
        t_ner += t_model
        for i, (u, amounts) in enumerate(zip(lang_units, found)):
            d = docs.get(i)
            if d is not None:
                amount_list, periods = d.user_data["amounts"], d.user_data["periods"]
            elif amounts or ex.may_state_default_period(u):
                amount_list = list(amounts)
                periods = list(rule_periods(u.text, rule_lang, fye, cell=u.kind == "cell", has_amounts=bool(amounts)))
            else:
                continue  # no figure and no default period: no fact, its periods are not read
            facts.extend(_unit_facts(ex, u, d, lang, amount_list, periods))
    facts.sort(key=lambda f: (f.char_start, f.char_end))
    total = clock() - t0
    stats.update(segment_s=t_segment, models_s=t_models, spacy_s=t_spacy, ner_s=t_ner,
                 facts_s=total - t_segment - t_models - t_spacy - t_ner)
    assign_editions(st, facts, edition)
    return Extraction(document=document_record(doc, st, facts), sections=section_records(st, doc.document_id),
                      facts=facts, stats=stats)


def _unit_facts(ex: DocumentExtractor, unit: Unit, d, lang: str, amount_spans: list[Amount],
                period_mentions: list[PeriodMention]) -> list[Fact]:
    """The facts of one unit: its amounts and period mentions (what the rule components mark, in text order)
    and its spaCy Doc when named entities were read for it (else None)."""
    ex.note_default_period(unit, lang, period_mentions)
    if not amount_spans:
        return []
    # an amount that is really (part of) a date or period is not a figure
    if period_mentions:
        amounts = [a for a in amount_spans if not any(p.start <= a.start and a.end <= p.end for p in period_mentions)]
    else:
        amounts = amount_spans
    section: Section = unit.section
    if section.index != ex._last_section:
        ex.last_period, ex._last_section = None, section.index
    inline = usable(ex.resolve_relative(period_mentions, lang), amounts) if period_mentions else []
    if inline:  # "contrat ... jusqu'en 2032", "payable le 15 mai 2025": an event's date, not a period of figures
        inline = [m for m in inline if not event_date(unit.text, m)]
    is_cell = unit.kind == "cell"
    cells_with_amounts = frozenset()
    if is_cell:
        cells_with_amounts = ex.row_amounts(unit.row_cells, lang)
        if unit.col_index in cells_with_amounts:
            cells_with_amounts = cells_with_amounts - {unit.col_index}
    text = unit.text
    folded = lexicon.fold(text)
    same_len = len(folded) == len(text)
    rate_words = may_state_yearly_rate(folded)
    retract = negative = None
    out = []
    declared = None
    if is_cell and any(a.kind == "number" for a in amounts):
        hints = ex.hints_key
        for label in (unit.label if unit.col_index != 0 else None, unit.col_header):
            declared = declared_unit(label, lang, hints) if label else None
            if declared:
                break
        if not declared and unit.intro and unit.intro.rstrip().endswith(":"):
            # "Net sales by channel, Q3 25 ($ millions):" then the table: the lead line's currency and scale
            declared = declared_unit(unit.intro, lang, hints)
            if declared and declared[2] != "money":
                declared = None
    # what every fact of the unit shares
    unit_start = unit.start
    sentence = unit.row_text or text
    block, section_index = section.block, section.index
    company, ticker = section.company or ex.st.company, section.ticker or ex.st.ticker
    edition_label, edition_date = section.edition_label, section.edition_date
    line_number = ex.doc.line_number
    n = len(amounts)
    for i, a in enumerate(amounts):
        a_kind = a.kind
        kind, unit_name = kind_unit(a)
        value = a.value
        if a_kind == "number" and 0 < value < 1 and not any(ch.isdigit() for ch in a.text):
            # "five-eighths", "cinq huitièmes": a fraction in words is a share, in percent (gold SCHEMA)
            kind, unit_name, value = "percent", "percent", value * 100
        if declared and a_kind == "number":
            # a bare number under a header that declares its unit: "Revenue (USD m) | 1,234"
            scale, unit_name, kind = declared
            if PLAIN_NUMBER.match(a.text):
                value = a.value * scale
        flags = set(a.flags)
        if is_cell:
            flags.add("table")
        if i + 1 < n:
            if retract is None:
                retract = _retraction_regex()
            gap = lexicon.fold(text[a.end:amounts[i + 1].start])
            if retract.search(gap):
                flags.add("retracted")
        if same_len and kind == "percent" and "negative" not in flags:
            if negative is None:
                negative = _negative_words()
            if negative.search(folded[max(0, a.start - 40):a.end + 40]):
                flags.add("negative")
        resolved = ex.resolve_period(unit, lang, a, inline, cells_with_amounts, amounts, rate_words=rate_words)
        subject, metric = ex.subject_metric(unit, d, a, lang, amounts)
        if out and ("equivalent" in flags or "retracted" in out[-1].flags):
            # "RMB 39.8 billion (US$5.6 billion)", "4,2 Md€ — pardon : 4,62 Md€": the same figure again
            subject, metric = out[-1].subject, metric or out[-1].metric
        original = _restated(out, amounts, amount_spans, i, kind) if "equivalent" in flags else None
        start = unit_start + a.start
        dimension, ref_value, ref_unit = physical(kind, unit_name, value)
        if resolved is None:
            period = grain = source = None
        else:
            period = resolved.period
            if period is not None:
                grain, source = period.grain, resolved.source
            else:
                grain = resolved.grain_hint
                source = resolved.source if grain else None
        out.append(
            Fact(
                value=value,
                unit=unit_name,
                kind=kind,
                value_high=(a.value_high * value / a.value if a.value_high is not None and a.value else a.value_high),
                flags=tuple(sorted(flags)),
                line_number=line_number(start),
                char_start=start,
                char_end=unit_start + a.end,
                source_text=a.text,
                sentence=sentence,
                subject=subject,
                metric=metric,
                block=block,
                lang=lang,
                company=company,
                ticker=ticker,
                edition_label=edition_label,
                edition_date=edition_date,
                section_index=section_index,
                period_start=period.start if period else None,
                period_end=period.end if period else None,
                period_grain=grain,
                is_fiscal=bool(period and period.is_fiscal),
                period_label=period.label if period else None,
                period_source=source,
                precision=a.precision,
                dimension=dimension,
                ref_value=ref_value,
                ref_unit=ref_unit,
                equivalent_of=original,
            )
        )
    if not is_cell:
        concrete = [m.period for m in inline if m.period is not None]
        if concrete:
            ex.last_period = concrete[-1]
            if unit.kind == "sentence" and not unit.paragraph and lead_label_end(unit.text):
                # the line's own period: not a comparison base, a relative "a year earlier" or a bracketed aside
                parens = [(a, b) for a, b in _paren_spans(unit.text)]
                own = [m.period for m in inline if m.period is not None and not m.relative
                       and not is_base(unit.text, m) and not any(a <= m.start < b for a, b in parens)]
                ex.label_run = (unit.section.index, unit.line, own[0]) if own else ex.label_run
    return out


def _restated(out: list[Fact], amounts: list[Amount], amount_spans: list[Amount], i: int, kind: str) -> tuple[int, int, str] | None:
    """The figure an equivalent restates: the amount just before it in the sentence (the one the amounts
    normaliser paired it with), or, when that one is itself an equivalent ("RMB 7 bn (US$1 bn, €0.9 bn)"), the
    figure that one restates. None when the amount before it was dropped (part of a date) or is not a figure
    of the same kind."""
    if i == 0 or not out:
        return None
    prev_amount, prev = amounts[i - 1], out[-1]
    k = next((j for j, a in enumerate(amount_spans) if a is amounts[i]), None)
    if k is None or k == 0 or amount_spans[k - 1] is not prev_amount or prev.kind != kind:
        return None
    if prev.equivalent_of is not None:
        return prev.equivalent_of
    return (prev.char_start, prev.char_end, prev.unit)
