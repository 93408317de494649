"""The closed set of source statuses and what each one means.

Every cited URL ends in exactly one :class:`Status`. A failed request is a
status, never an exception (compare lychee's ``Status``). The meanings below
are the single source for the README's status table; a test checks that the
two agree.

Each status belongs to one :class:`Outcome`, which formatters, the console
summary and the exit-code policy share:

* ``ok``           – the page was reached and looks like the cited page.
* ``broken``       – the page is missing or cannot be reached for a reason that
                     a human must fix (404, DNS name gone, invalid URL …).
* ``transient``    – the check failed for a reason that may pass on its own
                     (timeout, 5xx, connection reset); never a verdict.
* ``unverifiable`` – the check could not be made automatically (bot wall,
                     consent wall, unreadable document, refused by policy,
                     excluded by configuration).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["STATUS_ACTIONS", "STATUS_MEANINGS", "Outcome", "Status"]


class Outcome(StrEnum):
    """Coarse grouping of statuses, shared by every formatter."""

    OK = "ok"
    BROKEN = "broken"
    TRANSIENT = "transient"
    UNVERIFIABLE = "unverifiable"


class Status(StrEnum):
    """The result of checking one source URL."""

    OK = "ok"
    REDIRECTED = "redirected"
    NOT_FOUND = "not_found"
    GONE = "gone"
    HTTP_ERROR = "http_error"
    SOFT_404 = "soft_404"
    BLOCKED = "blocked"
    CONSENT_WALL = "consent_wall"
    UNREADABLE = "unreadable"
    TIMEOUT = "timeout"
    DNS_ERROR = "dns_error"
    CONNECTION_ERROR = "connection_error"
    TLS_ERROR = "tls_error"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BLOCKED_BY_POLICY = "blocked_by_policy"
    INVALID = "invalid"
    SKIPPED = "skipped"

    @property
    def outcome(self) -> Outcome:
        return _OUTCOMES[self]

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self]

    @property
    def is_success(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def is_transient(self) -> bool:
        return self.outcome is Outcome.TRANSIENT


_OUTCOMES: dict[Status, Outcome] = {
    Status.OK: Outcome.OK,
    Status.REDIRECTED: Outcome.OK,
    Status.NOT_FOUND: Outcome.BROKEN,
    Status.GONE: Outcome.BROKEN,
    Status.HTTP_ERROR: Outcome.BROKEN,
    Status.SOFT_404: Outcome.BROKEN,
    Status.BLOCKED: Outcome.UNVERIFIABLE,
    Status.CONSENT_WALL: Outcome.UNVERIFIABLE,
    Status.UNREADABLE: Outcome.UNVERIFIABLE,
    Status.TIMEOUT: Outcome.TRANSIENT,
    Status.DNS_ERROR: Outcome.BROKEN,
    Status.CONNECTION_ERROR: Outcome.TRANSIENT,
    Status.TLS_ERROR: Outcome.BROKEN,
    Status.TOO_MANY_REDIRECTS: Outcome.BROKEN,
    Status.BLOCKED_BY_POLICY: Outcome.UNVERIFIABLE,
    Status.INVALID: Outcome.BROKEN,
    Status.SKIPPED: Outcome.UNVERIFIABLE,
}

STATUS_MEANINGS: dict[Status, str] = {
    Status.OK: "The page answered 2xx without redirects.",
    Status.REDIRECTED: "The page answered 2xx after one or more redirects; the chain is reported.",
    Status.NOT_FOUND: "The server answered 404 Not Found.",
    Status.GONE: "The server answered 410 Gone: the page was removed on purpose.",
    Status.HTTP_ERROR: "The server answered another 4xx or 5xx status (code reported).",
    Status.SOFT_404: "The server answered 2xx, but the page is a 'not found' page in disguise.",
    Status.BLOCKED: "Bot protection or a refusal that says nothing about the page (403/429/503 "
    "challenge, 999).",
    Status.CONSENT_WALL: "A cookie or consent page answered in place of the page (a redirect to "
    "/zustimmung, /consent …, or a consent dialog without article text); the page was not seen.",
    Status.UNREADABLE: "The document answered 2xx, but its text could not be read (a damaged, "
    "encrypted, oversized or too slow PDF, or one without a text layer).",
    Status.TIMEOUT: "No complete answer within the connect, read or total deadline.",
    Status.DNS_ERROR: "The host name could not be resolved.",
    Status.CONNECTION_ERROR: "The connection was refused, reset or broken off.",
    Status.TLS_ERROR: "The TLS handshake failed (invalid, expired or mismatched certificate).",
    Status.TOO_MANY_REDIRECTS: "The redirect chain exceeded the limit or looped.",
    Status.BLOCKED_BY_POLICY: "Not fetched: the address is private, loopback or otherwise refused "
    "by the network safety policy.",
    Status.INVALID: "The source entry is not a checkable http(s) URL.",
    Status.SKIPPED: "Not fetched: excluded by configuration (--exclude, robots.txt).",
}

STATUS_ACTIONS: dict[Status, str] = {
    Status.OK: "Nothing.",
    Status.REDIRECTED: "Consider citing the final URL.",
    Status.NOT_FOUND: "Find the moved page or cite an archived copy.",
    Status.GONE: "Cite an archived copy.",
    Status.HTTP_ERROR: "Check the page by hand; 5xx may pass on a re-run.",
    Status.SOFT_404: "Find the moved page or cite an archived copy.",
    Status.BLOCKED: "Check the page in a browser; the archived copy is used for claims.",
    Status.CONSENT_WALL: "Check the page in a browser; the archived copy is used for claims.",
    Status.UNREADABLE: "Open the document by hand; raise max-body-bytes (configuration) for a "
    "larger one.",
    Status.TIMEOUT: "Re-run later; raise --timeout for slow sites.",
    Status.DNS_ERROR: "Check the host name; the site may be gone (or there is no network).",
    Status.CONNECTION_ERROR: "Re-run later; the server or the network may be down.",
    Status.TLS_ERROR: "Check the site's certificate; do not cite a site that fails TLS.",
    Status.TOO_MANY_REDIRECTS: "Open the URL in a browser and cite where it ends.",
    Status.BLOCKED_BY_POLICY: "Use --allow-private or --allow-host if the address is intended.",
    Status.INVALID: "Fix the URL in the article.",
    Status.SKIPPED: "Nothing, unless the exclusion is wrong.",
}
