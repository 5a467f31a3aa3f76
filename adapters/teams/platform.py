"""Teams for one process: the botbuilder adapter, the platform (outbox, bot) and POST /api/messages."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from types import SimpleNamespace, TracebackType
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from adapters.loopback import local_only
from adapters.teams import auth
from adapters.teams.http import MessagesEndpoint
from adapters.teams.outbox import TeamsOutbox
from adapters.teams.settings import TeamsSettings
from bot.interactions.service import Interactions
from bot.people import Directory

AUTH_CONFIG = web.AppKey("fairloop.teams.auth_config", dict)
"""Tests only: set before the app starts to pass build_adapter's extra_config (no setting reaches it)."""


def build_adapter(settings: TeamsSettings, *, extra_config: Mapping[str, Any] | None = None) -> CloudAdapter:
    """A CloudAdapter from the MICROSOFT_APP_* settings; no app id means no JWT check (loopback tests only).

    The FAIRLOOP_TEAMS_CLOUD file's keys (a sovereign cloud's endpoints) come next; `extra_config`, for tests
    in process, last: more botbuilder configuration keys to point it at a loopback Azure AD.
    """
    extra = {**settings.cloud, **(extra_config or {})}
    app_id = settings.microsoft_app_id or ""
    if not app_id:
        # botbuilder's SingleTenant factory refuses an empty id; auth-disabled mode is the MultiTenant one
        config = SimpleNamespace(APP_TYPE="MultiTenant", APP_ID="", APP_PASSWORD="", **extra)
        return CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    app_type = settings.microsoft_app_type
    config = SimpleNamespace(
        APP_TYPE=app_type,
        APP_ID=app_id,
        APP_PASSWORD=settings.microsoft_app_password or "",
        APP_TENANTID=settings.microsoft_app_tenant_id or "",
        **extra,
    )
    auth.patch_openid_refresh()  # inbound JWT checks download Azure AD's signing keys
    if app_type == "UserAssignedMSI":
        return CloudAdapter(ConfigurationBotFrameworkAuthentication(config))  # botbuilder's managed-identity factory
    # as botbuilder's ConfigurationServiceClientCredentialFactory: only SingleTenant passes the tenant on
    tenant_id = settings.microsoft_app_tenant_id if app_type == "SingleTenant" else None
    factory = auth.CachingCredentialFactory(app_id, settings.microsoft_app_password or "", tenant_id)
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(config, credentials_factory=factory))


class TeamsPlatform:
    """Teams for one process: the outbox (proactive sends through stored conversation references) once
    entered, then the bot behind /api/messages once started."""

    platform = "teams"

    def __init__(
        self, *, settings: TeamsSettings, directory: Directory, extra_config: Mapping[str, Any] | None = None
    ) -> None:
        self.settings = settings
        self.adapter = build_adapter(settings, extra_config=extra_config)
        self.endpoint = MessagesEndpoint(loopback_only=not settings.authenticated)
        self.outbox = TeamsOutbox(
            adapter=self.adapter,
            app_id=settings.microsoft_app_id or "",
            channels=partial(directory.channel_address, "teams"),
        )
        self._directory = directory

    async def __aenter__(self) -> TeamsPlatform:
        return self

    async def start(self, *, interactions: Interactions) -> None:
        from adapters.teams.bot import TeamsBot

        self.endpoint.adapter = self.adapter
        self.endpoint.bot = TeamsBot(
            interactions=interactions, directory=self._directory, authenticated=self.settings.authenticated
        )

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.endpoint.adapter = self.endpoint.bot = None


TEAMS = web.AppKey("fairloop.teams", TeamsPlatform)


def install(app: web.Application, *, settings: TeamsSettings) -> None:
    """POST /api/messages; the platform that answers it is set when the app starts. Without an app id nothing
    authenticates an activity, so it then answers this machine only, as the playground does."""

    async def messages(request: web.Request) -> web.StreamResponse:
        teams = request.app.get(TEAMS)
        return await (teams.endpoint if teams is not None else MessagesEndpoint()).handle(request)

    view = messages if settings.authenticated else local_only(messages, what="Teams without an app id")
    app.router.add_post("/api/messages", view)
