"""The command line: parse options → Settings → pipeline → exit code.

No business logic lives here. Options default to ``None`` so that only what
the user typed overrides the configuration file and the defaults.

Exit codes: 0 clean, 1 findings (per the fail-on policy), 2 usage or input
error, 130/143 interrupted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from srccheck import __version__
from srccheck.errors import SrccheckError, UsageError
from srccheck.settings import FORMATS, Settings

__all__ = ["app", "main"]

app = typer.Typer(
    name="srccheck",
    help="Verify the sources cited by news articles: does every URL work, is it archived, "
    "and do the pages say what the article says?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


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


def parse_formats(text: str) -> tuple[str, ...]:
    """``json,html`` → ``("json", "html")``; unknown names are a usage error."""
    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise UsageError(
            f"unknown format {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from: {', '.join(FORMATS)}"
        )
    return names


def compile_patterns(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise UsageError(
                f"--exclude {pattern!r} is not a valid regular expression: {exc}"
            ) from exc
    return tuple(compiled)


def _positive(name: str, value: float | None) -> None:
    if value is not None and value <= 0:
        raise UsageError(f"{name} must be greater than 0 (got {value})")


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
            help=f"Comma-separated report formats: {', '.join(FORMATS)}. [default: json,html]",
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
            "connection errors, 429, 502/503/504). [default: 2]"
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
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only errors and the final totals.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print every source that is not ok.")
    ] = False,
) -> None:
    """Check every source of every article and write JSON and HTML reports.

    Exit code 0 when every source is fine, 1 when at least one source failed,
    2 on a usage or input error.
    """
    from srccheck.pipeline import run_sync
    from srccheck.report.console import ConsoleReporter

    console = Console(stderr=False)
    errors = Console(stderr=True)
    try:
        for name, value in (("--timeout", timeout), ("--connect-timeout", connect_timeout)):
            _positive(name, value)
        for name, value in (("--concurrency", concurrency), ("--per-host", per_host)):
            _positive(name, value)
        if retries is not None and retries < 0:
            raise UsageError(f"--retries must be 0 or more (got {retries})")
        if max_redirects is not None and max_redirects < 0:
            raise UsageError(f"--max-redirects must be 0 or more (got {max_redirects})")
        values: dict[str, object] = {
            "output": output,
            "formats": parse_formats(formats) if formats is not None else None,
            "concurrency": concurrency,
            "per_host": per_host,
            "timeout": timeout,
            "connect_timeout": connect_timeout,
            "retries": retries,
            "max_redirects": max_redirects,
            "user_agent": user_agent,
            "exclude": compile_patterns(exclude) if exclude else None,
            "allow_private": allow_private,
            "allow_hosts": tuple(allow_host) if allow_host else None,
            "insecure": insecure,
        }
        settings = Settings(**{k: v for k, v in values.items() if v is not None})
        reporter = ConsoleReporter(console, verbosity=-1 if quiet else (1 if verbose else 0))
        index = run_sync(paths, settings, reporter)
    except SrccheckError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        errors.print("[bold red]interrupted[/]")
        raise typer.Exit(130) from None
    failed = sum(
        count for outcome, count in index.totals.by_outcome.items() if outcome != "ok"
    ) + sum(1 for entry in index.articles if entry.error is not None)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


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


def main() -> None:
    """Entry point of the ``srccheck`` script."""
    app()
