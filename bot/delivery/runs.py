"""Digest runs: each scheduled time of a digest is posted at least once, and never twice.

The run for a time is a row (storage/deliveries.py): claimed with a token and a lease, the lease renewed while the
post is in flight (bot/delivery/lease.py), recorded `posted` the moment the platform has accepted it. A post that
fails gives its claim back for the next minute's run; a claimer that dies before posting leaves a claim that
lapses, and the next run anywhere takes it over.

The one window left: a process killed after the platform accepted the post and before `posted` is written (the
time of one UPDATE) leaves a claim that lapses, and the digest is posted again once the lease has passed. A crash
anywhere else loses nothing and repeats nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.delivery.lease import Claim, LeaseLost, record
from bot.ports import Delivery
from storage import deliveries
from storage.db import Sessions, unit_of_work

logger = logging.getLogger(__name__)


async def post_once(
    *,
    sessions: Sessions,
    key: str,
    post: Callable[[], Awaitable[Delivery]],
    lease: timedelta,
    now: Callable[[], datetime],
) -> bool:
    """Post the run `key` unless it is posted already or someone else is posting it; True when this call posted it.
    A failed post gives the claim back and raises."""
    claim, moment = uuid.uuid4().hex, now()
    async with unit_of_work(sessions) as session:
        if not await deliveries.claim_digest_run(
            session=session, key=key, claim=claim, now=moment, until=moment + lease
        ):
            return False

    async def settle(**values: object) -> bool:
        async with unit_of_work(sessions) as session:
            return await deliveries.settle_digest_run(session=session, key=key, token=claim, **values)

    async def renew(until: datetime) -> bool:
        return await settle(claimed_until=until)

    held = Claim(renew=renew, lease=lease, now=now, what=f"digest run {key}")
    try:
        delivery = await held.keep(post())
    except LeaseLost as exc:
        logger.warning("%s: this process stopped posting it", exc)
        return False
    except BaseException:  # the post failed, or the process is stopping: the next run (anywhere) tries again
        with contextlib.suppress(Exception):
            await asyncio.wait_for(settle(claim=None, claimed_until=None), 2)
        raise
    writing = record(
        lambda: settle(state="posted", posted_at=now(), claim=None, claimed_until=None,
                       conversation=delivery.conversation[:512], message_id=delivery.message_id[:300]),
        what=f"digest run {key} as posted", within=2 * lease.total_seconds(),
    )  # fmt: skip
    await held.keep(writing, stop_if_lost=False)  # renewed while it is written
    return True
