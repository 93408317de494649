"""The configuration file: ``srccheck.toml`` or ``[tool.srccheck]`` in ``pyproject.toml``.

Discovery (:func:`find_config`): ``--config PATH`` when given; otherwise the
nearest directory, from the current one upwards, that holds ``srccheck.toml``
or a ``pyproject.toml`` with a ``[tool.srccheck]`` table. ``srccheck.toml``
wins in the same directory; a ``pyproject.toml`` without the table is passed by.

Keys are the :class:`~srccheck.settings.Settings` field names in kebab-case,
like the command-line flags (``per-host``, ``connect-timeout``, ``fail-on``);
``format`` sets the report formats, like ``--format``. The set of keys is
derived from the ``Settings`` fields, so a new field is configurable at once.
Values have their TOML type (``per-host = 4``, ``insecure = false``); lists of
strings may also be written as one comma-separated string (``format =
"json,sarif"``). Relative paths are relative to the configuration file.

Precedence (:func:`build_settings`): defaults < configuration file < command line.
Credentials are the exception: ``[hosts."name"]`` tables and ``headers`` from the
file and from the command line (``--basic-auth``, ``--header``) are combined, the
command line winning for the same host or header name.

Credentials (:mod:`srccheck.credentials`)::

    headers = { "Accept-Language" = "env:LANG_HEADER" }   # sent with every request
    cookie-jar = "cookies.txt"                            # Netscape cookie file
    [hosts."www.faz.net"]                                 # sent to this host over HTTPS only
    headers = { Authorization = "env:FAZ_TOKEN" }
    basic-auth = { user = "redaktion", password = "env:FAZ_PASSWORD" }
    cookie-jar = "faz-cookies.txt"

Header values and passwords must be ``env:NAME`` references, resolved from the
environment (``environ``) when the file is loaded; a missing variable is a usage
error naming the variable.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path

from srccheck.archive.config import ArchiveConfig, parse_archive_spec
from srccheck.credentials import Header, HostCredentials, resolve_secret
from srccheck.errors import InputError, UsageError
from srccheck.options import AcceptedStatuses, Remap
from srccheck.policy import FailPolicy
from srccheck.settings import FORMATS, Settings
from srccheck.store import StoreURL

__all__ = [
    "CONFIG_FILE_NAMES",
    "FROM_CLI",
    "FROM_DEFAULT",
    "build_settings",
    "config_keys",
    "config_keys_by_field",
    "describe",
    "find_config",
    "load_config",
    "resolve_settings",
]

#: File names looked for in each directory, the winner first.
CONFIG_FILE_NAMES: tuple[str, ...] = ("srccheck.toml", "pyproject.toml")

FROM_DEFAULT = "default"
FROM_CLI = "command line"

# File keys that differ from the kebab-case field name, to match the CLI flag (--format).
_KEY_FOR_FIELD: dict[str, str] = {"formats": "format"}

# Item types written as spec strings, parsed by the same function the CLI option uses.
# A spec may contain commas, so one string is one item for these types.
_SPEC_PARSERS: dict[type, Callable[[str], object]] = {
    ArchiveConfig: parse_archive_spec,
    Remap: Remap.parse,
}
# Field types written as one string and parsed by the function the CLI option uses.
_VALUE_PARSERS: dict[type, Callable[[str], object]] = {
    AcceptedStatuses: AcceptedStatuses.parse,
    StoreURL: StoreURL.parse,
}


#: Keys of earlier versions, and what replaces them.
_RETIRED_KEYS: dict[str, str] = {
    "fetch-processes": "remove it and run 'srccheck verify --workers N' (a local Dask "
    "cluster whose workers each own a share of the hosts)",
}

def config_keys() -> dict[str, str]:
    """Configuration-file key → ``Settings`` field name, for every field."""
    return {
        _KEY_FOR_FIELD.get(f.name, f.name.replace("_", "-")): f.name
        for f in dataclasses.fields(Settings)
    }


def find_config(start: Path, explicit: Path | None) -> Path | None:
    """The configuration file to use, or ``None`` when there is none.

    ``explicit`` (``--config``) must exist. Otherwise each directory from
    ``start`` up to the file-system root is searched for ``srccheck.toml``,
    then for a ``pyproject.toml`` that has a ``[tool.srccheck]`` table.

    Raises:
        InputError: ``explicit`` does not exist or is not a file.
        UsageError: a ``pyproject.toml`` on the way is not valid TOML.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(f"configuration file {explicit} does not exist or is not a file")
        return explicit
    directory = start.resolve()
    for folder in (directory, *directory.parents):
        own, shared = CONFIG_FILE_NAMES
        candidate = folder / own
        if candidate.is_file():
            return candidate
        candidate = folder / shared
        if candidate.is_file():
            tool = _read_toml(candidate).get("tool")
            if isinstance(tool, dict) and "srccheck" in tool:
                return candidate
    return None


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Read and validate a configuration file.

    Returns the values keyed by ``Settings`` field name, converted to the
    field types (``Path``, compiled patterns, tuples …). A ``pyproject.toml``
    without ``[tool.srccheck]`` gives an empty dict. ``env:NAME`` secrets are read
    from ``environ`` (the process environment when None).

    Raises:
        UsageError: invalid TOML, an unknown key (with a suggestion), or a value of
            the wrong type (naming key, expected type and the value got).
        InputError: the file cannot be read.
    """
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table: object = tool.get("srccheck", {}) if isinstance(tool, dict) else {}
        where = f"[tool.srccheck] of {path}"
    else:
        table = data
        where = str(path)
    if not isinstance(table, dict):
        raise UsageError(f"{where} must be a table")
    keys = config_keys()
    values: dict[str, object] = {}
    for key, raw in table.items():
        field_name = keys.get(key)
        if field_name is None and key in _RETIRED_KEYS:
            raise UsageError(f"{key!r} in {where} was retired: {_RETIRED_KEYS[key]}")
        if field_name is None:
            raise UsageError(f"unknown key {key!r} in {where}{_suggestion(key, keys)}")
        if field_name in _TABLE_PARSERS:
            env = os.environ if environ is None else environ
            values[field_name] = _TABLE_PARSERS[field_name](raw, where, path.parent, env)
            continue
        if field_name in _secret_fields():
            raise UsageError(
                f"{key!r} cannot be set in {where}: it is a secret, and configuration files "
                "are often committed; pass it through the environment"
            )
        values[field_name] = _convert(field_name, raw, key=key, where=where, base=path.parent)
    return values


def build_settings(
    file_values: Mapping[str, object],
    cli_values: Mapping[str, object],
    *,
    config_path: Path | None,
) -> tuple[Settings, dict[str, str]]:
    """Combine defaults < file < command line into one :class:`Settings`.

    ``file_values`` come from :func:`load_config`; ``cli_values`` are keyed by field
    name, ``None`` meaning "not given", and are converted like file values (paths
    as given, strings or lists for tuples, already converted values accepted).
    Returns the settings and the provenance of every field: ``"default"``, the
    configuration file path, or ``"command line"``.

    Raises:
        UsageError: an unknown field name or a value of the wrong type.
    """
    fields = {f.name for f in dataclasses.fields(Settings)}
    file_label = str(config_path) if config_path is not None else "configuration file"
    provenance = dict.fromkeys(sorted(fields), FROM_DEFAULT)
    changes: dict[str, object] = {}
    for name, value in file_values.items():
        if name not in fields:
            raise UsageError(f"unknown setting {name!r} from {file_label}")
        changes[name] = value
        provenance[name] = file_label
    for name, value in cli_values.items():
        if value is None:
            continue
        if name not in fields:
            raise UsageError(f"unknown setting {name!r} from the command line")
        key = "--" + config_keys_by_field()[name]
        converted = _convert(name, value, key=key, where="the command line", base=None)
        if name in _COMBINED and name in changes:
            converted = _COMBINED[name](changes[name], converted)
        changes[name] = converted
        provenance[name] = FROM_CLI
    return Settings(**changes), provenance  # type: ignore[arg-type]


def resolve_settings(
    start: Path,
    explicit: Path | None,
    cli_values: Mapping[str, object],
    environ: Mapping[str, str] | None = None,
) -> tuple[Settings, dict[str, str], Path | None]:
    """Find, load and apply the configuration file: what ``srccheck verify`` needs.

    Returns the settings, the provenance per field and the file used (or ``None``).
    ``environ`` resolves the file's ``env:NAME`` secrets (see :func:`load_config`).
    """
    path = find_config(start, explicit)
    file_values = load_config(path, environ) if path is not None else {}
    settings, provenance = build_settings(file_values, cli_values, config_path=path)
    return settings, provenance, path


def describe(settings: Settings, provenance: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(key, value, source)`` rows for ``srccheck config``, in field order.

    Keys are the configuration-file names; values are written as they would be
    in TOML-ish text (lists joined with commas, patterns as their source).
    """
    keys = config_keys_by_field()
    rows = []
    for f in dataclasses.fields(Settings):
        value = getattr(settings, f.name)
        # Fields kept out of repr() are secrets: say whether they are set, never what.
        shown = _format_value(value) if f.repr else ("(set)" if value else "(not set)")
        rows.append((keys[f.name], shown, provenance.get(f.name, "?")))
    return rows


