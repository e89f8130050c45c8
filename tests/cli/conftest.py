"""Fixtures of the command-line tests: the real console script as a subprocess, on the sample warehouse."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

BIN = Path(sys.executable).parent / "canvas-etl"


def _run(*args, stdin: str | None = None, cwd=None, env: dict | None = None, timeout: float = 300):
    full_env = dict(os.environ)
    full_env.pop("PREFECT_API_URL", None)
    full_env.update({"COLUMNS": "200", "CANVAS_ETL_LOCK_TIMEOUT": "1"})
    full_env.update(env or {})
    return subprocess.run([str(BIN), *map(str, args)], input=stdin, capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=timeout)


@pytest.fixture(scope="session")
def cli():
    """cli("facts", "--db", db) -> CompletedProcess (text stdout/stderr)."""
    return _run


@pytest.fixture(scope="session")
def sample_db(sample_warehouse) -> str:
    return str(sample_warehouse)


@pytest.fixture
def db_copy(sample_warehouse, tmp_path) -> Path:
    """A private copy of the sample warehouse (for tests that write to it or lock it)."""
    dest = tmp_path / "copy.duckdb"
    shutil.copy(sample_warehouse, dest)
    return dest


@pytest.fixture(scope="session")
def line13_fact(sample_warehouse) -> dict:
    """The sample's "1,6 milliard de dollars" on line 13 (Nvidia partnership, 2023)."""
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        cur = con.execute("SELECT * FROM facts WHERE line_number = 13 AND unit = 'USD' ORDER BY char_start LIMIT 1")
        return dict(zip([d[0] for d in cur.description], cur.fetchone()))
    finally:
        con.close()
