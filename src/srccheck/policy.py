"""The exit policy: which results fail a build, and the findings every CI format shares.

``--fail-on`` (or ``fail-on`` in the configuration file) is a comma-separated
list of names:

* a status name (``not_found``, ``timeout`` … any :class:`~srccheck.status.Status`);
* an outcome name (``broken``, ``transient``, ``unverifiable``): all its statuses;
* ``default``: :data:`DEFAULT_FAIL_ON`, the broken statuses. A timeout, a 5xx that
  passes on a re-run, or a bot wall never fails a build by default;
* ``all``: every status whose outcome is not ``ok`` (``redirected`` only when named);
* ``archive-missing``: a source has no archived copy;
* ``claims-not-found``: a quote or key claim of the article was not found in
  its sources, or a source contradicts it (verdict ``contradicted``);
* ``claims-contradicted``: only the key claims a source contradicts;
* ``article-error``: an article could not be read or has no sources;
* ``require-https``: an ``http://`` source whose ``https://`` twin works; judged
  only with ``--require-https``, and then always an ``error``;
* ``text-fragment-not-found``: the passage a cited URL's text fragment
  (``#:~:text=``) points to is not on the page, or the directive is malformed;
* ``none``: report only, never fail (cannot be combined with other names).

Names are case-insensitive and ``-``/``_`` are interchangeable.

:func:`findings` turns one article report into :class:`Finding` values, the
single list that SARIF, GitHub annotations, JUnit and the exit code read:
an ``error`` finding for every result the policy fails on, a ``warning`` for
other results a human should look at (transient or unverifiable sources that
the policy lets pass, except ``skipped``, which the user asked for).

``archive-missing`` judges sources whose archives all answered "not archived"
(an archive that could not be asked is no evidence either way);
``claims-not-found`` judges quotes and key claims whose verdict is
``not_found`` or ``contradicted``, ``claims-contradicted`` only the
``contradicted`` ones (``unverifiable`` claims, whose sources could not all be
read, never fail). A contradicted claim's finding has the rule id
``claims-contradicted`` and names the differing words (article → page); when
the policy fails on neither name it is still reported, as a ``warning``.
``text-fragment-not-found`` judges text fragments whose state is ``not_found``
or ``invalid`` (an ``unverifiable`` one never fails); such fragments are a
``warning`` when the policy does not name the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from srccheck.archive.model import ArchiveState
from srccheck.claims.model import Claim, ClaimKind, Verdict
from srccheck.errors import UsageError
from srccheck.models import ArticleReport, Position, SourceReport, TextFragmentState
from srccheck.status import STATUS_ACTIONS, STATUS_MEANINGS, Outcome, Status

__all__ = [
    "DEFAULT_FAIL_ON",
    "FAIL_ON_NAMES",
    "JUDGED_CLAIM_KINDS",
    "RULE_MEANINGS",
    "FailPolicy",
    "Finding",
    "Level",
    "Rule",
    "exit_code",
    "findings",
    "has_failures",
]

#: Claim kinds that ``claims-not-found`` judges on their own (the statements a reader
#: relies on; terms, numbers and names are parts of key claims).
JUDGED_CLAIM_KINDS = frozenset({ClaimKind.QUOTE, ClaimKind.KEY_CLAIM})

#: Statuses that fail a build when ``--fail-on`` is not given: the sources a
#: human must fix. Transient and unverifiable results never fail by default.
DEFAULT_FAIL_ON: tuple[Status, ...] = (
    Status.NOT_FOUND,
    Status.GONE,
    Status.SOFT_404,
    Status.HTTP_ERROR,
    Status.DNS_ERROR,
    Status.TLS_ERROR,
    Status.TOO_MANY_REDIRECTS,
    Status.INVALID,
)


class Rule(StrEnum):
    """Finding rules that are not a source status."""

    ARCHIVE_MISSING = "archive-missing"
    CLAIMS_NOT_FOUND = "claims-not-found"
    CLAIMS_CONTRADICTED = "claims-contradicted"
    ARTICLE_ERROR = "article-error"
    TEXT_FRAGMENT_NOT_FOUND = "text-fragment-not-found"
    REQUIRE_HTTPS = "require-https"


class Level(StrEnum):
    """How serious a finding is; ``error`` findings decide the exit code."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


