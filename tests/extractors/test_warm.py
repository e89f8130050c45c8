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
    for loader in (currencies.tables, fx._converter):
        assert loader.cache_info().currsize == 1, loader
    lexicon_units = {name for lang in nlp.MODELS for name in units.lexicon(lang).values()}
    resolved = units.resolve.cache_info().currsize
    for name in lexicon_units:  # every unit of the lexicons is resolved already (pint or the machine's table)
        units.resolve(name)
    assert units.resolve.cache_info().currsize == resolved


def test_languages_of_the_files_to_extract(tmp_path):
    from extractors.warm import languages_of

    fr = tmp_path / "fr.txt"
    fr.write_text("# Acme SA\n\n## Flux de revenus\n\nLe chiffre d'affaires de la société a atteint 3,2 millions "
                  "d'euros en 2023, contre 2,9 millions l'année précédente.\n", encoding="utf-8")
    en = tmp_path / "en.txt"
    en.write_text("# Acme Inc\n\n## Revenue streams\n\nThe company's revenue reached $3.2 million in 2023, up from "
                  "$2.9 million in the previous year.\n", encoding="utf-8")
    assert languages_of([str(fr)]) == ("fr",)
    assert languages_of([str(en)]) == ("en",)
    assert languages_of([str(fr), str(en)]) == ("en", "fr")
    assert languages_of([str(en)] * 9) is None  # many files: every language
    assert languages_of([str(tmp_path / "missing.txt")]) is None  # its extraction will say why


def test_warm_up_on_an_example_file_even_a_broken_one(tmp_path):
    from extractors.decode import document_from_bytes, read_bytes
    from extractors.extract import extract_document

    good = tmp_path / "en.txt"
    good.write_text("# Acme Inc\n\n## Revenue streams\n\nRevenue reached $3.2 million in 2023.\n", encoding="utf-8")
    broken = tmp_path / "broken.bin"
    broken.write_bytes(b"\x00\xff" * 100)
    warm_up(use_model=False, langs=("en",), example=str(broken))  # left to the real extraction to report
    warm_up(use_model=False, langs=("en",), example=str(good))
    facts = extract_document(document_from_bytes(read_bytes(str(good)), str(good)), use_model=False).facts
    assert [(f.value, f.unit) for f in facts if f.kind == "money"][:1] == [(3_200_000, "USD")]


def test_warm_up_keeps_the_rules_big_patterns_in_the_machine_cache(tmp_path):
    """The rules' big alternations are compiled once per machine (extractors.regex_cache), not in every process
    that warms up; a second process rebuilds them from the files, with the same facts."""
    import json
    import os
    import subprocess
    import sys

    report = tmp_path / "en.txt"
    report.write_text("# Acme Inc\n\n## Revenue streams\n\nRevenue reached $3.2 million in FY2023, up 4% on 2022.\n",
                      encoding="utf-8")
    script = ("import json, sys\nfrom extractors.warm import warm_up\nfrom extractors.decode import document_from_bytes,"
              " read_bytes\nfrom extractors.extract import extract_document\nwarm_up(use_model=False, langs=('en',))\n"
              "doc = document_from_bytes(read_bytes(sys.argv[1]), sys.argv[1])\n"
              "print(json.dumps([[str(f.value), f.unit, f.period_start and str(f.period_start)] for f in "
              "extract_document(doc, use_model=False).facts]))")
    env = {**os.environ, "CANVAS_ETL_CACHE_DIR": str(tmp_path / "cache")}
    runs = []
    for _ in range(2):
        res = subprocess.run([sys.executable, "-c", script, str(report)], capture_output=True, text=True, env=env,
                             timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        runs.append((json.loads(res.stdout.strip().splitlines()[-1]),
                     sorted(p.name for p in (tmp_path / "cache").glob("re-*.bin"))))
    (first, files), (second, files_again) = runs
    assert len(files) >= 10 and files_again == files
    assert first == second and ["3200000", "USD"] in [row[:2] for row in first]
