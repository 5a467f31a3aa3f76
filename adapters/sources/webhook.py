"""POST /api/interviews: the interview webhook an ATS calls (bearer token, one or a batch)."""

from __future__ import annotations

import hmac
import json

from aiohttp import web

from bot.intake import FieldErrors
from fairloop.errors import error
from fairloop.keys import CORE, KICK, SETTINGS


async def interviews_view(request: web.Request) -> web.Response:
    token = request.app[SETTINGS].api_token
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
    return await ingest_response(request, data)


async def ingest_response(request: web.Request, data: object) -> web.Response:
    """Upsert parsed interview data and answer in the contract's shape (422 lists every field error)."""
    try:
        result = await request.app[CORE].ingest(data)
    except FieldErrors as exc:
        return error(422, "invalid_input", str(exc), fields=exc.fields)
    request.app[KICK]()  # prompts that are already due go out now, not at the next tick
    return web.json_response({"interviews": result})
