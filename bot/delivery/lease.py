"""Leases: a claim on a send, taken in the database with a token, renewed while the send is in flight, and never
outlived by it.

Whoever claims a prompt, a reminder or a digest run writes a token and a `claimed_until` into its row; others may
take it only once `claimed_until` has passed. A send can take longer than any fixed claim (Slack's Retry-After, the
Teams backoff), so `hold` renews the claim every quarter of FAIRLOOP_DELIVERY_LEASE while the send runs. If the
claim turns out to be someone else's, or cannot be renewed for three quarters of the lease (the database is
unreachable), the send is cancelled before the claim can lapse: a send never runs on a claim another replica may
have taken. Outcomes are written with the token, so a late finisher cannot overwrite another's result.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from storage.db import unavailable

logger = logging.getLogger(__name__)
T = TypeVar("T")

Renew = Callable[[datetime], Awaitable[bool]]
"""Extend the claim to the given time; False when it is no longer ours (taken over, or the row moved on)."""


class LeaseLost(Exception):
    """The send was stopped: its claim went to someone else, or could not be renewed before it would lapse."""


def renew_every(lease: timedelta) -> float:
    return lease.total_seconds() / 4


def retry_wait(lease: timedelta) -> timedelta:
    """How long a send that failed on a platform outage waits before it is tried again."""
    return lease / 4


async def hold(work: Awaitable[T], *, renew: Renew, lease: timedelta, now: Callable[[], datetime], what: str) -> T:
    """Run `work` under a claim taken a moment ago for `lease`, renewing it every quarter of the lease.

    Raises LeaseLost (after cancelling `work`) when the claim is gone or would lapse unrenewed. Cancelling `hold`
    cancels `work` too."""
    task = asyncio.ensure_future(work)
    every = renew_every(lease)
    keep = lease.total_seconds() * 3 / 4  # stop a quarter of the lease before the claim could lapse
    deadline = time.monotonic() + keep
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=min(every, max(0.0, deadline - time.monotonic())))
            if done:
                return task.result()
            try:
                ours: bool | None = await asyncio.wait_for(renew(now() + lease), every)
            except Exception as exc:  # noqa: BLE001 - the database is unreachable: try again, until the deadline
                logger.warning("could not renew the claim on %s (%s); the send goes on for now", what, exc)
                ours = None
            if ours is False:
                raise LeaseLost(f"the claim on {what} is no longer ours")
            if ours:
                deadline = time.monotonic() + keep
            elif time.monotonic() >= deadline:
                raise LeaseLost(f"the claim on {what} could not be renewed before it would lapse")
    finally:
        if not task.done():
            task.cancel()
            await asyncio.wait({task})


async def record(write: Callable[[], Awaitable[T]], *, what: str, within: float) -> T:
    """Write the outcome of a finished send, trying again while the database is unreachable (for up to `within`
    seconds): a send that happened must not be sent again because its outcome could not be written."""
    deadline = time.monotonic() + within
    pause = 0.2
    while True:
        try:
            return await write()
        except Exception as exc:
            if not unavailable(exc) or time.monotonic() >= deadline:
                logger.exception("could not record %s; it may be sent again once its claim lapses", what)
                raise
            logger.warning("could not record %s yet; trying again in %.1fs", what, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)
