"""Typed application keys shared by the wiring and the adapters."""

from collections.abc import Callable

from aiohttp import web
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.service import Core
from bot.settings import Settings

SETTINGS = web.AppKey("fairloop.settings", Settings)
CORE = web.AppKey("fairloop.core", Core)
ENGINE = web.AppKey("fairloop.engine", AsyncEngine)
REGISTRY = web.AppKey("fairloop.registry", CollectorRegistry)
KICK = web.AppKey("fairloop.kick", Callable[[], None])
