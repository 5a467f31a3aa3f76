"""Feedback: the anonymous form for colleagues and the candidate's one-time link, stored with nothing about who."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from bot.clock import Clock
from bot.feedback import anonymous, candidate
from bot.messages import Form
from bot.replies import Reply
from bot.settings import Settings
from bot.tokens import Signer
from storage.db import Sessions, checkpoint, unit_of_work
from storage.feedback import cluster, rewrite_in_key_order


class Feedback:
    def __init__(self, *, sessions: Sessions, settings: Settings, clock: Clock, signer: Signer) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._signer = signer

    def _today(self) -> date:
        return self._clock().astimezone(self._settings.zone).date()

    def anonymous_form(self) -> Form:
        return anonymous.form()

    async def submit_anonymous(self, values: Mapping[str, str]) -> Reply:
        """Store a colleague's note: category, text and the day. The sender is never passed in."""
        return await anonymous.submit(sessions=self._sessions, values=values, day=self._today())

    async def candidate_form(self, token: str) -> Form:
        """The form behind a feedback link; raises NotFound (expired/invalid) or AlreadyUsed."""
        return await candidate.candidate_form(sessions=self._sessions, signer=self._signer, token=token)

    async def submit_candidate(self, token: str, values: Mapping[str, str]) -> Reply:
        """Store an answer once per link: Reply.errors with the form as entered, or Reply.notice to thank."""
        return await candidate.submit_candidate(
            sessions=self._sessions, signer=self._signer, token=token, values=values, day=self._today()
        )

    async def forget_spent_links(self, now: datetime) -> int:
        """Delete the one-time markers of candidate links that expired long ago; returns how many."""
        return await candidate.forget_spent_links(sessions=self._sessions, signer=self._signer, now=now)

    async def erase_arrival_order(self) -> None:
        """Rewrite the anonymous tables in the order of their random keys (daily): after it, neither the order
        rows lie in nor (PostgreSQL) their transaction ids say which note came when, or with which marker."""
        async with unit_of_work(self._sessions) as session:
            await rewrite_in_key_order(session=session)
        async with unit_of_work(self._sessions) as session:
            await cluster(session=session)
        await checkpoint(self._sessions)  # SQLite: the log that still holds the old pages is emptied
