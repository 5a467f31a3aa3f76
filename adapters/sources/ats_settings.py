"""Each ATS connector's settings, read from FAIRLOOP_ASHBY_*, FAIRLOOP_LEVER_* and FAIRLOOP_GREENHOUSE_*."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings import parse_duration


class _Vendor(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)


class AshbySettings(_Vendor):
    model_config = SettingsConfigDict(env_prefix="FAIRLOOP_ASHBY_", extra="ignore", frozen=True)
    webhook_secret: SecretStr | None = None
    api_key: SecretStr | None = None
    api_url: str = "https://api.ashbyhq.com"

    @property
    def webhook_on(self) -> bool:
        return bool(self.webhook_secret and self.api_key)

    @property
    def api_on(self) -> bool:
        return bool(self.api_key)


class LeverSettings(_Vendor):
    model_config = SettingsConfigDict(env_prefix="FAIRLOOP_LEVER_", extra="ignore", frozen=True)
    webhook_token: SecretStr | None = None
    api_key: SecretStr | None = None
    api_url: str = "https://api.lever.co/v1"

    @property
    def webhook_on(self) -> bool:
        return bool(self.webhook_token and self.api_key)

    @property
    def api_on(self) -> bool:
        return bool(self.api_key)


class GreenhouseSettings(_Vendor):
    """Harvest v3: OAuth 2.0 client credentials (`sub` = the Greenhouse user id the calls act as)."""

    model_config = SettingsConfigDict(env_prefix="FAIRLOOP_GREENHOUSE_", extra="ignore", frozen=True)
    webhook_secret: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    user_id: str | None = None
    api_url: str = "https://harvest.greenhouse.io/v3"
    token_url: str = "https://auth.greenhouse.io/token"

    @property
    def webhook_on(self) -> bool:
        return bool(self.webhook_secret)

    @property
    def api_on(self) -> bool:
        return bool(self.client_id and self.client_secret)


class AtsSettings(_Vendor):
    """All three, plus how often the scheduled sync runs (FAIRLOOP_ATS_SYNC_EVERY, 0s turns it off)."""

    model_config = SettingsConfigDict(env_prefix="FAIRLOOP_ATS_", extra="ignore", frozen=True)
    sync_every: timedelta = Field(default=timedelta(minutes=15))
    sync_window: timedelta = Field(default=timedelta(days=2))
    ashby: AshbySettings = Field(default_factory=AshbySettings)
    lever: LeverSettings = Field(default_factory=LeverSettings)
    greenhouse: GreenhouseSettings = Field(default_factory=GreenhouseSettings)

    @field_validator("sync_every", "sync_window", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)  # type: ignore[arg-type]

    def configured(self) -> list[str]:
        """Vendors whose API can be read (and so synced)."""
        return [name for name in ("ashby", "lever", "greenhouse") if getattr(self, name).api_on]


ENV_NAMES = (
    *(f"FAIRLOOP_ASHBY_{n}" for n in ("WEBHOOK_SECRET", "API_KEY", "API_URL")),
    *(f"FAIRLOOP_LEVER_{n}" for n in ("WEBHOOK_TOKEN", "API_KEY", "API_URL")),
    *(
        f"FAIRLOOP_GREENHOUSE_{n}"
        for n in ("WEBHOOK_SECRET", "CLIENT_ID", "CLIENT_SECRET", "USER_ID", "API_URL", "TOKEN_URL")
    ),
    "FAIRLOOP_ATS_SYNC_EVERY",
    "FAIRLOOP_ATS_SYNC_WINDOW",
)
