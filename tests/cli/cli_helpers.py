"""Helpers of the command-line tests."""
from __future__ import annotations

import duckdb


def query(db, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
