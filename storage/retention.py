"""Retention: roll raw check-ins up into monthly counts, then delete what is older than the cut-off."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import activity
from storage.counts import Activity, ActivityPractice, ActivityReason, Rollup
from storage.db import chunks
from storage.models import (
    CheckIn,
    CheckInAnswer,
    Concern,
    Feedback,
    Interview,
    PlaygroundPost,
    ProcessedEvent,
    Prompt,
)
from storage.people import FOREVER, REPLAY

EVENT_KEYS_KEPT = timedelta(days=30)  # platform retries arrive within minutes; a month is plenty
REPLAY_KEYS_KEPT = timedelta(days=2)  # a signed Slack request is refused after 5 minutes anyway


async def _roll_up(session: AsyncSession, rows: list[Any]) -> None:
    cells: dict[tuple[date, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    month_of = {}
    for checkin_id, due_at, team, role, all_followed in rows:
        month = due_at.date().replace(day=1)
        month_of[checkin_id] = (month, team, role)
        counts = cells[(month, team, role, "")]
        counts[0] += 1
        counts[1] += 1 if all_followed else 0
    for chunk in chunks(list(month_of)):
        answers = select(CheckInAnswer.checkin_id, CheckInAnswer.practice, CheckInAnswer.value).where(
            col(CheckInAnswer.checkin_id).in_(chunk)
        )
        for checkin_id, practice, value in await session.exec(answers):
            month, team, role = month_of[checkin_id]
            slot = {"yes": 0, "no": 1}.get(value, 2)
            cells[(month, team, role, practice)][slot] += 1
    for (month, team, role, practice), (yes, no, na) in cells.items():
        row = (
            await session.exec(
                select(Rollup).where(
                    Rollup.month == month, Rollup.team == team, Rollup.role == role, Rollup.practice == practice
                )
            )
        ).first() or Rollup(month=month, team=team, role=role, practice=practice)
        row.yes, row.no, row.na = row.yes + yes, row.no + no, row.na + na
        session.add(row)
    await session.flush()


async def purge(*, session: AsyncSession, cutoff: datetime, now: datetime) -> dict[str, int]:
    """Delete raw data older than `cutoff` (check-ins kept as monthly rollups first). Returns counts."""
    counts: dict[str, int] = {}
    stmt = select(CheckIn.id, CheckIn.due_at, CheckIn.team, CheckIn.role, CheckIn.all_followed).where(
        col(CheckIn.due_at) < cutoff
    )
    rows = list(await session.exec(stmt))
    await _roll_up(session, rows)
    ids = [r[0] for r in rows]
    for chunk in chunks(ids):
        await session.exec(delete(CheckInAnswer).where(col(CheckInAnswer.checkin_id).in_(chunk)))  # type: ignore[call-overload]
        await session.exec(delete(CheckIn).where(col(CheckIn.id).in_(chunk)))  # type: ignore[call-overload]
    counts["checkins"] = len(ids)

    old_prompts = [i for i in await session.exec(select(Prompt.id).where(col(Prompt.due_at) < cutoff)) if i]
    resolved = delete(Concern).where(col(Concern.created_at) < cutoff, Concern.status == "resolved")
    counts["concerns"] = (await session.exec(resolved)).rowcount  # type: ignore[call-overload]
    for chunk in chunks(old_prompts):  # open concerns stay (they are in digests until resolved), unlinked
        await session.exec(update(Concern).where(col(Concern.prompt_id).in_(chunk)).values(prompt_id=None))  # type: ignore[call-overload]
        await session.exec(delete(Prompt).where(col(Prompt.id).in_(chunk)))  # type: ignore[call-overload]
    counts["prompts"] = len(old_prompts)
    orphans = select(Interview.id).where(
        col(Interview.ends_at) < cutoff, ~select(Prompt.id).where(Prompt.interview_id == Interview.id).exists()
    )
    old_interviews = [i for i in await session.exec(orphans) if i]
    for chunk in chunks(old_interviews):
        await session.exec(delete(Interview).where(col(Interview.id).in_(chunk)))  # type: ignore[call-overload]
    counts["interviews"] = len(old_interviews)

    gone = 0
    for model in (Activity, ActivityPractice, ActivityReason):  # daily counts give way to the monthly ones
        gone += (await session.exec(delete(model).where(col(model.day) < cutoff.date()))).rowcount  # type: ignore[call-overload, attr-defined]
    if gone:
        await activity.rewritten(session=session)
    for key, statement in {
        "feedback": delete(Feedback).where(col(Feedback.day) < cutoff.date()),
        "playground_posts": delete(PlaygroundPost).where(col(PlaygroundPost.created_at) < cutoff),
        "event_keys": delete(ProcessedEvent).where(
            col(ProcessedEvent.received_at) < now - EVENT_KEYS_KEPT, ~col(ProcessedEvent.key).startswith(FOREVER)
        ),
        "replay_keys": delete(ProcessedEvent).where(
            col(ProcessedEvent.received_at) < now - REPLAY_KEYS_KEPT, col(ProcessedEvent.key).startswith(REPLAY)
        ),
    }.items():
        counts[key] = (await session.exec(statement)).rowcount  # type: ignore[call-overload]
    return counts
