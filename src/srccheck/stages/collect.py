"""Stage 1, collect: every article parsed into its citations.

The unit of work is a batch of article paths in, :class:`Citation` rows out
(:func:`collect_articles`): a plain function, run in any process. The rows of
all batches form the run's citation table; its unique URLs, grouped by host
(:func:`host_groups`), are the check stage's work. The process that
runs the stages keeps of the table only each article's unique URLs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa

from srccheck.articles import load_article
from srccheck.articles.model import Article
from srccheck.pipeline import checked_url, excluded_by
from srccheck.settings import Settings
from srccheck.stages.model import Citation

__all__ = ["CITATION_SCHEMA", "collect_articles", "host_groups", "host_of"]

CITATION_SCHEMA = pa.schema(
    [
        ("article", pa.string()),
        ("position", pa.int32()),
        ("raw", pa.string()),
        ("url", pa.string()),
        ("host", pa.string()),
    ]
)


def host_of(url: str) -> str:
    """The host that owns ``url`` (its lower-case host name; empty when it has none)."""
    return urlsplit(url).hostname or ""


def collect_articles(paths: Sequence[str], settings: Settings) -> list[Citation]:
    """The citations of the articles at ``paths``, in article and source order.

    ``url`` is the URL to check (rewritten by ``--remap``). An entry that needs
    no request — not a checkable URL, or excluded by ``--exclude`` — gets
    ``url`` None: the report stage decides its status without the check stage.
    An article that cannot be parsed has no rows.
    """
    rows: list[Citation] = []
    for name in paths:
        article = load_article(Path(name), settings)
        if not isinstance(article, Article):
            continue
        for position, entry in enumerate(article.sources):
            url = entry.url
            if url is not None and excluded_by(url, settings) is not None:
                url = None
            elif url is not None:
                url = checked_url(url, settings)  # --remap: the URL the report asks about
            rows.append(
                Citation(
                    article=name,
                    position=position,
                    raw=entry.raw,
                    url=url,
                    host=host_of(url) if url is not None else None,
                )
            )
    return rows


def host_groups(urls: Iterable[str], *, min_urls: int = 64) -> list[list[str]]:
    """The unique ``urls`` to check, grouped so that each host is in exactly one group.

    Hosts are taken in name order; a host's URLs are never split, and small
    hosts are packed together until a group holds at least ``min_urls`` URLs
    (one task per tiny host would cost more in scheduling than in fetching).
    URLs keep the order in which ``urls`` first names them.
    """
    by_host: dict[str, dict[str, None]] = defaultdict(dict)
    for url in urls:
        by_host[host_of(url)].setdefault(url)
    groups: list[list[str]] = []
    current: list[str] = []
    for host in sorted(by_host):
        current.extend(by_host[host])
        if len(current) >= min_urls:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups
