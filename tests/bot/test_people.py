"""People and platform identities: first messages arriving at once create one person, one identity."""

from __future__ import annotations

import asyncio

from sqlmodel import func, select

from bot.events import Actor
from storage.db import unit_of_work
from storage.models import Identity, Person
from tests.support.core import MakeCore


async def test_simultaneous_first_messages_create_one_person_and_one_identity(make_core: MakeCore) -> None:
    a, b = await make_core(), await make_core()
    actor = Actor(platform="teams", user_id="aad-ana", email="Ana@Example.com", display_name="Ana")
    await asyncio.gather(*(g.directory.remember_person(actor, {"conversation": "c1"}) for g in (a, b, a, b, a, b)))
    async with unit_of_work(a.sessions) as session:
        people = (await session.exec(select(Person))).all()
        identities = (await session.exec(select(func.count()).select_from(Identity))).one()
    assert [(p.email, p.display_name) for p in people] == [("ana@example.com", "Ana")]
    assert identities == 1


async def test_speaking_again_does_not_rewrite_the_identity(make_core: MakeCore) -> None:
    a = await make_core()
    actor = Actor(platform="teams", user_id="aad-raj", email="raj@example.com")
    await a.directory.remember_person(actor, {"conversation": "c1"})
    async with unit_of_work(a.sessions) as session:
        first = (await session.exec(select(Identity))).one().updated_at
    await a.directory.remember_person(
        actor, {"conversation": "c1"}
    )  # e.g. sending anonymous feedback: nothing to date it
    async with unit_of_work(a.sessions) as session:
        assert (await session.exec(select(Identity))).one().updated_at == first
    await a.directory.remember_person(actor, {"conversation": "c2"})  # a new chat: the address, and its time, change
    async with unit_of_work(a.sessions) as session:
        moved = (await session.exec(select(Identity))).one()
    assert moved.address == {"conversation": "c2"} and moved.updated_at > first


async def test_requests_arriving_together_are_each_first_once_across_replicas(make_core: MakeCore) -> None:
    """Replay keys are claimed in batches: within a batch, and between replicas, each request is new exactly once."""
    a, b = await make_core(), await make_core()
    firsts = await asyncio.gather(*(g.directory.first_delivery(k) for g, k in
                                    [(a, "s1"), (a, "s1"), (a, "s2"), (b, "s2"), (b, "s3"), (a, "s3")]))  # fmt: skip
    assert sum(firsts[:2]) == 1 and sum(firsts[2:4]) == 1 and sum(firsts[4:]) == 1
    assert firsts[:2] == [True, False]  # the same key twice in one batch: its first is the new one
    assert not await a.directory.first_delivery("s1") and not await b.directory.first_delivery("s1")
    assert await b.directory.first_delivery("s4")
