"""Interview intake: validate interviews from any source and upsert them with their prompts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import UserInputError
from storage import interviews as repo
from storage.models import Interview, Prompt
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


async def upsert_interviews(*, session: Any, items: list[InterviewIn], prompt_delay: timedelta) -> list[Interview]:
    """Insert or update interviews by external_id and keep their prompts in step.

    Same data again changes nothing; a new ends_at moves unsent prompts; "cancelled" cancels unsent
    prompts (and "scheduled" again brings them back); interviewers added get prompts, removed ones'
    unsent prompts are cancelled.
    """
    existing = await repo.interviews_by_external_ids(session=session, external_ids=[i.external_id for i in items])
    people = await get_people_by_emails(session=session, emails=[iv.email for i in items for iv in i.interviewers])
    prompts = await repo.prompts_for_interviews(
        session=session, interview_ids=[iv.id for iv in existing.values() if iv.id]
    )
    touched: list[tuple[InterviewIn, Interview]] = []
    for item in items:
        row = existing.get(item.external_id)
        fields = {
            "role": item.role,
            "team": item.team,
            "stage": item.stage,
            "candidate_ref": item.candidate_ref,
            "starts_at": _utc(item.starts_at),
            "ends_at": _utc(item.ends_at),
            "status": item.status,
        }
        if row is None:
            row = Interview(external_id=item.external_id, **fields)
            session.add(row)
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            repo.touch(row)
            session.add(row)
        touched.append((item, row))
    await session.flush()
    for item, row in touched:
        assert row.id is not None
        due = row.ends_at + prompt_delay
        current = {p.person_id: p for p in prompts.get(row.id, [])}
        wanted = {people[normalise_email(iv.email)].id for iv in item.interviewers}
        for person_id in wanted - current.keys():
            assert person_id is not None
            state, reason = ("cancelled", "interview cancelled") if row.status == "cancelled" else ("scheduled", None)
            session.add(
                Prompt(
                    interview_id=row.id,
                    person_id=person_id,
                    due_at=due,
                    team=row.team,
                    role=row.role,
                    state=state,
                    reason=reason,
                )
            )
        for person_id, prompt in current.items():
            _sync_prompt(prompt, row, due, keep=person_id in wanted)
            if session.is_modified(prompt):
                session.add(prompt)
    await session.flush()
    return [row for _, row in touched]


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
