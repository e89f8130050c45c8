"""Which period a figure is for, from its context: the same clause, the table row, the column header, the
text that introduces a list or table, relative words ("a year earlier") and document defaults.

The period mentions themselves are found by :mod:`normalizers.periods`; this module decides which one
belongs to which amount (:meth:`extractors.extract.DocumentExtractor.resolve_period` applies the order).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from normalizers.amounts import Amount
from normalizers.periods import Period, PeriodMention
from normalizers.retrie import first_char_lookahead, literal_alternation

from . import lexicon
from .memo import cached_periods
from .segment import Unit

@lru_cache(maxsize=None)
def default_marker() -> re.Pattern:
    words = {lexicon.fold(w) for lg in lexicon.LANGS for w in lexicon.load(lg, "context").get("default_period", {}).get("markers", [])}
    return re.compile(literal_alternation(words))


def periods_in(text: str | None, lang: str, fye: tuple[int, int]) -> tuple[PeriodMention, ...]:
    if not text:
        return ()
    return cached_periods(text, lang, fye)


def usable(mentions, amount_spans=()) -> list[PeriodMention]:
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


def _folded_alternation(key: str) -> str:
    """A trie alternation of the folded words of context.toml [clauses] ``key`` (longest first)."""
    return literal_alternation(sorted({lexicon.fold(w) for w in _context_words(key)}, key=len, reverse=True))


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


@lru_cache(maxsize=None)
def _event_before() -> re.Pattern:
    """Words that make the date after them an event or a deadline, not a figure's period ("jusqu'en 2032",
    "renewed to 2027", "mise en service en 1921", "payable le 15 mai 2025"): context.toml [clauses] event_words."""
    alts = _folded_alternation("event_words")
    return first_char_lookahead(re.compile(r"(?<![\w])(?:" + alts + r")(?:\s+(?:en|le|la|in|on|the|de|du))?\s*$"))


def event_date(text: str, mention: PeriodMention) -> bool:
    """Is the mention the date of an event or a deadline named just before it?"""
    return bool(_event_before().search(lexicon.fold(text[max(0, mention.start - 40):mention.start])))


@lru_cache(maxsize=None)
def _yearly_rate() -> re.Pattern:
    alts = _folded_alternation("yearly_rate")
    return first_char_lookahead(re.compile(r"(?<![\w])(?:" + alts + r")(?![\w])"))


@lru_cache(maxsize=None)
def _yearly_rate_anywhere() -> re.Pattern | None:
    """The yearly-rate words anywhere, without their boundaries (None when a folded word is not ASCII)."""
    if not all(lexicon.fold(w).isascii() for w in _context_words("yearly_rate")):
        return None
    return re.compile(_folded_alternation("yearly_rate"))


def may_state_yearly_rate(folded_text: str) -> bool:
    """False when no figure of a text (given folded, ``lexicon.fold``) can be a yearly rate: the text has none of
    the words anywhere. The cheap test before ``yearly_rate`` is asked for each figure: folding maps each
    character on its own (lower case aside, whose one context rule, the final sigma, makes no ASCII letter), so a
    word found in the folded words after a figure is in the folded text."""
    rx = _yearly_rate_anywhere()
    return rx is None or rx.search(folded_text) is not None


def yearly_rate(text: str, amount: Amount, amounts=(), mentions=()) -> bool:
    """A figure per year ("7,5 M€ par an", "900,000 TEU a year", "538 transactions per year") is a rate, not a
    figure of a period: in the amount, or in the words right after it (before the next figure, period mention
    — "a year ago" — or clause)."""
    end = min(len(text), amount.end + 40)
    end = min([b.start for b in amounts if b.start >= amount.end] + [m.start for m in mentions if m.start >= amount.end] + [end])
    tail = text[amount.start:end]
    return bool(_yearly_rate().search(lexicon.fold(tail).split(", ")[0]))


@lru_cache(maxsize=None)
def _comparison_lead() -> re.Pattern:
    """A comparison word right before a figure ("from $176", "up from 41%", "contre 11,90 $"): the figure is
    the comparison's base (context.toml [clauses] comparison_leads)."""
    alts = _folded_alternation("comparison_leads")
    return first_char_lookahead(re.compile(r"(?<![\w])(?:" + alts + r")\s+(?=[-+\u2212(]?[\d$€£¥₩₹]|[a-z]{2,3}\s?[$€£¥]?\s?\d)"))


def comparative_figure(text: str, amount: Amount) -> bool:
    """Is the amount a comparison's base figure ("rose to $189 in Q3 25, from $176")?"""
    return bool(_lead_before().search(lexicon.fold(text[max(0, amount.start - 24):amount.start])))


