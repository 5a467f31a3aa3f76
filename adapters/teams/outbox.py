"""TeamsOutbox: the core's Outbox port for Teams, sending through stored conversation references."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference, ErrorResponseException

from adapters.teams import render, translate
from bot.errors import Undeliverable
from bot.messages import Message
from bot.ports import Delivery, Recipient

logger = logging.getLogger(__name__)

_GONE = {403, 404}  # the bot was removed, blocked, or the conversation no longer exists


def message_activity(message: Message, *, activity_id: str | None = None) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        id=activity_id,
        summary=message.text[:200],
        attachments=[render.attachment(render.render_message(message))],
    )


def _status(exc: ErrorResponseException) -> int:
    return int(getattr(exc.response, "status_code", 0) or 0)


def _code(exc: ErrorResponseException) -> str:
    error = getattr(getattr(exc, "error", None), "error", None)
    return str(getattr(error, "code", None) or "")


def _retry_after(exc: ErrorResponseException, attempt: int, base: float) -> float:
    headers = getattr(exc.response, "headers", None) or {}
    try:
        return min(float(headers.get("Retry-After", "")), 30.0)
    except ValueError:
        return base * (2**attempt)


class TeamsOutbox:
    """Proactive sends and in-place updates with `adapter.continue_conversation`; 429s are retried."""

    platform = "teams"

    def __init__(self, *, adapter: BotAdapter, app_id: str, retries: int = 4, backoff: float = 0.5) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._retries = retries
        self._backoff = backoff

    async def _run(self, ref: ConversationReference, action: Callable[[TurnContext], Awaitable[Any]]) -> Any:
        result: list[Any] = []

        async def callback(context: TurnContext) -> None:
            # the continuation activity gets a made-up id; without this every send would "reply" to it
            context.activity.id = None
            result.append(await action(context))

        for attempt in range(self._retries + 1):
            try:
                result.clear()
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
                    code = _code(exc) or f"HTTP {status}"
                    raise Undeliverable(
                        f"Teams refused the message ({code}): the bot is not in this chat any more"
                    ) from exc
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def send_direct(self, *, recipient: Recipient, message: Message) -> Delivery:
        ref = translate.reference(recipient.address)
        if ref is None:
            raise Undeliverable("not installed in Teams for this person")
        response = await self._run(ref, lambda context: context.send_activity(message_activity(message)))
        user = ref.user
        return Delivery(
            conversation=translate.encode_conversation(ref),
            message_id=str(getattr(response, "id", "") or ""),
            user_id=(user.aad_object_id or user.id) if user else recipient.platform_user_id,
            address=dict(recipient.address),
        )

    async def update(self, *, conversation: str, message_id: str, message: Message) -> None:
        ref = translate.decode_conversation(conversation)
        await self._run(ref, lambda context: context.update_activity(message_activity(message, activity_id=message_id)))

    async def post_channel(self, *, channel: str, message: Message) -> Delivery:
        """`channel` is the channel's stored address as JSON (what remember_channel kept) or a conversation key."""
        ref = _channel_reference(channel)
        if ref is None:
            raise Undeliverable(f"fairloop is not installed in the Teams channel {channel!r}")
        response = await self._run(ref, lambda context: context.send_activity(message_activity(message)))
        return Delivery(
            conversation=translate.encode_conversation(ref),
            message_id=str(getattr(response, "id", "") or ""),
            address=translate.address_of_reference(ref),
        )


def _channel_reference(channel: str) -> ConversationReference | None:
    try:
        data = json.loads(channel)
    except json.JSONDecodeError:
        try:
            return translate.decode_conversation(channel)
        except ValueError:
            return None
    return translate.reference(data) if isinstance(data, dict) else None
