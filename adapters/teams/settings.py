"""Teams' settings: botbuilder's own MICROSOFT_APP_* names, the cloud's endpoints, and the loopback-only
unauthenticated mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from bot.settings import SettingsBase, env


class TeamsSettings(SettingsBase):
    microsoft_app_id: str | None = Field(None, validation_alias=env("MICROSOFT_APP_ID", "microsoft_app_id"))
    microsoft_app_password: str | None = Field(
        None, validation_alias=env("MICROSOFT_APP_PASSWORD", "microsoft_app_password")
    )
    microsoft_app_tenant_id: str | None = Field(
        None, validation_alias=env("MICROSOFT_APP_TENANT_ID", "microsoft_app_tenant_id")
    )
    microsoft_app_type: Literal["SingleTenant", "MultiTenant", "UserAssignedMSI"] = Field(
        "SingleTenant", validation_alias=env("MICROSOFT_APP_TYPE", "microsoft_app_type")
    )
    # FAIRLOOP_TEAMS=1 turns Teams on where no app id is set: only with FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED
    teams_enabled: bool = Field(False, validation_alias=env("FAIRLOOP_TEAMS", "teams"))
    teams_allow_unauthenticated: bool = Field(
        False, validation_alias=env("FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED", "teams_allow_unauthenticated")
    )

    # a JSON file of botbuilder's endpoint keys, for a sovereign cloud (Azure Government, 21Vianet) or a test's
    # loopback Azure AD; unset means the public cloud
    teams_cloud: Path | None = Field(None, validation_alias=env("FAIRLOOP_TEAMS_CLOUD", "teams_cloud"))

    @property
    def cloud(self) -> dict[str, Any]:
        """The keys of the FAIRLOOP_TEAMS_CLOUD file (checked when the settings were read)."""
        return _cloud_keys(self.teams_cloud) if self.teams_cloud else {}

    @model_validator(mode="after")
    def _complete(self) -> TeamsSettings:
        if self.teams_cloud is not None:
            _cloud_keys(self.teams_cloud)
        if self.on and not self.microsoft_app_id and not self.teams_allow_unauthenticated:
            raise ValueError(
                "MICROSOFT_APP_ID: required to enable Teams (or FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED=1 on loopback "
                "for local tests)"
            )
        if self.microsoft_app_id:
            kind = self.microsoft_app_type
            if kind != "UserAssignedMSI" and not self.microsoft_app_password:
                raise ValueError(f"MICROSOFT_APP_PASSWORD: required with MICROSOFT_APP_ID ({kind})")
            if kind != "MultiTenant" and not self.microsoft_app_tenant_id:
                raise ValueError(f"MICROSOFT_APP_TENANT_ID: required for MICROSOFT_APP_TYPE={kind}")
        return self

    @property
    def on(self) -> bool:
        return bool(self.microsoft_app_id or self.teams_enabled or self.teams_allow_unauthenticated)

    @property
    def authenticated(self) -> bool:
        return bool(self.microsoft_app_id)


CLOUD_KEYS = frozenset(
    {  # what botbuilder's ConfigurationBotFrameworkAuthentication reads besides the app's identity
        "CHANNEL_SERVICE",
        "OAUTH_URL",
        "TO_CHANNEL_FROM_BOT_LOGIN_URL",
        "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE",
        "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
        "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
        "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL",
        "CALLER_ID",
        "VALIDATE_AUTHORITY",
    }
)


def _cloud_keys(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"FAIRLOOP_TEAMS_CLOUD: cannot read {path} as JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not data:
        raise ValueError(f"FAIRLOOP_TEAMS_CLOUD: {path} must hold a JSON object of botbuilder's endpoint keys")
    unknown = sorted(set(data) - CLOUD_KEYS)
    if unknown:
        raise ValueError(
            f"FAIRLOOP_TEAMS_CLOUD: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(CLOUD_KEYS))}"
        )
    return data
