"""What changed between two editions of a report (``canvas-etl diff``), from the ``fact_changes`` logic.

    from warehouse.diff import diff_editions
    with Warehouse(db, read_only=True) as wh:
        for row in diff_editions(wh.con, "MVRL"):                 # the two newest editions of MVRL
            print(row["change"], row["subject"], row["metric"], row["old_value"], row["new_value"])
        diff_editions(wh.con, "MVRL", old="Mai-2025 Mis à jour")  # that edition -> the newest
        diff_editions(wh.con, old="2025-01-01", new="2025-10-01")  # any two editions, by date

The ``fact_changes`` view compares *consecutive* editions. To compare any two editions with exactly the
same rules (matching keys, rounding tolerance, undated figures), the view's own SQL is taken from
``warehouse/schema.sql`` and run with the chosen pair of editions instead of the consecutive pairs.
"""
from __future__ import annotations

import re
from typing import Any

import duckdb

from warehouse.store import schema_sql

# The fact_changes columns, in order: every returned dict has exactly these keys.
CHANGE_COLUMNS = (
    "change", "report_key", "ticker", "company", "subject", "metric", "subject_key", "metric_key", "unit",
    "period_end", "period_grain", "old_value", "new_value", "relative_change", "old_value_high", "new_value_high",
    "old_fact_id", "new_fact_id", "old_document_id", "new_document_id", "old_edition_id", "new_edition_id",
    "old_edition", "new_edition", "old_edition_date", "new_edition_date", "old_line_number", "new_line_number",
    "old_source_text", "new_source_text",
)

_FACTS_SCAN = re.compile(r"FROM facts f\s+WHERE ")
_PAIRS_CTE = re.compile(r"pairs AS \(\s*SELECT report_key, previous_edition_id AS old_edition_id.*?\)\s*,", re.S)


class EditionNotFound(LookupError):
    """An edition name (or a report) matches no edition, or more than one."""


def _connection(con: Any) -> duckdb.DuckDBPyConnection:
    return con.con if hasattr(con, "con") and not isinstance(con, duckdb.DuckDBPyConnection) else con


def _changes_sql() -> str:
    """The fact_changes SELECT with its consecutive-pairs CTE replaced by the table ``_diff_pairs``."""
    ddl = schema_sql()
    start = ddl.index("CREATE OR REPLACE VIEW fact_changes AS")
    body = ddl[start:ddl.index(";", start)]
    body = body[len("CREATE OR REPLACE VIEW fact_changes AS"):]
    new_body, n = _PAIRS_CTE.subn(
        "pairs AS (SELECT report_key, old_edition_id, new_edition_id FROM _diff_pairs),", body, count=1)
    if n != 1:
        raise RuntimeError("warehouse/schema.sql: fact_changes has no 'pairs' CTE to reuse")
    # only the facts of the paired editions (the joins on the pairs drop every other row anyway): a diff of a
    # few editions then reads only their facts, not every fact of the warehouse
    new_body, n = _FACTS_SCAN.subn(
        "FROM facts f WHERE f.edition_id IN (SELECT old_edition_id FROM _diff_pairs "
        "UNION SELECT new_edition_id FROM _diff_pairs) AND ", new_body, count=1)
    if n != 1:
        raise RuntimeError("warehouse/schema.sql: fact_changes has no 'FROM facts f WHERE' scan to narrow")
    # the view joins editions eo/en on the pair: they need not be consecutive, so nothing else changes
    return new_body


def _editions(con, report: str | None) -> list[dict]:
    sql = ("SELECT edition_id, report_key, ticker, company, document_id, edition_label, "
           "CAST(edition_date AS VARCHAR) AS edition_date, edition_rank FROM editions")
    params: list = []
    if report is not None:
        sql += " WHERE report_key = ? OR ticker = ? OR company = ?"
        params = [report, report, report]
    sql += " ORDER BY report_key, edition_rank"
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _pick(editions: list[dict], name: str, role: str) -> dict:
    """An edition named by edition_id, label, date (YYYY-MM-DD) or document_id."""
    hits = [e for e in editions if name in (e["edition_id"], e["edition_label"], e["edition_date"], e["document_id"])]
    if not hits:
        hits = [e for e in editions if e["edition_label"] and e["edition_label"].casefold().startswith(name.casefold())]
    if len(hits) != 1:
        known = ", ".join(f"{e['report_key']}:{e['edition_label']} ({e['edition_id']})" for e in editions) or "none"
        what = "no edition" if not hits else f"{len(hits)} editions"
        raise EditionNotFound(f"{role} edition {name!r}: {what} match; editions: {known}")
    return hits[0]


