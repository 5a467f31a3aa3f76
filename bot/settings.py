"""One validated Settings object: environment variables first, then fairloop.toml, then defaults."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config import Alerts, Digest, Goal, timezone_name

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


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


def _env(name: str, *more: str) -> AliasChoices:
    return AliasChoices(name, *more)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    database_url: str = Field(
        "sqlite+aiosqlite:///./fairloop.db", validation_alias=_env("FAIRLOOP_DATABASE_URL", "database_url")
    )
    api_token: str | None = Field(None, validation_alias=_env("FAIRLOOP_API_TOKEN", "api_token"))
    secret_key: str | None = Field(None, validation_alias=_env("FAIRLOOP_SECRET_KEY", "secret_key"))
    host: str = Field("127.0.0.1", validation_alias=_env("FAIRLOOP_HOST", "host"))
    port: int = Field(3978, ge=0, le=65535, validation_alias=_env("FAIRLOOP_PORT", "port"))

    slack_bot_token: str | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN", "slack_bot_token"))
    slack_signing_secret: str | None = Field(
        None, validation_alias=_env("SLACK_SIGNING_SECRET", "slack_signing_secret")
    )
    slack_app_token: str | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN", "slack_app_token"))
    slack_api_url: str = Field(
        "https://slack.com/api/", validation_alias=_env("FAIRLOOP_SLACK_API_URL", "slack_api_url")
    )

    microsoft_app_id: str | None = Field(None, validation_alias=_env("MICROSOFT_APP_ID", "microsoft_app_id"))
    microsoft_app_password: str | None = Field(
        None, validation_alias=_env("MICROSOFT_APP_PASSWORD", "microsoft_app_password")
    )
    microsoft_app_tenant_id: str | None = Field(
        None, validation_alias=_env("MICROSOFT_APP_TENANT_ID", "microsoft_app_tenant_id")
    )
    microsoft_app_type: Literal["SingleTenant", "MultiTenant", "UserAssignedMSI"] = Field(
        "SingleTenant", validation_alias=_env("MICROSOFT_APP_TYPE", "microsoft_app_type")
    )
    teams_enabled: bool = Field(False, validation_alias=_env("FAIRLOOP_TEAMS", "teams"))
    teams_allow_unauthenticated: bool = Field(
        False, validation_alias=_env("FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED", "teams_allow_unauthenticated")
    )

    playground: bool | None = Field(None, validation_alias=_env("FAIRLOOP_PLAYGROUND", "playground"))
    prompt_delay: timedelta = Field(
        timedelta(minutes=5), validation_alias=_env("FAIRLOOP_PROMPT_DELAY", "prompt_delay")
    )
    reminder_after: timedelta = Field(
        timedelta(hours=24), validation_alias=_env("FAIRLOOP_REMINDER_AFTER", "reminder_after")
    )
    prompt_expires: timedelta = Field(
        timedelta(days=7), validation_alias=_env("FAIRLOOP_PROMPT_EXPIRES", "prompt_expires")
    )
    dispatch_interval: timedelta = Field(
        timedelta(seconds=2), validation_alias=_env("FAIRLOOP_DISPATCH_INTERVAL", "dispatch_interval")
    )
    min_group_size: int = Field(5, ge=1, le=1000, validation_alias=_env("FAIRLOOP_MIN_GROUP_SIZE", "min_group_size"))
    timezone: str = Field("UTC", validation_alias=_env("FAIRLOOP_TIMEZONE", "timezone"))
    log_format: Literal["text", "json"] = Field("text", validation_alias=_env("FAIRLOOP_LOG_FORMAT", "log_format"))
    public_url: str | None = Field(None, validation_alias=_env("FAIRLOOP_PUBLIC_URL", "public_url"))
    retention: timedelta = Field(timedelta(days=730), validation_alias=_env("FAIRLOOP_RETENTION", "retention"))
    config: str = Field("./fairloop.toml", validation_alias=_env("FAIRLOOP_CONFIG", "config"))

    # only in fairloop.toml
    admins: tuple[str, ...] = ()
    practices: tuple[Practice, ...] = DEFAULT_PRACTICES
    training_url: str = "https://example.com/fair-interviewing"
    leadership_message: str = ""
    digests: tuple[Digest, ...] = ()
    goals: tuple[Goal, ...] = ()
    alerts: Alerts | None = None

    @field_validator(
        "prompt_delay", "reminder_after", "prompt_expires", "retention", "dispatch_interval", mode="before"
    )
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return timezone_name(value)

    @field_validator("database_url")
    @classmethod
    def _async_url(cls, value: str) -> str:
        if not (value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB")
        return value

    @field_validator("practices")
    @classmethod
    def _unique_practices(cls, value: tuple[Practice, ...]) -> tuple[Practice, ...]:
        keys = [p.key for p in value]
        if not value or len(set(keys)) != len(keys):
            raise ValueError("practices need at least one entry and unique keys")
        return value

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

    # ---- derived ----
    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_on(self) -> bool:
        return bool(self.microsoft_app_id or self.teams_enabled or self.teams_allow_unauthenticated)

    @property
    def playground_on(self) -> bool:
        if self.playground is not None:
            return self.playground
        return self.loopback and not self.slack_enabled and not self.teams_on

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

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

    def is_admin(self, *ids: str | None) -> bool:
        wanted = {a.lower() for a in self.admins}
        return any(i and i.lower() in wanted for i in ids)


class _TomlSource(PydanticBaseSettingsSource):
    """Reads FAIRLOOP_CONFIG (default ./fairloop.toml) when it exists."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = Path(os.environ.get("FAIRLOOP_CONFIG", "./fairloop.toml"))
        self.data: dict[str, Any] = {}
        if path.is_file():
            try:
                self.data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"{path}: not valid TOML ({exc})") from exc

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        # file keys are field names; give them the env alias so the environment overrides them key for key
        return {_setting_name(k) if k in Settings.model_fields else k: v for k, v in self.data.items()}


