"""JSON report files: the pydantic models serialised as they are.

The models in :mod:`srccheck.models` are the format; this module only fixes
the layout (UTF-8, two-space indent, non-ASCII kept as is, final newline) and
writes atomically.
"""

from __future__ import annotations

from pathlib import Path

from srccheck.models import ArticleReport, RunIndex
from srccheck.report.atomic import write_text_atomic

__all__ = ["dumps_report", "write_json"]


def dumps_report(report: ArticleReport | RunIndex) -> str:
    """The JSON text of an article report or run index.

    Enum members become their values and dates ISO 8601 strings; ``null``
    fields are kept so every key of the schema is present; field order is the
    model's. pydantic's own serialiser writes the text (several times faster
    than ``json.dumps`` of ``model_dump``); non-ASCII text is kept as is.
    """
    return report.model_dump_json(indent=2) + "\n"


def write_json(report: ArticleReport | RunIndex, path: Path) -> None:
    """Write ``report`` to ``path`` atomically (see :func:`dumps_report` for the layout)."""
    write_text_atomic(path, dumps_report(report))
