"""Bot walls: answers that refuse the robot and say nothing about the page.

:func:`bot_wall_signals` is a pure rule over the status code, the headers and
the body of one answer. When it returns any signal the answer is ``blocked``
(outcome *unverifiable*: "could not verify automatically"), never ``broken``,
and it is not retried — asking a challenge page again only hammers it.

Signatures looked for (each adds one ``bot:…`` signal):

* any code: ``cf-mitigated: challenge`` (Cloudflare), ``x-amzn-waf-action``
  (AWS WAF challenge/captcha);
* LinkedIn's non-standard ``999`` answer;
* on 403, 429 and 503 only (a 200 page that mentions Cloudflare is a page):
  ``server: cloudflare`` with a challenge page ("Just a moment…",
  "Attention Required", ``/cdn-cgi/challenge-platform``); DataDome
  (``x-datadome`` header, ``datadome`` cookie, ``captcha-delivery.com``);
  Akamai (``server: AkamaiGHost`` or "Access Denied … Reference #");
  PerimeterX (``_px`` cookies, ``px-captcha``, "Press & Hold"); a CAPTCHA
  widget (reCAPTCHA, hCaptcha, Turnstile).

A plain 403 or 429 without any signature stays an HTTP error: it may well be
about the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["BOT_WALL_CODES", "bot_wall_signals", "describe_bot_wall"]

#: Codes whose body and headers are searched for challenge signatures.
BOT_WALL_CODES: frozenset[int] = frozenset({403, 429, 503})
_LINKEDIN_CODE = 999

_CLOUDFLARE_PAGE = re.compile(
    r"just a moment\.\.\.|just a moment…|attention required!?\s*\|\s*cloudflare|"
    r"/cdn-cgi/challenge-platform|cf-chl-|cf_chl_",
    re.IGNORECASE,
)
_DATADOME_PAGE = re.compile(r"captcha-delivery\.com|geo\.captcha-delivery|datadome", re.IGNORECASE)
_AKAMAI_PAGE = re.compile(r"access denied.{0,2000}reference\s*#", re.IGNORECASE | re.DOTALL)
_PERIMETERX_PAGE = re.compile(
    r"px-captcha|_pxappid|perimeterx|press\s*(?:&amp;|&)\s*hold", re.IGNORECASE
)
_CAPTCHA_PAGE = re.compile(
    r"g-recaptcha|www\.google\.com/recaptcha|h-captcha|hcaptcha\.com|challenges\.cloudflare\.com",
    re.IGNORECASE,
)

_NAMES = {
    "bot:cloudflare": "Cloudflare",
    "bot:aws-waf": "AWS WAF",
    "bot:linkedin-999": "LinkedIn",
    "bot:datadome": "DataDome",
    "bot:akamai": "Akamai",
    "bot:perimeterx": "PerimeterX",
    "bot:captcha": "a CAPTCHA",
}


def _cookie_names(set_cookies: Iterable[str]) -> set[str]:
    return {cookie.split("=", 1)[0].strip().lower() for cookie in set_cookies}


def bot_wall_signals(
    code: int,
    headers: Mapping[str, str],
    text: str | None,
    *,
    set_cookies: Iterable[str] = (),
) -> tuple[str, ...]:
    """The bot-wall signatures of one answer, in a fixed order; empty when it is none.

    ``headers`` must have lower-case names (``httpx.Headers`` qualifies);
    ``set_cookies`` are the raw ``Set-Cookie`` values; ``text`` the decoded
    body, if any. The rules are listed in the module docstring.
    """
    signals: list[str] = []
    server = headers.get("server", "").lower()
    if headers.get("cf-mitigated", "").strip().lower() == "challenge":
        signals.append("bot:cloudflare")
    if headers.get("x-amzn-waf-action", "").strip().lower() in {"challenge", "captcha"}:
        signals.append("bot:aws-waf")
    if code == _LINKEDIN_CODE:
        signals.append("bot:linkedin-999")
    if code in BOT_WALL_CODES:
        body = text or ""
        cookies = _cookie_names(set_cookies)
        if "cloudflare" in server and _CLOUDFLARE_PAGE.search(body):
            signals.append("bot:cloudflare")
        if "x-datadome" in headers or "datadome" in cookies or _DATADOME_PAGE.search(body):
            signals.append("bot:datadome")
        if "akamaighost" in server or _AKAMAI_PAGE.search(body):
            signals.append("bot:akamai")
        if any(name.startswith("_px") for name in cookies) or _PERIMETERX_PAGE.search(body):
            signals.append("bot:perimeterx")
        if _CAPTCHA_PAGE.search(body):
            signals.append("bot:captcha")
    return tuple(dict.fromkeys(signals))


def describe_bot_wall(code: int, signals: Iterable[str]) -> str:
    """The ``blocked`` reason: who answered and that the page could not be verified."""
    names = [_NAMES.get(signal, signal) for signal in signals]
    who = " / ".join(dict.fromkeys(names)) or "bot protection"
    return (
        f"bot protection ({who}) answered HTTP {code}; the page could not be verified "
        "automatically"
    )