@lru_cache(maxsize=None)
def _lead_before() -> re.Pattern:
    alts = _folded_alternation("comparison_leads")
    return first_char_lookahead(re.compile(r"(?<![\w])(?:" + alts + r")\s*$"))


@lru_cache(maxsize=4096)
def _layout(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...]]:
    """A text's parentheses, ';' positions and clause breaks (shared by all the amounts of a unit)."""
    groups = tuple(_paren_groups(text)) if "(" in text else ()
    seg_breaks = tuple(i for i, ch in enumerate(text) if ch == ";") if ";" in text else ()
    soft = tuple(m.start() for m in _clause_break().finditer(text))
    folded = lexicon.fold(text)
    if len(folded) == len(text):  # "... 11% of sign-ups from 8% in FY23": FY23 is the base figure's
        leads = tuple(m.start() for m in _comparison_lead().finditer(folded))
        if leads:
            soft = tuple(sorted(set(soft) | set(leads)))
    return groups, seg_breaks, soft


def nearest(mentions: list[PeriodMention], amount: Amount, text: str, amounts: list[Amount] = ()) -> PeriodMention | None:
    """The period that belongs to an amount.

    - ';' separates statements: periods never cross it.
    - A parenthesis that states a figure owns the periods inside it ("14.8% (FY2023: 17.5%)": FY2023 is
      17.5%'s); a parenthesis with only a period annotates its neighbour ("28 million (as of March 2024)").
    - Among the rest, one in the same clause wins (clauses cut at comparison words: "up from", "contre"),
      then the closest."""
    if not mentions:
        return None
    groups, seg_breaks, soft = _layout(text)
    a_start, a_end = amount.start, amount.end
    candidates = mentions
    if seg_breaks or groups:
        def group_of(start: int, end: int):
            for g in groups:
                if g[0] <= start and end <= g[1]:
                    return g
            return None

        owning = {group_of(b.start, b.end) for b in amounts} - {None} if groups else ()
        a_group = group_of(a_start, a_end)
        a_seg = bisect_left(seg_breaks, a_start)  # statements (';') before the amount
        candidates = []
        for m in mentions:
            if bisect_left(seg_breaks, m.start) != a_seg:
                continue
            if owning:
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
    if soft:  # clause breaks
        a_clause = bisect_left(soft, a_start)
        same = [m for m in candidates if bisect_left(soft, m.start) == a_clause]
        if not same:
            # another clause's period only when it is the sentence's main clause (a later clause — "contre 14 %
            # en 2022", ", while X rose 3% in 2023" — speaks of its own figures)
            seg_start = max([b for b in seg_breaks if b < a_start], default=-1)
            first_clause = bisect_left(soft, seg_start + 1)
            same = [m for m in candidates if bisect_left(soft, m.start) == first_clause]
        if not same:
            return None
    else:
        same = candidates
    if len(same) == 1:
        return same[0]

    def dist(m: PeriodMention) -> int:
        return m.start - a_end if m.start >= a_end else a_start - m.end

    return min(same, key=dist)


def is_base(text: str, mention: PeriodMention) -> bool:
    """Is the mention a comparison base ("vs FY2023", "up 5.8% from FY2024", "par rapport à 2023")?"""
    return bool(_base_word_before().search(text[max(0, mention.start - 24):mention.start]))


@lru_cache(maxsize=None)
def _comparison_column() -> re.Pattern:
    words = {lexicon.fold(w) for lg in lexicon.LANGS
             for w in lexicon.load(lg, "context").get("tables", {}).get("comparison_columns", [])}
    return re.compile(r"(?<![\w])(?:" + literal_alternation(words) + r")(?![\w])")


@lru_cache(maxsize=4096)
def comparison_column(header: str | None) -> bool:
    """A column derived from the period columns on its left: a change, a growth rate, a share ("YoY",
    "Variation", "vs FY2023", "% of total"); context.toml [tables] comparison_columns."""
    return bool(header) and bool(_comparison_column().search(lexicon.fold(header)))


@dataclass(slots=True)
class ResolvedPeriod:
    period: Period | None
    source: str | None
    grain_hint: str | None = None


RESOLVABLE_RELATIVE = ("same", "prior_year", "prior_period", "trailing")
_SENTENCE_OPENER = re.compile(r"(?:^|[.!?]\s+)(?:\w+\s+){0,4}$")


def opens_sentence(text: str, pos: int) -> bool:
    """True when at most a few words ("En", "For the", "Au cours de l'") precede pos in its sentence."""
    return bool(_SENTENCE_OPENER.search(text[max(0, pos - 60):pos].replace("'", " ")))


def resolve(mention: PeriodMention | None, source: str) -> ResolvedPeriod | None:
    if mention is None:
        return None
    return ResolvedPeriod(mention.period, source, mention.grain_hint)


