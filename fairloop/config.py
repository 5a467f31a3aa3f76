"""Every setting fairloop reads, gathered from each part's own settings class, checked together, in one line of
error when something is wrong."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from adapters.addresses import loopback_address
from adapters.playground.settings import PlaygroundSettings
from adapters.slack.settings import SlackSettings
from adapters.sources.ats_settings import AtsSettings, WebhookSettings
from adapters.teams.settings import TeamsSettings
from bot.settings import Settings, SettingsBase, SettingsError, env, setting_name, toml_values

TOOLS = ("FAIRLOOP_THIRDPARTY", "FAIRLOOP_TEST_", "FAIRLOOP_BENCH_")  # read by the test suite and benchmarks


class ServerSettings(SettingsBase):
    """The process: where it listens, its database, its secret, its logs, and where fairloop.toml is."""

    database_url: str = Field(
        "sqlite+aiosqlite:///./fairloop.db", validation_alias=env("FAIRLOOP_DATABASE_URL", "database_url")
    )
    secret_key: str | None = Field(None, validation_alias=env("FAIRLOOP_SECRET_KEY", "secret_key"))
    host: str = Field("127.0.0.1", validation_alias=env("FAIRLOOP_HOST", "host"))
    port: int = Field(3978, ge=0, le=65535, validation_alias=env("FAIRLOOP_PORT", "port"))
    log_format: Literal["text", "json"] = Field("text", validation_alias=env("FAIRLOOP_LOG_FORMAT", "log_format"))
    config: str = Field("./fairloop.toml", validation_alias=env("FAIRLOOP_CONFIG", "config"))

    @field_validator("database_url")
    @classmethod
    def _async_url(cls, value: str) -> str:
        if not (value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB")
        return value

    @property
    def loopback(self) -> bool:
        return loopback_address(self.host)

    @property
    def sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


PARTS: dict[str, type[SettingsBase]] = {
    "core": Settings,
    "server": ServerSettings,
    "webhook": WebhookSettings,
    "slack": SlackSettings,
    "teams": TeamsSettings,
    "playground": PlaygroundSettings,
    "ats": AtsSettings,
}


@dataclass(frozen=True, kw_only=True)
class Config:
    """Each part's settings; the checks that span parts run whenever a Config is made."""

    core: Settings
    server: ServerSettings
    webhook: WebhookSettings
    slack: SlackSettings
    teams: TeamsSettings
    playground: PlaygroundSettings
    ats: AtsSettings

    def __post_init__(self) -> None:
        host = self.server.host
        if not self.server.sqlite and not self.server.secret_key:
            raise SettingsError(
                "FAIRLOOP_SECRET_KEY: required with PostgreSQL, set in the environment (it must not live in the "
                "database); a database an older fairloop ran on holds its generated key: "
                "SELECT value FROM setting WHERE key = 'secret_key'"
            )
        if self.teams.teams_allow_unauthenticated and not self.server.loopback:
            raise SettingsError(
                f"FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED: refused because FAIRLOOP_HOST ({host}) is not a loopback address"
            )
        if self.playground.playground and not self.server.loopback:
            raise SettingsError(
                f"FAIRLOOP_PLAYGROUND: refused because FAIRLOOP_HOST ({host}) is not a loopback address; "
                "the playground lets anyone act as anyone, so it only serves this machine"
            )

    @property
    def playground_on(self) -> bool:
        if self.playground.playground is not None:
            return self.playground.playground
        return self.server.loopback and not self.slack.enabled and not self.teams.on


def variables() -> set[str]:
    return set().union(*(part.variables() for part in PARTS.values()))


def load_config(**overrides: Any) -> Config:
    """Build every part from `overrides` (by field name), the environment and fairloop.toml, or raise
    SettingsError with one line naming the setting."""
    unknown = sorted(
        k for k in os.environ if k.startswith("FAIRLOOP_") and k not in variables() and not k.startswith(TOOLS)
    )
    if unknown:
        raise SettingsError(f"{unknown[0]}: unknown setting")
    path = Path(str(overrides.get("config") or os.environ.get("FAIRLOOP_CONFIG") or "./fairloop.toml"))
    data = _read_toml(path)
    fields = {name for part in PARTS.values() for name in part.model_fields}
    strange = sorted(k for k in data if k not in fields)
    if strange:
        raise SettingsError(f"{path}: {strange[0]}: unknown setting")
    extra = sorted(k for k in overrides if k not in fields)
    if extra:
        raise TypeError(f"no setting is called {extra[0]!r}")
    built: dict[str, Any] = {}
    with toml_values(data):
        for name, part in PARTS.items():
            mine = {k: v for k, v in overrides.items() if k in part.model_fields}
            try:
                built[name] = part(**mine)
            except ValidationError as exc:
                raise SettingsError(_one_line(part, exc)) from None
    server = built["server"]
    if built["core"].public_url is None:  # links point at this server unless FAIRLOOP_PUBLIC_URL says otherwise
        built["core"] = built["core"].model_copy(update={"public_url": f"http://{server.host}:{server.port}"})
    return Config(**built)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None


def _one_line(part: type[SettingsBase], exc: ValidationError) -> str:
    err = exc.errors()[0]
    message = str(err["msg"]).removeprefix("Value error, ")
    loc = err["loc"]
    if not loc:  # a check across fields names its setting itself
        return message
    where = setting_name(part, str(loc[0]))
    for piece in loc[1:]:  # digests[0].cron, goals[1].target: say which entry of fairloop.toml
        where += f"[{piece}]" if isinstance(piece, int) else f".{piece}"
    return f"{where}: {message}"
