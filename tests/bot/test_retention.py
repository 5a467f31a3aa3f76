"""Retention: old raw check-ins become monthly counts and are deleted; recent ones and open concerns stay."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from bot.events import Actor, FormSubmitted
from storage.db import unit_of_work
from storage.models import CheckIn, CheckInAnswer, Concern, Interview, Prompt, Rollup
from tests.bot.test_digests import answered_days_ago
from tests.conftest import StartApp, interview


async def count(running, model) -> int:  # type: ignore[no-untyped-def]
    async with unit_of_work(running.core.sessions) as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_purge_keeps_monthly_counts_and_deletes_raw_rows_past_retention(start_app: StartApp) -> None:
    running = await start_app(min_group_size=1, retention="30d")
    old = [("Platform", "ana@x.io", "all"), ("Platform", "raj@x.io", "rubric-no"), ("Data", "mia@x.io", "all")]
    await answered_days_ago(running, old, days=40)
    async with unit_of_work(running.core.sessions) as session:
        [raj] = (await session.exec(select(Prompt).where(Prompt.team == "Platform").order_by(Prompt.id))).all()[1:]
    actor = Actor(platform="playground", user_id="raj@x.io", email="raj@x.io")
    concern = FormSubmitted(
        actor=actor, form_id="checkin.concern", context=str(raj.id), values={"text": "Late rubric."}
    )
    await running.core.on_form(concern)
    await running.core.ingest(interview("fresh", emails=("tom@x.io",), ended_ago=timedelta(days=1)))

    counts = await running.core.purge()
    assert counts["checkins"] == 3 and counts["prompts"] == 3 and counts["interviews"] == 3
    assert await count(running, CheckIn) == 0 and await count(running, CheckInAnswer) == 0
    assert await count(running, Interview) == 1 and await count(running, Prompt) == 1  # the fresh one stays
    async with unit_of_work(running.core.sessions) as session:
        [kept] = (await session.exec(select(Concern))).all()
        cells = {(r.team, r.practice): (r.yes, r.no, r.na) for r in await session.exec(select(Rollup))}
    assert kept.status == "open" and kept.prompt_id is None  # still in digests until someone resolves it
    assert cells[("Platform", "")] == (2, 1, 0)  # 2 check-ins, 1 with all practices followed
    assert cells[("Platform", "rubric")] == (1, 1, 0) and cells[("Platform", "accommodations")] == (1, 0, 1)
    assert cells[("Data", "")] == (1, 1, 0)

    again = await running.core.purge()
    assert again["checkins"] == 0 and (await count(running, Rollup)) == len(cells)  # nothing counted twice


async def test_the_scheduled_purge_runs_once_a_day_across_replicas(start_app: StartApp) -> None:
    running = await start_app(min_group_size=1, retention="30d")
    await answered_days_ago(running, [("Platform", "ana@x.io", "all")], days=40)
    first = await running.core.purge(daily=True)
    second = await running.core.purge(daily=True)  # another replica, the same day
    assert first["checkins"] == 1 and second == {}


async def test_the_monthly_counts_kept_after_a_purge_are_exported_with_the_threshold(start_app: StartApp) -> None:
    from bot import export

    running = await start_app(min_group_size=1, retention="30d")
    plan = [("Platform", "ana@x.io", "all"), ("Platform", "raj@x.io", "rubric-no"), ("Data", "mia@x.io", "all")]
    await answered_days_ago(running, plan, days=40)
    await running.core.purge()
    rows = await export.monthly(sessions=running.core.sessions, settings=running.core.settings)
    by_scope = {r["scope"]: r for r in rows}
    assert list(by_scope) == ["everyone", "team:Data", "team:Platform"] and len({r["month"] for r in rows}) == 1
    assert (by_scope["everyone"]["checkins"], by_scope["everyone"]["all_practices_rate"]) == (3, 0.6667)
    assert by_scope["team:Platform"]["practice:rubric"] == 0.5 and by_scope["team:Data"]["checkins"] == 1
    strict = running.core.settings.model_copy(update={"min_group_size": 2})
    hidden = {r["scope"]: r for r in await export.monthly(sessions=running.core.sessions, settings=strict)}
    assert hidden["everyone"]["checkins"] == 3
    # Data (1) is under the threshold, so Platform (2) is hidden with it: everyone minus Platform would show Data
    assert [hidden[t]["suppressed"] for t in ("team:Data", "team:Platform")] == [True, True]
    assert hidden["team:Platform"]["checkins"] is None and hidden["team:Platform"]["practice:rubric"] is None
    text = export.render(rows, "csv", export.MONTHLY)
    assert text.splitlines()[0].startswith("scope,month,suppressed,checkins,all_practices_rate,practice:structured")
