"""Properties: every accepted source reaches the report exactly once; normalisation is stable.

The parser's own properties are in tests/articles/test_source_properties.py;
these go one stage further, through :func:`srccheck.pipeline.build_report`,
with some sources checked and the others left unchecked (an interrupted run).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srccheck.articles import Article, load_article
from srccheck.articles.urls import InvalidUrl, NormalisedUrl, normalise_url
from srccheck.models import LinkCheck, ReportState
from srccheck.pipeline import SourceResult, build_report
from srccheck.settings import DEFAULT_SETTINGS
from srccheck.status import Status

_WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_TLD = st.sampled_from(["de", "org", "example", "xn--bcher-kva.de"])
_HOST = st.builds("{}.{}".format, _WORD, _TLD)
_VALID = st.builds(
    "{}{}/{}{}".format,
    st.sampled_from(["https://", "http://", "HTTP://", "www.", "https://bücher."]),
    _HOST,
    _WORD,
    st.sampled_from(["", "?a=1", "#teil", "?utm_source=x"]),
)
_INVALID = st.one_of(
    st.builds("javascript:alert({})".format, st.integers(0, 9)),
    st.builds("mailto:{}@example.org".format, _WORD),
    st.builds("ftp://{}/x".format, _HOST),
    st.builds("file:///{}".format, _WORD),
    st.builds("data:text/html,{}".format, _WORD),
    st.builds("https://{}:70000/".format, _HOST),
)
_ENTRIES = st.lists(st.one_of(_VALID, _INVALID), min_size=1, max_size=20).flatmap(
    lambda entries: st.lists(st.sampled_from(entries), min_size=len(entries), max_size=40)
)  # drawing from the list again repeats entries: duplicates


def _article(content: str, name: str) -> Article:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(content, encoding="utf-8")
        article = load_article(path, DEFAULT_SETTINGS)
    assert isinstance(article, Article), article
    return article


def _expected(entries: list[str]) -> set[str]:
    """One key per distinct source: the normalised URL, or the raw text of an invalid one."""
    keys = set()
    for entry in entries:
        result = normalise_url(entry)
        keys.add(result.url if isinstance(result, NormalisedUrl) else entry)
    return keys


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=_ENTRIES,
    layout=st.sampled_from(["text", "markdown"]),
    checked=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_every_source_appears_in_the_report_exactly_once(
    entries: list[str], layout: str, checked: list[bool]
) -> None:
    if layout == "markdown":
        listed = "\n".join(f"- [Quelle {n}]({e})" if "://" in e else f"- {e}"
                           for n, e in enumerate(entries))
        article = _article(f"# Titel\n\nText.\n\n## Quellen\n\n{listed}\n", "artikel.md")
    else:
        listed = "\n".join(f"- {entry}" for entry in entries)
        article = _article(f"22.10.2024\nTitel\n\nText.\n\nQuellen:\n{listed}\n", "artikel.txt")
    when = dt.datetime(2024, 10, 22, tzinfo=dt.UTC)
    results = [
        SourceResult(LinkCheck(status=Status.OK, reason="HTTP 200 OK", checked_at=when))
        if flag else None
        for flag, _ in zip(checked, article.sources, strict=False)
    ]
    results += [None] * (len(article.sources) - len(results))
    report = build_report(article.path, article, results, state=ReportState.INCOMPLETE)

    keys = [s.source.url or s.source.raw for s in report.sources]
    assert len(keys) == len(set(keys))  # exactly once
    assert set(keys) == _expected(entries)  # and none missing
    assert [s.id for s in report.sources] == list(range(len(keys)))
    assert report.summary.sources == len(keys) == sum(report.summary.by_status.values())
    cited = sorted(p.index for s in report.sources for p in s.source.positions)
    assert cited == list(range(len(entries)))  # every citation points at its source
    for source, result in zip(report.sources, results, strict=True):
        assert source.check.status is (Status.OK if result else Status.SKIPPED)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _VALID, _INVALID, st.builds("https://{}".format, st.text())))
def test_normalisation_never_raises_and_is_idempotent(raw: str) -> None:
    result = normalise_url(raw)
    if isinstance(result, InvalidUrl):
        assert result.reason
        return
    assert result.url.startswith(("http://", "https://"))
    assert result.url.isascii()
    again = normalise_url(result.url)
    assert again == NormalisedUrl(result.url, None)  # normalising twice changes nothing