#: What each rule id means: every status, then the extra rules.
RULE_MEANINGS: dict[str, str] = {
    **{status.value: meaning for status, meaning in STATUS_MEANINGS.items()},
    Rule.ARCHIVE_MISSING.value: "No archived copy of the source was found.",
    Rule.CLAIMS_NOT_FOUND.value: "A quote or key claim of the article was not found in the "
    "cited sources (with this name, contradicted claims fail too).",
    Rule.CLAIMS_CONTRADICTED.value: "A key claim of the article differs from the passage of a "
    "cited source that matches it best: another number, a negation on one side only, or "
    "another content word.",
    Rule.ARTICLE_ERROR.value: "The article could not be read, or it cites no sources.",
    Rule.TEXT_FRAGMENT_NOT_FOUND.value: "The passage a cited URL's text fragment "
    "(#:~:text=) points to is not on the page, or the directive is malformed.",
    Rule.REQUIRE_HTTPS.value: "An http:// source whose https:// twin works (--require-https).",
}

_GROUPS: dict[str, frozenset[Status]] = {
    "default": frozenset(DEFAULT_FAIL_ON),
    "all": frozenset(s for s in Status if s.outcome is not Outcome.OK),
    **{
        outcome.value: frozenset(s for s in Status if s.outcome is outcome)
        for outcome in Outcome
        if outcome is not Outcome.OK
    },
}

#: Every name ``--fail-on`` accepts, in the order the help text lists them.
FAIL_ON_NAMES: tuple[str, ...] = (
    "default",
    "all",
    "none",
    *(o.value for o in Outcome if o is not Outcome.OK),
    *(s.value for s in Status),
    *(r.value for r in Rule),
)


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-")


_BY_NORMALISED: dict[str, str] = {_normalise(name): name for name in FAIL_ON_NAMES}
_RULE_NAMES = frozenset(rule.value for rule in Rule)


