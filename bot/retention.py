"""Retention (FAIRLOOP_RETENTION): raw check-ins older than the setting go; monthly aggregates stay."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.settings import Settings
from storage.db import Sessions, unit_of_work
from storage.people import claim_key
from storage.retention import purge as purge_rows

logger = logging.getLogger(__name__)


async def purge(*, sessions: Sessions, settings: Settings, now: datetime, daily: bool = False) -> dict[str, int]:
    """Purge now; with `daily` (the scheduled run) only the first replica to claim today's run does it,
    so two replicas never roll the same check-ins up twice."""
    if daily:
        async with unit_of_work(sessions) as session:
            if not await claim_key(session=session, key=f"purge:{now.date().isoformat()}"):
                return {}
    async with unit_of_work(sessions) as session:
        counts = await purge_rows(session=session, cutoff=now - settings.retention, now=now)
    if any(counts.values()):
        logger.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    return counts
