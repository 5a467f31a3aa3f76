"""A scheduled digest is posted at least once and never twice for its time: claimed in the database with a lease,
recorded posted once the platform has it, taken over when its claimer died before posting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import Undeliverable
from storage import deliveries
from storage.db import unit_of_work
from tests.support.core import Clock, MakeCore
from tests.support.outbox import FakeOutbox

WEEKLY = {"name": "weekly", "platform": "playground", "channel": "sync", "cron": "0 9 * * mon"}
DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
KEY = "weekly:2026-11-23T09:00:00"


async def test_a_digest_whose_claimer_died_before_posting_is_posted_once_its_lease_lapses(
    make_core: MakeCore, clock: Clock
) -> None:
    outbox = FakeOutbox()
    core = await make_core(outboxes={"playground": outbox}, digests=[{**WEEKLY, "timezone": "Europe/Berlin"}])
    clock.set(DUE)
    async with unit_of_work(core.sessions) as session:  # what a replica killed between its claim and its post leaves
        assert await deliveries.claim_digest_run(session=session, key=KEY, claim="dead", now=DUE,
                                                 until=DUE + timedelta(minutes=2))  # fmt: skip
    assert await core.delivery.send_scheduled_digest("weekly", due=DUE) is False  # its lease still runs
    clock.set(DUE + timedelta(minutes=3))
    assert await core.delivery.send_scheduled_digest("weekly", due=DUE) is True  # taken over
    assert await core.delivery.send_scheduled_digest("weekly", due=DUE) is False  # and never again
    assert [channel for channel, _ in outbox.channel_posts] == ["sync"]
    async with unit_of_work(core.sessions) as session:
        run = await deliveries.get_digest_run(session=session, key=KEY)
    assert (run.state, run.attempts, run.message_id, run.claim) == ("posted", 2, "1", None)


async def test_replicas_racing_for_one_digest_post_it_once(make_core: MakeCore) -> None:
    outbox = FakeOutbox()
    replicas = [await make_core(outboxes={"playground": outbox}, digests=[WEEKLY]) for _ in range(3)]
    sent = await asyncio.gather(*(r.delivery.send_scheduled_digest("weekly", due=DUE) for r in replicas * 2))
    assert sorted(sent) == [False] * 5 + [True] and len(outbox.channel_posts) == 1


async def test_a_failed_post_gives_its_claim_back_and_goes_out_on_the_next_run(make_core: MakeCore) -> None:
    outbox = FakeOutbox()
    outbox.channel_gate = asyncio.Event()
    core = await make_core(outboxes={"playground": outbox}, digests=[WEEKLY], delivery_lease="1s")
    posting = asyncio.create_task(core.delivery.send_scheduled_digest("weekly", due=DUE))
    await asyncio.wait_for(outbox.posting.wait(), 10)
    await asyncio.sleep(1.5)  # the post hangs past its lease: renewed, so nobody else takes it
    assert await core.delivery.send_scheduled_digest("weekly", due=DUE) is False
    posting.cancel()  # the post fails (here: the process stops mid-post)
    await asyncio.gather(posting, return_exceptions=True)
    outbox.channel_gate.set()
    assert await core.delivery.send_scheduled_digest("weekly", due=DUE) is True
    assert len(outbox.channel_posts) == 1


async def test_a_post_refused_by_the_platform_is_tried_again(make_core: MakeCore) -> None:
    class Refusing(FakeOutbox):
        refusals = 1

        async def post_channel(self, *, channel, message):  # type: ignore[no-untyped-def]
            if self.refusals:
                self.refusals -= 1
                raise Undeliverable("not_in_channel")
            return await super().post_channel(channel=channel, message=message)

    outbox = Refusing()
    core = await make_core(outboxes={"playground": outbox}, digests=[WEEKLY])
    with pytest.raises(Undeliverable):  # said in the log; the claim is given back
        await core.delivery.send_scheduled_digest("weekly", due=DUE)
    assert await core.delivery.send_scheduled_digest("weekly", due=DUE) is True
    assert len(outbox.channel_posts) == 1
