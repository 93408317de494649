"""The configuration file: discovery, validation, precedence and provenance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from srccheck.config import (
    build_settings,
    config_keys,
    describe,
    find_config,
    load_config,
    resolve_settings,
)
from srccheck.errors import InputError, UsageError
from srccheck.settings import DEFAULT_SETTINGS, Settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_settings_field_has_a_key() -> None:
    import dataclasses

    fields = {f.name for f in dataclasses.fields(Settings)}
    assert set(config_keys().values()) == fields
    assert config_keys()["per-host"] == "per_host"
    assert config_keys()["format"] == "formats"
    assert config_keys()["fail-on"] == "fail_on"


def test_found_by_walking_up_from_a_nested_directory(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", "[tool.srccheck]\nper-host = 2\n")
    nested = tmp_path / "articles" / "2024" / "10"
    nested.mkdir(parents=True)
    assert find_config(nested, None) == config


def test_srccheck_toml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.srccheck]\nper-host = 2\n")
    own = write(tmp_path / "srccheck.toml", "per-host = 3\n")
    assert find_config(tmp_path, None) == own
    assert load_config(own) == {"per_host": 3}


def test_the_nearest_directory_wins(tmp_path: Path) -> None:
    write(tmp_path / "srccheck.toml", "per-host = 3\n")
    inner = write(tmp_path / "desk" / "pyproject.toml", "[tool.srccheck]\nretries = 0\n")
    assert find_config(tmp_path / "desk", None) == inner


def test_pyproject_without_the_table_is_passed_by(tmp_path: Path) -> None:
    outer = write(tmp_path / "srccheck.toml", "retries = 1\n")
    write(tmp_path / "app" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(tmp_path / "app", None) == outer


def test_explicit_path_is_used_and_must_exist(tmp_path: Path) -> None:
    write(tmp_path / "srccheck.toml", "retries = 1\n")
    other = write(tmp_path / "ci" / "strict.toml", "retries = 0\n")
    assert find_config(tmp_path, other) == other
    with pytest.raises(InputError, match=r"missing\.toml"):
        find_config(tmp_path, tmp_path / "missing.toml")


def test_values_are_converted_to_setting_types(tmp_path: Path) -> None:
    config = write(
        tmp_path / "pyproject.toml",
        """
