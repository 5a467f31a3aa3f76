"""Who is who: people behind platform identities, the channels the bot can post to, and once-only event keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.batching import Batcher
from bot.events import Actor
from bot.tokens import Signer
from storage import db
from storage.db import Session, Sessions, unit_of_work
from storage.models import Person
from storage.people import (
    claim_key,
    claim_keys,
    get_channel,
    get_or_create_person,
    get_person,
    identity_for,
    people_by_user_ids,
    release_key,
    save_channel,
    save_identity,
)


async def resolve_person(*, session: Session, actor: Actor) -> Person | None:
    """The person behind a platform identity; links the identity by email the first time we see one."""
    identity = await identity_for(session=session, platform=actor.platform, user_id=actor.user_id)
    if identity is not None:
        person = await get_person(session=session, person_id=identity.person_id)
    elif actor.email:
        person = await get_or_create_person(session=session, email=actor.email)
        await save_identity(session=session, person_id=person.id or 0, platform=actor.platform, user_id=actor.user_id)
    else:
        return None
    if person is not None and actor.display_name and person.display_name != actor.display_name:
        person.display_name = actor.display_name
        await db.save(session, person)
    return person


async def resolve_people(*, session: Session, actors: Sequence[Actor]) -> dict[tuple[str, str], Person | None]:
    """resolve_person for many actors at once, keyed by (platform, user id): those with an identity in one query
    per platform, anyone new one by one."""
    known: dict[tuple[str, str], Person] = {}
    for platform in {a.platform for a in actors}:
        ids = {a.user_id for a in actors if a.platform == platform}
        found = await people_by_user_ids(session=session, platform=platform, user_ids=ids)
        known.update({(platform, user_id): person for user_id, person in found.items()})
    out: dict[tuple[str, str], Person | None] = {}
    for actor in actors:
        key = (actor.platform, actor.user_id)
        person = known.get(key)
        if person is None:
            out[key] = person = await resolve_person(session=session, actor=actor)
            if person is not None:
                known[key] = person
            continue
        if actor.display_name and person.display_name != actor.display_name:
            person.display_name = actor.display_name
            await db.save(session, person)
        out[key] = person
    return out


class Directory:
    """People, identities and channels as adapters report them, and keys that make retried work happen once."""

    def __init__(self, *, sessions: Sessions, signer: Signer) -> None:
        self._sessions = sessions
        self._signer = signer
        self._replays = Batcher(self._claim_replays)  # every signed request claims one: together under load

    async def remember_person(self, actor: Actor, address: Mapping[str, Any]) -> None:
        """Keep how to reach this person on their platform (and their name and timezone) up to date."""
        async with unit_of_work(self._sessions) as session:
            if actor.email:
                person: Person | None = await get_or_create_person(session=session, email=actor.email)
            else:
                person = await resolve_person(session=session, actor=actor)
            if person is None:
                return
            changed = False
            if actor.display_name and person.display_name != actor.display_name:
                person.display_name, changed = actor.display_name, True
            if actor.timezone and person.timezone != actor.timezone:
                person.timezone, changed = actor.timezone, True
            if changed:
                await db.save(session, person)
            await save_identity(
                session=session,
                person_id=person.id or 0,
                platform=actor.platform,
                user_id=actor.user_id,
                address=address,
            )

    async def remember_channel(self, *, platform: str, name: str, address: Mapping[str, Any]) -> None:
        async with unit_of_work(self._sessions) as session:
            await save_channel(session=session, platform=platform, name=name, address=address)

    async def channel_address(self, platform: str, name: str) -> Mapping[str, Any] | None:
        """The address stored for a channel registered under `name` (None when there is none)."""
        async with unit_of_work(self._sessions) as session:
            channel = await get_channel(session=session, platform=platform, name=name)
            return dict(channel.address) if channel is not None else None

    async def first_time(self, key: str, *, forever: bool = False) -> bool:
        """True the first time `key` is seen (by any replica); a platform retry or a double click gets False.
        Keys are forgotten after a month unless `forever` (a welcome that must never repeat)."""
        async with unit_of_work(self._sessions) as session:
            return await claim_key(session=session, key=key, forever=forever)

    async def first_delivery(self, key: str) -> bool:
        """True the first time a request (a Slack signature, a Teams activity) is seen by any replica; a replay
        gets False. It is written the moment someone acts, anonymous feedback included, so what is stored says
        neither what nor when: a keyed hash of `key` (a Teams message id is a timestamp, and an unkeyed hash of
        one is guessed back in a second), dated to the day."""
        return await self._replays(self.replay_key(key))

    def replay_key(self, key: str) -> str:
        """What first_delivery claims for `key`, for a caller that claims it in a transaction of its own."""
        return self._signer.keyed(f"replay:{key}")

    async def _claim_replays(self, keys: Sequence[str]) -> list[bool]:
        async with unit_of_work(self._sessions) as session:
            return await claim_keys(session=session, keys=keys, replay=True)

    async def forget(self, key: str) -> None:
        """Let the work `key` guarded be tried again (it failed before it was done)."""
        async with unit_of_work(self._sessions) as session:
            await release_key(session=session, key=key)
