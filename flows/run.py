"""Run the ingest flow with the chosen task runner (threads, processes, or Dask).

Whatever the runner, extraction tasks only compute (Arrow tables in plain dicts, which pickle) and the
load step stays in the flow's own process: the single DuckDB writer. spaCy pipelines are never task
arguments; each worker (thread pool: the flow process; ``processes``: each worker process of the
``ExtractionPool``; Dask: each worker process) loads them once through the ``lru_cache`` in ``extractors.nlp``.
"""
from __future__ import annotations

import atexit
import contextlib
import contextvars
import os
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

RUNNERS = ("auto", "threads", "processes", "dask")
DASK_ADDRESS_ENV = "CANVAS_ETL_DASK_ADDRESS"
# ``auto``: below this many documents to extract, worker processes cost more than they save. The workers pay
# their start-up (the fork server's imports and spaCy models: a few CPU seconds) before extracting anything,
# while a report costs ~0.1 s of CPU: with two cores, parallel extraction wins only past ~2 x start-up of work.
AUTO_MIN_DOCUMENTS = 64


def available_cores() -> int:
    """The cores this process may use: its CPU affinity, capped by a cgroup CPU quota (containers)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cores = min(cores, max(1, int(quota)))  # a quota of 1.5 CPUs keeps one worker busy, not two
    return max(1, cores)


def _cgroup_cpu_quota(root: str = "/sys/fs/cgroup") -> float | None:
    """CPUs allowed by the cgroup (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``), None when unlimited/unknown."""
    candidates = [(f"{root}/cpu.max", None), (f"{root}/cpu/cpu.cfs_quota_us", f"{root}/cpu/cpu.cfs_period_us")]
    for path, period_path in candidates:
        try:
            with open(path, encoding="ascii") as fh:
                fields = fh.read().split()
            if period_path:
                with open(period_path, encoding="ascii") as fh:
                    fields.append(fh.read().strip())
        except OSError:
            continue
        if len(fields) < 2 or fields[0] in ("max", "-1"):
            return None
        try:
            quota, period = float(fields[0]), float(fields[1])
        except ValueError:
            return None
        return quota / period if quota > 0 and period > 0 else None
    return None


def dask_address_default(dask_address: str | None = None) -> str | None:
    """The Dask scheduler given, else ``CANVAS_ETL_DASK_ADDRESS``, else None."""
    return dask_address or os.environ.get(DASK_ADDRESS_ENV) or None


@dataclass(frozen=True)
class RunnerChoice:
    """Where a run's extraction batches go: ``in-process`` (the flow's own process, one batch after another),
    or a Prefect task runner (``threads``, ``processes``, ``dask``) with ``workers``."""

    name: str
    workers: int
    reason: str
    dask_address: str | None = None

    @property
    def parallel(self) -> bool:
        return self.name != "in-process"

    @property
    def label(self) -> str:
        if self.name == "dask":
            return f"dask {self.dask_address}" if self.dask_address else f"dask local cluster x{self.workers}"
        return f"{self.name} x{self.workers}" if self.parallel else "in-process (the flow's own process)"

    def describe(self) -> str:
        return f"{self.label} ({self.reason})"


def choose_runner(runner: str, *, documents: int, batches: int, workers: int | None = None,
                  dask_address: str | None = None) -> RunnerChoice:
    """The runner for ``documents`` new or changed documents cut into ``batches`` batches.

    - A single batch always runs in the flow process (whatever the runner: no worker to start).
    - ``auto``: a configured Dask cluster (``dask_address``) when there are several batches (its workers
      keep their models loaded between runs); else worker processes when there are several batches, at
      least ``AUTO_MIN_DOCUMENTS`` documents and at least two cores to use; else the flow process (a nightly
      delta of a few files: starting workers and loading their models would cost more than it saves).
    - ``threads`` / ``processes`` / ``dask``: that runner.
    """
    if runner not in RUNNERS:
        raise ValueError(f"unknown runner {runner!r}: choose {', '.join(RUNNERS)}")
    workers = workers or available_cores()
    what = f"{documents} document{'s' if documents != 1 else ''} to extract in {batches} batch{'es' if batches != 1 else ''}"
    if batches <= 1:
        return RunnerChoice("in-process", 1, f"{runner}: {what}")
    if runner != "auto":
        return RunnerChoice(runner, workers, f"{runner} as asked: {what}", dask_address if runner == "dask" else None)
    if dask_address:
        return RunnerChoice("dask", workers, f"auto: {what}, a Dask cluster is configured", dask_address)
    if workers < 2:
        return RunnerChoice("in-process", 1, f"auto: {what}, 1 worker")
    if documents < AUTO_MIN_DOCUMENTS:
        return RunnerChoice("in-process", 1, f"auto: {what}, fewer than {AUTO_MIN_DOCUMENTS}: not worth starting workers")
    return RunnerChoice("processes", min(workers, batches), f"auto: {what}")


def make_task_runner(runner: str = "threads", *, workers: int = 2, dask_address: str | None = None):
    """The Prefect task runner of the extraction tasks for ``runner`` (``choose_runner`` picks one for ``auto``).

    - ``threads``: a thread pool in the flow process. With ``processes``, the flow also opens an
      ``ExtractionPool`` (``use_extraction_pool``): the tasks run in these threads and hand their CPU work to its
      worker processes.
    - ``dask``: an existing Dask scheduler (``dask_address``, e.g. ``tcp://host:8786``), or a temporary
      ``LocalCluster`` of ``workers`` single-threaded worker processes.
    """
    if runner in ("threads", "processes"):
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    if runner == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        # a temporary local cluster: scheduler and dashboard on localhost only (dashboard port 8787, or
        # another free one if taken)
        return DaskTaskRunner(cluster_kwargs={
            "n_workers": workers, "threads_per_worker": 1, "processes": True,
            "host": "127.0.0.1", "dashboard_address": "127.0.0.1:8787",
        })
    raise ValueError(f"unknown runner {runner!r}: choose {', '.join(RUNNERS)}")


class ExtractionPool:
    """The worker processes of ``--runner processes``: the run's extraction tasks are Prefect tasks in threads of
    the flow process (``ThreadPoolTaskRunner``: their runs, states and retries are Prefect's as with any runner),
    and each hands its batch's CPU work (``flows.batch.extract_paths``) to one of these processes.

    A worker imports the extractors and ``flows.batch`` only: not Prefect, which a task-runner worker process
    (``ProcessPoolTaskRunner``) imports and runs a task engine and API clients with (about 60 MB and a CPU second
    per worker, and the task's settings serialised at every submit). Workers are not forked from the flow process
    (it runs threads) but from a fork server (``multiprocessing``'s ``forkserver``): a fresh process that imports
    the extractors and loads the spaCy models and rule tables once (``flows.pool_preload``), so that its workers
    start with them loaded, sharing their memory pages (about 200 MB a worker otherwise) instead of each loading
    its own copy (a CPU second and a half each). ``start``, or the first batch handed over, starts them.

    A worker that dies (killed, out of memory) breaks the pool: the batches running then fail with
    ``BrokenProcessPool`` and the next calls get a fresh pool, so that Prefect's retries of those tasks run."""

    def __init__(self, workers: int, *, use_model: bool = True) -> None:
        self.workers, self.use_model = workers, use_model
        self._lock = threading.Lock()
        self._executor = None

    def _new_executor(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from flows.batch import start_worker

        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["flows.pool_preload"])  # read when the fork server starts (once a process)
        else:  # (Windows) each worker loads its own
            context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                   initializer=start_worker, initargs=(self.use_model, os.getpid(), dict(os.environ)))

    def _current(self):
        """The executor, made on first use (or after a broken one was dropped)."""
        with self._lock:
            if self._executor is None:
                self._executor = self._new_executor()
            return self._executor

    def start(self) -> "ExtractionPool":
        """Start every worker now, without waiting: a worker's start waits for the fork server's loading
        (seconds, the first time in a process), so the workers are asked for in a thread."""
        executor = self._current()

        def ask() -> None:
            try:
                for _ in range(self.workers):  # a task given while every worker is busy starts one more
                    executor.submit(int)
            except RuntimeError:  # closed meanwhile
                pass

        threading.Thread(target=ask, name="canvas-etl-pool-start", daemon=True).start()
        return self

    def run(self, fn, /, *args, **kwargs):
        """``fn(*args, **kwargs)`` in a worker process (``fn`` importable by name, arguments and result pickled)."""
        from concurrent.futures.process import BrokenProcessPool

        executor = self._current()
        try:
            return executor.submit(fn, *args, **kwargs).result()
        except BrokenProcessPool:
            with self._lock:
                if self._executor is executor:  # the first to notice: a fresh pool for the retries
                    self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers; ``wait=False``: return at once, the workers end meanwhile (joined at exit)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)


_extraction_pool: contextvars.ContextVar[ExtractionPool | None] = contextvars.ContextVar("canvas_etl_extraction_pool",
                                                                                          default=None)


def extraction_pool() -> ExtractionPool | None:
    """The extraction pool of the flow run this thread works for (``use_extraction_pool``), if any."""
    return _extraction_pool.get()


_prepared_pool: ExtractionPool | None = None  # started by the command line before the flow (prepare_extraction_pool)


def prepare_extraction_pool(workers: int, *, use_model: bool = True) -> None:
    """The command line's step for a run that will extract in worker processes: start them now, so that they
    load their models while Prefect's temporary server boots; the flow's ``use_extraction_pool`` adopts them
    (``discard_prepared_pool`` stops them if it does not)."""
    global _prepared_pool
    discard_prepared_pool()
    _prepared_pool = ExtractionPool(workers, use_model=use_model).start()


def discard_prepared_pool() -> None:
    """Stop the workers of ``prepare_extraction_pool`` that no flow adopted."""
    global _prepared_pool
    pool, _prepared_pool = _prepared_pool, None
    if pool is not None:
        pool.close()


@contextlib.contextmanager
def use_extraction_pool(workers: int, *, use_model: bool = True) -> Iterator[ExtractionPool]:
    """An ``ExtractionPool`` of ``workers`` processes for the tasks submitted from this context (Prefect's thread
    pool runner copies the submitter's context into its threads), the prepared one when it matches
    (``prepare_extraction_pool``); its workers stop at the end, without waiting for them to exit (~0.25 s: they
    end while the run finishes its load and summary)."""
    global _prepared_pool
    pool, _prepared_pool = _prepared_pool, None
    if pool is None or (pool.workers, pool.use_model) != (workers, use_model):
        if pool is not None:
            pool.close()
        pool = ExtractionPool(workers, use_model=use_model)
    token = _extraction_pool.set(pool)
    try:
        yield pool
    finally:
        _extraction_pool.reset(token)
        pool.close(wait=False)


# What a temporary server, which lives for one run, is spared at each start unless the environment says otherwise
# (about 0.8 s of its ~4.5 s of CPU): registering Prefect's block types in its database (`prefect server start`
# on the same database registers them), and the automation services (triggers and actions: automations belong
# on a server that outlives the runs they watch).
TEMPORARY_SERVER_ENV = {
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
    "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
}


class TemporaryServer:
    """Prefect's temporary API server, started as a subprocess at once and waited for only when the flow
    needs it, so that its start-up (seconds) overlaps the rest of ours.

    It runs what Prefect runs when it starts a temporary server by itself (the command and settings of
    ``prefect.server.api.server.SubprocessASGIServer``, Prefect being pinned), spared what
    ``TEMPORARY_SERVER_ENV`` lists, with Prefect's app built by ``flows.prefect_server`` (the same app, started
    faster). ``prefect_api`` then names it as the process's API URL for every thread, so
    that Prefect never starts its own (nor imports its server modules in this process: ~3 s of CPU, ~80 MB)."""

    PORTS = range(8000, 9000)

    def __init__(self) -> None:
        self.port = self._free_port()
        self.process: subprocess.Popen | None = None
        self.used = False  # wait_ready was called: a flow may have talked to it

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @staticmethod
    def _free_port() -> int:
        for _ in range(20):
            port = random.choice(TemporaryServer.PORTS)
            with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                    return port
                except OSError:
                    continue
        raise RuntimeError("no free port for Prefect's temporary server")

    def start(self, *, settings: bool = True) -> "TemporaryServer":
        """Start the server process. ``settings=False``: before Prefect is imported (``start_early_server``):
        the process gets this environment only, and reads the same profile and settings files as this process
        would."""
        env = {**TEMPORARY_SERVER_ENV, **os.environ,
               "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        if settings:
            from prefect.settings import get_current_settings

            env.update(get_current_settings().to_environment_variables(exclude_unset=True))
        # first on the server's import path, ahead of its working directory (the user's), which could hold a
        # `flows` package of its own: the folder this package is imported from
        home = Path(__file__).resolve().parent.parent
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(home),
             "--factory", "flows.prefect_server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=env,  # output inherited, as Prefect does (the server logs errors only)
        )
        return self

    def wait_ready(self) -> None:
        import httpx
        from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

        self.used = True
        deadline = time.monotonic() + PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                code = self.process.poll()
                if code is not None:
                    if code == 3:  # the port was taken meanwhile: try another one
                        self.port = self._free_port()
                        self.start()
                        continue
                    raise RuntimeError(f"Prefect's temporary server exited with code {code} (its errors are above)")
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise RuntimeError("timed out waiting for Prefect's temporary server")

    def stop(self) -> None:
        """Stop the server: gracefully once a flow may have used it (``wait_ready`` was called), at once when
        nothing ever talked to it (a run with nothing new)."""
        if self.process is None:
            return
        if not self.used:  # never waited for, so never used: nothing of it to keep
            self.process.kill()
            self.process.wait()
            self.process = None
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def _process_api_url(url: str) -> None:
    """``PREFECT_API_URL`` = ``url`` for the rest of the process (the temporary server lives as long): in its
    environment and in Prefect's process-wide settings context, which every thread without settings of its own
    reads (Prefect's event and log workers: with no API URL they would start a temporary server of their own,
    even at exit)."""
    from prefect.context import refresh_global_settings_context

    os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()


@contextlib.contextmanager
def prefect_api() -> Iterator[Callable[[], str | None]]:
    """Make sure every process of a run talks to the same Prefect API, and start it early.

    Without ``PREFECT_API_URL``, Prefect starts a temporary ("ephemeral") server lazily, in whichever process
    first needs a client. Task worker processes (Dask) would then each start their own
    temporary server (seconds each, and several writers on the same SQLite file). Here the temporary server
    is started once, as soon as the run begins; the ``ready()`` this yields waits for it and makes its URL the
    process's ``PREFECT_API_URL`` (``_process_api_url``: every thread of this process, and the workers, which
    get the environment and settings of the flow), without flow-run heartbeats. With ``PREFECT_API_URL`` set
    (a real server, or the test harness) nothing changes.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = start_temporary_server()
    if server is None:
        url = PREFECT_API_URL.value()
        yield lambda: url
        return
    with contextlib.ExitStack() as stack:

        def ready() -> str:
            server.wait_ready()
            _process_api_url(server.api_url)
            # no flow-run heartbeats: they let a long-lived server mark a crashed run, but this server ends with
            # this process, and stopping the heartbeat thread costs every flow run up to a second at its end
            stack.enter_context(temporary_settings(updates={"flows.heartbeat_frequency": None}))
            return server.api_url

        yield ready


_server: TemporaryServer | None = None
_early: TemporaryServer | None = None  # started on speculation by start_early_server, not adopted yet


def start_early_server() -> None:
    """The command line's first step for ``ingest``, before Prefect is imported (about a second): start the
    temporary server now, on speculation, unless the environment names a Prefect API. ``start_temporary_server``
    adopts it, or stops it when the settings (a profile, a .env file) name an API after all."""
    global _early
    if _server is None and _early is None and not os.environ.get("PREFECT_API_URL"):
        _early = TemporaryServer().start(settings=False)
        atexit.register(_early.stop)  # not adopted (a usage error...): stopped at exit


def start_temporary_server() -> TemporaryServer | None:
    """Start this process's temporary Prefect server now, unless a Prefect API is configured (then None).
    The command line calls it first thing, so that the server boots while the rest is imported."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    global _server, _early
    if _server is None:
        if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
            if _early is not None:  # started on speculation, not needed after all
                _early.stop()
                _early = None
            return None
        if _early is not None:  # already stopped at exit (start_early_server)
            _server, _early = _early, None
        else:
            _server = TemporaryServer().start()
            # one per process, stopped at exit like Prefect's own (after Prefect has flushed its logs to it)
            atexit.register(_server.stop)
    return _server


def _warm_up(todo: list[str]) -> None:
    """While Prefect's temporary server boots: what extracting the few files ``todo`` in this process will load
    (the pipelines of their languages, rules, tables, and the first-use costs of an extraction of the first one:
    ``extractors.warm``)."""
    from extractors.warm import languages_of, warm_up

    warm_up(langs=languages_of(todo), example=todo[0])


def _import_flow_run_modules() -> None:
    """The modules a flow run imports on its way, once the server is up: Prefect's flow and task engines, its
    artifacts, and FastAPI (~0.35 s of CPU: ``Flow.serialize_parameters`` imports ``fastapi.encoders`` as the flow
    run is created)."""
    import fastapi.encoders  # noqa: F401
    import prefect.artifacts  # noqa: F401
    import prefect.flow_engine  # noqa: F401
    import prefect.task_engine  # noqa: F401


def run_ingest(paths: list[str], *, db: str, edition: str | None = None, runner: str = "auto",
               dask_address: str | None = None, workers: int | None = None, use_model: bool = True,
               lock_timeout: float = 30.0, data_path: str | None = None) -> dict:
    """Run the ingest flow. The flow picks and opens the task runner itself once it knows how much is new
    (``choose_runner``); ``workers`` defaults to the cores available, ``dask_address`` to
    ``CANVAS_ETL_DASK_ADDRESS``; ``data_path``: a DuckLake's data path (else $CANVAS_ETL_DATA_PATH).

    What the run will do is read first, while Prefect's temporary server boots
    (``flows.ingest.plan_run``): when nothing is new or changed the run is only recorded in the warehouse
    (``record_unchanged_run``: no flow run, nothing to orchestrate); when the few new files will be extracted
    in this process, its spaCy models and rule tables load meanwhile (``extractors.warm``)."""
    if runner not in RUNNERS:
        raise ValueError(f"unknown runner {runner!r}: choose {', '.join(RUNNERS)}")
    paths = [os.fspath(p) for p in paths]
    with prefect_api() as ready:  # the temporary server (if one is needed) boots while the rest loads
        from flows.ingest import _batches, ingest_flow, plan_run, record_unchanged_run

        plan = plan_run(paths, db, data_path)
        if plan is not None and plan.nothing_new:
            done = record_unchanged_run(plan, db, lock_timeout, data_path)
            if done is not None:
                return done
        if plan is not None and plan.todo:
            choice = choose_runner(runner, documents=len(plan.todo), batches=len(_batches(plan.todo)),
                                   workers=workers, dask_address=dask_address_default(dask_address))
            if choice.name == "processes":  # the workers start and load their models while the server boots
                prepare_extraction_pool(choice.workers, use_model=use_model)
            if not choice.parallel and use_model:  # extracted here: load the models while the server boots
                threading.Thread(target=_warm_up, args=([p for p, _ in plan.todo],), name="canvas-etl-warm-up",
                                 daemon=True).start()
            _import_flow_run_modules()
        kwargs = dict(paths=paths, db=db, edition=edition, use_model=use_model,
                      lock_timeout=lock_timeout, runner=runner, workers=workers, dask_address=dask_address)
        if data_path is not None:  # a DuckLake's data path (else $CANVAS_ETL_DATA_PATH)
            kwargs["data_path"] = data_path
        ready()
        try:
            return ingest_flow(**kwargs)
        finally:
            discard_prepared_pool()
