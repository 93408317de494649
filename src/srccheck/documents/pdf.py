"""PDF text, read in a worker process with a time, memory and page limit.

Library: pypdfium2 (bindings to PDFium, the PDF engine of Chromium), chosen by
measurement (``bench/pdf_extract.py``, figures in the README): the same text
quality as pypdf and pdfminer.six on German umlauts, ligatures and line-end
hyphenation, about 7 times faster than pypdf and 80 times faster than
pdfminer.six, and the least memory.

Rules:

* **One document, one fresh process** (``python -m srccheck.documents.pdf``):
  untrusted bytes are parsed by C code, so a document that loops or exhausts
  memory must not take the run with it. The worker sets its own address-space
  limit (:attr:`PdfLimits.memory_bytes`) and a CPU-time limit; the parent kills
  it at the wall-clock limit (:attr:`PdfLimits.timeout`). At most as many
  documents are read at once as the machine has CPUs.
* **Text**: per page, PDFium's text of the page in content order; ``\\r\\n``
  becomes ``\\n``; PDFium's mark for a hyphen it removed at a line end
  (U+FFFE) becomes ``-\\n`` again, so the claims' normalisation decides as for
  any text whether the hyphen belongs to the word (``US-\\nBotschafter``) or
  not (``Energie-\\ndichte``). **Every page ends with a form feed** (``\\f``):
  the text of a paged document always holds one, and evidence counts them to
  name the page a match is on.
* **Bounds**: the first :attr:`PdfLimits.max_pages` pages are read
  (``pdf:page-cap`` when there are more) and at most
  :attr:`PdfLimits.max_chars` characters kept.
* **Failures** are values (:class:`PdfReading` with a ``failure`` reason and
  one signal): the body was cut at the size cap → ``pdf:too-large``; PDFium
  cannot open it (damaged, truncated, a reference loop it refuses) →
  ``pdf:damaged``; a password is needed → ``pdf:encrypted``; no page has text
  (a scan without a text layer) → ``pdf:no-text``; the time limit passed →
  ``pdf:timeout``; the worker died (memory limit, a crash) → ``pdf:crashed``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from contextlib import suppress
from dataclasses import dataclass

__all__ = [
    "PDF_TYPES",
    "PdfContent",
    "PdfError",
    "PdfLimits",
    "PdfReader",
    "PdfReading",
    "extract_pdf",
    "is_pdf",
    "looks_like_pdf",
    "page_number",
]

#: Media types read as PDF.
PDF_TYPES: frozenset[str] = frozenset({"application/pdf", "application/x-pdf"})
#: What a PDF starts with (after at most a few bytes of junk, which readers allow).
_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024
PAGE_END = "\f"


@dataclass(frozen=True, slots=True)
class PdfLimits:
    """Bounds of reading one document (the body size is the fetch cap)."""

    max_pages: int = 300
    timeout: float = 30.0
    max_chars: int = 2_000_000
    memory_bytes: int = 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PdfContent:
    """What the worker read: the text of each page read, and the document's facts."""

    pages: tuple[str, ...]
    page_count: int
    title: str | None = None


