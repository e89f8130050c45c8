"""The report page: header, one section per report, runs; CSS and JavaScript inlined from style.css and
report.js beside this module, so the page stays one self-contained file."""
from __future__ import annotations

from datetime import datetime, timezone
from importlib import resources

from warehouse.report.canvas import canvas_grid, facts_by_block
from warehouse.report.charts import chart_series, charts_html
from warehouse.report.format import e
from warehouse.report.tables import (changes_table, conflicts_table, documents_table, editions_table,
                                     fx_conflicts_table, rejected_table, runs_table)

MAX_CHARTS = 300  # per page; the rest are counted, not drawn


def _asset(name: str) -> str:
    """The text of a file beside this module (style.css, report.js)."""
    return resources.files("warehouse.report").joinpath(name).read_text(encoding="utf-8")


def render_page(data: dict[str, list[dict]], *, db_name: str) -> str:
    docs, editions, facts = data["documents"], data["editions"], data["facts"]
    changes, conflicts = data["changes"], data["conflicts"]
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    reports: dict[str, dict] = {}
    for ed in editions:
        r = reports.setdefault(ed["report_key"], {"ticker": ed["ticker"], "company": ed["company"], "editions": []})
        r["editions"].append(ed)
    for f in facts:
        reports.setdefault(f["report_key"], {"ticker": None, "company": None, "editions": []})
    report_ids = {k: f"report-{i + 1}" for i, k in enumerate(reports)}

    body: list[str] = []
    body.append(f"""<header><h1>canvas-etl report</h1>
<p class="muted">Warehouse <code>{e(db_name)}</code> · generated {e(generated)}</p>
<div class="stats">{_stat(len(docs), "documents")}{_stat(len(editions), "editions")}{_stat(len(reports), "reports")}
{_stat(len(facts), "facts")}{_stat(len(changes), "changes")}{_stat(len(conflicts), "conflicts")}</div>
<nav><a href="#documents">Documents</a> <a href="#editions">Editions</a> """
                + "".join(f'<a href="#{report_ids[k]}">{e(_report_title(k, r))}</a> ' for k, r in reports.items())
                + '<a href="#runs">Runs</a></nav></header>')
    if not docs and not facts:
        body.append('<p class="empty big" id="empty-warehouse">The warehouse holds no documents yet: '
                    "run <code>canvas-etl ingest</code> first.</p>")

    body.append('<section id="documents"><h2>Documents</h2>' + documents_table(docs) + "</section>")
    body.append('<section id="editions"><h2>Editions</h2>' + editions_table(editions) + "</section>")

    series_all = chart_series(facts)
    charts_left = MAX_CHARTS
    for key, r in reports.items():
        rid = report_ids[key]
        rfacts = [f for f in facts if f["report_key"] == key]
        rseries = [s for s in series_all if s["key"][0] == key]
        body.append(f'<section class="report" id="{rid}"><h2>Report {e(_report_title(key, r))}</h2>')
        body.append(f'<p class="muted">{e(r["company"] or "")} · report key <code>{e(key)}</code> · '
                    f'{len(r["editions"])} edition(s) · {len(rfacts)} facts</p>')
        body.append(f'<h3 id="{rid}-canvas">Facts per canvas block</h3>' + canvas_grid(rid, rfacts, data["blocks"]))
        drawn = rseries[:max(charts_left, 0)]
        charts_left -= len(drawn)
        body.append(f'<h3 id="{rid}-charts">Figures over periods and editions ({len(rseries)})</h3>'
                    + charts_html(drawn, len(rseries)))
        rchanges = [c for c in changes if c["report_key"] == key]
        body.append(f'<h3 id="{rid}-changes">Changes between editions ({len(rchanges)})</h3>'
                    + changes_table(f"{rid}-changes-table", rchanges))
        rconf = [c for c in conflicts if c["report_key"] == key]
        body.append(f'<h3 id="{rid}-conflicts">Conflicts ({len(rconf)})</h3>'
                    + conflicts_table(f"{rid}-conflicts-table", rconf))
        rfx = [c for c in data.get("fx_conflicts", []) if c["report_key"] == key]
        body.append(f'<h3 id="{rid}-fx-conflicts">Exchange rates contradicting the ECB ({len(rfx)})</h3>'
                    + fx_conflicts_table(f"{rid}-fx-conflicts-table", rfx))
        body.append(f'<h3 id="{rid}-facts">Facts by canvas block</h3>' + facts_by_block(rid, rfacts, data["blocks"]))
        body.append("</section>")
    body.append('<section id="runs"><h2>Runs</h2>' + runs_table(data["runs"])
                + (("<h3>Rejected inputs</h3>" + rejected_table(data["rejected"])) if data["rejected"] else "")
                + "</section>")

    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="canvas-etl report">
<title>canvas-etl report — {e(db_name)}</title>
<link rel="icon" href="data:,">
<style>
{_asset("style.css")}</style>
</head>
<body>
{''.join(body)}
<footer class="muted">canvas-etl · values in base units, shown with M (million), bn (billion), tn (trillion).
Hollow points: approximate figures; vertical bars: ranges. Money is charted in one currency: USD (view facts_converted)
when every figure of the chart converts, else as written; a figure restated in another currency (equivalent) is never
a point of its own; one line per period grain.</footer>
<script>
{_asset("report.js")}</script>
</body>
</html>
"""


def _stat(n: int, label: str) -> str:
    return f'<div class="stat"><b>{n:,}</b><span>{e(label)}</span></div>'


def _report_title(key: str, r: dict) -> str:
    return str(r.get("ticker") or key)
