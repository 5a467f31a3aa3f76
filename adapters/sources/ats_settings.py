"""The interview sources' settings: the webhook's FAIRLOOP_API_TOKEN and the ATS connectors' (FAIRLOOP_ASHBY_*,
FAIRLOOP_LEVER_*, FAIRLOOP_GREENHOUSE_*, FAIRLOOP_ATS_*). Every command reads them; the sources load when serving."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from bot.settings import SettingsBase, env, parse_duration

VENDORS = ("ashby", "lever", "greenhouse")


class WebhookSettings(SettingsBase):
    api_token: str | None = Field(None, validation_alias=env("FAIRLOOP_API_TOKEN", "api_token"))


class _Vendor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AshbySettings(_Vendor):
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
    webhook_token: SecretStr | None = None  # one per Lever webhook: several, separated by commas
    api_key: SecretStr | None = None
    api_url: str = "https://api.lever.co/v1"

    @property
    def webhook_on(self) -> bool:
        return bool(self.webhook_token and self.api_key)

    @property
    def api_on(self) -> bool:
        return bool(self.api_key)


class GreenhouseSettings(_Vendor):
    """Harvest v3: OAuth 2.0 client credentials (`user_id`, sent as `sub`, is the Greenhouse user the calls act as)."""

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


def _setting(name: str, default: Any = None) -> Any:
    return Field(default, validation_alias=env(f"FAIRLOOP_{name.upper()}", name))


class AtsSettings(SettingsBase):
    """All three connectors, one setting per variable, seen per vendor through `ashby`, `lever` and `greenhouse`;
    and how often the scheduled sync runs (FAIRLOOP_ATS_SYNC_EVERY, 0s turns it off) over which window."""

    ashby_webhook_secret: SecretStr | None = _setting("ashby_webhook_secret")
    ashby_api_key: SecretStr | None = _setting("ashby_api_key")
    ashby_api_url: str = _setting("ashby_api_url", AshbySettings().api_url)
    lever_webhook_token: SecretStr | None = _setting("lever_webhook_token")
    lever_api_key: SecretStr | None = _setting("lever_api_key")
    lever_api_url: str = _setting("lever_api_url", LeverSettings().api_url)
    greenhouse_webhook_secret: SecretStr | None = _setting("greenhouse_webhook_secret")
    greenhouse_client_id: str | None = _setting("greenhouse_client_id")
    greenhouse_client_secret: SecretStr | None = _setting("greenhouse_client_secret")
    greenhouse_user_id: str | None = _setting("greenhouse_user_id")
    greenhouse_api_url: str = _setting("greenhouse_api_url", GreenhouseSettings().api_url)
    greenhouse_token_url: str = _setting("greenhouse_token_url", GreenhouseSettings().token_url)
    ats_sync_every: timedelta = _setting("ats_sync_every", timedelta(minutes=15))
    ats_sync_window: timedelta = _setting("ats_sync_window", timedelta(days=2))

    @field_validator("ats_sync_every", "ats_sync_window", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    def _vendor(self, name: str) -> dict[str, Any]:
        prefix = f"{name}_"
        return {k.removeprefix(prefix): getattr(self, k) for k in type(self).model_fields if k.startswith(prefix)}

    @property
    def ashby(self) -> AshbySettings:
        return AshbySettings(**self._vendor("ashby"))

    @property
    def lever(self) -> LeverSettings:
        return LeverSettings(**self._vendor("lever"))

    @property
    def greenhouse(self) -> GreenhouseSettings:
        return GreenhouseSettings(**self._vendor("greenhouse"))

    def vendor(self, name: str) -> AshbySettings | LeverSettings | GreenhouseSettings:
        settings: AshbySettings | LeverSettings | GreenhouseSettings = getattr(self, name)
        return settings

    def configured(self) -> list[str]:
        """Vendors whose API can be read (and so synced)."""
        return [name for name in VENDORS if self.vendor(name).api_on]
