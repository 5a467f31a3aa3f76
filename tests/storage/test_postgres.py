"""The production database: migrations, exactly-once dispatch across replicas, and stats on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.events import Actor, ButtonClicked
from bot.service import Core
from bot.tokens import Signer
from storage import db
from tests.bot.fakes import FakeOutbox, states
from tests.conftest import interview, make_settings

URL = os.environ.get("FAIRLOOP_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(
    not URL, reason="FAIRLOOP_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)"
)


@pytest.fixture
async def pg_cores(tmp_path) -> AsyncIterator[tuple[Core, Core]]:
    assert URL
    engine = db.make_engine(URL)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    await db.upgrade(URL)
    settings = make_settings(tmp_path, database_url=URL, min_group_size=1)
    engines = [db.make_engine(URL) for _ in range(2)]
    yield tuple(Core(settings=settings, sessions=db.make_sessions(e), signer=Signer(secret_key="k")) for e in engines)  # type: ignore[misc]
    for e in engines:
        await e.dispose()


async def test_two_replicas_send_each_prompt_once_and_stats_aggregate(pg_cores: tuple[Core, Core]) -> None:
    a, b = pg_cores
    emails = tuple(f"p{i}@example.com" for i in range(40))
    await a.ingest(
        {
            "interviews": [
                interview(f"pg-{i}", emails=(e,), team=("Platform", "Data")[i % 2]) for i, e in enumerate(emails)
            ]
        }
    )
    outbox = FakeOutbox()
    a.outboxes["playground"] = b.outboxes["playground"] = outbox
    sent = await asyncio.gather(a.dispatch_due(), b.dispatch_due(), a.dispatch_due(), b.dispatch_due())
    assert sum(sent) == 40 and sorted(outbox.sent) == sorted(emails)
    assert await states(a) == {"sent": 40}
    from sqlmodel import select

    from storage.models import Prompt

    async with db.unit_of_work(a.sessions) as session:
        prompts = list(await session.exec(select(Prompt).order_by(Prompt.id)))
    clicks = [
        ButtonClicked(actor=Actor(platform="playground", user_id=f"U-{e}"), action_id="checkin.all", value=str(p.id))
        for e, p in zip(emails, prompts, strict=True)
    ][:30]
    await asyncio.gather(*(a.on_button(c) for c in clicks), *(b.on_button(c) for c in clicks))  # replicas race
    figures = (await a.stats(period="7d")).to_json()
    assert (figures["prompts_sent"], figures["checkins"], figures["response_rate"]) == (40, 30, 0.75)
    platform = (await a.stats(period="7d", team="Platform")).to_json()
    assert platform["checkins"] == 15 and platform["all_practices_rate"] == 1.0


async def test_digests_goals_feedback_and_purge_on_postgres(pg_cores: tuple[Core, Core], tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.events import CommandIssued, FormSubmitted
    from storage.models import CheckIn, Rollup

    a, b = pg_cores
    weekly = {"name": "weekly", "platform": "playground", "channel": "sync", "cron": "0 9 * * mon"}
    settings = make_settings(tmp_path, database_url=URL, min_group_size=1, retention="30d",
                             admins=["priya@example.com"], digests=[weekly])  # fmt: skip
    a.settings = b.settings = settings
    await a.ingest(
        {"interviews": [interview(f"old-{i}", emails=(f"o{i}@x.io",), ended_ago=timedelta(days=40)) for i in range(3)]}
    )
    outbox_a, outbox_b = FakeOutbox(), FakeOutbox()
    a.outboxes["playground"], b.outboxes["playground"] = outbox_a, outbox_b
    await a.dispatch_due()
    from sqlmodel import func, select

    from storage.models import Prompt

    async with db.unit_of_work(a.sessions) as session:
        prompts = list(await session.exec(select(Prompt)))
    for p in prompts:
        await a.on_button(ButtonClicked(actor=Actor(platform="playground", user_id=f"U-o{p.interview_id - 1}@x.io"),
                                        action_id="checkin.all", value=str(p.id)))  # fmt: skip
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    sent = await asyncio.gather(a.send_scheduled_digest("weekly", due=at), b.send_scheduled_digest("weekly", due=at))
    assert sorted(sent) == [False, True]
    assert len(outbox_a.channel_posts) + len(outbox_b.channel_posts) == 1  # one replica claimed 09:00 Berlin
    priya = Actor(platform="playground", user_id="priya@example.com", email="priya@example.com")
    reply = await a.on_command(CommandIssued(actor=priya, text="goal set all response 90%"))
    assert reply.message.text == "Goal set: response ≥ 90%. It shows in `goals` and in the digests."
    thanks = await b.on_form(FormSubmitted(actor=priya, form_id="feedback.anonymous", context="",
                                           values={"category": "process", "text": "Shorter loops, please."}))  # fmt: skip
    assert thanks.notice is not None
    counts = await asyncio.gather(a.purge(daily=True), b.purge(daily=True))
    assert sorted(c.get("checkins", 0) for c in counts) == [0, 3]
    async with db.unit_of_work(a.sessions) as session:
        assert (await session.exec(select(func.count()).select_from(CheckIn))).one() == 0
        [cell] = (await session.exec(select(Rollup).where(Rollup.practice == ""))).all()
    assert (cell.yes, cell.no) == (3, 3)
