"""``--respect-robots``: the rules of one host's robots.txt, parsed by the stdlib.

The Fetcher fetches ``/robots.txt`` once per host and run (through its own
client, so the network safety policy and the host limits apply) and turns the
answer into :class:`RobotsRules` with :func:`robots_rules`:

* 2xx → the file is parsed with :class:`urllib.robotparser.RobotFileParser`
  and applied to our User-Agent;
* 4xx (no file, or access to it refused) → everything is allowed, as RFC 9309
  says for "unavailable";
* 5xx, timeouts, connection or DNS failures → everything is allowed. RFC 9309
  would assume "disallow all", but srccheck requests one cited page per URL,
  like a reader's browser; a broken robots.txt should not hide a broken link.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

__all__ = ["ROBOTS_REASON", "RobotsRules", "robots_rules"]

#: The ``skipped`` reason for a disallowed URL.
ROBOTS_REASON = "disallowed by robots.txt"


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """One host's rules; ``parser`` is ``None`` when everything is allowed."""

    parser: RobotFileParser | None = None

    def allows(self, url: str, user_agent: str) -> bool:
        """True when ``user_agent`` may fetch ``url`` (matched on its product token)."""
        return self.parser is None or self.parser.can_fetch(user_agent, url)


def robots_rules(http_status: int | None, text: str | None) -> RobotsRules:
    """Rules from the answer to ``GET /robots.txt`` (``http_status`` None: no answer).

    Only a 2xx answer restricts anything; see the module docstring.
    """
    if http_status is None or not 200 <= http_status < 300 or not text:
        return RobotsRules()
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return RobotsRules(parser)
