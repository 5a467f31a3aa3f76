"""Leases: a claim on a send, taken in the database with a token, renewed while the send is in flight and while its
outcome is written, and never outlived by a request leaving for the platform.

Whoever claims a prompt, a reminder or a digest run writes a token and a `claimed_until` into its row; others may
take it only once `claimed_until` has passed. A send can take longer than any fixed claim (Slack's Retry-After, the
Teams backoff), so a `Claim` is renewed every quarter of FAIRLOOP_DELIVERY_LEASE while its work runs, and every
sixteenth after a renewal failed: the claim outlives a database outage of up to about three quarters of the lease.

What cannot be taken back is a request the platform has acted on. Cancelling it would not unsend the message, and
letting the claim lapse meanwhile lets another replica send it again. So the rule is applied where a request leaves:
an outbox calls `before_sending()` right before each request that may deliver (every attempt, retries included),
and under a claim the request goes out only if the claim has at least half a lease left, as last renewed or as
renewed there and then; otherwise LeaseLost is raised before anything has left. A request that has left is not
cancelled for want of a renewal (the HTTP client's timeout, well inside half a lease, bounds it); work is cancelled
only when its claim is found to be someone else's. Outcomes are written with the token, so a late finisher cannot
overwrite another's result.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TypeVar

from storage.db import unavailable

logger = logging.getLogger(__name__)
T = TypeVar("T")

Renew = Callable[[datetime], Awaitable[bool]]
"""Extend the claim to the given time; False when it is no longer ours (taken over, or the row moved on)."""


class LeaseLost(Exception):
    """The send was stopped: its claim went to someone else, or could not be confirmed before a request left."""


def renew_every(lease: timedelta) -> float:
    return lease.total_seconds() / 4


def retry_wait(lease: timedelta) -> timedelta:
    """How long a send that failed on a platform outage waits before it is tried again."""
    return lease / 4


class Claim:
    """A claim this process holds: when it was last confirmed in the database, and how to confirm it again."""

    def __init__(self, *, renew: Renew, lease: timedelta, now: Callable[[], datetime], what: str) -> None:
        self.what = what
        self.seconds = lease.total_seconds()
        self.lost = False
        self._renew, self._lease, self._now = renew, lease, now
        self._confirmed = time.monotonic()  # taken a moment ago
        self._failing = False

    def left(self) -> float:
        """Seconds the claim surely has left, as last confirmed."""
        return self._confirmed + self.seconds - time.monotonic()

    async def renew(self) -> bool | None:
        """Renew it now: True when renewed, False when it is someone else's, None when the database can't say."""
        started = time.monotonic()
        try:
            ours = await asyncio.wait_for(self._renew(self._now() + self._lease), self.seconds / 4)
        except Exception as exc:  # noqa: BLE001 - the database is unreachable: the caller tries again soon
            logger.warning("could not renew the claim on %s (%r); trying again shortly", self.what, exc)
            self._failing = True
            return None
        self._failing = False
        if ours:
            self._confirmed = max(self._confirmed, started)
        else:
            self.lost = True
        return ours

    async def keep(self, work: Awaitable[T], *, stop_if_lost: bool = True) -> T:
        """Run `work` under this claim, renewing it as it runs. Raises LeaseLost (after cancelling `work`) when the
        claim turns out to be someone else's, unless `stop_if_lost` is False (an outcome being written: its write
        checks the token itself). Cancelling `keep` cancels `work` too."""
        token = _held.set(self)
        try:
            task = asyncio.ensure_future(work)  # the task keeps this claim as its context: before_sending finds it
        finally:
            _held.reset(token)
        try:
            while True:
                pause = self.seconds / 16 if self._failing else max(0.0, self.left() - self.seconds * 3 / 4)
                done, _ = await asyncio.wait({task}, timeout=pause if not self.lost else None)
                if done:
                    return task.result()
                if await self.renew() is False and stop_if_lost:
                    raise LeaseLost(f"the claim on {self.what} is no longer ours")
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait({task})


_held: ContextVar[Claim | None] = ContextVar("fairloop_claim", default=None)


async def before_sending() -> None:
    """Called by an outbox right before each request that may deliver something. Outside a claim it returns at once;
    under one it raises LeaseLost unless the claim has at least half a lease left (renewing it first if need be),
    so nothing leaves on a claim that could lapse before the platform has answered."""
    claim = _held.get()
    if claim is None:
        return
    if not claim.lost and claim.left() >= claim.seconds / 2:
        return
    if claim.lost or not await claim.renew() or claim.left() < claim.seconds / 2:
        raise LeaseLost(f"the claim on {claim.what} could not be confirmed before sending")


async def hold(work: Awaitable[T], *, renew: Renew, lease: timedelta, now: Callable[[], datetime], what: str) -> T:
    """Run `work` under a claim taken a moment ago for `lease` (see Claim.keep)."""
    return await Claim(renew=renew, lease=lease, now=now, what=what).keep(work)


async def record(write: Callable[[], Awaitable[T]], *, what: str, within: float) -> T:
    """Write the outcome of a finished send, trying again while the database is unreachable (for up to `within`
    seconds): a send that happened must not be sent again because its outcome could not be written. Run it under
    the send's claim (`claim.keep(record(...), stop_if_lost=False)`) so the claim is renewed meanwhile."""
    deadline = time.monotonic() + within
    pause = 0.1
    while True:
        try:
            return await write()
        except Exception as exc:
            if not unavailable(exc) or time.monotonic() >= deadline:
                logger.exception("could not record %s; it may be sent again once its claim lapses", what)
                raise
            logger.warning("could not record %s yet; trying again in %.1fs", what, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)
