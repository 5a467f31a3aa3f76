"""Slack adapter: install() mounts Bolt on fairloop's aiohttp app (HTTP mode) or connects Socket Mode."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import SlackBridge, build_bolt
from adapters.slack.outbox import SlackOutbox
from bot.settings import Settings
from fairloop.errors import error
from fairloop.keys import CORE

logger = logging.getLogger(__name__)

__all__ = ["SLACK", "SlackOutbox", "SlackRuntime", "install", "make_client"]


@dataclass
class SlackRuntime:
    """Filled in by the cleanup context; created in install() so the frozen app never changes."""

    bolt: AsyncApp | None = None
    client: AsyncWebClient | None = None
    outbox: SlackOutbox | None = None
    socket: AsyncSocketModeHandler | None = None
    verifier: SignatureVerifier | None = None


SLACK = web.AppKey("fairloop.slack", SlackRuntime)


class AsyncServerErrorsRetryHandler(AsyncRetryHandler):
    """Retries any 5xx (slack_sdk's built-in one covers only 500 and 503), with its backoff."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code >= 500


class AsyncRetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """429s: wait exactly as long as Slack's Retry-After says, plus a little jitter.

    slack_sdk's own handler adds up to a whole second of jitter to every wait, which costs ~50% throughput
    when a burst of sends runs into a per-second limit.
    """

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate limited without a response")
        state.next_attempt_requested = True
        header = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        try:
            wait = float(header[0] if isinstance(header, list) else header) if header else 1.0
        except ValueError:
            wait = 1.0
        logger.info("Slack rate limit on %s; waiting %.1fs", request.url.rsplit("/", 1)[-1], wait)
        await asyncio.sleep(max(0.0, wait) + random.uniform(0, 0.2))
        state.increment_current_attempt()


def make_client(*, token: str, base_url: str, session: aiohttp.ClientSession) -> AsyncWebClient:
    """The one Web API client: shared session, retries for 429 (honouring Retry-After), 5xx and lost connections."""
    return AsyncWebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        session=session,
        timeout=30,
        retry_handlers=[
            AsyncRetryAfterHandler(max_retry_count=10),
            AsyncServerErrorsRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=3),
        ],
    )


def install(app: web.Application, *, settings: Settings) -> None:
    """Mount Slack on `app`: POST /slack/events (HTTP mode) unless SLACK_APP_TOKEN selects Socket Mode."""
    if not settings.slack_bot_token:
        raise ValueError("SLACK_BOT_TOKEN is required to enable Slack")
    app[SLACK] = SlackRuntime()
    if not settings.slack_app_token:
        app[SLACK].verifier = SignatureVerifier(settings.slack_signing_secret or "")
        app.router.add_post("/slack/events", events)
    app.cleanup_ctx.append(partial(_slack_context, settings=settings))


async def _slack_context(app: web.Application, *, settings: Settings) -> AsyncIterator[None]:
    runtime = app[SLACK]
    core = app[CORE]
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=35))
    client = make_client(token=settings.slack_bot_token or "", base_url=settings.slack_api_url, session=session)
    outbox = SlackOutbox(client=client)
    bridge = SlackBridge(core=core, client=client, outbox=outbox, session=session)
    socket_mode = bool(settings.slack_app_token)
    bolt = build_bolt(bridge=bridge, signing_secret=settings.slack_signing_secret, socket_mode=socket_mode)
    runtime.bolt, runtime.client, runtime.outbox = bolt, client, outbox
    core.outboxes["slack"] = outbox
    try:
        if socket_mode:
            runtime.socket = AsyncSocketModeHandler(bolt, settings.slack_app_token, web_client=client)
            await runtime.socket.connect_async()
            logger.info("Slack connected in Socket Mode")
        else:
            logger.info("Slack listening on POST /slack/events")
        yield
    finally:
        if runtime.socket is not None:
            await runtime.socket.close_async()
        core.outboxes.pop("slack", None)
        runtime.bolt = runtime.client = runtime.outbox = runtime.socket = None
        await session.close()


def _signed(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    try:
        return verifier.is_valid_request(body, dict(headers))
    except ValueError:  # a timestamp header that is not a number
        return False


def _payload_problem(body: str, content_type: str) -> str | None:
    """What Bolt would choke on: Slack sends a JSON object, or a form whose `payload` is a JSON object."""
    try:
        if content_type == "application/json":
            return None if isinstance(json.loads(body), dict) else "The JSON body is not an object."
        form = parse_qs(body)
        if "payload" in form and not isinstance(json.loads(form["payload"][0]), dict):
            return "The payload field is not a JSON object."
    except ValueError:
        return "The request body is not a Slack payload."
    return None


async def events(request: web.Request) -> web.StreamResponse:
    """POST /slack/events: a type converter between aiohttp and Bolt, behind the v0 signature check."""
    runtime = request.app[SLACK]
    bolt = runtime.bolt
    if bolt is None:
        return error(503, "unavailable", "Slack is starting up.")
    try:
        body = (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        return error(400, "bad_request", "The request body is not UTF-8.")
    # the signature is checked before anything parses the body, so unsigned junk never reaches a parser
    if runtime.verifier is not None and not _signed(runtime.verifier, body, request.headers):
        return error(401, "unauthorized", "Not signed by Slack: bad signature, or a timestamp over 5 minutes old.")
    problem = _payload_problem(body, request.content_type)
    if problem:
        return error(400, "bad_request", problem)
    try:
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        bolt_response = await bolt.async_dispatch(bolt_request)
    except Exception:  # noqa: BLE001 - a signed but odd payload: Slack must get a 4xx, never a 5xx
        logger.warning("Slack request could not be handled", exc_info=True)
        return error(400, "bad_request", "The Slack request could not be handled.")
    if bolt_response.status >= 500:  # a failed listener is logged already; Slack must not see it as ours to retry
        return error(422, "not_handled", "The Slack request was not handled.")
    return await to_aiohttp_response(bolt_response)
