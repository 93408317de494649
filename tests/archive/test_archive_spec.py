"""--archive spec strings, archive hosts, and the Settings defaults."""

from __future__ import annotations

import pytest

from srccheck.archive import ArchiveKind, archive_hosts, parse_archive_spec
from srccheck.archive.config import derive_timemap_url, memento_archive, wayback_archive
from srccheck.errors import UsageError
from srccheck.settings import DEFAULT_SETTINGS, Settings


@pytest.mark.parametrize("spec", ["ia", "IA", "internet-archive", " ia "])
def test_ia_spec_gives_the_internet_archive(spec: str) -> None:
    config = parse_archive_spec(spec)
    assert config.kind is ArchiveKind.INTERNET_ARCHIVE
    assert config.cdx_url == "https://web.archive.org/cdx/search/cdx"
    assert config.availability_url == "https://archive.org/wayback/available"
    assert config.replay_base == "https://web.archive.org/web"
    assert config.min_interval == 1.0


def test_wayback_spec_uses_pywb_cdx_endpoint_and_options() -> None:
    config = parse_archive_spec("wayback=http://127.0.0.1:8080/my-coll/,name=local,interval=0.2")
    assert config.kind is ArchiveKind.WAYBACK
    assert config.name == "local"
    assert config.replay_base == "http://127.0.0.1:8080/my-coll"
    assert config.cdx_url == "http://127.0.0.1:8080/my-coll/cdx"
    assert config.min_interval == 0.2
    assert config.availability_url is None


def test_wayback_spec_with_own_cdx_endpoint_and_limit() -> None:
    config = parse_archive_spec(
        "wayback=https://arch.example/wb,cdx=https://arch.example/wb-cdx,limit=5"
    )
    assert config.cdx_url == "https://arch.example/wb-cdx"
    assert config.cdx_limit == 5
    assert config.name == "arch.example/wb"


@pytest.mark.parametrize(
    ("spec", "timemap"),
    [
        ("memento=https://web.archive.org/web", "https://web.archive.org/web/timemap/link"),
        (
            "memento=http://timetravel.example/timegate/",
            "http://timetravel.example/timemap/link",
        ),
        (
            "memento=https://arch.example/tg,timemap=https://arch.example/tm/link",
            "https://arch.example/tm/link",
        ),
    ],
)
def test_memento_spec_timemap_derived_or_given(spec: str, timemap: str) -> None:
    config = parse_archive_spec(spec)
    assert config.kind is ArchiveKind.MEMENTO
    assert config.timemap_base == timemap


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("archive.today", "unknown archive kind"),
        ("wayback", "http(s) URL"),
        ("wayback=ftp://host/coll", "http(s) URL"),
        ("memento=not a url", "http(s) URL"),
        ("ia=https://web.archive.org", "takes no URL"),
        ("ia,cdx=https://x.example/cdx", "unknown option"),
        ("memento=https://a.example/tg,limit=3", "unknown option"),
        ("wayback=http://h.example/c,interval=fast", "number of seconds"),
        ("wayback=http://h.example/c,interval=-1", "out of range"),
        ("wayback=http://h.example/c,limit=0", "out of range"),
        ("wayback=http://h.example/c,name", "not key=value"),
        ("wayback=http://h.example/c,name=a,name=b", "given twice"),
    ],
)
def test_bad_specs_raise_usage_error_naming_the_problem(spec: str, message: str) -> None:
    with pytest.raises(UsageError, match="--archive") as info:
        parse_archive_spec(spec)
    assert message in str(info.value)


def test_derive_timemap_url_only_replaces_a_timegate_path_segment() -> None:
    assert derive_timemap_url("http://timegate.example/") == "http://timegate.example/timemap/link"
    assert derive_timemap_url("http://h.example/a/timegate") == "http://h.example/a/timemap/link"


def test_settings_default_to_the_internet_archive_and_hide_keys() -> None:
    assert [a.kind for a in DEFAULT_SETTINGS.archives] == [ArchiveKind.INTERNET_ARCHIVE]
    assert DEFAULT_SETTINGS.archive_window_days == 30
    assert DEFAULT_SETTINGS.save_missing is False
    settings = Settings(ia_access_key="ACCESS", ia_secret_key="SECRET")
    assert "SECRET" not in repr(settings)


def test_archive_hosts_lists_every_endpoint_host() -> None:
    settings = Settings(
        archives=(
            parse_archive_spec("ia"),
            wayback_archive("http://127.0.0.1:8080/coll"),
            memento_archive("https://TG.example/timegate", timemap_base="https://tm.example/x"),
        )
    )
    assert archive_hosts(settings) == {
        "web.archive.org",
        "archive.org",
        "127.0.0.1",
        "tg.example",
        "tm.example",
    }
    assert archive_hosts(settings.with_changes(archive_enabled=False)) == set()
