"""Cancelling interviews known only by an id (ATS deletion webhooks carry an id, not the interview)."""

from __future__ import annotations

from collections.abc import Sequence

from storage import db
from storage import interviews as repo
from storage.db import Session


async def cancel_interviews(
    *,
    session: Session,
    external_ids: Sequence[str] = (),
    candidate_refs: Sequence[str] = (),
    prefix: str | None = None,
    keep: Sequence[str] = (),
) -> list[int]:
    """Cancel by external id, by candidate ref (an application or candidate deleted in the ATS), or every
    interview under `prefix` except `keep` (events dropped from an ATS schedule).

    The same outcome as sending each one again with "status": "cancelled": unsent prompts are cancelled,
    sent and answered ones stay. Returns the ids of the interviews cancelled now.
    """
    rows = await repo.interviews_to_cancel(
        session=session, external_ids=external_ids, candidate_refs=candidate_refs, prefix=prefix, keep=keep
    )
    for row in rows:
        row.status = "cancelled"
        repo.touch(row)
    await db.flush(session)
    ids = [row.id or 0 for row in rows]
    await repo.cancel_unsent_prompts(session=session, interview_ids=ids)
    return ids
