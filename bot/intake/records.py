"""Interview records as every source hands them in: validated, with every problem named by its field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import UserInputError

MAX_BATCH = 5000
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "must be a date between the years 1970 and 2999"
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

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        """Far enough from year 1 and 9999 that a prompt's due time, a week and a timezone can be added to it."""
        try:
            in_utc = value.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
            raise ValueError(OUT_OF_RANGE) from None
        if not EARLIEST <= in_utc < LATEST:
            raise ValueError(OUT_OF_RANGE)
        return value

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
