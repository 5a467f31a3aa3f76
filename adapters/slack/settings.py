"""Slack's settings: the bot token with a signing secret (HTTP) or an app token (Socket Mode)."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.settings import SettingsBase, env


class SlackSettings(SettingsBase):
    slack_bot_token: str | None = Field(None, validation_alias=env("SLACK_BOT_TOKEN", "slack_bot_token"))
    slack_signing_secret: str | None = Field(None, validation_alias=env("SLACK_SIGNING_SECRET", "slack_signing_secret"))
    slack_app_token: str | None = Field(None, validation_alias=env("SLACK_APP_TOKEN", "slack_app_token"))
    slack_api_url: str = Field(
        "https://slack.com/api/", validation_alias=env("FAIRLOOP_SLACK_API_URL", "slack_api_url")
    )
    # the one-click answer is acknowledged once queued and applied by `fairloop worker` (adapters/slack/queue.py)
    slack_click_queue: bool = Field(False, validation_alias=env("FAIRLOOP_SLACK_CLICK_QUEUE", "slack_click_queue"))

    @model_validator(mode="after")
    def _complete(self) -> SlackSettings:
        if self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            raise ValueError(
                "SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)"
            )
        if self.slack_click_queue and self.slack_app_token:
            raise ValueError(
                "FAIRLOOP_SLACK_CLICK_QUEUE: queues clicks sent over HTTP only; unset it, or SLACK_APP_TOKEN"
            )
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)
