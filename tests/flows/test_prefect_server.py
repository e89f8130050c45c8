"""flows.prefect_server: the app of Prefect's temporary server, started with its routes prepared and its start-up
objects frozen out of the garbage collector."""
from __future__ import annotations

import asyncio
import gc

import fastapi.routing
import httpx

from flows.prefect_server import create_app, prepare_routes


def test_the_app_answers_its_first_request_without_preparing_routes(monkeypatch):
    monkeypatch.setenv("PREFECT__SERVER_EPHEMERAL", "1")
    monkeypatch.setenv("PREFECT_UI_ENABLED", "0")
    frozen = gc.get_freeze_count()
    try:
        app = create_app()
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen  # what start-up built is out of later collections
    finally:
        gc.unfreeze()
    prepared = []
    original = fastapi.routing._EffectiveRouteContext.from_api_route

    def counting(*args, **kwargs):
        prepared.append(kwargs.get("original_route"))
        return original(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing._EffectiveRouteContext, "from_api_route", counting)

    async def first_request():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://server") as client:
            return await client.get("/api/admin/version")

    # Prefect's client asks this first; its router comes late in Prefect's list (FastAPI would prepare the routes
    # of every router before it at this request)
    response = asyncio.run(first_request())
    assert response.status_code == 200 and response.json()
    assert prepared == []
    assert prepare_routes(app) > 20  # Prefect's API routers (already prepared: nothing is built again)
    assert prepared == []
