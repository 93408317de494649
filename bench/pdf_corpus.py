"""Test PDFs for the PDF-extraction benchmark and tests (needs reportlab; not a runtime dep).

``python bench/pdf_corpus.py OUT_DIR`` writes:

* ``report_de.pdf`` – a 12-page German report in Helvetica (WinAnsi umlauts, ß),
  justified lines broken with a hyphen inside words (``Energie-`` / ``dichte``);
* ``ligatures_de.pdf`` – 3 pages in embedded DejaVu Sans with ligature glyphs
  (U+FB01 ﬁ, U+FB02 ﬂ), typographic quotes „…“, an en dash and a no-break space;
* ``long_en.pdf`` – 200 pages of English prose in two columns (speed and memory);
* ``scanned.pdf`` – one page with only a drawn image, no text layer;
* ``encrypted.pdf`` – one page that needs a user password (tests only);

and ``truth.json``: for each file, the sentences it carries (what a reader sees).
The words are generated, so the files carry no third-party text.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

GERMAN = [
    "Die Bundesregierung prüft die Förderung für Wärmepumpen erneut.",
    "Nach Angaben des Ministeriums stieg die Energiedichte der Batterien auf 400 Wh/kg.",
    "Die Übergangsfrist endet am 31. März 2025, teilte die Behörde mit.",
    "Der Ausschuss hält die Maßnahmen für verhältnismäßig und rechtmäßig.",
    "Insgesamt wurden 12.000 Anträge gestellt, davon 4.500 in Bayern.",
    "Die Straßenbauverwaltung schätzt die Kosten auf 1,2 Milliarden Euro.",
    "Künftig müssen Betreiber größerer Anlagen jährlich berichten.",
    "Die Größe der Flächen überschreitet die zulässige Höchstgrenze deutlich.",
]
ENGLISH = [
    "The committee found that the agency had failed to publish its annual report.",
    "Officials said 1,500 troops were moved to the border region in October.",
    "The court ruled that the regulation was lawful and proportionate.",
    "Revenue rose by 4.2 percent to 310 million dollars in the third quarter.",
]


def _wrap_hyphenated(sentences: list[str], width: int, rng: random.Random) -> list[str]:
    """Lines of at most ``width`` characters; long words are split with a hyphen."""
    lines: list[str] = []
    line = ""
    for word in " ".join(sentences).split():
        if len(line) + 1 + len(word) <= width:
            line = f"{line} {word}".strip()
            continue
        room = width - len(line) - 2
        core = word.rstrip(".,")
        if room >= 3 and len(core) >= 8 and core.isalpha():
            cut = rng.randint(3, min(room, len(core) - 3))
            lines.append(f"{line} {word[:cut]}-".strip())
            line = word[cut:]
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def report_de(path: Path, rng: random.Random) -> list[str]:
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("Bericht über die Förderung")
    truth: list[str] = []
    for page in range(12):
        # Unique per page, so a sentence is not found on another page in one piece.
        sentences = [
            f"Im Abschnitt {page + 1}.{i + 1} heißt es: {s[0].lower()}{s[1:]}"
            for i, s in enumerate(rng.sample(GERMAN, 6))
        ]
        truth.extend(sentences)
        c.setFont("Helvetica-Bold", 14)
        c.drawString(72, 790, f"Kapitel {page + 1}: Förderung und Wärme")
        c.setFont("Helvetica", 11)
        y = 760
        for line in _wrap_hyphenated(sentences, 70, rng):
            c.drawString(72, y, line)
            y -= 15
        c.drawString(280, 40, f"Seite {page + 1}")
        c.showPage()
    c.save()
    return truth


def ligatures_de(path: Path, rng: random.Random) -> list[str]:
    pdfmetrics.registerFont(TTFont("DejaVu", DEJAVU))
    c = canvas.Canvas(str(path), pagesize=A4)
    truth: list[str] = []
    lig = [
        "Die \ufb01nanzielle Unterstützung \ufb02ießt in die of\ufb01zielle Prüfung.",
        "„Wir halten das für richtig“, sagte die Ministerin\u00a0Müller – und fügte hinzu:"
        " „Der Ein\ufb02uss ist gering.“",
        "Die Au\ufb02agen betre\ufb00en 3\u00a0500 Unternehmen im ganzen Land.",
    ]
    for _ in range(3):
        c.setFont("DejaVu", 11)
        y = 780
        for sentence in lig:
            c.drawString(60, y, sentence)
            truth.append(sentence)
            y -= 18
        c.showPage()
    c.save()
    return truth


def long_en(path: Path, rng: random.Random) -> list[str]:
    c = canvas.Canvas(str(path), pagesize=A4)
    truth: list[str] = []
    for page in range(200):
        c.setFont("Times-Roman", 10)
        for column, x in enumerate((50, 310)):
            y = 800
            for row in range(22):
                sentence = f"In case {page}-{column}-{row}, {rng.choice(ENGLISH)}"
                words = sentence.split()
                half = len(words) // 2
                c.drawString(x, y, " ".join(words[:half]))
                c.drawString(x, y - 12, " ".join(words[half:]))
                y -= 34
                if column == 0:
                    truth.append(sentence)
        c.showPage()
    c.save()
    return truth


def scanned(path: Path, rng: random.Random) -> list[str]:
    c = canvas.Canvas(str(path), pagesize=A4)
    for i in range(40):
        c.rect(50 + i * 10, 400, 8, rng.randint(20, 300), fill=1)
    c.showPage()
    c.save()
    return []


def encrypted(path: Path, rng: random.Random) -> list[str]:
    c = canvas.Canvas(str(path), pagesize=A4, encrypt="geheim")  # a user password: unreadable
    c.setFont("Helvetica", 11)
    c.drawString(72, 760, "Vertraulich: die Förderung wird gekürzt.")
    c.showPage()
    c.save()
    return []


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(17)
    truth = {}
    for name, make in (
        ("report_de.pdf", report_de),
        ("ligatures_de.pdf", ligatures_de),
        ("long_en.pdf", long_en),
        ("scanned.pdf", scanned),
    ):
        truth[name] = make(out / name, rng)
    encrypted(out / "encrypted.pdf", rng)  # for the tests; not compared in the benchmark
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/pdf-corpus"))
