"""Prefect's temporary server, started early by flows.run (in a subprocess: the test session has its own)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys, threading, psutil
    from flows.run import prefect_api
    with prefect_api() as ready:
        url = ready()
        from prefect import flow, get_run_logger
        from prefect.settings import PREFECT_API_URL, get_current_settings
        heartbeat = get_current_settings().flows.heartbeat_frequency
        from prefect.client.orchestration import get_client
        with get_client(sync_client=True) as client:
            healthy = client.api_healthcheck() is None
        seen = []  # a thread of its own (no settings context copied), as Prefect's event and log workers
        thread = threading.Thread(target=lambda: seen.append(PREFECT_API_URL.value()))
        thread.start(); thread.join()

        @flow(name="logs-and-events")
        def logs_and_events():
            get_run_logger().info("to the API")  # Prefect's log worker sends it, and events go with the run
            return 7

        ran = logs_and_events()
        servers = [p for p in psutil.Process().children(recursive=True) if "uvicorn" in " ".join(p.cmdline())]
        from flows.run import TEMPORARY_SERVER_ENV
        server_env = {k: servers[0].environ().get(k) for k in TEMPORARY_SERVER_ENV}
        print(json.dumps({"url": url, "healthy": healthy, "servers": len(servers), "heartbeat": heartbeat,
                          "thread_url": seen[0], "ran": ran, "server_env": server_env,
                          "server_modules": "prefect.server.api.server" in sys.modules}))
""")


def test_one_temporary_server_for_every_thread_of_the_process():
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_API_BLOCKS_REGISTER_ON_START"] = "true"  # a user's setting wins over TEMPORARY_SERVER_ENV
    res = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    import json

    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["healthy"] and out["url"].startswith("http://127.0.0.1:") and out["ran"] == 7
    assert out["servers"] == 1  # Prefect's event and log workers use this one, they start none of their own
    assert out["thread_url"] == out["url"]
    assert not out["server_modules"]  # Prefect's server code is never imported in the flow's process
    assert out["heartbeat"] is None  # no flow-run heartbeats on a server that ends with the process
    assert out["server_env"] == {"PREFECT_API_BLOCKS_REGISTER_ON_START": "true",
                                 "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
                                 "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false"}
    assert "Traceback" not in res.stderr, res.stderr[-3000:]  # nor an error at exit (logs flushed to it)


EARLY = textwrap.dedent("""
    import json, os, sys
    from flows import run
    run.start_early_server()  # before Prefect is imported
    early, proc = run._early, run._early.process
    assert "prefect" not in sys.modules
    if sys.argv[1] == "configured":  # the settings name an API after all (as a profile would)
        os.environ["PREFECT_API_URL"] = "http://127.0.0.1:9/api"
    server = run.start_temporary_server()
    out = {"adopted": server is early, "early_exit": proc.poll() if server is None else None}
    if server is not None:
        with run.prefect_api() as ready:
            out["url"] = ready()
            from prefect import flow
            out["flow"] = flow(lambda: 7, name="early")()
    print(json.dumps(out))
""")


def test_a_server_started_before_prefect_is_adopted_or_stopped():
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    import json

    res = subprocess.run([sys.executable, "-c", EARLY, "free"], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["adopted"] and out["flow"] == 7 and out["url"].startswith("http://127.0.0.1:")
    res = subprocess.run([sys.executable, "-c", EARLY, "configured"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert not out["adopted"] and out["early_exit"] is not None  # stopped: the configured API is used instead


ORPHAN = textwrap.dedent("""
    import os, sys
    from flows.run import TemporaryServer
    server = TemporaryServer().start()
    server.wait_ready()
    print(server.process.pid, flush=True)
    os.kill(os.getpid(), 9)  # killed outright: no exit handler stops the server
""")


def test_a_temporary_server_stops_when_its_run_is_killed():
    import psutil

    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    run = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True, env=env)
    server = psutil.Process(int(run.stdout.readline()))
    assert run.wait(timeout=60) == -9
    try:
        server.wait(timeout=30)  # it notices within a second and shuts down gracefully
    except psutil.TimeoutExpired:
        server.kill()
        raise AssertionError("the temporary server outlived the run that started it") from None
    finally:
        run.stdout.close()
