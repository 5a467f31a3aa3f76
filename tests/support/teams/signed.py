"""Teams as in production: an app id, every activity carrying a channel token signed by the fake Azure AD, and the
bot's own calls to the fake connector authorised by a token from it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from adapters.teams import AUTH_CONFIG
from fairloop.app import init_app
from fairloop.config import Config
from tests.support.core import Clock
from tests.support.teams.fake_aad import SCOPE, TOKEN_ISSUER, FakeAAD
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import ANA, Person, TeamsHarness, teams_config

APP_ID = "5b1f0d7e-2c3a-4e8b-9f61-0a7c3d2e4b10"
PASSWORD = "fake-client-secret"
PROXIES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def signed_config(tmp_path: Path, aad: FakeAAD, **extra: Any) -> Config:
    return teams_config(
        tmp_path,
        teams_allow_unauthenticated=False,
        microsoft_app_id=APP_ID,
        microsoft_app_password=PASSWORD,
        microsoft_app_type="SingleTenant",
        microsoft_app_tenant_id=aad.tenant,
        **extra,
    )


def signed_app(config: Config, aad: FakeAAD, *, clock: Clock | None = None) -> web.Application:
    """The app with botbuilder pointed at the fake Azure AD for both directions."""
    app = init_app(config, clock=clock or Clock())
    app[AUTH_CONFIG] = cloud_keys(aad)
    return app


def cloud_keys(aad: FakeAAD) -> dict[str, Any]:
    """botbuilder's endpoint keys for the fake Azure AD, in both directions."""
    return {
        "TO_CHANNEL_FROM_BOT_LOGIN_URL": aad.login_url,
        "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": SCOPE,
        "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": TOKEN_ISSUER,
        "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": aad.openid_url,
        "VALIDATE_AUTHORITY": False,  # a loopback authority is unknown to Microsoft's instance discovery
    }


def process_env(aad: FakeAAD, folder: Path) -> dict[str, str]:
    """The settings of a `fairloop serve` process with Teams as in production, against the fake Azure AD (through
    FAIRLOOP_TEAMS_CLOUD, as a sovereign cloud is configured), its certificate trusted, and no proxy."""
    cloud = folder / "teams-cloud.json"
    cloud.write_text(json.dumps(cloud_keys(aad)), encoding="utf-8")
    return {
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": PASSWORD,
        "MICROSOFT_APP_TYPE": "SingleTenant",
        "MICROSOFT_APP_TENANT_ID": aad.tenant,
        "FAIRLOOP_TEAMS_CLOUD": str(cloud),
        "REQUESTS_CA_BUNDLE": str(aad.ca_file),
        "NO_PROXY": "127.0.0.1,localhost",
        **dict.fromkeys(PROXIES, ""),
    }


def bearer(aad: FakeAAD, service_url: str) -> dict[str, str]:
    """The Authorization header the channel sends with an activity for `service_url`."""
    return {"Authorization": f"Bearer {aad.channel_token(audience=APP_ID, service_url=service_url)}"}


class SignedHarness(TeamsHarness):
    """TeamsHarness whose activities carry a channel token signed by the fake Azure AD (unless told otherwise)."""

    def __init__(
        self, *, client: TestClient, connector: FakeConnector, aad: FakeAAD, clock: Clock | None = None
    ) -> None:
        super().__init__(client=client, connector=connector, clock=clock)
        self.aad = aad

    def token(self, **overrides: Any) -> str:
        return self.aad.channel_token(**{"audience": APP_ID, "service_url": self.connector.url, **overrides})

    async def post(self, activity: dict[str, Any], **headers: str) -> ClientResponse:
        headers.setdefault("Authorization", f"Bearer {self.token()}")
        return await super().post(activity, **headers)

    def help_message(self, person: Person = ANA) -> dict[str, Any]:
        activity = self.activity("msteams-docs.message.personal-received.json", person=person, text="help")
        activity.pop("attachments", None)
        return activity

    async def healthz_seconds(self) -> float:
        started = time.perf_counter()
        response = await self.client.get("/healthz")
        assert response.status == 200
        return time.perf_counter() - started
