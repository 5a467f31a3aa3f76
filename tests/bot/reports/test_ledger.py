"""The activity ledger: each event counts on the day it happens, so days that are over never change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.events import Actor, ButtonClicked, FormSubmitted
from bot.reports import ledger
from fairloop.compose import Graph
from storage import activity
from storage.counts import Activity, ActivityPractice
from storage.db import unit_of_work
from storage.models import Prompt
from tests.support.app import interview
from tests.support.core import RUBRIC_NO, Clock, MakeCore, answered

ANA = Actor(platform="playground", user_id="ana@x.io", email="ana@x.io")


async def cells(graph: Graph) -> dict[tuple[str, str, str], dict[str, int]]:
    """The ledger as {(day, team, role): non-zero counts}, practices folded in as 'practice:value'."""
    out: dict[tuple[str, str, str], dict[str, int]] = {}
    async with unit_of_work(graph.sessions) as session:
        for row in await session.exec(select(Activity)):
            counts = {c: getattr(row, c) for c in activity.COUNTS if getattr(row, c)}
            out[(row.day.isoformat(), row.team, row.role)] = counts
        for row in await session.exec(select(ActivityPractice)):
            mine = out.setdefault((row.day.isoformat(), row.team, row.role), {})
            for value in ("yes", "no", "na"):
                if getattr(row, value):
                    mine[f"{row.practice}:{value}"] = getattr(row, value)
    return out


async def test_the_ledger_counts_what_a_rebuild_from_the_rows_counts(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core(min_group_size=1)
    plan = [("Platform", "a@x.io", "all"), ("Platform", "b@x.io", "rubric-no"), ("Data", "c@x.io", "none")]
    await answered(graph, plan, clock=clock, ended_ago=timedelta(days=3))
    await answered(graph, [("Data", "d@x.io", "all")], clock=clock, ended_ago=timedelta(days=1))
    as_it_happened = await cells(graph)
    assert sum(c.get("answers", 0) for c in as_it_happened.values()) == 3
    assert sum(c.get("sent", 0) for c in as_it_happened.values()) == 4
    await ledger.rebuild(sessions=graph.sessions, settings=graph.config.core)
    assert await cells(graph) == as_it_happened


async def test_a_late_answer_counts_today_and_leaves_the_days_that_are_over_alone(
    make_core: MakeCore, clock: Clock
) -> None:
    graph = await make_core(min_group_size=1)
    await answered(graph, [("Platform", "a@x.io", "all"), ("Platform", "b@x.io", "none")], clock=clock)
    before = await graph.reports.table()
    async with unit_of_work(graph.sessions) as session:
        late = next(p for p in await session.exec(select(Prompt)) if p.state == "sent")
    raj = Actor(platform="playground", user_id="b@x.io", email="b@x.io")
    await graph.interactions.on_button(ButtonClicked(actor=raj, action_id="checkin.all", value=str(late.id)))
    after = await graph.reports.table()
    assert after.published == before.published  # the same figures, to the last one
    seven = after.figures("7d")
    assert seven is not None and (seven.checkins, seven.prompts_sent, seven.response_rate) == (1, 2, 0.5)
    clock.tomorrow()
    tomorrow = (await graph.reports.table()).figures("7d")
    assert tomorrow is not None and (tomorrow.checkins, tomorrow.response_rate) == (2, 1.0)


async def test_a_changed_answer_counts_on_the_day_it_changed_and_not_mine_takes_it_back(
    make_core: MakeCore, clock: Clock
) -> None:
    graph = await make_core(min_group_size=1)
    await answered(graph, [("Platform", "ana@x.io", "all")], clock=clock, ended_ago=timedelta(days=2))
    async with unit_of_work(graph.sessions) as session:
        prompt = (await session.exec(select(Prompt))).one()
    change = FormSubmitted(actor=ANA, form_id="checkin.detail", context=str(prompt.id), values=RUBRIC_NO)
    assert not (await graph.interactions.on_form(change)).errors
    today = datetime.now(UTC).date().isoformat()
    edited = (await cells(graph))[(today, "Platform", "Senior Backend Engineer")]
    assert edited == {"edits": 1, "all_followed": -1, "rubric:yes": -1, "rubric:no": 1, "accommodations:yes": -1,
                      "accommodations:na": 1}  # fmt: skip
    await graph.interactions.on_button(ButtonClicked(actor=ANA, action_id="checkin.not_mine", value=str(prompt.id)))
    clock.tomorrow()
    f = (await graph.reports.table()).figures("7d")
    assert f is None  # nothing is left to show: sent and answered, then taken back
    totals = {key: sum(c.get(key, 0) for c in (await cells(graph)).values()) for key in ("sent", "unsent", "answers")}
    assert totals == {"sent": 1, "unsent": 1, "answers": 1}


async def test_a_database_from_before_the_ledger_is_counted_once_at_start(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core(min_group_size=1)
    await answered(graph, [("Platform", "a@x.io", "all"), ("Data", "b@x.io", "all")], clock=clock)
    counted = await cells(graph)
    async with unit_of_work(graph.sessions) as session:
        await activity.clear(session=session)  # as the database was before the ledger
    assert await ledger.start(sessions=graph.sessions, settings=graph.config.core) is True
    assert await cells(graph) == counted
    assert await ledger.start(sessions=graph.sessions, settings=graph.config.core) is False  # once


async def test_an_interview_that_came_in_today_is_in_no_figure_until_tomorrow(
    make_core: MakeCore, clock: Clock
) -> None:
    graph = await make_core(min_group_size=1)
    await graph.intake.ingest(interview("today-1", emails=("ana@x.io",)))
    await graph.delivery.dispatch_due()
    assert (await graph.reports.table()).published == {}
    clock.tomorrow()
    assert (await graph.reports.stats(period="7d")).suppressed  # one prompt, no answer: under any threshold
