"""Bad or unusual input never loses data or stops the batch.

- Encodings and line ends: every file decodes to the same facts as its UTF-8/LF twin, end to end through the
  flow, and `documents.encoding` records what was detected.
- Inputs that are not text documents are rejected with a reason (table rejected_inputs + printed), the run
  exits 1 and the other files load.
- A multi-megabyte single line is processed in linear time and bounded memory.
- Odd structure (no headings, ragged tables, stray pipes, markdown in cells) is handled, not crashed on.

Unreadable paths: the tests run as root, for whom `chmod 000` does not block reading, so unreadability is
produced by paths that cannot be opened as files whoever you are: a broken symbolic link, a FIFO (opening it
would block forever: it is refused from its stat before any open), a file path used as a folder
("good.txt/x"), and a missing path. A chmod-000 file is also included: rejected as "Permission denied" for a
normal user, read normally by root.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import random
import re
import resource
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from faults_helpers import FIXTURES, cli_env, french_excerpt, run_ingest_cli, sample_text

NBSP, NNBSP = "\u00a0", "\u202f"
# figures written with no-break / narrow no-break spaces, guillemets, euro sign, accents
EXTRA_FR = (f"Le chiffre d'affaires européen a atteint 12{NBSP}500 millions d'euros en 2023, soit « 7,5{NBSP}% » "
            f"de plus qu'à la clôture précédente, et 3{NBSP}€ par action.")
EXTRA_NNBSP = f"Alibaba emploie 117{NNBSP}600 personnes à temps plein en 2024, dont 8{NNBSP}%{NNBSP}à l'étranger."


def _insert_after_line(text: str, line_no: int, extra: str) -> str:
    lines = text.split("\n")
    return "\n".join(lines[:line_no] + [extra] + lines[line_no:])


def _texts() -> dict[str, str]:
    full = _insert_after_line(sample_text(), 13, EXTRA_FR)
    full = _insert_after_line(full, 98, EXTRA_NNBSP)
    assert not full.endswith("\n")  # the sample's last line has no newline: kept that way in the reference
    fr = _insert_after_line(french_excerpt(), 13, EXTRA_FR)
    return {
        "full": full,  # every character, incl. U+202F which cp1252/latin-1 cannot encode
        "fr": fr.replace(NNBSP, NBSP),  # the French part: cp1252 (with €)
        "fr-latin1": fr.replace(NNBSP, NBSP).replace("€", "EUR").replace("—", "-"),  # ISO-8859-1 has no €
        "full-stray": full.replace(STRAY_WORD, STRAY_WORD[:-1] + "\ufffd", 1),  # what the stray byte becomes
    }


STRAY_WORD = "Adapté"  # line 3 of the sample: no figure


def _stray(text: str) -> bytes:
    head, tail = text.split(STRAY_WORD, 1)
    return (head + STRAY_WORD[:-1]).encode("utf-8") + b"\xe9" + tail.encode("utf-8")


def _variants(texts: dict[str, str]) -> list[tuple[str, str, bytes, set[str]]]:
    """(file name, reference text name, bytes, acceptable documents.encoding values)."""
    full, fr, fl = texts["full"], texts["fr"], texts["fr-latin1"]
    crlf = lambda t: t.replace("\n", "\r\n")  # noqa: E731
    return [
        ("full-utf8-bom.txt", "full", codecs.BOM_UTF8 + full.encode("utf-8"), {"utf-8-sig"}),
        ("full-utf16le-bom.txt", "full", codecs.BOM_UTF16_LE + full.encode("utf-16-le"), {"utf-16-le"}),
        ("full-utf16be-bom.txt", "full", codecs.BOM_UTF16_BE + full.encode("utf-16-be"), {"utf-16-be"}),
        ("full-crlf.txt", "full", crlf(full).encode("utf-8"), {"utf-8"}),
        ("full-cr.txt", "full", full.replace("\n", "\r").encode("utf-8"), {"utf-8"}),
        ("full-utf16le-crlf.txt", "full", codecs.BOM_UTF16_LE + crlf(full).encode("utf-16-le"), {"utf-16-le"}),
        ("full-final-newline.txt", "full", (full + "\n").encode("utf-8"), {"utf-8"}),
        # one Latin-1 'é' (a lone byte) in a line without figures: costs that character only, not every accent
        ("full-stray-byte.txt", "full-stray", _stray(full), {"utf-8 (1 invalid sequence replaced)"}),
        ("fr-cp1252.txt", "fr", fr.encode("cp1252"), {"cp1252"}),
        ("fr-cp1252-crlf.txt", "fr", crlf(fr).encode("cp1252"), {"cp1252"}),
        # latin-1 French text is also valid cp1252 (identical characters above 0x9F): either name is right
        ("fr-latin1.txt", "fr-latin1", fl.encode("latin-1"), {"cp1252", "iso-8859-1", "latin_1"}),
    ]


FACT_COLUMNS = "line_number, char_start, char_end, source_text, value, unit, kind, period_end, block, lang"


def _facts(con, file_name: str) -> set[tuple]:
    return set(con.execute(
        f"SELECT {FACT_COLUMNS} FROM facts JOIN documents d USING (document_id) WHERE d.file_name = ?", [file_name]
    ).fetchall())


def test_encodings_and_line_ends_give_the_facts_of_the_utf8_twin(tmp_path, prefect_harness):
    from flows.run import run_ingest

    texts = _texts()
    variants = _variants(texts)
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, text in texts.items():
        (raw / f"ref-{name}.txt").write_bytes(text.encode("utf-8"))
    for fname, _, data, _ in variants:
        (raw / fname).write_bytes(data)
    db = tmp_path / "wh.duckdb"
    summary = run_ingest([str(raw)], db=str(db))
    assert summary["documents_rejected"] == 0, summary["rejections"]
    assert summary["documents_loaded"] == len(texts) + len(variants)

    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = {r[0]: r[1:] for r in con.execute("SELECT file_name, encoding, line_count, byte_size FROM documents").fetchall()}
        refs = {name: _facts(con, f"ref-{name}.txt") for name in texts}
        assert len(refs["full"]) > 250 and len(refs["fr"]) > 150 and len(refs["fr-latin1"]) > 150
        assert refs["full-stray"] == refs["full"]
        # the added lines' figures are read, with their no-break spaces kept in the source text
        sources = {f[3] for f in refs["full"]}
        assert f"12{NBSP}500 millions d'euros" in sources and f"117{NNBSP}600" in sources, sorted(
            s for s in sources if NBSP in s or NNBSP in s)
        for fname, ref, data, encodings in variants:
            enc, lines, size = docs[fname]
            assert enc in encodings, (fname, enc)
            assert size == len(data)
            assert lines == docs[f"ref-{ref}.txt"][1], fname
            got = _facts(con, fname)
            assert got == refs[ref], (fname, sorted(got ^ refs[ref])[:6])
    finally:
        con.close()


def _write_bad_inputs(raw: Path, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """Good files and bad inputs; returns the command-line paths and {name: expected words of the reason}."""
    raw.mkdir()
    shutil.copy(FIXTURES / "no-headings-en.txt", raw / "good-en.txt")
    shutil.copy(FIXTURES / "lvmh-like-fr.txt", raw / "good-fr.txt")
    (raw / "empty.txt").write_bytes(b"")
    (raw / "blank.txt").write_bytes(b" \r\n\t\n  " * 50)
    (raw / "nul.txt").write_bytes(b"Revenue 12%\n\x00\x00\x00\x00 binary tail \x00" * 40)
    rng = random.Random(1234)
    (raw / "random.bin").write_bytes(bytes(rng.getrandbits(8) for _ in range(4096)))
    (raw / "big.txt").write_bytes(b"Revenue was 12 million dollars in 2024.\n" * 2000)  # 80 kB > the limit below
    (raw / "broken-link.txt").symlink_to(tmp_path / "does-not-exist.txt")
    os.mkfifo(raw / "pipe.txt")
    locked = raw / "chmod000.txt"
    shutil.copy(FIXTURES / "no-headings-en.txt", locked)
    locked.write_text(locked.read_text(encoding="utf-8") + "\nLocked copy: 7 stores.\n", encoding="utf-8")
    locked.chmod(0)
    extra = [str(raw / "good-en.txt" / "x.txt"), str(tmp_path / "missing.txt")]
    expected = {
        "empty.txt": "empty file",
        "blank.txt": "empty file",
        "nul.txt": "binary",
        "random.bin": "binary",
        "big.txt": "file too large",
        "broken-link.txt": "unreadable path",
        "pipe.txt": "not a regular file",
        "x.txt": "unreadable path",
        "missing.txt": "unreadable path",
    }
    if os.geteuid() != 0:
        expected["chmod000.txt"] = "unreadable path"
    return [str(raw), *extra], expected


@pytest.mark.slow
def test_bad_inputs_are_rejected_recorded_printed_and_the_rest_loads(tmp_path, prefect_api_url):
    raw = tmp_path / "raw"
    args, expected = _write_bad_inputs(raw, tmp_path)
    db = tmp_path / "wh.duckdb"
    env = cli_env(prefect_api_url, CANVAS_ETL_MAX_BYTES="50000")
    res = run_ingest_cli([*args, "--db", str(db), "--no-models"], env, timeout=180)
    assert res.returncode == 1, res.stdout + res.stderr
    loaded = 3 if os.geteuid() == 0 else 2
    assert f"{loaded} loaded, 0 unchanged, {len(expected)} rejected" in res.stdout, res.stdout
    printed = dict(re.findall(r"^rejected: (.+?): (.+)$", res.stdout, re.M))
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT path, sha256, reason, run_id FROM rejected_inputs").fetchall()
        run_id, status = con.execute("SELECT run_id, status FROM runs").fetchone()
        names = sorted(r[0] for r in con.execute("SELECT file_name FROM documents").fetchall())
        facts = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    finally:
        con.close()
    assert status == "completed_with_rejections"
    by_name = {os.path.basename(p): (p, sha, reason, rid) for p, sha, reason, rid in rows}
    assert set(by_name) == set(expected)
    for name, words in expected.items():
        path, sha, reason, rid = by_name[name]
        assert words in reason, (name, reason)
        assert rid == run_id
        assert printed[path] == reason  # the same reason is printed, path by path
        if name in ("empty.txt", "blank.txt", "nul.txt", "random.bin"):
            data = Path(path).read_bytes()
            assert sha == hashlib.sha256(data).hexdigest()  # decoded-and-refused inputs keep their hash
    assert "good-en.txt" in names and "good-fr.txt" in names and facts > 100
    assert ("chmod000.txt" in names) == (os.geteuid() == 0)


# ---- a huge line -----------------------------------------------------------------------------------------
def _one_line_document(n_chars: int):
    from extractors.decode import document_from_bytes

    prose = [l for l in sample_text().split("\n") if len(l) > 150 and not l.startswith("|")][:20]
    para = " ".join(prose) + " "
    line = (para * (n_chars // len(para) + 1))[:n_chars]
    return document_from_bytes(line.encode("utf-8"), "one-line.txt")


@pytest.mark.slow
def test_a_4mb_single_line_is_linear_and_bounded(capsys):
    from extractors.extract import extract_document
    from extractors.segment import MAX_PARAGRAPH_CHARS, MAX_UNIT_CHARS, segment

    extract_document(_one_line_document(5_000))  # load the models first: not part of the measure
    small, big = _one_line_document(1_000_000), _one_line_document(4_000_000)
    assert big.line_count == 1
    t0 = time.perf_counter()
    segment(small)
    t_small = time.perf_counter() - t0
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    st = segment(big)
    t_seg = time.perf_counter() - t0
    result = extract_document(big)
    t_all = time.perf_counter() - t0
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    for u in st.units[:: max(1, len(st.units) // 500)]:
        assert big.text[u.start:u.end] == u.text and len(u.text) <= MAX_UNIT_CHARS
        assert u.paragraph is None or len(u.paragraph) <= MAX_PARAGRAPH_CHARS
    for f in result.facts[:: max(1, len(result.facts) // 500)]:
        assert big.text[f.char_start:f.char_end] == f.source_text and f.line_number == 1
    with capsys.disabled():
        print(f"\n[bench] 4 MB single line: segment {t_seg:.2f} s (1 MB: {t_small:.2f} s), segment+extract "
              f"{t_all:.1f} s, {len(st.units)} units, {len(result.facts)} facts, peak RSS +{rss_growth_mb:.0f} MB")
    assert len(result.facts) > 20_000
    assert t_seg < 4 * t_small * 2.5 + 0.5  # linear (4x the text, at most ~2.5x noise), not quadratic
    assert t_all < 240 and rss_growth_mb < 2_000  # generous; ~10 s and a few hundred MB on a laptop


# ---- odd structure -----------------------------------------------------------------------------------------
ODD = """Notes de réunion sans titre de canevas
Le chiffre d'affaires a atteint 12,5 millions d'euros en 2024.
| Produit | CA 2024 | Part |
| Alpha | 3,2 M€ |
| Beta | 1,1 M€ | 9 % | note en trop | | |
|| 
| | |
Gamma | 2 M€ | 4 %
| **Delta** | *0,8 M€* | `5 %` |
| [Epsilon](http://example.com/x|y) | ~~1 M€~~ 1,5 M€ | <b>6 %</b> |
|---|---|
|-|-|-|
| only one cell
|
||||||||||||||||||
a | b
- puce : 7 % | avec un tuyau
# Titre markdown 2024 : 4 millions
> citation : 3 %
    | tableau indenté | 8 M€ |
Acme (ACME) | Business Model Canvas | 2024
Acme (ACME) - Modèle d'entreprise: | partenariats clés |
Texte final sans saut de ligne : 5 %"""


def test_odd_structure_is_handled_not_crashed_on():
    from extractors.decode import document_from_bytes
    from extractors.extract import extract_document
    from extractors.segment import segment

    doc = document_from_bytes(ODD.encode("utf-8"), "odd.txt")
    st = segment(doc)
    for u in st.units:
        assert doc.text[u.start:u.end] == u.text
    result = extract_document(doc)
    for f in result.facts:
        assert doc.text[f.char_start:f.char_end] == f.source_text
        assert f.source_text in doc.text.split("\n")[f.line_number - 1]
    found = {(f.line_number, f.source_text) for f in result.facts}
    for line_no, text in [(2, "12,5 millions d'euros"), (4, "3,2 M€"), (5, "1,1 M€"), (5, "9 %"), (8, "2 M€"),
                          (9, "0,8 M€"), (9, "5 %"), (10, "1,5 M€"), (10, "6 %"), (17, "7 %"), (23, "5 %")]:
        assert (line_no, text) in found, (line_no, text, sorted(found))
