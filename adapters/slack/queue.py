"""The click queue (FAIRLOOP_SLACK_CLICK_QUEUE=1): the one-click answer acknowledged once it is durably queued, and
applied by `fairloop worker`, a process of its own.

Recording a click before its ack (the default) costs the serving process as much again as the ack itself: the
check-in, its answers, the ledger and the card's redraw all run under its one interpreter lock. With the queue, the
serving process only writes the signed click (who, which button, where, its replay key) in one INSERT per batch and
answers 200; the worker applies each exactly as the serving process would have (SlackBridge.apply), then deletes it.

Nothing acknowledged is lost and nothing is applied twice: a click is deleted only after it was applied; a worker
that dies holding clicks lets its lease lapse and another takes them over; a click applied but not yet deleted is
recognised by its replay key, claimed in the transaction that recorded it. A serving process applies whatever has
waited over FALLBACK_AGE itself, so clicks are never stranded when no worker runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from bot.batching import Batcher
from bot.clock import Clock, utcnow
from storage import queued
from storage.db import Sessions, unit_of_work

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # a worker's hold on the clicks it claimed; they go to another once it lapses
BATCH = 256  # clicks claimed at once
POLL = 0.05  # seconds a worker with nothing to do waits before looking again
FALLBACK_AGE = timedelta(seconds=10)  # a serving process applies clicks no worker has taken for this long
FALLBACK_POLL = 2.0
KEPT = ("type", "user", "team", "actions", "container", "channel", "response_url", "api_app_id")


def trimmed(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What applying a click needs from Slack's payload: not the message it was on (the card's own text)."""
    return {key: payload[key] for key in KEPT if key in payload}


class ClickQueue:
    """The serving side: `push` returns once the click is in the database, written with whoever clicked meanwhile."""

    def __init__(self, *, sessions: Sessions, clock: Clock = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock
        self._batch: Batcher[dict[str, Any], None] = Batcher(self._write, largest=512)

    async def push(self, payload: Mapping[str, Any], *, delivery: str) -> None:
        row = {"platform": "slack", "delivery": delivery, "body": trimmed(payload), "queued_at": self._clock()}
        await self._batch(row)

    async def _write(self, rows: Sequence[dict[str, Any]]) -> list[None]:
        async with unit_of_work(self._sessions) as session:
            await queued.push(session=session, rows=rows)
        return [None] * len(rows)


Apply = Callable[[dict[str, Any], str], Awaitable[None]]


class Applier:
    """Takes queued clicks (those queued at least `min_age` ago) and applies each with `apply(body, delivery)`.
    A click whose apply raised stays queued and is tried again once its lease lapses."""

    def __init__(
        self,
        *,
        sessions: Sessions,
        apply: Apply,
        clock: Clock = utcnow,
        min_age: timedelta = timedelta(0),
        poll: float = POLL,
        lease: timedelta = LEASE,
    ) -> None:
        self._sessions = sessions
        self._apply = apply
        self._clock = clock
        self._min_age = min_age
        self._poll = poll
        self._lease = lease

    async def run(self) -> None:
        """Apply clicks until cancelled; a database that is away is waited for, not given up on."""
        while True:
            try:
                taken = await self.once()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the database is away: the clicks wait in it
                logger.warning("could not take queued clicks; trying again shortly", exc_info=True)
                await asyncio.sleep(max(self._poll, 1.0))
                continue
            if taken < BATCH:
                await asyncio.sleep(self._poll)

    async def once(self) -> int:
        """Claim up to BATCH clicks, apply them together, delete those applied; how many were claimed."""
        now = self._clock()
        claimed = await queued.claim(sessions=self._sessions, now=now, until=now + self._lease,
                                     before=now - self._min_age, n=BATCH)  # fmt: skip
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self._apply(c.body, c.delivery) for c in claimed), return_exceptions=True)
        applied = []
        for c, out in zip(claimed, outcomes, strict=True):
            if isinstance(out, BaseException):
                logger.warning("queued click %d could not be applied; it is tried again in %s", c.id, self._lease,
                               exc_info=out)  # fmt: skip
            else:
                applied.append(c.id)
        await queued.done(sessions=self._sessions, ids=applied)
        return len(claimed)
