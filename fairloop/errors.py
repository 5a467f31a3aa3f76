"""The one catch-all for the HTTP surface: every error in the contract's JSON format, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.web import MAX_BODY, error, retry_later
from bot.errors import FairloopError, NotFound, PermissionDenied, UserInputError
from bot.intake.records import FieldErrors
from storage import db

logger = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}

_REFUSALS = (
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (UserInputError, 400, "bad_request"),
    (FairloopError, 422, "not_handled"),
)


@web.middleware
async def errors_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.content_length is not None and request.content_length > MAX_BODY:
        return error(413, "payload_too_large", "Request bodies are limited to 1 MiB.")
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        detail = {
            404: f"There is nothing at {request.path}.",
            405: f"{request.method} is not allowed on {request.path}.",
            413: "Request bodies are limited to 1 MiB.",
        }.get(exc.status, exc.reason)
        return error(exc.status, _CODES.get(exc.status, "error"), detail)
    except FieldErrors as exc:
        return error(422, "invalid_input", str(exc), fields=exc.fields)
    except FairloopError as exc:  # the core's own refusals, said in its words
        status, code = next((s, c) for kind, s, c in _REFUSALS if isinstance(exc, kind))
        return error(status, code, str(exc))
    except Exception as exc:
        if db.unavailable(exc):  # the caller retries after Retry-After: nothing is lost
            logger.warning("database unavailable on %s %s: %s", request.method, request.path, type(exc).__name__)
            return retry_later()
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error(500, "internal", "Something went wrong on our side; it has been logged.")
