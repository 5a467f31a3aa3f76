"""**All practices followed** clicked by many at once is recorded together (bot/checkins/bulk.py), and ends exactly
as one click at a time through `answers.record` does: the same check-ins, answers, prompt states, ledger counts
and replies, whatever the mix of owners, strangers, repeats, "not mine" and "change my answer"."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.checkins import answers, cards
from bot.errors import FairloopError
from bot.events import Actor, ButtonClicked
from bot.replies import Reply, notice
from fairloop.compose import Graph
from storage.counts import Activity, ActivityPractice
from storage.db import unit_of_work
from storage.models import CheckIn, CheckInAnswer, Prompt
from tests.support.app import interview
from tests.support.core import Clock, MakeCore, text_of

TEAMS = ("Platform", "Data")
PEOPLE = ("ana", "raj", "lee")
Step = tuple[str, int, str]  # (action, prompt index, "owner" | "stranger")


async def world(graph: Graph, tag: str) -> list[tuple[int, str]]:
    """Two interviews per team, each with every person on the panel, prompted; (prompt id, owner email) in order."""
    items = [
        interview(f"{tag}-{team}-{n}", team=f"{tag}{team}", emails=tuple(f"{tag.lower()}{p}@x.io" for p in PEOPLE),
                  ended_ago=timedelta(hours=2 + n))
        for team in TEAMS for n in range(2)
    ]  # fmt: skip
    await graph.intake.ingest({"interviews": items})
    while await graph.delivery.dispatch_due():
        pass
    async with unit_of_work(graph.sessions) as session:
        rows = await session.exec(select(Prompt).where(Prompt.team.startswith(tag)).order_by(Prompt.id))  # type: ignore[attr-defined]
        prompts = list(rows)
    async with unit_of_work(graph.sessions) as session:
        emails = {p.id: await owner(session, p.person_id) for p in prompts}
    return [(p.id or 0, emails[p.id]) for p in prompts]


async def sent_together(graph: Graph, prompts: list[tuple[int, str]]) -> None:
    """Both worlds' prompts sent at the same instant: they are delivered at the wall clock's time a few
    milliseconds apart, and a second boundary between them would change the whole seconds each answer took."""
    ids = [pid for pid, _ in prompts]
    async with unit_of_work(graph.sessions) as session:
        first = await session.get(Prompt, ids[0])
        assert first is not None and first.sent_at is not None
        await session.exec(sa.update(Prompt).where(Prompt.id.in_(ids)).values(sent_at=first.sent_at))  # type: ignore[union-attr,call-overload]


async def owner(session: Any, person_id: int) -> str:
    from storage.models import Person

    person = await session.get(Person, person_id)
    return str(person.email)


def actor(email: str) -> Actor:
    return Actor(platform="playground", user_id=email, email=email)


def event(step: Step, prompts: list[tuple[int, str]], tag: str) -> ButtonClicked:
    action, index, who = step
    prompt_id, email = prompts[index]
    name = email.split("@")[0].removeprefix(tag.lower())
    stranger = f"{tag.lower()}{PEOPLE[(PEOPLE.index(name) + 1) % len(PEOPLE)]}@x.io"
    return ButtonClicked(actor=actor(email if who == "owner" else stranger), action_id=action, value=str(prompt_id))


async def reference(graph: Graph, clicked: ButtonClicked, clock: Clock) -> Reply:
    """One **All practices followed** click recorded on its own, through answers.record."""
    settings = graph.config.core
    try:
        async with unit_of_work(graph.sessions) as session:
            loaded = await answers.load_for(session=session, actor=clicked.actor, prompt_value=clicked.value)
            everything = {p.key: "yes" for p in settings.practices}
            message = await answers.record(
                session=session, loaded=loaded, settings=settings, now=clock(), kind="all", answers=everything
            )
        return Reply(message=message)
    except FairloopError as exc:
        return Reply(notice=notice(exc.text))


async def snapshot(graph: Graph, prompts: list[tuple[int, str]], tag: str) -> dict[str, Any]:
    index = {pid: i for i, (pid, _) in enumerate(prompts)}
    async with unit_of_work(graph.sessions) as session:
        states = {index[p.id]: (p.state, p.reason) for p in await session.exec(select(Prompt)) if p.id in index}
        checkins = {c.id: c for c in await session.exec(select(CheckIn)) if c.prompt_id in index}
        given: dict[int, dict[str, str]] = {}
        for a in await session.exec(select(CheckInAnswer)):
            if a.checkin_id in checkins:
                given.setdefault(index[checkins[a.checkin_id].prompt_id], {})[a.practice] = a.value
        cells = {(r.team[len(tag) :], r.role): r.model_dump(exclude={"id", "team", "day"})
                 for r in await session.exec(select(Activity)) if r.team.startswith(tag)}  # fmt: skip
        practices = {(r.team[len(tag) :], r.practice): (r.yes, r.no, r.na)
                     for r in await session.exec(select(ActivityPractice)) if r.team.startswith(tag)}  # fmt: skip
    rows = {index[c.prompt_id]: (c.kind, c.all_followed, c.note, c.answer_seconds) for c in checkins.values()}
    return {"states": states, "checkins": rows, "answers": given, "ledger": cells, "practices": practices}


def said(reply: Reply, tag: str) -> str:
    shown = reply.message or reply.notice
    return text_of(shown).replace(tag, "") if shown else ""


def script(seed: int) -> list[Step]:
    rnd = random.Random(seed)
    actions = [cards.ALL] * 6 + [cards.NOT_MINE, cards.CHANGE]
    return [
        (rnd.choice(actions), rnd.randrange(len(TEAMS) * 2 * len(PEOPLE)), rnd.choice(["owner"] * 5 + ["stranger"]))
        for _ in range(40)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_clicks_recorded_together_end_as_one_at_a_time(make_core: MakeCore, clock: Clock, seed: int) -> None:
    graph = await make_core(min_group_size=1)
    ours, theirs = await world(graph, "ZQ"), await world(graph, "XK")
    await sent_together(graph, ours + theirs)
    clock.set(datetime.now(UTC))
    steps = script(seed)
    mine: list[Reply] = []
    i = 0
    while i < len(steps):  # each run of All-followed clicks at once (they go in one batch), the rest one by one
        j = i
        while j < len(steps) and steps[j][0] == cards.ALL:
            j += 1
        if j > i:
            mine += await asyncio.gather(*(graph.interactions.on_button(event(s, ours, "ZQ")) for s in steps[i:j]))
            i = j
        else:
            mine.append(await graph.interactions.on_button(event(steps[i], ours, "ZQ")))
            i += 1
    expected: list[Reply] = []
    for step in steps:
        clicked = event(step, theirs, "XK")
        expected.append(
            await reference(graph, clicked, clock)
            if step[0] == cards.ALL
            else await graph.interactions.on_button(clicked)
        )
    assert [said(r, "ZQ") for r in mine] == [said(r, "XK") for r in expected]
    assert any("belongs to another interviewer" in said(r, "ZQ") for r in mine)  # the script has refusals too
    assert any(a == b == cards.ALL for (a, *_), (b, *_) in zip(steps, steps[1:], strict=False))  # and batches
    assert await snapshot(graph, ours, "ZQ") == await snapshot(graph, theirs, "XK")


async def test_a_batch_that_fails_as_a_whole_is_recorded_click_by_click(
    make_core: MakeCore, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """Another transaction (another replica's) inserts the prompt's check-in while the click's batch is being
    written: the batch's insert conflicts once the other commits, and the click is recorded alone, as a change."""
    graph = await make_core(min_group_size=1)
    [(prompt_id, email), *_] = await world(graph, "ZQ")
    async with unit_of_work(graph.sessions) as session:
        prompt = await session.get(Prompt, prompt_id)
        assert prompt is not None
    now = datetime.now(UTC)
    row = {"prompt_id": prompt_id, "person_id": prompt.person_id, "team": prompt.team, "role": prompt.role,
           "kind": "detail", "all_followed": False, "answer_seconds": 60, "due_at": prompt.due_at,
           "answered_at": now, "updated_at": now}  # fmt: skip
    caplog.set_level(logging.INFO, logger="bot.interactions.service")
    async with graph.engine.connect() as other:
        await other.begin()
        await other.execute(sa.insert(CheckIn.__table__), row)  # type: ignore[attr-defined]
        clicked = ButtonClicked(actor=actor(email), action_id=cards.ALL, value=str(prompt_id))
        task = asyncio.create_task(graph.interactions.on_button(clicked))
        await asyncio.sleep(1.0)  # the batch has read (no check-in yet) and waits to write
        await other.commit()
    reply = await task
    assert reply.message is not None and "all practices followed" in text_of(reply.message)
    assert "recording 1 click(s) together failed" in caplog.text
    async with unit_of_work(graph.sessions) as session:
        [checkin] = list(await session.exec(select(CheckIn).where(CheckIn.prompt_id == prompt_id)))
        cells = list(await session.exec(select(Activity)))
    assert checkin.kind == "all" and checkin.all_followed
    assert sum(c.edits for c in cells) == 1 and sum(c.answers for c in cells) == 0
