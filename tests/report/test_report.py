"""`canvas-etl report`: the static HTML page, checked as text and in a real headless Chromium.

The browser is driven with the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (file
descriptors 3 and 4 of the browser, NUL-separated JSON): no port, no network, no extra Python package.
Chromium comes from the Debian packages (tests/report/ensure_chromium.sh installs it); when it cannot be
found the browser tests FAIL, they never skip.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from extractors.fact import Fact
from extractors.records import fact_columns
from warehouse.queries import canvas_blocks
from warehouse.report import chart_svg, fmt_value, render_report
from warehouse.tables import facts_table, sections_table
from warehouse.store import Warehouse

ROOT = Path(__file__).resolve().parents[2]
BENCH_OUT = ROOT / "bench" / "out"
CHROME_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
)
BLOCK_NAMES = [label for _, label in canvas_blocks()]  # the canvas_blocks lookup table
EVIL = '<script>document.title="pwned"</script><b id="evil">bold</b> & "quotes" \'single\''


# ------------------------------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope="module")
def sample_report(sample_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert render_report(str(sample_warehouse), str(out)) == str(out)
    return out


@pytest.fixture(scope="module")
def html_text(sample_report) -> str:
    return sample_report.read_text(encoding="utf-8")


def _fact(value, unit="CNY", *, line, kind=None, **kw) -> Fact:
    kind = kind or {"percent": "percent", "count": "count"}.get(unit, "money")
    text = kw.pop("text", f"{value} {unit}")
    start = line * 1000
    return Fact(value=Decimal(str(value)), unit=unit, kind=kind, line_number=line, char_start=start,
                char_end=start + len(text), source_text=text, sentence=f"sentence {line}", **kw)


def _load(wh: Warehouse, name: str, facts: list[Fact], **doc) -> None:
    content = f"content of {name}".encode()
    sha = hashlib.sha256(content).hexdigest()
    document = {"document_id": sha[:16], "sha256": sha, "source_path": f"/in/{name}", "byte_size": len(content), "encoding": "utf-8",
                "languages": ["fr", "en"], "line_count": 50, **doc}
    for f in facts:
        f.ticker = f.ticker or doc.get("ticker")
        f.company = f.company or doc.get("company")
        f.edition_label = f.edition_label or doc.get("edition_label")
        f.edition_date = f.edition_date or doc.get("edition_date")
    run_id = wh.begin_run()
    wh.load_document(document, sections_table([]),
                     facts_table(fact_columns(facts, document=document, run_id=run_id, extractor_version="t")), run_id)
    wh.finish_run(run_id, "completed", {"documents_seen": 1, "documents_loaded": 1, "documents_unchanged": 0,
                                        "documents_rejected": 0, "facts_loaded": len(facts)})


@pytest.fixture(scope="module")
def evil_warehouse(tmp_path_factory) -> Path:
    """Two editions of a report whose texts carry markup, a change, and a chart by edition."""
    db = tmp_path_factory.mktemp("evil") / "canvas.duckdb"
    fy24, fy25 = date(2024, 3, 31), date(2025, 3, 31)
    common = dict(block="revenue_streams", subject=EVIL, metric="revenue", period_grain="year")
    with Warehouse(db) as wh:
        _load(wh, "a<b>.txt", [
            _fact(100, line=3, period_end=fy24, period_label="FY24", **common),
            _fact(120, line=4, period_end=fy25, period_label="FY25", **common),
            _fact(7, "count", line=5, block="channels", subject="Shops", metric="stores", text="7 <stores>"),
        ], company="Evil & Co <Ltd>", ticker="EVL", edition_label="2024", edition_date=date(2024, 6, 1))
        _load(wh, "b.txt", [
            _fact(100, line=3, period_end=fy24, period_label="FY24", **common),
            _fact(150, line=4, period_end=fy25, period_label="FY25", **common),
            _fact(9, "count", line=5, block="channels", subject="Shops", metric="stores"),
        ], company="Evil & Co <Ltd>", ticker="EVL", edition_label="2025", edition_date=date(2025, 6, 1))
    return db


# ------------------------------------------------------------------------------------------------
# The HTML as text

class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, int] = {}
        self.ids: set[str] = set()
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        for k in ("src", "href"):
            v = a.get(k)
            if v and not (v.startswith("#") or v.startswith("data:")):
                self.external.append(v)

    def handle_data(self, data):
        self.text.append(data)


def _parse(text: str) -> _Collect:
    p = _Collect()
    p.feed(text)
    p.close()
    return p


def _body_rows(text: str, table_attr: str) -> int:
    """Number of body rows of the tables whose opening tag matches ``table_attr``."""
    bodies = re.findall(rf"<table [^>]*{table_attr}[^>]*>.*?<tbody>(.*?)</tbody>", text, flags=re.S)
    assert bodies, table_attr
    return sum(len(re.findall(r"<tr[ >]", b)) for b in bodies)


def _db(db: Path, sql: str) -> list[tuple]:
    with Warehouse(db, read_only=True) as wh:
        return wh.query(sql)


def test_sample_report_content(sample_warehouse, html_text):
    """Checked against the warehouse itself, so the test follows the extractors' output."""
    p = _parse(html_text)
    assert p.external == [], "the page must be self-contained"
    text = " ".join(p.text)
    assert "alibaba-canvas-2025.txt" in text
    assert "BABA" in text and "Alibaba Group Holding Limited" in text
    for name in ("Documents", "Editions", "Facts per canvas block", "Changes between editions", "Conflicts", "Runs"):
        assert name in text, name
    for name in BLOCK_NAMES:  # the sample has facts in all 9 blocks
        assert name in text, name
        assert re.search(rf'<summary><b>{re.escape(name)}</b> <span class="count">\d+ facts</span>', html_text), name
    assert {"documents-table", "editions-table", "runs-table"} <= p.ids
    assert p.tags["table"] >= 12 and p.tags["svg"] >= 1

    # documents and editions: languages, labels, dates, fact counts
    (langs,) = _db(sample_warehouse, "SELECT languages FROM documents")[0]
    assert ", ".join(langs) in text
    editions = _db(sample_warehouse, "SELECT edition_label, edition_date, fact_count FROM editions")
    assert _body_rows(html_text, r'id="editions-table"') == len(editions)
    for label, day, count in editions:
        assert html.escape(label) in html_text and day.isoformat() in text and f"{count:,}" in text
    # every fact is listed once, its value formatted with the unit
    n_facts = _db(sample_warehouse, "SELECT count(*) FROM facts")[0][0]
    assert _body_rows(html_text, r'class="sortable facts [^"]*"') == n_facts
    for value, unit, high in _db(sample_warehouse, "SELECT value, unit, value_high FROM facts USING SAMPLE 20 ROWS"):
        assert html.escape(fmt_value(value, unit, high)) in html_text
    # changes and conflicts: as many rows as in the views
    n_changes = _db(sample_warehouse, "SELECT count(*) FROM fact_changes")[0][0]
    n_conflicts = _db(sample_warehouse, "SELECT count(*) FROM fact_conflicts")[0][0]
    assert f"Changes between editions ({n_changes})" in text and f"Conflicts ({n_conflicts})" in text
    for change, n in _db(sample_warehouse, "SELECT change, count(*) FROM fact_changes GROUP BY ALL"):
        assert html_text.count(f'<tr class="chg-{change}">') == n
    # escaping: texts with quotes/ampersands/brackets appear escaped
    for (t,) in _db(sample_warehouse, "SELECT DISTINCT subject FROM facts WHERE regexp_matches(subject, '[&<>\"'']')"):
        assert html.escape(t) in html_text


