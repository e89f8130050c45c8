"""The report's data: one query per part of the page, each run only when the tables it reads exist (a file
without the schema gives an empty page, not an error)."""
from __future__ import annotations

from typing import Any

from warehouse.queries import canvas_blocks


_QUERIES = {
    "documents": (
        ("documents", "facts", "editions"),
        """
        SELECT d.document_id, d.file_name, d.source_path, d.company, d.ticker, d.edition_label, d.edition_date,
               d.languages, d.line_count, d.byte_size, d.encoding, d.ingested_at,
               (SELECT count(*) FROM facts f WHERE f.document_id = d.document_id) AS fact_count,
               (SELECT count(*) FROM editions e WHERE e.document_id = d.document_id) AS edition_count
        FROM documents d ORDER BY d.ingested_at, d.file_name
        """,
    ),
    "editions": (
        ("editions",),
        "SELECT * FROM editions ORDER BY report_key, edition_rank",
    ),
    "facts": (
        ("facts", "editions"),
        """
        SELECT f.fact_id, f.report_key, f.document_id, f.edition_id, f.edition_label, f.edition_date,
               e.edition_rank, f.block, f.lang, f.subject, f.metric, f.subject_key, f.metric_key,
               f.value, f.value_high, f.unit, f.kind, f.period_start, f.period_end, f.period_grain,
               f.period_label, f.flags, f.source_text, f.sentence, f.line_number, f.char_start
        FROM facts f LEFT JOIN editions e USING (edition_id)
        ORDER BY f.report_key, e.edition_rank, f.document_id, f.line_number, f.char_start, f.fact_id
        """,
    ),
    "changes": (
        ("fact_changes",),
        """
        SELECT * FROM fact_changes
        ORDER BY report_key, new_edition_date, CASE change WHEN 'changed' THEN 0 WHEN 'added' THEN 1 ELSE 2 END, subject_key, metric_key, unit, period_end,
                 coalesce(new_line_number, old_line_number)
        """,
    ),
    "conflicts": (
        ("fact_conflicts",),
        """
        SELECT * FROM fact_conflicts
        ORDER BY report_key, scope, subject_key, metric_key, unit, period_end, a_line_number, b_line_number
        """,
    ),
    "converted": (
        ("facts_converted",),
        "SELECT fact_id, document_id, equivalent_of, value_usd, value_high_usd, fx_source FROM facts_converted",
    ),
    "fx_conflicts": (
        ("fx_conflicts",),
        "SELECT * FROM fx_conflicts ORDER BY report_key, document_id, line_number",
    ),
    "runs": (
        ("runs",),
        """
        SELECT run_id, status, started_at, finished_at, counts.documents_seen AS documents_seen,
               counts.documents_loaded AS documents_loaded, counts.documents_rejected AS documents_rejected,
               counts.facts_loaded AS facts_loaded, extractor_version, message
        FROM runs ORDER BY started_at DESC LIMIT 20
        """,
    ),
    "rejected": (
        ("rejected_inputs",),
        "SELECT path, reason, run_id, rejected_at FROM rejected_inputs ORDER BY rejected_at DESC LIMIT 50",
    ),
}


def load(con) -> dict[str, list[dict[str, Any]]]:
    """Rows (as dicts) of every part of the page, and ``blocks``: the (block, label) list of the canvas_blocks
    lookup table, in reading order."""
    present = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    data: dict[str, list[dict[str, Any]]] = {}
    for name, (needs, sql) in _QUERIES.items():
        if not all(t in present for t in needs):
            data[name] = []
            continue
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        data[name] = [dict(zip(cols, row)) for row in cur.fetchall()]
    data["blocks"] = canvas_blocks(con)
    # every money fact's value in USD and its link to the figure it restates (facts_converted), on the facts
    converted = {(c["document_id"], c["fact_id"]): c for c in data.pop("converted")}
    empty = {"equivalent_of": None, "value_usd": None, "value_high_usd": None, "fx_source": None}
    for f in data["facts"]:
        c = converted.get((f["document_id"], f["fact_id"]), empty)
        f.update({k: c[k] for k in empty})
    return data
