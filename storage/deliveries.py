"""Repository functions for what delivery claims besides a prompt's first send: reminders, and digest runs.

Every claim is a compare-and-set with a token and a `claimed_until`: taken only when free or lapsed, renewed with
its token while its send is in flight, and let go (or settled) with its token, so a late finisher changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, tuple_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import insert, unclaimed
from storage.models import DigestRun, Identity, Person, Prompt, utcnow


def _free(now: datetime) -> Any:
    return unclaimed(col(Prompt.claimed_until), now)


# ---- first sends, written many at once ----
async def let_go(*, session: AsyncSession, claims: Sequence[tuple[int, str]]) -> dict[int, tuple[str, str, int]]:
    """Let go of each (prompt id, token) claim still held on a scheduled prompt, in one statement; {prompt id:
    (team, role, person id)} of those that were. The others were taken over or moved on: not ours to write."""
    if not claims:
        return {}
    conn = await session.connection()
    rows = await conn.execute(
        update(Prompt)
        .where(tuple_(col(Prompt.id), col(Prompt.claim)).in_(list(claims)), col(Prompt.state) == "scheduled")
        .values(claim=None, claimed_until=None)
        .returning(col(Prompt.id), col(Prompt.team), col(Prompt.role), col(Prompt.person_id))
    )
    return {int(i): (str(t), str(r), int(p)) for i, t, r, p in rows}


async def settle_sends(
    *,
    session: AsyncSession,
    sent: Sequence[Mapping[str, Any]] = (),
    undeliverable: Sequence[Mapping[str, Any]] = (),
    later: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Write the outcomes of sends whose claims were just let go (let_go): `sent` rows {id, at, platform,
    conversation, message_id, remind_at} (the reminder's morning only if none is planned), `undeliverable` {id,
    reason}, `later` {id, until} (tried again then). One statement for each kind."""
    conn = await session.connection()
    by_id = col(Prompt.id) == bindparam("b_id")
    if sent:
        await conn.execute(
            update(Prompt).where(by_id).values(
                state="sent", sent_at=bindparam("b_at"), platform=bindparam("b_platform"),
                conversation=bindparam("b_conversation"), message_id=bindparam("b_message_id"),
                remind_at=func.coalesce(col(Prompt.remind_at), bindparam("b_remind_at")),
            ),
            [{f"b_{k}": v for k, v in row.items()} for row in sent],
        )  # fmt: skip
    if undeliverable:
        await conn.execute(
            update(Prompt).where(by_id).values(state="undeliverable", reason=bindparam("b_reason")),
            [{f"b_{k}": v for k, v in row.items()} for row in undeliverable],
        )
    if later:
        await conn.execute(
            update(Prompt).where(by_id).values(claimed_until=bindparam("b_until")),
            [{f"b_{k}": v for k, v in row.items()} for row in later],
        )


async def first_prompted(*, session: AsyncSession, people: Sequence[Mapping[str, Any]]) -> None:
    """People just prompted: {id, at, timezone}; the first prompt's time is kept, the timezone is the latest."""
    if people:
        conn = await session.connection()
        await conn.execute(
            update(Person)
            .where(col(Person.id) == bindparam("b_id"))
            .values(
                first_prompted_at=func.coalesce(col(Person.first_prompted_at), bindparam("b_at")),
                timezone=bindparam("b_timezone"),
            ),  # fmt: skip
            [{f"b_{k}": v for k, v in row.items()} for row in people],
        )


async def save_identities(*, session: AsyncSession, identities: Sequence[Mapping[str, Any]]) -> None:
    """save_identity for many {person_id, platform, user_id, address}: the new ones inserted together, the changed
    ones rewritten (an unchanged identity is not), one created meanwhile by another request left as it is."""
    if not identities:
        return
    pairs = list(dict.fromkeys((i["platform"], i["user_id"]) for i in identities))
    result = await session.exec(
        select(Identity).where(tuple_(col(Identity.platform), col(Identity.user_id)).in_(pairs))
    )
    found = {(i.platform, i.user_id): i for i in result}
    fresh: dict[tuple[str, str], dict[str, Any]] = {}
    for given in identities:
        key = (given["platform"], given["user_id"])
        row = found.get(key)
        if row is None:
            fresh[key] = {**given, "address": dict(given.get("address") or {}), "updated_at": utcnow()}
        elif row.person_id != given["person_id"] or (given.get("address") and dict(given["address"]) != row.address):
            row.person_id = given["person_id"]
            row.address = dict(given["address"]) if given.get("address") else row.address
            row.updated_at = utcnow()
            session.add(row)
    if fresh:
        statement = insert(session, Identity).on_conflict_do_nothing(index_elements=["platform", "user_id"])
        await (await session.connection()).execute(statement, list(fresh.values()))
    await session.flush()


