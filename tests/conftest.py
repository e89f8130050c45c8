"""Shared fixtures: real Prefect (test harness, one temporary server per session), real DuckDB files."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "raw" / "alibaba-canvas-2025.txt"  # the shared sample, kept in raw/
GOLD = ROOT / "tests" / "fixtures" / "gold" / "alibaba-canvas-2025.gold.jsonl"  # copy of the shared gold
FIXTURES = ROOT / "tests" / "fixtures" / "reports"


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory, prefect_harness) -> Path:
    """A warehouse built once from the sample (read-only use in tests)."""
    from flows.run import run_ingest

    d = tmp_path_factory.mktemp("sample_wh")
    raw = d / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw / SAMPLE.name)
    db = d / "canvas.duckdb"
    summary = run_ingest([str(raw)], db=str(db))
    assert summary["documents_loaded"] == 1
    return db
