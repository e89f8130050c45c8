"""`canvas-etl report`: one self-contained static HTML page describing a warehouse.

    from warehouse.report import render_report
    render_report("warehouse/canvas.duckdb", "report.html")   # -> "report.html"

The page needs no server and no network: inline CSS, inline SVG charts drawn here in Python, and a
few lines of inline JavaScript (sortable tables, a filter box). It shows the documents and editions, the
facts of each report per canvas block, the changes between editions (``fact_changes``), the conflicts
(``fact_conflicts``), a chart of every figure stated for several periods or editions, and the runs.

The warehouse is opened read-only (:class:`warehouse.store.Warehouse`), so a report can be drawn while
analysts are reading the file (not while a writer holds it: it then waits ``lock_timeout``). Every piece of
text from the warehouse is HTML-escaped. An empty warehouse (or a file without the schema) gives a page
that says so.
"""
from __future__ import annotations

import html
import math
import os
from collections import defaultdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from warehouse.store import Warehouse

# Canvas blocks in the usual reading order, with English and French names.
BLOCKS: tuple[tuple[str, str, str], ...] = (
    ("key_partners", "Key partners", "Partenaires clés"),
    ("key_activities", "Key activities", "Activités clés"),
    ("key_resources", "Key resources", "Ressources clés"),
    ("value_propositions", "Value propositions", "Propositions de valeur"),
    ("customer_relationships", "Customer relationships", "Relations clients"),
    ("channels", "Channels", "Canaux"),
    ("customer_segments", "Customer segments", "Segments de clientèle"),
    ("cost_structure", "Cost structure", "Structure de coûts"),
    ("revenue_streams", "Revenue streams", "Flux de revenus"),
)
BLOCK_NAMES = {key: en for key, en, _ in BLOCKS}
OUTSIDE = "Outside the canvas"
# grid-area of each block in the classic canvas layout (see CSS .canvas)
_GRID = {
    "key_partners": "kp", "key_activities": "ka", "key_resources": "kr", "value_propositions": "vp",
    "customer_relationships": "cr", "channels": "ch", "customer_segments": "cs",
    "cost_structure": "co", "revenue_streams": "rs",
}
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")
MAX_CHARTS = 300  # per page; the rest are counted, not drawn


def render_report(db_path: str, out_path: str) -> str:
    """Write the HTML report of the warehouse ``db_path`` to ``out_path`` and return ``out_path``."""
    path = Path(db_path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {db_path}")
    with Warehouse(path, read_only=True) as wh:
        data = _load(wh.con)
    page = _render_page(data, db_name=path.name)
    out = Path(out_path).expanduser()
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return str(out_path)


# ------------------------------------------------------------------------------------------------
# Data

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


def _load(con) -> dict[str, list[dict[str, Any]]]:
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
    return data


# ------------------------------------------------------------------------------------------------
# Formatting

def e(x: Any) -> str:
    """Escaped text of a value ('' for None)."""
    if x is None:
        return ""
    return html.escape(str(x), quote=True)


def _trim(x: float, decimals: int = 3) -> str:
    s = f"{x:,.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"))


def fmt_number(v: float | None) -> str:
    """1.6e9 -> '1.6 bn', 824e6 -> '824 M', 3073 -> '3,073', 39.5 -> '39.5'."""
    if v is None:
        return ""
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    a = abs(v)
    for scale, suffix in _SCALES:
        if a >= scale:
            return f"{_trim(v / scale)} {suffix}"
    return _trim(v)


def fmt_value(value: float | None, unit: str | None, value_high: float | None = None) -> str:
    """A value in base units with its unit: '1.6 bn USD', '39.5 %', '824 M', '2 petabyte', '1–2 bn CNY'."""
    if value is None:
        return ""
    if value_high is not None and value_high != value:
        num = f"{fmt_number(value)} – {fmt_number(value_high)}"
    else:
        num = fmt_number(value)
    if unit in (None, "", "count"):
        return num
    if unit == "percent":
        return f"{num} %"
    return f"{num} {unit}"


def fmt_date(d: Any) -> str:
    if d is None:
        return ""
    if isinstance(d, datetime):
        return d.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if d.tzinfo else d.strftime("%Y-%m-%d %H:%M")
    if isinstance(d, date):
        return d.isoformat()
    return str(d)


def fmt_period(label: Any, end: Any, grain: Any) -> str:
    """Escaped HTML: the period as written, with its end date and grain underneath."""
    parts = [e(label)] if label else []
    meta = " · ".join(x for x in (fmt_date(end), grain or "") if x)
    if meta:
        parts.append(f'<span class="muted">{e(meta)}</span>')
    return "<br>".join(parts)


