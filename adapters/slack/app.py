"""The Bolt AsyncApp and its listeners: Slack requests in, core events dispatched, Slack answers out."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Mapping
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import fast, render, translate
from adapters.slack.outbox import SlackOutbox
from adapters.slack.pacing import Pacer
from adapters.slack.profiles import Profiles
from adapters.slack.redraws import Redraws
from bot.errors import FairloopError
from bot.events import Actor, ButtonClicked, CommandIssued
from bot.interactions.commands import needs_asker
from bot.interactions.service import Interactions
from bot.messages import Message, paragraph
from bot.people import Directory
from bot.replies import Reply
from bot.reports.service import Reports

logger = logging.getLogger(__name__)

SORRY = paragraph(
    "Sorry, something went wrong on our side. Nothing was lost; please try again in a minute.", private=True
)
PROFILE_WAIT = 1.0  # seconds a click waits for users.info before it is recorded by the bare user id


class SlackBridge:
    """Everything the listeners share: the services, the one Web API client and session, the profiles."""

    def __init__(
        self,
        *,
        interactions: Interactions,
        reports: Reports,
        directory: Directory,
        client: AsyncWebClient,
        outbox: SlackOutbox,
        session: aiohttp.ClientSession,
        pacer: Pacer | None = None,
    ) -> None:
        self.interactions = interactions
        self.reports = reports
        self.directory = directory
        self.client = client
        self.outbox = outbox
        self.session = session
        self.profiles = Profiles(client=client, directory=directory, pacer=pacer)
        self.redraws = Redraws(outbox=outbox)
        self._running: set[asyncio.Task[Any]] = set()

    async def actor(self, body: Mapping[str, Any], *, within: float | None = None) -> Actor:
        """The acting user, with their users.info profile if it comes `within` seconds (adapters/slack/profiles.py)."""
        return await self.profiles.actor(body, within=within)

    # ---- work in flight, so stopping can wait for it ----
    def track(self) -> None:
        """Count the running listener as in flight until it returns (its follow-ups run after Slack's ack)."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def drain(self, within: float) -> None:
        """Wait up to `within` seconds for listeners in flight (a SIGTERM stops the process after this)."""
        if self._running:
            logger.info("waiting for %d Slack request(s) in flight", len(self._running))
            await asyncio.wait(set(self._running), timeout=within)
        await self.redraws.drain(within)

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
    async def on_block_actions(self, ack: AsyncAck | fast.Ack, body: dict[str, Any], *, delivery: str = "") -> None:
        """A button click, from Bolt or from the one-click fast path (adapters/slack/fast.py), which leaves its
        replay check to the transaction that records it (`delivery`)."""
        self.track()
        await _settled(ack, self.on_action(ack, body, delivery), "block_actions")

    async def on_action(self, ack: AsyncAck | fast.Ack, body: dict[str, Any], delivery: str = "") -> None:
        # Record, then acknowledge: once Slack has its 200 it never sends the click again, so the answer must be
        # in the database first (milliseconds; Slack allows 3 s). The card's redraw and notes come after.
        who = await self.actor(body, within=PROFILE_WAIT)
        event = translate.button_clicked(body, who, delivery=delivery)
        if event is None:
            await ack()
            return
        reply = await self.ask(self.interactions.on_button(event, defer=True, lazy=True), "button " + event.action_id)
        await ack()
        await self.follow_up(who, body, event, reply)

    async def apply(self, body: dict[str, Any], delivery: str) -> None:
        """A queued click (adapters/slack/queue.py), acknowledged already: recorded now, then followed up as
        on_action would. A failure to record raises, so the click stays queued; a refusal is the clicker's notice."""
        self.track()
        who = await self.actor(body, within=PROFILE_WAIT)
        event = translate.button_clicked(body, who, delivery=delivery)
        if event is None:
            return
        reply = await self.interactions.on_button(event, defer=True, lazy=True)
        await self.guard(self.follow_up(who, body, event, reply), "queued button " + event.action_id)

    async def follow_up(self, who: Actor, body: dict[str, Any], event: ButtonClicked, reply: Reply) -> None:
        """After the ack: the form a button opens, the clicked card's redraw, and the clicker's notice."""
        src = translate.click_source(body)
        await self.open_form(body.get("trigger_id"), reply)
        drawn = reply.draw or reply.message
        if drawn is not None:
            if src.surface == "message" and src.channel and src.ts:
                self.redraws.redraw(channel=src.channel, ts=src.ts, message=drawn)
            elif src.surface == "home":
                await self.publish_home(who)
        for work in reply.after:  # the prompt's redraw in the DM when the click came from elsewhere
            await self.guard(work(), "after button " + event.action_id)
        if reply.notice is not None:
            await self.note(who, reply.notice, src)

    def known_actor(self, body: Mapping[str, Any]) -> Actor:
        """The acting user from the profile cache, or by bare id (the core knows them by it): no API call."""
        return self.profiles.known(body)

    async def on_view(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        # Slack closes the modal only if we answer within 3 s: validate and record, ack, and only then redraw
        # the prompt (chat.update) and alert the DEI channel, which may wait on Slack's rate limits. The answer
        # to the author (a thank-you) replaces the modal itself: no message, no DM, no look-up of who they are.
        who = self.known_actor(body)
        event = translate.form_submitted(body, who)
        reply = await self.ask(self.interactions.on_form(event, defer=True), "form " + event.form_id)
        if reply.errors:
            errors = {k: v[:150] for k, v in reply.errors.items()}
            await ack(response_action="errors", errors=errors)
            return
        if reply.form is not None:
            await ack(response_action="update", view=render.modal(reply.form))
        elif reply.notice is not None:
            await ack(response_action="update", view=render.notice_modal(reply.notice, title=translate.title_of(body)))
        else:
            await ack()
        for work in reply.after:  # the prompt's redraw and the DEI alert, now that Slack has its answer
            await self.guard(work(), "after form " + event.form_id)

    async def on_command(self, body: dict[str, Any]) -> None:
        asked = translate.command_text(body)
        # only commands about the asker look them up (users.info) and keep them; `feedback` leaves no trace
        who = await self.actor(body) if needs_asker(asked) else translate.actor(translate.user_id_of(body))
        event = CommandIssued(actor=who, text=asked)
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


def build_bolt(*, bridge: SlackBridge, signing_secret: str | None) -> AsyncApp:
    """A Bolt AsyncApp on the shared client; acks within Slack's 3 s, work continues after the ack."""
    bolt = AsyncApp(
        client=bridge.client,
        signing_secret=signing_secret or "",
        request_verification_enabled=False,  # POST /slack/events checks the signature before Bolt sees a request
        process_before_response=False,
        logger=logging.getLogger("adapters.slack.bolt"),
    )

    @bolt.action(re.compile(r".+"))
    async def action(ack: AsyncAck, body: dict[str, Any]) -> None:
        await bridge.on_block_actions(ack, body)

    @bolt.view(re.compile(r".+"))
    async def view(ack: AsyncAck, body: dict[str, Any]) -> None:
        bridge.track()
        await _settled(ack, bridge.on_view(ack, body), "view_submission", response_action="clear")

    @bolt.view_closed(re.compile(r".*"))
    async def view_closed(ack: AsyncAck) -> None:
        await ack()

    @bolt.command(re.compile(r"^/fairloop"))
    async def command(ack: AsyncAck, body: dict[str, Any]) -> None:
        bridge.track()
        await ack()
        await bridge.guard(bridge.on_command(body), "slash command")

    @bolt.event("app_home_opened")
    async def home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        bridge.track()
        await bridge.guard(bridge.on_home_opened(body, event), "app_home_opened")

    @bolt.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        logger.error("unhandled Slack request error: %s", error)

    return bolt


async def _settled(ack: AsyncAck, work: Awaitable[None], what: str, **fallback: Any) -> None:
    """Run a listener's body; on failure log it (Slack's refusal of a follow-up, such as a user it does not know,
    as one line with its code) and acknowledge with `fallback` if that has not happened yet."""
    try:
        await work
        return
    except SlackApiError as exc:
        logger.warning("slack %s follow-up failed: %s", what, exc.response.get("error"))
    except Exception:
        logger.exception("slack %s failed", what)
    if not ack.response:
        await ack(**fallback)
