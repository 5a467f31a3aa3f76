"""Microsoft Teams adapter: /api/messages, the Teams outbox and the app package (botbuilder stays in here)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from types import SimpleNamespace

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from adapters.teams.http import MessagesEndpoint
from bot.settings import Settings, SettingsError

TEAMS = web.AppKey("fairloop.teams", MessagesEndpoint)


def build_adapter(settings: Settings) -> CloudAdapter:
    """A CloudAdapter from the MICROSOFT_APP_* settings; no app id means no JWT check (loopback tests only)."""
    app_id = settings.microsoft_app_id or ""
    if not app_id:
        # botbuilder's SingleTenant factory refuses an empty id; auth-disabled mode is the MultiTenant one
        config = SimpleNamespace(APP_TYPE="MultiTenant", APP_ID="", APP_PASSWORD="")
    else:
        app_type = settings.microsoft_app_type
        if app_type != "UserAssignedMSI" and not settings.microsoft_app_password:
            raise SettingsError(f"MICROSOFT_APP_PASSWORD: required with MICROSOFT_APP_ID ({app_type})")
        if app_type != "MultiTenant" and not settings.microsoft_app_tenant_id:
            raise SettingsError(f"MICROSOFT_APP_TENANT_ID: required for MICROSOFT_APP_TYPE={app_type}")
        config = SimpleNamespace(
            APP_TYPE=app_type,
            APP_ID=app_id,
            APP_PASSWORD=settings.microsoft_app_password or "",
            APP_TENANTID=settings.microsoft_app_tenant_id or "",
        )
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(config))


def install(app: web.Application, *, settings: Settings) -> None:
    """Add POST /api/messages and, at start-up, the Teams bot and app[CORE].outboxes["teams"]."""
    from adapters.teams.bot import TeamsBot
    from adapters.teams.outbox import TeamsOutbox
    from fairloop.keys import CORE

    adapter = build_adapter(settings)  # fails start-up early on incomplete credentials
    endpoint = MessagesEndpoint()
    app[TEAMS] = endpoint
    app.router.add_post("/api/messages", endpoint.handle)

    async def teams_ctx(app: web.Application) -> AsyncIterator[None]:
        core = app[CORE]
        endpoint.adapter = adapter
        endpoint.bot = TeamsBot(core=core)
        core.outboxes["teams"] = TeamsOutbox(
            adapter=adapter, app_id=settings.microsoft_app_id or "", channels=partial(core.channel_address, "teams")
        )
        yield
        core.outboxes.pop("teams", None)
        endpoint.adapter = endpoint.bot = None

    app.cleanup_ctx.append(teams_ctx)
