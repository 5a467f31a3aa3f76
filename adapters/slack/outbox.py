"""SlackOutbox: how the core reaches people and channels in Slack (DMs, in-place updates, channel posts)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from bot.errors import PlatformUnavailable, Undeliverable
from bot.messages import Message
from bot.ports import Delivery, Recipient

logger = logging.getLogger(__name__)

# Slack errors that mean "this person cannot get a DM from us"; anything else is a transient failure.
_PERSON_ERRORS = {
    "users_not_found": "not in Slack (no user with this email)",
    "user_not_found": "Slack user not found",
    "user_disabled": "Slack account deactivated",
    "account_inactive": "Slack account deactivated",
    "cannot_dm_bot": "Slack user is a bot",
    "user_not_visible": "Slack user not visible to the app",
    "messages_tab_disabled": "Slack user has turned off DMs from apps",
    "channel_not_found": "Slack DM channel not found",
    "is_archived": "Slack DM channel archived",
    "restricted_action": "Slack workspace restricts DMs from apps",
}


# Slack errors that mean fairloop's own app is misconfigured: no person is at fault, an operator must act.
_APP_ERRORS = {
    "invalid_auth": "the bot token is not valid (SLACK_BOT_TOKEN)",
    "not_authed": "no bot token was sent (SLACK_BOT_TOKEN)",
    "token_revoked": "the bot token was revoked: reinstall the app",
    "token_expired": "the bot token expired: reinstall the app",
    "missing_scope": "the app lacks a scope: reinstall it from manifest.yml",
    "not_allowed_token_type": "SLACK_BOT_TOKEN must be a bot (xoxb-) token",
}


def _error_code(exc: SlackApiError) -> str:
    data: Any = getattr(exc.response, "data", None)
    return str(data.get("error", "unknown_error")) if isinstance(data, dict) else "unknown_error"


async def _to_person(call: Awaitable[Any]) -> Any:
    """Await a Web API call; errors that mean "this person can't be reached" become Undeliverable."""
    try:
        return await call
    except SlackApiError as exc:
        code = _error_code(exc)
        if code in _APP_ERRORS:
            raise PlatformUnavailable(f"{_APP_ERRORS[code]} ({code})") from exc
        reason = _PERSON_ERRORS.get(code)
        if reason is None:
            raise
        raise Undeliverable(f"{reason} ({code})") from exc


class SlackOutbox:
    """Implements bot.ports.Outbox with one shared AsyncWebClient (which retries 429/5xx/connection errors)."""

    platform = "slack"
    default_channel = None  # digests and alerts go where fairloop.toml says

    def __init__(self, *, client: AsyncWebClient) -> None:
        self.client = client

    def shows_image(self, url: str) -> bool:
        return url.startswith("https://")  # Slack fetches images itself, and only over https

    async def _user(self, recipient: Recipient) -> tuple[str, str | None]:
        """The recipient's Slack user id and timezone: cached by the core, else users.lookupByEmail."""
        if recipient.platform_user_id:
            return recipient.platform_user_id, None
        resp = await _to_person(self.client.users_lookupByEmail(email=recipient.email))
        user = resp.get("user") or {}
        if user.get("deleted"):
            raise Undeliverable("Slack account deactivated (user_disabled)")
        if user.get("is_bot"):
            raise Undeliverable("Slack user is a bot (cannot_dm_bot)")
        return str(user["id"]), user.get("tz") or None

    async def _dm_channel(self, user_id: str, recipient: Recipient) -> str:
        cached = recipient.address.get("dm_channel") if recipient.platform_user_id == user_id else None
        if cached:
            return str(cached)
        resp = await _to_person(self.client.conversations_open(users=user_id))
        return str((resp.get("channel") or {})["id"])

    async def send_direct(self, *, recipient: Recipient, message: Message) -> Delivery:
        user_id, tz = await self._user(recipient)
        channel = await self._dm_channel(user_id, recipient)
        kwargs: dict[str, Any] = render.message_body(message)
        meta = render.metadata(message)
        if meta is not None:
            kwargs["metadata"] = meta
        resp = await _to_person(self.client.chat_postMessage(channel=channel, unfurl_links=False, **kwargs))
        logger.info("slack DM delivered to %s in %s", user_id, channel)
        return Delivery(
            conversation=str(resp.get("channel") or channel),
            message_id=str(resp["ts"]),
            user_id=user_id,
            timezone=tz,
            address={**dict(recipient.address), "user_id": user_id, "dm_channel": channel},
        )

    async def update(self, *, conversation: str, message_id: str, message: Message) -> None:
        kwargs: dict[str, Any] = render.message_body(message)
        meta = render.metadata(message)
        if meta is not None:
            kwargs["metadata"] = meta
        await self.client.chat_update(channel=conversation, ts=message_id, **kwargs)

    async def post_channel(self, *, channel: str, message: Message) -> Delivery:
        try:
            resp = await self.client.chat_postMessage(
                channel=channel, unfurl_links=False, **render.message_body(message)
            )
        except SlackApiError as exc:
            code = _error_code(exc)
            if code in ("channel_not_found", "not_in_channel", "is_archived"):
                raise Undeliverable(f"cannot post to Slack channel {channel} ({code}); invite the app to it") from exc
            raise
        return Delivery(conversation=str(resp.get("channel") or channel), message_id=str(resp["ts"]))

    async def ephemeral(self, *, channel: str, user: str, message: Message) -> None:
        """A note only `user` sees, in a conversation the app is part of (the DM with the check-in)."""
        await self.client.chat_postEphemeral(channel=channel, user=user, **render.message_body(message))

    async def dm(self, *, user: str, message: Message) -> None:
        """A DM to a Slack user id we already know (e.g. a thank-you after a modal)."""
        resp = await self.client.conversations_open(users=user)
        channel = str((resp.get("channel") or {})["id"])
        await self.client.chat_postMessage(channel=channel, unfurl_links=False, **render.message_body(message))
