"""`canvas-etl explain FACT_ID`: one fact with its provenance, the line it was read from, its newest value and
its conflicts."""
from __future__ import annotations

from pathlib import Path

from typing import Optional

import typer

from flows.cli.common import AS_OF_OPTION, DATA_PATH_OPTION, DB_OPTION, fail, open_warehouse
from flows.cli.output import display_value, stdout_console


def _find_fact(con, fact_id: str) -> dict:
    from warehouse.queries import fact_ids_starting, fact_with_provenance

    key = fact_id.strip().lower()
    fact = fact_with_provenance(con, key)
    if fact is None and len(key) >= 4:
        ids = fact_ids_starting(con, key, 6)
        if len(ids) == 1:
            fact = fact_with_provenance(con, ids[0])
        elif ids:
            fail(f"fact id prefix {fact_id!r} is ambiguous: {', '.join(ids[:5])}{', ...' if len(ids) > 5 else ''}")
    if fact is None:
        fail(f"no fact with id {fact_id!r} (list ids with: canvas-etl facts)")
    return fact


def _source_candidates(con, fact: dict, db: str) -> list[Path]:
    from warehouse.queries import other_source_paths

    paths = [fact["source_path"]] + other_source_paths(con, fact["document_id"], fact["source_path"])
    out: list[Path] = []
    db_dir = Path(db).resolve().parent
    for p in paths:
        path = Path(p)
        out.append(path)
        if not path.is_absolute():  # paths are stored as given to `ingest`, relative to where it ran
            out += [db_dir / path, db_dir.parent / path]
    return out


def _line_from_file(con, fact: dict, db: str) -> tuple[str | None, int | None, str]:
    """(line text, span start within the line, where it came from) or (None, None, why not)."""
    from extractors.decode import RejectedInput, document_from_bytes, read_bytes

    changed = None
    for path in _source_candidates(con, fact, db):
        if not path.is_file():
            continue
        try:
            data = read_bytes(path)
        except RejectedInput:
            continue
        import hashlib

        if hashlib.sha256(data).hexdigest() != fact["sha256"]:
            changed = path
            continue
        try:
            doc = document_from_bytes(data, str(path))
        except RejectedInput:
            continue
        n = fact["line_number"]
        if not n or n < 1 or n > len(doc.line_starts):
            break
        start, end = doc.line_span(n)
        cs, ce = fact["char_start"], fact["char_end"]
        if cs is None or ce is None or not (start <= cs <= ce <= end) or doc.text[cs:ce] != fact["source_text"]:
            break
        return doc.text[start:end], cs - start, f"{path}, line {n}"
    if changed is not None:
        return None, None, f"{changed} has changed since it was loaded; showing the stored sentence"
    return None, None, f"{fact['source_path']} not found; showing the stored sentence"


def explain(
    fact_id: str = typer.Argument(..., help="Fact id (from `canvas-etl facts`); a unique prefix of 4+ characters works."),
    db: str = DB_OPTION,
    data_path: Optional[str] = DATA_PATH_OPTION,
    as_of: Optional[str] = AS_OF_OPTION,
) -> None:
    """Show where a fact comes from, with the source line and the figure highlighted.

    Also: the document and edition, the period and where it was found, the flags, the newest value of
    the same figure and any conflicting statement. The line is read from the source file when it is
    still there (and unchanged), else the stored sentence is shown.

    Example: canvas-etl explain c52b587591ac44e9
    """
    from warehouse.queries import conflicts_of, conversion_of, fx_conflicts_of, newest_value, restatements_of

    with open_warehouse(db, data_path=data_path, as_of=as_of) as con:
        fact = _find_fact(con, fact_id)
        line, offset, origin = _line_from_file(con, fact, db)
        newest = newest_value(con, fact)
        conflicts = conflicts_of(con, fact["fact_id"])
        fx = {"conversion": conversion_of(con, fact["fact_id"]) if fact["kind"] == "money" else None,
              "conflicts": fx_conflicts_of(con, fact["fact_id"]), "restated_by": restatements_of(con, fact)}
    _render_explain(fact, line, offset, origin, newest, conflicts, fx)


def _fx_rows(fact: dict, fx: dict | None) -> list[tuple[str, str]]:
    """(label, text) rows of explain about currencies: the figure this one restates or is restated by, its value
    in USD and EUR with the rate, its date and its source, and any contradiction with the ECB rate."""
    if not fx:
        return []
    rows: list[tuple[str, str]] = []
    if fact.get("equivalent_of"):
        rows.append(("restates", f"fact {fact['equivalent_of']} (this figure is its equivalent)"))
    for other, v, unit, text in fx.get("restated_by") or ():
        rows.append(("restated as", f"{display_value(v)} {unit} “{text}” (fact {other})"))
    c = fx.get("conversion")
    if c is not None:
        for cur, sfx, pair_key in (("USD", "", "usd_pair"), ("EUR", "_eur", "eur_pair")):
            rate, source = c[f"rate_{cur.lower()}"], c[f"fx_source{sfx}"]
            if rate is None:
                rows.append((f"in {cur}", f"no rate: {c['fx_reason']}"))
                continue
            text = f"{display_value(round(c[f'value_{cur.lower()}'], 2))} {cur}"
            if source == "identity":
                text += "  (stated in it)"
            else:
                when = c[f"fx_rate_date{sfx}"]
                text += f"  at {rate:.6g} {cur} per {c['currency']}, rate of {when}, source {source}"
                pair = c.get(pair_key)
                if source == "report" and pair:
                    own = fact["fact_id"] in (pair["fact_id"], pair["equivalent_fact_id"])
                    text += (" (this figure's own pair" if own else " (the pair") + \
                        f" on line {pair['line_number']}: facts {pair['fact_id']} / {pair['equivalent_fact_id']})"
                elif source == "ecb":
                    text += " (ECB reference rate, bundled" + (", past the data: its last rate" if
                                                                 "fx_stale" in (fact["flags"] or ()) else "") + ")"
            rows.append((f"in {cur}", text))
    for k in fx.get("conflicts") or ():
        ecb = f"{k['ecb_rate']:.6g} ({k['ecb_rate_date']})" if k["ecb_rate"] is not None else "?"
        diff = f", {100 * k['relative_difference']:+.1f} %" if k["relative_difference"] is not None else ""
        rows.append(("fx mismatch", f"the pair on line {k['line_number']} implies {k['report_rate']:.6g} "
                                    f"{k['to_currency']} per {k['from_currency']} on {k['rate_date']}; ECB {ecb}{diff}"))
    return rows


