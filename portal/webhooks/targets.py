"""Where a webhook may go: http(s) URLs, and with ``WEBHOOK_BLOCK_PRIVATE_ADDRESSES`` on,
only hosts whose every address is public (no loopback, private, link-local, shared or
reserved range), checked when subscribing and again before each delivery."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from portal.domain.errors import Invalid
from portal.domain.i18n import N_

URL_MAX = 2000


class TargetRefused(Invalid):
    """A URL the portal will not deliver to (a 400 in the API, a form error in the page)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "url")


def check_url(value: object) -> str:
    """The URL, trimmed, if it is an absolute http(s) URL with a host and no credentials."""
    if not isinstance(value, str) or not value.strip():
        raise TargetRefused(N_("Give the endpoint's URL, starting with https:// or http://."))
    url = value.strip()
    if len(url) > URL_MAX:
        raise TargetRefused(N_("The URL is longer than %(max)s characters.", max=URL_MAX))
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise TargetRefused(N_("The URL may not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise TargetRefused(N_("That is not a valid URL.")) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise TargetRefused(N_("Webhook URLs must start with https:// or http://."))
    if not parts.hostname:
        raise TargetRefused(N_("The URL names no host."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(N_("Put no user name or password in the URL; webhooks are signed."))
    return url


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def refuse_private(url: str) -> None:
    """Raise ``TargetRefused`` unless every address the URL's host resolves to is public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetRefused(N_("The host %(host)s does not resolve.", host=repr(host))) from None
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(_is_public(address) for address in addresses):
        raise TargetRefused(
            N_(
                "The host %(host)s has a loopback or private address; webhooks go to public hosts.",
                host=repr(host),
            )
        )