@dataclass(frozen=True, slots=True)
class FailPolicy:
    """Which results fail the build. Build one with :meth:`parse`."""

    statuses: frozenset[Status] = frozenset(DEFAULT_FAIL_ON)
    rules: frozenset[Rule] = frozenset()

    @classmethod
    def parse(cls, spec: str | Iterable[str]) -> FailPolicy:
        """Parse ``--fail-on`` names (a comma-separated string or an iterable of names).

        Names are combined by union. ``none`` gives a policy that never fails and
        must stand alone. An empty spec is the default policy.

        Raises:
            UsageError: an unknown name (the message lists the valid ones), or
                ``none`` combined with other names.
        """
        parts = spec.split(",") if isinstance(spec, str) else list(spec)
        names: list[str] = []
        for part in parts:
            if not part.strip():
                continue
            canonical = _BY_NORMALISED.get(_normalise(part))
            if canonical is None:
                raise UsageError(
                    f"unknown --fail-on name {part.strip()!r}; "
                    f"valid names: {', '.join(FAIL_ON_NAMES)}"
                )
            names.append(canonical)
        if not names:
            return cls()
        if "none" in names:
            if len(set(names)) > 1:
                raise UsageError("--fail-on 'none' cannot be combined with other names")
            return cls(statuses=frozenset(), rules=frozenset())
        statuses: set[Status] = set()
        rules: set[Rule] = set()
        for name in names:
            if name in _GROUPS:
                statuses |= _GROUPS[name]
            elif name in _RULE_NAMES:
                rules.add(Rule(name))
            else:
                statuses.add(Status(name))
        return cls(statuses=frozenset(statuses), rules=frozenset(rules))

    @property
    def is_report_only(self) -> bool:
        """True for ``--fail-on none``: nothing ever fails."""
        return not self.statuses and not self.rules

    def fails_on(self, rule: Status | Rule) -> bool:
        """Whether a result with this status (or extra rule) fails the build."""
        if isinstance(rule, Status):
            return rule in self.statuses
        return rule in self.rules

    def claim_level(self, verdict: Verdict) -> Level | None:
        """The finding level of a quote's or key claim's verdict under this policy.

        ``contradicted``: ``error`` with ``claims-contradicted`` or
        ``claims-not-found``, else a ``warning`` (a source says otherwise: a human
        should look even when the build passes). ``not_found``: ``error`` with
        ``claims-not-found``, else no finding. Other verdicts: no finding.
        """
        if verdict is Verdict.CONTRADICTED:
            if self.fails_on(Rule.CLAIMS_CONTRADICTED) or self.fails_on(Rule.CLAIMS_NOT_FOUND):
                return Level.ERROR
            return Level.WARNING
        if verdict is Verdict.NOT_FOUND and self.fails_on(Rule.CLAIMS_NOT_FOUND):
            return Level.ERROR
        return None

    def level_of(self, status: Status) -> Level | None:
        """The finding level of a source status under this policy.

        ``error`` when the policy fails on it; ``warning`` for other transient or
        unverifiable statuses except ``skipped`` (excluded on purpose); no finding
        (``None``) for ``ok``/``redirected`` and a passing ``skipped``.
        """
        if status in self.statuses:
            return Level.ERROR
        if status.outcome in (Outcome.TRANSIENT, Outcome.UNVERIFIABLE) and (
            status is not Status.SKIPPED
        ):
            return Level.WARNING
        return None


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a CI reader should see, located in the article file.

    ``article`` is ``ArticleReport.article.file`` unchanged (to find the report);
    ``file`` is the article path to show, with forward slashes (relative to ``base``
    when :func:`findings` was given one); ``line``/``column`` are 1-based and ``None``
    when unknown; ``end_column`` is the column just after the cited entry.
    ``source_id``/``claim_index`` say which source or claim of the report it is about.
    """

    article: str
    file: str
    line: int | None
    column: int | None
    end_column: int | None
    rule: str
    level: Level
    title: str
    message: str
    url: str | None = None
    source_id: int | None = None
    claim_index: int | None = None


def findings(
    report: ArticleReport, policy: FailPolicy, *, base: Path | None = None
) -> list[Finding]:
    """The findings of one article report under ``policy``, in source order.

    One finding per source (located at its first citation; later citations are
    named in the message), then per text fragment not found or invalid (an
    ``error`` with ``text-fragment-not-found``, a ``warning`` otherwise), then per
    contradicted quote or key claim (an error with
    ``claims-contradicted`` or ``claims-not-found``, a warning otherwise) and per
    claim not found (with ``claims-not-found``),
    then per source without an archived copy (with ``archive-missing``). An article
    error is an ``error`` finding with ``article-error`` and a ``warning`` otherwise.
    """
    article = report.article.file
    file = _display_path(article, base)
    found: list[Finding] = []
    if report.error is not None:
        level = Level.ERROR if policy.fails_on(Rule.ARTICLE_ERROR) else Level.WARNING
        found.append(
            Finding(
                article=article,
                file=file,
                line=None,
                column=None,
                end_column=None,
                rule=Rule.ARTICLE_ERROR.value,
                level=level,
                title=f"srccheck: article {report.error.kind.value}",
                message=f"The article could not be checked ({report.error.kind.value}): "
                f"{report.error.message}",
            )
        )
    for source in report.sources:
        finding = _source_finding(article, file, source, policy)
        if finding is not None:
            found.append(finding)
    found.extend(_fragment_findings(article, file, report.sources, policy))
    found.extend(_https_findings(article, file, report.sources))
    found.extend(_claim_findings(article, file, report, policy))
    if policy.fails_on(Rule.ARCHIVE_MISSING):
        found.extend(_archive_findings(article, file, report.sources))
    return found


def has_failures(found: Iterable[Finding]) -> bool:
    """True when any finding is an ``error``."""
    return any(f.level is Level.ERROR for f in found)


def exit_code(reports: Iterable[ArticleReport], policy: FailPolicy) -> int:
    """0 when no report has an ``error`` finding under ``policy``, else 1.

    Usage and input errors (exit code 2) are raised before any report exists.
    """
    return int(any(has_failures(findings(report, policy)) for report in reports))


def _display_path(file: str, base: Path | None) -> str:
    path = Path(file)
    # Outside the base the absolute path is kept rather than inventing a relative one.
    if base is not None and path.is_absolute() and path.is_relative_to(base):
        path = path.relative_to(base)
    return path.as_posix()


def _span(position: Position | None, raw: str) -> tuple[int | None, int | None, int | None]:
    if position is None:
        return None, None, None
    end = position.column + len(raw) if raw and "\n" not in raw else None
    return position.line, position.column, end


def _at_source(
    article: str,
    file: str,
    source: SourceReport,
    *,
    rule: str,
    level: Level,
    title: str,
    message: str,
) -> Finding:
    """A finding about ``source``, located at its first citation in the article."""
    entry = source.source
    line, column, end = _span(entry.positions[0] if entry.positions else None, entry.raw)
    return Finding(
        article=article,
        file=file,
        line=line,
        column=column,
        end_column=end,
        rule=rule,
        level=level,
        title=title,
        message=message,
        url=entry.url,
        source_id=source.id,
    )


def _source_finding(
    article: str, file: str, source: SourceReport, policy: FailPolicy
) -> Finding | None:
    status = source.check.status
    level = policy.level_of(status)
    if level is None:
        return None
    entry = source.source
    positions = entry.positions
    url = entry.url or entry.raw
    code = f" (HTTP {source.check.http_status})" if source.check.http_status else ""
    message = f"{status.value}{code}: {url}\n{source.check.reason or STATUS_MEANINGS[status]}"
    if len(positions) > 1:
        others = ", ".join(str(p.line) for p in positions[1:])
        message += f"\nAlso cited at line {others}."
    message += f"\n{STATUS_ACTIONS[status]}"
    return _at_source(
        article, file, source, rule=status.value, level=level,
        title=f"srccheck: {status.value}", message=message,
    )  # fmt: skip


def _claim_findings(
    article: str, file: str, report: ArticleReport, policy: FailPolicy
) -> list[Finding]:
    """Quotes and key claims with a finding level under ``policy``
    (:meth:`FailPolicy.claim_level`; terms, single numbers and names are parts of key
    claims and would only repeat them)."""
    found = []
    for index, claim in enumerate(report.claims):
        if claim.verdict is None or claim.kind not in JUDGED_CLAIM_KINDS:
            continue
        level = policy.claim_level(claim.verdict)
        if level is None:
            continue
        end = claim.column + len(claim.text) if claim.column is not None else None
        kind = claim.kind.value.replace("_", " ").capitalize()
        if claim.verdict is Verdict.CONTRADICTED:
            rule, title = Rule.CLAIMS_CONTRADICTED, "srccheck: claim contradicted"
            message = f"{kind} contradicted by {_contradiction(report, claim)}: {claim.text}"
        else:
            rule, title = Rule.CLAIMS_NOT_FOUND, "srccheck: claim not found"
            message = f"{kind} not found in any source: {claim.text}"
        found.append(
            Finding(
                article=article,
                file=file,
                line=claim.line,
                column=claim.column,
                end_column=end if "\n" not in claim.text else None,
                rule=rule.value,
                level=level,
                title=title,
                message=message,
                claim_index=index,
            )
        )
    return found


def _contradiction(report: ArticleReport, claim: Claim) -> str:
    """``source 2 (410 → 400)``: the first evidence's source and its differing words."""
    if not claim.evidence:
        return "a source"
    evidence = claim.evidence[0]
    sources = report.sources
    source = sources[evidence.source_id] if 0 <= evidence.source_id < len(sources) else None
    where = f"source {evidence.source_id + 1}"
    if source is not None:
        where += f" ({source.source.url or source.source.raw})"
    words = "; ".join(f"{d.article or '—'} → {d.page or '—'}" for d in evidence.differences)
    return f"{where}, article → page: {words}" if words else where


