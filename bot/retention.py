"""Retention (FAIRLOOP_RETENTION): raw check-ins older than the setting go; monthly aggregates stay."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.feedback.service import Feedback
from bot.people import Directory
from bot.settings import Settings
from storage.db import Sessions, unit_of_work
from storage.retention import purge as purge_rows

logger = logging.getLogger(__name__)


class Retention:
    def __init__(
        self, *, sessions: Sessions, settings: Settings, clock: Clock, directory: Directory, feedback: Feedback
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._directory = directory
        self._feedback = feedback

    async def purge(self, *, daily: bool = False) -> dict[str, int]:
        """Purge now; with `daily` (the scheduled run) only the first replica to claim today's run does it,
        so two replicas never roll the same check-ins up twice."""
        now = self._clock()
        if daily and not await self._directory.first_time(f"purge:{now.date().isoformat()}"):
            return {}
        spent = await self._feedback.forget_spent_links(now)  # before their interviews can be purged
        async with unit_of_work(self._sessions) as session:
            counts = await purge_rows(session=session, cutoff=now - self._settings.retention, now=now)
        counts["link_markers"] = spent
        try:
            await self._feedback.erase_arrival_order()
        except Exception as exc:  # e.g. CLUSTER refused to a role that does not own the tables (no values in exc)
            logger.error("anonymous tables not rewritten in key order, so today's order stays: %s", exc)
        if any(counts.values()):
            logger.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v))
        return counts
