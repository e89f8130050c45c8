"""The period grammar: one regex per form ("Q3 2025", "exercice clos le 31 mars 2024", "over three years"...),
the cheap gates that decide which rules run on a text, and what keeps a four-digit number from being a year."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from ..retrie import first_char_lookahead, lowered_for_ci, lowered_phrases, word_start_search
from .handlers import _Handlers
from .vocabulary import Y4, _RE_FLAGS, _Vocab, _alt, _cs_alt


class _Grammar(_Handlers):
    def __init__(self) -> None:
        v = self.v = _Vocab()
        self._build_lexicon(v)
        self._build_rules(v)

    # ---- rules ---------------------------------------------------------------------------
    def _build_rules(self, v: _Vocab) -> None:
        W = v.words
        B = r"(?<![\w.,$€£¥])"  # left boundary of a token
        E = r"(?![\w])"  # right boundary
        MON = rf"(?:{self.month_alt})(?:\.|{E})"
        DAY = r"(?:[0-3]?\d)(?:er|re|ère|st|nd|rd|th|e|ème)?(?!\w)"
        fy_abbr = _cs_alt(self.fiscal_abbr)
        cy_abbr = _cs_alt(W("calendar.abbreviations"))
        fyw = _alt(W("fiscal.year_words"))
        fadj = _alt(W("fiscal.adjectives"))
        calw = _alt(W("calendar.year_words"))
        ynoun = _alt(W("calendar.year_nouns"))
        qw = _alt(W("quarter.words"))
        hw = _alt(W("half.words"))
        qletters = _cs_alt(self.quarter_letters)
        hletters = _cs_alt(self.half_letters)
        between = _alt(W("connectors.between"))
        arts = _alt(W("connectors.articles"))
        mods = _alt(W("modifiers.words"))
        rel_prior_year = _alt(self.prior_year_phrases)
        # connector between a quarter/half word and its year: " of the ", " de l'", " ", ", "
        CONN = rf"(?:\s*,?\s+(?:{between})(?:\s*(?:{arts}))?\s*|\s*,\s*|\s+)"
        YEARPART = (rf"(?:(?P<fyw>{fyw})\s+(?:(?:{between})\s+)?|(?P<fya>{fy_abbr})\s?['’]?"
                    rf"|(?:{calw}|{ynoun})\s+)?")

        def date_re(p: str) -> str:
            return (rf"(?:(?P<{p}d1>{DAY})\s+(?:(?:de|of)\s+)?(?P<{p}m1>{MON}),?\s+(?P<{p}y1>{Y4})"
                    rf"|(?P<{p}m2>{MON})\s*(?P<{p}d2>{DAY}),?\s+(?P<{p}y2>{Y4})"
                    rf"|(?P<{p}n1>\d{{1,2}})(?P<{p}sep>[/.])(?P<{p}n2>\d{{1,2}})(?P={p}sep)(?P<{p}ny>{Y4})"
                    rf"|(?P<{p}iy>{Y4})-(?P<{p}im>\d\d)-(?P<{p}id>\d\d))(?![\d\w])")

        self.date_re = date_re
        R: list[tuple[str, re.Pattern, Callable, tuple[str, ...]]] = []
        # What a rule cannot match without: cheap tests (self.gates, below), each run at most once per text, so
        # that most rules are never run on a text. A test finds what its rules need wherever they could match
        # (tests/normalizers/test_periods.py checks that no gate hides a period).
        needs = {
            "fy_abbr": ("digit", "fy"), "cy": ("digit", "cy"),
            "qh_letter": ("digit", "qh"), "nine_months": ("digit", "nine"), "qh_suffix": ("digit", "qh"), "qh_yearfirst": ("digit", "qh"),
            "month_quarter": ("words", "month", "qhw"), "relative": ("words", "rel"), "multi": ("words", "myw"),
            "multi_adj": ("words", "madj"),
            "day": ("year", "date"), "ended": ("year", "date"), "month": ("year", "month"),
            "quarter_of_month": ("year", "month"), "month_num": ("year", "month_num"), "fy_words": ("year", "fyw"),
            "qh_words": ("year", "qhw"), "year_mod": ("year", "mods"), "range": ("year", "range"), "range_between": ("year", "between"),
            "event": ("year", "event"), "same_of_year": ("year", "words"),
        }

        def rule(name: str, pattern: str, fn: Callable) -> None:
            R.append((name, re.compile(pattern, _RE_FLAGS), fn, needs.get(name, ("year",))))

        # full dates: "30 juin 2025", "March 31, 2025", "30/06/2025", "2025-09-30"
        rule("day", rf"(?<![\w/.\-])(?:(?:{self.weekday_alt}),?\s+)?{date_re('a_')}", self._r_day)
        # "<noun> ended <date>": "quarter ended September 30, 2025", "exercice clos le 31 mars 2024"
        nouns = _alt(W("ended.quarter") + W("ended.half") + W("ended.year") + W("ended.fiscal_year") + W("ended.ttm")
                     + W("ended.nine_months"))
        verbs = _alt(W("ended.verbs"))
        preps = _alt(W("ended.prepositions"))
        rule("ended",
             rf"{B}(?:(?P<fadj>{fadj})\s+)?(?P<noun>{nouns})\s+(?:(?:{verbs})(?:\s+(?:{preps}))?|(?:{preps}))\s+"
             rf"{date_re('b_')}", self._r_ended)
        # fiscal years: FY2025, FY 2025, FY25, FY2024-25, FY2024-FY2028
        rule("fy_abbr",
             rf"(?<![A-Za-z0-9])(?P<mod>(?:{mods})[\s\-]+(?:(?:of|de|d['’])\s*)?)?{fy_abbr}[\s\-]?['’]?(?P<y>{Y4}|\d\d)"
             rf"(?:\s*(?P<sep>[-–/])\s*(?P<fy2>{fy_abbr}\s?['’]?)?(?P<y2>{Y4}|\d\d))?(?![\d])(?!\.\d)",
             self._r_fy)
        # "fiscal year 2025", "exercice 2023", "fiscal 2024", "end of fiscal 2024", "exercice 2023/2024"
        rule("fy_words",
             rf"{B}(?P<mod>(?:{mods})[\s\-]+(?:(?:of|de|d['’])\s*(?:{arts})?\s*)?)?(?P<w>{fyw})\s+(?:(?:{between})\s+)?"
             rf"(?P<y>{Y4})(?:\s*(?P<sep>[-–/])\s*(?P<y2>{Y4}|\d\d))?(?![\d])(?!\.\d)",
             self._r_fy)
        # calendar years said explicitly: "Calendar Year 2025", "CY2025", "année civile 2025"
        rule("cy",
             rf"(?:(?<![A-Za-z0-9]){cy_abbr}\s?['’]?(?P<y>{Y4}|\d\d)|{B}{calw}\s+(?P<y4>{Y4}))(?![\d])(?!\.\d)",
             self._r_cy)
        # letter quarters/halves: "Q3 2025", "Q3 FY2025", "Q2 fiscal year 2026", "T4 2023", "H1 2025", "S1 2025"
        rule("qh_letter",
             rf"(?<![A-Za-z0-9])(?:(?P<fadj>{fadj})\s+)?(?:(?P<ql>{qletters})|(?P<hl>{hletters}))(?P<k>[1-4])"
             rf"(?:\s*(?:{between})\s+(?:(?:{arts})\s*)?|[/\-–]|\s+)?"
             rf"(?:(?P<fya>{fy_abbr})\s?['’]?(?P<fyy>{Y4}|\d\d)|(?P<fyw>{fyw})\s+(?P<fwy>{Y4})"
             rf"|['’](?P<yy>\d\d)|(?P<y>{Y4})|(?<=\s)(?P<sy>\d\d)(?!\s?%)(?![.,]\d))(?![\d])(?!\.\d)",
             self._r_qh_letter)
        # nine months: "9M 2025", "9M25", "first nine months of 2025", "neuf premiers mois de l'exercice 2025"
        nmw = _alt(W("nine_months.words"))
        nma = _cs_alt(W("nine_months.abbreviations"))
        rule("nine_months",
             rf"(?:(?<![\w.,]){nma}\s?(?:(?P<fyb>{fy_abbr})\s?['’]?)?(?P<ay>{Y4}|\d\d)"
             rf"|{B}(?:{nmw}){CONN}{YEARPART}(?P<y>{Y4}))(?![\d])(?!\.\d)",
             self._r_nine_months)
        # "3Q25", "3Q 2025", "1H25", "1S 2024", "3QFY25"
        rule("qh_suffix",
             rf"(?<![\w.,])(?P<k>[1-4])(?:(?P<ql>{qletters})|(?P<hl>{hletters}))\s?(?:(?P<fya>{fy_abbr})\s?['’]?)?"
             rf"(?P<y>{Y4}|\d\d)(?![\d])(?!\.\d)",
             self._r_qh_suffix)
        # "2025 Q3", "2025Q3", "FY2025 Q3", "FY25 H1"
        rule("qh_yearfirst",
             rf"(?<![\w.,])(?:(?P<fya>{fy_abbr})\s?['’]?(?P<fyy>{Y4}|\d\d)|(?P<y>{Y4}))(?:[/\-–]|\s+)?"
             rf"(?:(?P<ql>{qletters})|(?P<hl>{hletters}))(?P<k>[1-4])(?![\w])",
             self._r_qh_yearfirst)
        # "second quarter of 2025", "fiscal second quarter of 2025", "quatrième trimestre 2023",
        # "premier semestre de l'exercice 2025", "second half of fiscal 2024"
        rule("qh_words",
             rf"{B}(?:(?P<f1>{fadj})\s+)?(?P<ord>{self.ordinal_alt})[\s\-]+(?:(?P<f2>{fadj})\s+)?"
             rf"(?:(?P<qw>{qw})|(?P<hw>{hw}))(?:\s+(?P<f3>{fadj}))?{CONN}{YEARPART}(?P<y>{Y4})(?![\d])(?!\.\d)",
             self._r_qh_words)
        # "September quarter of 2025", "Sep Qtr 2025", "September 2025 quarter",
        # "September quarter of the prior year", "the September quarter"
        rule("month_quarter",
             rf"{B}(?P<m>{MON})\s*(?:(?P<y0>{Y4})\s+)?(?P<qw>{qw})(?:\.|{E})"
             rf"(?:{CONN}(?:(?P<y>{Y4})(?![\d])|(?P<rel>{rel_prior_year})))?",
             self._r_month_quarter)
        rule("quarter_of_month",
             rf"{B}(?P<qw>{qw})\s+(?:de|d['’]|of|ending\s+in|ended\s+in|clos\s+en|se\s+terminant\s+en)\s*"
             rf"(?P<m>{MON})\s*(?P<y>{Y4})(?![\d])",
             self._r_month_quarter)
        # months: "October 2025", "en octobre 2025", "early August 2025", "fin juin 2025", "06/2025", "2025-03"
        rule("month",
             rf"{B}(?:(?P<mod>{mods})[\s\-]+(?:(?:of|de|d['’])\s*)?)?(?P<m>{MON}),?\s*(?:(?:of|de)\s+)?"
             rf"(?P<y>{Y4})(?![\d])(?!\.\d)",
             self._r_month)
        rule("month_num",
             rf"(?<![\w./\-])(?:(?P<nm>0?[1-9]|1[0-2])/(?P<ny>{Y4})|(?P<iy>{Y4})-(?P<im>0[1-9]|1[0-2]))(?![\w/\-.])",
             self._r_month_num)
        # year with a modifier: "end of 2023", "fin 2023", "late 2025", "mid-2025", "year-end 2023"
        rule("year_mod",
             rf"{B}(?P<mod>{mods})[\s\-]*(?:(?:of|de|d['’])\s*(?:(?:{arts})\s*)?(?:{ynoun})?\s*)?(?P<y>{Y4})(?![\d])(?!\.\d)(?![,.]\d)",
             self._r_year_mod)
        # ranges: "2024-2028", "2024–2028", "from 2024 to 2028", "between 2024 and 2028", "2024-28"
        rw = _alt(W("connectors.range_words"))
        rfrom = _alt(W("connectors.range_from"))
        rbetw = _alt(W("connectors.range_between"))
        rand = _alt(W("connectors.range_and"))
        rule("range",
             rf"(?<![\w.,/\-])(?:(?:{rfrom})\s+)?(?P<y1>{Y4})(?:\s*[-–—]\s*|\s*/\s*|\s+(?:{rw})\s+)(?P<y2>{Y4}|\d\d)"
             rf"(?![\d\-/])(?!\.\d)(?!,\d)",
             self._r_range)
        rule("range_between",
             rf"{B}(?:{rbetw})\s+(?P<y1>{Y4})\s+(?:{rand})\s+(?P<y2>{Y4})(?![\d])",
             self._r_range)
        # shopping festivals next to a year: "Singles' Day 2024", "the 2024 11.11 Shopping Festival"
        ev = _alt(self.event_names)
        rule("event",
             rf"(?<![\w.])(?:(?P<y1>{Y4})\s+(?P<e1>{ev})|(?P<e2>{ev})\s+(?P<y2>{Y4}))(?![\w])(?!\.\d)",
             self._r_event)
        # relative: "the same quarter", "a year earlier", "l'exercice précédent", "past four quarters"
        same_w = _alt(W("connectors.same"))
        pnouns = _alt(W("connectors.period_nouns"))
        rule("same_of_year",
             rf"{B}(?P<same>{same_w})\s+(?P<g>{qw}|{hw}|{pnouns})(?:\s+(?P<fadj>{fadj}))?\s*,?\s+(?:{between})?\s*"
             rf"(?:(?:{arts})\s*)?(?:(?P<fyw>{fyw})\s+|(?P<fya>{fy_abbr})\s?)?(?P<y>{Y4})(?![\d])(?!\.\d)",
             self._r_same_of_year)
        rule("relative", rf"(?<![\w\-]){_alt(self.relative_phrases)}(?![\w\-])", self._r_relative)
        # multi-year: "over three years", "over the next three years", "sur les trois prochaines années"
        mprep = _alt(W("multi_year.prepositions"))
        marts = _alt(W("multi_year.articles"))
        mnext = _alt(W("multi_year.next") + W("multi_year.past"))
        myw = _alt(W("multi_year.year_words"))
        rule("multi",
             rf"{B}(?:{mprep})\s+(?:(?:{marts})\s+)?(?:(?P<d1>{mnext})\s+)?(?P<n>{self.number_alt})[\s\-]+"
             rf"(?:(?P<d2>{mnext})\s+)?(?:{myw})(?:\s+(?P<d3>{mnext}))?(?![\w])",
             self._r_multi)
        # multi-year adjectives: "3-Year AI/Cloud Plan", "a five-year programme", "plan triennal"
        madj = W("multi_year.adjective_words")
        if madj:
            rule("multi_adj",
                 rf"{B}(?P<n>{self.number_alt}|\d{{1,2}})-(?:{_alt(madj)})(?![\w\-])",
                 self._r_multi_adj)
        # bare years last (weakest): "2023", "(2023)", "in 2024"
        rule("year", rf"(?<![\w.,$€£¥'’])(?P<y>{Y4})(?![\w%])(?!\s?%)(?![.,]\d)(?!-\d)", self._r_year)
        # every rule and gate opens with a look-behind: a look-ahead on its first characters makes the scans faster
        self.rules = [(name, first_char_lookahead(rx), fn, needs) for name, rx, fn, needs in R]
        # the rules by what they need (in rule order within a group): a text's scan tests each set of needs once
        groups: dict[tuple[str, ...], list[tuple[int, re.Pattern]]] = {}
        for idx, (_name, rx, _fn, needs) in enumerate(self.rules):
            groups.setdefault(needs, []).append((idx, rx))
        self.rule_groups = tuple((needs, tuple(rules)) for needs, rules in groups.items())
        trig = (self.relative_phrases + self.event_names + W("multi_year.year_words") + W("multi_year.adjective_words")
                + W("connectors.same") + W("quarter.words"))
        # Gates look for their words at the start of a word only (that is where the rules have them: after a
        # boundary, a space, a hyphen or an apostrophe), which also keeps them cheap: Python's re tries the
        # word lists only where a word starts.
        W0 = r"(?<![^\W\d_])"
        month = rf"{W0}(?:{self.month_alt})(?:\.|{E})"
        # what follows the words in their rules: white space after the fiscal-year words ("fiscal 2024"); after a
        # modifier, a space, a hyphen, "of"/"de"/"d'" or the year ("end of 2023", "mid-2025", "fin 2023")
        fyw_tail = r"(?=\s)"
        mods_tail = r"(?=[\s\-od12])"
        # the gates that are phrases at the start of a word: their phrases (and what follows them)
        word_gates = {
            "words": (trig, ""), "cy_words": (W("calendar.year_words"), ""),
            "month": (self.month_names, rf"(?:\.|{E})"), "fyw": (W("fiscal.year_words"), fyw_tail),
            "qhw": (W("quarter.words") + W("half.words"), ""), "mods": (W("modifiers.words"), mods_tail),
            "between": (W("connectors.range_between"), ""), "event": (self.event_names, ""),
            "nine_words": (W("nine_months.words"), ""), "rel": (self.relative_phrases, ""),
            "myw": (W("multi_year.year_words"), ""),
        }
        # The case-sensitive gates (letters, digits) are compiled without IGNORECASE: re then finds their first
        # character with its fast scan (a case-insensitive class costs a lower-casing per character).
        CS = _RE_FLAGS & ~re.IGNORECASE
        letters = self.quarter_letters + self.half_letters
        if letters and all(len(x) == 1 for x in letters):
            # one class first (re's fast scan), then what must follow it: "Q3", "3Q"
            cls = re.escape("".join(sorted(set(letters))))
            qh = re.compile(rf"[{cls}1-4](?:(?<=[{cls}])[1-4]|(?<=[1-4])[{cls}])", CS)
        else:
            qh = first_char_lookahead(
                re.compile(rf"(?:{qletters}|{hletters})[1-4]|[1-4](?:{qletters}|{hletters})", CS), always=True)
        self.gates = {
            "year": re.compile(Y4),  # a four-digit year
            "words": re.compile(W0 + _alt(trig), _RE_FLAGS),  # relative, multi-year, "same", quarter words
            "qh": qh,  # Q3, 3Q
            "fy": re.compile(fy_abbr, CS),  # FY25
            "cy_abbr": re.compile(cy_abbr, CS),  # CY25
            "cy_words": re.compile(rf"{W0}{calw}", _RE_FLAGS),  # calendar year
            "month": re.compile(month, _RE_FLAGS),  # a month name
            "date_num": re.compile(r"\d[/.]\d{1,2}[/.]\d|\d-\d\d-\d", CS),  # 30/06/2025, 2025-06-30
            "month_num": re.compile(r"\d/\d|\d-\d"),  # 06/2025, 2025-03
            "fyw": re.compile(W0 + fyw + fyw_tail, _RE_FLAGS),  # fiscal year words
            "qhw": re.compile(rf"{W0}(?:{qw}|{hw})", _RE_FLAGS),  # quarter and half words
            "mods": re.compile(W0 + mods + mods_tail, _RE_FLAGS),  # "end of", "mid-", "fin"
            "range": re.compile(rf"{Y4}(?:\s*[-–—]\s*|\s*/\s*|\s+(?:{rw})\s+)\d\d", _RE_FLAGS),  # 2024-2028
            "between": re.compile(W0 + rbetw, _RE_FLAGS),
            "event": re.compile(W0 + ev, _RE_FLAGS),  # shopping festivals
            "nine_words": re.compile(rf"{W0}(?:{nmw})", _RE_FLAGS),  # "nine months"
            "nine_abbr": re.compile(nma, CS),  # "9M"
            "rel": re.compile(W0 + _alt(self.relative_phrases), _RE_FLAGS),  # "a year earlier", "même trimestre"
            "myw": re.compile(W0 + myw, _RE_FLAGS),  # "years", "ans": over three years
            "madj": re.compile("-" + _alt(madj), _RE_FLAGS),  # "-year", "-ans": 3-year plan
        }
        # a need met by any of several gates (one search per alternative, each with its own first-character
        # look-ahead, is cheaper than one search of their alternation, which gets none)
        self.gate_any = {"cy": ("cy_abbr", "cy_words"), "date": ("month", "date_num"),
                         "nine": ("nine_abbr", "nine_words")}
        # gates whose words stand before a four-digit year in every rule that reads them ("calendar year 2025",
        # "first nine months of 2025"): not searched in a text with no year
        self.year_only_gates = ("cy_words", "nine_words")
        self.gates = {name: first_char_lookahead(rx) for name, rx in self.gates.items()}
        for name, (phrases, tail) in word_gates.items():
            self.gates[name] = _WordGate.make(self.gates[name], phrases, tail)
        self.year_blockers = _YearBlockers(v)


class _WordGate:
    """A gate made of phrases at the start of a word, searched as its case-insensitive regex ``rx``
    ("(?<![^\\W\\d_])" + phrases + tail) would be, but faster: the phrases, lower-cased, are searched
    case-sensitively in the lower-cased text (re's fast first-character scan serves them; a case-insensitive
    search with a look-behind first tries every position), and the word start is checked on each hit.
    Case-insensitive matching in re compares lower-cased characters (simple case mapping), as the lower-cased
    text does, save for a few characters (``retrie.lowered_for_ci``): a text with one is searched with ``rx``.
    ``pattern`` and ``flags`` are those of ``rx``."""

    __slots__ = ("rx", "fast", "pattern", "flags")

    def __init__(self, rx: re.Pattern, body: str) -> None:
        self.rx, self.pattern, self.flags = rx, rx.pattern, rx.flags
        self.fast = re.compile(body, _RE_FLAGS & ~re.IGNORECASE)

    @classmethod
    def make(cls, rx: re.Pattern, phrases: list[str], tail: str):
        low = lowered_phrases(phrases)
        if low is None:
            return rx
        return cls(rx, f"(?:{_alt(low)}){tail}")

    def search(self, text: str):
        low = lowered_for_ci(text)
        if low is None:
            return self.rx.search(text)
        return word_start_search(self.fast, low)


_GROUPED_BEFORE = re.compile(r"\d[ \u00a0\u202f]$")  # "1 2023": a digit and a space right before
_GROUPED_AFTER = re.compile(r"[ \u00a0\u202f]\d{3}(?!\d)")  # "2024 456": a space and three digits right after
_YEAR_SEP_BEFORE = re.compile(rf"(?<!\d){Y4}\s*[/\-–]$")  # "2025/": a year, then a slash or dash


class _YearBlockers:
    """Context that makes a 4-digit number not a year: "2 000", "$2025", "2024 millions", "24/2024"."""

    def __init__(self, v: _Vocab) -> None:
        self.after = re.compile(r"\s*" + _alt(v.words("year_blockers.after")) + r"(?!\w)", _RE_FLAGS)
        self.before = re.compile(r"(?<!\w)" + _alt(v.words("year_blockers.before")) + r"\s*$", _RE_FLAGS)

    def blocked(self, text: str, s: int, e: int) -> bool:
        pre = text[max(0, s - 12):s]
        # part of a grouped number: "1 2023", "12 2024 456" (digit + space right before/after)
        if _GROUPED_BEFORE.search(pre) or _GROUPED_AFTER.match(text[e:e + 5]):
            return True
        # after a slash or dash: only when that is itself a year ("2025/2024"), not "24/2024"
        if pre.endswith(("/", "-", "–")):
            if not _YEAR_SEP_BEFORE.search(pre):
                return True
        if self.before.search(pre):
            return True
        if self.after.match(text, e):
            return True
        return False


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    return _Grammar()
