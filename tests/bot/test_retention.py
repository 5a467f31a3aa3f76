"""Retention: old raw check-ins become monthly counts and are deleted; recent ones and open concerns stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import func, select

from bot.events import Actor, FormSubmitted
from bot.reports import export
from fairloop.compose import Graph
from storage.counts import Rollup
from storage.db import unit_of_work
from storage.models import CheckIn, CheckInAnswer, Concern, Interview, Prompt
from tests.support.app import interview
from tests.support.core import Clock, MakeCore, answered_days_ago


async def count(graph: Graph, model: Any) -> int:
    async with unit_of_work(graph.sessions) as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_purge_keeps_monthly_counts_and_deletes_raw_rows_past_retention(
    make_core: MakeCore, clock: Clock
) -> None:
    graph = await make_core(min_group_size=1, retention="30d")
    old = [("Platform", "ana@x.io", "all"), ("Platform", "raj@x.io", "rubric-no"), ("Data", "mia@x.io", "all")]
    await answered_days_ago(graph, old, days=40, clock=clock)
    async with unit_of_work(graph.sessions) as session:
        [raj] = (await session.exec(select(Prompt).where(Prompt.team == "Platform").order_by(Prompt.id))).all()[1:]
    actor = Actor(platform="playground", user_id="raj@x.io", email="raj@x.io")
    concern = FormSubmitted(
        actor=actor, form_id="checkin.concern", context=str(raj.id), values={"text": "Late rubric."}
    )
    await graph.interactions.on_form(concern)
    await graph.intake.ingest(interview("fresh", emails=("tom@x.io",), ended_ago=timedelta(days=1)))

    counts = await graph.retention.purge()
    assert counts["checkins"] == 3 and counts["prompts"] == 3 and counts["interviews"] == 3
    assert await count(graph, CheckIn) == 0 and await count(graph, CheckInAnswer) == 0
    assert await count(graph, Interview) == 1 and await count(graph, Prompt) == 1  # the fresh one stays
    async with unit_of_work(graph.sessions) as session:
        [kept] = (await session.exec(select(Concern))).all()
        cells = {(r.team, r.practice): (r.yes, r.no, r.na) for r in await session.exec(select(Rollup))}
    assert kept.status == "open" and kept.prompt_id is None  # still in digests until someone resolves it
    assert cells[("Platform", "")] == (2, 1, 0)  # 2 check-ins, 1 with all practices followed
    assert cells[("Platform", "rubric")] == (1, 1, 0) and cells[("Platform", "accommodations")] == (1, 0, 1)
    assert cells[("Data", "")] == (1, 1, 0)

    again = await graph.retention.purge()
    assert again["checkins"] == 0 and (await count(graph, Rollup)) == len(cells)  # nothing counted twice


async def test_the_scheduled_purge_runs_once_a_day_across_replicas(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core(min_group_size=1, retention="30d")
    await answered_days_ago(graph, [("Platform", "ana@x.io", "all")], days=40, clock=clock)
    first = await graph.retention.purge(daily=True)
    second = await graph.retention.purge(daily=True)  # another replica, the same day
    assert first["checkins"] == 1 and second == {}


async def test_the_monthly_counts_kept_after_a_purge_are_exported_with_the_threshold(
    make_core: MakeCore, clock: Clock
) -> None:
    graph = await make_core(min_group_size=1, retention="30d")
    plan = [("Platform", "ana@x.io", "all"), ("Platform", "raj@x.io", "rubric-no"), ("Data", "mia@x.io", "all")]
    await answered_days_ago(graph, plan, days=40, clock=clock)
    await graph.retention.purge()
    rows = await graph.reports.monthly()
    by_scope = {r["scope"]: r for r in rows}
    assert list(by_scope) == ["everyone", "team:Data", "team:Platform"] and len({r["month"] for r in rows}) == 1
    assert (by_scope["everyone"]["checkins"], by_scope["everyone"]["all_practices_rate"]) == (3, 0.6667)
    assert by_scope["team:Platform"]["practice:rubric"] == 0.5 and by_scope["team:Data"]["checkins"] == 1
    strict = await make_core(min_group_size=2)  # another process on the same database, with a higher threshold
    hidden = {r["scope"]: r for r in await strict.reports.monthly()}
    assert hidden["everyone"]["checkins"] == 3
    # Data (1) is under the threshold, so Platform (2) is hidden with it: everyone minus Platform would show Data
    assert [hidden[t]["suppressed"] for t in ("team:Data", "team:Platform")] == [True, True]
    assert hidden["team:Platform"]["checkins"] is None and hidden["team:Platform"]["practice:rubric"] is None
    text = export.render(rows, "csv", export.MONTHLY)
    assert text.splitlines()[0].startswith("scope,month,suppressed,checkins,all_practices_rate,practice:structured")
