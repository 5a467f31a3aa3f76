"""Who clicked: the acting Slack user, with the email, name and timezone users.info gives, cached.

A click never waits long for users.info: the core knows anyone it has DMed by their bare user id, so the profile
only enriches the record. One look-up per user is in flight at a time, shared by all their requests, and it is not
given up when a request stops waiting for it (its answer fills the cache for the next one). Its wait counts from
when the look-up started, so only the first request waits. A user Slack will not describe is not asked about again
for PROFILE_RETRY seconds, and while Slack rate-limits users.info past the wait, nobody waits for it at all.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate
from adapters.slack.pacing import Pacer
from bot.events import Actor
from bot.people import Directory

logger = logging.getLogger(__name__)

PROFILE_TTL = 3600.0
PROFILE_RETRY = 300.0  # seconds before a user Slack would not describe is asked about again
PROFILE_CACHE_MAX = 10_000


@dataclass(frozen=True)
class _Lookup:
    task: asyncio.Task[Actor]
    started: float  # time.monotonic()


class Profiles:
    def __init__(self, *, client: AsyncWebClient, directory: Directory, pacer: Pacer | None = None) -> None:
        self._client = client
        self._directory = directory
        self._pacer = pacer
        self._cache: dict[str, tuple[float, translate.Profile | None]] = {}  # user id -> (expires, profile)
        self._lookups: dict[str, _Lookup] = {}

    def known(self, body: Mapping[str, Any]) -> Actor:
        """The acting user from the cache, or by bare id: no API call."""
        user_id = translate.user_id_of(body)
        cached = self._cache.get(user_id)
        return translate.actor(user_id, cached[1] if cached else None)

    async def actor(self, body: Mapping[str, Any], *, within: float | None = None) -> Actor:
        """The acting user, with their profile if it is cached or users.info gives it within `within` seconds of
        their look-up's start (None: however long it takes); else by bare id."""
        user_id = translate.user_id_of(body)
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached and now < cached[0]:
            return translate.actor(user_id, cached[1])
        lookup = self._lookups.get(user_id)
        if lookup is None:
            lookup = self._lookups[user_id] = _Lookup(asyncio.create_task(self._look_up(user_id, body)), now)
            lookup.task.add_done_callback(partial(self._looked_up, user_id))
            if within is not None and self._pacer is not None and self._pacer.delay("users.info") > within:
                within = 0.0
        wait = None if within is None else max(0.0, lookup.started + within - now)
        if wait is not None and wait <= 0:
            return translate.actor(user_id)
        try:
            return await asyncio.wait_for(asyncio.shield(lookup.task), wait)
        except TimeoutError:
            logger.info("users.info for %s took over %.1fs; going on with the bare id", user_id, within)
        except Exception:  # noqa: BLE001 - logged by _looked_up; who clicked is still known by their id
            pass
        return translate.actor(user_id)

    def _looked_up(self, user_id: str, task: asyncio.Task[Actor]) -> None:
        self._lookups.pop(user_id, None)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("users.info for %s failed: %s", user_id, type(task.exception()).__name__)

    def _remember(self, user_id: str, profile: translate.Profile | None, ttl: float) -> None:
        if len(self._cache) >= PROFILE_CACHE_MAX:
            self._cache.clear()
        self._cache[user_id] = (time.monotonic() + ttl, profile)

    async def _look_up(self, user_id: str, body: Mapping[str, Any]) -> Actor:
        try:
            resp = await self._client.users_info(user=user_id)
            profile = translate.profile_from_user(resp.get("user") or {})
        except SlackApiError as exc:  # a user Slack will not describe is not asked about again for a while
            logger.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            self._remember(user_id, None, PROFILE_RETRY)
            return translate.actor(user_id)
        self._remember(user_id, profile, PROFILE_TTL)
        who = translate.actor(user_id, profile)
        if profile.email:
            try:
                await self._directory.remember_person(who, translate.address(body))
            except Exception:
                logger.exception("slack remember_person failed")
        return who