def test_sample_report_charts(html_text):
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", html_text, flags=re.S)
    assert len(svgs) >= 5
    points = [len(re.findall(r'<circle class="pt"', s)) for s in svgs]
    assert all(n >= 2 for n in points), points
    assert any("<polyline" in s for s in svgs)
    # the alibaba group revenue in CNY is stated for several fiscal years in both editions
    assert 'data-subject-key="alibaba group" data-metric-key="revenue"' in html_text


def test_escaping_and_editions(evil_warehouse, tmp_path):
    out = render_report(str(evil_warehouse), str(tmp_path / "evil.html"))
    text = Path(out).read_text(encoding="utf-8")
    assert "<script>document.title" not in text and '<b id="evil">' not in text
    assert "&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;" in text
    assert "Evil &amp; Co &lt;Ltd&gt;" in text and "a&lt;b&gt;.txt" in text and "7 &lt;stores&gt;" in text
    assert text.count("<script>") == 1  # ours
    p = _parse(text)
    assert "evil" not in p.ids
    # FY25 revenue 120 -> 150 changed (the views decide about the undated stores 7 -> 9)
    n_changes = _db(evil_warehouse, "SELECT count(*) FROM fact_changes")[0][0]
    assert n_changes >= 1 and f"Changes between editions ({n_changes})" in text
    assert _body_rows(text, r'class="sortable changes"') == n_changes
    assert "+25.0 %" in text and '<tr class="chg-changed">' in text
    # charts: revenue over two periods (one line per edition), stores by edition
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", text, flags=re.S)
    assert len(svgs) == 2
    assert sorted(len(re.findall(r'<circle class="pt"', s)) for s in svgs) == [2, 4]
    assert ">edition<" in text and ">period end<" in text


