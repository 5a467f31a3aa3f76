"""Slack for one process: the platform (client, outbox, Bolt or Socket Mode) and POST /slack/events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import fast, form
from adapters.slack.app import SlackBridge, build_bolt
from adapters.slack.client import make_client
from adapters.slack.outbox import SlackOutbox
from adapters.slack.pacing import Pacer
from adapters.slack.queue import FALLBACK_AGE, FALLBACK_POLL, Applier, ClickQueue
from adapters.slack.settings import SlackSettings
from adapters.web import DIRECTORY, BadJson, error, loads
from bot.clock import Clock, utcnow
from bot.interactions.service import Interactions
from bot.people import Directory
from bot.reports.service import Reports
from storage.db import Sessions

logger = logging.getLogger(__name__)

DRAIN = 10.0  # seconds a stopping process waits for Slack requests in flight
NOT_A_PAYLOAD = "The request body is not a Slack payload."


class SlackPlatform:
    """Slack for one process. Entered, it has the Web API client and the outbox; `start` then serves what Slack
    sends (Bolt over HTTP, or a Socket Mode connection) with the services it needs."""

    platform = "slack"

    def __init__(self, *, settings: SlackSettings) -> None:
        self.settings = settings
        self.verifier = None if settings.socket_mode else SignatureVerifier(settings.slack_signing_secret or "")
        self.bolt: AsyncApp | None = None
        self._session: aiohttp.ClientSession | None = None
        self._pacer = Pacer(api=settings.slack_api_url)
        self._client: AsyncWebClient | None = None
        self._outbox: SlackOutbox | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._bridge: SlackBridge | None = None
        self.queue: ClickQueue | None = None  # with FAIRLOOP_SLACK_CLICK_QUEUE: one-click answers are queued
        self._fallback: asyncio.Task[None] | None = None

    @property
    def bridge(self) -> SlackBridge | None:
        return self._bridge

    @property
    def outbox(self) -> SlackOutbox:
        assert self._outbox is not None, "enter the platform first"
        return self._outbox

    async def __aenter__(self) -> SlackPlatform:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=35), middlewares=[self._pacer])
        self._client = make_client(
            token=self.settings.slack_bot_token or "", base_url=self.settings.slack_api_url, session=self._session
        )
        self._outbox = SlackOutbox(client=self._client)
        return self

    def _bridged(self, *, interactions: Interactions, reports: Reports, directory: Directory) -> SlackBridge:
        assert self._client is not None and self._session is not None and self._outbox is not None
        self._bridge = SlackBridge(
            interactions=interactions,
            reports=reports,
            directory=directory,
            client=self._client,
            outbox=self._outbox,
            session=self._session,
            pacer=self._pacer,
        )
        return self._bridge

    async def start(
        self,
        *,
        interactions: Interactions,
        reports: Reports,
        directory: Directory,
        queue: Sessions | None = None,
        clock: Clock = utcnow,
    ) -> None:
        """Serve Slack; with `queue` (sessions on the click queue, storage/queued.py) one-click answers are queued."""
        bridge = self._bridged(interactions=interactions, reports=reports, directory=directory)
        self.bolt = build_bolt(bridge=bridge, signing_secret=self.settings.slack_signing_secret)
        if self.settings.socket_mode:
            self._socket = AsyncSocketModeHandler(self.bolt, self.settings.slack_app_token, web_client=self._client)
            await self._socket.connect_async()
            logger.info("Slack connected in Socket Mode")
        else:
            logger.info("Slack listening on POST /slack/events")
        if queue is not None:  # clicks no worker took within FALLBACK_AGE are applied here
            self.queue = ClickQueue(sessions=queue, clock=clock)
            fallback = Applier(
                sessions=queue, apply=bridge.apply, clock=clock, min_age=FALLBACK_AGE, poll=FALLBACK_POLL
            )
            self._fallback = asyncio.create_task(fallback.run())
            logger.info("Slack one-click answers are queued for `fairloop worker`")

    async def work(
        self, *, interactions: Interactions, reports: Reports, directory: Directory, queue: Sessions
    ) -> None:
        """`fairloop worker`: apply queued clicks until cancelled (no Bolt, no route, no Socket Mode connection)."""
        bridge = self._bridged(interactions=interactions, reports=reports, directory=directory)
        logger.info("applying queued Slack clicks")
        await Applier(sessions=queue, apply=bridge.apply).run()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fallback is not None:
            self._fallback.cancel()
            await asyncio.gather(self._fallback, return_exceptions=True)
        if self._bridge is not None:  # clicks are recorded before their ack; let their follow-ups finish too
            await self._bridge.drain(DRAIN)
        if self._socket is not None:
            await self._socket.close_async()
        self.bolt = self._socket = None
        if self._session is not None:
            await self._session.close()


SLACK = web.AppKey("fairloop.slack", SlackPlatform)


def install(app: web.Application, *, settings: SlackSettings) -> None:
    """POST /slack/events in HTTP mode (Socket Mode needs no route)."""
    if not settings.socket_mode:
        app.router.add_post("/slack/events", events)


def _signed(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    """Slack's v0 signature of this body, made in the last 5 minutes. Headers that cannot be Slack's (a timestamp
    that is not a few ASCII digits, a signature that is not ASCII) are refused here: the verifier would overflow
    or raise on them."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12 and signature.isascii()):
        return False
    return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)


