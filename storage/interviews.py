"""Repository functions for interviews and their check-in prompts (the outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import chunks, insert, unclaimed
from storage.models import Interview, Person, Prompt, utcnow


async def interviews_by_external_ids(*, session: AsyncSession, external_ids: Iterable[str]) -> dict[str, Interview]:
    ids = list(set(external_ids))
    found: dict[str, Interview] = {}
    for part in chunks(ids):
        result = await session.exec(select(Interview).where(col(Interview.external_id).in_(part)))
        found.update({iv.external_id: iv for iv in result})
    return found


async def prompts_for_interviews(*, session: AsyncSession, interview_ids: Iterable[int]) -> dict[int, list[Prompt]]:
    ids = list(set(interview_ids))
    out: dict[int, list[Prompt]] = {i: [] for i in ids}
    for part in chunks(ids):
        result = await session.exec(select(Prompt).where(col(Prompt.interview_id).in_(part)).order_by(col(Prompt.id)))
        for prompt in result:
            out[prompt.interview_id].append(prompt)
    return out


async def prompts_by_ids(*, session: AsyncSession, prompt_ids: Iterable[int]) -> dict[int, Prompt]:
    ids = sorted(set(prompt_ids))
    found: dict[int, Prompt] = {}
    for part in chunks(ids):
        result = await session.exec(select(Prompt).where(col(Prompt.id).in_(part)))
        found.update({p.id: p for p in result if p.id is not None})
    return found


async def interviews_by_ids(*, session: AsyncSession, interview_ids: Iterable[int]) -> dict[int, Interview]:
    ids = sorted(set(interview_ids))
    found: dict[int, Interview] = {}
    for part in chunks(ids):
        result = await session.exec(select(Interview).where(col(Interview.id).in_(part)))
        found.update({iv.id: iv for iv in result if iv.id is not None})
    return found


class InterviewBrief(NamedTuple):
    id: int
    external_id: str
    status: str
    ends_at: datetime


class PromptBrief(NamedTuple):
    interviewer: str  # email
    state: str
    due_at: datetime
    reason: str | None


async def briefs(
    *, session: AsyncSession, interview_ids: Iterable[int]
) -> tuple[dict[int, InterviewBrief], dict[int, list[PromptBrief]]]:
    """What the webhook answers about interviews and their prompts, as plain rows (no ORM objects: a batch of 500
    interviews has 2,000 prompts, and building objects for them cost more than the inserts)."""
    ids = list(set(interview_ids))
    interviews: dict[int, InterviewBrief] = {}
    prompts: dict[int, list[PromptBrief]] = {i: [] for i in ids}
    for chunk in chunks(ids):
        found = await session.exec(
            select(Interview.id, Interview.external_id, Interview.status, Interview.ends_at).where(
                col(Interview.id).in_(chunk)
            )
        )
        interviews.update({row[0]: InterviewBrief(*row) for row in found})
        rows = await session.exec(
            select(Prompt.interview_id, Person.email, Prompt.state, Prompt.due_at, Prompt.reason)
            .join(Person, col(Person.id) == Prompt.person_id)
            .where(col(Prompt.interview_id).in_(chunk))
            .order_by(col(Prompt.id))
        )
        for interview_id, *rest in rows:
            prompts[interview_id].append(PromptBrief(*rest))
    return interviews, prompts


async def get_prompt(*, session: AsyncSession, prompt_id: int) -> Prompt | None:
    return await session.get(Prompt, prompt_id)


async def get_interview(*, session: AsyncSession, interview_id: int) -> Interview | None:
    return await session.get(Interview, interview_id)


async def due_prompt_ids(*, session: AsyncSession, now: datetime, limit: int) -> list[int]:
    result = await session.exec(
        select(Prompt.id)
        .where(
            Prompt.state == "scheduled",
            Prompt.due_at <= now,
            unclaimed(col(Prompt.claimed_until), now),
        )
        .order_by(col(Prompt.due_at))
        .limit(limit)
    )
    return [i for i in result if i is not None]


async def next_due_at(*, session: AsyncSession, after: datetime) -> datetime | None:
    """When the next scheduled prompt falls due, if one is due after `after` (one step of the (state, due_at)
    index)."""
    result = await session.exec(
        select(Prompt.due_at)
        .where(Prompt.state == "scheduled", col(Prompt.due_at) > after)
        .order_by(col(Prompt.due_at))
        .limit(1)
    )
    return result.first()


async def renew_prompt(
    *, session: AsyncSession, prompt_id: int, claim: str, until: datetime, while_state: str = "scheduled"
) -> bool:
    """Extend a claim while its send is in flight; False when the claim is no longer this one (or the prompt moved
    on from `while_state`, e.g. its interview was cancelled, or it was answered)."""
    result = await session.exec(  # type: ignore[call-overload]
        update(Prompt)
        .where(and_(col(Prompt.id) == prompt_id, col(Prompt.claim) == claim, col(Prompt.state) == while_state))
        .values(claimed_until=until)
    )
    return bool(result.rowcount == 1)


async def finish_prompt(
    *, session: AsyncSession, prompt_id: int, claim: str, while_state: str = "scheduled", **values: Any
) -> bool:
    """Record the outcome of a claimed send, and let the claim go; a no-op if the claim was lost or the prompt
    moved on from `while_state`."""
    result = await session.exec(  # type: ignore[call-overload]
        update(Prompt)
        .where(and_(col(Prompt.id) == prompt_id, col(Prompt.claim) == claim, col(Prompt.state) == while_state))
        .values(**{"claim": None, "claimed_until": None, **values})
    )
    return bool(result.rowcount == 1)


async def expire_prompts(*, session: AsyncSession, sent_before: datetime) -> int:
    result = await session.exec(  # type: ignore[call-overload]
        update(Prompt)
        .where(and_(col(Prompt.state) == "sent", col(Prompt.sent_at) < sent_before))
        .values(state="expired")
    )
    return int(result.rowcount or 0)


async def pending_prompts_of(
    *, session: AsyncSession, person_id: int, limit: int = 10
) -> list[tuple[Prompt, Interview]]:
    result = await session.exec(
        select(Prompt, Interview)
        .join(Interview, col(Interview.id) == Prompt.interview_id)
        .where(Prompt.person_id == person_id, Prompt.state == "sent")
        .order_by(col(Prompt.due_at).desc())
        .limit(limit)
    )
    return list(result)


def touch(interview: Interview) -> None:
    interview.updated_at = utcnow()


async def insert_interviews(*, session: AsyncSession, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert new interviews in bulk; returns external_id -> id for those inserted. One that a simultaneous request
    inserted a moment ago is skipped (INSERT … ON CONFLICT DO NOTHING), for the caller to update like any other;
    the same external id twice in `rows` is a caller's mistake, and a Conflict."""
    if not rows:
        return {}
    ids = [r["external_id"] for r in rows]
    if len(set(ids)) != len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise IntegrityError(
            "INSERT INTO interview", {"external_id": twice}, ValueError(f"{twice!r} twice in one batch")
        )
    now = utcnow()
    conn = await session.connection()
    statement = insert(session, Interview).on_conflict_do_nothing(index_elements=["external_id"])
    result = await conn.execute(
        statement.returning(col(Interview.id), col(Interview.external_id)),
        [{"created_at": now, "updated_at": now, **r} for r in rows],
    )
    return {external_id: id_ for id_, external_id in result}


