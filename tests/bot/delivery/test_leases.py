"""Leases: a claim on a send is renewed while the send is in flight, so no other replica takes it over however long
the send waits; a claim that is no longer ours stops the send."""

from __future__ import annotations

import asyncio

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
