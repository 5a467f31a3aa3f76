"""A due prompt as its send needs it, read in two prebuilt statements, and its claim taken in a third: plain rows,
no ORM objects. On a Monday's fan-out, loading four mapped objects per prompt and building its claim's statement
anew cost the dispatcher more than the queries themselves (bot/delivery/prompts.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clicks import InterviewRow
from storage.db import unclaimed
from storage.models import Identity, Interview, Person, Prompt


class Addressee(NamedTuple):
    """The prompted interviewer, as a send needs them."""

    id: int
    email: str
    timezone: str | None
    first_prompted_at: datetime | None


class Known(NamedTuple):
    """What a platform told us about the interviewer: their user id there, and how to reach them."""

    platform: str
    user_id: str
    address: dict[str, Any]


class ToSend(NamedTuple):
    person: Addressee
    interview: InterviewRow
    identities: dict[str, Known]  # platform -> the latest identity there


P, V, N, K = (m.__table__.c for m in (Prompt, Interview, Person, Identity))  # type: ignore[attr-defined]
_PROMPT = (
    select(N.id, N.email, N.timezone, N.first_prompted_at, V.role, V.stage, V.team, V.starts_at, V.ends_at)
    .join_from(Prompt.__table__, Interview.__table__, V.id == P.interview_id)  # type: ignore[attr-defined]
    .join(Person.__table__, N.id == P.person_id)  # type: ignore[attr-defined]
    .where(P.id == bindparam("prompt_id"))
)
_IDENTITIES = select(K.platform, K.user_id, K.address).where(K.person_id == bindparam("person_id")).order_by(K.id)
_CLAIM = (
    update(Prompt.__table__)  # type: ignore[attr-defined]
    .where(P.id == bindparam("prompt_id"), P.state == "scheduled", unclaimed(P.claimed_until, bindparam("now")))
    .values(claim=bindparam("new_claim"), claimed_until=bindparam("until"), attempts=P.attempts + 1)
)  # tables, not mapped classes, and built once: no ORM machinery at each call, and SQLAlchemy keys its
# compiled-statement cache on them, with only the values bound each time


async def to_send(*, session: AsyncSession, prompt_id: int) -> ToSend | None:
    """The prompt with its interview and interviewer, and every platform the interviewer is known on; None when the
    prompt is gone."""
    conn = await session.connection()
    row = (await conn.execute(_PROMPT, {"prompt_id": prompt_id})).first()
    if row is None:
        return None
    person = Addressee(*row[:4])
    known = await conn.execute(_IDENTITIES, {"person_id": person.id})
    identities = {k.platform: Known(k.platform, k.user_id, dict(k.address or {})) for k in known}
    return ToSend(person=person, interview=InterviewRow(*row[4:]), identities=identities)


async def claim(*, session: AsyncSession, prompt_id: int, claim: str, now: datetime, until: datetime) -> bool:
    """Compare-and-set claim: exactly one dispatcher (in any process) wins a due prompt that no one holds."""
    conn = await session.connection()
    result = await conn.execute(_CLAIM, {"prompt_id": prompt_id, "now": now, "new_claim": claim, "until": until})
    return bool(result.rowcount == 1)
