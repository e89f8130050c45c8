"""The app of Prefect's temporary server (``flows.run.TemporaryServer`` runs ``uvicorn --factory
flows.prefect_server:create_app``): Prefect's own app, ``prefect.server.api.server.create_app``, built the same way
with two start-up costs moved or cut. A run waits for this server before its flow can start, so its start-up is
on the path of every run that has something new.

- The cyclic garbage collector is off while Prefect's server modules are imported and the app is built, then the
  objects built (they live as long as the server) are frozen out of later collections. The start-up allocates
  millions of long-lived objects (Pydantic schemas, SQLAlchemy models): the collections it triggered found next to
  nothing and cost about 15 % of its CPU (2.75 -> 2.34 s, measured on this project's pinned Prefect), and every
  later collection of the oldest generation would walk them again while the server answers the run.
- FastAPI (>= 0.137) prepares the routes of an included router at the first request that reaches it: the first
  request to a late router (``/admin/version``, the client's first call) prepared nearly all of them, about 0.25 s
  on the run's path. They are prepared here, before the server answers its health check.

It also stops when the process that started it is gone (``_stop_with_parent``).
"""
from __future__ import annotations

import gc
import os
import signal

from flows.parent_watch import when_parent_gone


def create_app():
    _stop_with_parent()
    gc.disable()
    try:
        from prefect.server.api.server import create_app as prefect_create_app

        app = prefect_create_app()
        prepare_routes(app)
        gc.freeze()
    finally:
        gc.enable()
    return app


def _stop_with_parent() -> None:
    """The server stops itself, gracefully (SIGTERM: what its parent would send), once the run that started it is
    gone however it ended (``flows.parent_watch``)."""
    when_parent_gone(lambda: os.kill(os.getpid(), signal.SIGTERM))


def prepare_routes(app) -> int:
    """Prepare every included router's routes now (what FastAPI does lazily at the first request reaching each,
    ``effective_candidates``); the mounted apps (Prefect's API is mounted at /api) are walked too. Returns how many
    routers were prepared (0 with a FastAPI that prepares them when they are included)."""
    todo = list(app.router.routes)
    prepared = 0
    while todo:
        route = todo.pop()
        candidates = getattr(route, "effective_candidates", None)
        if callable(candidates):
            todo.extend(candidates())
            prepared += 1
            continue
        mounted = getattr(route, "app", None)
        routes = getattr(getattr(mounted, "router", None), "routes", None)
        if routes:
            todo.extend(routes)
    return prepared
