"""The house's layer rules, read from every module's imports (ast), including imports inside functions.

raw bytes -> extractors/ (+ normalizers/) -> flows/ (orchestration, command line) -> warehouse/ (storage)

- normalizers/ is the innermost layer: it imports no other layer of ours;
- extractors/ may use normalizers/; both are pure Python: no flows/, warehouse/, prefect, duckdb or pyarrow;
- warehouse/ knows no language: it imports neither extractors/ nor normalizers/ (nor flows/, spaCy or Prefect);
- flows/ may import everything (it is the only place where the layers meet).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = {"flows", "warehouse", "prefect", "prefect_dask", "dask", "distributed", "duckdb", "pyarrow"}
FORBIDDEN = {
    "normalizers": PURE | {"extractors"},
    "extractors": PURE,
    "warehouse": {"extractors", "normalizers", "flows", "spacy", "prefect", "prefect_dask", "dask", "distributed"},
}


def imported_packages(source: str, package: str) -> set[tuple[str, int]]:
    """Top-level names a module imports, with their line numbers (relative imports stay in ``package``)."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {(alias.name.split(".")[0], node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            out.add((package if node.level else (node.module or "").split(".")[0], node.lineno))
    return out


def wrong_way(source: str, package: str) -> list[str]:
    return [f"line {line}: {package} imports {name}" for name, line in sorted(imported_packages(source, package))
            if name in FORBIDDEN.get(package, ())]


def _modules():
    for package in sorted(FORBIDDEN):
        for path in sorted((ROOT / package).rglob("*.py")):
            yield package, path


@pytest.mark.parametrize("package,path", list(_modules()), ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else v)
def test_no_import_runs_the_wrong_way(package, path):
    assert wrong_way(path.read_text(encoding="utf-8"), package) == []


def test_every_layer_has_modules():
    counts = {p: sum(1 for q, _ in _modules() if q == p) for p in FORBIDDEN}
    assert all(n >= 3 for n in counts.values()), counts


@pytest.mark.parametrize("package,source", [
    ("warehouse", "from extractors.fact import Fact\n"),
    ("warehouse", "def f():\n    import normalizers.amounts\n"),
    ("extractors", "import duckdb\n"),
    ("extractors", "from warehouse import store\n"),
    ("normalizers", "from extractors import lexicon\n"),
    ("normalizers", "import pyarrow as pa\n"),
])
def test_a_wrong_way_import_is_caught(package, source):
    assert wrong_way(source, package)


def test_right_way_imports_pass():
    assert wrong_way("from normalizers.amounts import find_amounts\nfrom . import lexicon\n", "extractors") == []
    assert wrong_way("import duckdb\nimport pyarrow as pa\nfrom .store import Warehouse\n", "warehouse") == []
