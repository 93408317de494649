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
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from srccheck import __version__
from srccheck.errors import SrccheckError
from srccheck.settings import FORMATS, Settings
from srccheck.store import STORE_ERRORS

if TYPE_CHECKING:
    from srccheck.store import Store

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
        list[Path] | None,
        typer.Argument(
            help="Article files or folders (searched recursively for .txt, .md, .markdown, "
            ".html, .htm).",
            show_default=False,
        ),
    ] = None,
    files_from: Annotated[
        str | None,
        typer.Option(
            "--files-from",
            help="Read article paths from FILE, one per line ('-': standard input; blank "
            "lines and # comments skipped), in addition to PATHS.",
            metavar="FILE",
        ),
    ] = None,
    dump: Annotated[
        bool,
        typer.Option(
            "--dump",
            help="Print the sources of each article with their line and column, and exit; "
            "no request is sent.",
        ),
    ] = False,
    dump_format: Annotated[
        str,
        typer.Option("--dump-format", help="Format of --dump: text or json."),
    ] = "text",
    accept: Annotated[
        str | None,
        typer.Option(
            "--accept",
            help="HTTP status codes counted as ok, e.g. '200..=299,403' (A..=B inclusive, "
            "A..B end excluded).",
            metavar="CODES",
        ),
    ] = None,
    remap: Annotated[
        list[str] | None,
        typer.Option(
            "--remap",
            help="'REGEX REPLACEMENT': check a rewritten URL instead of the cited one (Python "
            "re.sub syntax, first matching rule); the report keeps the cited URL. Repeatable.",
        ),
    ] = None,
    host_stats: Annotated[
        bool | None,
        typer.Option(
            "--host-stats",
            help="Show requests, statuses, retries and rate-limit waits per host (console "
            "and index.json).",
            show_default=False,
        ),
    ] = None,
    require_https: Annotated[
        bool | None,
        typer.Option(
            "--require-https",
            help="Report (and fail on) http:// sources whose https:// twin works.",
            show_default=False,
        ),
    ] = None,
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
            "text-fragment-not-found, "
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
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            help="Extra header 'NAME: VALUE' sent with every request to every host "
            "(VALUE may be env:VAR); repeatable. Never shown. For credentials use "
            "per-host [hosts] in the configuration file or --basic-auth.",
            metavar="'NAME: VALUE'",
        ),
    ] = None,
    basic_auth: Annotated[
        list[str] | None,
        typer.Option(
            "--basic-auth",
            help="Basic authentication 'HOST USER:PASSWORD' (PASSWORD may be env:VAR), sent "
            "only to HOST and only over HTTPS; repeatable. Never shown.",
            metavar="'HOST USER:PASSWORD'",
        ),
    ] = None,
    cookie_jar: Annotated[
        Path | None,
        typer.Option(
            "--cookie-jar",
            help="Netscape cookie file (cookies.txt); each cookie is sent only to the hosts "
            "its domain names, and only over HTTPS.",
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
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="A PostgreSQL store every worker reaches, instead of the SQLite cache on this "
            "machine: postgresql://user@host:port/database (the password is best given by "
            "PGPASSWORD or ~/.pgpass; it is never printed).",
            metavar="URL",
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
    transport: Annotated[
        str | None,
        typer.Option(
            "--transport",
            help="HTTP client of the checks: aiohttp (HTTP/1.1, fastest) or httpx "
            "(HTTP/1.1 and HTTP/2). [default: aiohttp]",
            metavar="aiohttp|httpx",
        ),
    ] = None,
    loop: Annotated[
        str | None,
        typer.Option(
            "--loop",
            help="Event loop: uvloop (faster; asyncio's own when uvloop is not installed) "
            "or asyncio. [default: uvloop]",
            metavar="uvloop|asyncio",
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
            "quotes, numbers and names, nor the passages of text fragments.",
            show_default=False,
        ),
    ] = None,
    no_text_fragments: Annotated[
        bool | None,
        typer.Option(
            "--no-text-fragments",
            help="Do not look for the passages that cited text fragments (#:~:text=) point "
            "to.",
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
            "accept": accept,
            "remap": remap or None,
            "require_https": require_https,
            "host_stats": host_stats,
            "allow_private": allow_private,
            "allow_hosts": allow_host or None,
            "insecure": insecure,
            "strip_tracking": strip_tracking,
            "host_interval": host_interval,
            "respect_robots": respect_robots,
            "cache_dir": cache_dir,
            "store": store,
            "use_cache": False if no_cache else None,
            "reuse_reports": False if no_reuse else None,
            "transport": transport,
            "loop": loop,
            "cache_max_bytes": cache_max_size * 1024 * 1024 if cache_max_size else None,
            "archives": archive or None,
            "archive_enabled": False if no_archive else None,
            "archive_window_days": archive_window,
            "save_missing": save_missing,
            "drift": False if no_drift else None,
            "claims": False if no_claims else None,
            "text_fragments": False if no_text_fragments else None,
            "ia_access_key": os.environ.get("SRCCHECK_IA_ACCESS_KEY") or None,
            "ia_secret_key": os.environ.get("SRCCHECK_IA_SECRET_KEY") or None,
        }
        cli_values.update(_credential_values(header, basic_auth, cookie_jar))
        settings, _, _ = resolve_settings(Path.cwd(), config, cli_values, os.environ)
        policy = FailPolicy.parse(settings.fail_on)
        selected = _article_paths(paths, files_from)
        if dump:
            _dump_sources(selected, settings, dump_format)
            raise typer.Exit(EXIT_OK)
        if changed_since is not None:
            selected = changed_articles(changed_since, selected, Path.cwd())
            if not selected:
                errors.print(f"no article changed since {changed_since}; nothing to verify")
                raise typer.Exit(EXIT_OK)
        if shard is not None:
            selected = select_shard(selected, *parse_shard(shard))
        verbosity = -1 if quiet else (1 if verbose else 0)
        if settings.use_cache and settings.store is None and "html" in settings.formats:
            from srccheck.fetch.cache import cache_path
            from srccheck.report.html import keep_compiled_templates

            # Next to the SQLite cache file; a run on a --store writes no local files.
            keep_compiled_templates(cache_path(settings.cache_dir).parent / "templates")
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
    except typer.Exit:
        raise  # a planned early exit (nothing changed, --dump), not a bug
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
        settings, provenance, path = resolve_settings(Path.cwd(), config, {}, os.environ)
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
_StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="A PostgreSQL store (postgresql://user@host:port/database) instead of the SQLite "
        "cache.",
        metavar="URL",
    ),
]


def _open_store(cache_dir: Path | None, store: str | None) -> Store:
    """The store the ``cache`` commands work on: ``--store``, else the SQLite file."""
    from srccheck.settings import DEFAULT_SETTINGS
    from srccheck.store import StoreURL, open_store

    location = StoreURL.parse(store) if store is not None else None  # as `verify --store`
    return open_store(location, DEFAULT_SETTINGS.with_changes(cache_dir=cache_dir))


@cache_app.command("stats")
def cache_stats(cache_dir: _CacheDirOption = None, store: _StoreOption = None) -> None:
    """Show where the cache is, its entries per kind, size and age range."""
    try:
        with _open_store(cache_dir, store) as opened:
            stats = opened.stats()
    except (SrccheckError, *STORE_ERRORS) as exc:
        raise _usage_error(exc) from None
    typer.echo(f"{'store' if store else 'path'}: {stats.location}")
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
    store: _StoreOption = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Delete only entries of this kind (link, robots, archive)."),
    ] = None,
) -> None:
    """Delete the cached results (all, or of one kind)."""
    try:
        with _open_store(cache_dir, store) as opened:
            removed = opened.clear(kind)
    except (SrccheckError, *STORE_ERRORS) as exc:
        raise _usage_error(exc) from None
    typer.echo(f"removed {removed} entries from {opened.location}")


