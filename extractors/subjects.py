"""Who or what a figure is about: named entities (statistical NER, read only where it decides something)
and names written around a list or table ("Partner - ...", a trailing "(Alibaba Cloud)").

Statistical NER runs only on prose sentences that hold a figure (it decides their subject); tables and
bullets get their subject from the row label / list context, so they never pay for it.
"""
from __future__ import annotations

import re
from collections import OrderedDict

from functools import lru_cache

from normalizers.retrie import literal_alternation

from . import lexicon
from .metrics import clean_label
from .segment import Unit


@lru_cache(maxsize=None)
def _measure_words() -> re.Pattern:
    words = {lexicon.fold(w) for lg in lexicon.LANGS
             for w in lexicon.load(lg, "context").get("subjects", {}).get("measure_words", [])}
    return re.compile(r"(?<![\w])(?:" + literal_alternation(words) + r")(?![\w])")


def names_a_measure(label: str) -> bool:
    """A label that names a measure ("Dividende brut proposé", "Teneur moyenne", "Délai", "Stock de produits
    finis"), not a thing the figure is about (context.toml [subjects] measure_words)."""
    return bool(_measure_words().search(lexicon.fold(label)))

NER_MAX_CHARS = 160
SUBJECT_LABELS = {"ORG", "PRODUCT", "MISC", "PER", "PERSON", "FAC", "WORK_OF_ART", "EVENT", "GPE", "NORP"}


_NAME_LIKE = re.compile(r"[^\W\d_]{3,}")  # at least one real word
_NOT_A_NAME = re.compile(r"[\d€$£¥₩₹%]")  # figures and currency signs are never subjects ("Md€", "M€.")


_LEAD_LABEL = re.compile(r"^\s*[^\W\d][^:.;!?\d]{0,48}?\s*:\s")  # "Snapshot: ", "Chiffre d'affaires : "


@lru_cache(maxsize=16_384)  # pure; asked for each figure of a sentence and again for its period
def lead_label_end(text: str) -> int:
    """End of a leading "Label: " of a line or sentence (0 when none). Such a label names a topic or a
    metric ("Highlights:", "Snapshot:", "BAIIA ajusté :"), not who the figures are about."""
    m = _LEAD_LABEL.match(text)
    return m.end() if m else 0


def subject_from_entities(doc, amount_start: int, skip_before: int = 0) -> str | None:
    if doc.user_data.get("has_ents") is False:  # known to have none (see set_entities): doc.ents would walk every token
        return None
    names = doc.user_data.get("subject_entities")
    if names is None:  # the doc's entities that can be subjects, read once for all its figures
        text = doc.user_data.get("text") or doc.text  # the doc's text (rebuilding it from the tokens costs)
        names = doc.user_data["subject_entities"] = [
            (e.start_char, e.text) for e in doc.ents if e.label_ in SUBJECT_LABELS and _NAME_LIKE.search(e.text)
            and not _NOT_A_NAME.search(e.text)
            and not _DIGIT_AFTER.match(text[e.end_char:e.end_char + 3])]  # "ISO 14001": an identifier
    chosen = None
    for start, name in names:
        if start >= skip_before:
            if start < amount_start:
                chosen = name  # the first one before the figure
                break
            if chosen is None:
                chosen = name  # else the first one after it
    if chosen is None:
        return None
    return chosen.strip(" '\"’")


_DIGIT_AFTER = re.compile(r"\s*\d")


_TRAILING_NAME = re.compile(r"\(([A-Z][\w.&' -]{2,40}?)\)\s*:?\s*$")


def trailing_name(text: str) -> str | None:
    """'Large enterprises requiring cloud infrastructure (Alibaba Cloud)' -> 'Alibaba Cloud'."""
    m = _TRAILING_NAME.search(text)
    if not m or any(ch.isdigit() for ch in m.group(1)):
        return None
    return m.group(1).strip()


def leading_name(text: str) -> str | None:
    """'Nvidia Corporation - Cloud AI ...' -> 'Nvidia Corporation'."""
    m = _LEADING_NAME.match(text)
    return clean_label(m.group(1)) if m else None


_LEADING_NAME = re.compile(r"^([^\-–—:]{2,60}?)\s+[-–—]\s+")


_NAME_RUN = re.compile(
    r"(?:[A-ZÀ-ÖØ-Þ][\w'’.&-]*|&)(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'’.&-]*|&|de|du|des|la|of|and|et|d['’]\w+))*")


