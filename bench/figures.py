"""Figures, targets and how they print: the benchmark's result model.

A :class:`Figure` is one measured number with its unit, the target it is held
against and whether that target was met. A figure that could not be measured
has ``value=None`` and a ``note`` saying why ("n/a (feature not available)"):
a missing feature is never reported as a number.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "FIGURE_KEYS",
    "Comparison",
    "Figure",
    "Target",
    "format_figure",
    "percentile",
]

#: Every key the JSON result's ``figures`` object has, measured or not (pinned by the smoke test).
FIGURE_KEYS: tuple[str, ...] = (
    "server_selftest_rps",
    "urls_per_second",
    "ideal_urls_per_second",
    "ratio_to_ideal",
    "ratio_to_adjusted_ideal",
    "peak_in_flight",
    "peak_in_flight_per_host",
    "request_ms_p50",
    "request_ms_p95",
    "peak_rss_mb",
    "memory_run_peak_rss_mb",
    "cold_wall_s",
    "cpu_ms_per_url",
    "warm_wall_s",
    "warm_to_cold_ratio",
    "warm_requests",
    "warm_rebuilt_to_cold_ratio",
    "claims_mb_per_second",
    "linkchecker_wall_s",
    "linkinator_wall_s",
    "linkchecker_peak_in_flight",
    "linkinator_peak_in_flight",
    "srccheck_to_linkchecker_time",
    "srccheck_to_linkinator_time",
)


class Comparison(StrEnum):
    AT_LEAST = "≥"
    BELOW = "<"
    AT_MOST = "≤"


@dataclass(frozen=True, slots=True)
class Target:
    """``value <comparison> bound``, e.g. peak RSS < 300 MB."""

    comparison: Comparison
    bound: float
    label: str = ""

    def met_by(self, value: float) -> bool:
        """The rule: ≥ and ≤ include the bound, < excludes it."""
        if self.comparison is Comparison.AT_LEAST:
            return value >= self.bound
        if self.comparison is Comparison.AT_MOST:
            return value <= self.bound
        return value < self.bound

    def __str__(self) -> str:
        text = f"{self.comparison.value} {_number(self.bound)}"
        return f"{text} ({self.label})" if self.label else text


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure; ``value`` is ``None`` when it could not be measured (see ``note``)."""

    key: str
    label: str
    value: float | None
    unit: str = ""
    target: Target | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.target.met_by(self.value)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = str(self.target) if self.target else None
        data["met"] = self.met
        return data


def _number(value: float) -> str:
    if math.isinf(value) or math.isnan(value):
        return str(value)
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def format_figure(figure: Figure) -> str:
    """One printed line: label, value and unit, target and MET/MISSED (or the n/a note)."""
    if figure.value is None:
        shown = figure.note or "n/a"
    else:
        shown = f"{_number(figure.value)} {figure.unit}".rstrip()
        if figure.note:
            shown += f"  [{figure.note}]"
    line = f"{figure.label:.<42} {shown}"
    if figure.target is not None:
        verdict = {True: "MET", False: "MISSED", None: ""}[figure.met]
        line += f"   target {figure.target}  {verdict}".rstrip()
    return line


def percentile(values: list[float], p: float) -> float | None:
    """The ``p``-th percentile (0–100) by linear interpolation; ``None`` for no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    cut = statistics.quantiles(values, n=100, method="inclusive")
    return cut[min(98, max(0, round(p) - 1))]