def config_keys_by_field() -> dict[str, str]:
    """``Settings`` field name → configuration-file key."""
    return {field: key for key, field in config_keys().items()}


# --- reading and converting ------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, typing.Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise InputError(f"cannot read configuration file {path}: {exc.strerror}") from exc


def _suggestion(key: str, keys: Mapping[str, str]) -> str:
    # ``per_host`` → ``per-host`` is the most likely slip, so it is checked first.
    kebab = key.replace("_", "-")
    if kebab in keys:
        return f"; did you mean {kebab!r}?"
    close = difflib.get_close_matches(kebab, list(keys), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _secret_fields() -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(Settings) if not f.repr)


def _field_types() -> dict[str, object]:
    # ``settings.py`` uses postponed annotations: resolve the strings to real types.
    return typing.get_type_hints(Settings)


def _describe_type(tp: object) -> str:
    origin = typing.get_origin(tp)
    if origin is tuple:
        (item, *_rest) = typing.get_args(tp)
        if item is re.Pattern or typing.get_origin(item) is re.Pattern:
            return "list of regular expressions"
        return f"list of {_describe_type(item)}"
    names = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        Path: "path",
        StoreURL: "postgresql:// URL",
    }
    if isinstance(tp, type):
        return names.get(tp, tp.__name__)
    return str(tp)


