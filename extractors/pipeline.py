"""Document -> facts: the one place where structure, mentions and context meet.

raw bytes -> Document (decode) -> sections/units (segment) -> mentions (spaCy spans from our components)
-> typed facts with period, subject, metric, block, edition and provenance.

Statistical NER runs only on prose sentences that hold a figure (it decides their subject); tables and
bullets get their subject from the row label / list context, so they never pay for it.
"""
from __future__ import annotations

import re
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from collections import OrderedDict
from functools import lru_cache

from normalizers.amounts import Amount
from normalizers.periods import Period, PeriodMention, find_fiscal_year_end, find_periods, fiscal_year_end_for
from normalizers.retrie import literal_alternation

from . import lexicon
from .decode import Document
from .editions import assign_editions
from .fact import Fact
from .memo import cached_amounts, cached_periods
from .records import document_record, section_records
from .segment import Section, Structure, Unit, segment

EXTRACTOR_VERSION = "0.1.0"

NER_MAX_CHARS = 160
SUBJECT_LABELS = {"ORG", "PRODUCT", "MISC", "PER", "PERSON", "FAC", "WORK_OF_ART", "EVENT", "GPE", "NORP"}
_PREFILTER_WORDS = re.compile(  # a digit, or a figure in words (extractors/data/<lang>/context.toml)
    r"\d|\b" + literal_alternation(
        w for lg in lexicon.LANGS for w in lexicon.load(lg, "context").get("prefilter", {}).get("number_words", [])
    ) + r"\b",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\s*\([^()]*\)")


@dataclass(slots=True)
class Extraction:
    document: dict
    sections: list[dict]
    facts: list[Fact]
    stats: dict = field(default_factory=dict)  # units, spacy_docs, ner_docs, ner_chars


# ---------------------------------------------------------------------------------------------------------
# document-level context


@lru_cache(maxsize=1)
def _ambiguous_symbol_evidence() -> dict[str, re.Pattern]:
    """For ambiguous currency symbols: which words in a document point to which ISO code (one named group
    per code)."""
    return {
        "¥": re.compile(r"\b(?:(?P<CNY>RMB|CNY|yuans?|renminbi)|(?P<JPY>JPY|yens?))\b|(?P<CNY_>CN¥)|(?P<JPY_>JP¥)",
                        re.IGNORECASE),
    }


def currency_hints(text: str) -> dict[str, str]:
    """Resolve ambiguous symbols (¥) used in the document from its own words: the most mentioned candidate
    wins."""
    hints: dict[str, str] = {}
    sample = text[:2_000_000]
    for symbol, rx in _ambiguous_symbol_evidence().items():
        if symbol not in sample:
            continue  # nothing to resolve
        counts: dict[str, int] = {}
        for m in rx.finditer(sample):
            code = m.lastgroup.rstrip("_")
            counts[code] = counts.get(code, 0) + 1
        if counts:
            code, n = max(counts.items(), key=lambda kv: kv[1])
            if list(counts.values()).count(n) == 1:
                hints[symbol] = code
    return hints


@lru_cache(maxsize=None)
def _metric_table(lang: str) -> tuple[tuple[str, str], ...]:
    rows = []
    for lg in (lang, "en" if lang == "fr" else "fr"):
        for phrase, metric in lexicon.load(lg, "context").get("metrics", {}).items():
            rows.append((lexicon.fold(phrase), metric))
    rows.sort(key=lambda r: -len(r[0]))
    return tuple(rows)


@lru_cache(maxsize=None)
def _metric_of(lang: str) -> dict[str, str]:
    return dict(_metric_table(lang))


@lru_cache(maxsize=None)
def _metric_regex(lang: str) -> re.Pattern:
    alts = literal_alternation(p for p, _ in _metric_table(lang))
    return re.compile(r"(?<![\w])(" + alts + r")(?![\w])")


@lru_cache(maxsize=None)
def _negative_words() -> re.Pattern:
    words = {lexicon.fold(w) for lg in lexicon.LANGS for w in lexicon.load(lg, "context").get("direction", {}).get("negative", [])}
    return re.compile(r"(?<![\w])(" + literal_alternation(words) + r")(?![\w])")


@lru_cache(maxsize=None)
def _default_marker() -> re.Pattern:
    words = {lexicon.fold(w) for lg in lexicon.LANGS for w in lexicon.load(lg, "context").get("default_period", {}).get("markers", [])}
    return re.compile(literal_alternation(words))


@lru_cache(maxsize=None)
def _retraction_regex() -> re.Pattern:
    return re.compile(r"(?<![\w])(" + literal_alternation(lexicon.retraction_markers()) + r")(?![\w])")


def clean_label(text: str | None) -> str | None:
    if not text:
        return None
    text = _PAREN.sub("", text).strip(" -:*_|")
    text = re.sub(r"\s+", " ", text)
    return text or None


def find_metric(text: str, lang: str, amount: Amount | None = None, amounts: list | tuple = ()) -> str | None:
    """The metric an amount measures, from the metric vocabulary (canonical English names).

    - A count names what it counts right after it ("486 boutiques", "27 600 collaborateurs", "1.2 million
      developers"): that noun, mapped through the vocabulary when it is known, else as written.
    - Money and percentages: the nearest metric phrase before the amount, not reaching back past another
      figure; else the first one after it, before the next figure."""
    folded = lexicon.fold(text)
    table = _metric_of(lang)
    if len(folded) != len(text):  # folding changed lengths: positions are unreliable
        m = _metric_regex(lang).search(folded)
        return table[m.group(1)] if m else None
    if amount is None:
        m = _metric_regex(lang).search(folded)
        return table[m.group(1)] if m else None
    if amount.kind == "number":
        noun = _COUNTED_NOUN.match(folded, amount.end)
        if not noun:
            return None  # "37 boutiques en aéroport, dont 12 en Asie": 12 counts something unnamed
        phrase = noun.group(1)
        hit = _metric_regex(lang).match(phrase)
        if not hit:
            return phrase
        rest = phrase[hit.end():].strip()
        return f"{table[hit.group(1)]} {rest}" if rest else table[hit.group(1)]
    if amount.kind == "percent":
        of = _SHARE_OF.match(folded, amount.end)
        if of and of.end() > amount.end:
            hit = _metric_regex(lang).match(folded, of.end())
            if hit:
                return f"share of {table[hit.group(1)]}"
    prev_end = max((b.end for b in amounts if b.end <= amount.start), default=0)
    next_start = min((b.start for b in amounts if b.start >= amount.end), default=len(text))
    before = [m for m in _metric_regex(lang).finditer(folded, prev_end, amount.start)]
    if before:
        return table[before[-1].group(1)]
    after = _metric_regex(lang).search(folded, amount.end, next_start)
    return table[after.group(1)] if after else None


# "486 boutiques", "96 millions de visites", "1.2 million developers on paid seats"
_COUNTED_NOUN = re.compile(
    r"\s+(?:(?:de|des|of)\s+|d'\s*)?"
    r"([a-z][a-z'-]{2,}"  # the counted noun ...
    r"(?:\s+(?!(?:au|aux|a|fin|dans|sur|pour|par|chez|et|ou|in|at|on|by|for|from|to|as|across|per|with|avec|and|or)\b)"
    r"(?:en\s+)?[a-z][a-z'-]{2,}){0,2})"  # ... and up to two qualifiers ("en aéroport", "en propre", "phares")
)
# "39 % du chiffre d'affaires", "27% of revenue": a share of something
_SHARE_OF = re.compile(r"\s*(?:of|du|des|de la|de l'|de|d')\s*(?:the\s+|la\s+|le\s+|l')?")


# ---------------------------------------------------------------------------------------------------------
# periods


def _periods_in(text: str | None, lang: str, fye: tuple[int, int]) -> tuple[PeriodMention, ...]:
    if not text:
        return ()
    return cached_periods(text, lang, fye)


def _usable(mentions, amount_spans=()) -> list[PeriodMention]:
    out = []
    for m in mentions:
        if m.period is None and m.grain_hint is None:
            continue
        if any(m.start < a.end and a.start < m.end for a in amount_spans):
            continue
        out.append(m)
    return out


def _context_words(key: str) -> list[str]:
    words = {w for lg in lexicon.LANGS for w in lexicon.load(lg, "context").get("clauses", {}).get(key, [])}
    return sorted(words, key=len, reverse=True)


@lru_cache(maxsize=None)
def _clause_break() -> re.Pattern:
    """Where a new clause starts: comparison words ("up from", "contre") and, after a comma, conjunctions."""
    breaks = _context_words("breaks")
    alts, either = literal_alternation(breaks), literal_alternation(breaks + _context_words("comma_breaks"))
    return re.compile(r",\s*" + either + r"\b|\s" + alts + r"\s", re.IGNORECASE)


@lru_cache(maxsize=None)
def _base_word_before() -> re.Pattern:
    """A comparison base right before a period: "from FY2024", "par rapport à 2023"."""
    alts = literal_alternation(_context_words("base_words"))
    return re.compile(r"(?<![\w])" + alts + r"\s+(?:(?:the|le|la|l'|les)\s+)?$", re.IGNORECASE)


def _paren_groups(text: str) -> list[tuple[int, int]]:
    groups, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, i + 1))
    return groups