def _render_explain(fact: dict, line: str | None, offset: int | None, origin: str, newest, conflicts,
                    fx: dict | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    console = stdout_console()
    f = fact
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    value = display_value(f["value"])
    if f["value_high"] is not None:
        value += f" to {display_value(f['value_high'])}"
    figure = Text()
    figure.append(f["source_text"] or "", style="bold yellow")
    figure.append(f"  →  {value} {f['unit']}  ({f['kind']})")
    grid.add_row("figure", figure)
    about = " · ".join(x for x in (f["subject"], f["metric"]) if x) or "(not found)"
    keys = " · ".join(x or "?" for x in (f["subject_key"], f["metric_key"]))
    grid.add_row("about", Text(f"{about}   [keys: {keys}]"))
    grid.add_row("block", Text(f"{f['block'] or '(outside the canvas)'}   lang {f['lang'] or '?'}"))
    if f["period_end"] is None:
        period = "no period stated or implied"
    else:
        span = f"{f['period_start']} → {f['period_end']}" if f["period_start"] else f"ends {f['period_end']}"
        bits = [f["period_grain"] or "?"] + (["fiscal"] if f["is_fiscal"] else [])
        period = f"{span} ({', '.join(bits)})"
        if f["period_label"]:
            period += f', written "{f["period_label"]}"'
    period += f"; found {f['period_source']}" if f["period_source"] else ""
    grid.add_row("period", Text(period))
    grid.add_row("flags", Text(", ".join(f["flags"] or []) or "none"))
    who = ", ".join(x for x in (f["ticker"], f["company"]) if x)
    grid.add_row("document", Text(f"{f['file_name']}  (document {f['document_id']}{', ' + who if who else ''})"))
    edition = f"{f['edition_label'] or '(no label)'}"
    if f["edition_date"]:
        edition += f" ({f['edition_date']})"
    if f["edition_rank"]:
        edition += f", edition {f['edition_rank']} of {f['edition_count']} of {f['report_key']}"
        edition += " (the newest)" if f["is_latest"] else ""
    grid.add_row("edition", Text(edition))
    grid.add_row("where", Text(f"line {f['line_number']}, characters {f['char_start']}-{f['char_end']}"))
    if newest is not None:
        if newest[0] == f["fact_id"]:
            grid.add_row("newest", Text("this is the newest value of this figure (facts_latest)"))
        else:
            grid.add_row("newest", Text(f"{display_value(newest[1])} {newest[2]} in edition {newest[3]}, "
                                        f"line {newest[4]} (fact {newest[0]})"))
    for other, v, ed, ln in conflicts:
        grid.add_row("conflict", Text(f"{display_value(v)} in edition {ed}, line {ln} (fact {other})"))
    for label, text in _fx_rows(f, fx):
        grid.add_row(label, Text(text))
    grid.add_row("loaded", Text(f"run {f['run_id']}, extractor {f['extractor_version'] or '?'}"))
    console.print(Text(f"fact {f['fact_id']}", style="bold"))
    console.print(grid)
    console.print()

    if line is None:  # the file is gone or changed: the stored sentence, figure found in it
        text = f["sentence"] or f["source_text"] or ""
        src = f["source_text"] or ""
        offset = text.find(src) if src else -1
        prefix = "sentence │ "
        console.print(Text(f"source: {origin}", style="dim"))
    else:
        text = line
        src = f["source_text"] or ""
        prefix = f"{f['line_number']} │ "
        console.print(Text(f"source: {origin}", style="dim"))
    if offset is None or offset < 0:
        console.print(Text(prefix + text), soft_wrap=True)
        return
    text, offset = _window(text, offset, len(src), max(60, console.width - len(prefix)))
    if console.is_terminal:
        shown = Text(prefix + text)
        shown.stylize("bold black on yellow", len(prefix) + offset, len(prefix) + offset + len(src))
        console.print(shown, soft_wrap=True)
    else:  # plain output (pipes, logs): mark the span with carets under the line
        from rich.cells import cell_len

        typer.echo(prefix + text)
        typer.echo(" " * cell_len(prefix + text[:offset]) + "^" * max(1, cell_len(src)))


def _window(text: str, start: int, length: int, width: int) -> tuple[str, int]:
    """Cut a long line to about ``width`` characters around [start, start+length), marking cuts with "…"."""
    if len(text) <= width:
        return text, start
    room = max(0, width - length - 2)
    left = max(0, start - room // 2)
    right = min(len(text), max(start + length, left + width - 2))
    left = max(0, min(left, right - (width - 2)))
    head = "…" if left > 0 else ""
    tail = "…" if right < len(text) else ""
    return head + text[left:right] + tail, start - left + len(head)
