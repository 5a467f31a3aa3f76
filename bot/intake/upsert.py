"""Upserting interviews by external_id and keeping their prompts in step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.intake.records import InterviewIn
from storage import db
from storage import interviews as repo
from storage.db import Session
from storage.models import Interview, Prompt
from storage.people import normalise_email, person_ids_by_emails


async def upsert_interviews(*, session: Session, items: list[InterviewIn], prompt_delay: timedelta) -> list[int]:
    """Insert or update interviews by external_id and keep their prompts in step; returns their ids.

    Race-free: interviews, people and prompts go in with INSERT … ON CONFLICT DO NOTHING, and an interview a
    simultaneous request created first is then updated like any existing one, so both requests succeed.

    Same data again changes nothing; a new ends_at moves unsent prompts; "cancelled" cancels unsent
    prompts (and "scheduled" again brings them back); interviewers added get prompts, removed ones'
    unsent prompts are cancelled. New interviews and prompts go in as bulk inserts.
    """
    existing = await repo.interviews_by_external_ids(session=session, external_ids=[i.external_id for i in items])
    people = await person_ids_by_emails(session=session, emails=[iv.email for i in items for iv in i.interviewers])
    fields = {i.external_id: _fields(i) for i in items}
    new_ids = await repo.insert_interviews(
        session=session,
        rows=[{"external_id": i.external_id, **fields[i.external_id]} for i in items if i.external_id not in existing],
    )
    raced = [i.external_id for i in items if i.external_id not in existing and i.external_id not in new_ids]
    if raced:  # a simultaneous request created these a moment ago: from here on they are updates like any other
        existing.update(await repo.interviews_by_external_ids(session=session, external_ids=raced))
    prompts = await repo.prompts_for_interviews(
        session=session, interview_ids=[iv.id for iv in existing.values() if iv.id]
    )
    new_prompts: list[dict[str, Any]] = []
    for item in items:
        f = fields[item.external_id]
        wanted = {people[normalise_email(iv.email)] for iv in item.interviewers}
        row = existing.get(item.external_id)
        due = f["ends_at"] + prompt_delay
        if row is None:
            current: dict[int, Prompt] = {}
            interview_id = new_ids[item.external_id]
        else:
            if any(getattr(row, k) != v for k, v in f.items()):
                for k, v in f.items():
                    setattr(row, k, v)
                repo.touch(row)
            interview_id = row.id or 0
            current = {p.person_id: p for p in prompts.get(interview_id, [])}
            for person_id, prompt in current.items():
                _sync_prompt(prompt, row, due, keep=person_id in wanted)
        cancelled = f["status"] == "cancelled"
        new_prompts += [
            {
                "interview_id": interview_id,
                "person_id": person_id,
                "due_at": due,
                "team": f["team"],
                "role": f["role"],
                "state": "cancelled" if cancelled else "scheduled",
                "reason": "interview cancelled" if cancelled else None,
            }
            for person_id in sorted(p for p in wanted - current.keys() if p is not None)
        ]
    await db.flush(session)  # the changes to interviews and prompts loaded above
    await repo.insert_prompts(session=session, rows=new_prompts)
    return [new_ids[i.external_id] if i.external_id in new_ids else existing[i.external_id].id or 0 for i in items]


def _fields(item: InterviewIn) -> dict[str, Any]:
    return {
        "role": item.role,
        "team": item.team,
        "stage": item.stage,
        "candidate_ref": item.candidate_ref,
        "starts_at": _utc(item.starts_at),
        "ends_at": _utc(item.ends_at),
        "status": item.status,
    }


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _sync_prompt(prompt: Prompt, interview: Interview, due: datetime, *, keep: bool) -> None:
    if prompt.state == "scheduled":
        if not keep:
            prompt.state, prompt.reason = "cancelled", "removed from the interview"
        elif interview.status == "cancelled":
            prompt.state, prompt.reason = "cancelled", "interview cancelled"
        elif prompt.due_at != due:
            prompt.due_at = due
    elif (
        prompt.state == "cancelled"
        and keep
        and interview.status != "cancelled"
        and prompt.reason in ("interview cancelled", "removed from the interview")
    ):
        prompt.state, prompt.reason, prompt.due_at = "scheduled", None, due
    if keep and (prompt.team, prompt.role) != (interview.team, interview.role):
        prompt.team, prompt.role = interview.team, interview.role
