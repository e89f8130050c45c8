"""extractors.warm.warm_up loads what a process's first extraction would (the ingest command calls it while
Prefect's server boots, when the new files will be extracted in its own process)."""
from __future__ import annotations

from extractors import nlp
from extractors.warm import warm_up
from normalizers import currencies, fx, units


def test_warm_up_leaves_nothing_for_the_first_document_to_load():
    warm_up(use_model=False)
    before = nlp._load.cache_info().misses
    for lang in nlp.MODELS:
        assert "canvas_amounts" in nlp.get_nlp(lang, use_model=False).pipe_names
    assert nlp._load.cache_info().misses == before  # every language's pipeline was loaded by warm_up
    for loader in (currencies.tables, units.registry, fx._converter):
        assert loader.cache_info().currsize == 1, loader
