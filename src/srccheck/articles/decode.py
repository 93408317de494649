"""Decoding an article file's bytes into text, or saying why it cannot be.

Order of the rules (first match wins):

1. a byte order mark decides: UTF-32 LE/BE, UTF-8, UTF-16 LE/BE (UTF-32 is
   tested first: its LE mark starts with the UTF-16 LE mark);
2. NUL bytes without such a mark, or more than :data:`MAX_CONTROL_SHARE` of
   control bytes, mean a binary file;
3. strict UTF-8;
4. with fewer than :data:`MIN_BYTES_TO_GUESS` non-ASCII bytes, Windows-1252:
   no detector can tell code pages apart from a handful of letters, and a
   German or English article is by far the likeliest case;
5. charset-normalizer's candidates that keep ASCII as ASCII (URLs are ASCII,
   so EBCDIC or UTF-16 guesses are wrong for articles). When the best of them
   decodes the file exactly as Windows-1252 would, the file is reported as
   ``cp1252``: charset-normalizer cannot tell the Western single-byte code
   pages apart on German or English text and would name an arbitrary one;
   Of the candidates as chaotic as the best one, one equivalent to Windows-1252
   is preferred;
6. Windows-1252 (a superset of the printable Latin-1 range) when it decodes;
7. otherwise the file is undecodable.

Newlines are normalised afterwards (CRLF and CR → LF) so that line numbers are
the lines a reader sees.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

from srccheck.models import ArticleError, ArticleErrorKind

__all__ = [
    "MAX_CONTROL_SHARE",
    "MIN_BYTES_TO_GUESS",
    "DecodedText",
    "decode_article",
    "normalise_newlines",
]

#: Share of control bytes (other than tab, newline, CR, form feed, ESC) above which
#: a file is treated as binary.
MAX_CONTROL_SHARE = 0.10
#: Fewer non-ASCII bytes than this are decoded as Windows-1252 without guessing.
MIN_BYTES_TO_GUESS = 32

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"
_NON_ASCII_BYTES = bytes(range(128, 256))
_ASCII_PROBE = b"https://www.example.org/a-b_c?d=1&e=2#f\n"


@dataclass(frozen=True, slots=True)
class DecodedText:
    """The decoded text (newlines normalised) and the encoding used."""

    text: str
    encoding: str


def decode_article(data: bytes) -> DecodedText | ArticleError:
    """Decode an article's bytes by the rules in the module docstring."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                return _error(
                    ArticleErrorKind.UNDECODABLE,
                    f"not valid {encoding.removesuffix('-sig').upper()} despite its byte order "
                    f"mark (byte {exc.start})",
                )
            return DecodedText(normalise_newlines(text), encoding)
    if b"\x00" in data:
        return _error(ArticleErrorKind.BINARY, "binary file (contains NUL bytes)")
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if data and control / len(data) > MAX_CONTROL_SHARE:
        return _error(
            ArticleErrorKind.BINARY,
            f"binary file ({control / len(data):.0%} of its bytes are control characters)",
        )
    try:
        return DecodedText(normalise_newlines(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    non_ascii = len(data) - len(data.translate(None, _NON_ASCII_BYTES))
    if non_ascii < MIN_BYTES_TO_GUESS and (cp1252 := _decode_cp1252(data)) is not None:
        return cp1252
    guessed = _guess(data)
    if guessed is not None:
        return guessed
    return _decode_cp1252(data) or _error(
        ArticleErrorKind.UNDECODABLE,
        "cannot decode the file: not UTF-8 and no known character set fits",
    )


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_cp1252(data: bytes) -> DecodedText | None:
    try:
        return DecodedText(normalise_newlines(data.decode("cp1252")), "cp1252")
    except UnicodeDecodeError:
        return None


def _guess(data: bytes) -> DecodedText | None:
    candidates = [match for match in from_bytes(data) if _keeps_ascii(match.encoding)]
    if not candidates:
        return None
    best = candidates[0]
    for match in candidates:
        if match.percent_chaos > best.percent_chaos:
            break
        if "cp1252" in match.could_be_from_charset and (cp1252 := _decode_cp1252(data)):
            return cp1252
    return DecodedText(normalise_newlines(str(best)), best.encoding)


def _keeps_ascii(encoding: str) -> bool:
    try:
        return _ASCII_PROBE.decode(encoding) == _ASCII_PROBE.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def _error(kind: ArticleErrorKind, message: str) -> ArticleError:
    return ArticleError(kind=kind, message=message)
