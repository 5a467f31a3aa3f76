"""Reports: the one service that publishes figures — stats, digests, goals, trend charts, exports, home and gauges."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Digest
from bot.errors import NotFound
from bot.events import Actor
from bot.messages import Message
from bot.reports import digests, export, goals, home, stats, trend
from bot.settings import Settings
from bot.tokens import Signer
from storage import reports
from storage.db import Sessions, unit_of_work
from storage.models import Person


class Reports:
    def __init__(self, *, sessions: Sessions, settings: Settings, clock: Clock, signer: Signer) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._signer = signer

    async def stats(self, *, period: str = "30d", team: str | None = None, role: str | None = None) -> stats.Stats:
        async with unit_of_work(self._sessions) as session:
            return await stats.compute(
                session=session, settings=self._settings, now=self._clock(), period=period, team=team, role=role
            )

    async def digest(self, spec: Digest, *, now: datetime | None = None, with_chart: bool = False) -> Message:
        """`spec`'s digest as it would post at `now`; with a chart image when the channel can show it."""
        moment = now or self._clock()
        chart = self.chart_url(spec, moment) if with_chart else None
        async with unit_of_work(self._sessions) as session:
            return await digests.build(session=session, settings=self._settings, digest=spec, now=moment, chart=chart)

    def chart_url(self, spec: Digest, now: datetime) -> str:
        day = now.astimezone(ZoneInfo(spec.timezone)).date()
        return f"{self._settings.base_url}/charts/{self._signer.chart_token(spec.name, day)}.png"

    async def chart(self, token: str) -> tuple[list[trend.Point], datetime]:
        """The weekly trend behind a chart URL and the day it ends; NotFound for a token that isn't ours."""
        name, end_day = self._signer.read_chart_token(token)
        spec = self._settings.digest(name)
        if spec is None and name != "sync":
            raise NotFound("There is no chart here.")
        zone = ZoneInfo(spec.timezone) if spec else self._settings.zone
        end = datetime.combine(end_day, time(), tzinfo=zone)
        async with unit_of_work(self._sessions) as session:
            return await trend.weekly(session=session, end=end, k=self._settings.min_group_size), end

    async def goals(self) -> Message:
        async with unit_of_work(self._sessions) as session:
            return await goals.goals_message(session=session, settings=self._settings, now=self._clock())

    async def export(self, *, period: str) -> list[dict[str, Any]]:
        return await export.rows(sessions=self._sessions, settings=self._settings, now=self._clock(), period=period)

    async def monthly(self) -> list[dict[str, Any]]:
        return await export.monthly(sessions=self._sessions, settings=self._settings)

    async def home(self, actor: Actor) -> Message:
        async with unit_of_work(self._sessions) as session:
            return await home.home_message(session=session, actor=actor, settings=self._settings, now=self._clock())

    async def me(self, person: Person) -> Message:
        async with unit_of_work(self._sessions) as session:
            return await home.me_message(session=session, person=person, settings=self._settings, now=self._clock())

    async def gauges(self) -> dict[str, dict[str, int]]:
        """Counts for monitoring: prompts by state and concerns by status (never anything about feedback)."""
        async with unit_of_work(self._sessions) as session:
            return await reports.gauges(session=session)
