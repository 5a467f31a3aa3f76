"""Anonymous feedback rows and the digests of feedback links already used (kept apart on purpose)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Feedback, FeedbackLinkUsed


class LinkAlreadyUsed(Exception):
    """The link was marked used by another submission a moment ago."""


async def link_used(*, session: AsyncSession, digest: str) -> bool:
    return await session.get(FeedbackLinkUsed, digest) is not None


async def store_candidate_feedback(*, session: AsyncSession, digest: str, rating: int, text: str, day: date) -> None:
    """Mark the link used and store the answer. The two rows share nothing but the day.

    A link used twice at once raises LinkAlreadyUsed (the digest is the marker's primary key).
    """
    session.add(FeedbackLinkUsed(digest=digest, day=day))
    try:
        await session.flush()
    except IntegrityError:
        raise LinkAlreadyUsed() from None
    session.add(Feedback(source="candidate", rating=rating, text=text, day=day))
    await session.flush()
