"""Ports: how the core reaches a platform. Adapters implement them; the core only sees these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.messages import Message


@dataclass(frozen=True, kw_only=True)
class Recipient:
    """A person to message. `address` is what the adapter stored last time (opaque to the core)."""

    person_id: int
    email: str
    platform_user_id: str | None = None
    address: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """Where a message landed, so it can be updated in place later.

    `user_id`, `timezone` and `address` let the core cache the person's platform identity.
    """

    conversation: str
    message_id: str
    user_id: str | None = None
    timezone: str | None = None
    address: Mapping[str, Any] = field(default_factory=dict)


class Outbox(Protocol):
    """Sends messages on one platform. Raises bot.errors.Undeliverable when a person can't be reached.

    `default_channel` is where digests and concern alerts go when fairloop.toml names none (the playground's
    channel in a local trial; None on real platforms). `shows_image` is the platform's rule for images it can
    fetch (Slack and Teams only fetch https URLs).

    Before each request that may deliver something (every attempt, retries included), an outbox awaits
    `bot.delivery.lease.before_sending()`: under a claim, the request leaves only on a claim sure to outlive it.
    """

    platform: str
    default_channel: str | None

    def shows_image(self, url: str) -> bool: ...

    async def send_direct(self, *, recipient: Recipient, message: Message) -> Delivery: ...

    async def update(self, *, conversation: str, message_id: str, message: Message) -> None: ...

    async def post_channel(self, *, channel: str, message: Message) -> Delivery: ...


Outboxes = Mapping[str, Outbox]
"""The outboxes of the platforms this process serves, by platform name; fixed once the process is wired."""