async def insert_prompts(*, session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert prompts in bulk; one a simultaneous request inserted a moment ago is skipped."""
    if not rows:
        return
    now = utcnow()
    defaults = {"reason": None, "attempts": 0, "created_at": now}
    conn = await session.connection()
    statement = insert(session, Prompt).on_conflict_do_nothing(index_elements=["interview_id", "person_id"])
    await conn.execute(statement, [{**defaults, **r} for r in rows])


# ---- cancellation by id only (ATS deletion webhooks carry an id, not the interview) ----
async def interviews_to_cancel(
    *,
    session: AsyncSession,
    external_ids: Iterable[str] = (),
    candidate_refs: Iterable[str] = (),
    prefix: str | None = None,
    keep: Iterable[str] = (),
) -> list[Interview]:
    """Interviews not yet cancelled that match an external id, a candidate ref, or `prefix` (less `keep`)."""
    ids, refs, kept = list(set(external_ids)), list(set(candidate_refs)), set(keep)
    found: dict[int, Interview] = {}
    for column, values in ((Interview.external_id, ids), (Interview.candidate_ref, refs)):
        for part in chunks(values):
            result = await session.exec(select(Interview).where(col(column).in_(part), Interview.status != "cancelled"))
            found.update({iv.id or 0: iv for iv in result})
    if prefix:
        result = await session.exec(
            select(Interview).where(
                col(Interview.external_id).startswith(prefix, autoescape=True), Interview.status != "cancelled"
            )
        )
        found.update({iv.id or 0: iv for iv in result if iv.external_id not in kept})
    return list(found.values())


async def cancel_unsent_prompts(*, session: AsyncSession, interview_ids: list[int]) -> int:
    """Cancel the prompts of these interviews that are still waiting to be sent (as a cancelled upsert does)."""
    if not interview_ids:
        return 0
    result = await session.exec(  # type: ignore[call-overload]
        update(Prompt)
        .where(and_(col(Prompt.interview_id).in_(interview_ids), col(Prompt.state) == "scheduled"))
        .values(state="cancelled", reason="interview cancelled")
    )
    return int(result.rowcount or 0)
