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
