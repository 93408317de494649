"""The base class of every model that appears in a JSON report.

Stage packages define the report parts they own (``archive/model.py``,
``claims/model.py`` …) on this base; ``srccheck.models`` composes them into
the article and index reports, whose JSON Schema is generated from the code.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ReportModel"]


class ReportModel(BaseModel):
    """Frozen, strict about unknown fields, serialised with enum values."""

    model_config = ConfigDict(frozen=True, extra="forbid")
