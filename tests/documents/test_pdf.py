"""PDF text: quality on German documents, page numbers, and bounds against hostile files.

The shipped files in tests/data/pdf were made by ``bench/pdf_corpus.py`` (reportlab);
the hostile ones are built by hand in tests/documents/pdfbytes.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from tests.documents.pdfbytes import bomb_pdf, loop_pdf, text_pdf

from srccheck.documents.pdf import PdfLimits, PdfReader, looks_like_pdf, page_number
from srccheck.text.normalize import normalize

DATA = Path(__file__).resolve().parents[1] / "data" / "pdf"
TRUTH = json.loads((DATA / "truth.json").read_text("utf-8"))

pytestmark = pytest.mark.timeout(120)  # a hang fails the test instead of the CI run

TWO_PAGES = text_pdf(
    [
        ["Seite eins: Die Förderung für Wärmepumpen wird geprüft."],
        ["„Die Lage ist ernst“, sagte Müller.", "Die Energie-", "dichte stieg auf 400 Wh/kg."],
    ]
)


async def read(data: bytes, **limits: object) -> object:
    return await PdfReader(PdfLimits(**limits)).read(data)  # type: ignore[arg-type]


async def test_each_page_ends_with_a_form_feed_and_names_its_page() -> None:
    reading = await read(TWO_PAGES)
    assert reading.readable
    assert reading.pages_read == reading.page_count == 2
    text = reading.text
    assert text.count("\f") == 2
    assert text.endswith("\f")
    assert "Seite eins: Die Förderung für Wärmepumpen wird geprüft." in text
    assert page_number(text, text.index("„Die Lage ist ernst“")) == 2
    assert page_number(text, text.index("Seite eins")) == 1
    # The line-end hyphen is kept for the claims' normalisation to undo.
    assert "energiedichte stieg auf 400 wh/kg" in normalize(text).text


def test_a_web_page_has_no_page_numbers() -> None:
    assert page_number("Ein Absatz.\nNoch einer.", 5) is None


@pytest.mark.parametrize("name", ["report_de.pdf", "ligatures_de.pdf"])
async def test_every_sentence_of_a_german_document_is_found_after_normalisation(
    name: str,
) -> None:
    # report_de: umlauts, ß and words hyphenated at line ends (PDFium joins those lines
    # and marks the hyphen with U+FFFE); ligatures_de: embedded font with ﬁ/ﬂ/ﬀ glyphs,
    # typographic quotes, an en dash and no-break spaces.
    reading = await read((DATA / name).read_bytes())
    assert reading.readable, reading.failure
    haystack = normalize(reading.text).text
    missing = [s for s in TRUTH[name] if normalize(s).text not in haystack]
    assert missing == []
    assert "\ufffe" not in reading.text


async def test_page_cap_reads_the_first_pages_and_says_so() -> None:
    reading = await read((DATA / "report_de.pdf").read_bytes(), max_pages=2)
    assert reading.readable
    assert reading.pages_read == 2
    assert reading.page_count == 12
    assert reading.signals == ("pdf:page-cap",)
    assert reading.text.count("\f") == 2


@pytest.mark.parametrize(
    ("data", "signal", "words"),
    [
        ((DATA / "scanned.pdf").read_bytes(), "pdf:no-text", "no text layer"),
        ((DATA / "encrypted.pdf").read_bytes(), "pdf:encrypted", "password"),
        (TWO_PAGES[: len(TWO_PAGES) // 2], "pdf:damaged", "damaged"),  # truncated file
        (TWO_PAGES[: len(TWO_PAGES) * 3 // 4], "pdf:damaged", "damaged"),
        (loop_pdf(), "pdf:damaged", "damaged"),  # page tree and /Length refer to themselves
        (b"%PDF-1.7\n" + b"\x00" * 5000, "pdf:damaged", "damaged"),
    ],
    ids=["scanned", "encrypted", "truncated-half", "truncated-3/4", "reference-loop", "junk"],
)
async def test_unreadable_documents_end_with_a_clear_reason(
    data: bytes, signal: str, words: str
) -> None:
    reading = await read(data)
    assert not reading.readable
    assert reading.text is None
    assert reading.signals == (signal,)
    assert words in reading.failure


async def test_a_decompression_bomb_hits_the_memory_limit_not_the_machine() -> None:
    # 600 MiB of content stream from ~600 KiB; the worker may use 256 MiB.
    reading = await read(bomb_pdf(600), memory_bytes=256 * 1024 * 1024, timeout=60.0)
    assert not reading.readable
    # Killed by its memory limit, or stopped by the time limit on a very slow machine.
    assert reading.signals in {("pdf:crashed",), ("pdf:timeout",)}
    assert "PDF" in reading.failure


async def test_a_worker_that_hangs_is_killed_at_the_time_limit() -> None:
    sleeper = (sys.executable, "-c", "import time; time.sleep(600)")
    reader = PdfReader(PdfLimits(timeout=1.0), command=sleeper)
    reading = await reader.read(TWO_PAGES)
    assert reading.signals == ("pdf:timeout",)
    assert "longer than 1 s" in reading.failure


async def test_a_worker_that_dies_is_a_reason_not_an_exception() -> None:
    dying = (sys.executable, "-c", "import os; os.abort()")
    reading = await PdfReader(command=dying).read(TWO_PAGES)
    assert reading.signals == ("pdf:crashed",)
    assert "SIGABRT" in reading.failure


async def test_a_worker_that_cannot_start_is_a_reason_not_an_exception(tmp_path: Path) -> None:
    missing = (str(tmp_path / "no-such-python"),)
    reading = await PdfReader(command=missing).read(TWO_PAGES)
    assert reading.signals == ("pdf:crashed",)
    assert "could not be started" in reading.failure


async def test_a_body_cut_at_the_size_cap_is_not_parsed() -> None:
    never = (sys.executable, "-c", "raise SystemExit(3)")
    reading = await PdfReader(command=never).read(TWO_PAGES, truncated=True, cap=5 * 2**20)
    assert reading.signals == ("pdf:too-large",)
    assert "5 MiB body cap" in reading.failure


def test_pdf_sniffing() -> None:
    assert looks_like_pdf(TWO_PAGES)
    assert looks_like_pdf(b"\r\n%PDF-1.4")
    assert not looks_like_pdf(b"<html><body>%PDF-1.4 is a version</body></html>")
    assert not looks_like_pdf(b"\x89PNG\r\n")
