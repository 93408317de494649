"""Which PDF library srccheck uses: text quality, speed and memory, measured.

``python bench/pdf_extract.py [CORPUS_DIR]`` (default: a fresh corpus from
``bench/pdf_corpus.py`` in a temporary folder; needs reportlab) extracts every
PDF with each library in its own fresh process, ``REPEAT`` times, and prints:

* ``sentences`` – share of the ground-truth sentences found in the extracted
  text after srccheck's own normalisation (``srccheck.text.normalize``: NFKC,
  line-break hyphenation undone, spaces collapsed) – what claim matching sees;
* ``raw`` – the same share after NFKC and collapsed whitespace only (what the
  library gives by itself: umlauts, ligatures, and words hyphenated at a line
  end, which only srccheck's normalisation joins again);
* ``ms`` – median wall time of the extraction (import excluded);
* ``MB`` – peak resident memory of the extracting process (ru_maxrss).

Then srccheck's own reader (:class:`srccheck.documents.pdf.PdfReader`, one
bounded worker process per document) is timed end to end, start-up included,
on the German report and on hostile input: a decompression bomb (1.5 GiB of
content stream from 1.5 MB), a reference loop and a truncated file, each
with the default limits (1 GiB memory, 30 s).
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from srccheck.documents.pdf import PdfReader
from srccheck.text.normalize import normalize

REPEAT = 3
LIBRARIES = ("pypdfium2", "pypdf", "pdfminer.six")

_CHILD = r"""
import io, json, resource, sys, time
lib, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
if lib == "pypdfium2":
    import pypdfium2 as pdfium
    def extract(data):
        pdf = pdfium.PdfDocument(data)
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            # PDFium marks a hyphen it removed at a line end with U+FFFE and joins the
            # lines; srccheck turns it back into "-\n" (srccheck.documents.pdf).
            pages.append(tp.get_text_range().replace("\ufffe", "-\n").replace("\r\n", "\n"))
            tp.close(); page.close()
        pdf.close()
        return pages
elif lib == "pypdf":
    import pypdf
    def extract(data):
        return [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages]
else:
    from pdfminer.high_level import extract_text
    def extract(data):
        return extract_text(io.BytesIO(data)).split("\f")
start = time.perf_counter()
pages = extract(data)
ms = (time.perf_counter() - start) * 1000
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
json.dump({"ms": ms, "rss_mb": rss, "text": "\f".join(pages)}, sys.stdout)
"""

_SPACES = re.compile(r"\s+")


def _share(sentences: list[str], text: str, *, ours: bool) -> float:
    if not sentences:
        return 1.0
    if ours:
        hay = normalize(text).text
        found = sum(normalize(s).text in hay for s in sentences)
    else:
        hay = _SPACES.sub(" ", unicodedata.normalize("NFKC", text))
        found = sum(_SPACES.sub(" ", unicodedata.normalize("NFKC", s)) in hay for s in sentences)
    return found / len(sentences)


def run(corpus: Path) -> list[dict[str, object]]:
    truth = json.loads((corpus / "truth.json").read_text("utf-8"))
    rows = []
    for lib in LIBRARIES:
        for name, sentences in truth.items():
            runs = []
            for _ in range(REPEAT):
                out = subprocess.run(
                    [sys.executable, "-c", _CHILD, lib, str(corpus / name)],
                    capture_output=True, check=True, text=True,
                )  # fmt: skip
                runs.append(json.loads(out.stdout))
            text = runs[0]["text"]
            rows.append(
                {
                    "library": lib,
                    "file": name,
                    "sentences": _share(sentences, text, ours=True),
                    "raw": _share(sentences, text, ours=False),
                    "ms": statistics.median(r["ms"] for r in runs),
                    "rss_mb": max(r["rss_mb"] for r in runs),
                    "chars": len(text.replace("\f", "").strip()),
                }
            )
    return rows


def _hostile() -> dict[str, bytes]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.documents.pdfbytes import bomb_pdf, loop_pdf, text_pdf

    small = text_pdf([["Die Förderung für Wärmepumpen wird geprüft."]] * 2)
    return {
        "bomb (1.5 GiB inflated)": bomb_pdf(1536),
        "reference loop": loop_pdf(),
        "truncated": small[: len(small) // 2],
    }


async def _time_reader(corpus: Path) -> list[tuple[str, float, str]]:
    reader = PdfReader()
    rows = []
    cases = {"report_de.pdf (12 pages)": (corpus / "report_de.pdf").read_bytes(), **_hostile()}
    for name, data in cases.items():
        times = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            reading = await reader.read(data)
            times.append(time.perf_counter() - start)
        outcome = "text read" if reading.readable else ", ".join(reading.signals)
        rows.append((name, statistics.median(times), outcome))
    return rows


def main() -> None:
    if len(sys.argv) > 1:
        corpus = Path(sys.argv[1])
    else:
        corpus = Path(tempfile.mkdtemp(prefix="srccheck-pdf-"))
        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("pdf_corpus.py")), str(corpus)],
            check=True,
        )
    print("| library | file | sentences (normalised) | raw | ms | peak MB | chars |")
    print("|---|---|---|---|---|---|---|")
    for row in run(corpus):
        print(
            f"| {row['library']} | {row['file']} | {row['sentences']:.2f} | {row['raw']:.2f} "
            f"| {row['ms']:.0f} | {row['rss_mb']:.0f} | {row['chars']} |"
        )
    print()
    print("| srccheck reader, one worker per document | s (median, start-up included) | outcome |")
    print("|---|---|---|")
    for name, seconds, outcome in asyncio.run(_time_reader(corpus)):
        print(f"| {name} | {seconds:.2f} | {outcome} |")


if __name__ == "__main__":
    main()
