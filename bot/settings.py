"""The core's settings (what the product does and when), and the machinery every settings class shares.

Each part of fairloop declares its own settings class on `SettingsBase`: the core here, each platform with its
adapter, the server in the composition root. Values come from the constructor, then the environment, then
fairloop.toml (`toml_values`), then defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from types import MappingProxyType
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config import Alerts, Digest, Goal, timezone_name

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_TOML: ContextVar[Mapping[str, Any]] = ContextVar("fairloop_toml", default=MappingProxyType({}))


class SettingsError(Exception):
    """Start-up refuses with this one line, which names the setting."""


def parse_duration(value: str | int | timedelta) -> timedelta:
    """'0s', '30s', '5m', '24h', '7d' -> timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int):
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration like 30s, 5m, 24h or 7d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def env(name: str, field: str) -> AliasChoices:
    """A setting read from the environment variable `name`, or `field` in fairloop.toml and in code."""
    return AliasChoices(name, field)


@contextmanager
def toml_values(data: Mapping[str, Any]) -> Iterator[None]:
    """Settings classes built inside this block read fairloop.toml's `data` below the environment."""
    token = _TOML.set(data)
    try:
        yield
    finally:
        _TOML.reset(token)


class _TomlSource(PydanticBaseSettingsSource):
    """fairloop.toml's keys that are this class's fields, renamed to their variable so the environment wins."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        fields = self.settings_cls.model_fields
        return {setting_name(self.settings_cls, k): v for k, v in _TOML.get().items() if k in fields}


class SettingsBase(BaseSettings):
    model_config = SettingsConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    @classmethod
    def variables(cls) -> set[str]:
        """The environment variables this class reads (derived from its fields, never a hand-kept list)."""
        return {name for name in (setting_name(cls, f) for f in cls.model_fields) if name.isupper()}


def setting_name(cls: type[BaseModel], field_or_alias: str) -> str:
    """The name people set: the environment variable for a field that has one, else the field."""
    if field_or_alias.isupper():
        return field_or_alias
    field = cls.model_fields.get(field_or_alias)
    alias = getattr(field, "validation_alias", None) if field else None
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return field_or_alias


class Practice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")
    label: str = Field(min_length=1, max_length=120)
    short: str = Field(default="", max_length=60)
    tip: str = ""


DEFAULT_PRACTICES = (
    Practice(
        key="structured",
        label="structured questions for the role",
        short="structured questions",
        tip="Use the role's question bank so every candidate gets a comparable interview.",
    ),
    Practice(
        key="rubric",
        label="scored against the rubric before discussing with others",
        short="rubric before discussion",
        tip="Write your rubric scores before the debrief; early discussion anchors everyone.",
    ),
    Practice(
        key="accommodations",
        label="offered the accommodations the candidate asked for",
        short="accommodations offered",
        tip="Check the interview brief for requested accommodations before you start.",
    ),
    Practice(
        key="on_topic",
        label="no off-topic personal questions",
        short="no off-topic questions",
        tip="Keep to the job: family, age, origin and plans are off limits, even as small talk.",
    ),
    Practice(
        key="candidate_time",
        label="left time for the candidate's questions",
        short="time for their questions",
        tip="Reserve the last five minutes for the candidate's questions.",
    ),
)


class Settings(SettingsBase):
    """What the product does and when: timing, the privacy threshold, periods, and fairloop.toml's content."""

    DURATIONS: ClassVar = (
        "prompt_delay", "reminder_after", "prompt_expires", "retention", "dispatch_interval", "delivery_lease",
    )  # fmt: skip

    prompt_delay: timedelta = Field(timedelta(minutes=5), validation_alias=env("FAIRLOOP_PROMPT_DELAY", "prompt_delay"))
    reminder_after: timedelta = Field(
        timedelta(hours=24), validation_alias=env("FAIRLOOP_REMINDER_AFTER", "reminder_after")
    )
    prompt_expires: timedelta = Field(
        timedelta(days=7), validation_alias=env("FAIRLOOP_PROMPT_EXPIRES", "prompt_expires")
    )
    dispatch_interval: timedelta = Field(
        timedelta(seconds=2), validation_alias=env("FAIRLOOP_DISPATCH_INTERVAL", "dispatch_interval")
    )
    # a claim on a send lasts this long unless renewed; it is renewed every quarter of it while the send runs
    delivery_lease: timedelta = Field(
        timedelta(minutes=2), validation_alias=env("FAIRLOOP_DELIVERY_LEASE", "delivery_lease")
    )
    min_group_size: int = Field(5, ge=1, le=1000, validation_alias=env("FAIRLOOP_MIN_GROUP_SIZE", "min_group_size"))
    timezone: str = Field("UTC", validation_alias=env("FAIRLOOP_TIMEZONE", "timezone"))
    public_url: str | None = Field(None, validation_alias=env("FAIRLOOP_PUBLIC_URL", "public_url"))
    retention: timedelta = Field(timedelta(days=730), validation_alias=env("FAIRLOOP_RETENTION", "retention"))

    # only in fairloop.toml
    admins: tuple[str, ...] = ()
    practices: tuple[Practice, ...] = DEFAULT_PRACTICES
    training_url: str = "https://example.com/fair-interviewing"
    privacy_url: str = "https://github.com/fairloop/fairloop/blob/main/docs/PRIVACY.md"
    leadership_message: str = ""
    digests: tuple[Digest, ...] = ()
    goals: tuple[Goal, ...] = ()
    alerts: Alerts | None = None

    @field_validator(*DURATIONS, mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator("delivery_lease")
    @classmethod
    def _lease(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1):
            raise ValueError("a lease of at least 1s")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return timezone_name(value)

    @field_validator("practices")
    @classmethod
    def _unique_practices(cls, value: tuple[Practice, ...]) -> tuple[Practice, ...]:
        keys = [p.key for p in value]
        if not value or len(set(keys)) != len(keys):
            raise ValueError("practices need at least one entry and unique keys")
        return value

    @field_validator("digests")
    @classmethod
    def _unique_digests(cls, value: tuple[Digest, ...], info: ValidationInfo) -> tuple[Digest, ...]:
        names = [d.name for d in value]
        if len(set(names)) != len(names):
            raise ValueError("digest names must be unique")
        zone = info.data.get("timezone") or "UTC"  # a digest without its own timezone uses FAIRLOOP_TIMEZONE
        return tuple(d if d.timezone else d.model_copy(update={"timezone": zone}) for d in value)

    @field_validator("goals")
    @classmethod
    def _known_metrics(cls, value: tuple[Goal, ...], info: ValidationInfo) -> tuple[Goal, ...]:
        keys = [p.key for p in info.data.get("practices") or DEFAULT_PRACTICES]
        for i, goal in enumerate(value):
            if goal.metric not in ("response", "all_practices", *keys):
                raise ValueError(
                    f"goal {i + 1}: metric {goal.metric!r} is not response, all_practices or a practice ({', '.join(keys)})"
                )
        return value

    # ---- derived ----
    @property
    def base_url(self) -> str:
        """Where links the bot hands out point (the composition root fills in http://HOST:PORT when unset)."""
        return (self.public_url or "http://127.0.0.1:3978").rstrip("/")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def practice(self, key: str) -> Practice | None:
        return next((p for p in self.practices if p.key == key), None)

    def digest(self, name: str | None) -> Digest | None:
        """A declared digest by name, the first one when no name is given."""
        if name is None:
            return self.digests[0] if self.digests else None
        return next((d for d in self.digests if d.name == name.lower()), None)

    def is_admin(self, *ids: str | None) -> bool:
        wanted = {a.lower() for a in self.admins}
        return any(i and i.lower() in wanted for i in ids)
