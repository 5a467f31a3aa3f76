"""Dispatch: each due prompt is sent exactly once, even with overlapping jobs and two processes."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.events import Actor, ButtonClicked
from fairloop.compose import Graph
from storage import db
from storage.models import Prompt
from storage.people import get_person_by_email, identities_of
from tests.support.app import interview
from tests.support.core import MakeCore, prompt_states
from tests.support.outbox import FakeOutbox


async def test_overlapping_dispatchers_in_two_processes_send_each_prompt_once(make_core: MakeCore) -> None:
    outbox = FakeOutbox()
    a, b = await make_core(outboxes={"playground": outbox}), await make_core(outboxes={"playground": outbox})
    emails = tuple(f"p{i}@example.com" for i in range(60))
    await a.intake.ingest({"interviews": [interview(f"x-{i}", emails=(e,)) for i, e in enumerate(emails)]})
    sent = await asyncio.gather(
        a.delivery.dispatch_due(), a.delivery.dispatch_due(), b.delivery.dispatch_due(), b.delivery.dispatch_due()
    )
    assert sum(sent) == 60
    assert sorted(outbox.sent) == sorted(emails)
    assert await prompt_states(a) == {"sent": 60}
    assert await a.delivery.dispatch_due() == 0


async def test_unknown_people_become_undeliverable_with_the_reason_and_stats_count_them(make_core: MakeCore) -> None:
    core = await make_core(outboxes={"slack": FakeOutbox("slack", unknown={"ghost@example.com"})})
    await core.intake.ingest({"interviews": [interview("u-1", emails=("ana@example.com", "ghost@example.com"))]})
    assert await core.delivery.dispatch_due() == 1
    async with db.unit_of_work(core.sessions) as session:
        ghost = [p for p in await session.exec(select(Prompt)) if p.state == "undeliverable"]
    assert [(p.state, p.reason) for p in ghost] == [("undeliverable", "users_not_found")]
    assert (await core.reports.stats(period="7d")).suppressed  # under the threshold of 5: no figures and no reasons
    ana = Actor(platform="slack", user_id="U-ana@example.com")
    answered = [p for p in await _prompts(core) if p.state == "sent"][0]
    await core.interactions.on_button(ButtonClicked(actor=ana, action_id="checkin.all", value=str(answered.id)))
    permissive = await make_core(min_group_size=1, outboxes={})
    figures = (await permissive.reports.stats(period="7d")).to_json()
    assert (figures["undeliverable"], figures["undeliverable_reasons"]) == (1, {"users_not_found": 1})
    assert (figures["prompts_sent"], figures["checkins"], figures["response_rate"]) == (1, 1, 1.0)


async def _prompts(graph: Graph) -> list[Prompt]:
    async with db.unit_of_work(graph.sessions) as session:
        return list(await session.exec(select(Prompt)))


async def test_a_platform_outage_releases_the_prompt_for_a_later_retry(make_core: MakeCore) -> None:
    outbox = FakeOutbox(flaky=1)
    core = await make_core(outboxes={"playground": outbox})
    await core.intake.ingest(interview("f-1"))
    assert await core.delivery.dispatch_due() == 0
    assert await prompt_states(core) == {"scheduled": 1}
    async with db.unit_of_work(core.sessions) as session:
        prompt = (await session.exec(select(Prompt))).one()
        prompt.claimed_until = None  # the 30 s back-off has passed
        session.add(prompt)
    assert await core.delivery.dispatch_due() == 1
    assert outbox.sent == ["ana@example.com"] and await prompt_states(core) == {"sent": 1}


async def test_the_platform_identity_and_timezone_are_cached(make_core: MakeCore) -> None:
    core = await make_core(outboxes={"playground": FakeOutbox()})
    await core.intake.ingest(interview("tz-1"))
    await core.delivery.dispatch_due()
    async with db.unit_of_work(core.sessions) as session:
        person = await get_person_by_email(session=session, email="ana@example.com")
        ids = await identities_of(session=session, person_id=person.id)
    assert person.timezone == "Europe/Berlin" and person.first_prompted_at is not None
    assert [(i.platform, i.user_id) for i in ids] == [("playground", "U-ana@example.com")]