@lru_cache(maxsize=4096)
def _layout(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...]]:
    """A text's parentheses, ';' positions and clause breaks (shared by all the amounts of a unit)."""
    groups = tuple(_paren_groups(text)) if "(" in text else ()
    seg_breaks = tuple(i for i, ch in enumerate(text) if ch == ";") if ";" in text else ()
    soft = tuple(m.start() for m in _clause_break().finditer(text))
    return groups, seg_breaks, soft


def _nearest(mentions: list[PeriodMention], amount: Amount, text: str, amounts: list[Amount] = ()) -> PeriodMention | None:
    """The period that belongs to an amount.

    - ';' separates statements: periods never cross it.
    - A parenthesis that states a figure owns the periods inside it ("14.8% (FY2023: 17.5%)": FY2023 is
      17.5%'s); a parenthesis with only a period annotates its neighbour ("28 million (as of March 2024)").
    - Among the rest, one in the same clause wins (clauses cut at comparison words: "up from", "contre"),
      then the closest."""
    if not mentions:
        return None
    groups, seg_breaks, soft = _layout(text)

    def group_of(start: int, end: int):
        for g in groups:
            if g[0] <= start and end <= g[1]:
                return g
        return None

    owning = {group_of(b.start, b.end) for b in amounts} - {None}
    a_group = group_of(amount.start, amount.end)

    def seg(pos: int) -> int:
        return bisect_left(seg_breaks, pos)  # statements (';') before pos

    def clause(pos: int) -> int:
        return bisect_left(soft, pos)  # clause breaks before pos

    a_seg, a_clause = seg(amount.start), clause(amount.start)
    candidates = []
    for m in mentions:
        if seg(m.start) != a_seg:
            continue
        g = group_of(m.start, m.end)
        if g is not None and g in owning and g != a_group:
            continue
        candidates.append(m)
    if not candidates:
        return None
    # comparison bases ("up 5.8% from FY2024") only when nothing else is stated
    base = _base_word_before()
    plain = [m for m in candidates if not base.search(text[max(0, m.start - 24):m.start])]
    candidates = plain or candidates
    same = [m for m in candidates if clause(m.start) == a_clause]
    if not same:
        # another clause's period only when it is the sentence's main clause (a later clause — "contre 14 %
        # en 2022", ", while X rose 3% in 2023" — speaks of its own figures)
        seg_start = max([b for b in seg_breaks if b < amount.start], default=-1)
        first_clause = clause(seg_start + 1)
        same = [m for m in candidates if clause(m.start) == first_clause]
    if not same:
        return None

    def dist(m: PeriodMention) -> int:
        return m.start - amount.end if m.start >= amount.end else amount.start - m.end

    return min(same, key=dist)


