"""Decoding: every encoding gives the same text as its UTF-8 twin; bad bytes are refused with a reason."""
import codecs

import pytest

from extractors.decode import RejectedInput, decode_bytes, document_from_bytes, read_document

FRENCH = "Élan « Été » : 1,6 milliard de dollars — 7,5 M€ à Noël\nDeuxième ligne : 39,5 %\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be"), "utf-16-be"),
        (FRENCH.encode("utf-16-le"), "utf-16-le"),
        (FRENCH.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_decode_to_the_same_text(data, encoding):
    text, enc = decode_bytes(data)
    assert text == FRENCH
    assert enc == encoding


def test_latin1_without_euro_decodes():
    text, enc = decode_bytes("Chiffre d'affaires : 12 % en été\n".encode("latin-1"))
    assert text == "Chiffre d'affaires : 12 % en été\n"
    assert enc in ("cp1252", "iso-8859-1", "latin_1")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_ends_are_normalised(newline):
    raw = FRENCH.replace("\n", newline).encode("utf-8")
    doc = document_from_bytes(raw)
    assert doc.text == FRENCH
    assert doc.line_count == 2
    assert doc.line_number(doc.text.index("Deuxième")) == 2


def test_final_line_without_newline_and_nbsp_kept():
    doc = document_from_bytes("a\nb 1\u00a0000\u202f€".encode("utf-8"))
    assert doc.line_count == 2
    assert "\u00a0" in doc.text and "\u202f" in doc.text
    lines = list(doc.iter_lines())
    assert lines[-1][0] == 2 and lines[-1][2] == "b 1\u00a0000\u202f€"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (bytes([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07] * 100), "binary"),
    ],
)
def test_bad_inputs_are_refused_with_a_reason(data, reason):
    with pytest.raises(RejectedInput) as err:
        decode_bytes(data)
    assert reason in err.value.reason


def test_size_limit_and_unreadable_path(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(RejectedInput, match="too large"):
        read_document(big, max_bytes=1000)
    with pytest.raises(RejectedInput, match="unreadable"):
        read_document(tmp_path / "missing.txt")


def test_document_offsets_and_ids():
    doc = document_from_bytes(b"one\ntwo\nthree\n", "raw/x.txt")
    assert doc.document_id == doc.sha256[:16]
    assert doc.file_name == "x.txt"
    assert doc.line_span(2) == (4, 7)
    assert doc.text[slice(*doc.line_span(3))] == "three"
