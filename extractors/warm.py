"""Load now what a process's first extraction would load lazily: for a caller with idle time before its first
document (the ingest command while Prefect's temporary server boots)."""
from __future__ import annotations

from datetime import date


def warm_up(*, use_model: bool = True) -> None:
    """The spaCy pipeline of every language (with its model unless ``use_model`` is False), the amount and period
    rules of every language, and the tables the rules read on first use: currencies, units, the bundled ECB
    exchange rates. Thread-safe: a pipeline is
    loaded once per process (``extractors.nlp.get_nlp``), whichever thread asks first."""
    from normalizers import currencies, fx, units
    from normalizers.amounts import find_amounts
    from normalizers.periods import find_periods

    from .nlp import MODELS, get_nlp

    for lang in MODELS:
        get_nlp(lang, use_model=use_model)
        find_amounts("1.5 2024", lang)  # compiles the language's amount and period rules
        find_periods("2024", lang)
    currencies.tables()
    units.registry()
    fx.ecb_last_date()  # reads the bundled ECB file
    fx.ecb_rate("USD", "EUR", date(2020, 1, 2))
