"""The one loader of per-language data files: ``<data dir>/<lang>/<name>.toml`` (the normalizers' own in
``normalizers/data/``, the extractors' in ``extractors/data/``), each read once."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

__all__ = ["DATA_DIR", "languages", "load"]

DATA_DIR = Path(__file__).resolve().parent / "data"  # the normalizers' data


@lru_cache(maxsize=None)
def load(data_dir: Path, lang: str, name: str) -> dict:
    """The parsed ``data_dir/lang/name.toml``; {} when there is no such file. Shared: do not modify."""
    path = Path(data_dir) / lang / f"{name}.toml"
    if not path.exists():
        return {}
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def languages(data_dir: Path, name: str) -> list[str]:
    """The languages that have a ``name.toml`` in ``data_dir``, sorted."""
    return sorted(p.parent.name for p in Path(data_dir).glob(f"*/{name}.toml"))
