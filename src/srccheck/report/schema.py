"""JSON Schema of the report files, generated from :mod:`srccheck.models`.

The models are the single source of the format; the files under ``schema/``
at the top of the repository are this module's output and a test fails when
they fall behind. Regenerate them with::

    srccheck schema --output schema
    python -m srccheck.report.schema schema      # the same, without the CLI
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from srccheck.models import SCHEMA_VERSION, ArticleReport, RunIndex
from srccheck.report.atomic import write_text_atomic

__all__ = [
    "INDEX_SCHEMA_FILE",
    "JSON_SCHEMA_DIALECT",
    "REPORT_SCHEMA_FILE",
    "dumps_schema",
    "index_schema",
    "report_schema",
    "write_schemas",
]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
REPORT_SCHEMA_FILE = "report.schema.json"
INDEX_SCHEMA_FILE = "index.schema.json"

_REGENERATE = "srccheck schema --output schema"


def _schema(model: type[BaseModel], name: str, title: str) -> dict[str, Any]:
    """The serialisation-mode JSON Schema of ``model`` with identifying keywords first.

    ``mode="serialization"`` describes what srccheck writes (enum values,
    ISO dates), which is what readers of the files validate. The ``$id`` is a
    URN, so no validator ever tries to fetch it.
    """
    generated = model.model_json_schema(mode="serialization")
    generated.pop("title", None)
    header: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:srccheck:schema:{name}:{SCHEMA_VERSION}",
        "title": f"{title} (schema version {SCHEMA_VERSION})",
        "$comment": f"Generated from srccheck.models; do not edit. Regenerate: {_REGENERATE}",
    }
    return header | generated


def report_schema() -> dict[str, Any]:
    """JSON Schema of ``reports/<article>.json`` (:class:`srccheck.models.ArticleReport`)."""
    return _schema(ArticleReport, "report", "srccheck article report")


def index_schema() -> dict[str, Any]:
    """JSON Schema of ``reports/index.json`` (:class:`srccheck.models.RunIndex`)."""
    return _schema(RunIndex, "index", "srccheck run index")


def dumps_schema(schema: dict[str, Any]) -> str:
    """The text of a schema file: two-space indent, UTF-8 kept, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write ``report.schema.json`` and ``index.schema.json`` into ``directory``.

    The folder is created if needed; files are replaced atomically. Returns
    the written paths, report schema first.
    """
    schemas = {REPORT_SCHEMA_FILE: report_schema(), INDEX_SCHEMA_FILE: index_schema()}
    written = []
    for name, schema in schemas.items():
        path = directory / name
        write_text_atomic(path, dumps_schema(schema))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - thin entry point, same as `srccheck schema`
    for written_path in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "schema")):
        print(written_path)
