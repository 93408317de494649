"""A Markdown summary for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

Layout: a headline (pass/fail), a totals table by outcome, a line of claim
counts per verdict group when claims were checked, then per article
with findings a table of them (level, status, URL, line, reason) and, folded
in ``<details>``, the sources that are fine. Articles without findings are
listed in one folded block at the end.

Everything that comes from an article or a web page (URLs, titles, reasons) is
escaped so it is shown as text: ``&``, ``<``, ``>``, ``|``, backticks and the
Markdown punctuation that could start emphasis or a link become HTML character
references, and line breaks become spaces, so a hostile title can neither
break the table nor inject HTML. Only ``http(s)`` URLs become links; their
destination is percent-encoded where Markdown or a table would read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from srccheck.models import ArticleReport, RunIndex, SourceReport
from srccheck.policy import Finding, Level
from srccheck.report.atomic import write_text_atomic
from srccheck.report.console import claim_counts
from srccheck.status import Outcome

__all__ = ["escape_markdown", "render_markdown", "write_markdown"]

_REFERENCES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
    "`": "&#96;",
    "\\": "&#92;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "~": "&#126;",
    "!": "&#33;",
    "#": "&#35;",
}
_ESCAPE_TABLE = str.maketrans({**_REFERENCES, "\r": " ", "\n": " ", "\t": " "})
# What may stay literal in a link destination; everything else is percent-encoded,
# so ``|`` cannot split a table cell and ``(``/``)``/``<``/``>`` cannot end the link.
_DEST_SAFE = "/:?#[]@!$&'*+,;=%-._~"
_ICONS = {Level.ERROR: "❌ error", Level.WARNING: "⚠️ warning", Level.NOTE: "ℹ️ note"}


def escape_markdown(text: str) -> str:
    """``text`` as inert Markdown: shown literally, also inside a table cell."""
    return text.translate(_ESCAPE_TABLE)


def render_markdown(
    reports: Sequence[ArticleReport], index: RunIndex, found: Sequence[Finding]
) -> str:
    """The Markdown summary of a run (ends with a newline)."""
    by_article: dict[str, list[Finding]] = {}
    for finding in found:
        by_article.setdefault(finding.article, []).append(finding)
    errors = sum(1 for f in found if f.level is Level.ERROR)
    warnings = sum(1 for f in found if f.level is Level.WARNING)
    headline = "❌ srccheck found problems" if errors else "✅ srccheck: no failing sources"
    out = [f"## {headline}", ""]
    out.append(
        f"{len(reports)} article(s), {index.totals.sources} source(s): "
        f"**{errors}** failing, **{warnings}** warning(s)."
    )
    out += ["", "| Outcome | Sources |", "|---|---:|"]
    for outcome in Outcome:
        out.append(f"| {outcome.value} | {index.totals.by_outcome.get(outcome, 0)} |")
    if index.totals.claims_by_verdict:
        counts = claim_counts(index.totals.claims_by_verdict)
        out += ["", "Claims: " + ", ".join(f"{n} {group.value}" for group, n in counts.items())
                + "."]  # fmt: skip
    clean: list[ArticleReport] = []
    for report in reports:
        article_findings = by_article.get(report.article.file, [])
        if not article_findings:
            clean.append(report)
            continue
        out += ["", *_article_section(report, article_findings)]
    if clean:
        out += ["", f"<details><summary>{len(clean)} article(s) without findings</summary>", ""]
        out += [f"- {_code(r.article.file)}{_title_suffix(r)}" for r in clean]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def write_markdown(
    path: Path, reports: Sequence[ArticleReport], index: RunIndex, found: Sequence[Finding]
) -> Path:
    """Write :func:`render_markdown` to ``path`` atomically and return the path."""
    write_text_atomic(path, render_markdown(reports, index, found))
    return path


def _article_section(report: ArticleReport, found: Sequence[Finding]) -> list[str]:
    lines = [f"### {_code(report.article.file)}{_title_suffix(report)}", ""]
    lines += ["| Level | Rule | Source | Line | Reason |", "|---|---|---|---:|---|"]
    for finding in found:
        line = str(finding.line) if finding.line is not None else ""
        # The first line of a message repeats rule and URL, which have their own columns.
        head, _, rest = finding.message.partition("\n")
        reason = rest.replace("\n", " ") or head
        target = _link(finding.url) if finding.url else ""
        lines.append(
            f"| {_ICONS[finding.level]} | {escape_markdown(finding.rule)} | {target} "
            f"| {line} | {escape_markdown(reason)} |"
        )
    ok_sources = [s for s in report.sources if s.check.outcome is Outcome.OK]
    if ok_sources:
        lines += ["", f"<details><summary>{len(ok_sources)} source(s) ok</summary>", ""]
        lines += [f"- {_source_line(source)}" for source in ok_sources]
        lines += ["", "</details>"]
    return lines


def _source_line(source: SourceReport) -> str:
    text = _link(source.source.url) if source.source.url else escape_markdown(source.source.raw)
    title = source.check.page_title
    return f"{text} — {escape_markdown(title)}" if title else text


def _link(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        return escape_markdown(url)
    # Entity references are decoded in link destinations, so ``&`` is written as ``&amp;``.
    destination = quote(url, safe=_DEST_SAFE).replace("&", "&amp;")
    return f"[{escape_markdown(url)}]({destination})"


def _code(text: str) -> str:
    return f"<code>{escape_markdown(text)}</code>"


def _title_suffix(report: ArticleReport) -> str:
    title = report.article.title
    return f" — {escape_markdown(title)}" if title else ""
