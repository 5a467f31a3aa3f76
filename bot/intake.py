"""Interview intake: validate interviews from any source and upsert them with their prompts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlmodel import col, select

from bot.errors import UserInputError
from storage import interviews as repo
from storage.models import Interview, Person, Prompt
from storage.people import get_people_by_emails, normalise_email

MAX_BATCH = 5000
_EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"


class InterviewerIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    email: str = Field(pattern=_EMAIL, max_length=320)


class InterviewIn(BaseModel):
    """One interview as the webhook and the CSV import take it. Unknown fields are ignored, never stored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    external_id: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=200)
    team: str = Field(default="", max_length=200)
    stage: str = Field(default="", max_length=100)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    interviewers: list[InterviewerIn] = Field(min_length=1, max_length=30)
    candidate_ref: str | None = Field(default=None, max_length=200)
    status: Literal["scheduled", "cancelled", "completed"] = "scheduled"

    @field_validator("interviewers", mode="before")
    @classmethod
    def _emails_as_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"email": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> InterviewIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.ends_at - self.starts_at > timedelta(hours=24):
            raise ValueError("an interview can last at most 24 hours")
        return self


class FieldErrors(UserInputError):
    """Validation failed; `fields` lists every problem as {"field": path, "message": sentence}."""

    def __init__(self, fields: list[dict[str, str]]) -> None:
        super().__init__(
            f"{len(fields)} invalid field(s): " + "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
        )
        self.fields = fields


def _path(prefix: str, loc: tuple[Any, ...]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def validate_batch(data: Any) -> list[InterviewIn]:
    """One interview object or {"interviews": [...]} -> validated list, or FieldErrors naming every field."""
    if isinstance(data, dict) and "interviews" in data:
        items, prefix = data["interviews"], "interviews"
        if not isinstance(items, list) or not items:
            raise FieldErrors([{"field": "interviews", "message": "must be a non-empty list of interviews"}])
        if len(items) > MAX_BATCH:
            raise FieldErrors([{"field": "interviews", "message": f"at most {MAX_BATCH} interviews per request"}])
    elif isinstance(data, dict):
        items, prefix = [data], ""
    else:
        raise FieldErrors([{"field": "body", "message": 'must be an interview object or {"interviews": [...]}'}])
    good: list[InterviewIn] = []
    errors: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        here = f"{prefix}[{i}]" if prefix else ""
        try:
            parsed = InterviewIn.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                msg = str(err["msg"]).removeprefix("Value error, ")
                errors.append({"field": _path(here, tuple(err["loc"])), "message": msg})
            continue
        if parsed.external_id in seen:
            errors.append({"field": _path(here, ("external_id",)), "message": "appears twice in this batch"})
        seen.add(parsed.external_id)
        good.append(parsed)
    if errors:
        raise FieldErrors(errors)
    return good


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


async def upsert_interviews(*, session: Any, items: list[InterviewIn], prompt_delay: timedelta) -> list[int]:
    """Insert or update interviews by external_id and keep their prompts in step; returns their ids.

    Same data again changes nothing; a new ends_at moves unsent prompts; "cancelled" cancels unsent
    prompts (and "scheduled" again brings them back); interviewers added get prompts, removed ones'
    unsent prompts are cancelled. New interviews and prompts go in as bulk inserts.
    """
    existing = await repo.interviews_by_external_ids(session=session, external_ids=[i.external_id for i in items])
    people = await get_people_by_emails(session=session, emails=[iv.email for i in items for iv in i.interviewers])
    prompts = await repo.prompts_for_interviews(
        session=session, interview_ids=[iv.id for iv in existing.values() if iv.id]
    )
    fields = {i.external_id: _fields(i) for i in items}
    new_ids = await repo.insert_interviews(
        session=session,
        rows=[{"external_id": i.external_id, **fields[i.external_id]} for i in items if i.external_id not in existing],
    )
    new_prompts: list[dict[str, Any]] = []
    for item in items:
        f = fields[item.external_id]
        wanted = {people[normalise_email(iv.email)].id for iv in item.interviewers}
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
                session.add(row)
            interview_id = row.id or 0
            current = {p.person_id: p for p in prompts.get(interview_id, [])}
            for person_id, prompt in current.items():
                _sync_prompt(prompt, row, due, keep=person_id in wanted)
                if session.is_modified(prompt):
                    session.add(prompt)
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
    await session.flush()
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
        and prompt.reason
        in (
            "interview cancelled",
            "removed from the interview",
        )
    ):
        prompt.state, prompt.reason, prompt.due_at = "scheduled", None, due
    if keep and (prompt.team, prompt.role) != (interview.team, interview.role):
        prompt.team, prompt.role = interview.team, interview.role


async def describe_many(
    *, session: Any, interview_ids: list[int], feedback_url: Callable[[Interview], str] | None = None
) -> list[dict[str, Any]]:
    """The webhook's answer for interviews just upserted, in the order they were sent.

    `feedback_url` builds each interview's candidate feedback link (Core.feedback_url).
    """
    rows = {iv.id: iv for iv in await session.exec(select(Interview).where(col(Interview.id).in_(interview_ids)))}
    prompts = await repo.prompts_for_interviews(session=session, interview_ids=interview_ids)
    person_ids = {p.person_id for ps in prompts.values() for p in ps}
    emails = dict(list(await session.exec(select(Person.id, Person.email).where(col(Person.id).in_(person_ids)))))
    return [
        describe(rows[i], prompts.get(i, []), emails, feedback_url(rows[i]) if feedback_url else None)
        for i in interview_ids
    ]


def describe(
    interview: Interview, prompts: list[Prompt], emails: dict[int, str], feedback_url: str | None
) -> dict[str, Any]:
    """The webhook's answer for one interview (contract shape)."""
    out: dict[str, Any] = {
        "id": interview.id,
        "external_id": interview.external_id,
        "status": interview.status,
        "prompts": [
            {
                "interviewer": emails.get(p.person_id, ""),
                "state": p.state,
                "due_at": p.due_at.isoformat().replace("+00:00", "Z"),
                **({"reason": p.reason} if p.reason else {}),
            }
            for p in prompts
        ],
    }
    if feedback_url:
        out["candidate_feedback_url"] = feedback_url
    return out


async def cancel_interviews(
    *,
    session: Any,
    external_ids: list[str] | tuple[str, ...] = (),
    candidate_refs: list[str] | tuple[str, ...] = (),
    prefix: str | None = None,
    keep: list[str] | tuple[str, ...] = (),
) -> list[int]:
    """Cancel interviews known only by id: by external id, by candidate ref (an application or candidate
    deleted in the ATS), or every one under `prefix` except `keep` (events dropped from an ATS schedule).

    The same outcome as sending each one again with "status": "cancelled": unsent prompts are cancelled,
    sent and answered ones stay. Returns the ids of the interviews cancelled now.
    """
    rows = await repo.interviews_to_cancel(
        session=session, external_ids=external_ids, candidate_refs=candidate_refs, prefix=prefix, keep=keep
    )
    for row in rows:
        row.status = "cancelled"
        repo.touch(row)
        session.add(row)
    await session.flush()
    ids = [row.id or 0 for row in rows]
    await repo.cancel_unsent_prompts(session=session, interview_ids=ids)
    return ids
