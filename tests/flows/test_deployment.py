"""The scheduled deployment on a real Prefect server (subprocesses; the session test harness is left alone).

A `prefect server start` with its own PREFECT_HOME and SQLite file, a `flows.deploy.serve` process serving
`canvas-ingest/nightly` over a copy of the sample, two runs triggered through the API (the second over the
unchanged folder), then `prefect deploy` of `prefect.yaml` against the same server.
"""
from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from flows.deploy import DEFAULT_CRON, DEPLOYMENT_NAME, TIMEZONE

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PREFECT = str(Path(sys.executable).parent / "prefect")


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM the process group (graceful: serve pauses its schedule), then SIGKILL what is left."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers in the group (uvicorn, flow-run subprocesses)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _tail(path: Path, n: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return ""


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """(api_url, env for clients) of a real Prefect server, stopped at the end of the module."""
    home = tmp_path_factory.mktemp("prefect_home")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_UI_ENABLED": "false",  # the API only; the test needs no dashboard
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    })
    log = home / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=str(home), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 150
        while True:
            if proc.poll() is not None:
                pytest.fail(f"prefect server exited with {proc.returncode}:\n{_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"prefect server not healthy after 150 s:\n{_tail(log)}")
            time.sleep(0.5)
        client_env = {k: v for k, v in env.items() if k != "PREFECT_API_DATABASE_CONNECTION_URL"}
        client_env["PREFECT_API_URL"] = api_url
        yield api_url, client_env
    finally:
        _stop(proc)


@contextlib.contextmanager
def _api(api_url: str):
    """Point this process's Prefect client at the test server for the block, then restore the settings."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        yield


def _read_deployment(api_url: str, name: str, timeout: float):
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    with _api(api_url), get_client(sync_client=True) as client:
        while True:
            try:
                return client.read_deployment_by_name(name)
            except ObjectNotFound:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def _run(api_url: str, name: str):
    from prefect.deployments import run_deployment

    t0 = time.perf_counter()
    with _api(api_url):
        flow_run = run_deployment(name=name, timeout=240, poll_interval=1)
    return flow_run, time.perf_counter() - t0


def _scheduled_runs(api_url: str, deployment_id, timeout: float) -> list:
    """The future runs the server's scheduler created for the deployment (it picks new deployments up in ~5 s)."""
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    deadline = time.monotonic() + timeout
    with _api(api_url), get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])))
            scheduled = [r for r in runs if r.state and r.state.is_scheduled() and r.auto_scheduled]
            if scheduled or time.monotonic() > deadline:
                return scheduled
            time.sleep(1)


def test_served_deployment_runs_on_schedule_server(prefect_server, tmp_path, sample_path):
    api_url, env = prefect_server
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sample_path, raw / sample_path.name)
    db = tmp_path / "warehouse" / "canvas.duckdb"
    db.parent.mkdir()

    serve_env = dict(env, PREFECT_RUNNER_POLL_FREQUENCY="2")  # default 10 s: pick triggered runs up sooner
    log = tmp_path / "serve.log"
    code = f"from flows.deploy import serve; serve(paths=[{str(raw)!r}], db={str(db)!r})"
    with open(log, "wb") as out:
        serving = subprocess.Popen([PYTHON, "-c", code], env=serve_env, cwd=str(tmp_path), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deployment = _read_deployment(api_url, DEPLOYMENT_NAME, timeout=120)
        # the nightly cron schedule, in UTC, active while served
        assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in deployment.schedules] == [
            (DEFAULT_CRON, TIMEZONE, True)]
        assert deployment.parameters == {"paths": [str(raw)], "db": str(db)}
        assert deployment.entrypoint == "flows.ingest.ingest_flow"
        assert not deployment.paused

        first, first_s = _run(api_url, DEPLOYMENT_NAME)
        assert first.state.is_completed(), f"{first.state}\n{_tail(log)}"
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("SELECT file_name FROM documents").fetchall() == [(sample_path.name,)]
            n_facts = con.execute("SELECT count(*) FROM facts").fetchone()[0]
            assert n_facts > 250
            run = con.execute("SELECT flow_run_id, status FROM runs").fetchall()
            assert run == [(str(first.id), "completed")]
        finally:
            con.close()

        # second run over the unchanged folder: nothing extracted, finishes in seconds
        second, second_s = _run(api_url, DEPLOYMENT_NAME)
        assert second.state.is_completed(), f"{second.state}\n{_tail(log)}"
        con = duckdb.connect(str(db), read_only=True)
        try:
            row = con.execute(
                "SELECT status, counts.documents_unchanged, counts.facts_loaded, "
                "epoch(finished_at - started_at) FROM runs WHERE flow_run_id = ?", [str(second.id)]
            ).fetchone()
            assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == n_facts
        finally:
            con.close()
        status, unchanged, loaded, flow_s = row
        assert (status, unchanged, loaded) == ("completed", 1, 0)
        prefect_s = second.total_run_time.total_seconds()
        print(f"\ndeployment runs (trigger -> completed): first {first_s:.1f} s, second (unchanged) {second_s:.1f} s;"
              f" second flow run {prefect_s:.2f} s (Prefect run time), warehouse run {flow_s:.2f} s")
        assert prefect_s < 10
        assert flow_s < 10
        assert second_s < 60  # poll interval + a fresh flow-run process, no extraction

        # the server's scheduler has queued the next nightly runs: 02:00 UTC
        scheduled = _scheduled_runs(api_url, deployment.id, timeout=60)
        assert scheduled, "no scheduled run created by the server's scheduler"
        for r in scheduled:
            when = r.expected_start_time.astimezone(datetime.timezone.utc)
            assert (when.hour, when.minute, when.second) == (2, 0, 0)
            assert r.parameters == {"paths": [str(raw)], "db": str(db)}
    finally:
        _stop(serving)

    # stopping the serving process pauses the deployment (Prefect's default for served deployments)
    assert _read_deployment(api_url, DEPLOYMENT_NAME, timeout=5).paused


def test_prefect_yaml_deploys_the_nightly_deployment(prefect_server):
    api_url, env = prefect_server
    pool = subprocess.run([PREFECT, "work-pool", "create", "canvas-local", "--type", "process"], env=env,
                          cwd=str(ROOT), capture_output=True, text=True, timeout=120)
    assert pool.returncode == 0, pool.stdout + pool.stderr
    res = subprocess.run([PREFECT, "--no-prompt", "deploy", "--all"], env=env, cwd=str(ROOT),
                         capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stdout + res.stderr
    deployment = _read_deployment(api_url, DEPLOYMENT_NAME, timeout=10)
    assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in deployment.schedules] == [
        (DEFAULT_CRON, TIMEZONE, True)]
    assert deployment.parameters == {"paths": ["raw"], "db": "warehouse/canvas.duckdb"}
    assert deployment.entrypoint == "flows/ingest.py:ingest_flow"
    assert deployment.work_pool_name == "canvas-local"
    assert deployment.pull_steps == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]