class SettingsError(Exception):
    """Start-up refuses with this one line."""


KNOWN_ENV = {
    "FAIRLOOP_" + n
    for n in [
        "DATABASE_URL",
        "API_TOKEN",
        "SECRET_KEY",
        "HOST",
        "PORT",
        "SLACK_API_URL",
        "TEAMS",
        "TEAMS_ALLOW_UNAUTHENTICATED",
        "PLAYGROUND",
        "PROMPT_DELAY",
        "REMINDER_AFTER",
        "PROMPT_EXPIRES",
        "DISPATCH_INTERVAL",
        "MIN_GROUP_SIZE",
        "TIMEZONE",
        "LOG_FORMAT",
        "PUBLIC_URL",
        "RETENTION",
        "CONFIG",
        "THIRDPARTY",
        # ATS connectors (issue 12): their settings live in adapters/sources/ats_settings.py
        *(f"ASHBY_{n}" for n in ("WEBHOOK_SECRET", "API_KEY", "API_URL")),
        *(f"LEVER_{n}" for n in ("WEBHOOK_TOKEN", "API_KEY", "API_URL")),
        *(
            f"GREENHOUSE_{n}"
            for n in ("WEBHOOK_SECRET", "CLIENT_ID", "CLIENT_SECRET", "USER_ID", "API_URL", "TOKEN_URL")
        ),
        "ATS_SYNC_EVERY",
        "ATS_SYNC_WINDOW",
    ]
}


def load_settings(**overrides: Any) -> Settings:
    """Build Settings or raise SettingsError with one line naming the setting."""
    unknown = sorted(k for k in os.environ if k.startswith("FAIRLOOP_") and k not in KNOWN_ENV)
    if unknown:
        raise SettingsError(f"{unknown[0]}: unknown setting")
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        where = _setting_name(str(loc[0])) if loc else "settings"
        for part in loc[1:]:  # digests[0].cron, goals[1].target: say which entry of fairloop.toml
            where += f"[{part}]" if isinstance(part, int) else f".{part}"
        raise SettingsError(f"{where}: {err['msg'].removeprefix('Value error, ')}") from None
    if settings.teams_on and not settings.microsoft_app_id:
        if not settings.teams_allow_unauthenticated:
            raise SettingsError(
                "MICROSOFT_APP_ID: required to enable Teams (or FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED=1 on loopback for local tests)"
            )
        if not settings.loopback:
            raise SettingsError(
                "FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED: refused because FAIRLOOP_HOST is not a loopback address"
            )
    if settings.slack_bot_token and not (settings.slack_signing_secret or settings.slack_app_token):
        raise SettingsError(
            "SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)"
        )
    return settings


def _setting_name(field_or_alias: str) -> str:
    if field_or_alias.isupper():
        return field_or_alias
    field = Settings.model_fields.get(field_or_alias)
    alias = getattr(field, "validation_alias", None) if field else None
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return field_or_alias
