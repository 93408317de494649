"""Turning the entries a parser found into :class:`~srccheck.models.SourceEntry` values."""

from __future__ import annotations

from collections.abc import Sequence

from srccheck.articles.lines import LineTable
from srccheck.articles.model import SourceSpan
from srccheck.articles.urls import InvalidUrl, normalise_url
from srccheck.models import Position, SourceEntry

__all__ = ["build_source_entries"]


def build_source_entries(
    spans: Sequence[SourceSpan], lines: LineTable, *, strip_tracking: bool = False
) -> tuple[SourceEntry, ...]:
    """Normalise every entry and merge duplicates, keeping every position.

    Rules: entries keep the order of their first citation. Two valid entries
    are the same source when their normalised URLs are equal (the fragment is
    ignored); invalid entries are the same when their raw text is. A merged
    entry keeps the raw text and fragment of its first citation and lists all
    positions; when citations differ in their fragments (two text fragments of
    one page), ``fragments`` lists every distinct one. ``Position.index`` is the
    entry's place in the list as written (0-based, counting duplicates), so
    nothing written is lost.
    """
    by_key: dict[tuple[bool, str], int] = {}
    raws: list[str] = []
    urls: list[str | None] = []
    fragments: list[list[str]] = []
    reasons: list[str | None] = []
    positions: list[list[Position]] = []
    for index, span in enumerate(spans):
        line, column = lines.locate(span.offset)
        position = Position(index=index, line=line, column=column, offset=span.offset)
        value = span.raw if span.value is None else span.value
        result = normalise_url(value, strip_tracking=strip_tracking)
        key = (False, span.raw) if isinstance(result, InvalidUrl) else (True, result.url)
        slot = by_key.get(key)
        if slot is not None:
            positions[slot].append(position)
            fragment = None if isinstance(result, InvalidUrl) else result.fragment
            if fragment is not None and fragment not in fragments[slot]:
                fragments[slot].append(fragment)
            continue
        by_key[key] = len(raws)
        raws.append(span.raw)
        positions.append([position])
        if isinstance(result, InvalidUrl):
            urls.append(None)
            fragments.append([])
            reasons.append(result.reason)
        else:
            urls.append(result.url)
            fragments.append([result.fragment] if result.fragment else [])
            reasons.append(None)
    return tuple(
        SourceEntry(
            raw=raws[i],
            url=urls[i],
            fragment=fragments[i][0] if fragments[i] else None,
            fragments=fragments[i] if len(fragments[i]) > 1 else [],
            positions=positions[i],
            invalid_reason=reasons[i],
        )
        for i in range(len(raws))
    )
