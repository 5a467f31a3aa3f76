"""POST /api/interviews: the interview webhook an ATS calls (bearer token, one or a batch)."""

from __future__ import annotations

import hmac
import json

from aiohttp import web

from adapters.sources.ats_settings import WebhookSettings
from adapters.web import error, ingest


def install(app: web.Application, *, settings: WebhookSettings) -> None:
    async def interviews_view(request: web.Request) -> web.Response:
        token = settings.api_token
        if not token:
            return error(401, "unauthorized", "The interview webhook is off until FAIRLOOP_API_TOKEN is set.")
        given = request.headers.get("Authorization", "")
        if not given.startswith("Bearer ") or not hmac.compare_digest(given[7:].strip().encode(), token.encode()):
            return error(401, "unauthorized", "Send 'Authorization: Bearer <FAIRLOOP_API_TOKEN>'.")
        raw = await request.read()
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return error(400, "malformed_json", f"The body is not valid JSON ({exc}).")
        return await ingest(request, data)

    app.router.add_post("/api/interviews", interviews_view)
