"""FAIRLOOP_PLAYGROUND, read by every command (the playground's pages load only when it is on)."""

from __future__ import annotations

from pydantic import Field

from bot.settings import SettingsBase, env


class PlaygroundSettings(SettingsBase):
    """FAIRLOOP_PLAYGROUND: 1/0; unset means on when no platform is configured and the host is loopback."""

    playground: bool | None = Field(None, validation_alias=env("FAIRLOOP_PLAYGROUND", "playground"))
