"""Where this machine keeps what every process would otherwise build again at its start: compiled patterns
(``extractors.regex_cache``) and the units pint resolved (``normalizers.units``). Each file is named by what it
was built from, so a changed input or library gives another file; a file that cannot be read whole is ignored
and built again.

The folder: ``$CANVAS_ETL_CACHE_DIR`` (set empty: no cache), else ``$XDG_CACHE_HOME/canvas-etl``, else
``~/.cache/canvas-etl``. When it cannot be read or written, everything is built as usual.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path


def cache_dir() -> Path | None:
    """The cache folder, or None when ``CANVAS_ETL_CACHE_DIR`` is set empty (no cache)."""
    configured = os.environ.get("CANVAS_ETL_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "canvas-etl"


def path(kind: str, key: bytes, suffix: str) -> Path | None:
    """The file of the ``kind`` of thing built from ``key`` (everything it depends on), or None when there is no
    cache: ``<folder>/<kind>-<sha256 of key, 40 hex digits><suffix>``."""
    folder = cache_dir()
    if folder is None:
        return None
    return folder / f"{kind}-{hashlib.sha256(key).hexdigest()[:40]}{suffix}"


def read(path: Path) -> bytes | None:
    """The payload of a file ``write`` wrote, or None (no file, unreadable, truncated or altered)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    digest, payload = blob[:32], blob[32:]
    if len(digest) < 32 or hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def write(path: Path, payload: bytes) -> None:
    """``payload`` into ``path`` after its sha256, atomically (readers see the whole file or none); nothing when
    the folder cannot be written (the next process builds it again)."""
    prefix = f".{path.name.split('-', 1)[0]}-"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise
    except OSError:
        pass
