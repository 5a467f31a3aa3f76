"""The whole HTTP surface at once: every route on (webhook, the three ATS hooks, Slack signed, Teams with an app id,
the playground, feedback, charts, health), with fakes of Slack and the ATS APIs on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from tests.support.app import Running, StartApp
from tests.support.ats.fake_ats import FakeATS
from tests.support.ats.payloads import ats_settings
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import BOT_TOKEN, SIGNING_SECRET
from tests.support.slack.world import fake_slack_with_people

TEAMS_APP_ID = "5b1f0d7e-2c3a-4e8b-9f61-0a7c3d2e4b10"


def teams_with_app_id() -> dict[str, Any]:
    """Teams as in production: an app id, so every activity needs a Bot Framework JWT."""
    return {
        "microsoft_app_id": TEAMS_APP_ID,
        "microsoft_app_password": "fake-client-secret",
        "microsoft_app_type": "SingleTenant",
        "microsoft_app_tenant_id": "fake-tenant",
    }


@dataclass
class Surface:
    running: Running
    slack: FakeSlack
    ats: FakeATS


def everything_on(fake_slack: FakeSlack, fake_ats: FakeATS) -> dict[str, Any]:
    """Settings for every route of the contract: Slack signed, Teams with an app id, the ATS hooks, the playground
    (the app listens on 127.0.0.1), against the fakes."""
    return {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake_slack.base_url,
        "playground": True,
        "min_group_size": 1,
        **teams_with_app_id(),
        **ats_settings(fake_ats),
    }


@asynccontextmanager
async def fakes() -> AsyncIterator[tuple[FakeSlack, FakeATS]]:
    """A started fake Slack (knowing Ana, Raj and Mia) and fake ATS APIs."""
    fake_ats = FakeATS()
    await fake_ats.start()
    try:
        async with fake_slack_with_people() as fake_slack:
            yield fake_slack, fake_ats
    finally:
        await fake_ats.stop()


@asynccontextmanager
async def whole_surface(start_app: StartApp, **overrides: Any) -> AsyncIterator[Surface]:
    """The real app with every route of the contract on."""
    async with fakes() as (fake_slack, fake_ats):
        running = await start_app(**{**everything_on(fake_slack, fake_ats), **overrides})
        yield Surface(running=running, slack=fake_slack, ats=fake_ats)
