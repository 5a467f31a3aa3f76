"""Running the core outside the web server (CLI commands): engine, migrations, core, outboxes, then clean up."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import TypeVar

from bot.messages import Actions, Context, Fields, Header, Message, Section
from bot.service import Core
from bot.settings import Settings
from bot.tokens import Signer
from storage import db
from storage.people import put_setting_once

T = TypeVar("T")


async def with_core(settings: Settings, work: Callable[[Core], Awaitable[T]]) -> T:
    if settings.database_url.startswith("sqlite"):
        await db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    try:
        sessions = db.make_sessions(engine)
        secret = settings.secret_key
        if not secret:
            async with db.unit_of_work(sessions) as session:
                secret = await put_setting_once(session=session, key="secret_key", value=secrets.token_urlsafe(32))
        return await work(Core(settings=settings, sessions=sessions, signer=Signer(secret_key=secret)))
    finally:
        await engine.dispose()


def plain(message: Message) -> str:
    """A message as terminal text."""
    lines: list[str] = []
    for block in message.blocks:
        match block:
            case Header(text=text):
                lines += [text, "-" * len(text)]
            case Section(text=text) | Context(text=text):
                lines.append(text.replace("*", ""))
            case Fields(items=items):
                lines += [f"{k}: {v}" for k, v in items]
            case Actions():
                pass
    return "\n".join(lines) if lines else message.text


@asynccontextmanager
async def platform_outboxes(settings: Settings, core: Core) -> AsyncIterator[None]:
    """Give `core` the outboxes of the configured platforms, for CLI commands that post (digest send)."""
    from adapters.playground.outbox import PlaygroundOutbox

    session = None
    core.outboxes["playground"] = PlaygroundOutbox(sessions=core.sessions)
    if settings.slack_enabled:
        import aiohttp

        from adapters.slack import SlackOutbox, make_client

        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=35))
        client = make_client(token=settings.slack_bot_token or "", base_url=settings.slack_api_url, session=session)
        core.outboxes["slack"] = SlackOutbox(client=client)
    if settings.teams_on:
        from adapters.teams import build_adapter
        from adapters.teams.outbox import TeamsOutbox

        core.outboxes["teams"] = TeamsOutbox(
            adapter=build_adapter(settings),
            app_id=settings.microsoft_app_id or "",
            channels=partial(core.channel_address, "teams"),
        )
    try:
        yield
    finally:
        if session is not None:
            await session.close()
