"""What every HTTP adapter shares: the contract's JSON errors, the body limit, and the typed keys under which the
composition root hands each adapter the services it talks to."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from bot.delivery.service import Delivery
from bot.feedback.service import Feedback
from bot.intake.service import Intake
from bot.interactions.service import Interactions
from bot.people import Directory
from bot.reports.service import Reports

MAX_BODY = 1024 * 1024
RETRY_AFTER = 30  # seconds a caller is asked to wait while the database is not answering
MAX_DEPTH = 64  # no payload we take nests deeper; Python's parser and validators recurse, so a bound is needed

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


def retry_later() -> web.Response:
    """503 while the database is not answering: nothing was stored, and a retry after RETRY_AFTER will be."""
    detail = f"The database is not answering, so nothing was stored; please try again in {RETRY_AFTER} seconds."
    return error(503, "unavailable", detail, headers={"Retry-After": str(RETRY_AFTER)})


def same_secret(given: str, expected: str) -> bool:
    """A constant-time comparison of a secret a request carries with ours; any characters at all may come in a
    header (aiohttp keeps bytes that are not UTF-8 as surrogates), and they simply do not match."""
    try:
        return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())
    except UnicodeEncodeError:
        return False


def bad_request(code: str, detail: str) -> web.HTTPBadRequest:
    """A 400 with the contract's error body, for a view to raise (the catch-all passes it on as it is)."""
    return web.HTTPBadRequest(text=json.dumps({"error": code, "detail": detail}), content_type="application/json")


class BadJson(ValueError):
    """A body that is not JSON we take: not UTF-8 JSON (`malformed_json`), or nested too deep (`too_deep`)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def loads(raw: bytes | str) -> Any:
    """A request body's JSON, bounded: BadJson rather than a RecursionError or a structure deeper than MAX_DEPTH."""
    try:
        data = json.loads(raw)
    except RecursionError:
        data = None  # deeper than the parser goes: too deep by far
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an integer of over 4300 digits
        raise BadJson("malformed_json", f"The body is not valid JSON ({exc}).") from None
    else:
        if not isinstance(data, dict | list) or _openers(raw) <= MAX_DEPTH or not _deeper_than(data, MAX_DEPTH):
            return data  # (no deeper than it has brackets: most bodies are not even walked)
    raise BadJson("too_deep", f"The JSON body is nested deeper than {MAX_DEPTH} levels.")


def _openers(raw: bytes | str) -> int:
    """How many arrays and objects the JSON text opens at most (brackets inside strings count too)."""
    return raw.count(b"{" if isinstance(raw, bytes) else "{") + raw.count(b"[" if isinstance(raw, bytes) else "[")


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (without recursing: the data may be deep)."""
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


async def read_json(request: web.Request) -> Any:
    """The request's JSON body, or a 400 (`malformed_json`, `too_deep`) raised for the catch-all to answer."""
    try:
        return loads(await request.read())
    except BadJson as exc:
        raise bad_request(exc.code, exc.detail) from None


async def ingest(request: web.Request, data: object) -> web.Response:
    """Upsert parsed interview data and answer in the contract's shape (the catch-all answers FieldErrors with a
    422 listing every field error)."""
    result = await request.app[INTAKE].ingest(data)
    request.app[NUDGE]()  # prompts that are already due go out now, not at the next tick
    return web.json_response({"interviews": result})