def value_name(value: str) -> str | None:
    """The name a bullet's value starts with: "Ateliers Cattin, contrat-cadre de ...", "Summit & Co. carries
    ..." -> that name; None when the value starts with a figure, a currency code or a lower-case word."""
    m = _NAME_RUN.match(value)
    if not m:
        return None
    name = m.group(0).rstrip(" .,") if not m.group(0).endswith("Co.") else m.group(0)
    rest = value[m.end():]
    if re.match(r"\s*[\d$€£¥]", rest) or any(ch.isdigit() for ch in name) or not _NAME_LIKE.search(name):
        return None
    if name.isupper() and len(name) <= 4:  # "SEK", "CHF": a currency code before a figure
        return None
    return name


def needs_ner(unit: Unit) -> bool:
    if unit.kind == "bullet" and unit.label and unit.row_text:
        # "- Ports: a 25-year concession at Gdynia": a name inside a lower-case value
        value = unit.row_text[len(unit.label):].lstrip(" :")
        return value[:1].islower()
    return unit.kind in ("sentence", "heading") or (unit.kind == "bullet" and not unit.label)


_NER_MEMO: "OrderedDict[tuple[str, str], tuple]" = OrderedDict()
_NER_MEMO_SIZE = 20_000


def ner_head(text: str, first: int) -> str:
    """What the model reads of a unit: its text before its first figure (which starts at ``first``), at most
    NER_MAX_CHARS (cut at a space). A subject is named before its figure."""
    head = text[:first]
    if len(head) > NER_MAX_CHARS:
        cut = head.rfind(" ", 0, NER_MAX_CHARS)
        head = head[: cut if cut > 0 else NER_MAX_CHARS]
    return head.rstrip()


def read_entities(nlp, heads: list[str]) -> int:
    """Named entities for subjects: the model reads the heads (``ner_head``) it has not read yet. Heads repeat
    across editions and sibling reports (figures change, the words before them rarely do), so results are
    memoised by head text (``head_entities``). Returns the characters the model read."""
    lang = nlp.lang
    todo = sorted({h for h in heads if (lang, h) not in _NER_MEMO})
    read = 0
    for head, p in zip(todo, nlp.get_pipe("ner").pipe((nlp.make_doc(h) for h in todo), batch_size=128)):
        read += len(head)
        _NER_MEMO[(lang, head)] = tuple((e.start_char, e.end_char, e.label_) for e in p.ents)
    for head in heads:  # the least recently used go first, never the heads asked for now (head_entities reads them)
        _NER_MEMO.move_to_end((lang, head))
    while len(_NER_MEMO) > _NER_MEMO_SIZE:
        _NER_MEMO.popitem(last=False)
    return read


def head_entities(lang: str, head: str) -> tuple:
    """The entities ``read_entities`` found in a head: (start, end, label) triples, () for none."""
    return _NER_MEMO.get((lang, head)) or ()


def set_entities(d, found: tuple) -> None:
    """Copy a head's entities onto the full doc of its unit (a new doc has none: nothing to set when the head
    has none)."""
    if found:
        ents = [d.char_span(a, b, label=label) for a, b, label in found]
        d.ents = [e for e in ents if e is not None]
        d.user_data["has_ents"] = bool(d.ents)


@lru_cache(maxsize=None)
def _phrase_words(lang: str) -> dict[str, frozenset[str]]:
    """[subjects] word lists of a language (folded): determiners, phrase_breakers, not_subjects, generic_words."""
    data = lexicon.load(lang, "context").get("subjects", {})
    return {k: frozenset(lexicon.fold(w) for w in data.get(k, []))
            for k in ("determiners", "phrase_breakers", "not_subjects", "generic_words", "complement_words")}


@lru_cache(maxsize=None)
def _number_words() -> frozenset[str]:
    return frozenset(lexicon.fold(w) for lg in lexicon.LANGS
                     for w in lexicon.load(lg, "context").get("prefilter", {}).get("number_words", []))


_WORD = re.compile(r"[^\W_][\w'’./&-]*|[^\w\s]")
_ELIDED = re.compile(r"[ldLD]['’]$")  # "l'", "d'" alone
_ELIDED_WORD = re.compile(r"[ldLD]['’]\w")  # "L'usine", "d'Oslo"
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_LEAD_PHRASE_MAX_WORDS = 7


