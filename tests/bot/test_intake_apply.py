"""Intake.apply: one ATS event in one transaction (claim its key, upsert, cancel), all of it or none of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.intake.records import InterviewIn
from storage.db import Conflict, unit_of_work
from storage.models import Interview, ProcessedEvent, Prompt
from tests.support.app import interview
from tests.support.core import MakeCore


def record(external_id: str, **extra: object) -> InterviewIn:
    return InterviewIn.model_validate(interview(external_id, ended_ago=timedelta(hours=-2), **extra))


async def stored(make: MakeCore) -> tuple[dict[str, str], set[str], list[str]]:
    graph = await make()
    async with unit_of_work(graph.sessions) as session:
        interviews = {i.external_id: i.status for i in await session.exec(select(Interview))}
        prompts = {p.state for p in await session.exec(select(Prompt))}
        keys = [e.key for e in await session.exec(select(ProcessedEvent))]
    return interviews, prompts, keys


async def test_a_key_is_applied_once_and_a_schedule_prefix_cancels_what_it_dropped(make_core: MakeCore) -> None:
    intake = (await make_core()).intake
    assert await intake.apply(key="ashby:1", upserts=[record("ashby:s1:a"), record("ashby:s1:b")])
    assert await intake.apply(key="ashby:1", cancel_ids=["ashby:s1:a"]) is False  # a redelivery changes nothing
    assert await intake.apply(key="ashby:2", upserts=[record("ashby:s1:a")], replace_prefix="ashby:s1:")
    assert (await stored(make_core))[0] == {"ashby:s1:a": "scheduled", "ashby:s1:b": "cancelled"}
    assert await intake.apply(key=None, cancel_refs=["opaque-1"])  # every interview of that candidate
    interviews, prompts, keys = await stored(make_core)
    assert (set(interviews.values()), prompts, sorted(keys)) == ({"cancelled"}, {"cancelled"}, ["ashby:1", "ashby:2"])


async def test_a_failure_rolls_back_the_key_too_so_the_vendors_retry_goes_through(make_core: MakeCore) -> None:
    intake = (await make_core()).intake
    twice = [record("lever:x"), record("lever:x")]  # the same new interview twice breaks the unique external id
    with pytest.raises(Conflict):
        await intake.apply(key="lever:evt-1", upserts=twice)
    assert await stored(make_core) == ({}, set(), [])
    assert await intake.apply(key="lever:evt-1", upserts=[record("lever:x")])
    assert (await stored(make_core))[0] == {"lever:x": "scheduled"}
