"""Load now what a process's first extraction would load lazily: for a caller with idle time before its first
document (the ingest command while Prefect's temporary server boots)."""
from __future__ import annotations

import threading
from datetime import date

from .regex_cache import disk_cached_regexes

_warming = threading.Lock()  # held by a warm-up in progress


def warm_up(*, use_model: bool = True, langs: tuple[str, ...] | None = None, example: str | None = None) -> None:
    """The spaCy pipeline of each language of ``langs`` (default: every language; with its model unless
    ``use_model`` is False), the amount and period rules of those languages, the extraction modules, and the
    tables the rules read on first use: currencies, the units of the lexicons, the bundled ECB exchange rates.
    Thread-safe: a pipeline is loaded once per process (``extractors.nlp.get_nlp``), whichever thread asks first.

    ``example``: a file about to be extracted in this process. It is extracted here and the result dropped: a
    process's first extraction pays ~0.4 s of what is built on first use (rule patterns compiled when a text
    first needs them, vocabulary entries, the NER's first call), and the rule caches keep its texts. A file that
    fails is left to the real extraction to report."""
    with _warming, disk_cached_regexes():  # the rules' big patterns, rebuilt from the machine's cache
        _warm_up(use_model=use_model, langs=langs, example=example)


def wait_for_warm_up() -> None:
    """Return once no warm-up runs in this process: an extraction that started meanwhile would do the same
    first-use work alongside it, sharing the interpreter, instead of finding it done."""
    with _warming:
        pass


def _warm_up(*, use_model: bool, langs: tuple[str, ...] | None, example: str | None) -> None:
    from normalizers import currencies, fx, units
    from normalizers.amounts import find_amounts
    from normalizers.periods import find_periods

    from . import extract, records  # noqa: F401 - imported by the first extraction otherwise
    from .nlp import MODELS, get_nlp

    langs = langs or tuple(MODELS)
    for lang in langs:
        get_nlp(lang, use_model=use_model)
        find_amounts("1.5 2024", lang)  # compiles the language's amount and period rules
        find_periods("2024", lang)
    currencies.tables()
    units.resolve_lexicon(langs)  # from the machine's table: pint only for what it does not hold yet
    fx.ecb_last_date()  # reads the bundled ECB file
    fx.ecb_rate("USD", "EUR", date(2020, 1, 2))
    if example is not None:
        from .decode import document_from_bytes, read_bytes

        try:
            extract.extract_document(document_from_bytes(read_bytes(example), example), use_model=use_model)
        except Exception:
            pass


def languages_of(paths: list[str], limit: int = 8) -> tuple[str, ...] | None:
    """The languages of the units of these files, for ``warm_up(langs=...)``: None (every language) for more than
    ``limit`` files or a file that cannot be read and segmented (its extraction will say why)."""
    from .decode import document_from_bytes, read_bytes
    from .segment import segment

    if not paths or len(paths) > limit:
        return None
    langs: set[str] = set()
    for path in paths:
        try:
            langs |= {unit.lang or "en" for unit in segment(document_from_bytes(read_bytes(path), path)).units}
        except Exception:
            return None
    return tuple(sorted(langs)) or None
