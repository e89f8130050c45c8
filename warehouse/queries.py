"""Named queries of the command line: each takes an open connection (read-only is enough) and parameters,
and returns rows. The commands in ``flows/cli/`` call these and only format the results.

Every user value reaches DuckDB as a bound parameter (``?``), never formatted into the SQL text; the only
names formatted into SQL come from the fixed lists below (tables, columns, orders).
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import duckdb

from warehouse.store import apply_schema

# ---- the warehouse itself --------------------------------------------------------------------------


def is_canvas_warehouse(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the file holds the canvas-etl views (facts_latest)."""
    try:
        return bool(con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = 'facts_latest' AND NOT temporary"
        ).fetchone()[0])
    except duckdb.Error:
        return False


def run_sql(con: duckdb.DuckDBPyConnection, text: str) -> tuple[list[str] | None, list[tuple]]:
    """The user's SQL, passed through: (column names, rows) of the last statement; (None, []) when it returns
    no result set. DuckDB errors propagate."""
    cur = con.execute(text)
    if cur.description is None:
        return None, []
    return [d[0] for d in cur.description], cur.fetchall()


# ---- facts -----------------------------------------------------------------------------------------
_FACTS_ORDER = {
    "facts": "report_key, edition_date NULLS FIRST, document_id, line_number, char_start",
    "facts_latest": "report_key, subject_key, metric_key, unit, period_end",
}


CURRENCIES = ("USD", "EUR")  # what facts_converted converts to


def _converted_source(source: str, currency: str) -> str:
    """``source`` (facts or facts_latest) restricted to money facts, with their value in ``currency`` (one of
    CURRENCIES) and the rate's provenance from facts_converted."""
    if currency not in CURRENCIES:
        raise ValueError(f"cannot convert to {currency!r}; currencies: {', '.join(CURRENCIES)}")
    low, sfx = currency.lower(), "" if currency == "USD" else "_eur"
    return (f"(SELECT s.*, '{currency}' AS currency, c.value_{low} AS value_converted, "
            f"c.value_high_{low} AS value_high_converted, c.rate_{low} AS fx_rate, c.fx_source{sfx} AS fx_source, "
            f"c.fx_rate_date{sfx} AS fx_rate_date, c.fx_fact_id{sfx} AS fx_fact_id, c.fx_reason "
            f"FROM {source} s JOIN facts_converted c ON c.fact_id = s.fact_id AND c.document_id = s.document_id)")


def find_facts(con: duckdb.DuckDBPyConnection, *, latest: bool = False, ticker: str | None = None,
               block: str | None = None, metric: str | None = None, subject: str | None = None,
               period_end: date | None = None, limit: int = 0,
               currency: str | None = None) -> tuple[int, list[str], list[tuple]]:
    """Facts (or, with ``latest``, rows of facts_latest) matching every filter given: (total matching,
    column names, rows), rows in reading order and at most ``limit`` of them (0: all).

    ``ticker``: equal, case ignored. ``metric``/``subject``: the text or its key contains this text, case and
    accents ignored. ``block``, ``period_end``: equal. ``currency`` (USD or EUR): money facts only, each with
    ``currency``, ``value_converted``, ``value_high_converted``, ``fx_rate``, ``fx_source``, ``fx_rate_date``,
    ``fx_fact_id`` and ``fx_reason`` (view facts_converted)."""
    where: list[str] = []
    params: list[Any] = []
    if ticker:
        where.append("upper(ticker) = upper(?)")
        params.append(ticker.strip())
    if block:
        where.append("block = ?")
        params.append(block)
    for column, text in (("metric", metric), ("subject", subject)):
        if text:
            where.append(
                f"(contains(strip_accents(lower({column})), strip_accents(lower(?))) "
                f"OR contains(strip_accents(lower({column}_key)), strip_accents(lower(?))))"
            )
            params += [text, text]
    if period_end:
        where.append("period_end = ?")
        params.append(period_end)
    source = "facts_latest" if latest else "facts"
    order = _FACTS_ORDER[source]
    if currency:
        source = _converted_source(source, currency.upper())
    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    total = con.execute(f"SELECT count(*) FROM {source}{where_sql}", params).fetchone()[0]
    sql = f"SELECT * FROM {source}{where_sql} ORDER BY {order}"
    if limit:
        sql += " LIMIT ?"
    cur = con.execute(sql, params + ([limit] if limit else []))
    return total, [d[0] for d in cur.description], cur.fetchall()


