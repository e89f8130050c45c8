"""Property-based tests (hypothesis) of the decoder, the segmenter and the rules-only pipeline.

- `decode_bytes` on any bytes returns text or raises RejectedInput, nothing else; text never holds CR or NUL.
- Text encoded in UTF-8 (with or without BOM), UTF-16 LE/BE with BOM, or Windows-1252 decodes back to itself
  (line ends normalised to LF); UTF-8 text with one stray Latin-1 byte keeps all its other characters.
- `segment` on any text never raises; every unit's offsets point at its text, on the line it claims.
- `extract_document` (rules only) on report-like text never raises; every fact points at its source text.
(The amount and period normalisers have their own property tests in tests/normalizers.)
"""
from __future__ import annotations

import codecs

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from extractors.decode import Document, RejectedInput, decode_bytes, document_from_bytes
from extractors.segment import segment, split_cells, split_sentences

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MEDIUM = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOWER = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# characters of French/English reports, all encodable in Windows-1252
FRENCH = "abcdeéèêëàâçîïôùûüœ ABCDEÉÈÀÇ0123456789.,;:!?%€$£¥«»'’()-–—|*#\u00a0\t"
REPORT_FRAGMENTS = [
    "Acme SA (ACME): Business Model Canvas [Jan-2025 Mis à jour]", "Acme SA (ACME) - Modèle d'entreprise: ",
    "partenariats clés", "Canvas Business Model: Revenue Streams", "Disclaimer", "| ", " | ", "|", "|---|---|",
    "- ", "* ", "1. ", "Le chiffre d'affaires a atteint ", "Revenue was ", "12,5 millions d'euros", "$4.2 billion",
    "39,5 %", "1\u00a0200 k€", "117\u202f600", "en 2024", "in Q3 FY2025", "au 31 décembre 2024", ". ", ", ",
    ":", "\n", "\n", "\n", "\r\n", "\r", "  ", "**", "`", "(", ")", "[", "]", "«", "»", "2023", "fiscal 2024",
]


def report_like():
    return st.lists(st.sampled_from(REPORT_FRAGMENTS) | st.text(max_size=8), max_size=60).map("".join)


# ---- decoder ------------------------------------------------------------------------------------------------
@FAST
@given(st.binary(max_size=2000))
def test_decode_any_bytes_returns_text_or_rejects(data):
    try:
        text, encoding = decode_bytes(data)
    except RejectedInput as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    assert isinstance(text, str) and text.strip() and encoding
    assert "\r" not in text and "\x00" not in text


@FAST
@given(st.binary(min_size=1, max_size=400).map(lambda b: codecs.BOM_UTF16_LE + b) | st.binary(max_size=400).map(
    lambda b: codecs.BOM_UTF8 + b) | st.binary(max_size=400).map(lambda b: b"\xff\xfe\x00\x00" + b))
def test_decode_bad_bytes_after_a_bom_rejects_or_decodes(data):
    """Bytes after a byte-order mark decode in the encoding the mark names (the text is what that codec reads,
    line ends normalised), or are rejected with one line that says why; nothing else escapes."""
    boms = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le")]
    bom, name = next((b, n) for b, n in boms if data.startswith(b))
    try:
        text, encoding = decode_bytes(data)
    except RejectedInput as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    assert encoding == name
    assert text == _normalised(data[len(bom):].decode(name.replace("-sig", "")))
    assert "\x00" not in text and text.strip()


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@MEDIUM
@given(st.text(alphabet=st.sampled_from(FRENCH + "\n\r"), min_size=1, max_size=300),
       st.sampled_from(["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be"]))
def test_unicode_encodings_round_trip(text, how):
    assume(text.strip())
    if how == "utf-8":
        data = text.encode("utf-8")
    elif how == "utf-8-bom":
        data = codecs.BOM_UTF8 + text.encode("utf-8")
    elif how == "utf-16-le":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    else:
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    got, encoding = decode_bytes(data)
    assert got == _normalised(text)
    assert encoding == {"utf-8": "utf-8", "utf-8-bom": "utf-8-sig"}.get(how, how)


@MEDIUM
@given(st.text(alphabet=st.sampled_from(FRENCH + "\n\r"), min_size=1, max_size=300))
def test_cp1252_round_trips(text):
    assume(text.strip())
    data = text.encode("cp1252")
    try:
        data.decode("utf-8")
        # also valid UTF-8 (pure ASCII, or by chance like 'é«»' = E9 AB BB): UTF-8 wins, by design
        assume(data.isascii())
    except UnicodeDecodeError:
        pass
    got, encoding = decode_bytes(data)
    assert got == _normalised(text)
    assert encoding == ("utf-8" if data.isascii() else "cp1252")


@MEDIUM
@given(st.text(alphabet=st.sampled_from(FRENCH + "\n"), max_size=150),
       st.text(alphabet=st.sampled_from("éèàçêôûœ«»€’—\u00a0\u202f"), min_size=20, max_size=40),
       st.text(alphabet=st.sampled_from(FRENCH + "\n"), max_size=150), st.data())
def test_utf8_with_one_stray_byte_keeps_its_accents(before, accents, after, data):
    """A Latin-1 byte pasted into UTF-8 text costs one U+FFFD, not the whole text decoded as cp1252."""
    text = before + accents + after
    assume(text.strip())
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    raw = text[:at].encode("utf-8") + b"\xe9" + text[at:].encode("utf-8")
    got, encoding = decode_bytes(raw)
    assert got == text[:at] + "\ufffd" + text[at:]
    assert encoding == "utf-8 (1 invalid sequence replaced)"


@MEDIUM
@given(st.binary(max_size=600))
def test_document_line_index_is_consistent(data):
    try:
        doc = document_from_bytes(data)
    except RejectedInput:
        return
    for number, start, line in doc.iter_lines():
        assert doc.text[start:start + len(line)] == line and "\n" not in line
        assert doc.line_number(start) == number
        assert doc.text[slice(*doc.line_span(number))] == line


# ---- segmenter ----------------------------------------------------------------------------------------------
def _doc(text: str) -> Document:
    return Document(text=_normalised(text), encoding="utf-8", sha256="0" * 64, byte_size=len(text))


def _check_units(doc: Document) -> None:
    structure = segment(doc)
    for u in structure.units:
        assert doc.text[u.start:u.end] == u.text, u
        assert doc.line_number(u.start) == u.line
        for cell_text, off in u.row_cells:
            assert doc.text[off:off + len(cell_text)] == cell_text
    for s in structure.sections:
        assert 1 <= s.line_start <= s.line_end


@MEDIUM
@given(st.text(max_size=500))
def test_segment_any_text(text):
    _check_units(_doc(text))


@MEDIUM
@given(report_like())
def test_segment_report_like_text(text):
    _check_units(_doc(text))


@FAST
@given(st.text(max_size=200), st.integers(min_value=0, max_value=10_000))
def test_split_cells_and_sentences_offsets(line, start):
    line = line.replace("\n", " ")
    for cell, off in split_cells(line, start):
        assert line[off - start:off - start + len(cell)] == cell
    for sent, off in split_sentences(line, start):
        assert sent and line[off - start:off - start + len(sent)] == sent


# ---- pipeline (rules only) ----------------------------------------------------------------------------------
@SLOWER
@given(report_like())
def test_extract_report_like_text_never_raises(text):
    from extractors.extract import extract_document

    doc = _doc(text)
    result = extract_document(doc, use_model=False)
    for f in result.facts:
        assert doc.text[f.char_start:f.char_end] == f.source_text
        assert doc.line_number(f.char_start) == f.line_number
