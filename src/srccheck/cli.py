"""The command line: parse options → Settings → pipeline → exit code.

No business logic lives here. Options default to ``None`` so that only what
the user typed overrides the configuration file and the defaults.

Exit codes: 0 clean, 1 findings (per the fail-on policy), 2 usage or input
error, 3 internal error (a bug), 130/143 interrupted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from srccheck import __version__
from srccheck.errors import SrccheckError
from srccheck.settings import FORMATS

__all__ = ["app", "cache_app", "main"]

app = typer.Typer(
    name="srccheck",
    help="Verify the sources cited by news articles: does every URL work, is it archived, "
    "and do the pages say what the article says?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _version(value: bool) -> None:
    if value:
        typer.echo(f"srccheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """srccheck — source verification for news articles."""


@app.command()
def verify(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Article files or folders (searched recursively for .txt, .md, .markdown, "
            ".html, .htm).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder for the reports. [default: reports]"),
    ] = None,
    formats: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"Comma-separated report formats: {', '.join(FORMATS)}. junit, sarif and "
            "markdown are written to the output folder, github annotations to stdout. "
            "[default: json,html]",
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Comma-separated findings that make the exit code 1: status names, outcomes "
            "(broken, transient, unverifiable), archive-missing, claims-not-found, "
            "article-error, default, all, or none for report-only runs. [default: default = "
            "the broken statuses; timeouts and bot walls never fail a build]",
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            help="Only verify articles added or modified since this git ref (e.g. "
            "origin/main), committed or not.",
            metavar="REF",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Configuration file (srccheck.toml, or pyproject.toml with [tool.srccheck]). "
            "[default: the nearest one from the current folder upwards]",
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(help="Maximum requests in flight across all hosts. [default: 32]"),
    ] = None,
    per_host: Annotated[
        int | None,
        typer.Option("--per-host", help="Maximum requests in flight to one host. [default: 4]"),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="Total deadline in seconds for one request, body included (each retry gets "
            "its own). [default: 30]"
        ),
    ] = None,
    connect_timeout: Annotated[
        float | None,
        typer.Option("--connect-timeout", help="Seconds to wait for a connection. [default: 10]"),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option(
            help="Retries after the first attempt, for transient failures only (timeouts, "
            "connection errors, 408, 429, 500, 502, 503, 504). [default: 2]"
        ),
    ] = None,
    max_redirects: Annotated[
        int | None,
        typer.Option("--max-redirects", help="Redirects followed before giving up. [default: 10]"),
    ] = None,
    user_agent: Annotated[
        str | None,
        typer.Option("--user-agent", help="User-Agent header sent with every request."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            help="Regular expression; matching URLs are reported as 'skipped', not fetched. "
            "Repeatable."
        ),
    ] = None,
    allow_private: Annotated[
        bool | None,
        typer.Option(
            "--allow-private",
            help="Allow requests to private, loopback and link-local addresses (refused by "
            "default: articles are untrusted input).",
            show_default=False,
        ),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Host name or IP/CIDR exempt from the private-address rule. Repeatable.",
        ),
    ] = None,
    insecure: Annotated[
        bool | None,
        typer.Option(
            "--insecure",
            help="Do not verify TLS certificates (only by explicit choice).",
            show_default=False,
        ),
    ] = None,
    host_interval: Annotated[
        float | None,
        typer.Option(
            "--host-interval",
            help="Minimum seconds between two request starts to the same host (0: no "
            "spacing). [default: 0.25]",
        ),
    ] = None,
    respect_robots: Annotated[
        bool | None,
        typer.Option(
            "--respect-robots",
            help="Read each host's robots.txt once and report URLs it disallows for srccheck "
            "as 'skipped'.",
            show_default=False,
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="Folder of the persistent result cache. [default: the user cache folder]",
        ),
    ] = None,
    no_cache: Annotated[
        bool | None,
        typer.Option(
            "--no-cache",
            help="Neither read nor write the persistent cache: fetch everything.",
            show_default=False,
        ),
    ] = None,
    no_reuse: Annotated[
        bool | None,
        typer.Option(
            "--no-reuse",
            help="Build and write every report, even one whose article, settings and "
            "cached source results are all unchanged since it was written.",
            show_default=False,
        ),
    ] = None,
    cache_max_size: Annotated[
        int | None,
        typer.Option(
            "--cache-max-size",
            help="Size bound of the cache in MB; least recently used entries go first. "
            "[default: 500]",
            metavar="MB",
        ),
    ] = None,
    strip_tracking: Annotated[
        bool | None,
        typer.Option(
            "--strip-tracking",
            help="Remove tracking parameters (utm_*, fbclid, gclid …) from source URLs before "
            "checking them.",
            show_default=False,
        ),
    ] = None,
    archive: Annotated[
        list[str] | None,
        typer.Option(
            "--archive",
            help="Web archive to ask, in order; repeatable: 'ia' (Internet Archive), "
            "'wayback=BASE-URL' (pywb, OpenWayback), 'memento=TIMEGATE-URL'. "
            "[default: ia]",
        ),
    ] = None,
    no_archive: Annotated[
        bool | None,
        typer.Option("--no-archive", help="Do not look sources up in web archives.",
                     show_default=False),
    ] = None,
    archive_window: Annotated[
        int | None,
        typer.Option(
            "--archive-window",
            help="Days around the article's date within which a snapshot counts as close. "
            "[default: 30]",
        ),
    ] = None,
    save_missing: Annotated[
        bool | None,
        typer.Option(
            "--save-missing",
            help="Ask the Internet Archive's Save Page Now to capture sources no archive holds "
            "(needs SRCCHECK_IA_ACCESS_KEY and SRCCHECK_IA_SECRET_KEY).",
            show_default=False,
        ),
    ] = None,
    no_drift: Annotated[
        bool | None,
        typer.Option(
            "--no-drift",
            help="Retrieve archived snapshots only when the live page cannot be used (saves "
            "archive requests; no drift score).",
            show_default=False,
        ),
    ] = None,
    no_claims: Annotated[
        bool | None,
        typer.Option(
            "--no-claims",
            help="Only check links and archives; do not extract and verify the article's "
            "quotes, numbers and names.",
            show_default=False,
        ),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="Verify only shard K of N (K/N, 1-based): articles are split by a stable hash "
            "of their path, so N independent jobs cover every article exactly once.",
            metavar="K/N",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Run the collect, check and report stages on a Dask cluster of N worker "
            "processes started on this machine (1: one worker inside this process); each "
            "host is checked by one worker at a time and each URL fetched once.",
            metavar="N",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run the stages on the existing Dask cluster of this scheduler (e.g. "
            "tcp://10.0.0.5:8786); its workers must reach the articles, the output folder "
            "and the cache.",
            metavar="ADDRESS",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only errors and the final totals.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print every source that is not ok.")
    ] = False,
) -> None:
    """Check every source of every article and write the reports.

    Exit code 0 when nothing fails the --fail-on policy, 1 when something does,
    2 on a usage or input error.
    """
    from srccheck.changed import changed_articles
    from srccheck.config import resolve_settings
    from srccheck.pipeline import Interrupted, run_sync
    from srccheck.policy import FailPolicy
    from srccheck.report.console import ConsoleReporter
    from srccheck.report.outputs import RunOutputs
    from srccheck.shard import parse_shard, select_shard

    console = Console()
    errors = Console(stderr=True)
    try:
        cli_values: dict[str, object] = {
            "output": output,
            "formats": formats,
            "fail_on": fail_on,
            "concurrency": concurrency,
            "per_host": per_host,
            "timeout": timeout,
            "connect_timeout": connect_timeout,
            "retries": retries,
            "max_redirects": max_redirects,
            "user_agent": user_agent,
            "exclude": exclude or None,
            "allow_private": allow_private,
            "allow_hosts": allow_host or None,
            "insecure": insecure,
            "strip_tracking": strip_tracking,
            "host_interval": host_interval,
            "respect_robots": respect_robots,
            "cache_dir": cache_dir,
            "use_cache": False if no_cache else None,
            "reuse_reports": False if no_reuse else None,
            "cache_max_bytes": cache_max_size * 1024 * 1024 if cache_max_size else None,
            "archives": archive or None,
            "archive_enabled": False if no_archive else None,
            "archive_window_days": archive_window,
            "save_missing": save_missing,
            "drift": False if no_drift else None,
            "claims": False if no_claims else None,
            "ia_access_key": os.environ.get("SRCCHECK_IA_ACCESS_KEY") or None,
            "ia_secret_key": os.environ.get("SRCCHECK_IA_SECRET_KEY") or None,
        }
        settings, _, _ = resolve_settings(Path.cwd(), config, cli_values)
        policy = FailPolicy.parse(settings.fail_on)
        selected: list[Path] = list(paths)
        if changed_since is not None:
            selected = changed_articles(changed_since, paths, Path.cwd())
            if not selected:
                errors.print(f"no article changed since {changed_since}; nothing to verify")
                raise typer.Exit(EXIT_OK)
        if shard is not None:
            selected = select_shard(selected, *parse_shard(shard))
        verbosity = -1 if quiet else (1 if verbose else 0)
        # GitHub annotations own stdout; the console summary then goes to stderr.
        screen = errors if "github" in settings.formats else console
        index_html = settings.output / "index.html" if "html" in settings.formats else None
        with ConsoleReporter(screen, verbosity=verbosity, index_html=index_html) as reporter:
            outputs = RunOutputs(
                settings, policy, reporter, base=Path.cwd(), annotations=sys.stdout
            )
            if workers is None and scheduler is None:
                run_sync(selected, settings, outputs)
            else:
                from srccheck.cluster import verify_on_cluster

                verify_on_cluster(
                    selected, settings, outputs, workers=workers, scheduler=scheduler
                )
    except SrccheckError as exc:
        raise _usage_error(exc) from None
    except Interrupted as exc:
        errors.print(
            f"[bold red]interrupted ({exc}):[/] finished reports are valid, unfinished ones "
            "are marked incomplete"
        )
        raise typer.Exit(128 + exc.signum) from None
    except KeyboardInterrupt:
        errors.print("[bold red]interrupted[/]")
        raise typer.Exit(130) from None
    except Exception as exc:  # a bug: say so plainly, with what to report
        errors.print(
            f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
            "The reports written so far are valid; unfinished ones are marked incomplete. "
            "Please report this with the command line and the article that triggered it.",
            highlight=False,
        )
        raise typer.Exit(EXIT_INTERNAL) from None
    raise typer.Exit(EXIT_FINDINGS if outputs.failed else EXIT_OK)


@app.command("config")
def show_config(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Configuration file to read instead of searching."),
    ] = None,
) -> None:
    """Print the effective configuration and where each value came from."""
    from srccheck.config import describe, resolve_settings

    try:
        settings, provenance, path = resolve_settings(Path.cwd(), config, {})
    except SrccheckError as exc:
        raise _usage_error(exc) from None
    # Plain aligned lines, never truncated: paths and patterns must be shown whole.
    rows = describe(settings, provenance)
    key_width = max(len(key) for key, _, _ in rows)
    value_width = min(max(len(value) for _, value, _ in rows), 48)
    typer.echo(f"configuration file: {path if path else '(none found)'}")
    typer.echo(f"{'key':<{key_width}}  {'value':<{value_width}}  from")
    for key, value, source in rows:
        typer.echo(f"{key:<{key_width}}  {value:<{value_width}}  {source}")


@app.command()
def schema(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the JSON Schema files to.")
    ] = Path("schema"),
) -> None:
    """Write the JSON Schema of the article report and of the run index."""
    from srccheck.report.schema import write_schemas

    for path in write_schemas(output):
        typer.echo(str(path))


cache_app = typer.Typer(
    help="Inspect or empty the persistent result cache.", no_args_is_help=True
)
app.add_typer(cache_app, name="cache")

_CacheDirOption = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Folder of the cache. [default: the user cache folder]"),
]


@cache_app.command("stats")
def cache_stats(cache_dir: _CacheDirOption = None) -> None:
    """Show where the cache is, its entries per kind, size and age range."""
    from srccheck.fetch.cache import Cache, cache_path

    try:
        with Cache(cache_path(cache_dir)) as cache:
            stats = cache.stats()
    except SrccheckError as exc:
        raise _usage_error(exc) from None
    typer.echo(f"path: {stats.path}")
    typer.echo(f"entries: {sum(stats.entries.values())}")
    for kind, count in stats.entries.items():
        typer.echo(f"  {kind}: {count}")
    typer.echo(f"stored bytes: {stats.payload_bytes}")
    typer.echo(f"file bytes: {stats.file_bytes}")
    typer.echo(f"oldest: {stats.oldest.isoformat() if stats.oldest else '-'}")
    typer.echo(f"newest: {stats.newest.isoformat() if stats.newest else '-'}")


@cache_app.command("clear")
def cache_clear(
    cache_dir: _CacheDirOption = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Delete only entries of this kind (link, robots, archive)."),
    ] = None,
) -> None:
    """Delete the cached results (all, or of one kind)."""
    from srccheck.fetch.cache import Cache, cache_path

    try:
        with Cache(cache_path(cache_dir)) as cache:
            removed = cache.clear(kind)
    except SrccheckError as exc:
        raise _usage_error(exc) from None
    typer.echo(f"removed {removed} entries from {cache.path}")


def _usage_error(exc: SrccheckError) -> typer.Exit:
    """Print a usage or input error on stderr; the exit (code 2) for the caller to raise."""
    Console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    return typer.Exit(EXIT_USAGE)


def main() -> None:
    """Entry point of the ``srccheck`` script."""
    app()
