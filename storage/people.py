"""Repository functions for people, their platform identities, channels and key/value settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import chunks
from storage.db import insert as db_insert
from storage.models import Channel, Identity, Person, ProcessedEvent, Setting, utcnow


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def get_person(*, session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def people_by_ids(*, session: AsyncSession, person_ids: Iterable[int]) -> dict[int, Person]:
    ids = sorted(set(person_ids))
    found: dict[int, Person] = {}
    for part in chunks(ids):
        result = await session.exec(select(Person).where(col(Person.id).in_(part)))
        found.update({p.id: p for p in result if p.id is not None})
    return found


async def get_person_by_email(*, session: AsyncSession, email: str) -> Person | None:
    result = await session.exec(select(Person).where(Person.email == normalise_email(email)))
    return result.first()


async def get_or_create_person(*, session: AsyncSession, email: str) -> Person:
    """The person with this email, created if new. Two first messages at once both get the one person."""
    person = await get_person_by_email(session=session, email=email)
    if person is not None:
        return person
    try:
        async with session.begin_nested():
            person = Person(email=normalise_email(email))
            session.add(person)
            await session.flush()
        return person
    except IntegrityError:  # created a moment ago by a concurrent request
        found = await get_person_by_email(session=session, email=email)
        assert found is not None
        return found


async def get_people_by_emails(*, session: AsyncSession, emails: list[str]) -> dict[str, Person]:
    """Fetch (creating the missing ones) people for many emails. The missing ones go in with INSERT … ON CONFLICT
    DO NOTHING, so a simultaneous request creating the same person is no error: both get the one person."""
    wanted = {normalise_email(e) for e in emails}
    found = await _people(session, wanted)
    missing = sorted(wanted - found.keys())
    if missing:
        await _insert_missing(session, missing)
        found.update(await _people(session, set(missing)))
    return found


async def person_ids_by_emails(*, session: AsyncSession, emails: list[str]) -> dict[str, int]:
    """Like get_people_by_emails, but only their ids, read as plain rows (intake knows people by id, and a batch
    of interviews names thousands of them)."""
    wanted = {normalise_email(e) for e in emails}
    found = await _ids(session, wanted)
    missing = sorted(wanted - found.keys())
    if missing:
        await _insert_missing(session, missing)
        found.update(await _ids(session, set(missing)))
    return found


async def _insert_missing(session: AsyncSession, emails: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING, 500 at a time: a person created meanwhile by another request is no error."""
    now = utcnow()
    conn = await session.connection()
    for part in chunks(emails):
        rows = [{"email": e, "reminders": True, "created_at": now} for e in part]
        await conn.execute(db_insert(session, Person).on_conflict_do_nothing(index_elements=["email"]), rows)


