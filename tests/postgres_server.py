"""A real PostgreSQL server on loopback for the store tests: Debian's package, a fresh
cluster in a temporary folder, never a mock.

The session fixture (``postgres`` in tests/conftest.py) finds the server binaries in
``/usr/lib/postgresql/<version>/bin`` and installs Debian's ``postgresql`` package when
they are missing (CI runs as root with Debian's registry), like the browser test's
chromium. PostgreSQL refuses to run as root, so as root the cluster is created and
run by the unprivileged ``postgres`` user that the package creates. When the server
cannot be had, the test fails in CI (``CI`` is set) and is skipped elsewhere.

The cluster listens on 127.0.0.1 at a free port and on a unix socket in its own
temporary folder, asks TCP clients for a password (scram-sha-256; so tests see a
real password in a real URL), runs without fsync (a test cluster), and is stopped
and deleted at the end of the session.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PostgresServer", "postgres_bindir", "running_postgres"]

SUPERUSER = "srccheck"
PASSWORD = "s3cret-Pa55word"  # in every test URL: what must never be printed
_LIB = Path("/usr/lib/postgresql")


def postgres_bindir() -> Path | None:
    """The newest installed ``/usr/lib/postgresql/<version>/bin`` with initdb, or None."""
    if not _LIB.is_dir():
        return None
    found = [p / "bin" for p in _LIB.iterdir() if (p / "bin" / "initdb").exists()]
    return max(found, key=lambda p: _version_key(p.parent.name)) if found else None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(
        ["apt-get", *args], capture_output=True, text=True, env=env, timeout=900, check=False
    )


def install_postgres() -> str | None:
    """Install Debian's postgresql; ``None`` on success, else what went wrong."""
    if shutil.which("apt-get") is None:
        return "PostgreSQL is missing and apt-get is not available"
    if os.geteuid() != 0:
        return "PostgreSQL is missing and installing it needs root"
    result = _apt("install", "-y", "--no-install-recommends", "postgresql")
    if result.returncode != 0:  # the package lists may be missing or stale
        _apt("update")
        result = _apt("install", "-y", "--no-install-recommends", "postgresql")
    if result.returncode != 0 or postgres_bindir() is None:
        return f"apt-get install postgresql failed: {result.stderr.strip()[-500:]}"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster: ``url(database)`` for clients, ``new_database()`` per test."""

    bindir: Path
    folder: Path
    port: int
    user: str | None  # the OS user that runs the server (None: this process's user)
    _names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres", *, password: str | None = PASSWORD) -> str:
        secret = f":{password}" if password is not None else ""
        return f"postgresql://{SUPERUSER}{secret}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new, empty database (tests never see each other's tables); its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def sql(self, database_url: str, query: str, params: tuple[object, ...] = ()) -> list[tuple]:
        """Run one statement as the superuser (to look behind the store's back)."""
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            cursor = conn.execute(query.encode(), params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description is not None else []


def _run(command: list[str], user: str | None, **kwargs: object) -> None:
    subprocess.run(  # type: ignore[call-overload]
        command, check=True, capture_output=True, text=True, user=user, **kwargs
    )


@contextlib.contextmanager
def running_postgres(bindir: Path) -> Iterator[PostgresServer]:
    """initdb in a temporary folder, start on a free loopback port; stopped and deleted
    on exit, whatever happened."""
    user = None
    if os.geteuid() == 0:
        user = "postgres"
        pwd.getpwnam(user)  # KeyError: the package's user is missing
    folder = Path(tempfile.mkdtemp(prefix="srccheck-pg-"))
    try:
        data, sockets = folder / "data", folder / "socket"
        sockets.mkdir()
        pwfile = folder / "pw"
        pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
        if user is not None:
            entry = pwd.getpwnam(user)
            for path in (folder, sockets, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        _run(
            [
                str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
            ],
            user,
            timeout=300,
            cwd=folder,
        )  # fmt: skip
        server: PostgresServer | None = None
        for _attempt in range(3):  # a port taken between probing and binding: try another
            port = _free_port()
            options = (
                f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
            )
            try:
                _run(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"),
                     "-o", options, "-w", "-t", "120", "start"],
                    user,
                    timeout=180,
                    cwd=folder,
                )  # fmt: skip
            except subprocess.CalledProcessError:
                continue
            server = PostgresServer(bindir, folder, port, user)
            break
        if server is None:
            log = (folder / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"PostgreSQL did not start:\n{log}")
        try:
            yield server
        finally:
            subprocess.run(
                [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                user=user,
                timeout=120,
                check=False,
                cwd=folder,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
