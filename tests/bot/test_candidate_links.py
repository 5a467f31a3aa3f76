"""Candidate links' one-time markers: kept through the daily rewrite, honoured in their pre-0007 form, and
forgotten once their interview is two months past — found again from the interview, as they hold no day."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.feedback.candidate import AlreadyUsed
from fairloop.compose import Graph
from storage.db import unit_of_work
from storage.models import FeedbackLinkUsed
from tests.support.app import interview
from tests.support.core import Clock, MakeCore


async def link_for(graph: Graph, external_id: str, *, ended_ago: timedelta) -> str:
    [made] = await graph.intake.ingest(interview(external_id, ended_ago=ended_ago))
    return str(made["candidate_feedback_url"]).rsplit("/f/", 1)[1]


async def markers(graph: Graph) -> list[str]:
    async with unit_of_work(graph.sessions) as session:
        return list(await session.exec(select(FeedbackLinkUsed.marker)))


async def test_a_used_link_stays_used_through_the_daily_rewrite_and_is_forgotten_60_days_on(
    make_core: MakeCore, clock: Clock
) -> None:
    start = datetime.now(UTC)
    clock.set(start)
    graph = await make_core()
    token = await link_for(graph, "m-1", ended_ago=timedelta(days=1))
    reply = await graph.feedback.submit_candidate(token, {"rating": "4"})
    assert reply.notice is not None
    await graph.retention.purge(daily=True)
    with pytest.raises(AlreadyUsed):
        await graph.feedback.candidate_form(token)
    assert len(await markers(graph)) == 1

    clock.set(start + timedelta(days=58))
    assert (await graph.retention.purge())["link_markers"] == 0  # 59 days after the interview: kept
    clock.set(start + timedelta(days=60))
    assert (await graph.retention.purge())["link_markers"] == 1
    assert await markers(graph) == []


async def test_a_link_marked_used_before_the_upgrade_stays_used(make_core: MakeCore) -> None:
    graph = await make_core()
    token = await link_for(graph, "m-2", ended_ago=timedelta(hours=2))
    async with unit_of_work(graph.sessions) as session:  # the marker as versions before 0007 wrote it
        session.add(FeedbackLinkUsed(marker=hashlib.sha256(token.encode()).hexdigest()))
    with pytest.raises(AlreadyUsed):
        await graph.feedback.candidate_form(token)
    with pytest.raises(AlreadyUsed):
        await graph.feedback.submit_candidate(token, {"rating": "2"})


async def test_a_daily_rewrite_that_fails_is_logged_loudly_and_the_purge_still_reports(
    make_core: MakeCore, caplog: pytest.LogCaptureFixture
) -> None:
    graph = await make_core()
    async with graph.engine.begin() as conn:  # a real failure: the table is gone
        await conn.exec_driver_sql("DROP TABLE feedbacklinkused")
    counts = await graph.retention.purge()
    assert counts["link_markers"] == 0 and "checkins" in counts
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert record.getMessage().startswith("anonymous tables not rewritten in key order, so today's order stays:")
