"""Shared helpers of the fault tests: input generators, CLI subprocesses, warehouse integrity checks."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "raw" / "alibaba-canvas-2025.txt"  # the shared sample, kept in raw/
FIXTURES = ROOT / "tests" / "fixtures" / "reports"
BIN = Path(sys.executable).parent / "canvas-etl"

# the sample's French part (lines 1-281); the rest is English
FRENCH_LINES = 281


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def french_excerpt() -> str:
    return "\n".join(sample_text().split("\n")[:FRENCH_LINES]) + "\n"


def base_reports(sample: bool = True) -> list[tuple[str, str]]:
    """(name, text) of the sample (43 kB) and the hand-written fixture reports (2-13 kB)."""
    out = [("alibaba", sample_text())] if sample else []
    for p in sorted(FIXTURES.glob("*.txt")):
        out.append((p.stem, p.read_text(encoding="utf-8")))
    return out


_DECIMAL = re.compile(r"(?<![\d,.])(\d{1,3})([,.])(\d)(?!\d)")


def change_figures(text: str, k: int) -> str:
    """Same report, other figures: the first decimal digit of every 'n,d'/'n.d' number moves by k (years stay)."""
    return _DECIMAL.sub(lambda m: f"{m.group(1)}{m.group(2)}{(int(m.group(3)) + k) % 10}", text)


def write_variants(folder: Path, n: int, *, sample: bool = True) -> list[Path]:
    """n distinct reports (sample + fixtures, figures changed) written as UTF-8 files in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = base_reports(sample)
    paths = []
    for i in range(n):
        name, text = bases[i % len(bases)]
        k = i // len(bases)
        body = change_figures(text, k) if k else text
        # a distinct tail line (no figures) keeps every file's bytes distinct
        body = body.rstrip("\n") + "\n" + "Variante " + "abcdefghijklmnopqrstuvwxyz"[i % 26] * (i // 26 + 1) + "\n"
        p = folder / f"{i:03d}-{name}.txt"
        p.write_text(body, encoding="utf-8")
        paths.append(p)
    return paths


# ---- warehouse contents -----------------------------------------------------------------------------------
FACT_KEY = "fact_id, value, unit, line_number, char_start, char_end, source_text"


def connect_ro(db: Path):
    return duckdb.connect(str(db), read_only=True)


def facts_by_sha(db: Path, connect=connect_ro) -> dict[str, set[tuple]]:
    """sha256 of the document -> set of its fact tuples (``connect``: how to open ``db`` read-only)."""
    con = connect(db)
    try:
        rows = con.execute(
            f"SELECT d.sha256, {', '.join('f.' + c.strip() for c in FACT_KEY.split(','))} "
            "FROM facts f JOIN documents d USING (document_id)"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, set[tuple]] = {}
    for sha, *rest in rows:
        out.setdefault(sha, set()).add(tuple(rest))
    return out


def document_counts(db: Path) -> dict[str, tuple[int, int]]:
    """sha256 -> (facts, sections) for every documents row (0 when a document has none)."""
    con = connect_ro(db)
    try:
        rows = con.execute(
            """SELECT d.sha256,
                      (SELECT count(*) FROM facts f WHERE f.document_id = d.document_id),
                      (SELECT count(*) FROM sections s WHERE s.document_id = d.document_id)
               FROM documents d"""
        ).fetchall()
    finally:
        con.close()
    return {sha: (nf, ns) for sha, nf, ns in rows}


def orphan_rows(db: Path) -> int:
    """Facts, sections or sources whose document is not in documents (a torn load would leave some)."""
    con = connect_ro(db)
    try:
        return sum(
            con.execute(f"SELECT count(*) FROM {t} WHERE document_id NOT IN (SELECT document_id FROM documents)").fetchone()[0]
            for t in ("facts", "sections", "document_sources")
        )
    finally:
        con.close()


# ---- the command line ----------------------------------------------------------------------------------
def cli_env(api_url: str | None = None, **extra: str) -> dict:
    env = dict(os.environ)
    if api_url:
        env["PREFECT_API_URL"] = api_url  # reuse the test server: no temporary server start per command
    else:
        env.pop("PREFECT_API_URL", None)
    env.update(extra)
    return env


def start_ingest(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """`canvas-etl ingest ARGS` in the background; stdout+stderr go to ``log``."""
    fh = open(log, "wb")
    try:
        return subprocess.Popen([str(BIN), "ingest", *args], stdout=fh, stderr=subprocess.STDOUT, env=env)
    finally:
        fh.close()


def run_ingest_cli(args: list[str], env: dict, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), "ingest", *args], capture_output=True, text=True, env=env, timeout=timeout)


def wait_for(predicate, timeout: float, interval: float = 0.01, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def sidecar(db: Path) -> dict | None:
    try:
        return json.loads(Path(str(db) + ".lock.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def file_size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return -1


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
