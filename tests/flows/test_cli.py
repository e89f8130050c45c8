"""The command-line contract, run as subprocesses (real console script, real Prefect ephemeral mode)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

BIN = Path(sys.executable).parent / "canvas-etl"


def run(*args, stdin: str | None = None, cwd=None, timeout=300):
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    return subprocess.run([str(BIN), *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout)


def test_amounts_contract():
    lines = "Partnership d'une valeur de 1,6 milliard de dollars en 2023\nno figures here\n"
    t0 = time.perf_counter()
    res = run("amounts", "--lang", "fr", stdin=lines)
    elapsed = time.perf_counter() - t0
    assert res.returncode == 0, res.stderr
    out = [json.loads(l) for l in res.stdout.splitlines()]
    assert len(out) == 2 and out[1] == []
    first = out[0][0]
    assert first["value"] == 1600000000 and first["unit"] == "USD" and first["kind"] == "money"
    assert first["text"] == "1,6 milliard de dollars"
    text = lines.splitlines()[0]
    assert text[first["start"]:first["end"]] == first["text"]
    assert elapsed < 10  # loose sanity bound; the speed target is measured in bench/


def _amounts_through_main(before: str, after: str) -> subprocess.CompletedProcess:
    """`canvas-etl amounts` on "12 %" through flows.cli.main in a fresh interpreter, ``before`` and ``after`` it."""
    code = (
        "import gc, sys, io; sys.stdin = io.StringIO('12 %\\n'); sys.argv=['canvas-etl','amounts','--lang','en']\n"
        "from flows.cli import main\n" + before + "try:\n    main()\nexcept SystemExit:\n    pass\n" + after
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_amounts_does_not_load_models():
    res = _amounts_through_main("", "assert 'spacy' not in sys.modules and 'prefect' not in sys.modules, "
                                    "sorted(m for m in sys.modules if m in ('spacy','prefect'))\n")
    assert res.returncode == 0, res.stderr


def test_a_command_leaves_its_objects_out_of_the_collections_at_exit():
    """flows.cli.main freezes the process's objects once the command is done: the interpreter's last collections
    at exit then skip them (~0.4 s after a 300-report load; measured with the command itself)."""
    res = _amounts_through_main("assert gc.get_freeze_count() == 0\n", "assert gc.get_freeze_count() > 0\n")
    assert res.returncode == 0, res.stderr


def test_usage_error_exits_2():
    assert run("amounts", "--lang", "de", stdin="").returncode == 2
    assert run("no-such-command").returncode == 2
    # a Dask scheduler goes with --runner auto (the default) or dask, not with threads or processes
    assert run("ingest", "--runner", "threads", "--dask-address", "tcp://127.0.0.1:1").returncode == 2


def test_ingest_exit_codes_and_db_option(tmp_path, sample_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / sample_path.name)
    db = tmp_path / "sub" / "x.duckdb"
    res = run("ingest", str(raw), "--db", str(db))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 loaded" in res.stdout and "facts:" in res.stdout
    (raw / "broken.txt").write_bytes(b"\x00\x01\x02" * 50)
    res = run("ingest", str(raw), "--db", str(db))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "1 unchanged" in res.stdout and "broken.txt" in res.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM rejected_inputs").fetchone()[0] == 1
