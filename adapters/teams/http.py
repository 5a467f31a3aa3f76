"""POST /api/messages: owns the HTTP exchange so every answer is JSON and bad input is a 4xx.

botbuilder's CloudAdapter.process would serialize invoke bodies through msrest (a card dict ends in
a 500) and lets a missing Content-Type escape as a KeyError, so this view does the exchange itself:
content type -> JSON -> Activity -> authenticate -> process_activity -> write the invoke body.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

logger = logging.getLogger(__name__)


def _error(status: int, code: str, detail: str) -> web.Response:
    return web.json_response({"error": code, "detail": detail}, status=status)


@dataclass
class MessagesEndpoint:
    """The /api/messages view; `adapter` and `bot` are filled in when the app starts."""

    adapter: CloudAdapter | None = None
    bot: Bot | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.adapter is None or self.bot is None:
            return _error(503, "starting", "the Teams endpoint is not ready yet")
        if request.content_type != "application/json":
            return _error(415, "unsupported_media_type", "send the activity as application/json")
        try:
            body: Any = await request.json()
        except ValueError:
            return _error(400, "invalid_json", "the body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "invalid_activity", "the body must be a JSON object (an Activity)")
        try:
            activity = Activity().deserialize(body)
        except Exception:  # noqa: BLE001 - msrest raises several types for malformed fields
            return _error(400, "invalid_activity", "the body is not a Bot Framework Activity")
        if not activity.type or not activity.service_url:
            return _error(400, "invalid_activity", "an Activity needs a type and a serviceUrl")

        auth_header = request.headers.get("Authorization", "")
        try:
            auth = await self.adapter.bot_framework_authentication.authenticate_request(activity, auth_header)
        except Exception as exc:  # noqa: BLE001 - PermissionError, jwt errors, metadata failures: all mean "not you"
            logger.info("teams: rejected an unauthenticated activity (%s)", type(exc).__name__)
            return _error(401, "unauthorized", "the Bot Framework token is missing or invalid")

        try:
            response = await self.adapter.process_activity(auth, activity, self.bot.on_turn)
        except Exception:
            logger.exception("teams: processing a %s activity failed", activity.type)
            return _error(500, "internal", "fairloop could not process this activity")
        if response is None:
            return web.Response(status=200)
        status = int(response.status or 200)
        if response.body is None:
            return web.Response(status=status)
        return web.json_response(response.body, status=status)
