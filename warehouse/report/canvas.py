"""The canvas parts of the report: the block grid with fact counts, and the facts grouped by block. The blocks
and their labels come from the warehouse's canvas_blocks lookup table."""
from __future__ import annotations

from collections import defaultdict

from warehouse.report.format import e, filter_box, flags_html, fmt_period, fmt_value, sort_attr, table_html

OUTSIDE = "Outside the canvas"
# grid-area of each block in the classic canvas layout (see style.css .canvas)
GRID_AREA = {
    "key_partners": "kp", "key_activities": "ka", "key_resources": "kr", "value_propositions": "vp",
    "customer_relationships": "cr", "channels": "ch", "customer_segments": "cs",
    "cost_structure": "co", "revenue_streams": "rs",
}


def canvas_grid(rid: str, rfacts: list[dict], blocks: list[tuple[str, str]]) -> str:
    """The canvas of one report: a cell per block (shaded by its number of facts) and a table of the counts."""
    names = dict(blocks)
    counts: dict[str | None, int] = defaultdict(int)
    for f in rfacts:
        counts[f["block"] if f["block"] in names else None] += 1
    top = max([counts[k] for k, _ in blocks] + [1])
    cells = []
    for key, label in blocks:
        n = counts[key]
        alpha = 0.08 + 0.5 * n / top
        cells.append(
            f'<a class="cell" style="grid-area:{GRID_AREA[key]};background:rgba(31,119,180,{alpha:.2f})" '
            f'href="#{rid}-block-{key}" data-block="{key}"><span class="bname">{e(label)}</span>'
            f'<span class="bcount">{n}</span></a>')
    grid = f'<div class="canvas">{"".join(cells)}</div>'
    rows = [f'<tr><td data-block="{key}">{e(label)}</td><td class="num"{sort_attr(counts[key])}>{counts[key]}</td></tr>'
            for key, label in blocks]
    if counts[None]:
        rows.append(f'<tr><td>{e(OUTSIDE)}</td><td class="num"{sort_attr(counts[None])}>{counts[None]}</td></tr>')
    table = table_html(f"{rid}-block-counts", [("Canvas block", ""), ("Facts", "num")], rows, empty="No facts.",
                   cls="compact")
    return f'<div class="canvaswrap">{grid}{table}</div>'


def facts_by_block(rid: str, rfacts: list[dict], blocks: list[tuple[str, str]]) -> str:
    """The facts of one report, one folding table per canvas block (then those outside the canvas)."""
    names = dict(blocks)
    if not rfacts:
        return '<p class="empty">No facts.</p>'
    by_block: dict[str | None, list[dict]] = defaultdict(list)
    for f in rfacts:
        by_block[f["block"] if f["block"] in names else None].append(f)
    multi_edition = len({f["edition_id"] for f in rfacts}) > 1
    parts = [f'<div class="toolbar">{filter_box(rid + "-facts", "Filter facts (subject, metric, value, flag…)")}'
             f'<button type="button" class="toggle" data-target="{rid}-facts">Expand all</button></div>'
             f'<div id="{rid}-facts-blocks" class="blocks">']
    for key in [k for k, _ in blocks] + [None]:
        fs = by_block.get(key)
        if not fs:
            continue
        name = names.get(key, OUTSIDE)
        rows = []
        for f in fs:
            title = f' title="{e(f["sentence"])}"' if f["sentence"] else ""
            rows.append(
                f'<tr{" class=retracted" if "retracted" in (f["flags"] or ()) else ""}>'
                + (f'<td>{e(f["edition_label"])}</td>' if multi_edition else "")
                + f'<td>{e(f["subject"])}</td><td>{e(f["metric"])}</td>'
                f'<td class="num"{sort_attr(f["value"])}>{e(fmt_value(f["value"], f["unit"], f["value_high"]))}</td>'
                f'<td{sort_attr(f["period_end"])}>{fmt_period(f["period_label"], f["period_end"], f["period_grain"])}</td>'
                f'<td class="num"{sort_attr(f["line_number"])}>{e(f["line_number"])}</td>'
                f'<td>{flags_html(f["flags"])}</td><td{title}>{e(f["source_text"])}</td></tr>')
        headers = ([("Edition", "")] if multi_edition else []) + [
            ("Subject", ""), ("Metric", ""), ("Value", "num"), ("Period", ""), ("Line", "num"), ("Flags", ""),
            ("As written", "")]
        block_id = f"{rid}-block-{key or 'none'}"
        parts.append(f'<details class="block" id="{block_id}" data-block="{e(key or "")}">'
                     f'<summary><b>{e(name)}</b> <span class="count">{len(fs)} facts</span></summary>'
                     + table_html(f"{block_id}-table", headers, rows, empty="No facts.", cls=f"facts {rid}-facts")
                     + "</details>")
    parts.append("</div>")
    return "".join(parts)