def _got(value: object) -> str:
    kinds = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "list",
        dict: "table",
    }
    return f"{kinds.get(type(value), type(value).__name__)} {value!r}"


def _convert(name: str, value: object, *, key: str, where: str, base: Path | None) -> object:
    """Convert one raw value to the type of ``Settings.<name>``.

    The one place where file and command-line values become typed settings:
    bool/int/float/str are checked (``true`` is not an integer, an integer is a
    number), paths are made ``Path`` (relative to ``base`` for file values), lists
    (or comma-separated strings) become tuples, regular expressions are compiled,
    and ``format``/``fail-on`` names are checked.
    """
    tp = _field_types()[name]
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        # TOML has no null, so an optional field takes the value of its non-None type.
        tp = next(arg for arg in typing.get_args(tp) if arg is not type(None))

    def wrong() -> UsageError:
        return UsageError(f"{key!r} in {where}: expected {_describe_type(tp)}, got {_got(value)}")

    if tp is bool:
        if not isinstance(value, bool):
            raise wrong()
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong()
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong()
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise wrong()
        return value
    if isinstance(tp, type) and tp in _VALUE_PARSERS:
        if isinstance(value, tp):
            return value
        if not isinstance(value, str):
            raise wrong()
        try:
            return _VALUE_PARSERS[tp](value)
        except UsageError as exc:
            raise UsageError(f"{key!r} in {where}: {exc}") from None
    if tp is Path:
        if not isinstance(value, str | Path):
            raise wrong()
        path = Path(value).expanduser()
        return base / path if base is not None and not path.is_absolute() else path
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError:
            choices = ", ".join(str(m.value) for m in tp)
            raise UsageError(
                f"{key!r} in {where} must be one of {choices}, got {_got(value)}"
            ) from None
    if typing.get_origin(tp) is tuple:
        return _convert_tuple(name, tp, value, key=key, where=where, wrong=wrong)
    if isinstance(tp, type) and tp in _VALUE_PARSERS and isinstance(value, str):
        try:
            return _VALUE_PARSERS[tp](value)
        except UsageError as exc:
            raise UsageError(f"{key!r} in {where}: {exc}") from None
    if isinstance(tp, type) and isinstance(value, tp):
        return value  # a field type this module does not know yet: accept it as is
    raise wrong()


