"""Loopback means loopback: the guard in front of the surfaces that believe whoever reaches them (the playground,
and Teams without an app id), and the checks of addresses and URLs it is made of."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from adapters.web import error

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# what a reverse proxy adds: a request that came through one is from wherever the proxy's client is
FORWARDING = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "X-Client-IP")


def loopback_address(host: str) -> bool:
    """127.0.0.0/8, ::1 (also written as ::ffff:127.0.0.1), or the name localhost."""
    name = host.strip().lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def host_name(header: str) -> str | None:
    """The name in a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`, or a bare v6 address); None when the
    header is not one of those."""
    if header.startswith("["):
        name, bracket, port = header[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and port[1:].isdigit())):
            return None
        return name
    if header.count(":") > 1:
        return header  # ::1 without brackets
    name, colon, port = header.partition(":")
    return None if colon and not port.isdigit() else name


def loopback_url(url: str) -> bool:
    """An http(s) URL whose host is a loopback address or localhost."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and hostname is not None and loopback_address(hostname)


def refusal(request: web.Request, what: str) -> web.Response | None:
    """Why `request` may not reach a loopback-only surface, as its 4xx answer; None when it came from this machine,
    directly, for this machine. `what` names the surface in the answer."""
    peer = request.transport.get_extra_info("peername") if request.transport is not None else None
    if not (isinstance(peer, tuple) and peer and loopback_address(str(peer[0]))):
        return error(403, "not_loopback", f"{what} only answers requests from this machine.")
    if any(name in request.headers for name in FORWARDING):
        return error(403, "forwarded", f"{what} only answers requests made on this machine, not through a proxy.")
    name = host_name(request.headers.get("Host", ""))
    if name is None or not loopback_address(name):
        return error(421, "wrong_host", f"{what} only answers requests for 127.0.0.1, [::1] or localhost.")
    return None


def local_only(handler: Handler, *, what: str) -> Handler:
    """`handler`, answering only requests from a loopback peer, for a loopback Host, with no forwarding header."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        refused = refusal(request, what)
        if refused is not None:
            logger.warning("%s refused %s %s: %s", what, request.method, request.path, refused.status)
            return refused
        return await handler(request)

    return guarded