_FACT_WITH_PROVENANCE = """
SELECT f.*, d.source_path, d.file_name, d.sha256, d.encoding,
       e.edition_rank, e.edition_count, e.is_latest
FROM facts f
JOIN documents d ON d.document_id = f.document_id
LEFT JOIN editions e ON e.edition_id = f.edition_id
WHERE f.fact_id = ?
"""


def fact_with_provenance(con: duckdb.DuckDBPyConnection, fact_id: str) -> dict | None:
    """Every column of one fact, with its document's source_path, file_name, sha256 and encoding and its
    edition's rank, count and is_latest; None if there is no such fact."""
    cur = con.execute(_FACT_WITH_PROVENANCE, [fact_id])
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))


def fact_ids_starting(con: duckdb.DuckDBPyConnection, prefix: str, limit: int = 6) -> list[str]:
    """Up to ``limit`` fact ids starting with ``prefix``, in order."""
    return [r[0] for r in con.execute(
        "SELECT fact_id FROM facts WHERE starts_with(fact_id, ?) ORDER BY fact_id LIMIT ?", [prefix, limit]
    ).fetchall()]


def other_source_paths(con: duckdb.DuckDBPyConnection, document_id: str, source_path: str) -> list[str]:
    """The other paths the document's bytes were seen under, first seen first."""
    return [r[0] for r in con.execute(
        "SELECT source_path FROM document_sources WHERE document_id = ? AND source_path <> ? ORDER BY first_seen_at",
        [document_id, source_path]).fetchall()]


def newest_value(con: duckdb.DuckDBPyConnection, fact: dict) -> tuple | None:
    """(fact_id, value, unit, edition_label, line_number) of the facts_latest row of the same figure as
    ``fact`` (same report, keys, unit, period end and grain), or None."""
    return con.execute(
        """SELECT fact_id, value, unit, edition_label, line_number FROM facts_latest
           WHERE report_key = ? AND subject_key = ? AND metric_key = ? AND unit = ? AND period_end = ?
             AND period_grain IS NOT DISTINCT FROM ?""",
        [fact["report_key"], fact["subject_key"], fact["metric_key"], fact["unit"], fact["period_end"],
         fact["period_grain"]],
    ).fetchone()


def conflicts_of(con: duckdb.DuckDBPyConnection, fact_id: str) -> list[tuple]:
    """(other fact_id, its value, its edition label, its line) for every fact_conflicts pair holding ``fact_id``."""
    return con.execute(
        """SELECT CASE WHEN a_fact_id = ? THEN b_fact_id ELSE a_fact_id END,
                  CASE WHEN a_fact_id = ? THEN b_value ELSE a_value END,
                  CASE WHEN a_fact_id = ? THEN b_edition ELSE a_edition END,
                  CASE WHEN a_fact_id = ? THEN b_line_number ELSE a_line_number END
           FROM fact_conflicts WHERE a_fact_id = ? OR b_fact_id = ?""",
        [fact_id] * 6,
    ).fetchall()


def _has_relation(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main' "
        "AND table_catalog = current_database()", [name]).fetchone()[0])


def conversion_of(con: duckdb.DuckDBPyConnection, fact_id: str) -> dict | None:
    """The facts_converted row of a money fact, with the pair of each report rate (``usd_pair``/``eur_pair``: the
    fx_rates row of that pair as a dict), or None (not money, or a file made before facts_converted)."""
    if not _has_relation(con, "facts_converted"):
        return None
    cur = con.execute("SELECT * FROM facts_converted WHERE fact_id = ?", [fact_id])
    row = cur.fetchone()
    if row is None:
        return None
    out = dict(zip([d[0] for d in cur.description], row))
    for key, pair in (("usd_pair", out["fx_fact_id"]), ("eur_pair", out["fx_fact_id_eur"])):
        out[key] = None
        if pair is not None:
            c = con.execute("SELECT * FROM fx_rates WHERE source = 'report' AND equivalent_fact_id = ? "
                            "AND document_id = ? LIMIT 1", [pair, out["document_id"]])
            r = c.fetchone()
            out[key] = None if r is None else dict(zip([d[0] for d in c.description], r))
    return out


