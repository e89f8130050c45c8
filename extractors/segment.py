"""Document -> canvas sections, tables, bullets and sentences (``Unit``s with their context).

Everything here is line based and linear in the size of the text. A report is a sequence of:
- a title line  "Company (TICKER): Business Model Canvas [Jan-2025 Mis à jour]";
- canvas headings "Company (TICKER) - Modèle d'entreprise: partenariats clés" (block from French or English
  names, typos tolerated);
- sub-headings (short lines without final punctuation), prose paragraphs (split into sentences),
  bullets ("- label: value"), and pipe tables (first row = header; separator row optional);
- boilerplate zones (a "Disclaimer" heading and what follows it until the next canvas heading).
Text with no canvas heading still yields units (block None).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

from . import lexicon
from .decode import Document

MAX_UNIT_CHARS = 20_000  # longer prose is cut into windows of this size (linear time on huge lines)
# A sentence's ``paragraph`` context holds the earlier sentences of its paragraph up to this many characters
# (the first ones: they set the topic). Unbounded, a multi-megabyte line would cost quadratic time/memory.
MAX_PARAGRAPH_CHARS = 4_000
MAX_HEADING_CHARS = 1_000  # longer lines are never headings (and are not put in parse_heading's cache)

_HEADING = re.compile(
    r"^\s*(?P<company>[^()\[\]|\n]{2,160}?)\s*\((?P<ticker>[A-Z0-9][A-Z0-9.\-]{0,11})\)\s*(?P<rest>[^\n]{0,300})$"
)
_EDITION = re.compile(r"\[(?P<label>[^\]\n]{2,60})\]")
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_BULLET = re.compile(r"^\s*(?:[-*•–—▪◦·]|\d{1,2}[.)])\s+")
_SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# Sentence ends: . ! ? followed by space and an upper-case letter, quote or digit; not after a lone capital
# (initials), nor inside numbers.
# (The end mark is matched, and the white space is group 1, rather than looked behind for: a pattern that opens with
# a character set lets ``re`` skip to the marks instead of trying the look-behinds at every position; same breaks.)
_SENT_END = re.compile(r"[.!?](?<!\b[A-Za-z]\.)(\s+)(?=[\"«“(]?[A-ZÀ-ÖØ-Þ0-9])")
_HAS_DIGIT = re.compile(r"\d")
# No sentence end between a short abbreviation and the number it introduces: "Tél. 081 22 45 90", "company no.
# 04417263", "Fr. 650.–", "(réf. 2412.BA.01)", "VAT reg. GB 318 4417 26".
_ABBREV_BEFORE = re.compile(r"(?:^|[\s(])[^\W\d_]{1,4}\.$")
_NUMBER_AFTER = re.compile(r"(?:[A-Z]{1,3}\s+)?\d")


@dataclass(slots=True)
class Section:
    index: int
    line_start: int
    line_end: int
    heading: str | None = None
    company: str | None = None
    ticker: str | None = None
    block: str | None = None
    lang: str | None = None
    edition_label: str | None = None
    edition_date: date | None = None
    edition_group: int = 0
    boilerplate: bool = False


@dataclass(slots=True)
class Unit:
    """A piece of text facts are read from: a table cell, a bullet, a sentence or a heading."""

    kind: str  # "cell" | "bullet" | "sentence" | "heading"
    text: str
    start: int  # offset of text in Document.text
    line: int
    section: Section
    lang: str | None
    subheading: str | None = None
    intro: str | None = None  # the sentence/paragraph that introduces the list or table
    paragraph: str | None = None  # for sentences: the earlier sentences of the same paragraph
    label: str | None = None  # bullet "label: value" -> label; cell -> row label
    col_header: str | None = None
    row_cells: tuple[tuple[str, int], ...] = ()  # (text, offset) of every cell of the row
    headers: tuple[str, ...] = ()  # every column header of the table
    col_index: int = -1
    row_text: str | None = None  # the whole table row / bullet line

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(slots=True)
class Structure:
    sections: list[Section] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    company: str | None = None
    ticker: str | None = None


# ---------------------------------------------------------------------------------------------------------
# headings


@lru_cache(maxsize=4096)
def _best_block(text: str) -> tuple[str | None, str | None, float]:
    folded = lexicon.fold(text).strip(" :.-|")
    if not folded:
        return None, None, 0.0
    best: tuple[str | None, str | None, float] = (None, None, 0.0)
    for name, block, lang in lexicon.block_names():
        if folded == name:
            return block, lang, 1.0
        score = SequenceMatcher(None, folded, name).ratio()
        if len(name) >= 6 and re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", folded):
            score = max(score, 0.9 if len(name.split()) > 1 else 0.78)
        if score > best[2]:
            best = (block, lang, score)
    return best if best[2] >= 0.72 else (None, None, best[2])


@lru_cache(maxsize=4096)
def parse_heading(line: str) -> dict | None:
    """A canvas heading or title line -> {company, ticker, canvas_lang, block, edition_label}; else None."""
    if "|" in line.strip("| "):  # a table row, not a heading
        return None
    m = _HEADING.match(line)
    if not m:
        return None
    rest = m.group("rest")
    folded_rest = lexicon.fold(rest)
    canvas_lang = None
    canvas_word = None
    for word, lang in lexicon.all_canvas_words():
        pos = folded_rest.find(word)
        if pos != -1:
            canvas_lang, canvas_word = lang, word
            break
    edition = _EDITION.search(rest)
    if canvas_word is None and edition is None:
        return None
    block = None
    block_lang = None
    if canvas_word is not None:
        after = folded_rest.split(canvas_word, 1)[1]
        after = _EDITION.sub(" ", after).strip(" :-|")
        if after:
            block, block_lang, _ = _best_block(after)
    # the language of the heading: the canvas word's, unless it is an English loan used by both
    if canvas_word in ("business model canvas",) and block_lang:
        canvas_lang = block_lang
    return {
        "company": m.group("company").strip(" -:|"),
        "ticker": m.group("ticker"),
        "canvas": canvas_word,
        "lang": canvas_lang,
        "block": block,
        "edition_label": edition.group("label").strip() if edition else None,
    }


@lru_cache(maxsize=1)
def _month_table() -> dict[str, int]:
    from babel.dates import get_month_names

    table: dict[str, int] = {}
    for loc in lexicon.LANGS:
        for width in ("wide", "abbreviated"):
            for ctx in ("format", "stand-alone"):
                for num, name in get_month_names(width, context=ctx, locale=loc).items():
                    table[lexicon.fold(name).rstrip(".")] = num
    for name, num in list(table.items()):
        if len(name) > 3:
            table.setdefault(name[:3], num)
    return table


@lru_cache(maxsize=1024)
def edition_date(label: str | None) -> date | None:
    """'Jan-2025 Mis à jour' -> 2025-01-01 (month names from CLDR via Babel); other free-form dates
    ('Updated 3rd of March 2025', '2025/03/03') through dateparser; a bare year -> its first day."""
    if not label:
        return None
    folded = lexicon.fold(label)
    year = _YEAR.search(folded)
    if not year:
        return None
    for word in re.findall(r"[a-z]+", folded):
        if word in _month_table():
            return date(int(year.group(1)), _month_table()[word], 1)
    from dateparser.search import search_dates

    found = search_dates(
        label, languages=list(lexicon.LANGS),
        settings={"REQUIRE_PARTS": ["month", "year"], "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False},
    )
    if found:
        return found[0][1].date()
    return date(int(year.group(1)), 1, 1)


_EDGE_NON_LETTERS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_PAREN_TAIL = re.compile(r"\(([^()]{3,60})\)\s*$")


@lru_cache(maxsize=4096)
def bare_block_heading(line: str) -> tuple[str, str] | None:
    """A block heading written without the company/canvas form: "Key Partners", "<1> KEY PARTNERS",
    "=== 7 / SEGMENTS ===", "[ Partenaires clés ]", "PARTENAIRES-CLÉS", "PART A. WHO WE WORK WITH (key partners)"
    -> (block, lang). The line, stripped of numbering and decoration, must be a block name exactly (or end
    with one in parentheses); names from canvas.toml [blocks] and [heading_blocks]."""
    s = line.strip()
    if not s or len(s) > 80 or s.endswith((":", ".", ";", ",")) or "|" in s:
        return None
    candidates = [s]
    tail = _PAREN_TAIL.search(s)
    if tail:
        candidates.append(tail.group(1))
    for c in candidates:
        core = lexicon.fold(_EDGE_NON_LETTERS.sub("", c)).replace("-", " ")
        hit = lexicon.heading_block_names().get(core)
        if hit:
            return hit
    return None


def is_boilerplate_heading(line: str) -> bool:
    folded = lexicon.fold(line).strip(" :.#*")
    return folded in lexicon.boilerplate_headings()


# ---------------------------------------------------------------------------------------------------------
# lines


def split_cells(line: str, line_start: int) -> list[tuple[str, int]]:
    """Cells of a pipe-table row as (stripped text, offset in the document)."""
    cells: list[tuple[str, int]] = []
    pos = 0
    n = len(line)
    # skip a leading pipe
    lead = line.find("|")
    if lead != -1 and not line[:lead].strip():
        pos = lead + 1
    while pos <= n:
        nxt = line.find("|", pos)
        end = n if nxt == -1 else nxt
        raw = line[pos:end]
        stripped = raw.strip()
        if stripped or nxt != -1:
            offset = pos + (len(raw) - len(raw.lstrip()))
            cells.append((stripped, line_start + offset))
        if nxt == -1:
            break
        pos = nxt + 1
    return cells


def split_sentences(text: str, start: int) -> list[tuple[str, int]]:
    """Sentences of a paragraph as (text, offset). Long texts are cut into bounded windows."""
    out: list[tuple[str, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        ws = m.start(1)  # the white space after the end mark
        if _NUMBER_AFTER.match(text, m.end()) and _ABBREV_BEFORE.search(text, max(0, ws - 8), ws):
            continue
        piece = text[pos:ws]
        if piece.strip():
            out.append((piece, start + pos))
        pos = m.end()
    piece = text[pos:]
    if piece.strip():
        out.append((piece, start + pos))
    windowed: list[tuple[str, int]] = []
    for s, off in out:
        # trim white space, keep offsets right
        lead = len(s) - len(s.lstrip())
        s2 = s.strip()
        off += lead
        if len(s2) <= MAX_UNIT_CHARS:
            windowed.append((s2, off))
            continue
        i = 0
        while i < len(s2):
            j = min(len(s2), i + MAX_UNIT_CHARS)
            if j < len(s2):
                k = s2.rfind(" ", i + MAX_UNIT_CHARS // 2, j)
                if k != -1:
                    j = k
            windowed.append((s2[i:j], off + i))
            i = j
    return windowed


def _is_subheading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 140:
        return False
    if s[-1] in ".;!?:,":
        return False
    return len(s.split()) <= 16


def segment(doc: Document, *, default_lang: str | None = None) -> Structure:
    st = Structure()
    current = Section(index=0, line_start=1, line_end=1, lang=default_lang)
    st.sections.append(current)
    edition_group = 0
    style: tuple | None = None  # (canvas word, lang) of the current edition's headings
    title_edition: tuple[str | None, date | None] = (None, None)
    subheading: str | None = None
    intro: str | None = None
    table_header: list[str] | None = None
    table_headers: tuple[str, ...] = ()  # the same, one tuple shared by all the cells of the table
    in_table = False
    last_prose: str | None = None

    def new_section(line_no: int, **kw) -> Section:
        nonlocal current
        current.line_end = max(current.line_start, line_no - 1)
        current = Section(index=len(st.sections), line_start=line_no, line_end=line_no, **kw)
        st.sections.append(current)
        return current

    for line_no, line_start, line in doc.iter_lines():
        stripped = line.strip()
        if not stripped or stripped == "|":
            in_table = False
            table_header = None
            continue
        is_table_row = stripped.startswith("|") or (stripped.count("|") >= 2 and not _BULLET.match(line))
        heading = (None if (is_table_row and stripped.count("|") > 2) or len(stripped) > MAX_HEADING_CHARS
                   or "(" not in stripped  # a heading names its ticker in parentheses (_HEADING)
                   else parse_heading(stripped.strip("| ")))
        if heading is not None:
            st.company = st.company or heading["company"]
            st.ticker = st.ticker or heading["ticker"]
            label = heading["edition_label"]
            this_style = (heading["canvas"], heading["lang"])
            if label:
                edition_group += 1
                title_edition = (label, edition_date(label))
                style = None
            elif heading["block"] is not None and style is not None and this_style != style:
                # same report, headings in another style/language: a later edition without a label
                edition_group += 1
                title_edition = (None, None)
                style = this_style
            if heading["block"] is not None and style is None:
                style = this_style
            new_section(
                line_no,
                heading=stripped.strip("| "),
                company=heading["company"],
                ticker=heading["ticker"],
                block=heading["block"],
                lang=heading["lang"] if heading["block"] else (heading["lang"] or default_lang),
                edition_label=title_edition[0],
                edition_date=title_edition[1],
                edition_group=edition_group,
            )
            if heading["block"] is None:  # a title line: its own words decide ("[Jan-2025 Mis à jour]")
                current.lang = lexicon.guess_lang(stripped, heading["lang"] or default_lang)
            subheading = intro = last_prose = None
            in_table = False
            table_header = None
            if heading["block"] is None:
                # a title line can carry figures: read it as a heading unit
                st.units.append(Unit("heading", line, line_start, line_no, current, current.lang))
            continue
        if not is_table_row and is_boilerplate_heading(stripped):
            new_section(
                line_no,
                heading=stripped,
                company=current.company,
                ticker=current.ticker,
                lang=current.lang,
                edition_label=current.edition_label,
                edition_date=current.edition_date,
                edition_group=current.edition_group,
                boilerplate=True,
            )
            continue
        bare = None if (is_table_row or style is not None) else bare_block_heading(stripped)
        if bare is not None:  # a report without canvas headings: its own block headings
            new_section(
                line_no,
                heading=stripped,
                company=current.company,
                ticker=current.ticker,
                block=bare[0],
                lang=bare[1],
                edition_label=current.edition_label,
                edition_date=current.edition_date,
                edition_group=current.edition_group,
            )
            subheading = intro = last_prose = None
            continue
        section = current
        lang = section.lang if section.block else (lexicon.guess_lang(stripped, section.lang or default_lang))
        if is_table_row:
            cells = split_cells(line, line_start)
            if _SEPARATOR_ROW.match(stripped):
                continue
            if not in_table:
                in_table = True
                table_header = [c for c, _ in cells]
                table_headers = tuple(table_header)
                if last_prose is not None:
                    intro = last_prose
                # header cells can hold figures too (rare): keep them as heading units for context only
                continue
            row_text = stripped
            row_label = cells[0][0] if cells else None
            row_cells = tuple(cells)  # one tuple for all the cells of the row
            headers = table_headers if table_header else ()
            for idx, (ctext, coff) in enumerate(cells):
                if not ctext:
                    continue
                header = table_header[idx] if table_header and idx < len(table_header) else None
                st.units.append(
                    Unit(
                        "cell",
                        ctext,
                        coff,
                        line_no,
                        section,
                        lang,
                        subheading=subheading,
                        intro=intro,
                        label=row_label,
                        col_header=header,
                        row_cells=row_cells,
                        headers=headers,
                        col_index=idx,
                        row_text=row_text,
                    )
                )
            continue
        in_table = False
        table_header = None
        bullet = _BULLET.match(line)
        if bullet:
            body_start = bullet.end()
            body = line[body_start:].rstrip()
            label = None
            colon = body.find(":")
            if 0 < colon < 120:
                label = body[:colon].strip()
            for sent, off in split_sentences(body, line_start + body_start):
                st.units.append(
                    Unit("bullet", sent, off, line_no, section, lang, subheading=subheading, intro=intro,
                         label=label, row_text=body)
                )
            continue
        if _is_subheading(stripped) and not stripped.endswith(":"):
            # a short title-like line: context for what follows. It may still state figures.
            subheading = stripped
            intro = None
            last_prose = None
            if _HAS_DIGIT.search(stripped):
                lead = len(line) - len(line.lstrip())
                st.units.append(Unit("heading", stripped, line_start + lead, line_no, section, lang,
                                     subheading=None, intro=None))
            continue
        # prose paragraph
        earlier: list[str] = []
        paragraph: str | None = None
        full = False  # paragraph context reached MAX_PARAGRAPH_CHARS: later sentences share the same string
        for sent, off in split_sentences(line, line_start):
            st.units.append(
                Unit("sentence", sent, off, line_no, section, lang, subheading=subheading, intro=intro,
                     paragraph=paragraph, row_text=None)
            )
            if not full:
                if paragraph is not None and len(paragraph) + 1 + len(sent) > MAX_PARAGRAPH_CHARS:
                    full = True
                else:
                    earlier.append(sent)
                    paragraph = " ".join(earlier)
        last_prose = stripped
        intro = stripped
    current.line_end = max(current.line_start, doc.line_count)
    if st.company is None:
        st.company, ticker = title_company(doc.text)
        st.ticker = st.ticker or ticker
    return st


_TITLE_PARTS = re.compile(r"\s+(?:-{1,2}|[–—|])\s+")
_TITLE_TICKER = re.compile(r"\(\s*(?:[A-Z]{2,8}\s*:\s*)?(?P<ticker>[A-Z][A-Z0-9.\-]{0,11})\s*\)")
_TITLE_WORD = re.compile(r"[^\W\d_]{2,}")


def title_company(text: str) -> tuple[str | None, str | None]:
    """A report whose title names the company without the "Company (TICKER): Business Model Canvas" form:
    "Pennant Homeware plc", "Nordhavn Freight Group AB -- Business Model Canvas, full year 2024",
    "RIDGELINE OUTDOOR CORP. (NYSE: RDGL) -- Q3 25 Canvas Brief", "Quarterly notes - Brightwater Foods plc (BWF)".
    The first line of the text, cut at dashes and bars: the part with a ticker in parentheses, else the
    first part; it must look like a name (a few words, no figures, no sentence). -> (company, ticker)."""
    first = next((ln.strip(" |\t") for ln in text[:2_000].splitlines() if ln.strip(" |\t")), "")
    if not first or len(first) > 160:
        return None, None
    parts = [p for p in _TITLE_PARTS.split(first) if p.strip()]
    with_ticker = [p for p in parts if _TITLE_TICKER.search(p)]
    part = (with_ticker or parts or [""])[0]
    tm = _TITLE_TICKER.search(part)
    ticker = tm.group("ticker") if tm else None
    name = part[:tm.start()] if tm else part
    name = name.strip(" :-|")
    words = name.split()
    if not name or not 1 <= len(words) <= 8 or any(ch.isdigit() for ch in name) or not _TITLE_WORD.search(name):
        return None, ticker
    if name.endswith((".", "!", "?", ":")) and not re.search(r"\b\w{1,5}\.$", name):  # "Corp.", "Ltd."
        return None, ticker
    if lexicon.fold(name) in {w for w, _ in lexicon.all_canvas_words()}:
        return None, ticker
    if name.isupper():  # "HÉLIANTHE ÉNERGIE" -> "Hélianthe Énergie"
        name = " ".join(w.capitalize() if len(w) > 3 or w.lower() not in ("sa", "ag", "ab", "plc", "inc") else w
                        for w in name.split())
    return name, ticker
