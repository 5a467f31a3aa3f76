"""Repository functions for check-ins, per-practice answers and concerns."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

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