def fx_conflicts_of(con: duckdb.DuckDBPyConnection, fact_id: str) -> list[dict]:
    """The fx_conflicts rows (a pair whose rate contradicts the ECB's) holding ``fact_id``."""
    if not _has_relation(con, "fx_conflicts"):
        return []
    cur = con.execute("SELECT * FROM fx_conflicts WHERE ? IN (fact_id, equivalent_fact_id) ORDER BY line_number",
                      [fact_id])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def restatements_of(con: duckdb.DuckDBPyConnection, fact: dict) -> list[tuple]:
    """(fact_id, value, unit, source_text) of the facts restating ``fact`` in another currency or unit
    (their equivalent_of is it), in reading order."""
    if "equivalent_of" not in fact:
        return []
    return con.execute(
        "SELECT fact_id, value, unit, source_text FROM facts WHERE document_id = ? AND equivalent_of = ? "
        "ORDER BY char_start", [fact["document_id"], fact["fact_id"]]).fetchall()


# ---- export ----------------------------------------------------------------------------------------
EXPORT_TABLES = ("facts", "documents")
EXPORT_FORMATS = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER true"}


def export_table(con: duckdb.DuckDBPyConnection, table: str, target: str, fmt: str, *,
                 overwrite: bool = False) -> tuple[int, int]:
    """Write ``table`` (one of EXPORT_TABLES) under the folder ``target``, partitioned by ticker (Hive layout),
    as ``fmt`` (parquet, or csv with a header row); returns (rows, partitions)."""
    if table not in EXPORT_TABLES:
        raise ValueError(f"cannot export {table!r}; tables: {', '.join(EXPORT_TABLES)}")
    options = EXPORT_FORMATS[fmt] + ", PARTITION_BY (ticker)" + (", OVERWRITE" if overwrite else "")
    rows, parts = con.execute(f"SELECT count(*), count(DISTINCT coalesce(ticker, '')) FROM {table}").fetchone()
    con.execute(f"COPY (SELECT * FROM {table}) TO ? ({options})", [str(target)])
    return rows, parts


# ---- lookup tables ---------------------------------------------------------------------------------
LOOKUP_TABLES = {  # table: (key column, order)
    "canvas_blocks": ("block", "position"),
    "fact_kinds": ("kind", "kind"),
    "period_grains": ("grain", "grain"),
    "fact_flags": ("flag", "flag"),
    "period_sources": ("source", "source"),
}


@lru_cache(maxsize=None)
def _schema_lookup(table: str) -> tuple[tuple, ...]:
    con = duckdb.connect(":memory:")
    try:
        apply_schema(con)
        return tuple(con.execute(f"SELECT * FROM {table} ORDER BY {LOOKUP_TABLES[table][1]}").fetchall())
    finally:
        con.close()


def lookup_rows(con: duckdb.DuckDBPyConnection | None, table: str) -> list[tuple]:
    """Every row of the lookup table ``table`` (see LOOKUP_TABLES), in order: from ``con`` when it has the
    table, else (no connection, or a file made before the lookup tables) from warehouse/schema.sql itself."""
    if table not in LOOKUP_TABLES:
        raise ValueError(f"{table!r} is not a lookup table; tables: {', '.join(LOOKUP_TABLES)}")
    if con is not None and con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
            "AND database_name = current_database()", [table]).fetchone()[0]:
        return con.execute(f"SELECT * FROM {table} ORDER BY {LOOKUP_TABLES[table][1]}").fetchall()
    return list(_schema_lookup(table))


def canvas_blocks(con: duckdb.DuckDBPyConnection | None = None) -> list[tuple[str, str]]:
    """(block, label) of the canvas blocks in reading order (lookup table canvas_blocks)."""
    return [(block, label) for block, label, _ in lookup_rows(con, "canvas_blocks")]


# ---- one run's outcome (flows/notify.py) and `canvas-etl status` --------------------------------------
def _dicts(cur) -> list[dict]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def documents_at_paths(con: duckdb.DuckDBPyConnection, paths: list[str]) -> dict[str, dict]:
    """For each path known to ``document_sources`` (the bytes it was last seen with): document_id, report_key,
    edition_label, edition_date (the document's newest edition) and facts (facts of the document); keyed by
    path. Paths the warehouse does not know are left out."""
    if not paths:
        return {}
    cur = con.execute(
        """WITH p AS (SELECT DISTINCT unnest(?::VARCHAR[]) AS source_path),
                s AS (SELECT s.source_path, arg_max(s.document_id, s.first_seen_at) AS document_id
                      FROM document_sources s JOIN p USING (source_path) GROUP BY s.source_path),
                f AS (SELECT document_id, any_value(report_key) AS report_key, count(*) AS facts
                      FROM facts WHERE document_id IN (SELECT document_id FROM s) GROUP BY document_id)
           SELECT s.source_path, s.document_id, f.report_key, d.edition_label, d.edition_date,
                  coalesce(f.facts, 0) AS facts
           FROM s JOIN documents d USING (document_id) LEFT JOIN f USING (document_id)""",
        [list(paths)])
    return {r["source_path"]: r for r in _dicts(cur)}


