"""Decoding a fetched body to text: which character set, and why.

The order follows the WHATWG encoding rules browsers use, so srccheck reads
a page the way its readers saw it:

1. a byte-order mark (it overrides every declaration, as in browsers);
2. the ``charset`` parameter of the HTTP ``Content-Type`` header;
3. ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` (or the XML
   declaration) within the first 4 KB;
4. strictly valid UTF-8 is UTF-8; otherwise charset-normalizer's guess among
   the encodings the web uses (cp1252 preferred when it reads the same);
5. windows-1252.

Labels are resolved like WHATWG does: ``iso-8859-1``, ``latin1`` and
``us-ascii`` mean windows-1252 (servers say Latin-1 and send „ “ €), and a
``<meta>`` that claims UTF-16 means UTF-8.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

__all__ = ["DecodedText", "charset_label", "decode_body", "resolve_charset"]

_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_.:-]+)""", re.I)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels that WHATWG maps to windows-1252.
_AS_CP1252 = frozenset({"latin_1", "iso8859-1", "ascii", "cp1252"})
# Encodings a web page plausibly uses; keeps charset-normalizer off EBCDIC and Mac code pages.
_WEB_CANDIDATES = [
    "utf_8", "cp1252", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r", "cp1253",
    "cp1254", "cp1255", "cp1256", "cp1257", "shift_jis", "euc_jp", "gb18030", "big5", "euc_kr",
]  # fmt: skip
# Enough text for a reliable guess; the rest of a large page adds time, not certainty.
_GUESS_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class DecodedText:
    """A decoded body and the character set it was decoded with (a WHATWG-style label)."""

    text: str
    charset: str


def resolve_charset(label: str | None, *, from_meta: bool = False) -> str | None:
    """The Python codec for a declared charset label, or ``None`` when it is unknown.

    ISO-8859-1, Latin-1 and US-ASCII resolve to cp1252 (WHATWG); a UTF-16
    label found in ``<meta>`` resolves to UTF-8 (the bytes were readable as
    ASCII, so they cannot be UTF-16).
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    if name in _AS_CP1252:
        return "cp1252"
    if from_meta and name.startswith("utf-16"):
        return "utf-8"
    return name


def charset_label(codec: str) -> str:
    """The label srccheck reports for a codec: ``windows-1252``, ``iso-8859-15``, ``utf-8`` …"""
    name = codecs.lookup(codec).name
    if name.startswith("cp125"):
        return "windows-" + name[2:]
    if name.startswith("iso8859-"):
        return "iso-" + name[3:]
    return name


def _declared_in_document(head: bytes) -> str | None:
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    return resolve_charset(match.group(1).decode("ascii"), from_meta=True)


def _guess(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut at the size cap may split the last character: still UTF-8 if the
        # bytes before it already held valid multi-byte characters.
        cut_short = exc.reason == "unexpected end of data"
        if cut_short and not body[: exc.start].isascii():
            return "utf-8"
        return _guess_with_normalizer(body)
    return "cp1252" if body.isascii() else "utf-8"


def _guess_with_normalizer(body: bytes) -> str:
    best = from_bytes(body[:_GUESS_BYTES], cp_isolation=_WEB_CANDIDATES).best()
    if best is None:
        return "cp1252"
    if "cp1252" in best.could_be_from_charset:
        return "cp1252"
    return codecs.lookup(best.encoding).name


def decode_body(body: bytes, *, declared: str | None = None, markup: bool = True) -> DecodedText:
    """Decode ``body``: BOM → HTTP charset ``declared`` → in-document declaration
    (only when ``markup``, i.e. HTML/XML) → detection → windows-1252.

    Undecodable bytes become U+FFFD; decoding never fails.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return DecodedText(body[len(bom) :].decode(codec, "replace"), charset_label(codec))
    codec = resolve_charset(declared)
    if codec is None and markup:
        codec = _declared_in_document(body[:_SNIFF_BYTES])
    if codec is None:
        codec = _guess(body)
    return DecodedText(body.decode(codec, "replace"), charset_label(codec))
