"""Reminders: one, on a working morning in the interviewer's timezone, never to someone who opted out."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlmodel import select

from bot.events import Actor, ButtonClicked
from fairloop.compose import Graph
from storage import db
from storage.models import Prompt
from tests.support.app import interview
from tests.support.core import Clock, MakeCore, text_of
from tests.support.outbox import FakeOutbox


async def sent_prompt(make_core: MakeCore, clock: Clock) -> tuple[Graph, FakeOutbox, Prompt]:
    clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # a Monday
    outbox = FakeOutbox()  # delivers with timezone Europe/Berlin
    core = await make_core(outboxes={"playground": outbox})
    await core.intake.ingest(dict(interview("r-1"), starts_at="2026-11-23T10:00:00Z", ends_at="2026-11-23T11:00:00Z"))
    assert await core.delivery.dispatch_due() == 1
    async with db.unit_of_work(core.sessions) as session:
        return core, outbox, (await session.exec(select(Prompt))).one()


async def test_one_reminder_on_the_next_working_morning_and_never_again(make_core: MakeCore, clock: Clock) -> None:
    core, outbox, prompt = await sent_prompt(make_core, clock)
    clock.set(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))  # Tuesday 07:00 in Berlin: too early
    assert await core.delivery.send_reminders() == 0
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))  # Tuesday 10:00 in Berlin, 22 h after: too soon
    assert await core.delivery.send_reminders() == 0
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # Wednesday 10:00 in Berlin
    assert await core.delivery.send_reminders() == 1
    assert outbox.sent == ["ana@example.com", "ana@example.com"]
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    assert await core.delivery.send_reminders() == 0  # never more than one
    async with db.unit_of_work(core.sessions) as session:
        reminded = await session.get(Prompt, prompt.id)
    assert reminded.reminded_at is not None and reminded.message_id == "2"  # answers now redraw the reminder


async def test_no_reminder_at_the_weekend_or_when_turned_off_or_answered(make_core: MakeCore, clock: Clock) -> None:
    core, outbox, prompt = await sent_prompt(make_core, clock)
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))  # Saturday 10:00 in Berlin
    assert await core.delivery.send_reminders() == 0
    ana = Actor(platform="playground", user_id="U-ana@example.com")
    await core.interactions.on_button(ButtonClicked(actor=ana, action_id="me.reminders_off", value=""))
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday 10:00 in Berlin
    assert await core.delivery.send_reminders() == 0
    await core.interactions.on_button(ButtonClicked(actor=ana, action_id="me.reminders_on", value=""))
    await core.interactions.on_button(ButtonClicked(actor=ana, action_id="checkin.all", value=str(prompt.id)))
    assert await core.delivery.send_reminders() == 0
    assert outbox.sent == ["ana@example.com"]


async def test_remind_me_later_brings_it_back_once_the_next_working_morning(make_core: MakeCore, clock: Clock) -> None:
    core, outbox, prompt = await sent_prompt(make_core, clock)
    other = await make_core(outboxes={"playground": outbox})  # a second replica sharing the database
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday 10:00 in Berlin
    assert await core.delivery.send_reminders() == 1
    reminder = outbox.messages[-1]
    assert [b.label for b in reminder.buttons()][-1] == "Remind me later"
    ana = Actor(platform="playground", user_id="U-ana@example.com")
    later = ButtonClicked(actor=ana, action_id="checkin.later", value=str(prompt.id))
    reply = await core.interactions.on_button(later)
    assert reply.message is not None
    assert "I'll bring this back on Monday at 09:00, once." in text_of(reply.message)
    assert "Remind me later" not in [b.label for b in reply.message.buttons()]
    async with db.unit_of_work(core.sessions) as session:
        snoozed = await session.get(Prompt, prompt.id)
    assert snoozed.snoozed_until == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
    clock.set(datetime(2026, 11, 30, 7, 59, tzinfo=UTC))
    assert await core.delivery.send_reminders() == 0
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert (
        sum([await core.delivery.send_reminders(), await other.delivery.send_reminders()]) == 1
    )  # once, whoever runs it
    last = outbox.messages[-1]
    assert "This is the last reminder." in text_of(last) and "Remind me later" not in [b.label for b in last.buttons()]
    clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert (
        await core.delivery.send_reminders() == 0 and len(outbox.sent) == 3
    )  # the prompt, one reminder, the one asked for


async def test_remind_me_later_on_an_answered_check_in_is_refused_kindly(make_core: MakeCore, clock: Clock) -> None:
    core, _, prompt = await sent_prompt(make_core, clock)
    ana = Actor(platform="playground", user_id="U-ana@example.com")
    await core.interactions.on_button(ButtonClicked(actor=ana, action_id="checkin.all", value=str(prompt.id)))
    reply = await core.interactions.on_button(ButtonClicked(actor=ana, action_id="checkin.later", value=str(prompt.id)))
    assert reply.notice is not None
    assert str(reply.notice.text) == "This check-in is already settled, so there's nothing to remind you about."


async def reminders_of(core: Graph) -> dict[str | None, int]:
    async with db.unit_of_work(core.sessions) as session:
        out: dict[str | None, int] = {}
        for p in await session.exec(select(Prompt)):
            out[p.reminder] = out.get(p.reminder, 0) + 1
        return out


async def test_reminders_that_will_never_go_out_leave_the_list_and_starve_nobody(
    make_core: MakeCore, clock: Clock
) -> None:
    clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # a Monday
    outbox = FakeOutbox()
    core = await make_core(outboxes={"playground": outbox})
    other = await make_core(outboxes={"playground": outbox})  # a second replica
    monday = {"starts_at": "2026-11-23T10:00:00Z", "ends_at": "2026-11-23T11:00:00Z"}
    many = [dict(interview(f"off-{i}", emails=("off@example.com",)), **monday) for i in range(520)]  # over a batch
    await core.intake.ingest({"interviews": many})
    while await core.delivery.dispatch_due():
        pass
    off = Actor(platform="playground", user_id="U-off@example.com")
    await core.interactions.on_button(ButtonClicked(actor=off, action_id="me.reminders_off", value=""))
    clock.set(datetime(2026, 11, 23, 12, 5, tzinfo=UTC))  # sent later than all of those
    await core.intake.ingest(dict(interview("on-1", emails=("on@example.com",)), **monday))
    assert await core.delivery.dispatch_due() == 1
    outbox.sent.clear()
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # Wednesday 10:00 in Berlin
    assert sum(await asyncio.gather(core.delivery.send_reminders(), other.delivery.send_reminders())) == 1
    assert outbox.sent == ["on@example.com"]
    assert await reminders_of(core) == {"opted_out": 520, "sent": 1}
    assert await core.delivery.send_reminders() == 0  # nothing left to look at


async def test_a_reminder_whose_morning_passed_waits_for_the_next_one_while_the_prompt_is_open(
    make_core: MakeCore, clock: Clock
) -> None:
    core, outbox, prompt = await sent_prompt(make_core, clock)  # sent Monday 12:00 UTC: due Wednesday 09:00 Berlin
    clock.set(datetime(2026, 11, 25, 13, 0, tzinfo=UTC))  # Wednesday 14:00 in Berlin: fairloop was down all morning
    assert await core.delivery.send_reminders() == 0
    async with db.unit_of_work(core.sessions) as session:
        planned = await session.get(Prompt, prompt.id)
    assert planned.remind_at == datetime(2026, 11, 26, 8, 0, tzinfo=UTC) and planned.reminder is None
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))  # Thursday 10:00 in Berlin
    assert await core.delivery.send_reminders() == 1
    assert outbox.sent == ["ana@example.com", "ana@example.com"]


async def test_a_reminder_with_no_morning_left_before_the_prompt_expires_is_settled_missed(
    make_core: MakeCore, clock: Clock
) -> None:
    clock.set(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))  # a Friday
    outbox = FakeOutbox()
    core = await make_core(outboxes={"playground": outbox}, prompt_expires="3d")
    await core.intake.ingest(dict(interview("m-1"), starts_at="2026-11-27T10:00:00Z", ends_at="2026-11-27T11:00:00Z"))
    assert await core.delivery.dispatch_due() == 1
    clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))  # Monday 13:00 in Berlin: its morning is over
    assert await core.delivery.send_reminders() == 0  # Tuesday's would come after the prompt expired
    assert await reminders_of(core) == {"missed": 1}
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert await core.delivery.send_reminders() == 0 and outbox.sent == ["ana@example.com"]
