"""Fixtures of the fault tests (the session-wide `prefect_harness` comes from tests/conftest.py)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def prefect_api_url(prefect_harness) -> str:
    """URL of the harness's Prefect server: `canvas-etl` subprocesses use it instead of starting their own
    temporary server (about 5 s saved per command; the ephemeral mode itself is covered by tests/flows/test_cli.py)."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url, "the Prefect test harness did not set PREFECT_API_URL"
    return url
