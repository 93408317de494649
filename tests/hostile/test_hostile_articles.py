"""Article files that must not hurt: every file gets a clear report or a clear error.

The decoding and parsing rules are tested one by one in tests/articles; here
a folder of hostile files goes through the real CLI in one run, and the
reports must stay inside ``--output``.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import jsonschema
import pytest
from hostile_server import cli_args, load_json, run_cli, schema
from typer.testing import CliRunner

from srccheck.cli import app

SOURCES = "Quellen:\n- https://www.tagesschau.de/a\n- https://www.faz.net/b\n"
ARTICLE = f"22.10.2024\nÜberschrift mit Umlauten\n\nGrüße aus Köln.\n\n{SOURCES}"

# file name → (bytes, the expected state, the expected error kind or encoding)
FILES: dict[str, tuple[bytes, str, str]] = {
    "empty.txt": (b"", "error", "empty"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "error", "binary"),
    "nul.txt": (ARTICLE.encode() + b"\x00\x00\x00", "error", "binary"),
    "utf16.txt": (codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"), "complete", "utf-16"),
    "latin1.txt": (ARTICLE.encode("latin-1"), "complete", "cp1252"),
    "crlf.txt": (ARTICLE.replace("\n", "\r\n").encode(), "complete", "utf-8"),
    "single-line.md": (b"# Titel Quellen: https://www.faz.net/b", "complete", "utf-8"),
    "name with spaces ü.txt": (ARTICLE.encode(), "complete", "utf-8"),
    "..hidden..txt": (ARTICLE.encode(), "complete", "utf-8"),
    "..\\..\\escape.txt": (ARTICLE.encode(), "complete", "utf-8"),
    "%2e%2e%2fescape.txt": (ARTICLE.encode(), "complete", "utf-8"),
    "con.txt": (ARTICLE.encode(), "complete", "utf-8"),
    "index.txt": (ARTICLE.encode(), "complete", "utf-8"),
}
HUGE_BYTES = 100 * 1024 * 1024


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.timeout(120)
def test_hostile_article_files_in_one_run(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, (data, _, _) in FILES.items():
        (articles / name).write_bytes(data)
    with (articles / "huge.txt").open("wb") as huge:  # 100 MB, written in pieces
        line = b"- https://www.faz.net/" + b"x" * 1000 + b"\n"
        huge.write(ARTICLE.encode())
        for _ in range(HUGE_BYTES // len(line)):
            huge.write(line)
    out = tmp_path / "out"
    before = _files_under(tmp_path)

    # Dot files are not searched in folders; named on the command line they are checked.
    hidden = [articles / name for name in FILES if name.startswith(".")]
    finished = run_cli(cli_args([articles, *hidden], out, "--exclude", "."), tmp_path)
    assert finished.returncode in (0, 1), finished.stderr
    assert "Traceback" not in finished.stderr + finished.stdout
    # The 100 MB file was not read into memory: at most the cap plus a byte.
    assert finished.max_rss_bytes < 300 * 1024 * 1024, finished.max_rss_bytes

    index = load_json(out / "index.json")
    jsonschema.Draft202012Validator(schema("index.schema.json")).validate(index)
    entries = {Path(entry["file"]).name: entry for entry in index["articles"]}
    assert set(entries) == {*FILES, "huge.txt"}
    assert entries["huge.txt"]["state"] == "error"
    assert entries["huge.txt"]["error"]["kind"] == "too_large"
    report_schema = jsonschema.Draft202012Validator(schema("report.schema.json"))
    for name, (_, state, detail) in FILES.items():
        entry = entries[name]
        assert entry["state"] == state, name
        report = load_json(out / entry["report_json"])
        report_schema.validate(report)
        if state == "error":
            assert entry["error"]["kind"] == detail, name
            assert entry["error"]["message"]
        else:
            assert report["article"]["encoding"] == detail, name
            assert {s["check"]["status"] for s in report["sources"]} == {"skipped"}, name
    assert entries["utf16.txt"]["title"] == "Überschrift mit Umlauten"
    assert entries["latin1.txt"]["title"] == "Überschrift mit Umlauten"
    # Every report file is a direct child of --output, and nothing was written elsewhere.
    written = _files_under(tmp_path) - before
    assert all(path.parent == out for path in written if path.suffix in (".json", ".html")), [
        str(p) for p in written
    ]
    names = {entry["report_json"] for entry in index["articles"]}
    assert len(names) == len(entries)  # unique, and none is index.json
    assert "index.json" not in names


URLS = {
    # In a list, a URL ends at the first blank, as in prose (the rest is label text).
    "https://example.org/a b": "https://example.org/a",
    "https://bücher.example/straße": "https://xn--bcher-kva.example/stra%C3%9Fe",
    "www.example.org/x": "https://www.example.org/x",
    "(https://example.org/klammer).": "https://example.org/klammer",
}
REFUSED = [
    "javascript:alert(document.cookie)", "file:///etc/passwd", "data:text/html,<script>x</script>",
    "mailto:redaktion@example.org", "ftp://example.org/datei.pdf",
]  # fmt: skip


def test_hostile_urls_become_clear_entries(tmp_path: Path) -> None:
    article = tmp_path / "urls.txt"
    lines = "\n".join(f"- {raw}" for raw in [*URLS, *REFUSED])
    article.write_text(f"22.10.2024\nURLs\n\nText.\n\nQuellen:\n{lines}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, cli_args(article, out, "--exclude", "."))
    assert result.exit_code == 1, result.output  # the refused schemes are broken sources
    sources = load_json(out / "urls.json")["sources"]
    checked = {s["source"]["url"]: s["check"]["status"] for s in sources if s["source"]["url"]}
    assert checked == dict.fromkeys(URLS.values(), "skipped")
    invalid = [s for s in sources if s["source"]["url"] is None]
    assert len(invalid) == len(REFUSED)
    assert all(s["check"]["status"] == "invalid" for s in invalid)
    assert all("not checkable" in s["check"]["reason"] for s in invalid)
    html = (out / "urls.html").read_text(encoding="utf-8")
    for scheme in ("javascript:", "file:", "data:", "mailto:", "ftp:"):
        assert f'href="{scheme}' not in html


@pytest.mark.timeout(120)
def test_ten_thousand_sources_each_reported_once(tmp_path: Path) -> None:
    urls = [f"https://example.org/quelle/{n}" for n in range(10_000)]
    listed = [*urls, *urls[:100]]  # duplicates are merged into one source
    article = tmp_path / "viele.txt"
    body = "\n".join(f"- {url}" for url in listed)
    article.write_text(f"22.10.2024\nViele\n\nText.\n\nQuellen:\n{body}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, cli_args(article, out, "--exclude", "."))
    assert result.exit_code == 0, result.output
    report = load_json(out / "viele.json")
    reported = [s["source"]["url"] for s in report["sources"]]
    assert sorted(reported) == sorted(urls)
    assert [s["id"] for s in report["sources"]] == list(range(10_000))
    duplicated = report["sources"][0]["source"]["positions"]
    assert len(duplicated) == 2
