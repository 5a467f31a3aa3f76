"""TeamsOutbox: the core's Outbox port for Teams, sending through stored conversation references."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference, ErrorResponseException

from adapters.teams import render, translate
from bot.delivery.lease import before_sending
from bot.errors import Undeliverable
from bot.messages import Message
from bot.ports import Delivery, Recipient

logger = logging.getLogger(__name__)

_GONE = {403, 404}  # the bot was removed, blocked, or the conversation no longer exists
MAX_WAIT = 30.0  # seconds: a longer Retry-After is cut to this; the prompt is retried later anyway
PERSON_CHAT = "the person's Teams chat"

ChannelLookup = Callable[[str], Awaitable[Mapping[str, Any] | None]]
"""A registered channel name -> the address stored for it (None when no channel has that name)."""


def message_activity(message: Message, *, activity_id: str | None = None) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        id=activity_id,
        summary=str(message.text)[:200],
        attachments=[render.attachment(render.render_message(message))],
    )


def _status(exc: ErrorResponseException) -> int:
    return int(getattr(exc.response, "status_code", 0) or 0)


def _code(exc: ErrorResponseException) -> str:
    error = getattr(getattr(exc, "error", None), "error", None)
    return str(getattr(error, "code", None) or "")


def _retry_after(exc: ErrorResponseException, attempt: int, base: float) -> float:
    """Seconds to wait before the next attempt: the Retry-After header (seconds or an HTTP date) when it
    makes sense, else exponential backoff from `base`; never more than MAX_WAIT."""
    headers = getattr(exc.response, "headers", None) or {}
    value = str(headers.get("Retry-After", "") or "").strip()
    wait: float | None = None
    try:
        wait = float(value)
    except ValueError:
        try:
            wait = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError, IndexError):
            wait = None
    if wait is None or not math.isfinite(wait):
        wait = base * (2**attempt)
    return min(max(wait, 0.0), MAX_WAIT)


def _refused(exc: ErrorResponseException, where: str) -> Undeliverable:
    """A short reason that stays the same for every prompt it hits, so stats can group by it."""
    code = _code(exc) or f"HTTP {_status(exc)}"
    return Undeliverable(f"bot not in {where} ({code})")


class TeamsOutbox:
    """Proactive sends and in-place updates with `adapter.continue_conversation`; 429s are retried."""

    platform = "teams"
    default_channel = None  # digests and alerts go to the channel fairloop.toml names

    def __init__(
        self,
        *,
        adapter: BotAdapter,
        app_id: str,
        channels: ChannelLookup | None = None,
        retries: int = 4,
        backoff: float = 0.5,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._channels = channels
        self._retries = retries
        self._backoff = backoff

    def shows_image(self, url: str) -> bool:
        return url.startswith("https://")  # Teams clients fetch card images themselves, only over https

    async def _run(
        self, ref: ConversationReference, action: Callable[[TurnContext], Awaitable[Any]], *, where: str
    ) -> Any:
        """Run `action` in the conversation; 429s wait and retry, and after the last attempt the error is
        raised as is (not Undeliverable), so the dispatcher keeps the prompt for a later run."""
        result: list[Any] = []

        async def callback(context: TurnContext) -> None:
            # the continuation activity gets a made-up id; without this every send would "reply" to it
            context.activity.id = None
            result.append(await action(context))

        for attempt in range(self._retries + 1):
            try:
                result.clear()
                await before_sending()  # a send that waited (a 429's backoff) leaves only on a claim that holds
                await self._adapter.continue_conversation(ref, callback, self._app_id)
                return result[0] if result else None
            except ErrorResponseException as exc:
                status = _status(exc)
                if status == 429 and attempt < self._retries:
                    delay = _retry_after(exc, attempt, self._backoff)
                    logger.info("teams throttled (429); retrying in %.1fs", delay)
                    await asyncio.sleep(delay)
                    continue
                if status in _GONE:
                    raise _refused(exc, where) from exc
                if status == 429:
                    logger.warning("teams still throttling after %d attempts; giving up for now", attempt + 1)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def send_direct(self, *, recipient: Recipient, message: Message) -> Delivery:
        ref = translate.reference(recipient.address)
        if ref is None:
            raise Undeliverable("not installed in Teams for this person")
        response = await self._run(
            ref, lambda context: context.send_activity(message_activity(message)), where=PERSON_CHAT
        )
        user = ref.user
        return Delivery(
            conversation=translate.encode_conversation(ref),
            message_id=str(getattr(response, "id", "") or ""),
            user_id=(user.aad_object_id or user.id) if user else recipient.platform_user_id,
            address=dict(recipient.address),
        )

    async def update(self, *, conversation: str, message_id: str, message: Message) -> None:
        ref = translate.decode_conversation(conversation)
        await self._run(
            ref,
            lambda context: context.update_activity(message_activity(message, activity_id=message_id)),
            where="this Teams conversation",
        )

    async def post_channel(self, *, channel: str, message: Message) -> Delivery:
        """`channel` is a channel name as registered (what the bot said when added to the team), the
        channel's stored address as JSON, or a conversation key."""
        ref = await self._channel_reference(channel)
        if ref is None:
            raise Undeliverable(
                f"no Teams channel is registered as {channel!r}: add fairloop to that team, "
                "then use the name it posts there"
            )
        response = await self._run(
            ref, lambda context: context.send_activity(message_activity(message)), where="the Teams channel"
        )
        return Delivery(
            conversation=translate.encode_conversation(ref),
            message_id=str(getattr(response, "id", "") or ""),
            address=translate.address_of_reference(ref),
        )

    async def _channel_reference(self, channel: str) -> ConversationReference | None:
        try:
            data = json.loads(channel)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            return translate.reference(data)
        if self._channels is not None:
            stored = await self._channels(channel)
            if stored:
                return translate.reference(stored)
        try:
            return translate.decode_conversation(channel)
        except ValueError:
            return None
