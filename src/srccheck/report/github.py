"""GitHub Actions workflow commands: findings as annotations on the pull request's files.

Each finding becomes one line for standard output::

    ::error file=articles/a.md,line=12,col=5,endColumn=40,title=srccheck: not_found::…

``error`` findings (the build fails on them) use ``::error``, ``warning``
findings ``::warning`` and notes ``::notice``. Escaping follows the Actions
toolkit (``@actions/core`` ``command.ts``): in the message ``%``, ``\\r`` and
``\\n`` become ``%25``, ``%0D``, ``%0A``; in property values ``:`` and ``,``
also become ``%3A`` and ``%2C``, so a URL or a file name can never end a
property or start the message early.
"""

from __future__ import annotations

from collections.abc import Sequence

from srccheck.policy import Finding, Level

__all__ = ["escape_data", "escape_property", "render_github"]

_COMMANDS: dict[Level, str] = {
    Level.ERROR: "error",
    Level.WARNING: "warning",
    Level.NOTE: "notice",
}


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``%`` first, so escapes are not escaped twice)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value: the message rules plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(found: Sequence[Finding]) -> list[str]:
    """One workflow-command line per finding, in the order given (no trailing newlines)."""
    lines = []
    for finding in found:
        properties = [("file", finding.file)]
        if finding.line is not None:
            properties.append(("line", str(finding.line)))
            if finding.column is not None:
                properties.append(("col", str(finding.column)))
            if finding.end_column is not None:
                properties.append(("endColumn", str(finding.end_column)))
        properties.append(("title", finding.title))
        joined = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
        lines.append(f"::{_COMMANDS[finding.level]} {joined}::{escape_data(finding.message)}")
    return lines
