"""Turn the bytes of a text transcript into clean Python text.

Order of the checks (first match wins):

1. empty input -> ``E102``;
2. a byte-order mark (UTF-8, UTF-32, UTF-16 LE/BE, e.g. Word's "Unicode text") -> that codec, strictly;
3. a known binary signature (PDF, ZIP, image, old Office...) -> ``E104``;
4. BOM-less UTF-16, recognised by its NUL bytes on every other position;
5. other binary content (a NUL byte, many control bytes) -> ``E104``;
6. strict UTF-8;
7. a file that is mostly UTF-8 with a few lines in cp1252 (copy-pastes from
   old files) -> decoded line by line, with a warning naming the lines;
8. a Western single-byte code page (cp1252, ISO-8859-15, Latin-1, Mac Roman),
   chosen by charset-normalizer among those only, and accepted only when the
   decoded text is clean (low "mess" ratio); otherwise ``E105``.

Whatever the codec, the text comes back with newlines as ``\\n``, no BOM, and
in Unicode NFC form.

>>> decode_bytes("Ça marche, 12 €\\r\\n".encode("cp1252"), "a.txt")
('Ça marche, 12 €\\n', 'cp1252')
>>> decode_bytes(b"\\xef\\xbb\\xbfBonjour", "a.txt")
('Bonjour', 'utf-8-sig')
"""
from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from interviewkit.errors import InputError

#: Codecs charset-normalizer may choose among when a file is not UTF-8.
LEGACY_CODECS = ("cp1252", "iso8859_15", "latin_1", "mac_roman")
#: Highest charset-normalizer "chaos" (mess ratio) accepted for a legacy codec.
MAX_CHAOS = 0.15
#: Share of control bytes above which a file is considered binary.
MAX_CONTROL_SHARE = 0.05