def _article_paths(paths: list[Path] | None, files_from: str | None) -> list[Path]:
    """PATHS and the paths listed by ``--files-from``; at least one is needed."""
    from srccheck.errors import UsageError
    from srccheck.options import read_files_from

    selected = list(paths or [])
    if files_from is not None:
        selected += read_files_from(files_from)
    if not selected:
        raise UsageError("no articles given: name files or folders, or use --files-from")
    return selected


def _dump_sources(paths: list[Path], settings: Settings, fmt: str) -> None:
    """``--dump``: every article's sources with positions, as text or JSON; no request."""
    import json

    from srccheck.articles import find_articles, load_article
    from srccheck.articles.model import ArticleFailure
    from srccheck.errors import UsageError

    if fmt not in ("text", "json"):
        raise UsageError(f"--dump-format must be text or json, got {fmt!r}")
    dumped = []
    for path in find_articles(paths):
        article = load_article(path, settings)
        if isinstance(article, ArticleFailure):
            dumped.append({"file": str(path), "error": article.error.message, "sources": []})
            continue
        sources = [s.model_dump(mode="json", exclude_defaults=True) for s in article.sources]
        dumped.append({"file": str(path), "error": None, "sources": sources})
    if fmt == "json":
        typer.echo(json.dumps(dumped, ensure_ascii=False, indent=2))
        return
    for item in dumped:
        if item["error"] is not None:
            typer.echo(f"{item['file']}: error: {item['error']}")
        # One line per citation, in the order written (a URL cited twice: twice).
        cited = sorted(
            (p["index"], p["line"], p["column"], s.get("url") or s["raw"])
            for s in item["sources"]
            for p in s["positions"]
        )
        for _, line, column, shown in cited:
            typer.echo(f"{item['file']}:{line}:{column}: {shown}")


def _credential_values(
    header: list[str] | None, basic_auth: list[str] | None, cookie_jar: Path | None
) -> dict[str, object]:
    """``--header``, ``--basic-auth`` and ``--cookie-jar`` as settings values (secrets
    resolved from the environment; a bad value raises a UsageError)."""
    from srccheck.credentials import parse_basic_auth, parse_header

    return {
        "headers": tuple(parse_header(h, os.environ) for h in header) if header else None,
        "hosts": tuple(parse_basic_auth(b, os.environ) for b in basic_auth) if basic_auth else None,
        "cookie_jar": cookie_jar,
    }


def _usage_error(exc: Exception) -> typer.Exit:
    """Print a usage or input error on stderr; the exit (code 2) for the caller to raise."""
    Console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    return typer.Exit(EXIT_USAGE)


def main() -> None:
    """Entry point of the ``srccheck`` script."""
    app()
