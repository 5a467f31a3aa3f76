"""The Bolt AsyncApp and its listeners: Slack requests in, core events dispatched, Slack answers out."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Mapping
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render, translate
from adapters.slack.outbox import SlackOutbox
from bot.errors import FairloopError
from bot.events import Actor
from bot.interactions.service import Interactions
from bot.messages import Message, paragraph
from bot.people import Directory
from bot.replies import Reply
from bot.reports.service import Reports

logger = logging.getLogger(__name__)

SORRY = paragraph(
    "Sorry, something went wrong on our side. Nothing was lost; please try again in a minute.", private=True
)
PROFILE_TTL = 3600.0
PROFILE_CACHE_MAX = 10_000


class SlackBridge:
    """Everything the listeners share: the services, the one Web API client and session, a profile cache."""

    def __init__(
        self,
        *,
        interactions: Interactions,
        reports: Reports,
        directory: Directory,
        client: AsyncWebClient,
        outbox: SlackOutbox,
        session: aiohttp.ClientSession,
    ) -> None:
        self.interactions = interactions
        self.reports = reports
        self.directory = directory
        self.client = client
        self.outbox = outbox
        self.session = session
        self._profiles: dict[str, tuple[float, translate.Profile]] = {}

    async def actor(self, body: Mapping[str, Any]) -> Actor:
        """The acting user, with email/name/timezone from users.info (cached; bare id if Slack won't say)."""
        user_id = translate.user_id_of(body)
        cached = self._profiles.get(user_id)
        if cached and time.monotonic() - cached[0] < PROFILE_TTL:
            return translate.actor(user_id, cached[1])
        try:
            resp = await self.client.users_info(user=user_id)
            profile = translate.profile_from_user(resp.get("user") or {})
        except SlackApiError as exc:
            logger.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return translate.actor(user_id)
        if len(self._profiles) >= PROFILE_CACHE_MAX:
            self._profiles.clear()
        self._profiles[user_id] = (time.monotonic(), profile)
        who = translate.actor(user_id, profile)
        if profile.email:
            await self.guard(self.directory.remember_person(who, translate.address(body)), "remember_person")
        return who

    async def ask(self, call: Awaitable[Reply], what: str) -> Reply:
        """The one catch-all: core errors become a private notice, anything else is logged and apologised for."""
        try:
            return await call
        except FairloopError as exc:
            return Reply(notice=paragraph(exc.text, private=True))
        except Exception:
            logger.exception("slack %s failed", what)
            return Reply(notice=SORRY)

    async def guard(self, call: Awaitable[Any], what: str) -> Any:
        try:
            return await call
        except SlackApiError as exc:  # Slack said no (a user it does not know, a channel closed): its code says why
            logger.warning("slack %s failed: %s", what, exc.response.get("error"))
            return None
        except Exception:
            logger.exception("slack %s failed", what)
            return None

    async def respond(self, response_url: str, message: Message, *, replace: bool = False) -> None:
        """Answer through a response_url (ephemeral unless `replace`), on the shared session."""
        payload: dict[str, Any] = {**render.message_body(message), "response_type": "ephemeral"}
        if replace:
            payload["replace_original"] = True
        async with self.session.post(response_url, json=payload) as resp:
            if resp.status >= 400:
                logger.warning("response_url answered %s", resp.status)

    async def open_form(self, trigger_id: str | None, reply: Reply) -> None:
        if reply.form is not None and trigger_id:
            await self.client.views_open(trigger_id=trigger_id, view=render.modal(reply.form))

    async def publish_home(self, who: Actor) -> None:
        message = await self.reports.home(who)
        await self.client.views_publish(user_id=who.user_id, view=render.home(message))

    async def note(self, who: Actor, message: Message, src: translate.ClickSource | None = None) -> None:
        """A private note: ephemeral in the conversation clicked in, else a DM."""
        if src is not None and src.channel:
            try:
                await self.outbox.ephemeral(channel=src.channel, user=who.user_id, message=message)
                return
            except SlackApiError as exc:
                logger.info("chat.postEphemeral failed (%s); trying response_url", exc.response.get("error"))
                if src.response_url:
                    await self.respond(src.response_url, message)
                    return
        await self.outbox.dm(user=who.user_id, message=message)

    # ---- listeners' bodies ----
    async def on_action(self, body: dict[str, Any]) -> None:
        who = await self.actor(body)
        event = translate.button_clicked(body, who)
        if event is None:
            return
        reply = await self.ask(self.interactions.on_button(event), "button " + event.action_id)
        src = translate.click_source(body)
        await self.open_form(body.get("trigger_id"), reply)
        if reply.message is not None:
            if src.surface == "message" and src.channel and src.ts:
                await self.outbox.update(conversation=src.channel, message_id=src.ts, message=reply.message)
            elif src.surface == "home":
                await self.publish_home(who)
        if reply.notice is not None:
            await self.note(who, reply.notice, src)

    def known_actor(self, body: Mapping[str, Any]) -> Actor:
        """The acting user from the profile cache, or by bare id (the core knows them by it): no API call."""
        user_id = translate.user_id_of(body)
        cached = self._profiles.get(user_id)
        return translate.actor(user_id, cached[1] if cached else None)

    async def on_view(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        # Slack closes the modal only if we answer within 3 s: validate and record, ack, and only then
        # redraw the prompt (chat.update) and send the thank-you, which may wait on Slack's rate limits.
        who = self.known_actor(body)
        event = translate.form_submitted(body, who)
        reply = await self.ask(self.interactions.on_form(event, defer=True), "form " + event.form_id)
        if reply.errors:
            errors = {k: v[:150] for k, v in reply.errors.items()}
            await ack(response_action="errors", errors=errors)
            return
        if reply.form is not None:
            await ack(response_action="update", view=render.modal(reply.form))
        else:
            await ack()
        for work in reply.after:  # the prompt's redraw and the DEI alert, now that Slack has its answer
            await self.guard(work(), "after form " + event.form_id)
        if reply.notice is not None:
            await self.note(who, reply.notice)

    async def on_command(self, body: dict[str, Any]) -> None:
        who = await self.actor(body)
        event = translate.command_issued(body, who)
        reply = await self.ask(self.interactions.on_command(event), "command")
        await self.open_form(body.get("trigger_id"), reply)
        response_url = body.get("response_url")
        for message in (reply.message, reply.notice):
            if message is None:
                continue
            if response_url:
                await self.respond(str(response_url), message)
            else:  # commands always carry one; keep a path that still reaches the user
                await self.outbox.dm(user=who.user_id, message=message)

    async def on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        event_id = body.get("event_id") or event.get("event_ts")
        if event_id and not await self.directory.first_time(f"slack:event:{event_id}"):
            logger.debug("duplicate Slack event %s ignored", event_id)
            return
        await self.publish_home(await self.actor(body))


def build_bolt(*, bridge: SlackBridge, signing_secret: str | None, socket_mode: bool) -> AsyncApp:
    """A Bolt AsyncApp on the shared client; acks within Slack's 3 s, work continues after the ack."""
    bolt = AsyncApp(
        client=bridge.client,
        signing_secret=signing_secret or "",
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        logger=logging.getLogger("adapters.slack.bolt"),
    )

    @bolt.action(re.compile(r".+"))
    async def action(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()  # clicks are acknowledged first: Slack wants an answer within 3 s
        await bridge.guard(bridge.on_action(body), "block_actions")

    @bolt.view(re.compile(r".+"))
    async def view(ack: AsyncAck, body: dict[str, Any]) -> None:
        try:
            await bridge.on_view(ack, body)
        except Exception:
            logger.exception("slack view_submission failed")
            if not ack.response:
                await ack(response_action="clear")

    @bolt.view_closed(re.compile(r".*"))
    async def view_closed(ack: AsyncAck) -> None:
        await ack()

    @bolt.command(re.compile(r"^/fairloop"))
    async def command(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await bridge.guard(bridge.on_command(body), "slash command")

    @bolt.event("app_home_opened")
    async def home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        await bridge.guard(bridge.on_home_opened(body, event), "app_home_opened")

    @bolt.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        logger.error("unhandled Slack request error: %s", error)

    return bolt
