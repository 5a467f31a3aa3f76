"""Leases: a claim on a send is renewed while the send is in flight, so no other replica takes it over however long
the send waits; a claim that is no longer ours stops the send; a request leaves only on a claim confirmed to
outlive it, and one that has left is not cancelled while the database is away."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery.lease import Claim, LeaseLost, before_sending, hold
from tests.support.app import eventually, interview
from tests.support.core import MakeCore, prompt_states
from tests.support.outbox import FakeOutbox


async def test_a_send_that_outlives_its_lease_is_never_taken_over(make_core: MakeCore) -> None:
    outbox = FakeOutbox()
    outbox.slow_sends = 3.0  # three leases long: a platform asking us to wait, say
    a = await make_core(outboxes={"playground": outbox}, delivery_lease="1s")
    b = await make_core(outboxes={"playground": outbox}, delivery_lease="1s")
    await a.intake.ingest(interview("slow-1"))
    sending = asyncio.create_task(a.delivery.dispatch_due())
    await eventually(lambda: asyncio.sleep(0, result=outbox.attempted))  # replica a has claimed it and is sending
    others = 0
    while not sending.done():  # the other replica looks for due prompts all through the send
        others += await b.delivery.dispatch_due()
        await asyncio.sleep(0.1)
    assert (await sending, others) == (1, 0)
    assert outbox.sent == ["ana@example.com"]
    assert await prompt_states(a) == {"sent": 1}


async def test_a_prompt_cancelled_while_its_send_waits_is_not_sent(make_core: MakeCore) -> None:
    outbox = FakeOutbox()
    outbox.slow_sends = 3.0
    core = await make_core(outboxes={"playground": outbox}, delivery_lease="1s")
    await core.intake.ingest(interview("cancel-1"))
    sending = asyncio.create_task(core.delivery.dispatch_due())
    await eventually(lambda: asyncio.sleep(0, result=outbox.attempted))
    await core.intake.ingest(interview("cancel-1", status="cancelled"))
    assert await asyncio.wait_for(sending, 10) == 0  # the renewal found the claim gone and stopped the send
    assert outbox.sent == []
    assert await prompt_states(core) == {"cancelled": 1}


LEASE = timedelta(seconds=1)


class Database:
    """The claim's row as the renewals see it: away (renewals fail) or there (renewed, or found someone else's)."""

    def __init__(self, *, away: bool = False, ours: bool = True) -> None:
        self.away, self.ours = away, ours
        self.renewals: list[float] = []  # when each renewal got through

    async def renew(self, until: datetime) -> bool:
        if self.away:
            raise ConnectionRefusedError("the database is away")
        self.renewals.append(time.monotonic())
        return self.ours


def now() -> datetime:
    return datetime.now(UTC)


async def test_a_request_the_platform_has_taken_is_not_cancelled_while_the_database_is_away() -> None:
    """Cancelling a request the platform acted on would not unsend it: the claim lapsing meanwhile is what makes a
    duplicate. The answer is waited for, however long the outage."""
    database, delivered = Database(away=True), []

    async def send() -> str:
        delivered.append("ana")  # the platform has the message
        await asyncio.sleep(LEASE.total_seconds())  # its answer is slow to come back, and renewals keep failing
        return "1700000000.000100"

    assert await hold(send(), renew=database.renew, lease=LEASE, now=now, what="prompt 1") == "1700000000.000100"
    assert delivered == ["ana"]


async def test_a_request_does_not_leave_on_a_claim_that_could_not_be_confirmed() -> None:
    """A send that waited (behind a rate limit, say) while the database was away stops before its request leaves:
    the claim may lapse before the platform answers, and another replica would send it again."""
    database, delivered = Database(away=True), []

    async def send() -> str:
        await asyncio.sleep(LEASE.total_seconds() * 0.6)  # queued: more than half the lease has gone unconfirmed
        await before_sending()
        delivered.append("ana")
        return "ts"

    with pytest.raises(LeaseLost, match="could not be confirmed before sending"):
        await hold(send(), renew=database.renew, lease=LEASE, now=now, what="prompt 1")
    assert delivered == []
    await before_sending()  # outside a claim (a click's redraw, say) nothing is checked


async def test_a_claim_is_confirmed_again_soon_after_the_database_returns_and_the_request_leaves() -> None:
    database, delivered = Database(away=True), []
    back = asyncio.get_running_loop().call_later(0.3, lambda: setattr(database, "away", False))
    returned = time.monotonic() + 0.3

    async def send() -> str:
        await asyncio.sleep(LEASE.total_seconds() * 0.6)
        await before_sending()
        delivered.append("ana")
        return "ts"

    assert await hold(send(), renew=database.renew, lease=LEASE, now=now, what="prompt 1") == "ts"
    assert delivered == ["ana"]
    assert database.renewals and database.renewals[0] - returned < LEASE.total_seconds() / 8  # retried every 1/16
    back.cancel()


async def test_work_stops_when_its_claim_is_someone_elses_unless_it_is_the_outcome_being_written() -> None:
    database = Database(ours=False)

    async def work() -> str:
        await asyncio.sleep(LEASE.total_seconds() * 0.6)
        return "written"

    with pytest.raises(LeaseLost, match="no longer ours"):
        await Claim(renew=database.renew, lease=LEASE, now=now, what="prompt 1").keep(work())
    claim = Claim(renew=database.renew, lease=LEASE, now=now, what="prompt 2")
    assert await claim.keep(work(), stop_if_lost=False) == "written"  # its write checks the token itself
    assert claim.lost and len(database.renewals) == 2
