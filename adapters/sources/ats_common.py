"""What the ATS connectors share: the runtime they are handed, deliveries, errors, signatures, a TTL cache."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web
from pydantic import ValidationError

from adapters.sources.ats_settings import AtsSettings
from adapters.web import BadJson, error, loads, same_secret
from bot.intake.records import InterviewIn
from bot.intake.service import Intake


@dataclass(frozen=True)
class Delivery:
    """Everything one vendor event changes, applied in one transaction and marked processed with `key`.

    `replace_prefix`: every stored interview under this external-id prefix that is not in `upserts` is
    cancelled (an Ashby schedule that dropped an event).
    """

    key: str | None
    upserts: tuple[InterviewIn, ...] = ()
    cancel_ids: tuple[str, ...] = ()
    cancel_refs: tuple[str, ...] = ()
    replace_prefix: str | None = None


@dataclass
class Runtime:
    """What the connectors use at run time, built by the composition root: their settings, the intake they hand
    interviews to, one HTTP session for all three vendors, lookup caches and Ashby's sync tokens (per process)."""

    settings: AtsSettings
    intake: Intake
    http: aiohttp.ClientSession
    caches: dict[str, TTLCache] = field(default_factory=dict)
    sync_tokens: dict[str, str | None] = field(default_factory=dict)

    def cache(self, name: str, ttl: float = 600.0) -> TTLCache:
        return self.caches.setdefault(name, TTLCache(ttl=ttl))

    async def apply(self, delivery: Delivery) -> bool:
        """The delivery in one transaction (False when its key was processed already)."""
        return await self.intake.apply(
            key=delivery.key,
            upserts=delivery.upserts,
            cancel_ids=delivery.cancel_ids,
            cancel_refs=delivery.cancel_refs,
            replace_prefix=delivery.replace_prefix,
        )


@asynccontextmanager
async def open_runtime(*, settings: AtsSettings, intake: Intake) -> AsyncIterator[Runtime]:
    """The runtime with its HTTP session, closed on leaving."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": "fairloop"}) as http:
        yield Runtime(settings=settings, intake=intake, http=http)


class AtsError(Exception):
    """A problem answered to the vendor as a 4xx/5xx with the contract's JSON error body."""

    status = 400
    code = "bad_request"

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


class BadSignature(AtsError):
    status, code = 401, "bad_signature"


class BadPayload(AtsError):
    """A field we need is missing or malformed: 422 naming it, so the vendor's retry log shows why."""

    status, code = 422, "invalid_payload"


class NotConfigured(AtsError):
    status, code = 404, "not_configured"


class LookupFailed(AtsError):
    """The vendor's API did not answer usefully (429, 5xx, timeout): 503 with Retry-After so it retries."""

    status, code = 503, "lookup_failed"


class AuthRejected(AtsError):
    """The vendor refused our API key: nothing to retry soon, an operator has to act (still 503 for the hook)."""

    status, code = 503, "api_key_rejected"


def error_response(exc: AtsError) -> web.Response:
    """The contract's error body; a 503 says when to try again."""
    headers = {"Retry-After": str(exc.retry_after or 60)} if exc.status == 503 else None
    return error(exc.status, exc.code, exc.detail, headers=headers)


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def check_hex(expected: str, given: str | None, *, what: str) -> None:
    """Constant-time comparison of hex digests; raises BadSignature naming the header or field."""
    if not given:
        raise BadSignature(f"The {what} is missing.")
    if not same_secret(given.strip().lower(), expected):
        raise BadSignature(f"The {what} does not match this body; check the shared secret.")


def segment(value: object) -> str:
    """An id from a payload as one segment of an API path: '/', '?' and '#' are quoted, and dots alone ('..', which
    URL libraries resolve, encoded or not) are no id: no payload makes it another path on the vendor's API."""
    text = str(value)
    if not text.replace("%2e", ".").replace("%2E", ".").strip("."):
        raise BadPayload(f"{text!r} is not an id.")
    return quote(text, safe="")


def need(obj: Any, path: str) -> Any:
    """The value at a dotted `path` of a parsed payload, or BadPayload naming the field."""
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict) or value.get(part) in (None, ""):
            raise BadPayload(f"{path} is missing.")
        value = value[part]
    return value


def from_ms(value: Any, name: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadPayload(f"{name} must be a time in milliseconds since 1970.")
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def from_iso(value: Any, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadPayload(f"{name} must be an ISO 8601 time.") from None
    if parsed.tzinfo is None:
        raise BadPayload(f"{name} must carry a timezone.")
    return parsed


def emails(people: Sequence[Any]) -> list[str]:
    """Interviewer emails from a vendor's list of people, unique, in order."""
    seen: dict[str, None] = {}
    for person in people or ():
        email = person.get("email") if isinstance(person, dict) else None
        if isinstance(email, str) and "@" in email:
            seen.setdefault(email.strip(), None)
    return list(seen)


class TTLCache:
    """Values fetched from a vendor API, kept `ttl` seconds (job titles and stage names rarely change)."""

    def __init__(self, *, ttl: float, clock: Callable[[], float] = time.monotonic, limit: int = 5000) -> None:
        self.ttl, self.clock, self.limit = ttl, clock, limit
        self._items: dict[str, tuple[float, Any]] = {}

    async def get(self, key: str, fetch: Callable[[], Awaitable[Any]]) -> Any:
        hit = self._items.get(key)
        now = self.clock()
        if hit is not None and hit[0] > now:
            return hit[1]
        value = await fetch()
        if len(self._items) >= self.limit:  # crude bound: forget everything rather than grow without end
            self._items.clear()
        self._items[key] = (now + self.ttl, value)
        return value


def parse_json(raw: bytes) -> dict[str, Any]:
    try:
        payload = loads(raw)
    except BadJson as exc:
        raise BadPayload("The body is not valid JSON." if exc.code == "malformed_json" else exc.detail) from None
    if not isinstance(payload, dict):
        raise BadPayload("The body must be a JSON object.")
    return payload


def item(*, field: str, **values: Any) -> InterviewIn:
    """An InterviewIn, or BadPayload naming the vendor field behind the first problem."""
    try:
        return InterviewIn(
            external_id=values["external_id"], role=values["role"], team=values["team"], stage=values["stage"],
            starts_at=values["starts"], ends_at=values["ends"], interviewers=values["people"],
            candidate_ref=values["ref"], status=values["status"],
        )  # fmt: skip
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "body"
        raise BadPayload(f"{field}: {where}: {str(err['msg']).removeprefix('Value error, ')}") from None