def _payload(body: str, content_type: str) -> tuple[tuple[str, str] | None, dict[str, Any] | None]:
    """(what Bolt would choke on as (code, detail), the interactivity payload): Slack sends a JSON object, or a
    form whose `payload` is a JSON object."""
    try:
        if content_type == "application/json":
            return (None if isinstance(loads(body), dict) else ("bad_request", "The JSON body is not an object.")), None
        fields = form.fields(body)
        if "payload" in fields:
            payload = loads(fields["payload"][0])
            if isinstance(payload, dict):
                return None, payload
            return ("bad_request", "The payload field is not a JSON object."), None
    except BadJson as exc:
        return ((exc.code, exc.detail) if exc.code == "too_deep" else ("bad_request", NOT_A_PAYLOAD)), None
    except ValueError:
        return ("bad_request", NOT_A_PAYLOAD), None
    return None, None


async def _first_delivery(request: web.Request) -> bool:
    """Whether this signed request is new. A signature covers the timestamp and the body, so within Slack's
    5-minute window the same signature is the same request sent again; replicas share the key in the database.
    Slack's own retries are new requests (their own timestamp and signature), deduplicated further in."""
    return await request.app[DIRECTORY].first_delivery("slack:" + request.headers.get("X-Slack-Signature", ""))


def _replay_key(request: web.Request) -> str:
    return request.app[DIRECTORY].replay_key("slack:" + request.headers.get("X-Slack-Signature", ""))


async def events(request: web.Request) -> web.StreamResponse:
    """POST /slack/events: a type converter between aiohttp and Bolt, behind the v0 signature check."""
    slack = request.app.get(SLACK)
    bolt = slack.bolt if slack is not None else None
    if slack is None or bolt is None:
        return error(503, "unavailable", "Slack is starting up.")
    try:
        body = (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        return error(400, "bad_request", "The request body is not UTF-8.")
    # the signature is checked before anything parses the body, so unsigned junk never reaches a parser
    if slack.verifier is not None and not _signed(slack.verifier, body, request.headers):
        return error(401, "unauthorized", "Not signed by Slack: bad signature, or a timestamp over 5 minutes old.")
    problem, payload = _payload(body, request.content_type)
    if payload is not None and slack.bridge is not None and fast.one_click(payload):
        # the one-click answer claims its request in the transaction that records it (a replay is answered 200
        # and ignored there); everything else claims it here, before Bolt sees it
        delivery = _replay_key(request) if slack.verifier else ""
        if slack.queue is not None:  # applied by `fairloop worker`: acknowledged once it is safely queued
            await slack.queue.push(payload, delivery=delivery)
            return web.Response(status=200)
        return await fast.answer(slack.bridge, payload, delivery=delivery)
    if slack.verifier is not None and not await _first_delivery(request):
        return web.Response(status=200)  # the same signed request again (a replay): acknowledged, and ignored
    if problem:
        return error(400, *problem)
    try:
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        bolt_response = await bolt.async_dispatch(bolt_request)
    except Exception:  # noqa: BLE001 - a signed but odd payload: Slack must get a 4xx, never a 5xx
        logger.warning("Slack request could not be handled", exc_info=True)
        return error(400, "bad_request", "The Slack request could not be handled.")
    if bolt_response.status >= 500:  # a failed listener is logged already; Slack must not see it as ours to retry
        return error(422, "not_handled", "The Slack request was not handled.")
    if bolt_response.status == 404:  # a signed payload no listener takes: Bolt's own body is not the contract's
        return error(404, "unhandled_request", "fairloop does not handle this kind of Slack request.")
    return await to_aiohttp_response(bolt_response)
