"""Intake: interviews from the webhook, the CSV import and the ATS connectors, upserted with their prompts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import sample
from bot.clock import Clock
from bot.intake.cancel import cancel_interviews
from bot.intake.records import InterviewIn, validate_batch
from bot.intake.upsert import upsert_interviews
from bot.reports import ledger
from bot.settings import Settings
from bot.tokens import Signer
from storage import interviews as repo
from storage.db import Sessions, unit_of_work
from storage.interviews import InterviewBrief, PromptBrief
from storage.models import Interview
from storage.people import claim_key


class Intake:
    def __init__(self, *, sessions: Sessions, settings: Settings, clock: Clock, signer: Signer) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._signer = signer

    async def ingest(self, data: Any) -> list[dict[str, Any]]:
        """One interview object or {"interviews": [...]}: validated (FieldErrors names every field), upserted,
        and answered in the webhook's shape."""
        return await self.ingest_valid(validate_batch(data))

    async def ingest_valid(self, items: list[InterviewIn], *, describe: bool = True) -> list[dict[str, Any]]:
        """Upsert validated interviews in one transaction; with `describe`, answer in the webhook's shape."""
        async with unit_of_work(self._sessions) as session:
            ids = await upsert_interviews(session=session, items=items, prompt_delay=self._settings.prompt_delay)
            if not describe:
                return [{"id": i} for i in ids]
            rows, prompts = await repo.briefs(session=session, interview_ids=ids)
            return [describe_one(rows[i], prompts.get(i, []), self.feedback_url(rows[i])) for i in ids]

    async def apply(
        self,
        *,
        key: str | None,
        upserts: Sequence[InterviewIn] = (),
        cancel_ids: Sequence[str] = (),
        cancel_refs: Sequence[str] = (),
        replace_prefix: str | None = None,
    ) -> bool:
        """One ATS event in one transaction: claim its `key`, upsert, then cancel by id, by candidate ref and every
        interview under `replace_prefix` not among `upserts`. False when the key was claimed already (a vendor's
        redelivery). A failure rolls back all of it, the key included, so the vendor's retry is let through."""
        async with unit_of_work(self._sessions) as session:
            if key and not await claim_key(session=session, key=key[:200]):
                return False
            if upserts:
                await upsert_interviews(session=session, items=list(upserts), prompt_delay=self._settings.prompt_delay)
            if cancel_ids or cancel_refs or replace_prefix:
                await cancel_interviews(
                    session=session,
                    external_ids=cancel_ids,
                    candidate_refs=cancel_refs,
                    prefix=replace_prefix,
                    keep=[i.external_id for i in upserts],
                )
        return True

    async def load_sample(self, *, for_email: str | None = None) -> dict[str, Any]:
        """The sample organisation (once); `for_email` also gets an interview of their own that just ended."""
        summary = await sample.load_sample(sessions=self._sessions, settings=self._settings, now=self._clock())
        if summary.get("loaded"):  # six weeks of history at once: the days it fills are counted from the rows
            await ledger.rebuild(sessions=self._sessions, settings=self._settings)
        if for_email:
            await self.ingest(sample.interview_for(for_email, now=self._clock()))
        return summary

    def feedback_url(self, interview: Interview | InterviewBrief) -> str:
        """The candidate's feedback link: stable for an interview, its 30 days running from the interview's end."""
        token = self._signer.feedback_token(interview.id or 0, issued_at=interview.ends_at)
        return f"{self._settings.base_url}/f/{token}"


def describe_one(interview: InterviewBrief, prompts: list[PromptBrief], feedback_url: str | None) -> dict[str, Any]:
    """The webhook's answer for one interview (contract shape)."""
    out: dict[str, Any] = {
        "id": interview.id,
        "external_id": interview.external_id,
        "status": interview.status,
        "prompts": [
            {
                "interviewer": p.interviewer,
                "state": p.state,
                "due_at": p.due_at.isoformat().replace("+00:00", "Z"),
                **({"reason": p.reason} if p.reason else {}),
            }
            for p in prompts
        ],
    }
    if feedback_url:
        out["candidate_feedback_url"] = feedback_url
    return out