async def _ids(session: AsyncSession, emails: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    chunk = sorted(emails)
    for part in chunks(chunk):
        rows = await session.exec(select(Person.email, Person.id).where(col(Person.email).in_(part)))
        found.update({email: person_id for email, person_id in rows if person_id is not None})
    return found


async def _people(session: AsyncSession, emails: set[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    chunk = sorted(emails)
    for part in chunks(chunk):
        result = await session.exec(select(Person).where(Person.email.in_(part)))  # type: ignore[attr-defined]
        found.update({p.email: p for p in result})
    return found


async def people_by_user_ids(*, session: AsyncSession, platform: str, user_ids: Iterable[str]) -> dict[str, Person]:
    """{platform user id: person} for those with an identity on `platform`, in one query."""
    ids = sorted(set(user_ids))
    found: dict[str, Person] = {}
    for part in chunks(ids):
        rows = await session.exec(
            select(Identity.user_id, Person)
            .join(Person, col(Person.id) == Identity.person_id)
            .where(Identity.platform == platform, col(Identity.user_id).in_(part))
        )
        found.update(dict(rows.all()))
    return found


async def identity_for(*, session: AsyncSession, platform: str, user_id: str) -> Identity | None:
    result = await session.exec(select(Identity).where(Identity.platform == platform, Identity.user_id == user_id))
    return result.first()


async def identities_of(*, session: AsyncSession, person_id: int) -> list[Identity]:
    result = await session.exec(select(Identity).where(Identity.person_id == person_id).order_by(Identity.id))
    return list(result)


async def save_identity(
    *, session: AsyncSession, person_id: int, platform: str, user_id: str, address: Mapping[str, Any] | None = None
) -> Identity:
    """Create or refresh a person's identity on a platform (the latest address wins)."""
    identity = await identity_for(session=session, platform=platform, user_id=user_id)
    if identity is None:
        try:
            async with session.begin_nested():
                created = Identity(person_id=person_id, platform=platform, user_id=user_id, address=dict(address or {}))
                session.add(created)
                await session.flush()
            return created
        except IntegrityError:  # the same identity saved a moment ago by a concurrent request
            identity = await identity_for(session=session, platform=platform, user_id=user_id)
            assert identity is not None
    changed = identity.person_id != person_id or bool(address and dict(address) != identity.address)
    if changed:  # an unchanged identity is not rewritten: its time says when it changed, not when they last spoke
        identity.person_id = person_id
        identity.address = dict(address) if address else identity.address
        identity.updated_at = utcnow()
        session.add(identity)
        await session.flush()
    return identity


async def save_channel(*, session: AsyncSession, platform: str, name: str, address: Mapping[str, Any]) -> Channel:
    result = await session.exec(select(Channel).where(Channel.platform == platform, Channel.name == name))
    channel = result.first()
    if channel is None:
        channel = Channel(platform=platform, name=name, address=dict(address))
    else:
        channel.address = dict(address)
        channel.updated_at = utcnow()
    session.add(channel)
    await session.flush()
    return channel


async def get_channel(*, session: AsyncSession, platform: str, name: str) -> Channel | None:
    result = await session.exec(select(Channel).where(Channel.platform == platform, Channel.name == name))
    return result.first()


FOREVER = "once:"  # keys under this prefix are never purged (a welcome said once per person, ever)
REPLAY = "replay:"  # a request's signature or activity id: dated to the day only, purged after two days


async def claim_key(*, session: AsyncSession, key: str, forever: bool = False, replay: bool = False) -> bool:
    """Record a processed event key; False when it was already there (a retry or a double click).

    Keys are purged after a month (retries come within minutes), unless `forever`. A `replay` key is written
    the moment someone acts — anonymous feedback included — so it keeps the day only, never the time. One
    INSERT … ON CONFLICT DO NOTHING, not a savepoint: SQLite's driver commits a savepoint that is the first
    statement of a transaction, which would keep the key even when the caller's unit of work (an ATS event:
    claim, upsert, cancel) rolls back."""
    [claimed] = await claim_keys(session=session, keys=[key], forever=forever, replay=replay)
    return claimed


_CLAIMS: dict[str, Any] = {}


async def claim_keys(
    *, session: AsyncSession, keys: Sequence[str], forever: bool = False, replay: bool = False
) -> list[bool]:
    """claim_key for many keys in one statement: for each, whether it was claimed here (a key given twice is
    claimed by its first)."""
    if not keys:
        return []
    prefix = FOREVER if forever else REPLAY if replay else ""
    received = utcnow()
    if replay:
        received = datetime.combine(received.date(), time(), tzinfo=UTC)
    # one statement, built once per dialect, run over many rows: building a VALUES list per batch cost more than
    # the inserts did
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    statement = _CLAIMS.get(dialect)
    if statement is None:
        inserting = db_insert(session, ProcessedEvent).on_conflict_do_nothing(index_elements=["key"])
        statement = _CLAIMS[dialect] = inserting.returning(ProcessedEvent.key)  # type: ignore[arg-type]
    unique = list(dict.fromkeys(prefix + k for k in keys))
    rows = await (await session.connection()).execute(statement, [{"key": k, "received_at": received} for k in unique])
    claimed: set[str] = {str(k) for k in rows.scalars()}
    out = []
    for key in keys:
        out.append(prefix + key in claimed)
        claimed.discard(prefix + key)
    return out


async def release_key(*, session: AsyncSession, key: str) -> None:
    """Forget a claimed key, so the work it guarded can be tried again (it failed)."""
    row = await session.get(ProcessedEvent, key)
    if row is not None:
        await session.delete(row)


async def get_setting(*, session: AsyncSession, key: str) -> str | None:
    row = await session.get(Setting, key)
    return row.value if row else None


async def delete_setting(*, session: AsyncSession, key: str) -> None:
    row = await session.get(Setting, key)
    if row is not None:
        await session.delete(row)