@dataclass(slots=True)
class ResolvedPeriod:
    period: Period | None
    source: str | None
    grain_hint: str | None = None


RESOLVABLE_RELATIVE = ("same", "prior_year", "prior_period", "trailing")
_SENTENCE_OPENER = re.compile(r"(?:^|[.!?]\s+)(?:\w+\s+){0,4}$")


def _opens_sentence(text: str, pos: int) -> bool:
    """True when at most a few words ("En", "For the", "Au cours de l'") precede pos in its sentence."""
    return bool(_SENTENCE_OPENER.search(text[max(0, pos - 60):pos].replace("'", " ")))


def _resolve(mention: PeriodMention | None, source: str) -> ResolvedPeriod | None:
    if mention is None:
        return None
    return ResolvedPeriod(mention.period, source, mention.grain_hint)


def _combine(resolved: ResolvedPeriod, hints: list[PeriodMention]) -> ResolvedPeriod:
    """A trailing hint ("past four quarters") next to an end date gives a TTM period ending there."""
    p = resolved.period
    if p is None or not any(h.grain_hint == "ttm" for h in hints) or p.grain == "ttm":
        return resolved
    try:
        start = date(p.end.year - 1, p.end.month, p.end.day) + timedelta(days=1)
    except ValueError:  # 29 February
        start = date(p.end.year - 1, p.end.month, 28) + timedelta(days=1)
    return ResolvedPeriod(Period(start, p.end, "ttm", p.is_fiscal, f"TTM to {p.end.isoformat()}"), resolved.source)


