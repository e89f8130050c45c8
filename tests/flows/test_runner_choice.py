"""`--runner auto` (the default): the flow process for a few new files, worker processes (or the Dask cluster
given) for a backlog; ``--workers`` defaults to the cores this process may use."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows import run
from flows.run import AUTO_MIN_DOCUMENTS, available_cores, choose_runner, run_ingest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "reports" / "no-headings-en.txt"


def test_a_nightly_delta_stays_in_the_flow_process():
    one = choose_runner("auto", documents=1, batches=1, workers=2)
    assert one.name == "in-process" and not one.parallel
    assert "1 document to extract in 1 batch" in one.reason
    # a few files cut in two batches: still cheaper here than starting workers and loading their models
    few = choose_runner("auto", documents=AUTO_MIN_DOCUMENTS - 1, batches=2, workers=2)
    assert few.name == "in-process" and str(AUTO_MIN_DOCUMENTS) in few.reason
    # one core: nothing to run in parallel
    assert choose_runner("auto", documents=1000, batches=24, workers=1).name == "in-process"


def test_a_backlog_goes_to_worker_processes_or_the_configured_cluster():
    many = choose_runner("auto", documents=1000, batches=24, workers=2)
    assert (many.name, many.workers, many.parallel) == ("processes", 2, True)
    assert many.label == "processes x2" and "1000 documents to extract in 24 batches" in many.reason
    assert choose_runner("auto", documents=AUTO_MIN_DOCUMENTS, batches=2, workers=8).workers == 2  # no idle worker
    dask = choose_runner("auto", documents=20, batches=2, workers=2, dask_address="tcp://10.0.0.5:8786")
    assert (dask.name, dask.dask_address) == ("dask", "tcp://10.0.0.5:8786") and "tcp://10.0.0.5:8786" in dask.label


def test_explicit_runners_are_honoured_and_one_batch_runs_here():
    assert choose_runner("threads", documents=10, batches=2, workers=2).name == "threads"
    assert choose_runner("processes", documents=10, batches=2, workers=3).workers == 3
    assert choose_runner("dask", documents=10, batches=2, workers=2).dask_address is None  # a local cluster
    assert choose_runner("processes", documents=3, batches=1, workers=2).name == "in-process"
    with pytest.raises(ValueError, match="unknown runner"):
        choose_runner("fibers", documents=1, batches=1)


def test_workers_default_to_the_cores_this_process_may_use(monkeypatch, tmp_path):
    read_quota = run._cgroup_cpu_quota
    monkeypatch.setattr(run.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(run, "_cgroup_cpu_quota", lambda: None)
    assert available_cores() == 4
    monkeypatch.setattr(run, "_cgroup_cpu_quota", lambda: 1.5)  # a container allowed 1.5 CPUs
    assert available_cores() == 1
    monkeypatch.setattr(run.os, "sched_getaffinity", lambda pid: {3})  # taskset -c 3
    monkeypatch.setattr(run, "_cgroup_cpu_quota", lambda: None)
    assert available_cores() == 1
    assert choose_runner("auto", documents=1000, batches=24).name == "in-process"
    # cgroup files: v2 cpu.max, v1 quota/period, unlimited
    (tmp_path / "cpu.max").write_text("200000 100000\n")
    assert read_quota(str(tmp_path)) == 2.0
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert read_quota(str(tmp_path)) is None
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert read_quota(str(tmp_path)) == 0.5
    assert read_quota(str(tmp_path / "missing")) is None


def _facts_per_document(db: Path) -> list[int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [n for (n,) in con.execute(
            "SELECT count(f.fact_id) FROM documents d LEFT JOIN facts f USING (document_id) GROUP BY d.document_id").fetchall()]
    finally:
        con.close()


@pytest.mark.slow
def test_default_run_one_file_in_process_then_a_backlog_in_worker_processes(tmp_path, prefect_harness):
    """Real runs of the default command: one small file, then AUTO_MIN_DOCUMENTS new files (distinct bytes)
    in two batches over two worker processes; every copy gives the same facts as the single file did."""
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(SMALL, one / SMALL.name)
    db1 = tmp_path / "one.duckdb"
    s1 = run_ingest([str(one)], db=str(db1), workers=2)
    assert s1["documents_loaded"] == 1 and s1["runner"].startswith("in-process"), s1
    assert "auto: 1 document to extract in 1 batch" in s1["runner_reason"]
    [facts_one] = _facts_per_document(db1)
    assert facts_one > 0

    many = tmp_path / "many"
    many.mkdir()
    data = SMALL.read_bytes()
    for i in range(AUTO_MIN_DOCUMENTS):
        (many / f"copy-{i:03d}.txt").write_bytes(data + b"\n" * (i + 1))  # other bytes, the same report
    db2 = tmp_path / "many.duckdb"
    s2 = run_ingest([str(many)], db=str(db2), workers=2)
    assert s2["documents_loaded"] == AUTO_MIN_DOCUMENTS, s2["rejections"]
    assert s2["runner"] == "processes x2", s2
    assert f"auto: {AUTO_MIN_DOCUMENTS} documents to extract in 2 batches" in s2["runner_reason"]
    assert _facts_per_document(db2) == [facts_one] * AUTO_MIN_DOCUMENTS
    assert not list(tmp_path.glob("many.duckdb.staging-*"))  # the workers' staged results are gone