def _archive_findings(article: str, file: str, sources: Sequence[SourceReport]) -> list[Finding]:
    """Sources every asked archive answered "not archived" for. A source whose archives
    could not be asked (errors) or were not asked at all is not judged."""
    found = []
    for source in sources:
        archive = source.archive
        if archive is None or not archive.lookups or archive.state is not ArchiveState.NOT_ARCHIVED:
            continue
        entry = source.source
        found.append(
            _at_source(
                article, file, source, rule=Rule.ARCHIVE_MISSING.value, level=Level.ERROR,
                title="srccheck: no archived copy",
                message=f"No archived copy of {entry.url or entry.raw}.",
            )
        )  # fmt: skip
    return found


def _fragment_findings(
    article: str, file: str, sources: Sequence[SourceReport], policy: FailPolicy
) -> list[Finding]:
    """Text fragments whose passage is not on the page, or that are malformed."""
    level = Level.ERROR if policy.fails_on(Rule.TEXT_FRAGMENT_NOT_FOUND) else Level.WARNING
    found = []
    for source in sources:
        entry = source.source
        for fragment in source.text_fragments:
            if fragment.state not in (TextFragmentState.NOT_FOUND, TextFragmentState.INVALID):
                continue
            what = (
                f"Text fragment not found: {fragment.start!r}"
                if fragment.state is TextFragmentState.NOT_FOUND
                else f"Malformed text fragment {fragment.directive!r}"
            )
            found.append(
                _at_source(
                    article, file, source, rule=Rule.TEXT_FRAGMENT_NOT_FOUND.value, level=level,
                    title="srccheck: text fragment not found",
                    message=f"{what} ({fragment.reason}): {entry.url or entry.raw}",
                )
            )  # fmt: skip
    return found


def _https_findings(article: str, file: str, sources: Sequence[SourceReport]) -> list[Finding]:
    """``http://`` sources whose ``https://`` twin works (only set with --require-https)."""
    found = []
    for source in sources:
        if source.https_twin is None:
            continue
        found.append(
            _at_source(
                article, file, source, rule=Rule.REQUIRE_HTTPS.value, level=Level.ERROR,
                title="srccheck: use https",
                message=f"{source.source.url} is cited over http, and {source.https_twin} "
                "works: cite the https:// URL.",
            )
        )  # fmt: skip
    return found