# ---------------------------------------------------------------------------------------------------------
# facts


_WORD = re.compile(r"[^\W\d_]{4,}")


def _shares_words(unit: Unit, context: str | None) -> bool:
    """Does the context sentence speak of this cell's row, column or value (a content word in common)?"""
    if not context:
        return False
    mine = set()
    for text in (unit.label, unit.col_header, unit.text):
        if text:
            mine.update(w for w in _WORD.findall(lexicon.fold(text)))
    theirs = set(_WORD.findall(lexicon.fold(context)))
    stop = lexicon.stopwords("fr") | lexicon.stopwords("en")
    return bool((mine & theirs) - stop)


_PAREN_CONTENT = re.compile(r"\(([^()]{1,40})\)")
_LEAD_WORD = re.compile(r"^\s*([^\W\d_][\w-]*)")


_CODE_SCALE = re.compile(r"^(?:en\s+|in\s+)?(\S{1,4})\s+(\S{1,3})\.?$", re.IGNORECASE)
_LEADING_IN = re.compile(r"^(?:en|in)\s+", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _declared_unit(label: str, lang: str, hints: tuple) -> tuple[Decimal, str, str] | None:
    """A unit (and scale) a row label or column header declares for the bare numbers under it:
    "Revenue (USD m)" -> (1e6, "USD", "money"); "(en M€)" -> (1e6, "EUR", "money");
    "Containers handled (TEU)" -> (1, "teu", "quantity"); "Tonnes carried" -> (1, "tonne", "quantity")."""
    texts = [(m.group(1).strip(), ("money", "quantity")) for m in _PAREN_CONTENT.finditer(label)]
    lead = _LEAD_WORD.match(label)
    if lead:  # a leading word declares a physical unit only ("Tonnes carried"), never a currency ("Or alipay")
        texts.append((lead.group(1), ("quantity",)))
    for text, kinds in texts:
        text = _LEADING_IN.sub("", text)
        probes = ["1 " + text]
        code_scale = _CODE_SCALE.match(text)
        if code_scale:  # "USD m", "EUR bn": scale after the code
            probes.append(f"1{code_scale.group(2)} {code_scale.group(1)}")
        for probe in probes:
            found = cached_amounts(probe, lang, dict(hints) if hints else None)
            if len(found) == 1 and found[0].start == 0 and found[0].end >= len(probe) - 1 \
                    and found[0].kind in kinds:
                return found[0].value, found[0].unit, found[0].kind
    return None


_PLAIN_NUMBER = re.compile(r"^[\d\s.,'\u00a0\u202f]+\+?$")


def _kind_unit(amount: Amount) -> tuple[str, str]:
    if amount.kind == "number":
        return "count", "count"
    return amount.kind, amount.unit


_NAME_LIKE = re.compile(r"[^\W\d_]{3,}")  # at least one real word
_NOT_A_NAME = re.compile(r"[\d€$£¥₩₹%]")  # figures and currency signs are never subjects ("Md€", "M€.")


def _subject_from_entities(doc, amount_start: int) -> str | None:
    ents = [e for e in doc.ents if e.label_ in SUBJECT_LABELS and _NAME_LIKE.search(e.text)
            and not _NOT_A_NAME.search(e.text)]
    if not ents:
        return None
    before = [e for e in ents if e.start_char < amount_start]
    chosen = before[0] if before else ents[0]
    return chosen.text.strip(" '\"’")


_TRAILING_NAME = re.compile(r"\(([A-Z][\w.&' -]{2,40}?)\)\s*:?\s*$")


def _trailing_name(text: str) -> str | None:
    """'Large enterprises requiring cloud infrastructure (Alibaba Cloud)' -> 'Alibaba Cloud'."""
    m = _TRAILING_NAME.search(text)
    if not m or any(ch.isdigit() for ch in m.group(1)):
        return None
    return m.group(1).strip()


def _leading_name(text: str) -> str | None:
    """'Nvidia Corporation - Cloud AI ...' -> 'Nvidia Corporation'."""
    m = re.match(r"^([^\-–—:]{2,60}?)\s+[-–—]\s+", text)
    return clean_label(m.group(1)) if m else None


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
        self.fye = fye or (12, 31)
        self._ctx_cache: dict[tuple[str | None, str], list[PeriodMention]] = {}
        self._amount_cache: dict[str, bool] = {}
        self.last_period: Period | None = None  # the last concrete period stated, for relative words
        self.default_period: Period | None = None  # "unless stated otherwise" periods
        self._last_section: int | None = None

    def cell_has_amount(self, text: str, lang: str) -> bool:
        hit = self._amount_cache.get(text)
        if hit is None:
            hit = False
            if _PREFILTER_WORDS.search(text):
                periods = _periods_in(text, lang, self.fye)
                hit = any(not any(p.start < a.end and a.start < p.end for p in periods)
                          for a in cached_amounts(text, lang, self.hints))
            self._amount_cache[text] = hit
        return hit

    def _ctx_periods(self, text: str | None, lang: str) -> list[PeriodMention]:
        key = (text, lang)
        hit = self._ctx_cache.get(key)
        if hit is None:
            hit = _usable(_periods_in(text, lang, self.fye))
            self._ctx_cache[key] = hit
        return hit

    def resolve_period(self, unit: Unit, lang: str, amount: Amount, inline: list[PeriodMention],
                       cells_with_amounts: frozenset[int] = frozenset(), amounts: list[Amount] = ()) -> ResolvedPeriod | None:
        """Most specific wins: same clause -> same table row -> column header -> introducing text -> None.

        Prose sentences only use their own clause (and relative words resolved against the text just before);
        a period written inside another amount's cell belongs to that amount, not to the row."""
        got = _resolve(_nearest(inline, amount, unit.text, amounts), "inline")
        if got:
            return got
        if unit.kind == "sentence" and unit.paragraph:
            # a period that opens an earlier sentence of the paragraph ("En 2024, ...") sets its topic
            for m in self._ctx_periods(unit.paragraph, lang):
                if m.period is not None and _opens_sentence(unit.paragraph, m.start):
                    got = _resolve(m, "intro")
            if got:
                return got
        if unit.kind == "cell":
            found_row = [
                self._ctx_periods(ctext, lang)
                for idx, (ctext, _) in enumerate(unit.row_cells)
                if idx != unit.col_index and idx not in cells_with_amounts
            ]
            hints = [m for found in found_row for m in found if m.period is None]
            multi = [h for h in hints if h.grain_hint == "multi_year"]
            if multi:  # "3-Year Plan | RMB 380 billion | Announced early 2025": a multi-year total, no period end
                return _resolve(multi[0], "row")
            concrete = [m for found in found_row for m in found if m.period is not None]
            if concrete:
                return _combine(_resolve(concrete[0], "row"), hints)
            if hints:
                return _resolve(hints[0], "row")
            found = self._ctx_periods(unit.col_header, lang)
            if found:
                return _resolve(found[-1], "header")
        if unit.kind == "cell" and self._table_dates_columns(unit, lang) and not _shares_words(unit, unit.intro):
            # the table says which columns have a period ("Part du CA (exercice 2024)"), this one has none,
            # and the introducing sentence is about something else
            return None
        if unit.kind in ("cell", "bullet"):
            for ctx in (unit.intro, unit.subheading):
                found = [m for m in self._ctx_periods(ctx, lang) if m.period is not None]
                if found:
                    return _resolve(found[0], "intro")
        if self.default_period is not None:
            return ResolvedPeriod(self.default_period, "intro")
        return None

    def note_default_period(self, unit: Unit, lang: str, inline: list[PeriodMention]) -> None:
        """"... figures are for the year to September 30, 2024 unless stated otherwise": a default period."""
        if unit.kind == "cell" or not _default_marker().search(lexicon.fold(unit.text)):
            return
        concrete = [m.period for m in inline if m.period is not None]
        if concrete:
            self.default_period = concrete[0]

    def _table_dates_columns(self, unit: Unit, lang: str) -> bool:
        """True when some other column header of the unit's table states a period."""
        return any(
            self._ctx_periods(h, lang) for h in unit.headers if h and h != unit.col_header
        )

    def resolve_relative(self, mentions: list[PeriodMention], lang: str) -> list[PeriodMention]:
        """Relative periods ("the same quarter", "a year earlier") against the last period stated before."""
        if self.last_period is None or not any(m.relative in RESOLVABLE_RELATIVE and m.period is None for m in mentions):
            return mentions
        out = []
        for m in mentions:
            if m.relative in RESOLVABLE_RELATIVE and m.period is None:
                again = find_periods(m.text, lang, fiscal_year_end=self.fye, reference=self.last_period)
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
                subject = self._context_subject(unit, lang) or company
                return subject, clean_label(unit.label)
            subject = _leading_name(unit.text) or _subject_from_entities(spacy_doc, amount.start)
            return (subject or self._context_subject(unit, lang) or company,
                    find_metric(unit.text, lang, amount, amounts))
        subject = _subject_from_entities(spacy_doc, amount.start) if spacy_doc is not None else None
        return subject or self._context_subject(unit, lang) or company, find_metric(unit.text, lang, amount, amounts)

    def _context_subject(self, unit: Unit, lang: str) -> str | None:
        """A name the list or section is about: "Partner - ..." or a trailing "(Alibaba Cloud)"."""
        for ctx in (unit.intro, unit.subheading):
            if ctx:
                name = _leading_name(ctx) or _trailing_name(ctx)
                if name:
                    return name
        return None


def _needs_ner(unit: Unit) -> bool:
    return unit.kind in ("sentence", "heading") or (unit.kind == "bullet" and not unit.label)


_NER_MEMO: "OrderedDict[tuple[str, str], tuple]" = OrderedDict()
_NER_MEMO_SIZE = 20_000


def _run_ner(nlp, docs) -> int:
    """Named entities for subjects. A subject is named before its figure, so the model only reads the head
    of each sentence, up to its first figure (at most NER_MAX_CHARS), and entities are copied back onto the
    full doc. Heads repeat across editions and sibling reports (figures change, the words before them
    rarely do), so results are memoised by head text. Returns the characters the model read."""
    from .nlp import doc_text

    heads = []
    for d in docs:
        first = d.spans["amounts"][0].start_char  # spans are in text order
        head = doc_text(d)[:first]
        if len(head) > NER_MAX_CHARS:
            cut = head.rfind(" ", 0, NER_MAX_CHARS)
            head = head[: cut if cut > 0 else NER_MAX_CHARS]
        heads.append(head.rstrip())
    lang = nlp.lang
    todo = sorted({h for h in heads if (lang, h) not in _NER_MEMO})
    read = 0
    for head, p in zip(todo, nlp.get_pipe("ner").pipe((nlp.make_doc(h) for h in todo), batch_size=128)):
        read += len(head)
        _NER_MEMO[(lang, head)] = tuple((e.start_char, e.end_char, e.label_) for e in p.ents)
    while len(_NER_MEMO) > _NER_MEMO_SIZE:
        _NER_MEMO.popitem(last=False)
    for d, head in zip(docs, heads):
        found = _NER_MEMO.get((lang, head))
        if found:  # a new doc has no entities: nothing to set when the head has none
            ents = [d.char_span(a, b, label=label) for a, b, label in found]
            d.ents = [e for e in ents if e is not None]
    return read


def extract_document(doc: Document, *, edition: str | None = None, fiscal_year_end: tuple[int, int] | None = None,
                     use_model: bool = True) -> Extraction:
    """All facts of a decoded document (pure: no I/O)."""
    from .nlp import RULE_COMPONENTS, get_nlp, has_ner

    clock = time.perf_counter
    t0 = clock()
    st = segment(doc)
    t_segment = clock() - t0
    ex = DocumentExtractor(doc, st, edition=edition, fiscal_year_end=fiscal_year_end)
    t_spacy = t_ner = 0.0
    units = [u for u in st.units if not u.section.boilerplate and _PREFILTER_WORDS.search(u.text)]
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
        docs = []
        for u in lang_units:
            d = nlp.make_doc(u.text)
            d.user_data["text"] = u.text
            if u.kind == "cell":
                d.user_data["skip_periods_without_amounts"] = True
            d.user_data["currency_hints"] = ex.hints  # = doc._.currency_hints, without an Underscore object
            d.user_data["fiscal_year_end"] = ex.fye
            docs.append(d)
        rules_only = [name for name in nlp.pipe_names if name not in RULE_COMPONENTS]
        t1 = clock()
        docs = list(nlp.pipe(docs, disable=rules_only, batch_size=256))
        t2 = clock()
        if has_ner(nlp):
            want = [d for u, d in zip(lang_units, docs) if d.spans["amounts"] and _needs_ner(u)]
            stats["ner_docs"] += len(want)
            stats["ner_chars"] += _run_ner(nlp, want)
        t_spacy += t2 - t1
        t_ner += clock() - t2
        for u, d in zip(lang_units, docs):
            facts.extend(_unit_facts(ex, u, d, lang))
    facts.sort(key=lambda f: (f.char_start, f.char_end))
    total = clock() - t0
    stats.update(segment_s=t_segment, models_s=t_models, spacy_s=t_spacy, ner_s=t_ner,
                 facts_s=total - t_segment - t_models - t_spacy - t_ner)
    assign_editions(st, facts, edition)
    return Extraction(document=document_record(doc, st, facts), sections=section_records(st, doc.document_id),
                      facts=facts, stats=stats)


def _unit_facts(ex: DocumentExtractor, unit: Unit, d, lang: str) -> list[Fact]:
    # the spans' typed values (the rule components keep them in span order: no Underscore look-ups)
    amount_spans = d.user_data["amounts"]
    period_mentions = d.user_data["periods"]
    ex.note_default_period(unit, lang, period_mentions)
    if not amount_spans:
        return []
    # an amount that is really (part of) a date or period is not a figure
    amounts = [a for a in amount_spans if not any(p.start <= a.start and a.end <= p.end for p in period_mentions)]
    if unit.section.index != ex._last_section:
        ex.last_period, ex._last_section = None, unit.section.index
    inline = _usable(ex.resolve_relative(period_mentions, lang), amounts)
    cells_with_amounts = frozenset()
    if unit.kind == "cell":
        cells_with_amounts = frozenset(
            i for i, (ctext, _) in enumerate(unit.row_cells) if i != unit.col_index and ex.cell_has_amount(ctext, lang)
        )
    text = unit.text
    retract = _retraction_regex()
    negative = _negative_words()
    folded = lexicon.fold(text)
    same_len = len(folded) == len(text)
    out = []
    declared = None
    if unit.kind == "cell" and any(a.kind == "number" for a in amounts):
        hints = tuple(sorted(ex.hints.items()))
        for label in (unit.label if unit.col_index != 0 else None, unit.col_header):
            declared = _declared_unit(label, lang, hints) if label else None
            if declared:
                break
    for i, a in enumerate(amounts):
        kind, unit_name = _kind_unit(a)
        value = a.value
        if declared and a.kind == "number":
            # a bare number under a header that declares its unit: "Revenue (USD m) | 1,234"
            scale, unit_name, kind = declared
            if _PLAIN_NUMBER.match(a.text):
                value = a.value * scale
        flags = set(a.flags)
        if unit.kind == "cell":
            flags.add("table")
        if i + 1 < len(amounts):
            gap = lexicon.fold(text[a.end:amounts[i + 1].start])
            if retract.search(gap):
                flags.add("retracted")
        if same_len and "negative" not in flags:
            window = folded[max(0, a.start - 40):a.end + 40]
            if kind == "percent" and negative.search(window):
                flags.add("negative")
        resolved = ex.resolve_period(unit, lang, a, inline, cells_with_amounts, amounts)
        subject, metric = ex.subject_metric(unit, d, a, lang, amounts)
        if out and ("equivalent" in flags or "retracted" in out[-1].flags):
            # "RMB 39.8 billion (US$5.6 billion)", "4,2 Md€ — pardon : 4,62 Md€": the same figure again
            subject, metric = out[-1].subject, metric or out[-1].metric
        period = resolved.period if resolved else None
        section: Section = unit.section
        start = unit.start + a.start
        out.append(
            Fact(
                value=value,
                unit=unit_name,
                kind=kind,
                value_high=(a.value_high * value / a.value if a.value_high is not None and a.value else a.value_high),
                flags=tuple(sorted(flags)),
                line_number=ex.doc.line_number(start),
                char_start=start,
                char_end=unit.start + a.end,
                source_text=a.text,
                sentence=unit.row_text or text,
                subject=subject,
                metric=metric,
                block=section.block,
                lang=lang,
                company=section.company or ex.st.company,
                ticker=section.ticker or ex.st.ticker,
                edition_label=section.edition_label,
                edition_date=section.edition_date,
                section_index=section.index,
                period_start=period.start if period else None,
                period_end=period.end if period else None,
                period_grain=(period.grain if period else (resolved.grain_hint if resolved else None)),
                is_fiscal=bool(period and period.is_fiscal),
                period_label=period.label if period else None,
                period_source=resolved.source if resolved and (period or resolved.grain_hint) else None,
                precision=a.precision,
            )
        )
    if unit.kind != "cell":
        concrete = [m.period for m in inline if m.period is not None]
        if concrete:
            ex.last_period = concrete[-1]
    return out
