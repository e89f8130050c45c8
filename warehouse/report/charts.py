"""Charts of the report: inline SVG drawn in Python, one per figure stated for several periods or editions."""
from __future__ import annotations

import math
from collections import defaultdict

from warehouse.report.format import e, fmt_date, fmt_number, fmt_value

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
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


CHART_CURRENCY = "USD"  # money is charted in this currency when every figure of the series converts to it


def _is_restatement(f: dict) -> bool:
    """An equivalent (the same figure again in another currency or unit): never a point of its own."""
    return bool(f.get("equivalent_of")) or "equivalent" in (f["flags"] or ())


def _money_groups(groups: dict[tuple, list[dict]]) -> dict[tuple, list[dict]]:
    """Money charted in one currency: the figures of a (report, subject, metric) in every currency become one
    series in CHART_CURRENCY (facts_converted's value_usd) when each of them converts; else each currency keeps
    its own series, as written."""
    money: dict[tuple, list[tuple]] = defaultdict(list)
    out: dict[tuple, list[dict]] = {}
    for key, pts in groups.items():
        if pts[0]["kind"] == "money":
            money[key[:3]].append(key)
        else:
            out[key] = pts
    for base, keys in money.items():
        pts = [p for k in keys for p in groups[k]]
        if all(p.get("value_usd") is not None for p in pts):
            out[(*base, CHART_CURRENCY)] = [
                {**p, "value": p["value_usd"], "value_high": p.get("value_high_usd"), "unit": CHART_CURRENCY,
                 "written": (p["value"], p["unit"])} if p["unit"] != CHART_CURRENCY else p
                for p in pts]
        else:
            for k in keys:
                out[k] = groups[k]
    return out


def chart_series(facts: list[dict]) -> list[dict]:
    """Figures stated for several periods or in several editions: one series per (report, subject_key,
    metric_key, unit); money in one currency (see _money_groups). Retracted facts, equivalents (the same figure
    restated in another currency) and facts without subject/metric keys are left out."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for f in facts:
        if not f["subject_key"] or not f["metric_key"] or f["value"] is None:
            continue
        if "retracted" in (f["flags"] or ()) or _is_restatement(f):
            continue
        groups[(f["report_key"], f["subject_key"], f["metric_key"], f["unit"])].append(f)
    groups = _money_groups(groups)
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
    if p.get("written"):  # converted for the chart
        bits[0] += f" (written {fmt_value(p['written'][0], p['written'][1], None)}, {p.get('fx_source') or '?'} rate)"
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
        for p in pts:  # one line per grain: a year and a quarter are never joined
            lines[(0, "all editions", p["period_grain"] or "")].append(p)

        def xpos(p: dict) -> float:
            return ml + pw * ((slot[(p["edition_rank"] or 0, p["edition_label"] or "")] + 0.5) / len(ranks))

        xticks = [(ml + pw * ((i + 0.5) / len(ranks)), lab) for i, (_, lab) in enumerate(ranks)]

    values = [p["value"] for p in pts] + [p["value_high"] for p in pts if p["value_high"] is not None]
    yt = nice_ticks(min(0.0, min(values)), max(0.0, max(values)))
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
            legend.append((color, "value per edition" + (f" · {gkey[2]}" if gkey[2] else "")))
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


def charts_html(series: list[dict], total: int) -> str:
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
