"""The address policy as pure rules: which addresses are public, literal hosts, allow lists."""

from __future__ import annotations

import ipaddress

import pytest

from srccheck.fetch.policy import AddressPolicy, is_public_address, literal_address
from srccheck.settings import Settings


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("127.255.0.9", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("172.31.255.255", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata service
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("192.0.2.10", False),  # documentation range
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff0e::1", False),  # global-scope multicast is still multicast
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 wrapping 169.254.169.254
        ("8.8.8.8", True),
        ("93.184.216.34", True),
        ("172.32.0.1", True),  # just outside 172.16.0.0/12
        ("2001:4860::8888", True),
        ("::ffff:8.8.8.8", True),
        ("2002:808:808::", True),  # 6to4 wrapping 8.8.8.8
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
        ("www.faz.net", None),
        ("cafe.de", None),
        ("0xg.1", None),
        ("1.2.3.4.5", None),
    ],
)
def test_literal_address(host: str, expected: str | None) -> None:
    found = literal_address(host)
    assert (str(found) if found else None) == (
        str(ipaddress.ip_address(expected)) if expected else None
    )


LOOPBACK = ipaddress.ip_address("127.0.0.1")
PRIVATE = ipaddress.ip_address("10.0.0.5")
PUBLIC = ipaddress.ip_address("8.8.8.8")


@pytest.mark.parametrize(
    ("policy", "host", "ip", "refused"),
    [
        (AddressPolicy(), "www.faz.net", PUBLIC, False),
        (AddressPolicy(), "localhost", LOOPBACK, True),
        (AddressPolicy(allow_private=True), "localhost", LOOPBACK, False),
        (AddressPolicy.of(["intranet.example"]), "intranet.example", PRIVATE, False),
        (AddressPolicy.of(["Intranet.Example."]), "intranet.example", PRIVATE, False),
        (AddressPolicy.of(["intranet.example"]), "other.example", PRIVATE, True),
        (AddressPolicy.of(["10.0.0.0/8"]), "anything.example", PRIVATE, False),
        (AddressPolicy.of(["10.0.0.5"]), "10.0.0.5", PRIVATE, False),
        (AddressPolicy.of(["10.0.0.0/8"]), "localhost", LOOPBACK, True),
        (AddressPolicy.of(["::1"]), "localhost", LOOPBACK, True),  # other IP version
    ],
)
def test_policy_refusal(policy: AddressPolicy, host: str, ip, refused: bool) -> None:
    assert (policy.refusal(host, ip) is not None) is refused


def test_refusal_reasons_say_what_and_how_to_allow() -> None:
    policy = AddressPolicy()
    assert policy.literal_refusal("127.0.0.1") == (
        "refused: 127.0.0.1 is a loopback address; use --allow-private to allow"
    )
    assert policy.literal_refusal("2130706433") == (
        "refused: 2130706433 (127.0.0.1) is a loopback address; use --allow-private to allow"
    )
    assert policy.literal_refusal("169.254.169.254") == (
        "refused: 169.254.169.254 is a link-local address; use --allow-private to allow"
    )
    reason = policy.refusal("intranet.example", PRIVATE)
    assert reason == (
        "refused: intranet.example resolves to 10.0.0.5, a private address; "
        "use --allow-private or --allow-host intranet.example to allow"
    )
    assert policy.literal_refusal("www.faz.net") is None


def test_policy_from_settings() -> None:
    policy = AddressPolicy.from_settings(
        Settings(allow_private=False, allow_hosts=("wiki.local", "192.168.0.0/16"))
    )
    assert policy.refusal("wiki.local", PRIVATE) is None
    assert policy.refusal("x.example", ipaddress.ip_address("192.168.3.4")) is None
    assert policy.refusal("x.example", PRIVATE) is not None
