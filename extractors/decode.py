"""Raw bytes -> ``Document``: decoded text with normalised line ends and a line index.

Decoding order: BOM (UTF-8, UTF-16 LE/BE, UTF-32) -> strict UTF-8 -> UTF-16 without BOM (NUL pattern)
-> UTF-8 with a few stray bytes (replaced by U+FFFD; encoding "utf-8 (N invalid sequences replaced)")
-> Windows-1252 when it decodes with no undefined byte -> charset-normalizer's best guess.
Line ends are normalised to ``\\n`` (CRLF and lone CR), so line numbers and character offsets are the
same for a file and its UTF-8/LF twin. Offsets everywhere in the project refer to ``Document.text``.

Inputs that cannot be text are refused with ``RejectedInput`` (reason in plain words); nothing here
raises anything else for any byte string.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from .ids import document_id as _document_id

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # 20 MiB; configurable (CANVAS_ETL_MAX_BYTES, --max-bytes)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes that Windows-1252 leaves undefined: their presence means "not cp1252".
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


class RejectedInput(Exception):
    """An input that is not a usable text document. ``reason`` is one clear line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Document:
    text: str
    encoding: str
    sha256: str
    byte_size: int
    source_path: str = ""
    line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.line_starts:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self.line_starts = starts

    @property
    def document_id(self) -> str:
        return _document_id(self.sha256)

    @property
    def file_name(self) -> str:
        return os.path.basename(self.source_path)

    @property
    def line_count(self) -> int:
        n = len(self.line_starts)
        return n - 1 if self.text.endswith("\n") else n

    def line_number(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return bisect_right(self.line_starts, offset)

    def line_span(self, line_number: int) -> tuple[int, int]:
        """(start, end) offsets of a 1-based line, without its newline."""
        start = self.line_starts[line_number - 1]
        end = self.text.find("\n", start)
        return start, (len(self.text) if end == -1 else end)

    def iter_lines(self):
        """Yield (line_number, start_offset, line_text) for every line."""
        text = self.text
        for i, start in enumerate(self.line_starts):
            end = text.find("\n", start)
            if end == -1:
                end = len(text)
                if start == end and i > 0:
                    return
            yield i + 1, start, text[start:end]


def _normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _looks_utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """(text, invalid sequences) when the bytes are UTF-8 but for a few stray bytes (e.g. one Latin-1 'é' pasted
    into a UTF-8 file): at least 20 valid multi-byte characters per invalid sequence. Decoding such a file as
    Windows-1252 would garble every accented letter ('é' -> 'Ã©'); replacing the stray bytes loses only them."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - invalid  # valid non-ASCII characters
    if invalid > 0 and multibyte >= 20 * invalid:
        return text, invalid
    return None


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls, not \t\n\v\f\r


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:65536]
    return len(_CONTROL_RE.findall(sample)) / len(sample)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode raw bytes to (text, encoding name). Raises RejectedInput when the bytes are not text."""
    if not data:
        raise RejectedInput("empty file")
    text: str | None = None
    encoding = ""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(name.replace("-sig", ""))
                encoding = name
            except UnicodeDecodeError as exc:
                raise RejectedInput(f"undecodable {name} text after byte-order mark: {exc.reason} at byte {exc.start}") from None
            break
    if text is None:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            pass
    if text is None:
        utf16 = _looks_utf16_without_bom(data)
        if utf16:
            try:
                text = data.decode(utf16)
                encoding = utf16
            except UnicodeDecodeError:
                text = None
    if text is None and b"\x00" in data:
        raise RejectedInput("binary file (contains NUL bytes)")
    if text is None:
        mostly = _mostly_utf8(data)
        if mostly is not None:
            text = mostly[0]
            encoding = f"utf-8 ({mostly[1]} invalid sequence{'s' if mostly[1] > 1 else ''} replaced)"
    if text is None and not (_CP1252_UNDEFINED & set(data)):
        text = data.decode("cp1252")
        encoding = "cp1252"
    if text is None:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise RejectedInput("undecodable bytes (no text encoding fits)")
        text = str(best)
        encoding = best.encoding
    if "\x00" in text:
        raise RejectedInput("binary file (contains NUL characters)")
    if _control_ratio(text) > 0.05:
        raise RejectedInput("binary file (too many control characters)")
    text = _normalise_newlines(text)
    if not text.strip():
        raise RejectedInput("empty file (only white space)")
    return text, encoding


def document_from_bytes(data: bytes, source_path: str = "", *, sha256: str | None = None) -> Document:
    """A Document from raw bytes; ``sha256`` may be passed when the caller already hashed them."""
    text, encoding = decode_bytes(data)
    return Document(
        text=text,
        encoding=encoding,
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        byte_size=len(data),
        source_path=source_path,
    )


def max_bytes_default() -> int:
    try:
        return int(os.environ.get("CANVAS_ETL_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ValueError:
        return DEFAULT_MAX_BYTES


def read_bytes(path: str | Path, *, max_bytes: int | None = None) -> bytes:
    """Read a file, refusing unreadable paths and files over the size limit."""
    limit = max_bytes_default() if max_bytes is None else max_bytes
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise RejectedInput(f"unreadable path: {exc.strerror or exc}") from None
    if not p.is_file():
        raise RejectedInput("not a regular file")
    if size > limit:
        raise RejectedInput(f"file too large: {size} bytes > limit {limit} bytes")
    try:
        with open(p, "rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise RejectedInput(f"unreadable path: {exc.strerror or exc}") from None


def read_document(path: str | Path, *, max_bytes: int | None = None) -> Document:
    return document_from_bytes(read_bytes(path, max_bytes=max_bytes), str(path))
