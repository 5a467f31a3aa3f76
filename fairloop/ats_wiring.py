"""Wiring for the ATS connectors: the core's side of a delivery, and the runtime the routes and CLI share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from adapters.sources.ats_common import RUNTIME, Delivery, Runtime
from bot import intake
from bot.service import Core
from fairloop.keys import CORE, KICK
from storage.db import unit_of_work
from storage.people import claim_key


class CoreIntake:
    """Applies one ATS delivery in one transaction: claim its key, upsert, cancel. A failure rolls back all
    of it, the key included, so the vendor's retry is let through."""

    def __init__(self, *, core: Core) -> None:
        self.core = core

    async def apply(self, delivery: Delivery) -> bool:
        async with unit_of_work(self.core.sessions) as session:
            if delivery.key and not await claim_key(session=session, key=delivery.key[:200]):
                return False
            if delivery.upserts:
                await intake.upsert_interviews(
                    session=session, items=list(delivery.upserts), prompt_delay=self.core.settings.prompt_delay
                )
            if delivery.cancel_ids or delivery.cancel_refs or delivery.replace_prefix:
                await intake.cancel_interviews(
                    session=session,
                    external_ids=delivery.cancel_ids,
                    candidate_refs=delivery.cancel_refs,
                    prefix=delivery.replace_prefix,
                    keep=tuple(i.external_id for i in delivery.upserts),
                )
        return True

    async def claim(self, key: str) -> bool:
        return await self.core.first_time(key)


def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30), headers={"User-Agent": "fairloop"})


async def ats_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the ATS runtime, after the core exists; one HTTP session for all three vendors."""
    async with _session() as http:
        app[RUNTIME] = Runtime(intake=CoreIntake(core=app[CORE]), http=http, kick=lambda: app[KICK]())
        yield


@asynccontextmanager
async def cli_runtime(core: Core) -> AsyncIterator[Runtime]:
    """The same runtime for `fairloop ats ...` commands, built on the CLI's core."""
    async with _session() as http:
        yield Runtime(intake=CoreIntake(core=core), http=http)


class _NoIntake:
    """`fairloop ats test` reads the vendor's API and never writes."""

    async def apply(self, delivery: Delivery) -> bool:
        raise RuntimeError("ats test does not import")

    async def claim(self, key: str) -> bool:
        return False


@asynccontextmanager
async def plain_runtime() -> AsyncIterator[Runtime]:
    async with _session() as http:
        yield Runtime(intake=_NoIntake(), http=http)
