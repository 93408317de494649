"""The fetch stage: check cited URLs politely and safely (see ``client.Fetcher``).

Modules: ``client`` (the :class:`Fetcher`), ``limits`` (global/per-host
slots), ``retry`` (when and how long to retry), ``policy`` (network safety),
``classify`` (statuses and reasons), ``charset`` and ``content`` (bodies).
"""

from srccheck.fetch.client import Fetcher
from srccheck.fetch.limits import HostLimits
from srccheck.fetch.model import FetchOutcome, Page

__all__ = ["FetchOutcome", "Fetcher", "HostLimits", "Page"]
