"""Teams' settings: botbuilder's own MICROSOFT_APP_* names, and the loopback-only unauthenticated mode."""

from __future__ import annotations

from typing import Literal

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

    @model_validator(mode="after")
    def _complete(self) -> TeamsSettings:
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