# ---- reminders ----
async def unplanned_reminders(*, session: AsyncSession, limit: int = 500) -> list[tuple[int, int, datetime]]:
    """(prompt id, person id, sent at) of sent prompts whose reminder has no morning yet (sent before there was one)."""
    result = await session.exec(
        select(Prompt.id, Prompt.person_id, Prompt.sent_at)
        .where(Prompt.state == "sent", col(Prompt.reminder).is_(None), col(Prompt.remind_at).is_(None))
        .limit(limit)
    )
    return [(i, p, at) for i, p, at in result if i is not None and at is not None]


async def plan_reminder(*, session: AsyncSession, prompt_id: int, remind_at: datetime) -> None:
    await session.exec(  # type: ignore[call-overload]
        update(Prompt).where(col(Prompt.id) == prompt_id, col(Prompt.remind_at).is_(None)).values(remind_at=remind_at)
    )


async def reminders_due(*, session: AsyncSession, now: datetime, limit: int = 500) -> list[int]:
    """Sent prompts whose reminder is due and not yet settled, and nobody is sending just now; earliest first.
    A reminder that will never be sent is settled (opted out, its morning passed), so it leaves this list."""
    result = await session.exec(
        select(Prompt.id)
        .where(Prompt.state == "sent", col(Prompt.reminder).is_(None), col(Prompt.remind_at) <= now, _free(now))
        .order_by(col(Prompt.remind_at), col(Prompt.id))
        .limit(limit)
    )
    return [i for i in result if i is not None]


async def claim_reminder(*, session: AsyncSession, prompt_id: int, claim: str, now: datetime, until: datetime) -> bool:
    """Take a due reminder (compare-and-set): one replica sends it, or settles it."""
    result = await session.exec(  # type: ignore[call-overload]
        update(Prompt)
        .where(
            and_(
                col(Prompt.id) == prompt_id,
                col(Prompt.state) == "sent",
                col(Prompt.reminder).is_(None),
                col(Prompt.remind_at) <= now,
                _free(now),
            )
        )
        .values(claim=claim, claimed_until=until)
    )
    return bool(result.rowcount == 1)


async def snoozed_due(*, session: AsyncSession, now: datetime, limit: int = 500) -> list[int]:
    """Unanswered prompts whose interviewer asked to be reminded later, now due, and nobody is sending just now."""
    result = await session.exec(
        select(Prompt.id)
        .where(
            Prompt.state == "sent",
            col(Prompt.snoozed_until).is_not(None),
            col(Prompt.snoozed_until) <= now,
            _free(now),
        )
        .order_by(col(Prompt.snoozed_until))
        .limit(limit)
    )
    return [i for i in result if i is not None]


async def claim_snoozed(*, session: AsyncSession, prompt_id: int, claim: str, now: datetime, until: datetime) -> bool:
    """Take the snoozed reminder (compare-and-set), so it goes out once whoever else is running."""
    result = await session.exec(  # type: ignore[call-overload]
        update(Prompt)
        .where(
            and_(col(Prompt.id) == prompt_id, col(Prompt.state) == "sent", col(Prompt.snoozed_until) <= now, _free(now))
        )
        .values(claim=claim, claimed_until=until)
    )
    return bool(result.rowcount == 1)


# ---- digest runs ----
async def claim_digest_run(*, session: AsyncSession, key: str, claim: str, now: datetime, until: datetime) -> bool:
    """Claim one scheduled time of a digest: a new run, or one claimed before whose lease lapsed unposted (its
    claimer crashed). A posted run, or one claimed and alive, is not claimed again."""
    conn = await session.connection()
    created = await conn.execute(
        insert(session, DigestRun)
        .values(key=key, state="claimed", claim=claim, claimed_until=until, attempts=1, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    if created.rowcount == 1:
        return True
    lapsed = await session.exec(  # type: ignore[call-overload]
        update(DigestRun)
        .where(
            and_(
                col(DigestRun.key) == key,
                col(DigestRun.state) == "claimed",
                unclaimed(col(DigestRun.claimed_until), now),
            )
        )
        .values(claim=claim, claimed_until=until, attempts=col(DigestRun.attempts) + 1)
    )
    return bool(lapsed.rowcount == 1)


async def settle_digest_run(*, session: AsyncSession, key: str, token: str, **values: Any) -> bool:
    """Renew (`claimed_until`), give back (`claim=None`) or finish (`state="posted"`) a run claimed with `token`;
    False when the claim is no longer that one."""
    result = await session.exec(  # type: ignore[call-overload]
        update(DigestRun)
        .where(and_(col(DigestRun.key) == key, col(DigestRun.claim) == token, col(DigestRun.state) == "claimed"))
        .values(**values)
    )
    return bool(result.rowcount == 1)


async def get_digest_run(*, session: AsyncSession, key: str) -> DigestRun | None:
    return await session.get(DigestRun, key)
