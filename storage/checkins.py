"""Repository functions for check-ins, per-practice answers and concerns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import chunks
from storage.models import CheckIn, CheckInAnswer, utcnow


async def checkin_for_prompt(*, session: AsyncSession, prompt_id: int) -> CheckIn | None:
    result = await session.exec(select(CheckIn).where(CheckIn.prompt_id == prompt_id))
    return result.first()


async def answers_of(*, session: AsyncSession, checkin_id: int) -> dict[str, str]:
    result = await session.exec(select(CheckInAnswer).where(CheckInAnswer.checkin_id == checkin_id))
    return {a.practice: a.value for a in result}


async def save_checkin(*, session: AsyncSession, checkin: CheckIn, answers: Mapping[str, str]) -> tuple[CheckIn, bool]:
    """Insert or replace the check-in of a prompt and its answers. Returns (row, created)."""
    existing = await checkin_for_prompt(session=session, prompt_id=checkin.prompt_id)
    created = existing is None
    if existing is None:
        session.add(checkin)
        row = checkin
    else:
        row = existing
        row.kind, row.all_followed, row.note = checkin.kind, checkin.all_followed, checkin.note
        row.updated_at = utcnow()
        session.add(row)
        await session.exec(delete(CheckInAnswer).where(col(CheckInAnswer.checkin_id) == row.id))  # type: ignore[call-overload]
    await session.flush()
    assert row.id is not None
    session.add_all(CheckInAnswer(checkin_id=row.id, practice=k, value=v) for k, v in answers.items())
    await session.flush()
    return row, created


async def delete_checkin(*, session: AsyncSession, prompt_id: int) -> None:
    row = await checkin_for_prompt(session=session, prompt_id=prompt_id)
    if row is not None:
        await session.exec(delete(CheckInAnswer).where(col(CheckInAnswer.checkin_id) == row.id))  # type: ignore[call-overload]
        await session.delete(row)
        await session.flush()


async def checkins_for_prompts(*, session: AsyncSession, prompt_ids: Iterable[int]) -> dict[int, CheckIn]:
    ids = sorted(set(prompt_ids))
    found: dict[int, CheckIn] = {}
    for part in chunks(ids):
        result = await session.exec(select(CheckIn).where(col(CheckIn.prompt_id).in_(part)))
        found.update({c.prompt_id: c for c in result})
    return found


_ANSWERS_FOR = select(CheckInAnswer.checkin_id, CheckInAnswer.practice, CheckInAnswer.value).where(
    col(CheckInAnswer.checkin_id).in_(bindparam("ids", expanding=True))
)


async def answers_for(*, session: AsyncSession, checkin_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """{check-in id: {practice: value}} for many check-ins, as plain rows."""
    ids = sorted(set(checkin_ids))
    found: dict[int, dict[str, str]] = {i: {} for i in ids}
    conn = await session.connection()  # plain rows through Core: the ORM's execution costs more than the query
    for part in chunks(ids):
        for checkin_id, practice, value in await conn.execute(_ANSWERS_FOR, {"ids": list(part)}):
            found[checkin_id][practice] = value
    return found


async def replace_answers(*, session: AsyncSession, answers: Mapping[int, Mapping[str, str]]) -> None:
    """Make each check-in's per-practice answers exactly these: one DELETE and one bulk INSERT for them all."""
    if not answers:
        return
    ids = sorted(answers)
    conn = await session.connection()  # Core: the rows are plain, and nothing of them is in the session
    for part in chunks(ids):
        await conn.execute(delete(CheckInAnswer).where(col(CheckInAnswer.checkin_id).in_(part)))
    rows = [{"checkin_id": c, "practice": k, "value": v} for c, given in answers.items() for k, v in given.items()]
    await conn.execute(insert(CheckInAnswer), rows)
