"""Redrawing clicked messages in place (chat.update), coalesced per message.

At most one chat.update is in flight for a message; while one is, or while it waits its turn, a newer state simply
replaces the one waiting. A burst of clicks on the same card becomes a few calls instead of one each (Slack rate-
limits chat.update), a newer state is never overwritten by an older one, and the last state always goes out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from adapters.slack.outbox import SlackOutbox
from bot.messages import Message

logger = logging.getLogger(__name__)

Key = tuple[str, str]  # (channel, ts)
Drawing = Message | Callable[[], Message]  # a message, or how to build it when it goes out


class Redraws:
    def __init__(self, *, outbox: SlackOutbox, concurrency: int = 8) -> None:
        self._outbox = outbox
        self._waiting: dict[Key, Drawing] = {}
        self._tasks: dict[Key, asyncio.Task[None]] = {}
        self._turns = asyncio.Semaphore(concurrency)

    def redraw(self, *, channel: str, ts: str, message: Drawing) -> None:
        """Show `message` in place of the message at (channel, ts), soon; returns at once. A message given as a
        function is built when it goes out, so one replaced by a newer state meanwhile is never built."""
        key = (channel, ts)
        self._waiting[key] = message
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._send(key))

    async def _send(self, key: Key) -> None:
        try:
            async with self._turns:
                while key in self._waiting:
                    drawing = self._waiting.pop(key)
                    try:
                        message = drawing if isinstance(drawing, Message) else drawing()
                        await self._outbox.update(conversation=key[0], message_id=key[1], message=message)
                    except Exception:
                        logger.exception("redrawing a Slack message in place failed")
        finally:
            del self._tasks[key]

    async def drain(self, within: float) -> None:
        """Wait up to `within` seconds for the redraws still to go out (a stopping process)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks.values()), timeout=within)