def _convert_tuple(
    name: str,
    tp: object,
    value: object,
    *,
    key: str,
    where: str,
    wrong: Callable[[], UsageError],
) -> tuple[object, ...]:
    item_type = typing.get_args(tp)[0]
    if item_type in _SPEC_PARSERS:
        return _convert_specs(item_type, value, key=key, where=where, wrong=wrong)
    if isinstance(value, str):
        items: list[object] = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise wrong()
    if item_type is re.Pattern or typing.get_origin(item_type) is re.Pattern:
        if isinstance(value, str):
            items = [value]  # a single pattern may itself contain commas
        patterns = []
        for item in items:
            if isinstance(item, re.Pattern):
                patterns.append(item)
                continue
            if not isinstance(item, str):
                raise wrong()
            try:
                patterns.append(re.compile(item))
            except re.error as exc:
                raise UsageError(
                    f"{key!r} in {where}: {item!r} is not a valid regular expression: {exc}"
                ) from exc
        return tuple(patterns)
    if isinstance(item_type, type) and not all(isinstance(item, item_type) for item in items):
        raise wrong()
    if name == "formats":
        unknown = [item for item in items if item not in FORMATS]
        if unknown:
            raise UsageError(
                f"{key!r} in {where}: unknown format {', '.join(map(repr, unknown))}; "
                f"choose from: {', '.join(FORMATS)}"
            )
    if name == "fail_on":
        try:
            FailPolicy.parse(typing.cast(list[str], items))
        except UsageError as exc:
            raise UsageError(f"{key!r} in {where}: {exc}") from None
    return tuple(items)


