"""The production database: migrations, exactly-once dispatch across replicas, and stats on PostgreSQL."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from bot.events import Actor, ButtonClicked
from fairloop.compose import Graph
from storage import db
from tests.support.app import interview
from tests.support.core import Clock, prompt_states, wired
from tests.support.outbox import FakeOutbox
from tests.support.postgres import URL, fresh_schema, needs_postgres

pytestmark = needs_postgres


async def replicas(
    stack: AsyncExitStack, tmp_path: Path, clock: Clock | None = None, **overrides: Any
) -> tuple[Graph, FakeOutbox, Graph, FakeOutbox]:
    """Two processes' graphs on one PostgreSQL database, each with its own outbox."""
    a_out, b_out = FakeOutbox(), FakeOutbox()
    settings = {"database_url": URL, "min_group_size": 1, **overrides}
    a = await stack.enter_async_context(wired(tmp_path, clock=clock, outboxes={"playground": a_out}, **settings))
    b = await stack.enter_async_context(wired(tmp_path, clock=clock, outboxes={"playground": b_out}, **settings))
    return a, a_out, b, b_out


async def test_two_replicas_send_each_prompt_once_and_stats_aggregate(tmp_path: Path) -> None:
    await fresh_schema()
    async with AsyncExitStack() as stack:
        await _two_replicas(stack, tmp_path)


async def _two_replicas(stack: AsyncExitStack, tmp_path: Path) -> None:
    clock = Clock()
    a, outbox, b, other = await replicas(stack, tmp_path, clock)
    emails = tuple(f"p{i}@example.com" for i in range(40))
    await a.intake.ingest(
        {
            "interviews": [
                interview(f"pg-{i}", emails=(e,), team=("Platform", "Data")[i % 2]) for i, e in enumerate(emails)
            ]
        }
    )
    sent = await asyncio.gather(
        a.delivery.dispatch_due(), b.delivery.dispatch_due(), a.delivery.dispatch_due(), b.delivery.dispatch_due()
    )
    assert sum(sent) == 40 and sorted(outbox.sent + other.sent) == sorted(emails)
    assert await prompt_states(a) == {"sent": 40}
    from sqlmodel import select

    from storage.models import Prompt

    async with db.unit_of_work(a.sessions) as session:
        prompts = list(await session.exec(select(Prompt).order_by(Prompt.id)))
    clicks = [
        ButtonClicked(actor=Actor(platform="playground", user_id=f"U-{e}"), action_id="checkin.all", value=str(p.id))
        for e, p in zip(emails, prompts, strict=True)
    ][:30]
    await asyncio.gather(
        *(a.interactions.on_button(c) for c in clicks), *(b.interactions.on_button(c) for c in clicks)
    )  # replicas race
    clock.tomorrow()  # figures cover whole days that are over
    figures = (await a.reports.stats(period="7d")).to_json()
    assert (figures["prompts_sent"], figures["checkins"], figures["response_rate"]) == (40, 30, 0.75)
    platform = (await a.reports.stats(period="7d", team="Platform")).to_json()
    assert platform["checkins"] == 15 and platform["all_practices_rate"] == 1.0


async def test_digests_goals_feedback_and_purge_on_postgres(tmp_path: Path) -> None:
    await fresh_schema()
    async with AsyncExitStack() as stack:
        await _digests_goals_feedback_and_purge(stack, tmp_path)


async def _digests_goals_feedback_and_purge(stack: AsyncExitStack, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.events import CommandIssued, FormSubmitted
    from storage.counts import Rollup
    from storage.models import CheckIn

    weekly = {"name": "weekly", "platform": "playground", "channel": "sync", "cron": "0 9 * * mon"}
    a, outbox_a, b, outbox_b = await replicas(
        stack, tmp_path, retention="30d", admins=["priya@example.com"], digests=[weekly]
    )
    await a.intake.ingest(
        {"interviews": [interview(f"old-{i}", emails=(f"o{i}@x.io",), ended_ago=timedelta(days=40)) for i in range(3)]}
    )
    await a.delivery.dispatch_due()
    from sqlmodel import func, select

    from storage.models import Prompt

    async with db.unit_of_work(a.sessions) as session:
        prompts = list(await session.exec(select(Prompt)))
    for p in prompts:
        await a.interactions.on_button(ButtonClicked(actor=Actor(platform="playground", user_id=f"U-o{p.interview_id - 1}@x.io"),
                                        action_id="checkin.all", value=str(p.id)))  # fmt: skip
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    sent = await asyncio.gather(
        a.delivery.send_scheduled_digest("weekly", due=at), b.delivery.send_scheduled_digest("weekly", due=at)
    )
    assert sorted(sent) == [False, True]
    assert len(outbox_a.channel_posts) + len(outbox_b.channel_posts) == 1  # one replica claimed 09:00 Berlin
    priya = Actor(platform="playground", user_id="priya@example.com", email="priya@example.com")
    reply = await a.interactions.on_command(CommandIssued(actor=priya, text="goal set all response 90%"))
    assert str(reply.message.text) == "Goal set: response ≥ 90%. It shows in goals and in the digests."
    thanks = await b.interactions.on_form(FormSubmitted(actor=priya, form_id="feedback.anonymous", context="",
                                           values={"category": "process", "text": "Shorter loops, please."}))  # fmt: skip
    assert thanks.notice is not None
    counts = await asyncio.gather(a.retention.purge(daily=True), b.retention.purge(daily=True))
    assert sorted(c.get("checkins", 0) for c in counts) == [0, 3]
    async with db.unit_of_work(a.sessions) as session:
        assert (await session.exec(select(func.count()).select_from(CheckIn))).one() == 0
        [cell] = (await session.exec(select(Rollup).where(Rollup.practice == ""))).all()
    assert (cell.yes, cell.no) == (3, 3)


async def test_an_ats_event_is_all_or_nothing_and_claimed_once_across_replicas(tmp_path: Path) -> None:
    from datetime import timedelta

    from bot.intake.records import InterviewIn

    await fresh_schema()
    async with AsyncExitStack() as stack:
        a, _, b, _ = await replicas(stack, tmp_path)
        one = InterviewIn.model_validate(interview("lever:x", ended_ago=timedelta(hours=-2)))
        with pytest.raises(db.Conflict):  # the same new interview twice: nothing is kept, the key included
            await a.intake.apply(key="lever:evt-1", upserts=[one, one])
        applied = await asyncio.gather(*(g.intake.apply(key="lever:evt-1", upserts=[one]) for g in (a, b, a, b)))
        assert sorted(applied) == [False, False, False, True]
        assert [await g.directory.first_time("lever:evt-1") for g in (a, b)] == [False, False]
