"""The report's tables of documents, editions, changes, conflicts, runs and rejected inputs (HTML fragments)."""
from __future__ import annotations

from warehouse.report.format import e, filter_box, flags_html, fmt_date, fmt_value, sort_attr, table_html


def documents_table(docs: list[dict]) -> str:
    rows = []
    for d in docs:
        langs = ", ".join(d["languages"] or [])
        rows.append(
            f'<tr><td title="{e(d["source_path"])}">{e(d["file_name"])}</td><td><code>{e(d["document_id"])}</code></td>'
            f'<td>{e(d["company"])}</td><td>{e(d["ticker"])}</td><td>{e(langs)}</td>'
            f'<td>{e(d["edition_label"])}</td><td{sort_attr(d["edition_date"])}>{e(fmt_date(d["edition_date"]))}</td>'
            f'<td class="num"{sort_attr(d["edition_count"])}>{d["edition_count"]}</td>'
            f'<td class="num"{sort_attr(d["fact_count"])}>{d["fact_count"]:,}</td>'
            f'<td class="num"{sort_attr(d["line_count"])}>{e(d["line_count"])}</td>'
            f'<td{sort_attr(d["ingested_at"])}>{e(fmt_date(d["ingested_at"]))}</td></tr>')
    return table_html("documents-table", [
        ("File", ""), ("Document id", ""), ("Company", ""), ("Ticker", ""), ("Languages", ""),
        ("Newest edition", ""), ("Edition date", ""), ("Editions", "num"), ("Facts", "num"), ("Lines", "num"),
        ("Ingested", "")], rows, empty="No documents.")


def editions_table(editions: list[dict]) -> str:
    rows = []
    for ed in editions:
        latest = '<span class="badge">latest</span>' if ed["is_latest"] else ""
        rows.append(
            f'<tr><td>{e(ed["ticker"] or ed["report_key"])}</td><td>{e(ed["company"])}</td>'
            f'<td>{e(ed["edition_label"])} {latest}</td><td>{e(", ".join(ed.get("languages") or []))}</td>'
            f'<td{sort_attr(ed["edition_date"])}>{e(fmt_date(ed["edition_date"]))}</td>'
            f'<td class="num"{sort_attr(ed["edition_rank"])}>{ed["edition_rank"]} / {ed["edition_count"]}</td>'
            f'<td>{e(ed["file_name"])}</td>'
            f'<td class="num"{sort_attr(ed["first_line"])}>{e(ed["first_line"])}–{e(ed["last_line"])}</td>'
            f'<td class="num"{sort_attr(ed["fact_count"])}>{ed["fact_count"]:,}</td></tr>')
    return table_html("editions-table", [
        ("Report", ""), ("Company", ""), ("Edition", ""), ("Languages", ""), ("Edition date", ""), ("Rank", "num"), ("File", ""),
        ("Lines", "num"), ("Facts", "num")], rows, empty="No editions.")


def changes_table(table_id: str, rows_in: list[dict]) -> str:
    rows = []
    for c in rows_in:
        rel = c["relative_change"]
        rel_s = f"{rel * 100:+.1f} %" if rel is not None else ""
        unit = c["unit"]
        rows.append(
            f'<tr class="chg-{e(c["change"])}"><td><span class="badge b-{e(c["change"])}">{e(c["change"])}</span></td>'
            f'<td>{e(c["subject"])}</td><td>{e(c["metric"])}</td>'
            f'<td{sort_attr(c["period_end"])}>{e(fmt_date(c["period_end"]))} <span class="muted">{e(c["period_grain"])}</span></td>'
            f'<td class="num"{sort_attr(c["old_value"])} title="{e(c["old_source_text"])}">{e(fmt_value(c["old_value"], unit, c["old_value_high"]))}</td>'
            f'<td class="num"{sort_attr(c["new_value"])} title="{e(c["new_source_text"])}">{e(fmt_value(c["new_value"], unit, c["new_value_high"]))}</td>'
            f'<td class="num"{sort_attr(rel)}>{e(rel_s)}</td>'
            f'<td>{e(c["old_edition"])} → {e(c["new_edition"])}</td>'
            f'<td class="num">{e(c["old_line_number"])} → {e(c["new_line_number"])}</td></tr>')
    if not rows:
        return table_html(table_id, [], [], empty="No changes: the report has a single edition, or its editions agree.")
    return filter_box(table_id, "Filter changes (changed, added, removed, subject…)") + table_html(table_id, [
        ("Change", ""), ("Subject", ""), ("Metric", ""), ("Period end", ""), ("Old value", "num"),
        ("New value", "num"), ("Change %", "num"), ("Editions", ""), ("Lines", "num")], rows, empty="",
        cls="changes", wrap="tablewrap scroll")


