"""Microsoft Teams adapter: /api/messages, the Teams outbox and the app package (botbuilder stays in here)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from functools import partial
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from adapters.teams import auth
from adapters.teams.http import MessagesEndpoint
from bot.settings import Settings, SettingsError

TEAMS = web.AppKey("fairloop.teams", MessagesEndpoint)
AUTH_CONFIG = web.AppKey("fairloop.teams.auth_config", dict)
"""Tests only: set before the app starts to pass build_adapter's extra_config (no setting reaches it)."""


def build_adapter(settings: Settings, *, extra_config: Mapping[str, Any] | None = None) -> CloudAdapter:
    """A CloudAdapter from the MICROSOFT_APP_* settings; no app id means no JWT check (loopback tests only).

    `extra_config` is for tests only: more botbuilder configuration keys (TO_CHANNEL_FROM_BOT_LOGIN_URL,
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL, VALIDATE_AUTHORITY, ...) to point it at a loopback Azure AD.
    """
    extra = dict(extra_config or {})
    app_id = settings.microsoft_app_id or ""
    if not app_id:
        # botbuilder's SingleTenant factory refuses an empty id; auth-disabled mode is the MultiTenant one
        config = SimpleNamespace(APP_TYPE="MultiTenant", APP_ID="", APP_PASSWORD="", **extra)
        return CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
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
        **extra,
    )
    auth.patch_openid_refresh()  # inbound JWT checks download Azure AD's signing keys
    if app_type == "UserAssignedMSI":
        return CloudAdapter(ConfigurationBotFrameworkAuthentication(config))  # botbuilder's managed-identity factory
    # as botbuilder's ConfigurationServiceClientCredentialFactory: only SingleTenant passes the tenant on
    tenant_id = settings.microsoft_app_tenant_id if app_type == "SingleTenant" else None
    factory = auth.CachingCredentialFactory(app_id, settings.microsoft_app_password or "", tenant_id)
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(config, credentials_factory=factory))


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
        live = build_adapter(settings, extra_config=app[AUTH_CONFIG]) if AUTH_CONFIG in app else adapter
        endpoint.adapter = live
        endpoint.bot = TeamsBot(core=core)
        core.outboxes["teams"] = TeamsOutbox(
            adapter=live, app_id=settings.microsoft_app_id or "", channels=partial(core.channel_address, "teams")
        )
        yield
        core.outboxes.pop("teams", None)
        endpoint.adapter = endpoint.bot = None

    app.cleanup_ctx.append(teams_ctx)