def combine(resolved: ResolvedPeriod, hints: list[PeriodMention]) -> ResolvedPeriod:
    """A trailing hint ("past four quarters") next to an end date gives a TTM period ending there."""
    p = resolved.period
    if p is None or not any(h.grain_hint == "ttm" for h in hints) or p.grain == "ttm":
        return resolved
    try:
        start = date(p.end.year - 1, p.end.month, p.end.day) + timedelta(days=1)
    except ValueError:  # 29 February
        start = date(p.end.year - 1, p.end.month, 28) + timedelta(days=1)
    return ResolvedPeriod(Period(start, p.end, "ttm", p.is_fiscal, f"TTM to {p.end.isoformat()}"), resolved.source)


_WORD = re.compile(r"[^\W\d_]{4,}")


def shares_words(unit: Unit, context: str | None) -> bool:
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


TITLE_LINES = 2  # the title: the first non-empty lines of the text
TITLE_MAX_CHARS = 600
_LEAD_GRAINS = ("quarter", "ytd", "half", "year")


def lead_period(text: str, fye: tuple[int, ...]) -> Period | None:
    """The period a report is about, from its title (its first lines): "Interim Report H1 24", "Rapport annuel
    2024", "Q3 25 Canvas Brief". Figures that state no period and have none in their context take it.

    Only quarters, nine months, halves and years count (a day or month there is an edition or as-of date),
    and only when the title states one period ("chiffres de l'exercice 2024 et du premier semestre 2025" sets
    none). When the fiscal year does not end on 31 December, a title's bare quarter or half is the fiscal
    one and a bare year the fiscal year ending in it ("Integrated Report 2025", year ending in March)."""
    from normalizers.periods import fiscal_half, fiscal_quarter, fiscal_year
    from normalizers.periods.calendar import _fiscal_year_of

    lines = [ln for ln in text[:TITLE_MAX_CHARS].splitlines() if ln.strip()][:TITLE_LINES]
    if not lines:
        return None
    title = "\n".join(lines)
    lang = lexicon.guess_lang(title, "en") or "en"
    found = [m.period for m in periods_in(title, lang, fye) if m.period is not None and m.period.grain in _LEAD_GRAINS]
    if tuple(fye[:2]) != (12, 31):
        out = []
        for p in found:
            if not p.is_fiscal and p.grain in ("quarter", "half") and p.label[:1] in "QH" and p.label[1:2].isdigit():
                k, y = int(p.label[1]), p.end.year
                p = fiscal_quarter(y, k, fye) if p.grain == "quarter" else fiscal_half(y, k, fye)
            elif not p.is_fiscal and p.grain == "year":
                p = fiscal_year(_fiscal_year_of(date(p.end.year, fye[0], 28), fye), fye)
            out.append(p)
        found = out
    # a period inside another one stated there is its detail ("Q3 25 ... third-quarter 2025 earnings"): the
    # narrower one is the report's
    found = [p for p in found if not any(q is not p and q.end != p.end and p.start is not None and q.start is not None
                                         and p.start <= q.start and q.end <= p.end for q in found)]
    if len({p.end for p in found}) != 1:
        return None
    return found[0]


# Canvas blocks whose figures are flows over the report's period (volumes produced, sales by channel, costs,
# revenues) and text outside canvas blocks. The other blocks describe standing structure (partners, resources,
# offers, relationships, segments): there a figure that states no period and has no period in its context
# ("Patents held: 11,840", "about a dozen mills") is not given the title's period unless its own statement
# speaks of a period ("at quarter-end", "for the half", a comparative "(FY23: 4.1)").
TITLE_PERIOD_BLOCKS = (None, "key_activities", "channels", "cost_structure", "revenue_streams")


@lru_cache(maxsize=None)
def current_period_cue() -> re.Pattern:
    """Words that place a figure in the report's current period without naming it (context.toml
    [default_period] current_cues): "at quarter-end", "for the half", "au T3"."""
    words = {lexicon.fold(w) for lg in lexicon.LANGS
             for w in lexicon.load(lg, "context").get("default_period", {}).get("current_cues", [])}
    return re.compile(r"(?<![\w])(?:" + literal_alternation(words) + r")(?![\w])")


def statement_bounds(text: str, pos: int) -> tuple[int, int]:
    """The ';'-separated statement of text around pos."""
    start = text.rfind(";", 0, pos) + 1
    end = text.find(";", pos)
    return start, (len(text) if end < 0 else end)


def speaks_of_period(text: str, amount: Amount, mentions) -> bool:
    """Does the amount's statement name a period (any mention, a comparative's included) or a current-period cue?"""
    start, end = statement_bounds(text, amount.start)
    if any(start <= m.start < end for m in mentions):
        return True
    folded = lexicon.fold(text[start:end])
    return bool(current_period_cue().search(folded))
