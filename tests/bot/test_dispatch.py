"""Dispatch: each due prompt is sent exactly once, even with overlapping jobs and two processes."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.service import Core
from storage import db
from storage.models import Prompt
from tests.bot.fakes import FakeOutbox, states
from tests.conftest import interview


async def test_overlapping_dispatchers_in_two_processes_send_each_prompt_once(cores: tuple[Core, Core]) -> None:
    a, b = cores
    emails = tuple(f"p{i}@example.com" for i in range(60))
    await a.ingest({"interviews": [interview(f"x-{i}", emails=(e,)) for i, e in enumerate(emails)]})
    outbox = FakeOutbox()
    a.outboxes["playground"] = b.outboxes["playground"] = outbox
    sent = await asyncio.gather(a.dispatch_due(), a.dispatch_due(), b.dispatch_due(), b.dispatch_due())
    assert sum(sent) == 60
    assert sorted(outbox.sent) == sorted(emails)
    assert await states(a) == {"sent": 60}
    assert await a.dispatch_due() == 0


async def test_unknown_people_become_undeliverable_with_the_reason_and_stats_count_them(
    cores: tuple[Core, Core],
) -> None:
    core, _ = cores
    await core.ingest({"interviews": [interview("u-1", emails=("ana@example.com", "ghost@example.com"))]})
    core.outboxes["slack"] = FakeOutbox("slack", unknown={"ghost@example.com"})
    assert await core.dispatch_due() == 1
    async with db.unit_of_work(core.sessions) as session:
        ghost = [p for p in await session.exec(select(Prompt)) if p.state == "undeliverable"]
    assert [(p.state, p.reason) for p in ghost] == [("undeliverable", "users_not_found")]
    assert (await core.stats(period="7d")).suppressed  # under the threshold of 5: no figures and no reasons
    from bot.events import Actor, ButtonClicked

    ana = Actor(platform="slack", user_id="U-ana@example.com")
    answered = [p for p in await _prompts(core) if p.state == "sent"][0]
    await core.on_button(ButtonClicked(actor=ana, action_id="checkin.all", value=str(answered.id)))
    permissive = Core(
        settings=core.settings.model_copy(update={"min_group_size": 1}), sessions=core.sessions, signer=core.signer
    )
    figures = (await permissive.stats(period="7d")).to_json()
    assert (figures["undeliverable"], figures["undeliverable_reasons"]) == (1, {"users_not_found": 1})
    assert (figures["prompts_sent"], figures["checkins"], figures["response_rate"]) == (1, 1, 1.0)


async def _prompts(core: Core) -> list[Prompt]:
    async with db.unit_of_work(core.sessions) as session:
        return list(await session.exec(select(Prompt)))


async def test_a_platform_outage_releases_the_prompt_for_a_later_retry(cores: tuple[Core, Core]) -> None:
    core, _ = cores
    await core.ingest(interview("f-1"))
    core.outboxes["playground"] = outbox = FakeOutbox(flaky=1)
    assert await core.dispatch_due() == 0
    assert await states(core) == {"scheduled": 1}
    async with db.unit_of_work(core.sessions) as session:
        prompt = (await session.exec(select(Prompt))).one()
        prompt.claimed_until = None  # the 30 s back-off has passed
        session.add(prompt)
    assert await core.dispatch_due() == 1
    assert outbox.sent == ["ana@example.com"] and await states(core) == {"sent": 1}


async def test_the_platform_identity_and_timezone_are_cached(cores: tuple[Core, Core]) -> None:
    core, _ = cores
    await core.ingest(interview("tz-1"))
    core.outboxes["playground"] = FakeOutbox()
    await core.dispatch_due()
    from storage.people import get_person_by_email, identities_of

    async with db.unit_of_work(core.sessions) as session:
        person = await get_person_by_email(session=session, email="ana@example.com")
        ids = await identities_of(session=session, person_id=person.id)
    assert person.timezone == "Europe/Berlin" and person.first_prompted_at is not None
    assert [(i.platform, i.user_id) for i in ids] == [("playground", "U-ana@example.com")]