def test_empty_warehouse(tmp_path):
    db = tmp_path / "empty.duckdb"
    Warehouse(db).close()  # schema only
    text = Path(render_report(str(db), str(tmp_path / "out" / "empty.html"))).read_text(encoding="utf-8")
    assert 'id="empty-warehouse"' in text and "No documents." in text and "No editions." in text
    assert "<svg" not in text
    # a DuckDB file without the canvas-etl schema is an empty warehouse too
    import duckdb

    bare = tmp_path / "bare.duckdb"
    duckdb.connect(str(bare)).close()
    assert 'id="empty-warehouse"' in Path(render_report(str(bare), str(tmp_path / "bare.html"))).read_text()
    with pytest.raises(FileNotFoundError):
        render_report(str(tmp_path / "missing.duckdb"), str(tmp_path / "x.html"))


def test_formatting():
    assert fmt_value(1.6e9, "USD") == "1.6 bn USD"
    assert fmt_value(853.126e9, "CNY") == "853.126 bn CNY"
    assert fmt_value(824e6, "count") == "824 M"
    assert fmt_value(3073, "count") == "3,073"
    assert fmt_value(39.5, "percent") == "39.5 %"
    assert fmt_value(-2.5e12, "USD") == "-2.5 tn USD"
    assert fmt_value(1e9, "CNY", 1.5e9) == "1 bn – 1.5 bn CNY"
    assert fmt_value(2, "petabyte") == "2 petabyte"


def test_chart_svg_single_value_series():
    p = dict(value=5.0, value_high=None, unit="percent", period_end=None, period_label=None, period_grain=None,
             edition_rank=1, edition_label="E1", line_number=1, source_text="5 %", flags=[])
    q = dict(p, value=5.0, edition_rank=2, edition_label="E2")
    svg, legend = chart_svg({"key": ("R", "s", "m", "percent"), "points": [p, q], "mode": "edition",
                             "subject": "s", "metric": "m"})
    assert svg.count('<circle class="pt"') == 2 and "nan" not in svg.lower() and len(legend) == 1


# ------------------------------------------------------------------------------------------------
# The page in a real headless Chromium (DevTools protocol over a pipe)

def _find_chromium() -> str:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    pytest.fail("Chromium not found (command -v chromium): run tests/report/ensure_chromium.sh "
                "(apt-get install chromium); the browser tests never skip", pytrace=False)