def _convert_specs(
    item_type: type,
    value: object,
    *,
    key: str,
    where: str,
    wrong: Callable[[], UsageError],
) -> tuple[object, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise wrong()
    parsed = []
    for item in items:
        if isinstance(item, item_type):
            parsed.append(item)
        elif isinstance(item, str):
            try:
                parsed.append(_SPEC_PARSERS[item_type](item))
            except UsageError as exc:
                raise UsageError(f"{key!r} in {where}: {exc}") from None
        else:
            raise wrong()
    return tuple(parsed)


# --- credentials -------------------------------------------------------------------------


def _parse_headers_table(
    raw: object, where: str, environ: Mapping[str, str]
) -> tuple[Header, ...]:
    if not isinstance(raw, dict):
        raise UsageError(
            f"'headers' in {where}: expected a table of NAME = \"env:VAR\", got {_got(raw)}"
        )
    headers = []
    for name, value in raw.items():
        if not isinstance(value, str):
            raise UsageError(f"header {name!r} in {where}: expected a string, got {_got(value)}")
        what = f"header {name!r} in {where}"
        headers.append(Header(str(name), resolve_secret(value, environ, what=what, literal=False)))
    return tuple(headers)


def _parse_top_headers(
    raw: object, where: str, base: Path, environ: Mapping[str, str]
) -> tuple[Header, ...]:
    return _parse_headers_table(raw, where, environ)


_HOST_KEYS = ("headers", "basic-auth", "cookie-jar")


def _parse_hosts(
    raw: object, where: str, base: Path, environ: Mapping[str, str]
) -> tuple[HostCredentials, ...]:
    """``[hosts."name"]`` tables → :class:`HostCredentials`, secrets resolved."""
    if not isinstance(raw, dict):
        raise UsageError(f"'hosts' in {where}: expected [hosts.\"name\"] tables, got {_got(raw)}")
    return tuple(_parse_host(str(host), table, where, base, environ) for host, table in raw.items())


def _parse_host(
    host: str, table: object, where: str, base: Path, environ: Mapping[str, str]
) -> HostCredentials:
    here = f'[hosts."{host}"] of {where}'
    if not isinstance(table, dict):
        raise UsageError(f"{here}: expected a table, got {_got(table)}")
    for key in table:
        if key not in _HOST_KEYS:
            close = difflib.get_close_matches(key.replace("_", "-"), _HOST_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"unknown key {key!r} in {here}{hint}")
    headers = _parse_headers_table(table.get("headers", {}), here, environ)
    basic = None
    auth = table.get("basic-auth")
    if auth is not None:
        if (
            not isinstance(auth, dict)
            or set(auth) != {"user", "password"}
            or not all(isinstance(v, str) for v in auth.values())
        ):
            raise UsageError(
                f"'basic-auth' in {here}: expected {{ user = \"NAME\", password = \"env:VAR\" }}"
            )
        what = f"the basic-auth password in {here}"
        basic = (auth["user"], resolve_secret(auth["password"], environ, what=what, literal=False))
    jar = table.get("cookie-jar")
    cookie_jar = None
    if jar is not None:
        if not isinstance(jar, str):
            raise UsageError(f"'cookie-jar' in {here}: expected a path, got {_got(jar)}")
        cookie_jar = Path(jar).expanduser()
        cookie_jar = cookie_jar if cookie_jar.is_absolute() else base / cookie_jar
    return HostCredentials(
        host=host.lower(), headers=headers, basic_auth=basic, cookie_jar=cookie_jar
    )


def _combine_hosts(file: object, cli: object) -> tuple[HostCredentials, ...]:
    """File hosts plus command-line ones; for the same host the command line's basic auth
    and cookie jar win and its headers are added."""
    merged = {h.host: h for h in typing.cast(tuple[HostCredentials, ...], file)}
    for entry in typing.cast(tuple[HostCredentials, ...], cli):
        old = merged.get(entry.host)
        if old is not None:
            entry = dataclasses.replace(
                old,
                headers=_combine_headers(old.headers, entry.headers),
                basic_auth=entry.basic_auth or old.basic_auth,
                cookie_jar=entry.cookie_jar or old.cookie_jar,
            )
        merged[entry.host] = entry
    return tuple(merged.values())


def _combine_headers(file: object, cli: object) -> tuple[Header, ...]:
    """File headers plus command-line ones; the command line wins for the same name."""
    cli_headers = typing.cast(tuple[Header, ...], cli)
    names = {h.name.lower() for h in cli_headers}
    kept = [h for h in typing.cast(tuple[Header, ...], file) if h.name.lower() not in names]
    return (*kept, *cli_headers)


# Fields written as TOML tables, parsed by their own rules (field → parser).
_TABLE_PARSERS: dict[str, Callable[[object, str, Path, Mapping[str, str]], tuple[object, ...]]] = {
    "hosts": _parse_hosts,
    "headers": _parse_top_headers,
}
# Fields whose command-line values are added to the file's instead of replacing them.
_COMBINED: dict[str, Callable[[object, object], tuple[object, ...]]] = {
    "hosts": _combine_hosts,
    "headers": _combine_headers,
}


def _format_value(value: object) -> str:
    if dataclasses.is_dataclass(value) and hasattr(value, "name"):
        return str(value.name)  # e.g. an ArchiveConfig: its name says which archive
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, re.Pattern):
        return value.pattern
    if isinstance(value, tuple):
        return ", ".join(_format_value(item) for item in value)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)
