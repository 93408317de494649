"""Decoding article files and the failures a user sees for bad files."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from srccheck.articles import Article, ArticleFailure, load_article
from srccheck.articles.decode import DecodedText, decode_article
from srccheck.models import ArticleErrorKind
from srccheck.settings import DEFAULT_SETTINGS

GERMAN = (
    "22.10.2024\nÄrger über Straßenbau\n\n"
    "Der Bürgermeister sagte: „Wir prüfen das.“ Öl, Übel, Größe – alles hübsch.\n\n"
    "Quellen: - https://www.example.de/straße-ärger - https://b.example/x\n"
)


def write(tmp_path: Path, data: bytes, name: str = "artikel.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def load_ok(path: Path) -> Article:
    article = load_article(path, DEFAULT_SETTINGS)
    assert isinstance(article, Article), article
    return article


def failure_of(path: Path, **settings: object) -> ArticleFailure:
    result = load_article(path, DEFAULT_SETTINGS.with_changes(**settings))
    assert isinstance(result, ArticleFailure), result
    return result


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-8", codecs.BOM_UTF8),
    ],
)
def test_byte_order_marks(tmp_path: Path, encoding: str, bom: bytes) -> None:
    article = load_ok(write(tmp_path, bom + GERMAN.encode(encoding)))
    assert article.title == "Ärger über Straßenbau"
    assert not article.text.startswith("\ufeff")
    assert "„Wir prüfen das.“" in article.body
    assert article.sources[0].url == "https://www.example.de/stra%C3%9Fe-%C3%A4rger"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_windows_1252_and_latin1_german_text(tmp_path: Path, encoding: str) -> None:
    text = GERMAN if encoding == "cp1252" else GERMAN.replace("„", '"').replace("“", '"')
    text = text.replace("–", "-") if encoding == "latin-1" else text
    article = load_ok(write(tmp_path, text.encode(encoding)))
    assert article.encoding == "cp1252"
    assert article.text == text
    assert article.title == "Ärger über Straßenbau"


def test_longer_windows_1252_text_is_detected(tmp_path: Path) -> None:
    sentence = "Größere Schäden an Brücken, Straßen und Häusern wurden gemeldet. „Übel“, sagte er. "
    body = sentence * 20
    text = f"Titel\n\n{body}\n\nQuellen:\n- https://a.example/\n"
    article = load_ok(write(tmp_path, text.encode("cp1252")))
    assert article.encoding == "cp1252"
    assert article.body == body.strip()


def test_other_code_pages_are_detected(tmp_path: Path) -> None:
    text = (
        "Заголовок\n\nЭто тестовая статья о чём-то очень важном для всех читателей газеты. " * 3
        + "\n\nQuellen:\n- https://a.example/\n"
    )
    article = load_ok(write(tmp_path, text.encode("cp1251")))
    assert article.text == text


def test_crlf_and_cr_newlines_are_normalised_before_positions(tmp_path: Path) -> None:
    text = GERMAN.replace("\n", "\r\n")
    article = load_ok(write(tmp_path, text.encode("utf-8")))
    assert "\r" not in article.text
    assert article.sources[0].positions[0].line == 6
    assert article.sources[0].positions[0].column == len("Quellen: - ") + 1
    old_mac = load_ok(write(tmp_path, GERMAN.replace("\n", "\r").encode("utf-8"), "mac.txt"))
    assert old_mac.sources[1].positions[0].line == 6


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    empty = failure_of(write(tmp_path, b""))
    assert empty.error.kind is ArticleErrorKind.EMPTY
    assert empty.error.message == "file is empty"
    blank = failure_of(write(tmp_path, b" \n\r\n\t\n", "blank.txt"))
    assert blank.error.kind is ArticleErrorKind.EMPTY
    assert "whitespace" in blank.error.message


def test_binary_files(tmp_path: Path) -> None:
    png = failure_of(write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64)))
    assert png.error.kind is ArticleErrorKind.BINARY
    assert png.error.message == "binary file (contains NUL bytes)"
    nul_in_text = failure_of(write(tmp_path, GERMAN.encode() + b"\x00", "nul.txt"))
    assert nul_in_text.error.kind is ArticleErrorKind.BINARY
    controls = failure_of(write(tmp_path, b"\x01\x02\x03\x04 text \x05\x06\x07\x08", "c.txt"))
    assert controls.error.kind is ArticleErrorKind.BINARY
    assert "control characters" in controls.error.message


def test_utf16_without_bom_is_binary(tmp_path: Path) -> None:
    failure = failure_of(write(tmp_path, GERMAN.encode("utf-16-le")))
    assert failure.error.kind is ArticleErrorKind.BINARY


def test_undecodable_bytes(tmp_path: Path) -> None:
    # Bytes that are neither UTF-8 nor any code page (0x81, 0x8D, 0x8F, 0x90, 0x9D are
    # unassigned in Windows-1252).
    failure = failure_of(write(tmp_path, bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x41, 0xFF]) * 8))
    assert failure.error.kind is ArticleErrorKind.UNDECODABLE
    broken_bom = failure_of(write(tmp_path, codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", "b.txt"))
    assert broken_bom.error.kind is ArticleErrorKind.UNDECODABLE
    assert "UTF-16" in broken_bom.error.message


def test_too_large_file_reads_no_more_than_the_cap(tmp_path: Path) -> None:
    path = write(tmp_path, GERMAN.encode() * 100)
    failure = failure_of(path, max_article_bytes=1000)
    assert failure.error.kind is ArticleErrorKind.TOO_LARGE
    assert "1,000 bytes" in failure.error.message
    exactly_at_cap = DEFAULT_SETTINGS.with_changes(max_article_bytes=path.stat().st_size)
    at_cap = load_article(path, exactly_at_cap)
    assert isinstance(at_cap, Article)


def test_unreadable_paths(tmp_path: Path) -> None:
    missing = failure_of(tmp_path / "fehlt.txt")
    assert missing.error.kind is ArticleErrorKind.UNREADABLE
    assert "No such file" in missing.error.message
    directory = failure_of(tmp_path)
    assert directory.error.kind is ArticleErrorKind.UNREADABLE
    assert "directory" in directory.error.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path, GERMAN.encode())
    path.chmod(0)
    failure = failure_of(path)
    assert failure.error.kind is ArticleErrorKind.UNREADABLE
    assert "Permission denied" in failure.error.message


def test_decode_reports_the_encoding_used() -> None:
    decoded = decode_article(b"a\r\nb")
    assert isinstance(decoded, DecodedText)
    assert (decoded.text, decoded.encoding) == ("a\nb", "utf-8")