def diff_editions(con, report: str | None = None, old: str | None = None, new: str | None = None) -> list[dict]:
    """Changes between two editions of a report, one dict per changed/added/removed figure.

    ``con``: a DuckDB connection to the warehouse (a :class:`warehouse.store.Warehouse` works too).
    ``report``: report_key, ticker or company; ``None`` = every report (or the report of ``old``/``new``).
    ``old``/``new``: an edition, by edition_id, edition_label (or its start, e.g. "Oct-2025"), edition date
    ("2025-10-01") or document_id. Defaults: ``new`` = the newest edition, ``old`` = the edition just before
    ``new``. With ``report=None`` and no edition named, each report gives its two newest editions. A report
    with a single edition gives no rows. Raises :class:`EditionNotFound` when a name matches no edition or
    several, or when ``old`` and ``new`` belong to different reports.

    Keys of each dict (the columns of the ``fact_changes`` view, ``CHANGE_COLUMNS``):

    - ``change``: "changed" (value differs beyond rounding), "added" (only ``new`` states it), "removed"
      (only ``old`` states it). A figure replaced by the same figure for a newer period is a "removed" plus an
      "added" row (their period_end differ).
    - ``report_key``, ``ticker``, ``company``: the report.
    - ``subject``, ``metric``: as written (newer edition when both state it); ``subject_key``, ``metric_key``,
      ``unit``, ``period_end`` (date or None if undated), ``period_grain``: the match key.
    - ``old_value``, ``new_value`` (base units; None on the side that does not state it), ``relative_change``
      ((new - old) / |old| for "changed"), ``old_value_high``, ``new_value_high`` (ranges).
    - ``old_fact_id``, ``new_fact_id``; ``old_document_id``, ``new_document_id``; ``old_edition_id``,
      ``new_edition_id``; ``old_edition``, ``new_edition`` (labels); ``old_edition_date``, ``new_edition_date``;
      ``old_line_number``, ``new_line_number``; ``old_source_text``, ``new_source_text``: provenance on each side.

    Rows are ordered by report_key, change, subject_key, metric_key, unit, period_end.
    """
    con = _connection(con)
    editions = _editions(con, report)
    if report is not None and not editions:
        raise EditionNotFound(f"no report {report!r} with editions in the warehouse")
    pairs: list[tuple[str, str, str]] = []
    if old is None and new is None:
        by_report: dict[str, list[dict]] = {}
        for e in editions:
            by_report.setdefault(e["report_key"], []).append(e)
        for key, eds in by_report.items():
            if len(eds) >= 2:
                pairs.append((key, eds[-2]["edition_id"], eds[-1]["edition_id"]))
    else:
        n_ed = _pick(editions, new, "new") if new is not None else None
        o_ed = _pick(editions, old, "old") if old is not None else None
        key = (n_ed or o_ed)["report_key"]
        same = [e for e in editions if e["report_key"] == key]
        if n_ed is None:
            n_ed = same[-1]
        if o_ed is None:
            earlier = [e for e in same if e["edition_rank"] < n_ed["edition_rank"]]
            if not earlier:
                return []
            o_ed = earlier[-1]
        if o_ed["report_key"] != n_ed["report_key"]:
            raise EditionNotFound(f"editions {old!r} and {new!r} belong to different reports "
                                  f"({o_ed['report_key']}, {n_ed['report_key']})")
        if o_ed["edition_id"] == n_ed["edition_id"]:
            return []
        pairs.append((key, o_ed["edition_id"], n_ed["edition_id"]))
    if not pairs:
        return []
    rows: list[dict] = []
    con.execute("CREATE OR REPLACE TEMP TABLE _diff_pairs (report_key VARCHAR, old_edition_id VARCHAR, new_edition_id VARCHAR)")
    try:
        con.executemany("INSERT INTO _diff_pairs VALUES (?, ?, ?)", pairs)
        cur = con.execute(
            f"SELECT {', '.join(CHANGE_COLUMNS)} FROM ({_changes_sql()}) "
            "ORDER BY report_key, change, subject_key, metric_key, unit, period_end NULLS FIRST, "
            "coalesce(new_line_number, old_line_number)")
        rows = [dict(zip(CHANGE_COLUMNS, r)) for r in cur.fetchall()]
    finally:
        con.execute("DROP TABLE IF EXISTS _diff_pairs")
    return rows


def change_counts(con, pairs: list[tuple[str, str, str]]) -> dict[tuple[str, str], dict]:
    """For each (report_key, old_edition_id, new_edition_id): {"changed", "added", "removed"} counts and
    ``example_fact_id`` (a fact of the newer edition that changed, else one that was added; None when nothing
    did), keyed by (old_edition_id, new_edition_id), with the rules of ``fact_changes``/``diff_editions``.
    Pairs need not be consecutive; every pair is in the result. One query for all the pairs."""
    con = _connection(con)
    out = {(o, n): {"changed": 0, "added": 0, "removed": 0, "example_fact_id": None} for _, o, n in pairs}
    if not pairs:
        return out
    con.execute("CREATE OR REPLACE TEMP TABLE _diff_pairs (report_key VARCHAR, old_edition_id VARCHAR, new_edition_id VARCHAR)")
    try:
        con.execute("INSERT INTO _diff_pairs SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                    [list(col) for col in zip(*pairs)])
        rows = con.execute(
            "SELECT old_edition_id, new_edition_id, count(*) FILTER (change = 'changed'), "
            "count(*) FILTER (change = 'added'), count(*) FILTER (change = 'removed'), "
            "coalesce(min(new_fact_id) FILTER (change = 'changed'), min(new_fact_id) FILTER (change = 'added')) "
            f"FROM ({_changes_sql()}) GROUP BY ALL").fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS _diff_pairs")
    for o, n, changed, added, removed, example in rows:
        out[(o, n)] = {"changed": changed, "added": added, "removed": removed, "example_fact_id": example}
    return out
