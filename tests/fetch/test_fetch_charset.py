"""Decoding bodies: declared charsets, meta tags, BOMs, detection; content types; titles."""

from __future__ import annotations

import codecs

import pytest

from srccheck.fetch.charset import charset_label, decode_body, resolve_charset
from srccheck.fetch.content import is_textual, page_title, parse_content_type

GERMAN = "Größe über Maß: „Wir schaffen das“, sagte Müller – für 1.000 € Öl."
LATIN9 = "Größe über Maß für 1.000 € Öl"  # iso-8859-15 has € but no „ “


@pytest.mark.parametrize(
    ("body", "declared", "markup", "charset", "text"),
    [
        # HTTP header wins over detection; ISO-8859-1 is read as windows-1252 (WHATWG).
        (GERMAN.encode("cp1252"), "ISO-8859-1", False, "windows-1252", GERMAN),
        (GERMAN.encode("cp1252"), "latin1", False, "windows-1252", GERMAN),
        (GERMAN.encode("cp1252"), "windows-1252", False, "windows-1252", GERMAN),
        (GERMAN.encode("utf-8"), "utf-8", False, "utf-8", GERMAN),
        (GERMAN.encode("utf-8"), "UTF8", False, "utf-8", GERMAN),
        # <meta> in the first 4 KB when the header says nothing.
        (f'<meta charset="iso-8859-1"><p>{GERMAN}'.encode("cp1252"),
         None, True, "windows-1252", GERMAN),
        (f'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">{GERMAN}'
         .encode("cp1252"), None, True, "windows-1252", GERMAN),
        (f"<meta charset='utf-8'>{GERMAN}".encode(), None, True, "utf-8", GERMAN),
        (f'<?xml version="1.0" encoding="ISO-8859-15"?><a>{LATIN9}</a>'.encode("iso-8859-15"),
         None, True, "iso-8859-15", LATIN9),
        # An unknown header label falls through to the next rule.
        (f"<meta charset=utf-8>{GERMAN}".encode(), "x-bogus", True, "utf-8", GERMAN),
        # A BOM beats a wrong declaration.
        (codecs.BOM_UTF8 + GERMAN.encode("utf-8"), "iso-8859-1", True, "utf-8", GERMAN),
        (codecs.BOM_UTF16_LE + GERMAN.encode("utf-16-le"), None, True, "utf-16-le", GERMAN),
        # No declaration: detection, windows-1252 when in doubt.
        (GERMAN.encode("utf-8"), None, False, "utf-8", GERMAN),
        (GERMAN.encode("cp1252"), None, False, "windows-1252", GERMAN),
        ("Maß".encode("cp1252"), None, False, "windows-1252", "Maß"),
        (b"plain ascii", None, False, "windows-1252", "plain ascii"),
    ],
)  # fmt: skip
def test_decode_body(
    body: bytes, declared: str | None, markup: bool, charset: str, text: str
) -> None:
    decoded = decode_body(body, declared=declared, markup=markup)
    assert decoded.charset == charset
    assert text in decoded.text
    assert "\ufeff" not in decoded.text


def test_meta_is_ignored_for_plain_text() -> None:
    body = f"<meta charset=koi8-r> {GERMAN}".encode()
    assert decode_body(body, markup=False).charset == "utf-8"


def test_meta_after_4kb_is_not_used() -> None:
    body = b" " * 5000 + '<meta charset="koi8-r">Größe'.encode()
    assert decode_body(body, markup=True).charset == "utf-8"


def test_utf8_cut_inside_a_character_is_still_utf8() -> None:
    body = GERMAN.encode("utf-8")
    cut = body[: body.index("€".encode()) + 1]  # first byte of the 3-byte euro sign
    decoded = decode_body(cut, markup=False)
    assert decoded.charset == "utf-8"
    assert decoded.text.startswith("Größe über Maß")


def test_cyrillic_is_detected() -> None:
    text = "Добрый день, как дела? Сегодня хорошая погода в Москве."
    decoded = decode_body(text.encode("cp1251"), markup=False)
    assert decoded.text == text


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("iso-8859-1", "cp1252"),
        ("US-ASCII", "cp1252"),
        ("utf-8", "utf-8"),
        ('"utf-8"', "utf-8"),
        ("shift_jis", "shift_jis"),
        ("nonsense", None),
        ("", None),
        (None, None),
    ],
)
def test_resolve_charset(label: str | None, codec: str | None) -> None:
    assert resolve_charset(label) == codec


def test_meta_utf16_means_utf8() -> None:
    assert resolve_charset("utf-16", from_meta=True) == "utf-8"
    assert resolve_charset("utf-16") == "utf-16"


@pytest.mark.parametrize(
    ("codec", "label"),
    [
        ("cp1252", "windows-1252"),
        ("latin-1", "iso-8859-1"),
        ("utf8", "utf-8"),
        ("cp1251", "windows-1251"),
    ],
)
def test_charset_label(codec: str, label: str) -> None:
    assert charset_label(codec) == label


@pytest.mark.parametrize(
    ("header", "media_type", "charset"),
    [
        ("text/html; charset=ISO-8859-1", "text/html", "iso-8859-1"),
        ('Text/HTML; Charset="utf-8"', "text/html", "utf-8"),
        ("application/pdf", "application/pdf", None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_parse_content_type(
    header: str | None, media_type: str | None, charset: str | None
) -> None:
    assert parse_content_type(header) == (media_type, charset)


@pytest.mark.parametrize(
    ("media_type", "textual"),
    [
        ("text/html", True),
        ("application/xhtml+xml", True),
        ("text/plain", True),
        ("application/xml", True),
        ("text/xml", True),
        ("application/rss+xml", True),
        ("application/pdf", False),
        ("image/png", False),
        ("application/octet-stream", False),
        (None, False),
    ],
)
def test_is_textual(media_type: str | None, textual: bool) -> None:
    assert is_textual(media_type) is textual


@pytest.mark.parametrize(
    ("html", "title"),
    [
        ("<html><head><title> Größe \n über  Maß </title></head></html>", "Größe über Maß"),
        ("<title>Erster</title><title>Zweiter</title>", "Erster"),
        ("<title>Tom &amp; Jerry</title>", "Tom & Jerry"),
        ("<title>  </title>", None),
        ("<p>no title</p>", None),
    ],
)
def test_page_title(html: str, title: str | None) -> None:
    assert page_title(html) == title
