"""Large regular expressions compiled once per machine, not once per process.

spaCy's French language data builds one 1.4 MB case-insensitive pattern when it is imported
(``spacy/lang/fr/tokenizer_exceptions.py``: ``TOKEN_MATCH``). Compiling it costs about 2.4 s of CPU in every
process that loads the French pipeline: more than the rest of the model. The rules' own alternations (word
lists compiled as tries, 1,000 to 10,000 characters) and spaCy's tokenizer affixes cost another ~0.3 s of
compiling in every process that warms up (``extractors.warm``: 45 patterns of 1,000 characters or more, out of
~590, take two thirds of the compiling time). Python keeps no compiled pattern
between processes (a pickled pattern is compiled again), so this module keeps what the compiler produces, the
SRE code (a list of integers), in a cache file, as Python keeps byte code in ``.pyc`` files, and rebuilds the
pattern from it in milliseconds with the call the compiler ends with (``_sre.compile``).

- Only patterns of at least ``MIN_LENGTH`` characters compiled inside ``disk_cached_regexes()`` are cached.
- A cache file is named by the interpreter (its cache tag and SRE magic number), the flags and the pattern's
  sha256, and starts with the sha256 of its contents: a file of another Python, truncated or altered is
  ignored and written again.
- The folder: ``normalizers.machine_cache`` (``$CANVAS_ETL_CACHE_DIR``; set empty: no cache). When it cannot be
  read or written, patterns are compiled as usual.
"""
from __future__ import annotations

import contextlib
import marshal
import re
import sys
import threading
from pathlib import Path
from typing import Iterator

from normalizers import machine_cache

try:  # CPython's regular expression compiler (the cache stores its output)
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - another Python: patterns are compiled as usual
    _sre = None

MIN_LENGTH = 1_000  # shorter patterns compile in well under a millisecond: cheaper than a file
_FORMAT = 1  # of the cache files; part of their names
_re_compile = re.compile  # the real one, also while disk_cached_regexes stands in for it


def _cache_file(pattern: str, flags: int) -> Path | None:
    key = f"{_FORMAT}\0{sys.implementation.cache_tag}\0{_sre.MAGIC}\0{flags}\0".encode()
    return machine_cache.path("re", key + pattern.encode("utf-8", "surrogatepass"), ".bin")


def _compile(pattern: str, flags: int) -> tuple[re.Pattern, tuple]:
    """What ``re._compiler.compile`` does, keeping the arguments of its final ``_sre.compile`` call."""
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    args = (flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup))
    return _sre.compile(pattern, *args), args


def _read(path: Path) -> tuple | None:
    payload = machine_cache.read(path)
    if payload is None:
        return None
    try:
        args = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return args if isinstance(args, tuple) and len(args) == 5 else None


def compile_cached(pattern: str, flags: int = 0) -> re.Pattern:
    """``re.compile(pattern, flags)``, rebuilt from the cache file when there is one (written otherwise)."""
    flags = int(flags)
    path = None if _sre is None or flags & re.DEBUG or not isinstance(pattern, str) else _cache_file(pattern, flags)
    if path is None:
        return _re_compile(pattern, flags)
    args = _read(path)
    if args is not None:
        try:
            return _sre.compile(pattern, *args)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            pass  # not code of this interpreter after all: compiled and written again
    compiled, args = _compile(pattern, flags)
    machine_cache.write(path, marshal.dumps(args))
    return compiled


_patch_lock = threading.RLock()


@contextlib.contextmanager
def disk_cached_regexes(min_length: int = MIN_LENGTH) -> Iterator[None]:
    """Inside, ``re.compile`` of a pattern of at least ``min_length`` characters goes through
    ``compile_cached``: for the module-level patterns of what is imported inside (spaCy's language data).
    Every other call, from any thread, is ``re.compile`` itself."""
    if _sre is None:
        yield
        return
    with _patch_lock:
        before = re.compile

        def compile(pattern, flags=0):  # noqa: A001 - stands in for re.compile
            if isinstance(pattern, str) and len(pattern) >= min_length:
                return compile_cached(pattern, flags)
            return _re_compile(pattern, flags)

        re.compile = compile
        try:
            yield
        finally:
            re.compile = before
