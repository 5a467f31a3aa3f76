"""What fairloop.toml declares beyond plain settings: digests, goals and where concern alerts go."""

from __future__ import annotations

import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot import crontab
from bot.reports.periods import PERIODS

Platform = Literal["slack", "teams", "playground"]
Audience = Literal["joint", "recruitment", "dei"]
METRICS = {
    "response": "response",
    "response_rate": "response",
    "all": "all_practices",
    "all_practices": "all_practices",
}


class Digest(BaseModel):
    """A scheduled sync digest: `[[digests]]` in fairloop.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$")
    platform: Platform
    channel: str = Field(min_length=1, max_length=300)
    cron: str = "0 9 * * mon"
    timezone: str = ""  # "" until Settings fills in FAIRLOOP_TIMEZONE, the contract's default for digests
    period: str = "7d"
    audience: Audience = "joint"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return timezone_name(value) if value else value

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if value not in PERIODS:
            raise ValueError(f"{value!r} is not one of {', '.join(PERIODS)}")
        return value

    @model_validator(mode="after")
    def _cron(self) -> Digest:
        try:
            crontab.check(self.cron)
        except crontab.CronError as exc:
            raise ValueError(f"cron {exc}") from None
        return self


class Goal(BaseModel):
    """A target the digest and `goals` report against: `[[goals]]` in fairloop.toml or `goal set`.

    `team` is "" for everyone; `metric` is response, all_practices or a practice key; `target` is 0..1.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    team: str = Field(default="", max_length=200)
    metric: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")
    target: float = Field(ge=0, le=1)

    @field_validator("metric", mode="before")
    @classmethod
    def _alias(cls, value: object) -> object:
        return METRICS.get(str(value).lower(), str(value).lower()) if isinstance(value, str) else value

    @field_validator("target", mode="before")
    @classmethod
    def _percent(cls, value: object) -> object:
        return parse_target(value) if isinstance(value, str | int) else value


class Alerts(BaseModel):
    """Where attributed concerns are posted at once: `[alerts]` in fairloop.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    platform: Platform
    channel: str = Field(min_length=1, max_length=300)


def timezone_name(value: str) -> str:
    """An IANA timezone name, or ValueError saying what is expected."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{value!r} is not an IANA timezone like Europe/Berlin") from exc
    return value


def parse_target(value: object) -> float:
    """'90%', '90', 90 or '0.9' -> 0.9 (a bare number above 1 is a percentage)."""
    raw = str(value).strip()
    text = raw.removesuffix("%").strip()
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError(f"{value!r} is not a target like 90% or 0.9")
    number = float(text)
    share = number / 100 if raw.endswith("%") or number > 1 else number
    if share > 1:
        raise ValueError(f"{value!r} is more than 100%")
    return share
