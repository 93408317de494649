"""Errors raised at the boundary (bad options, unreadable input).

Dead links are never exceptions: they are :class:`srccheck.models.LinkCheck`
values. Only problems with how srccheck was invoked raise, and ``cli.py``
turns every :class:`SrccheckError` into a message and exit code 2.

    SrccheckError
     ├── UsageError      – an option or argument is wrong
     └── InputError      – an input path does not exist or cannot be read
"""

from __future__ import annotations

__all__ = ["InputError", "SrccheckError", "UsageError"]


class SrccheckError(Exception):
    """Base class of errors that end a run with exit code 2."""


class UsageError(SrccheckError):
    """An option, argument or configuration value is wrong."""


class InputError(SrccheckError):
    """An input path does not exist or cannot be read."""