[tool.srccheck]
output = "out/reports"
format = ["json", "sarif"]
fail-on = "default,archive-missing"
exclude = ["^https://example\\\\.com/", "a,b"]
timeout = 5
insecure = false
allow-hosts = ["intranet.example"]
""",
    )
    values = load_config(config)
    assert values["output"] == tmp_path / "out" / "reports"  # relative to the file
    assert values["formats"] == ("json", "sarif")
    assert values["fail_on"] == ("default", "archive-missing")
    assert [p.pattern for p in values["exclude"]] == ["^https://example\\.com/", "a,b"]
    assert values["timeout"] == 5.0
    assert isinstance(values["timeout"], float)
    assert values["insecure"] is False
    assert values["allow_hosts"] == ("intranet.example",)


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("per_hots", "per-host"),
        ("per_host", "per-host"),
        ("formats", "format"),
        ("timout", "timeout"),
    ],
)
def test_unknown_key_is_named_with_a_suggestion(tmp_path: Path, key: str, suggestion: str) -> None:
    config = write(tmp_path / "pyproject.toml", f"[tool.srccheck]\n{key} = 3\n")
    with pytest.raises(UsageError) as caught:
        load_config(config)
    assert str(caught.value) == (
        f"unknown key {key!r} in [tool.srccheck] of {config}; did you mean {suggestion!r}?"
    )


def test_unknown_key_without_a_close_match(tmp_path: Path) -> None:
    config = write(tmp_path / "srccheck.toml", "zzzz = 1\n")
    with pytest.raises(UsageError, match=r"^unknown key 'zzzz' in .*srccheck\.toml$"):
        load_config(config)


@pytest.mark.parametrize(
    ("line", "expected", "got"),
    [
        ('per-host = "4"', "integer", "string '4'"),
        ("per-host = true", "integer", "boolean True"),
        ('timeout = "slow"', "number", "string 'slow'"),
        ("insecure = 1", "boolean", "integer 1"),
        ("output = 3", "path", "integer 3"),
        ("allow-hosts = [1, 2]", "list of string", "list [1, 2]"),
        ("exclude = 5", "list of regular expressions", "integer 5"),
    ],
)
def test_wrong_type_names_key_expected_and_got(
    tmp_path: Path, line: str, expected: str, got: str
) -> None:
    config = write(tmp_path / "srccheck.toml", line + "\n")
    key = line.split(" =")[0]
    with pytest.raises(UsageError) as caught:
        load_config(config)
    assert str(caught.value) == f"{key!r} in {config}: expected {expected}, got {got}"


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('exclude = ["(unclosed"]', "not a valid regular expression"),
        ('format = ["json", "pdf"]', "unknown format 'pdf'"),
        ('fail-on = "not_fund"', "unknown --fail-on name 'not_fund'"),
        ("per-host = [", "is not valid TOML"),
    ],
)
def test_invalid_values_are_usage_errors(tmp_path: Path, line: str, fragment: str) -> None:
    config = write(tmp_path / "srccheck.toml", line + "\n")
    with pytest.raises(UsageError, match=re.escape(fragment)):
        load_config(config)


def test_precedence_default_then_file_then_command_line(tmp_path: Path) -> None:
    config = write(tmp_path / "srccheck.toml", 'per-host = 2\ntimeout = 5\nformat = "json,junit"\n')
    settings, provenance = build_settings(
        load_config(config),
        {"per_host": 8, "timeout": None, "exclude": ["tracking"], "output": Path("elsewhere")},
        config_path=config,
    )
    assert settings.per_host == 8
    assert provenance["per_host"] == "command line"
    assert settings.timeout == 5.0
    assert provenance["timeout"] == str(config)
    assert settings.formats == ("json", "junit")
    assert provenance["formats"] == str(config)
    assert settings.retries == DEFAULT_SETTINGS.retries
    assert provenance["retries"] == "default"
    assert settings.output == Path("elsewhere")  # command-line paths stay as typed
    assert [p.pattern for p in settings.exclude] == ["tracking"]


def test_command_line_values_are_checked_like_file_values() -> None:
    with pytest.raises(UsageError, match="'--per-host' in the command line: expected integer"):
        build_settings({}, {"per_host": "many"}, config_path=None)


def test_describe_lists_every_key_with_value_and_source(tmp_path: Path) -> None:
    config = write(tmp_path / "srccheck.toml", 'exclude = ["a", "b"]\ninsecure = true\n')
    settings, provenance, used = resolve_settings(tmp_path, None, {"retries": 0})
    assert used == config
    rows = {key: (value, source) for key, value, source in describe(settings, provenance)}
    assert rows["exclude"] == ("a, b", str(config))
    assert rows["insecure"] == ("true", str(config))
    assert rows["retries"] == ("0", "command line")
    assert rows["per-host"] == (str(DEFAULT_SETTINGS.per_host), "default")
    assert set(rows) == set(config_keys())


def test_no_config_file_means_defaults(tmp_path: Path) -> None:
    settings, provenance, used = resolve_settings(tmp_path, None, {})
    # A config file further up (outside tmp_path) would change this; none is expected.
    assert used is None
    assert settings == DEFAULT_SETTINGS
    assert set(provenance.values()) == {"default"}


def test_archives_are_written_as_the_same_specs_as_the_option(tmp_path: Path) -> None:
    config = write(
        tmp_path / "srccheck.toml",
        'archives = ["ia", "wayback=http://127.0.0.1:8080/coll,name=local,interval=0"]\n',
    )
    archives = load_config(config)["archives"]
    assert [a.name for a in archives] == [DEFAULT_SETTINGS.archives[0].name, "local"]
    assert archives[1].replay_base.startswith("http://127.0.0.1:8080/coll")
    bad = write(tmp_path / "bad" / "srccheck.toml", 'archives = ["gopher=x"]\n')
    with pytest.raises(UsageError, match=r"'archives' in .*bad"):
        load_config(bad)


def test_secrets_cannot_come_from_a_file_and_are_never_shown(tmp_path: Path) -> None:
    config = write(tmp_path / "srccheck.toml", 'ia-secret-key = "hunter2"\n')
    with pytest.raises(UsageError, match=r"'ia-secret-key' cannot be set in .*environment"):
        load_config(config)
    settings, provenance = build_settings({}, {"ia_secret_key": "hunter2"}, config_path=None)
    rows = {key: value for key, value, _source in describe(settings, provenance)}
    assert rows["ia-secret-key"] == "(set)"
    assert rows["ia-access-key"] == "(not set)"
    assert all("hunter2" not in value for value in rows.values())


def test_retired_fetch_processes_key_names_its_replacement(tmp_path: Path) -> None:
    config = write(tmp_path / "srccheck.toml", "fetch-processes = 2\n")
    with pytest.raises(UsageError, match=r"'fetch-processes' in .* was retired: .*--workers N"):
        load_config(config)
