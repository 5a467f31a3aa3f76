"""POST /api/interviews: the interview webhook an ATS calls (bearer token, one or a batch)."""

from __future__ import annotations

from aiohttp import web

from adapters.sources.ats_settings import WebhookSettings
from adapters.web import error, ingest, read_json, same_secret


def install(app: web.Application, *, settings: WebhookSettings) -> None:
    async def interviews_view(request: web.Request) -> web.Response:
        token = settings.api_token
        if not token:
            return error(401, "unauthorized", "The interview webhook is off until FAIRLOOP_API_TOKEN is set.")
        given = request.headers.get("Authorization", "")
        if not given.startswith("Bearer ") or not same_secret(given[7:].strip(), token):
            return error(401, "unauthorized", "Send 'Authorization: Bearer <FAIRLOOP_API_TOKEN>'.")
        return await ingest(request, await read_json(request))

    app.router.add_post("/api/interviews", interviews_view)
