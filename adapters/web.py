"""What every HTTP adapter shares: the contract's JSON errors, the body limit, and the typed keys under which the
composition root hands each adapter the services it talks to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from bot.delivery.service import Delivery
from bot.feedback.service import Feedback
from bot.intake.records import FieldErrors
from bot.intake.service import Intake
from bot.interactions.service import Interactions
from bot.people import Directory
from bot.reports.service import Reports

MAX_BODY = 1024 * 1024

INTAKE = web.AppKey("fairloop.intake", Intake)
INTERACTIONS = web.AppKey("fairloop.interactions", Interactions)
REPORTS = web.AppKey("fairloop.reports", Reports)
FEEDBACK = web.AppKey("fairloop.feedback", Feedback)
DELIVERY = web.AppKey("fairloop.delivery", Delivery)
DIRECTORY = web.AppKey("fairloop.directory", Directory)
NUDGE = web.AppKey("fairloop.nudge", Callable[[], None])
"""Wakes the prompt dispatcher now, so prompts that are already due don't wait for its next tick."""


def error(
    status: int, code: str, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> web.Response:
    """The contract's error body: {"error": code, "detail": a sentence}."""
    return web.json_response({"error": code, "detail": detail, **extra}, status=status, headers=headers)


async def ingest(request: web.Request, data: object) -> web.Response:
    """Upsert parsed interview data and answer in the contract's shape (422 lists every field error)."""
    try:
        result = await request.app[INTAKE].ingest(data)
    except FieldErrors as exc:
        return error(422, "invalid_input", str(exc), fields=exc.fields)
    request.app[NUDGE]()  # prompts that are already due go out now, not at the next tick
    return web.json_response({"interviews": result})
