"""extractors.regex_cache: a big pattern compiled once, rebuilt from its cache file after, the same pattern."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from extractors import regex_cache
from extractors.regex_cache import compile_cached, disk_cached_regexes

# built like spaCy's French TOKEN_MATCH: many alternatives, each with big case-insensitive Unicode classes
ALPHA = "a-zA-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
PATTERN = "(?iu)" + "|".join(f"(?:^{w}[-\u2010][{ALPHA}]+$)" for w in ("anti", "archi", "auto", "contre", "néo", "sous"))
PATTERN += "|(?P<elided>^[ldjmnstc]['\u2019][" + ALPHA + "]+$)"
WORDS = ["anti-inflammatoire", "Archi-faux", "sous‐marin", "NÉO-libéral", "l'entreprise", "C\u2019est", "porte-à-faux",
         "anti", "l'", "auto-école!", "2024", ""]


def _same(a: re.Pattern, b: re.Pattern) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    for word in WORDS:
        ma, mb = a.match(word), b.match(word)
        assert (ma and (ma.span(), ma.groupdict())) == (mb and (mb.span(), mb.groupdict())), word


def test_compiled_then_rebuilt_from_the_cache_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CANVAS_ETL_CACHE_DIR", str(tmp_path))
    expected = re.compile(PATTERN)
    first = compile_cached(PATTERN)
    files = list(tmp_path.glob("re-*.bin"))
    assert len(files) == 1
    _same(first, expected)

    def no_compiling(*args):
        raise AssertionError("compiled again instead of read from the cache")

    monkeypatch.setattr(regex_cache, "_compile", no_compiling)
    again = compile_cached(PATTERN)
    _same(again, expected)


def test_other_flags_other_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CANVAS_ETL_CACHE_DIR", str(tmp_path))
    compile_cached(PATTERN)
    multiline = compile_cached(PATTERN, re.MULTILINE)
    assert multiline.flags & re.MULTILINE
    assert len(list(tmp_path.glob("re-*.bin"))) == 2
    _same(compile_cached(PATTERN, re.MULTILINE), re.compile(PATTERN, re.MULTILINE))


def test_an_altered_or_truncated_file_is_ignored_and_written_again(tmp_path, monkeypatch):
    monkeypatch.setenv("CANVAS_ETL_CACHE_DIR", str(tmp_path))
    compile_cached(PATTERN)
    (path,) = tmp_path.glob("re-*.bin")
    good = path.read_bytes()
    for bad in (good[:-10], good[:40] + bytes([good[40] ^ 0xFF]) + good[41:], b"", b"x" * 10):
        path.write_bytes(bad)
        _same(compile_cached(PATTERN), re.compile(PATTERN))
        assert path.read_bytes() == good  # written again, whole


def test_no_cache_folder_or_an_unwritable_one_compiles_as_usual(tmp_path, monkeypatch):
    monkeypatch.setenv("CANVAS_ETL_CACHE_DIR", "")
    _same(compile_cached(PATTERN), re.compile(PATTERN))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CANVAS_ETL_CACHE_DIR", str(blocker / "cache"))
    _same(compile_cached(PATTERN), re.compile(PATTERN))


def test_inside_the_context_only_big_patterns_go_through_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CANVAS_ETL_CACHE_DIR", str(tmp_path))
    original = re.compile
    with disk_cached_regexes(min_length=len(PATTERN)):
        assert re.compile is not original
        _same(re.compile(PATTERN), original(PATTERN))
        assert re.compile("small") is original("small")  # re's own cache: the real re.compile
        with pytest.raises(re.error):
            re.compile("(unclosed")
    assert re.compile is original
    assert len(list(tmp_path.glob("re-*.bin"))) == 1


TOKENS = textwrap.dedent("""
    import json, sys, time
    import spacy
    if sys.argv[1] == "plain":  # spaCy as it comes, no cache
        nlp = spacy.blank("fr")
    else:
        from extractors.nlp import get_nlp
        nlp = get_nlp("fr", use_model=False)
    text = ("L'entreprise a réalisé un chiffre d'affaires de 3,2 M€ aux États-Unis ; c'est-à-dire "
            "anti-inflammatoire, porte-à-faux, saut-de-ski, Aujourd'hui, New-York, prud'homme, J.-C. et 45 %.")
    print(json.dumps([t.text for t in nlp(text)]))
""")


def test_spacy_french_tokenizer_is_the_same_cold_warm_and_without_cache(tmp_path):
    env = {**os.environ, "CANVAS_ETL_CACHE_DIR": str(tmp_path), "PYTHONPATH": os.getcwd()}

    def tokens(mode: str) -> list[str]:
        res = subprocess.run([sys.executable, "-c", TOKENS, mode], capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        return json.loads(res.stdout.strip().splitlines()[-1])

    plain = tokens("plain")
    assert not list(tmp_path.glob("re-*.bin"))
    cold = tokens("cached")
    cached = sorted(f.stat().st_size for f in tmp_path.glob("re-*.bin"))
    # spaCy's French TOKEN_MATCH (1.4 MB of pattern) and its tokenizer's prefix, suffix and infix patterns
    assert len(cached) == 4 and cached[-1] > 1_000_000
    warm = tokens("cached")
    assert plain == cold == warm
    assert "États-Unis" in plain and "porte-à-faux" in plain  # its TOKEN_MATCH at work