def run_rejections(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """The inputs run ``run_id`` rejected: path, sha256 (None when unread), reason, rejected_at; in order."""
    return _dicts(con.execute(
        "SELECT path, sha256, reason, rejected_at FROM rejected_inputs WHERE run_id = ? ORDER BY rejected_at, path",
        [run_id]))


def newest_editions_of_run(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """Reports whose newest edition was loaded by run ``run_id``: report_key, ticker, company, the new edition
    (new_edition_id, new_edition, new_edition_date, document_id, fact_count, edition_count) and the edition
    before it (old_edition_id, old_edition, old_edition_date, old_document_id; None for a new report),
    by report_key."""
    return _dicts(con.execute(
        """WITH e AS (SELECT * FROM editions),
                run_docs AS (SELECT document_id FROM documents WHERE run_id = ?)
           SELECT n.report_key, n.ticker, n.company,
                  n.edition_id AS new_edition_id, n.edition_label AS new_edition, n.edition_date AS new_edition_date,
                  n.document_id, n.fact_count, n.edition_count,
                  o.edition_id AS old_edition_id, o.edition_label AS old_edition, o.edition_date AS old_edition_date,
                  o.document_id AS old_document_id
           FROM e n LEFT JOIN e o ON o.edition_id = n.previous_edition_id
           WHERE n.is_latest AND n.document_id IN (SELECT document_id FROM run_docs)
           ORDER BY n.report_key""",
        [run_id]))


def newest_editions(con: duckdb.DuckDBPyConnection, limit: int = 25) -> tuple[int, list[dict]]:
    """(number of reports, the newest edition of up to ``limit`` reports, most recently loaded first):
    report_key, edition_label, edition_date, edition_count, fact_count, file_name, ingested_at."""
    cur = con.execute(
        """SELECT report_key, edition_label, edition_date, edition_count, fact_count, file_name, ingested_at,
                  count(*) OVER () AS n_reports
           FROM editions WHERE is_latest ORDER BY ingested_at DESC, report_key LIMIT ?""", [limit])
    rows = _dicts(cur)
    total = rows[0].pop("n_reports") if rows else 0
    for r in rows[1:]:
        r.pop("n_reports")
    return total, rows


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[dict]:
    """The ``limit`` newest runs, newest first: run_id, flow_run_id, started_at, finished_at, seconds (None
    while running or if the process died), status, the counts (documents_seen, documents_loaded,
    documents_unchanged, documents_rejected, facts_loaded) and message."""
    return _dicts(con.execute(
        """SELECT run_id, flow_run_id, started_at, finished_at,
                  round(epoch(finished_at - started_at), 3) AS seconds, status,
                  counts.documents_seen, counts.documents_loaded, counts.documents_unchanged,
                  counts.documents_rejected, counts.facts_loaded, message
           FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?""", [limit]))


def outstanding_rejections(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Files rejected and not loaded since: per path, its latest rejection (reason, rejected_at, run_id,
    sha256, times = rejections of the path so far), when no bytes were loaded from that path after it (no
    ``document_sources`` row for the path first seen later). Newest first. A file fixed back to bytes the
    warehouse already held under that path leaves no new row: its rejection stays until a path is loaded."""
    return _dicts(con.execute(
        """WITH last AS (
               SELECT path, arg_max(reason, rejected_at) AS reason, max(rejected_at) AS rejected_at,
                      arg_max(run_id, rejected_at) AS run_id, arg_max(sha256, rejected_at) AS sha256,
                      count(*) AS times
               FROM rejected_inputs GROUP BY path)
           SELECT l.path, l.reason, l.rejected_at, l.run_id, l.sha256, l.times
           FROM last l
           WHERE NOT EXISTS (SELECT 1 FROM document_sources s
                             WHERE s.source_path = l.path AND s.first_seen_at > l.rejected_at)
           ORDER BY l.rejected_at DESC, l.path"""))