def _flags(flags: Iterable[str] | None) -> str:
    return "".join(f'<span class="flag flag-{e(f)}">{e(f)}</span>' for f in (flags or ()))


def _num_attr(v: Any) -> str:
    """data-sort attribute for numeric / date cells (so sorting is by value, not by the shown text)."""
    if v is None:
        return ' data-sort=""'
    if isinstance(v, (date, datetime)):
        return f' data-sort="{e(v.isoformat())}"'
    return f' data-sort="{e(repr(float(v)))}"'


def _table(table_id: str, headers: list[tuple[str, str]], rows: list[str], *, empty: str, cls: str = "",
           wrap: str = "tablewrap") -> str:
    """headers: (label, css class); rows: pre-rendered <tr> strings."""
    if not rows:
        return f'<p class="empty">{e(empty)}</p>'
    head = "".join(f'<th class="{c}" title="Click to sort">{e(h)}</th>' for h, c in headers)
    return (f'<div class="{wrap}"><table id="{table_id}" class="sortable {cls}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _filter_box(target: str, placeholder: str) -> str:
    return (f'<input type="search" class="filter" data-filter="{e(target)}" '
            f'placeholder="{e(placeholder)}" aria-label="{e(placeholder)}">')


# ------------------------------------------------------------------------------------------------
# Charts (inline SVG)

def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if lo == hi:
        lo, hi = (lo - 1, hi + 1) if lo == 0 else (min(0.0, lo), max(0.0, hi))
    span = hi - lo
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = mag
    for m in (1, 2, 2.5, 5, 10):
        step = m * mag
        if span / step <= n:
            break
    start = math.floor(lo / step + 1e-9) * step
    end = math.ceil(hi / step - 1e-9) * step
    count = int(round((end - start) / step))
    return [start + i * step for i in range(count + 1)]


def _chart_series(facts: list[dict]) -> list[dict]:
    """Figures stated for several periods or in several editions: one series per (report, subject_key,
    metric_key, unit). Retracted facts and facts without subject/metric keys are left out."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for f in facts:
        if not f["subject_key"] or not f["metric_key"] or f["value"] is None:
            continue
        if "retracted" in (f["flags"] or ()):
            continue
        groups[(f["report_key"], f["subject_key"], f["metric_key"], f["unit"])].append(f)
    out = []
    for key, pts in groups.items():
        periods = {p["period_end"] for p in pts if p["period_end"] is not None}
        eds = {p["edition_id"] for p in pts}
        if len(periods) < 2 and len(eds) < 2:
            continue
        latest = max(pts, key=lambda p: (p["edition_rank"] or 0, -(p["line_number"] or 0)))
        out.append({"key": key, "points": pts, "mode": "time" if len(periods) >= 2 else "edition",
                    "subject": latest["subject"], "metric": latest["metric"]})
    out.sort(key=lambda s: (s["key"][0], -len(s["points"]), s["key"][1], s["key"][2], s["key"][3] or ""))
    return out


def _point_title(p: dict) -> str:
    bits = [fmt_value(p["value"], p["unit"], p["value_high"])]
    if p["period_label"] or p["period_end"]:
        bits.append(f"period {p['period_label'] or ''} {('(' + fmt_date(p['period_end']) + ')') if p['period_end'] else ''}".strip())
    bits.append(f"edition {p['edition_label'] or '?'}, line {p['line_number']}")
    if p["source_text"]:
        bits.append(f"“{p['source_text']}”")
    if p["flags"]:
        bits.append("flags: " + ", ".join(p["flags"]))
    return "\n".join(bits)


def chart_svg(series: dict, *, width: int = 560, height: int = 250) -> tuple[str, list[tuple[str, str]]]:
    """(svg markup, legend [(color, label)]) for one series from :func:`_chart_series`."""
    ml, mr, mt, mb = 70, 16, 24, 38
    pw, ph = width - ml - mr, height - mt - mb
    pts = series["points"]
    mode = series["mode"]
    lines: dict[tuple, list[dict]] = defaultdict(list)
    if mode == "time":
        pts = [p for p in pts if p["period_end"] is not None]
        for p in pts:
            lines[(p["edition_rank"] or 0, p["edition_label"] or "", p["period_grain"] or "")].append(p)
        xs_raw = sorted({p["period_end"].toordinal() for p in pts})
        x0, x1 = xs_raw[0], xs_raw[-1]
        pad = (x1 - x0) * 0.05

        def xpos(p: dict) -> float:
            return ml + pw * ((p["period_end"].toordinal() - x0 + pad) / (x1 - x0 + 2 * pad))

        shown = sorted({p["period_end"] for p in pts})
        if len(shown) > 6:
            idx = sorted({round(i * (len(shown) - 1) / 5) for i in range(6)})
            shown = [shown[i] for i in idx]
        xticks = [(ml + pw * ((d.toordinal() - x0 + pad) / (x1 - x0 + 2 * pad)), d.strftime("%b %Y")) for d in shown]
        if len({d.year for d in shown}) == len(shown) and all(d.month == shown[0].month for d in shown):
            xticks = [(x, lab[-4:]) for x, lab in xticks]
    else:
        ranks = sorted({(p["edition_rank"] or 0, p["edition_label"] or "") for p in pts})
        slot = {r: i for i, r in enumerate(ranks)}
        for p in pts:
            lines[(0, "all editions", "")].append(p)

        def xpos(p: dict) -> float:
            return ml + pw * ((slot[(p["edition_rank"] or 0, p["edition_label"] or "")] + 0.5) / len(ranks))

        xticks = [(ml + pw * ((i + 0.5) / len(ranks)), lab) for i, (_, lab) in enumerate(ranks)]

    values = [p["value"] for p in pts] + [p["value_high"] for p in pts if p["value_high"] is not None]
    yt = _nice_ticks(min(0.0, min(values)), max(0.0, max(values)))
    y0, y1 = yt[0], yt[-1]

    def ypos(v: float) -> float:
        return mt + ph * (1 - (v - y0) / (y1 - y0))

    svg = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{e(series["subject"])} {e(series["metric"])}">']
    for t in yt:
        y = ypos(t)
        svg.append(f'<line class="grid" x1="{ml}" x2="{ml + pw}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text class="ytick" x="{ml - 6}" y="{y + 3.5:.1f}" text-anchor="end">{e(fmt_number(t))}</text>')
    svg.append(f'<line class="axis" x1="{ml}" x2="{ml}" y1="{mt}" y2="{mt + ph}"/>'
               f'<line class="axis" x1="{ml}" x2="{ml + pw}" y1="{mt + ph}" y2="{mt + ph}"/>')
    if y0 < 0 < y1:
        svg.append(f'<line class="zero" x1="{ml}" x2="{ml + pw}" y1="{ypos(0):.1f}" y2="{ypos(0):.1f}"/>')
    last_x = -1e9
    for x, lab in xticks:
        if x - last_x < 56:  # no overlapping labels: keep the first of crowded ones
            continue
        last_x = x
        svg.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{mt + ph}" y2="{mt + ph + 4}"/>'
                   f'<text class="xtick" x="{x:.1f}" y="{mt + ph + 16}" text-anchor="middle">{e(lab[:22])}</text>')
    unit = series["key"][3]
    ylabel = {"percent": "%", "count": "count"}.get(unit or "", unit or "")
    svg.append(f'<text class="ylabel" x="{ml - 6}" y="{mt - 12}" text-anchor="end">{e(ylabel)}</text>')
    xlabel = "period end" if mode == "time" else "edition"
    svg.append(f'<text class="xlabel" x="{ml + pw}" y="{height - 4}" text-anchor="end">{e(xlabel)}</text>')

    legend: list[tuple[str, str]] = []
    for i, (gkey, gpts) in enumerate(sorted(lines.items(), key=lambda kv: kv[0])):
        color = PALETTE[i % len(PALETTE)]
        gpts = sorted(gpts, key=lambda p: (xpos(p), p["line_number"] or 0))
        if mode == "time":
            legend.append((color, " · ".join(x for x in (gkey[1], gkey[2]) if x) or "—"))
            path_pts = gpts
        else:
            legend.append((color, "value per edition"))
            first: dict[float, dict] = {}
            for p in sorted(gpts, key=lambda p: ("equivalent" in (p["flags"] or ()), p["line_number"] or 0)):
                first.setdefault(xpos(p), p)
            path_pts = [first[x] for x in sorted(first)]
        if len(path_pts) >= 2:
            coords = " ".join(f"{xpos(p):.1f},{ypos(p['value']):.1f}" for p in path_pts)
            svg.append(f'<polyline class="series" points="{coords}" stroke="{color}"/>')
        for p in gpts:
            x, y = xpos(p), ypos(p["value"])
            if p["value_high"] is not None and p["value_high"] != p["value"]:
                svg.append(f'<line class="range" x1="{x:.1f}" x2="{x:.1f}" y1="{y:.1f}" '
                           f'y2="{ypos(p["value_high"]):.1f}" stroke="{color}"/>')
            hollow = "equivalent" in (p["flags"] or ()) or "approx" in (p["flags"] or ())
            fill = "#fff" if hollow else color
            svg.append(f'<circle class="pt" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="{color}" '
                       f'data-value="{e(repr(float(p["value"])))}"><title>{e(_point_title(p))}</title></circle>')
    svg.append("</svg>")
    return "".join(svg), legend


# ------------------------------------------------------------------------------------------------
# Page

def _render_page(data: dict[str, list[dict]], *, db_name: str) -> str:
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

    body.append('<section id="documents"><h2>Documents</h2>' + _documents_table(docs) + "</section>")
    body.append('<section id="editions"><h2>Editions</h2>' + _editions_table(editions) + "</section>")

    series_all = _chart_series(facts)
    charts_left = MAX_CHARTS
    for key, r in reports.items():
        rid = report_ids[key]
        rfacts = [f for f in facts if f["report_key"] == key]
        rseries = [s for s in series_all if s["key"][0] == key]
        body.append(f'<section class="report" id="{rid}"><h2>Report {e(_report_title(key, r))}</h2>')
        body.append(f'<p class="muted">{e(r["company"] or "")} · report key <code>{e(key)}</code> · '
                    f'{len(r["editions"])} edition(s) · {len(rfacts)} facts</p>')
        body.append(f'<h3 id="{rid}-canvas">Facts per canvas block</h3>' + _canvas_grid(rid, rfacts))
        drawn = rseries[:max(charts_left, 0)]
        charts_left -= len(drawn)
        body.append(f'<h3 id="{rid}-charts">Figures over periods and editions ({len(rseries)})</h3>'
                    + _charts(drawn, len(rseries)))
        rchanges = [c for c in changes if c["report_key"] == key]
        body.append(f'<h3 id="{rid}-changes">Changes between editions ({len(rchanges)})</h3>'
                    + _changes_table(f"{rid}-changes-table", rchanges))
        rconf = [c for c in conflicts if c["report_key"] == key]
        body.append(f'<h3 id="{rid}-conflicts">Conflicts ({len(rconf)})</h3>'
                    + _conflicts_table(f"{rid}-conflicts-table", rconf))
        body.append(f'<h3 id="{rid}-facts">Facts by canvas block</h3>' + _facts_by_block(rid, rfacts))
        body.append("</section>")
    body.append('<section id="runs"><h2>Runs</h2>' + _runs_table(data["runs"])
                + (("<h3>Rejected inputs</h3>" + _rejected_table(data["rejected"])) if data["rejected"] else "")
                + "</section>")

    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="canvas-etl report">
<title>canvas-etl report — {e(db_name)}</title>
<link rel="icon" href="data:,">
<style>{_CSS}</style>
</head>
<body>
{''.join(body)}
<footer class="muted">canvas-etl · values in base units, shown with M (million), bn (billion), tn (trillion).
Hollow points: approximate or converted (equivalent) figures; vertical bars: ranges.</footer>
<script>{_JS}</script>
</body>
</html>
"""


def _stat(n: int, label: str) -> str:
    return f'<div class="stat"><b>{n:,}</b><span>{e(label)}</span></div>'


def _report_title(key: str, r: dict) -> str:
    return str(r.get("ticker") or key)


def _documents_table(docs: list[dict]) -> str:
    rows = []
    for d in docs:
        langs = ", ".join(d["languages"] or [])
        rows.append(
            f'<tr><td title="{e(d["source_path"])}">{e(d["file_name"])}</td><td><code>{e(d["document_id"])}</code></td>'
            f'<td>{e(d["company"])}</td><td>{e(d["ticker"])}</td><td>{e(langs)}</td>'
            f'<td>{e(d["edition_label"])}</td><td{_num_attr(d["edition_date"])}>{e(fmt_date(d["edition_date"]))}</td>'
            f'<td class="num"{_num_attr(d["edition_count"])}>{d["edition_count"]}</td>'
            f'<td class="num"{_num_attr(d["fact_count"])}>{d["fact_count"]:,}</td>'
            f'<td class="num"{_num_attr(d["line_count"])}>{e(d["line_count"])}</td>'
            f'<td{_num_attr(d["ingested_at"])}>{e(fmt_date(d["ingested_at"]))}</td></tr>')
    return _table("documents-table", [
        ("File", ""), ("Document id", ""), ("Company", ""), ("Ticker", ""), ("Languages", ""),
        ("Newest edition", ""), ("Edition date", ""), ("Editions", "num"), ("Facts", "num"), ("Lines", "num"),
        ("Ingested", "")], rows, empty="No documents.")


def _editions_table(editions: list[dict]) -> str:
    rows = []
    for ed in editions:
        latest = '<span class="badge">latest</span>' if ed["is_latest"] else ""
        rows.append(
            f'<tr><td>{e(ed["ticker"] or ed["report_key"])}</td><td>{e(ed["company"])}</td>'
            f'<td>{e(ed["edition_label"])} {latest}</td><td>{e(", ".join(ed.get("languages") or []))}</td>'
            f'<td{_num_attr(ed["edition_date"])}>{e(fmt_date(ed["edition_date"]))}</td>'
            f'<td class="num"{_num_attr(ed["edition_rank"])}>{ed["edition_rank"]} / {ed["edition_count"]}</td>'
            f'<td>{e(ed["file_name"])}</td>'
            f'<td class="num"{_num_attr(ed["first_line"])}>{e(ed["first_line"])}–{e(ed["last_line"])}</td>'
            f'<td class="num"{_num_attr(ed["fact_count"])}>{ed["fact_count"]:,}</td></tr>')
    return _table("editions-table", [
        ("Report", ""), ("Company", ""), ("Edition", ""), ("Languages", ""), ("Edition date", ""), ("Rank", "num"), ("File", ""),
        ("Lines", "num"), ("Facts", "num")], rows, empty="No editions.")


def _canvas_grid(rid: str, rfacts: list[dict]) -> str:
    counts: dict[str | None, int] = defaultdict(int)
    for f in rfacts:
        counts[f["block"] if f["block"] in BLOCK_NAMES else None] += 1
    top = max([counts[k] for k, _, _ in BLOCKS] + [1])
    cells = []
    for key, en, fr in BLOCKS:
        n = counts[key]
        alpha = 0.08 + 0.5 * n / top
        cells.append(
            f'<a class="cell" style="grid-area:{_GRID[key]};background:rgba(31,119,180,{alpha:.2f})" '
            f'href="#{rid}-block-{key}" data-block="{key}"><span class="bname">{e(en)}</span>'
            f'<span class="bfr">{e(fr)}</span><span class="bcount">{n}</span></a>')
    grid = f'<div class="canvas">{"".join(cells)}</div>'
    rows = [f'<tr><td data-block="{key}">{e(en)}</td><td class="num"{_num_attr(counts[key])}>{counts[key]}</td></tr>'
            for key, en, _ in BLOCKS]
    if counts[None]:
        rows.append(f'<tr><td>{e(OUTSIDE)}</td><td class="num"{_num_attr(counts[None])}>{counts[None]}</td></tr>')
    table = _table(f"{rid}-block-counts", [("Canvas block", ""), ("Facts", "num")], rows, empty="No facts.",
                   cls="compact")
    return f'<div class="canvaswrap">{grid}{table}</div>'


def _charts(series: list[dict], total: int) -> str:
    if not series:
        return '<p class="empty">No figure is stated for several periods or editions.</p>'
    figs = []
    for s in series:
        svg, legend = chart_svg(s)
        _, _, _, unit = s["key"]
        leg = "".join(f'<span class="key"><i style="background:{c}"></i>{e(lab)}</span>' for c, lab in legend)
        figs.append(
            f'<figure class="chartbox" data-subject-key="{e(s["key"][1])}" data-metric-key="{e(s["key"][2])}">'
            f'<figcaption><b>{e(s["subject"] or s["key"][1])}</b> — {e(s["metric"] or s["key"][2])} '
            f'<span class="muted">({e(unit)}; {len(s["points"])} values)</span></figcaption>'
            f'{svg}<div class="legend">{leg}</div></figure>')
    more = (f'<p class="muted">{total - len(series)} more series not drawn.</p>' if total > len(series) else "")
    return f'<div class="charts">{"".join(figs)}</div>{more}'


def _changes_table(table_id: str, rows_in: list[dict]) -> str:
    rows = []
    for c in rows_in:
        rel = c["relative_change"]
        rel_s = f"{rel * 100:+.1f} %" if rel is not None else ""
        unit = c["unit"]
        rows.append(
            f'<tr class="chg-{e(c["change"])}"><td><span class="badge b-{e(c["change"])}">{e(c["change"])}</span></td>'
            f'<td>{e(c["subject"])}</td><td>{e(c["metric"])}</td>'
            f'<td{_num_attr(c["period_end"])}>{e(fmt_date(c["period_end"]))} <span class="muted">{e(c["period_grain"])}</span></td>'
            f'<td class="num"{_num_attr(c["old_value"])} title="{e(c["old_source_text"])}">{e(fmt_value(c["old_value"], unit, c["old_value_high"]))}</td>'
            f'<td class="num"{_num_attr(c["new_value"])} title="{e(c["new_source_text"])}">{e(fmt_value(c["new_value"], unit, c["new_value_high"]))}</td>'
            f'<td class="num"{_num_attr(rel)}>{e(rel_s)}</td>'
            f'<td>{e(c["old_edition"])} → {e(c["new_edition"])}</td>'
            f'<td class="num">{e(c["old_line_number"])} → {e(c["new_line_number"])}</td></tr>')
    if not rows:
        return _table(table_id, [], [], empty="No changes: the report has a single edition, or its editions agree.")
    return _filter_box(table_id, "Filter changes (changed, added, removed, subject…)") + _table(table_id, [
        ("Change", ""), ("Subject", ""), ("Metric", ""), ("Period end", ""), ("Old value", "num"),
        ("New value", "num"), ("Change %", "num"), ("Editions", ""), ("Lines", "num")], rows, empty="",
        cls="changes", wrap="tablewrap scroll")


def _conflicts_table(table_id: str, rows_in: list[dict]) -> str:
    rows = []
    for c in rows_in:
        unit = c["unit"]
        rows.append(
            f'<tr><td>{e(c["scope"].replace("_", " "))}</td><td>{e(c["a_subject"])}</td><td>{e(c["a_metric"])}</td>'
            f'<td{_num_attr(c["period_end"])}>{e(fmt_date(c["period_end"]))} <span class="muted">{e(c["period_grain"])}</span></td>'
            f'<td class="num"{_num_attr(c["a_value"])}>{e(fmt_value(c["a_value"], unit, c["a_value_high"]))}{_flags(c["a_flags"])}</td>'
            f'<td>“{e(c["a_source_text"])}”<br><span class="muted">{e(c["a_edition"])}, line {e(c["a_line_number"])}</span></td>'
            f'<td class="num"{_num_attr(c["b_value"])}>{e(fmt_value(c["b_value"], unit, c["b_value_high"]))}{_flags(c["b_flags"])}</td>'
            f'<td>“{e(c["b_source_text"])}”<br><span class="muted">{e(c["b_edition"])}, line {e(c["b_line_number"])}</span></td></tr>')
    if not rows:
        return _table(table_id, [], [], empty="No conflicts.")
    return _table(table_id, [
        ("Scope", ""), ("Subject", ""), ("Metric", ""), ("Period end", ""), ("Value A", "num"), ("A as written", ""),
        ("Value B", "num"), ("B as written", "")], rows, empty="")


def _facts_by_block(rid: str, rfacts: list[dict]) -> str:
    if not rfacts:
        return '<p class="empty">No facts.</p>'
    by_block: dict[str | None, list[dict]] = defaultdict(list)
    for f in rfacts:
        by_block[f["block"] if f["block"] in BLOCK_NAMES else None].append(f)
    multi_edition = len({f["edition_id"] for f in rfacts}) > 1
    parts = [f'<div class="toolbar">{_filter_box(rid + "-facts", "Filter facts (subject, metric, value, flag…)")}'
             f'<button type="button" class="toggle" data-target="{rid}-facts">Expand all</button></div>'
             f'<div id="{rid}-facts-blocks" class="blocks">']
    for key in [k for k, _, _ in BLOCKS] + [None]:
        fs = by_block.get(key)
        if not fs:
            continue
        name = BLOCK_NAMES.get(key, OUTSIDE)
        rows = []
        for f in fs:
            title = f' title="{e(f["sentence"])}"' if f["sentence"] else ""
            rows.append(
                f'<tr{" class=retracted" if "retracted" in (f["flags"] or ()) else ""}>'
                + (f'<td>{e(f["edition_label"])}</td>' if multi_edition else "")
                + f'<td>{e(f["subject"])}</td><td>{e(f["metric"])}</td>'
                f'<td class="num"{_num_attr(f["value"])}>{e(fmt_value(f["value"], f["unit"], f["value_high"]))}</td>'
                f'<td{_num_attr(f["period_end"])}>{fmt_period(f["period_label"], f["period_end"], f["period_grain"])}</td>'
                f'<td class="num"{_num_attr(f["line_number"])}>{e(f["line_number"])}</td>'
                f'<td>{_flags(f["flags"])}</td><td{title}>{e(f["source_text"])}</td></tr>')
        headers = ([("Edition", "")] if multi_edition else []) + [
            ("Subject", ""), ("Metric", ""), ("Value", "num"), ("Period", ""), ("Line", "num"), ("Flags", ""),
            ("As written", "")]
        block_id = f"{rid}-block-{key or 'none'}"
        parts.append(f'<details class="block" id="{block_id}" data-block="{e(key or "")}">'
                     f'<summary><b>{e(name)}</b> <span class="count">{len(fs)} facts</span></summary>'
                     + _table(f"{block_id}-table", headers, rows, empty="No facts.", cls=f"facts {rid}-facts")
                     + "</details>")
    parts.append("</div>")
    return "".join(parts)


def _runs_table(runs: list[dict]) -> str:
    rows = []
    for r in runs:
        rows.append(
            f'<tr><td><code>{e(r["run_id"])}</code></td><td><span class="badge s-{e(r["status"])}">{e(r["status"])}</span></td>'
            f'<td{_num_attr(r["started_at"])}>{e(fmt_date(r["started_at"]))}</td>'
            f'<td{_num_attr(r["finished_at"])}>{e(fmt_date(r["finished_at"]))}</td>'
            f'<td class="num">{e(r["documents_seen"])}</td><td class="num">{e(r["documents_loaded"])}</td>'
            f'<td class="num">{e(r["documents_rejected"])}</td><td class="num">{e(r["facts_loaded"])}</td>'
            f'<td>{e(r["extractor_version"])}</td><td>{e(r["message"])}</td></tr>')
    return _table("runs-table", [
        ("Run", ""), ("Status", ""), ("Started", ""), ("Finished", ""), ("Seen", "num"), ("Loaded", "num"),
        ("Rejected", "num"), ("Facts", "num"), ("Extractor", ""), ("Message", "")], rows, empty="No runs.")


def _rejected_table(rows_in: list[dict]) -> str:
    rows = [f'<tr><td>{e(r["path"])}</td><td>{e(r["reason"])}</td><td><code>{e(r["run_id"])}</code></td>'
            f'<td{_num_attr(r["rejected_at"])}>{e(fmt_date(r["rejected_at"]))}</td></tr>' for r in rows_in]
    return _table("rejected-table", [("Path", ""), ("Reason", ""), ("Run", ""), ("Rejected", "")], rows,
                  empty="No rejected inputs.")


_CSS = """
:root{--fg:#1d2330;--muted:#6b7280;--line:#e3e6ec;--bg:#f7f8fa;--accent:#1f77b4}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
h1{margin:0 0 4px;font-size:26px}h2{margin:32px 0 8px;font-size:21px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{margin:22px 0 8px;font-size:16px}
.muted{color:var(--muted)}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
nav{margin:10px 0}nav a{margin-right:14px;color:var(--accent);text-decoration:none}nav a:hover{text-decoration:underline}
.stats{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0}
.stat{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:96px}
.stat b{display:block;font-size:20px}.stat span{color:var(--muted);font-size:12px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:4px 20px 16px;margin:18px 0}
.tablewrap{overflow-x:auto;max-width:100%}.tablewrap.scroll{max-height:640px;overflow-y:auto}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5;position:sticky;top:0;cursor:pointer;user-select:none;white-space:nowrap}
th.sorted-asc::after{content:" \\25B2";font-size:10px}th.sorted-desc::after{content:" \\25BC";font-size:10px}
td.num,th.num{text-align:right;white-space:nowrap}
table.compact{width:auto;min-width:240px}
tr:hover td{background:#f5f8fc}
tr.retracted td{text-decoration:line-through;color:var(--muted)}
.flag{display:inline-block;font-size:11px;padding:0 5px;margin:0 2px 1px 0;border-radius:8px;background:#eef1f5;color:#374151}
.flag-approx{background:#fff3cd}.flag-equivalent{background:#e0f0ff}.flag-retracted{background:#fde2e1}
.flag-range{background:#e6f4ea}.flag-negative{background:#fde2e1}
.badge{display:inline-block;font-size:11px;padding:1px 7px;border-radius:9px;background:#eef1f5}
.b-added,.s-completed{background:#e6f4ea}.b-removed,.s-failed{background:#fde2e1}.b-changed,.s-completed_with_rejections{background:#fff3cd}
.empty{color:var(--muted);font-style:italic}.empty.big{font-size:16px;padding:16px;background:#fff;border:1px dashed var(--line)}
.canvaswrap{display:flex;gap:20px;align-items:flex-start;flex-wrap:wrap}
.canvas{flex:1 1 560px;display:grid;gap:4px;grid-template-columns:repeat(10,1fr);grid-template-rows:78px 78px 70px;
 grid-template-areas:"kp kp ka ka vp vp cr cr cs cs" "kp kp kr kr vp vp ch ch cs cs" "co co co co co rs rs rs rs rs"}
.canvas .cell{display:flex;flex-direction:column;justify-content:space-between;padding:6px 8px;border:1px solid #c9d6e3;
 border-radius:6px;color:var(--fg);text-decoration:none}
.canvas .cell:hover{outline:2px solid var(--accent)}
.bname{font-weight:600;font-size:12px}.bfr{font-size:11px;color:var(--muted)}.bcount{font-size:20px;font-weight:700;text-align:right}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:14px}
figure.chartbox{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px 10px;background:#fff}
figcaption{font-size:13px;margin-bottom:4px}
svg.chart{width:100%;height:auto;display:block}
svg .grid{stroke:#eceff3}svg .axis,svg .tick{stroke:#9aa3af}svg .zero{stroke:#6b7280;stroke-dasharray:3 3}
svg text{font-size:10.5px;fill:#4b5563}svg .xlabel,svg .ylabel{font-style:italic}
svg .series{fill:none;stroke-width:2}svg .range{stroke-width:2}svg .pt{stroke-width:2}svg .pt:hover{r:6}
.legend{font-size:12px;color:var(--muted)}.legend .key{margin-right:12px;white-space:nowrap}
.legend i{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px;vertical-align:-1px}
.toolbar{display:flex;gap:8px;margin:6px 0}
input.filter{padding:5px 8px;border:1px solid #cfd5dd;border-radius:6px;min-width:320px;font:inherit;margin:4px 0}
button.toggle{font:inherit;padding:4px 10px;border:1px solid #cfd5dd;border-radius:6px;background:#fff;cursor:pointer}
details.block{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 10px}
details.block summary{cursor:pointer;padding:2px 0}details.block .count{color:var(--muted);font-size:12px;margin-left:6px}
footer{margin:24px 0 8px;font-size:12px}
"""

_JS = r"""
(function () {
  "use strict";
  function key(td) {
    var v = td.getAttribute("data-sort");
    if (v === null) { return td.textContent.trim().toLowerCase(); }
    var n = Number(v);
    return (v !== "" && isFinite(n)) ? n : v.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === typeof b) { return a < b ? -1 : a > b ? 1 : 0; }
    if (a === "") { return 1; }
    if (b === "") { return -1; }
    return typeof a === "number" ? -1 : 1;
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    var asc = !th.classList.contains("sorted-asc");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.classList.remove("sorted-asc", "sorted-desc"); });
    th.classList.add(asc ? "sorted-asc" : "sorted-desc");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c = compare(key(r1.cells[col]), key(r2.cells[col]));
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.addEventListener("click", function () { sortBy(table, i, th); });
    });
  });
  document.querySelectorAll("input.filter").forEach(function (input) {
    var target = input.getAttribute("data-filter");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      var tables = document.querySelectorAll("table#" + CSS.escape(target) + ", table." + CSS.escape(target));
      tables.forEach(function (table) {
        var shown = 0;
        Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
          var ok = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
          r.style.display = ok ? "" : "none";
          if (ok) { shown += 1; }
        });
        var det = table.closest("details");
        if (det) { if (q) { det.open = shown > 0; } det.style.display = (q && !shown) ? "none" : ""; }
      });
    });
  });
  document.querySelectorAll("button.toggle").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var box = document.getElementById(btn.getAttribute("data-target") + "-blocks");
      var open = btn.textContent === "Expand all";
      box.querySelectorAll("details").forEach(function (d) { d.open = open; });
      btn.textContent = open ? "Collapse all" : "Expand all";
    });
  });
  document.querySelectorAll(".canvas a.cell").forEach(function (a) {
    a.addEventListener("click", function () {
      var d = document.getElementById(a.getAttribute("href").slice(1));
      if (d) { d.open = true; }
    });
  });
  document.documentElement.setAttribute("data-report-ready", "1");
})();
"""