class Browser:
    """A headless Chromium driven over --remote-debugging-pipe (fd 3: commands in, fd 4: replies out)."""

    def __init__(self, exe: str, profile: Path, log: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        args = [exe, *CHROME_FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}",
                "--enable-logging=stderr", "--v=0", "about:blank"]
        # a tiny trampoline moves our two pipe ends to fds 3 and 4, where --remote-debugging-pipe expects them
        script = ("import fcntl, os, sys; r, w = (fcntl.fcntl(int(a), fcntl.F_DUPFD, 10) for a in sys.argv[1:3]); "
                  "os.dup2(r, 3); os.dup2(w, 4); os.close(r); os.close(w); os.execv(sys.argv[3], sys.argv[3:])")
        self._log = open(log, "wb")
        self.proc = subprocess.Popen([sys.executable, "-c", script, str(to_chrome_r), str(from_chrome_w), *args],
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     pass_fds=(to_chrome_r, from_chrome_w), start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next = 0
        self._replies: dict[int, dict] = {}
        self.events: list[dict] = []
        self._inbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._inbox.put(None)
                return
            buf += chunk
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                self._inbox.put(json.loads(msg))

    def _pump(self, timeout: float) -> None:
        msg = self._inbox.get(timeout=timeout)
        if msg is None:
            raise RuntimeError(f"Chromium closed the DevTools pipe (exit {self.proc.poll()})")
        if "id" in msg:
            self._replies[msg["id"]] = msg
        else:
            self.events.append(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self._next += 1
        mid = self._next
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while mid not in self._replies:
            self._pump(max(0.01, deadline - time.monotonic()))
        reply = self._replies.pop(mid)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method: str, session: str, since: int, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events[since:]:
                if ev.get("method") == method and ev.get("sessionId") == session:
                    return ev
            self._pump(max(0.01, deadline - time.monotonic()))

    def open_page(self, width: int = 1400, height: int = 900) -> str:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        return session

    def load(self, session: str, url: str) -> list[dict]:
        """Navigate, wait for the load event (plus a moment for late errors); returns the page's events."""
        since = len(self.events)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session, since)
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            try:
                self._pump(0.05)
            except queue.Empty:
                pass
        return [ev for ev in self.events[since:] if ev.get("sessionId") == session]

    def eval(self, session: str, expression: str):
        res = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)  # our own session only (start_new_session)
            self.proc.wait(timeout=10)
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()


def _errors(events: list[dict]) -> list[str]:
    """JS exceptions, console.error/assert calls and error log entries (failed loads...) of a page."""
    out = []
    for ev in events:
        m, p = ev.get("method"), ev.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            out.append("exception: " + (d.get("exception", {}).get("description") or d.get("text", "")))
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console.error: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            out.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
    return out


