"""Many loaders, readers during loads, runs as snapshots (issue 16; docs/scaling.md, docs/operations.md).

Real things only: `canvas-etl ingest` subprocesses, a real PostgreSQL (tests/pg.py) as the DuckLake catalog,
real SQLite catalogs, real DuckDB files. Rules-only extraction (`--no-models`) everywhere: what is tested is
the loading; every comparison is with a clean single run made with the same setting.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from pg import postgres_server  # noqa: F401  (session fixture)

from faults_helpers import BIN, cli_env, facts_by_sha, run_ingest_cli, sidecar, start_ingest, wait_for, write_variants
from warehouse import lake

pytestmark = pytest.mark.slow
ARGS = ["--no-models"]
N = 12  # documents (three folders of N // 3)


# ---- helpers ----------------------------------------------------------------------------------------------
def lake_con(db: str, data_path: str | None = None):
    return lake.connect(lake.parse_target(db, data_path, require_data_path=False), read_only=True)


def lake_facts_by_sha(db: str) -> dict[str, set[tuple]]:
    """As faults_helpers.facts_by_sha, on a lake."""
    return facts_by_sha(db, connect=lake_con)


def lake_counts(db: str) -> dict:
    con = lake_con(db)
    try:
        docs, shas = con.execute("SELECT count(*), count(DISTINCT sha256) FROM documents").fetchone()
        facts, ids = con.execute("SELECT count(*), count(DISTINCT fact_id) FROM facts").fetchone()
        sections, keys = con.execute(
            "SELECT count(*), count(DISTINCT (document_id, section_index)) FROM sections").fetchone()
        orphans = sum(con.execute(
            f"SELECT count(*) FROM {t} WHERE document_id NOT IN (SELECT document_id FROM documents)").fetchone()[0]
            for t in ("facts", "sections", "document_sources"))
        per_doc = dict(con.execute(
            """SELECT d.sha256, (SELECT count(*) FROM facts f WHERE f.document_id = d.document_id)::INTEGER * 100000
                      + (SELECT count(*) FROM sections s WHERE s.document_id = d.document_id)::INTEGER
               FROM documents d""").fetchall())
    finally:
        con.close()
    return {"docs": docs, "shas": shas, "facts": facts, "fact_ids": ids, "sections": sections,
            "section_keys": keys, "orphans": orphans, "per_doc": per_doc}


def file_per_doc(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute(
            """SELECT d.sha256, (SELECT count(*) FROM facts f WHERE f.document_id = d.document_id)::INTEGER * 100000
                      + (SELECT count(*) FROM sections s WHERE s.document_id = d.document_id)::INTEGER
               FROM documents d""").fetchall())
    finally:
        con.close()


def read_cli(*args: str, env: dict) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    res = subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=120)
    return res, time.monotonic() - t0


def split(folder: Path, names: dict[str, range], paths: list[Path]) -> dict[str, Path]:
    out = {}
    for name, idx in names.items():
        d = folder / name
        d.mkdir(parents=True)
        for i in idx:
            os.link(paths[i], d / paths[i].name)
        out[name] = d
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, prefect_harness):
    """12 small distinct reports in three folders, and the facts of a clean single run over all of them."""
    from flows.run import run_ingest

    root = tmp_path_factory.mktemp("lake_corpus")
    paths = write_variants(root / "all", N, sample=False)
    folders = split(root, {"a": range(0, N // 3), "b": range(N // 3, 2 * N // 3), "c": range(2 * N // 3, N)}, paths)
    clean_db = root / "clean.duckdb"
    summary = run_ingest([str(root / "all")], db=str(clean_db), use_model=False)
    assert summary["documents_loaded"] == N and not summary["documents_rejected"]
    return {"folders": folders, "facts": facts_by_sha(clean_db), "per_doc": file_per_doc(clean_db),
            "facts_loaded": summary["facts_loaded"]}


# ---- DuckLake, Postgres catalog: several loaders at once, reads during loads, --as-of ----------------------
def test_concurrent_loaders_into_a_postgres_lake(corpus, postgres_server, prefect_api_url, tmp_path):
    from flows.run import run_ingest

    db = "ducklake:postgres:" + postgres_server.conninfo("lake_concurrent")
    data = str(tmp_path / "data")
    env = cli_env(prefect_api_url)
    a, b, c = (str(corpus["folders"][k]) for k in "abc")

    # an earlier run (folder a), in process: what --as-of answers with later
    first = run_ingest([a], db=db, data_path=data, use_model=False)
    assert first["documents_loaded"] == N // 3
    counts_first = lake_counts(db)

    # three loaders at once: b and c are different folders, c is also loaded twice
    procs = [start_ingest([folder, "--db", db, "--data-path", data, *ARGS], env, tmp_path / f"{i}.log")
             for i, folder in enumerate((b, c, c))]
    try:
        # a read command while they load: answered from the lake (nothing is locked), never refused
        wait_for(lambda: lake_counts(db)["docs"] > N // 3 or all(p.poll() is not None for p in procs), 180,
                 interval=0.2, what="the loaders to commit a document")
        during, seconds = read_cli("sql", "SELECT count(*) AS n FROM facts", "--db", db, "--format", "csv", env=env)
        assert during.returncode == 0, during.stderr
        assert int(during.stdout.split()[-1]) >= counts_first["facts"]
        print(f"\nread during three loads: {seconds:.2f} s (exit {during.returncode})")
        codes = [p.wait(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    logs = [(tmp_path / f"{i}.log").read_text(errors="replace") for i in range(3)]
    assert codes == [0, 0, 0], logs

    # the union of the folders, each document once, whole, with the facts of the clean run
    got = lake_counts(db)
    assert got["docs"] == got["shas"] == N
    assert got["facts"] == got["fact_ids"] == corpus["facts_loaded"]
    assert got["sections"] == got["section_keys"] and got["orphans"] == 0
    assert got["per_doc"] == corpus["per_doc"]
    assert lake_facts_by_sha(db) == corpus["facts"]
    # the two runs of folder c: one loaded each document, or they shared them; never both
    loaded_c = [int(l.split(" loaded")[0].rsplit(" ", 1)[-1]) for l in logs[1:]
                for l in l.splitlines() if l.startswith("documents: ")]
    assert sum(loaded_c) == N // 3, logs[1:]

    # --as-of the first run: its counts, from every read command; the live lake has everything
    now, _ = read_cli("sql", "SELECT count(*) FROM facts", "--db", db, "-f", "csv", env=env)
    old, _ = read_cli("sql", "SELECT count(*) FROM facts", "--db", db, "-f", "csv", "--as-of", first["run_id"], env=env)
    assert now.returncode == old.returncode == 0, now.stderr + old.stderr
    assert int(now.stdout.split()[-1]) == corpus["facts_loaded"]
    assert int(old.stdout.split()[-1]) == counts_first["facts"] == first["facts_loaded"]
    assert f"as of {first['run_id']}" in old.stderr
    facts_old, _ = read_cli("facts", "--db", db, "-f", "json", "--as-of", first["run_id"], env=env)
    assert facts_old.returncode == 0 and facts_old.stdout.count('"fact_id"') == first["facts_loaded"]
    bad, _ = read_cli("facts", "--db", db, "--as-of", "no-such-run", env=env)
    assert bad.returncode == 2 and "no run with that id" in bad.stderr


# ---- DuckLake, SQLite catalog: kill -9 of a loader mid-run, then a rerun ----------------------------------
def test_kill9_mid_load_into_a_lake_then_rerun(corpus, prefect_api_url, tmp_path):
    db = f"ducklake:sqlite:{tmp_path / 'cat.sqlite'}"
    data = str(tmp_path / "data")
    env = cli_env(prefect_api_url)
    env["CANVAS_ETL_LOAD_GROUP_DOCS"] = "2"  # commits of 2 documents: several commits in this small corpus
    folder = corpus["folders"]["a"].parent / "all"
    args = [str(folder), "--db", db, "--data-path", data, "--workers", "2", *ARGS]  # threads: one process

    proc = start_ingest(args, env, tmp_path / "kill.log")
    wait_for(lambda: (Path(tmp_path / "cat.sqlite").exists() and _docs(db) > 0) or proc.poll() is not None, 180,
             interval=0.05, what="the first document to commit")
    assert proc.poll() is None, (tmp_path / "kill.log").read_text(errors="replace")
    time.sleep(random.Random(20250102).uniform(0.05, 0.4))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    got = lake_counts(db)
    assert 0 < got["docs"] < N, got["docs"]
    assert got["orphans"] == 0 and got["docs"] == got["shas"]
    for sha, n in got["per_doc"].items():  # every document whole
        assert n == corpus["per_doc"][sha], sha

    res = run_ingest_cli(args, env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"{N - got['docs']} loaded, {got['docs']} unchanged" in res.stdout, res.stdout
    final = lake_counts(db)
    assert final["per_doc"] == corpus["per_doc"] and final["facts"] == final["fact_ids"]
    assert lake_facts_by_sha(db) == corpus["facts"]


def _docs(db: str) -> int:
    try:
        con = lake_con(db)
    except duckdb.Error:
        return 0
    try:
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


# ---- DuckDB file: readers answered from the read snapshot while a load holds the file ---------------------
def test_reads_during_a_load_of_a_duckdb_file_use_the_snapshot(corpus, prefect_api_url, tmp_path):
    from flows.run import run_ingest
    from warehouse.store import snapshot_path

    db = tmp_path / "wh" / "canvas.duckdb"
    snap = snapshot_path(db)
    assert snap == tmp_path / "wh" / "canvas.snapshot.duckdb"
    env = cli_env(prefect_api_url, CANVAS_ETL_LOCK_TIMEOUT="5")

    first = run_ingest([str(corpus["folders"]["a"])], db=str(db), use_model=False)
    assert snap.is_file()  # published at the end of the run

    proc = start_ingest([str(corpus["folders"]["b"]), "--db", str(db), *ARGS], env, tmp_path / "load.log")
    stopped = None
    try:
        holder = wait_for(lambda: (s := sidecar(db)) and s.get("pid") == proc.pid and s.get("run_id") and s,
                          120, what="the load to take the file")
        os.kill(proc.pid, signal.SIGSTOP)  # the load holds the file for as long as the test needs
        stopped = proc.pid
        for args in (("sql", "SELECT count(*) FROM facts", "-f", "csv"), ("facts", "-f", "csv", "-n", "0")):
            res, seconds = read_cli(*args, "--db", str(db), env=env)
            assert res.returncode == 0, res.stderr
            assert f"as of run {first['run_id']}" in res.stderr and holder["run_id"] in res.stderr, res.stderr
            print(f"\n{args[0]} during a load: {seconds:.2f} s")
        res, _ = read_cli("sql", "SELECT count(*) FROM facts", "-f", "csv", "--db", str(db), env=env)
        assert int(res.stdout.split()[-1]) == first["facts_loaded"]
        refused, _ = read_cli("sql", "SELECT 1", "--db", str(db), "--as-of", first["run_id"], env=env)
        assert refused.returncode == 2 and "--as-of needs a DuckLake" in refused.stderr
        os.kill(proc.pid, signal.SIGCONT)
        stopped = None
        assert proc.wait(timeout=240) == 0, (tmp_path / "load.log").read_text(errors="replace")
    finally:
        if stopped:
            os.kill(stopped, signal.SIGCONT)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # the run published a newer snapshot; the file is free again: answered from it, with no note
    res, _ = read_cli("sql", "SELECT count(*) FROM facts", "-f", "csv", "--db", str(db), env=env)
    assert res.returncode == 0 and "snapshot" not in res.stderr
    total = int(res.stdout.split()[-1])
    assert sum(len(v) for v in facts_by_sha(snap).values()) == total > first["facts_loaded"]
