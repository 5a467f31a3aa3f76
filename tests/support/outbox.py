"""Test doubles for core tests: a FakeOutbox implementing the Outbox port, recording what it sends."""

from __future__ import annotations

import asyncio

from bot.delivery.lease import before_sending
from bot.errors import Undeliverable
from bot.messages import Message
from bot.ports import Delivery, Recipient


class FakeOutbox:
    """Records what it was asked to send; some recipients are unknown, some sends fail for a while."""

    def __init__(
        self, platform: str = "playground", *, unknown: set[str] = frozenset(), flaky: int = 0, https_only: bool = False
    ) -> None:
        self.platform = platform
        self.https_only = https_only
        self.default_channel: str | None = None
        self.sent: list[str] = []
        self.attempted: list[str] = []  # every send begun, delivered or not
        self.messages: list[Message] = []
        self.channel_posts: list[tuple[str, Message]] = []
        self.unknown = unknown
        self.flaky = flaky
        self.slow_sends = 0.0  # seconds each DM takes (a platform honouring a Retry-After, say)
        self.channel_gate: asyncio.Event | None = None  # when set up, channel posts wait until it is set
        self.posting = asyncio.Event()  # set once a channel post has started

    async def send_direct(self, *, recipient: Recipient, message: Message) -> Delivery:
        self.attempted.append(recipient.email)
        await asyncio.sleep(self.slow_sends or 0.001)  # let other dispatchers interleave
        await before_sending()  # what a real outbox does before its request leaves
        if recipient.email in self.unknown:
            raise Undeliverable("users_not_found")
        if self.flaky:
            self.flaky -= 1
            raise ConnectionError("platform down")
        self.sent.append(recipient.email)
        self.messages.append(message)
        return Delivery(
            conversation=f"D-{recipient.email}",
            message_id=str(len(self.sent)),
            user_id=f"U-{recipient.email}",
            timezone="Europe/Berlin",
        )

    def shows_image(self, url: str) -> bool:
        return url.startswith("https://") or not self.https_only

    async def update(self, *, conversation: str, message_id: str, message: Message) -> None:
        return None

    async def post_channel(self, *, channel: str, message: Message) -> Delivery:
        self.posting.set()
        if self.channel_gate is not None:
            await self.channel_gate.wait()
        await before_sending()
        self.channel_posts.append((channel, message))
        return Delivery(conversation=channel, message_id=str(len(self.channel_posts)))