def conflicts_table(table_id: str, rows_in: list[dict]) -> str:
    rows = []
    for c in rows_in:
        unit = c["unit"]
        rows.append(
            f'<tr><td>{e(c["scope"].replace("_", " "))}</td><td>{e(c["a_subject"])}</td><td>{e(c["a_metric"])}</td>'
            f'<td{sort_attr(c["period_end"])}>{e(fmt_date(c["period_end"]))} <span class="muted">{e(c["period_grain"])}</span></td>'
            f'<td class="num"{sort_attr(c["a_value"])}>{e(fmt_value(c["a_value"], unit, c["a_value_high"]))}{flags_html(c["a_flags"])}</td>'
            f'<td>“{e(c["a_source_text"])}”<br><span class="muted">{e(c["a_edition"])}, line {e(c["a_line_number"])}</span></td>'
            f'<td class="num"{sort_attr(c["b_value"])}>{e(fmt_value(c["b_value"], unit, c["b_value_high"]))}{flags_html(c["b_flags"])}</td>'
            f'<td>“{e(c["b_source_text"])}”<br><span class="muted">{e(c["b_edition"])}, line {e(c["b_line_number"])}</span></td></tr>')
    if not rows:
        return table_html(table_id, [], [], empty="No conflicts.")
    return table_html(table_id, [
        ("Scope", ""), ("Subject", ""), ("Metric", ""), ("Period end", ""), ("Value A", "num"), ("A as written", ""),
        ("Value B", "num"), ("B as written", "")], rows, empty="")


def fx_conflicts_table(table_id: str, rows_in: list[dict]) -> str:
    """Pairs whose implied exchange rate contradicts the ECB's (view fx_conflicts)."""
    rows = []
    for c in rows_in:
        diff, report_rate, ecb_rate = c["relative_difference"], c["report_rate"], c["ecb_rate"]
        shown_report = f"{report_rate:.6g}"
        shown_ecb = "" if ecb_rate is None else f"{ecb_rate:.6g}"
        shown_diff = "" if diff is None else f"{100 * diff:+.1f} %"
        rows.append(
            f'<tr><td>{e(c["from_currency"])} → {e(c["to_currency"])}</td>'
            f'<td{sort_attr(c["rate_date"])}>{e(fmt_date(c["rate_date"]))}</td>'
            f'<td class="num"{sort_attr(report_rate)}>{e(shown_report)}</td>'
            f'<td class="num"{sort_attr(ecb_rate)}>{e(shown_ecb)}'
            f' <span class="muted">{e(fmt_date(c["ecb_rate_date"]))}</span></td>'
            f'<td class="num"{sort_attr(diff)}>{e(shown_diff)}</td>'
            f'<td>“{e(c["source_text"])}” / “{e(c["equivalent_source_text"])}”<br>'
            f'<span class="muted">{e(c["edition_label"])}, line {e(c["line_number"])}</span></td></tr>')
    if not rows:
        return table_html(table_id, [], [], empty="No exchange-rate contradictions.")
    return table_html(table_id, [
        ("Currencies", ""), ("Date", ""), ("Report rate", "num"), ("ECB rate", "num"), ("Difference", "num"),
        ("As written", "")], rows, empty="")


def runs_table(runs: list[dict]) -> str:
    rows = []
    for r in runs:
        rows.append(
            f'<tr><td><code>{e(r["run_id"])}</code></td><td><span class="badge s-{e(r["status"])}">{e(r["status"])}</span></td>'
            f'<td{sort_attr(r["started_at"])}>{e(fmt_date(r["started_at"]))}</td>'
            f'<td{sort_attr(r["finished_at"])}>{e(fmt_date(r["finished_at"]))}</td>'
            f'<td class="num">{e(r["documents_seen"])}</td><td class="num">{e(r["documents_loaded"])}</td>'
            f'<td class="num">{e(r["documents_rejected"])}</td><td class="num">{e(r["facts_loaded"])}</td>'
            f'<td>{e(r["extractor_version"])}</td><td>{e(r["message"])}</td></tr>')
    return table_html("runs-table", [
        ("Run", ""), ("Status", ""), ("Started", ""), ("Finished", ""), ("Seen", "num"), ("Loaded", "num"),
        ("Rejected", "num"), ("Facts", "num"), ("Extractor", ""), ("Message", "")], rows, empty="No runs.")


def rejected_table(rows_in: list[dict]) -> str:
    rows = [f'<tr><td>{e(r["path"])}</td><td>{e(r["reason"])}</td><td><code>{e(r["run_id"])}</code></td>'
            f'<td{sort_attr(r["rejected_at"])}>{e(fmt_date(r["rejected_at"]))}</td></tr>' for r in rows_in]
    return table_html("rejected-table", [("Path", ""), ("Reason", ""), ("Run", ""), ("Rejected", "")], rows,
                  empty="No rejected inputs.")
