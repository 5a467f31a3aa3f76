"""Loopback means loopback: the guard in front of the surfaces that believe whoever reaches them (the playground,
and Teams without an app id). The checks of addresses and URLs it is made of are in adapters/addresses.py."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.addresses import host_name, loopback_address, loopback_url
from adapters.web import error

__all__ = ["host_name", "local_only", "loopback_address", "loopback_url", "refusal"]
logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# what a reverse proxy adds: a request that came through one is from wherever the proxy's client is
FORWARDING = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "X-Client-IP")


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