def _requests(events: list[dict]) -> list[str]:
    return [ev["params"]["request"]["url"] for ev in events if ev.get("method") == "Network.requestWillBeSent"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = _find_chromium()
    d = tmp_path_factory.mktemp("chromium")
    (d / "profile").mkdir()
    b = Browser(exe, d / "profile", d / "chromium.log")
    try:
        b.send("Browser.getVersion", timeout=30)
        yield b
    finally:
        b.close()


def test_browser_catches_errors(browser, tmp_path):
    """The error capture works: a page with a JS error and a console.error is reported as such."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><title>bad</title><link rel=icon href='data:,'>"
                   "<script>console.error('oops'); undefinedFunction();</script>", encoding="utf-8")
    session = browser.open_page()
    errors = _errors(browser.load(session, bad.as_uri()))
    assert any("oops" in x for x in errors) and any("undefinedFunction" in x for x in errors), errors


def test_report_in_browser(browser, sample_report, tmp_path):
    session = browser.open_page(width=1400, height=1000)
    events = browser.load(session, sample_report.as_uri())
    assert _errors(events) == []
    assert all(u.startswith(("file:", "data:")) for u in _requests(events)), _requests(events)
    dom = browser.eval(session, """(() => ({
        ready: document.documentElement.getAttribute('data-report-ready'),
        title: document.title,
        tables: document.querySelectorAll('table').length,
        factRows: document.querySelectorAll('table.facts tbody tr').length,
        docsText: document.getElementById('documents-table').innerText,
        editionRows: document.querySelectorAll('#editions-table tbody tr').length,
        charts: document.querySelectorAll('svg.chart').length,
        points: document.querySelectorAll('svg.chart circle.pt').length,
        lines: document.querySelectorAll('svg.chart polyline').length,
        chartBox: (() => { const r = document.querySelector('svg.chart').getBoundingClientRect();
                           return [r.width, r.height]; })(),
        blocks: Array.from(document.querySelectorAll('.canvas .cell .bname')).map(x => x.textContent),
        summaries: Array.from(document.querySelectorAll('details.block summary b')).map(x => x.textContent),
        scripts: document.querySelectorAll('script').length,
    }))()""")
    assert dom["ready"] == "1"  # our script ran to the end
    assert dom["title"].startswith("canvas-etl report")
    assert dom["tables"] >= 12 and dom["factRows"] >= 300
    assert "alibaba-canvas-2025.txt" in dom["docsText"] and "BABA" in dom["docsText"]
    assert dom["editionRows"] == 2
    assert dom["charts"] >= 5 and dom["points"] >= 2 * dom["charts"] and dom["lines"] >= 1
    assert dom["chartBox"][0] > 300 and dom["chartBox"][1] > 100  # laid out, visible size
    assert dom["blocks"] == BLOCK_NAMES and set(BLOCK_NAMES) <= set(dom["summaries"])
    assert dom["scripts"] == 1

    # the inline JS works: sort the facts of a block by value, filter the facts
    order = browser.eval(session, """(() => {
        const t = document.querySelector('table.facts'); const th = t.tHead.rows[0].cells;
        const col = Array.from(th).findIndex(c => c.textContent === 'Value');
        th[col].click();
        const vals = Array.from(t.tBodies[0].rows).map(r => r.cells[col].getAttribute('data-sort'))
                          .filter(v => v !== '').map(Number);
        return vals; })()""")
    assert order == sorted(order) and len(order) >= 2
    shown = browser.eval(session, """(() => {
        const box = document.querySelector('input.filter[data-filter$="-facts"]');
        box.value = 'taobao'; box.dispatchEvent(new Event('input'));
        const rows = Array.from(document.querySelectorAll('table.facts tbody tr')).filter(r => r.style.display !== 'none');
        const ok = rows.every(r => r.textContent.toLowerCase().includes('taobao'));
        box.value = ''; box.dispatchEvent(new Event('input'));
        return [rows.length, ok]; })()""")
    assert shown[0] >= 1 and shown[1]

    # screenshot of the top of the page (summary, documents, editions, canvas, first charts)
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1400, "height": 2300, "deviceScaleFactor": 1, "mobile": False}, session=session)
    shot = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"])
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000
    png = tmp_path / "report.png"
    png.write_bytes(shot)
    if BENCH_OUT.is_dir():
        shutil.copy(png, BENCH_OUT / "report.png")
    # after interacting with the page: still no error
    assert _errors([ev for ev in browser.events if ev.get("sessionId") == session]) == []


def test_escaped_report_in_browser(browser, evil_warehouse, tmp_path):
    out = Path(render_report(str(evil_warehouse), str(tmp_path / "evil.html")))
    session = browser.open_page()
    events = browser.load(session, out.as_uri())
    assert _errors(events) == []
    dom = browser.eval(session, """(() => ({
        title: document.title, evil: document.getElementById('evil') !== null,
        scripts: document.querySelectorAll('script').length,
        text: document.body.innerText,
        charts: document.querySelectorAll('svg.chart').length,
    }))()""")
    assert dom["title"] != "pwned" and not dom["evil"] and dom["scripts"] == 1
    assert EVIL.split("&")[0].strip() in dom["text"]  # the markup is shown as text
    assert dom["charts"] == 2