@lru_cache(maxsize=16_384)  # pure; a sentence asks once per figure
def lead_phrase(text: str, lang: str, _depth: int = 0) -> str | None:
    """The noun phrase a sentence (or the value after a lead label) opens with, when it names a thing:
    "Le centre de relation client de Mâcon traite 2,3 millions d'appels" -> "centre de relation client de
    Mâcon"; "Overseas sales reached 58% of revenue" -> "Overseas sales". The phrase stops at a figure, a
    punctuation mark or a verb/preposition of [subjects] phrase_breakers. None when it is a pronoun, the
    company ("The Group"), or only a metric with generic qualifiers ("Consolidated revenue"). A measure or a
    metric followed by its complement names the complement: "Le coût moyen de la fibre a été de ..." ->
    "fibre", "Les ventes aux États-Unis sont ..." -> "États-Unis" ([subjects] complement_words)."""
    words = _phrase_words(lang)
    toks: list[str] = []
    skipped_det = False
    rest = ""
    for m in _WORD.finditer(text):
        tok = m.group(0)
        low = lexicon.fold(tok)
        if not toks and (low in words["determiners"] or _ELIDED.match(tok)):
            skipped_det = True
            continue
        if _ELIDED_WORD.match(tok) and not toks:  # "L'usine", "d'Oslo"
            tok = tok[2:]
            low = lexicon.fold(tok)
        if tok.isdigit() and (skipped_det and not toks or [lexicon.fold(t) for t in toks] == ["top"]):
            toks.append(tok)  # "Les 20 plus grands clients", "Our top 100 customers"
            continue
        if (not _LETTER.search(tok) or low in words["phrase_breakers"]
                or (_depth and _DIGIT.search(tok))):  # "revenue for FY2024": a period, not a complement
            comp = _complement_regex(lang).match(lexicon.fold(text[m.start():m.start() + 12]))
            if comp:  # "ventes aux États-Unis", "price of the Alpine range"
                rest = text[m.start() + comp.end():]
            break
        if toks and lang == "en" and len(low) > 4 and low.endswith("ed"):
            break  # "The freight division moved ...": a past tense ends the subject
        if not toks and (low in words["not_subjects"] or any(p in _number_words() for p in low.split("-"))):
            return None  # "We ...", "Five-eighths of new orders ..."
        toks.append(tok)
        if len(toks) >= _LEAD_PHRASE_MAX_WORDS:
            break
    while toks and (lexicon.fold(toks[-1]) in words["determiners"] or lexicon.fold(toks[-1]) in _CONNECTORS):
        toks.pop()
    if not toks:
        return None
    phrase = " ".join(toks).rstrip(" .,")
    if names_a_thing(phrase, lang):
        return phrase
    if _depth or not _names_a_metric(phrase, lang):
        return None
    # "coût moyen de la fibre": the complement of the measure, introduced with its article
    hits = list(_complement_regex(lang).finditer(lexicon.fold(phrase)))
    if hits:
        return lead_phrase(phrase[hits[-1].end():], lang, 1)
    return lead_phrase(rest, lang, 1) if rest else None


@lru_cache(maxsize=None)
def _complement_regex(lang: str) -> re.Pattern:
    return re.compile(r"(?<![\w'])(?:" + literal_alternation(_phrase_words(lang)["complement_words"]) + r")(?![\w'])")


def _names_a_metric(label: str, lang: str) -> bool:
    return names_a_measure(label) or _measure_metric(lexicon.fold(label), lang)


@lru_cache(maxsize=None)
def _thing_metrics() -> frozenset[str]:
    return frozenset(m for lg in lexicon.LANGS
                     for m in lexicon.load(lg, "context").get("subjects", {}).get("thing_metrics", []))


def _measure_metric(folded: str, lang: str) -> bool:
    """A metric phrase of the vocabulary that measures (revenue, margin), not one that counts things a
    subject can be ("customers", "orders": [subjects] thing_metrics)."""
    from .metrics import _metric_of, _metric_regex
    table = _metric_of(lang)
    return any(table[m.group(1)] not in _thing_metrics() for m in _metric_regex(lang).finditer(folded))


_CONNECTORS = frozenset({"de", "du", "des", "d'", "d’", "of", "and", "et", "&", "a", "an", "the", "le", "la", "les"})


@lru_cache(maxsize=16_384)  # pure; labels and phrases repeat
def names_a_thing(label: str, lang: str, metric_ok: bool = False) -> bool:
    """A label that still names something once its metric phrases ("revenue", "ventes") and generic words
    ("consolidated", "total", "group", [subjects] generic_words) are taken out: "Ventes d'électricité",
    "Overseas sales" do; "Chiffre d'affaires consolidé", "Adjusted EBITDA" do not. A label naming a measure
    ("Prix moyen", "Délai") never does."""
    if names_a_measure(label):
        return False
    from .metrics import _metric_regex
    folded = lexicon.fold(label)
    if metric_ok:  # a channel, segment or revenue line: "Ventes directes aux transformateurs"
        folded = _metric_regex(lang).sub(" ", folded)
    elif _measure_metric(folded, lang):
        return False  # "Overseas sales", "Annual recurring revenue": a metric, about the company
    words = _phrase_words(lang)
    generic = words["generic_words"] | words["determiners"] | words["not_subjects"] | _CONNECTORS
    return any(w not in generic for w in re.findall(r"[^\W\d_][\w-]{2,}", folded))
