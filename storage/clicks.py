"""Plain rows and bulk statements for recording many one-click answers in one transaction (bot/checkins/bulk.py).

No ORM objects: a prompt, its interview and its check-in are read as one tuple per prompt, and each write is one
statement for the whole batch. Loading, tracking and flushing four mapped objects per click cost more than the
statements themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import chunks
from storage.models import CheckIn, Identity, Interview, Person, Prompt


class Target(NamedTuple):
    """A clicked prompt with what its answer and its redrawn card need: the interview, and any check-in so far."""

    id: int
    person_id: int
    state: str
    reason: str | None
    team: str
    role: str
    due_at: datetime
    sent_at: datetime | None
    interview_id: int
    interview: InterviewRow
    checkin_id: int | None
    all_followed: bool | None
    answer_seconds: int | None


class InterviewRow(NamedTuple):
    """What a card's headline says about the interview."""

    role: str
    stage: str | None
    team: str
    starts_at: datetime | None
    ends_at: datetime


class Clicker(NamedTuple):
    """The person behind a platform user id: what a redrawn card says to them (name, time zone)."""

    id: int
    display_name: str | None
    timezone: str | None


_TARGETS = (
    select(
        Prompt.id,
        Prompt.person_id,
        Prompt.state,
        Prompt.reason,
        Prompt.team,
        Prompt.role,
        Prompt.due_at,
        Prompt.sent_at,
        Prompt.interview_id,
        Interview.role,
        Interview.stage,
        Interview.team,
        Interview.starts_at,
        Interview.ends_at,
        CheckIn.id,
        CheckIn.all_followed,
        CheckIn.answer_seconds,
    )  # fmt: skip
    .join(Interview, Interview.id == Prompt.interview_id)  # type: ignore[arg-type]
    .outerjoin(CheckIn, CheckIn.prompt_id == Prompt.id)  # type: ignore[arg-type]
    .where(Prompt.id.in_(bindparam("ids", expanding=True)))  # type: ignore[union-attr]
)  # built once, with the ids bound at each call: SQLAlchemy then keys its compiled-statement cache on it for free


async def targets(*, session: AsyncSession, prompt_ids: Iterable[int]) -> dict[int, Target]:
    conn = await session.connection()
    found: dict[int, Target] = {}
    for part in chunks(sorted(set(prompt_ids))):
        for row in await conn.execute(_TARGETS, {"ids": list(part)}):
            found[row[0]] = Target(*row[:9], InterviewRow(*row[9:14]), *row[14:])  # type: ignore[arg-type]
    return found


_CLICKERS = (
    select(Identity.user_id, Person.id, Person.display_name, Person.timezone)
    .join(Person, Person.id == Identity.person_id)  # type: ignore[arg-type]
    .where(Identity.platform == bindparam("platform"), Identity.user_id.in_(bindparam("ids", expanding=True)))  # type: ignore[attr-defined]
)


async def clickers(*, session: AsyncSession, platform: str, user_ids: Iterable[str]) -> dict[str, Clicker]:
    """{user id: person} for those with an identity on `platform`."""
    conn = await session.connection()
    found: dict[str, Clicker] = {}
    for part in chunks(sorted(set(user_ids))):
        rows = await conn.execute(_CLICKERS, {"platform": platform, "ids": list(part)})
        found.update({user_id: Clicker(*rest) for user_id, *rest in rows})
    return found


async def insert_checkins(*, session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[int, int]:
    """Insert check-ins (every column given); {prompt id: new check-in id}."""
    if not rows:
        return {}
    conn = await session.connection()
    return {prompt_id: checkin_id for prompt_id, checkin_id in await conn.execute(_INSERT_CHECKINS, list(rows))}


_INSERT_CHECKINS = insert(CheckIn).returning(CheckIn.prompt_id, CheckIn.id)  # type: ignore[arg-type]


_ALL_FOLLOWED = (
    update(CheckIn)
    .where(CheckIn.id == bindparam("checkin"))  # type: ignore[arg-type]
    .values(kind="all", all_followed=True, note=None, updated_at=bindparam("at"))
)
_ANSWERED = (
    update(Prompt)
    .where(Prompt.id == bindparam("prompt"))  # type: ignore[arg-type]
    .values(state="answered", reason=None, answered_at=bindparam("at"))
)


async def mark_all_followed(*, session: AsyncSession, checkin_ids: Iterable[int], at: datetime) -> None:
    rows = [{"checkin": i, "at": at} for i in sorted(set(checkin_ids))]
    if rows:
        await (await session.connection()).execute(_ALL_FOLLOWED, rows)


async def mark_answered(*, session: AsyncSession, prompt_ids: Iterable[int], at: datetime) -> None:
    rows = [{"prompt": i, "at": at} for i in sorted(set(prompt_ids))]
    if rows:
        await (await session.connection()).execute(_ANSWERED, rows)
