"""POST /api/messages: owns the HTTP exchange so every answer is JSON and bad input is a 4xx.

botbuilder's CloudAdapter.process would serialize invoke bodies through msrest (a card dict ends in
a 500) and lets a missing Content-Type escape as a KeyError, so this view does the exchange itself:
content type -> JSON -> Activity -> authenticate -> process_activity -> write the invoke body.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

from adapters.loopback import loopback_url
from adapters.web import BadJson, loads, retry_later
from storage.db import unavailable

logger = logging.getLogger(__name__)
LOOPBACK_SERVICE_URL = (
    "without an app id, fairloop only calls back a serviceUrl on this machine (127.0.0.1, [::1], localhost)"
)


def _error(status: int, code: str, detail: str) -> web.Response:
    return web.json_response({"error": code, "detail": detail}, status=status)


def _has_id(body: dict[str, Any], key: str) -> bool:
    part = body.get(key)
    return isinstance(part, dict) and isinstance(part.get("id"), str) and bool(part["id"].strip())


def _web_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def activity_problem(body: Any) -> str | None:
    """Why `body` cannot be a Teams activity we can answer, as a sentence; None when its shape is usable.

    Checked before botbuilder sees it: it would fail deep inside the turn (a 500) on these.
    """
    if not isinstance(body, dict):
        return "the body must be a JSON object (an Activity)"
    if not isinstance(body.get("type"), str) or not body["type"].strip():
        return 'an Activity needs a type, such as "message" or "invoke"'
    if not _web_url(body.get("serviceUrl")):
        return "an Activity needs a serviceUrl that is an http(s) URL with a host"
    if not _has_id(body, "conversation"):
        return "an Activity needs a conversation with an id"
    if not _has_id(body, "from"):
        return "an Activity needs a from (the sender) with an id"
    return None


@dataclass
class MessagesEndpoint:
    """The /api/messages view; `adapter` and `bot` are filled in when the app starts. `loopback_only` (Teams
    without an app id): an activity's serviceUrl must be on this machine, since the bot calls it back."""

    adapter: CloudAdapter | None = None
    bot: Bot | None = None
    loopback_only: bool = False

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.adapter is None or self.bot is None:
            return _error(503, "starting", "the Teams endpoint is not ready yet")
        if request.content_type != "application/json":
            return _error(415, "unsupported_media_type", "send the activity as application/json")
        try:
            body: Any = loads(await request.read())
        except BadJson as exc:
            return _error(400, exc.code, exc.detail)
        problem = activity_problem(body)
        if problem is not None:
            return _error(400, "invalid_activity", problem)
        if self.loopback_only and not loopback_url(body["serviceUrl"]):  # nothing has called it yet
            return _error(403, "service_url_not_loopback", LOOPBACK_SERVICE_URL)
        try:
            activity = Activity().deserialize(body)
        except Exception:  # noqa: BLE001 - msrest raises several types for malformed fields
            return _error(400, "invalid_activity", "the body is not a Bot Framework Activity")

        auth_header = request.headers.get("Authorization", "")
        try:
            auth = await self.adapter.bot_framework_authentication.authenticate_request(activity, auth_header)
        except Exception as exc:  # noqa: BLE001 - PermissionError, jwt errors, metadata failures: all mean "not you"
            logger.info("teams: rejected an unauthenticated activity (%s)", type(exc).__name__)
            return _error(401, "unauthorized", "the Bot Framework token is missing or invalid")

        try:
            response = await self.adapter.process_activity(auth, activity, self.bot.on_turn)
        except Exception as exc:
            if unavailable(exc):
                logger.warning("teams: the database is not answering; asked for a retry")
                return retry_later()
            logger.exception("teams: processing a %s activity failed", activity.type)
            return _error(500, "internal", "fairloop could not process this activity")
        if response is None:
            return web.Response(status=200)
        status = int(response.status or 200)
        if response.body is None:
            return web.Response(status=status)
        return web.json_response(response.body, status=status)