_BINARY_HINT = "export it as .txt (UTF-8), .docx, .vtt or .srt from the transcription tool"
# Control bytes that never occur in text (tab, LF, VT, FF, CR and ESC/SUB are tolerated).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x1A), 0x1C, 0x1D, 0x1E, 0x1F])
_CONTROL_CHARS = {chr(b) for b in _CONTROL_BYTES} | {"\x7f"}
_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP container (DOCX/XLSX saved under a text extension?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office (.doc/.xls) or password-protected file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b\x08", "a gzip archive"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


@dataclass
class Decoded:
    """Result of :func:`decode_text`: ``text``, ``encoding`` name and ``warnings`` (sentences)."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def decode_bytes(data: bytes, path: str | Path | None = None) -> tuple[str, str]:
    """Decode ``data`` (the content of ``path``) to ``(text, encoding name)``.

    Raises :class:`InputError` (E102 empty, E104 binary, E105 undecodable).
    """
    result = decode_text(data, path)
    return result.text, result.encoding


def decode_text(data: bytes, path: str | Path | None = None) -> Decoded:
    """Like :func:`decode_bytes` but also returns warnings (e.g. mixed encodings)."""
    if not data:
        raise InputError("E102", "the file is empty", path=path,
                         hint="export the transcript again; a transcript needs some text")
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return Decoded(_finish(_strict(data, len(bom), codec, path, name), path), name)
    signature = next((label for magic, label in _SIGNATURES if data.startswith(magic)), None)
    if signature is not None:
        raise InputError("E104", f"this looks like a binary file, not a text transcript: {signature}",
                         path=path, hint=_BINARY_HINT)
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            pass
        else:
            return Decoded(_finish(text, path), utf16)
    _reject_binary(data, path)
    try:
        return Decoded(_finish(data.decode("utf-8"), path), "utf-8")
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data, path)
    if mixed is not None:
        return mixed
    return _decode_legacy(data, path)


def _strict(data: bytes, skip: int, codec: str, path: str | Path | None, name: str) -> str:
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            "E105", f"the file starts with a {name} byte-order mark but byte {exc.start + skip} is not valid {name}",
            path=path, hint="the file is probably truncated or damaged; export it again as UTF-8 text",
        ) from None


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on every other position, else None."""
    sample = data[:8192]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    sample = sample[: len(sample) - len(sample) % 2]
    half = len(sample) // 2
    even_nul = sample[0::2].count(0) / half
    odd_nul = sample[1::2].count(0) / half
    if odd_nul > 0.3 and even_nul < 0.02:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.02:
        return "utf-16-be"
    return None


def _reject_binary(data: bytes, path: str | Path | None) -> None:
    what = None
    if b"\x00" in data:
        what = "binary data (it contains NUL bytes)"
    if what is None:
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
        if controls > max(2, MAX_CONTROL_SHARE * len(data)):
            what = f"binary data ({controls} control bytes)"
    if what is not None:
        raise InputError("E104", f"this looks like a binary file, not a text transcript: {what}",
                         path=path, hint=_BINARY_HINT)


def _decode_mixed(data: bytes, path: str | Path | None) -> Decoded | None:
    """Decode a mostly-UTF-8 file whose few bad lines are cp1252; None when not that case."""
    lines = data.split(b"\n")
    utf8_accented = 0
    bad: list[int] = []
    undecodable = 0
    out: list[str] = []
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
            if not raw.isascii():
                utf8_accented += 1
        except UnicodeDecodeError:
            bad.append(number)
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                undecodable = undecodable or number
                text = ""
        out.append(text)
    if not utf8_accented:
        return None
    if undecodable:
        raise InputError(
            "E105", f"mixed text encodings: some lines are UTF-8, and line {undecodable} is neither UTF-8 nor cp1252",
            path=path, line=undecodable, hint="open the file in a text editor and save it again as UTF-8",
        )
    shown = ", ".join(str(n) for n in bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
    warning = (f"mixed encodings: the file is UTF-8 but line(s) {shown} were cp1252 and were "
               "decoded as such; check their accents")
    return Decoded(_finish("\n".join(out), path), "utf-8+cp1252", [warning])


def _decode_legacy(data: bytes, path: str | Path | None) -> Decoded:
    """Pick a Western code page; cp1252 (the usual French legacy encoding) wins unless
    charset-normalizer finds another candidate clearly cleaner."""
    from charset_normalizer import from_bytes

    matches = {m.encoding: m.chaos for m in from_bytes(data, cp_isolation=list(LEGACY_CODECS), threshold=MAX_CHAOS)}
    try:
        cp1252_ok = bool(data.decode("cp1252"))
    except UnicodeDecodeError:
        cp1252_ok = False
    if cp1252_ok and ("cp1252" not in matches or matches["cp1252"] <= min(matches.values()) + 0.01):
        chosen = "cp1252"
    elif matches:
        chosen = min(matches, key=lambda name: (matches[name], LEGACY_CODECS.index(name)))
    else:
        raise InputError(
            "E105", "the text encoding could not be recognised (not UTF-8, UTF-16 nor a Western code page)",
            path=path, hint="open the file in a text editor and save it again as UTF-8",
        )
    return Decoded(_finish(data.decode(chosen), path), chosen)


def _finish(text: str, path: str | Path | None) -> str:
    """Strip the BOM, normalise newlines to \\n and the text to NFC; refuse binary-looking text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InputError("E104", "this looks like a binary file, not a text transcript (NUL characters)",
                         path=path, hint=_BINARY_HINT)
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch in _CONTROL_CHARS)
    if controls > max(2, MAX_CONTROL_SHARE * len(sample)):
        raise InputError("E104", f"this looks like a binary file, not a text transcript ({controls} control characters)",
                         path=path, hint=_BINARY_HINT)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def read_input_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of an input file, refusing missing paths (E101), files over ``max_bytes`` (E103)
    and empty files (E102)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError("E101", "not a regular file", path=path, hint="give a transcript file or a folder")
        if max_bytes is not None and size > max_bytes:
            raise InputError("E103", f"the file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit",
                             path=path, hint="split the file, or raise the size limit if it really is one transcript")
        data = path.read_bytes()
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError("E101", "file not found", path=path, hint="check the path") from None
    except OSError as exc:
        raise InputError("E101", f"the file cannot be read ({exc.strerror or exc})", path=path,
                         hint="check the file permissions") from None
    if not data:
        raise InputError("E102", "the file is empty", path=path,
                         hint="export the transcript again; a transcript needs some text")
    return data