class PdfError(Exception):
    """The document could not be read; ``kind`` is the signal's suffix."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True, slots=True)
class PdfReading:
    """The outcome of reading one document: its text, or why there is none.

    ``text`` holds the pages read, each ending with a form feed; ``failure`` is
    the human-readable reason when the text could not be read.
    """

    text: str | None = None
    title: str | None = None
    pages_read: int = 0
    page_count: int = 0
    signals: tuple[str, ...] = ()
    failure: str | None = None

    @property
    def readable(self) -> bool:
        return self.failure is None


def is_pdf(media_type: str | None) -> bool:
    """True for a declared PDF media type."""
    return media_type in PDF_TYPES


def looks_like_pdf(body: bytes) -> bool:
    """True when ``body`` has the ``%PDF-`` header within its first KiB (readers allow
    junk before it) and does not start like markup."""
    return _MAGIC in body[:_MAGIC_WINDOW] and not body.lstrip().startswith(b"<")


def page_number(text: str, offset: int) -> int | None:
    """The 1-based page of ``text[offset]`` in a paged text (pages end with ``\\f``).

    ``None`` when ``text`` holds no form feed: a web page has no pages.
    """
    if PAGE_END not in text:
        return None
    return text.count(PAGE_END, 0, offset) + 1


# -- in the worker ---------------------------------------------------------------------


def _tidy(text: str) -> str:
    # U+FFFE: PDFium's mark for a hyphen it removed at a line end (lines joined).
    # Form feeds inside a page would shift page numbers: they become line breaks.
    return (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\ufffe", "-\n")
        .replace("\x02", "-\n")
        .replace(PAGE_END, "\n")
        .strip()
    )


def extract_pdf(data: bytes, *, max_pages: int, max_chars: int) -> PdfContent:
    """The text of the first ``max_pages`` pages of ``data`` (a PDF); raises :class:`PdfError`.

    Parses untrusted input in C: call it only in a bounded process (see
    :class:`PdfReader`). pypdfium2 is imported here, not at module import, so
    the parent process never loads it.
    """
    import pypdfium2 as pdfium  # only the worker loads PDFium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        kind = "encrypted" if "password" in str(exc).lower() else "damaged"
        raise PdfError(kind, str(exc)) from exc
    try:
        count = len(pdf)
        pages: list[str] = []
        chars = 0
        for index in range(min(count, max_pages)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = _tidy(textpage.get_text_range())
                finally:
                    textpage.close()
            finally:
                page.close()
            text = text[: max_chars - chars]
            pages.append(text)
            chars += len(text)
            if chars >= max_chars:
                break
        title = (pdf.get_metadata_value("Title") or "").strip() or None
    except pdfium.PdfiumError as exc:
        raise PdfError("damaged", str(exc)) from exc
    finally:
        pdf.close()
    return PdfContent(tuple(pages), count, title)


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    import resource  # POSIX only; only the worker needs it

    for limit, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds)):
        with suppress(ValueError, OSError):  # a platform without the limit: time still bounds
            _soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, hard))


def main(argv: list[str] | None = None) -> int:
    """Worker entry: ``MAX_PAGES MAX_CHARS MEMORY_BYTES CPU_SECONDS``; PDF on stdin, JSON out."""
    max_pages, max_chars, memory_bytes, cpu_seconds = map(int, (argv or sys.argv[1:])[:4])
    if sys.platform != "win32":
        _limit_resources(memory_bytes, cpu_seconds)
    data = sys.stdin.buffer.read()
    try:
        content = extract_pdf(data, max_pages=max_pages, max_chars=max_chars)
        payload: dict[str, object] = {
            "pages": list(content.pages),
            "page_count": content.page_count,
            "title": content.title,
        }
    except PdfError as exc:
        payload = {"error": exc.kind, "detail": exc.detail}
    except MemoryError:
        payload = {"error": "crashed", "detail": "out of memory"}
    sys.stdout.write(json.dumps(payload))
    sys.stdout.flush()
    return 0


# -- in the parent ---------------------------------------------------------------------


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MiB" if size >= 1024 * 1024 else f"{size} bytes"


class PdfReader:
    """Reads PDF bodies in bounded worker processes; one per fetcher.

    ``command`` replaces the worker command line (tests use it to stand in a
    worker that hangs or dies).
    """

    def __init__(
        self,
        limits: PdfLimits | None = None,
        *,
        concurrency: int | None = None,
        command: tuple[str, ...] | None = None,
    ) -> None:
        self.limits = limits or PdfLimits()
        self._slots = asyncio.Semaphore(concurrency or os.cpu_count() or 1)
        self._command = command or (sys.executable, "-m", "srccheck.documents.pdf")

    async def read(self, data: bytes, *, truncated: bool = False, cap: int = 0) -> PdfReading:
        """The text of the PDF ``data``, or why it could not be read (never raises for the
        document's faults). ``truncated``: the body was cut at the size cap ``cap``."""
        if truncated:
            return PdfReading(
                signals=("pdf:too-large",),
                failure=f"the PDF is larger than the {_mib(cap)} body cap and was not read; "
                "raise max-body-bytes to read it",
            )
        async with self._slots:
            return await self._run(data)

    async def _run(self, data: bytes) -> PdfReading:
        limits = self.limits
        cpu = max(1, int(limits.timeout) + 1)
        args = (str(limits.max_pages), str(limits.max_chars), str(limits.memory_bytes), str(cpu))
        try:
            process = await asyncio.create_subprocess_exec(
                *self._command,
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError as exc:  # no process could be started (limits of the machine)
            return PdfReading(
                signals=("pdf:crashed",), failure=f"the PDF reader could not be started ({exc})"
            )
        try:
            async with asyncio.timeout(limits.timeout):
                out, _ = await process.communicate(data)
        except TimeoutError:
            return PdfReading(
                signals=("pdf:timeout",),
                failure=f"reading the PDF took longer than {limits.timeout:g} s and was stopped",
            )
        finally:
            if process.returncode is None:
                with suppress(ProcessLookupError):
                    process.kill()
                await asyncio.shield(process.wait())
        return _reading(out, process.returncode, limits)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _reading(out: bytes, returncode: int | None, limits: PdfLimits) -> PdfReading:
    """The worker's answer as a :class:`PdfReading`."""
    try:
        payload = json.loads(out)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        if returncode is not None and returncode < 0:
            how = f"killed by {_signal_name(-returncode)}"
        else:
            how = f"exit status {returncode}"
        return PdfReading(
            signals=("pdf:crashed",),
            failure=f"the PDF reader stopped ({how}): the document needs more than "
            f"{_mib(limits.memory_bytes)} or broke the reader",
        )
    if "error" in payload:
        kind = str(payload["error"])
        detail = str(payload.get("detail") or "")
        words = {
            "damaged": "the PDF is damaged and could not be opened",
            "encrypted": "the PDF is protected by a password",
            "crashed": "the PDF reader ran out of memory",
        }
        reason = words.get(kind, "the PDF could not be read")
        return PdfReading(
            signals=(f"pdf:{kind}",), failure=f"{reason} ({detail})" if detail else reason
        )
    pages = [str(page) for page in payload.get("pages", [])]
    count = int(payload.get("page_count") or 0)
    title = payload.get("title")
    if not any(page.strip() for page in pages):
        return PdfReading(
            title=title if isinstance(title, str) else None,
            page_count=count,
            signals=("pdf:no-text",),
            failure="the PDF has no text layer (a scanned document?); its text could not be read",
        )
    signals = ("pdf:page-cap",) if count > len(pages) else ()
    return PdfReading(
        text="".join(page + PAGE_END for page in pages),
        title=title if isinstance(title, str) else None,
        pages_read=len(pages),
        page_count=count,
        signals=signals,
    )


if __name__ == "__main__":
    sys.exit(main())
