"""Candidate feedback through a signed link: works once, expires, and stores no identity.

The "used" marker is the Signer's keyed hash of the interview the link was issued for; the key is not in the
database, so a reader of the database cannot tell which interview a marker stands for. Nothing here logs the
text, the token or anything about the sender.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from bot.errors import FairloopError
from bot.messages import Choice, ChoiceInput, Form, Message, TextInput, paragraph
from bot.replies import Reply
from bot.tokens import Signer
from storage.db import Sessions, discreet_unit_of_work, unit_of_work
from storage.feedback import (
    LinkAlreadyUsed,
    forget_markers,
    interviews_ended_between,
    link_used,
    store_candidate_feedback,
)

LINK_LIFETIME = timedelta(days=30)
MARKER_KEPT = timedelta(days=60)  # after the interview's end: its link expired at 30, with room for a moved end time
FORM_ID = "feedback.candidate"
MAX_TEXT = 2000
RATINGS = (
    ("1", "1 – Not at all"),
    ("2", "2 – A little"),
    ("3", "3 – Somewhat"),
    ("4", "4 – Mostly"),
    ("5", "5 – Completely"),
)
QUESTION = "How respectful and inclusive did your interview feel?"
STORED = "We store your answer, the text and the date — not who you are, not which interview, not the time of day."
THANKS = "Thank you. Your answer is stored without your name, the interview or the time of day."


class AlreadyUsed(FairloopError):
    """The link has been used; each candidate feedback link works once."""

    def __init__(self) -> None:
        super().__init__("This link has already been used. Thank you — each feedback link works once.")


def legacy_marker(token: str) -> str:
    """The marker before migration 0007 (sha256 of the token), still honoured until those links expire."""
    return hashlib.sha256(token.encode()).hexdigest()


def form(*, rating: str | None = None, text: str = "") -> Form:
    return Form(
        form_id=FORM_ID,
        title="Your interview",
        submit_label="Send anonymously",
        intro=STORED,
        inputs=(
            ChoiceInput(
                input_id="rating",
                label=QUESTION,
                choices=tuple(Choice(value=v, label=label) for v, label in RATINGS),
                initial=rating,
            ),
            TextInput(
                input_id="text",
                label="Anything you would like us to know? (optional)",
                multiline=True,
                optional=True,
                max_length=MAX_TEXT,
                initial=text,
            ),
        ),
    )


def thanks() -> Message:
    return paragraph(THANKS, private=True)


async def _open_link(*, sessions: Sessions, signer: Signer, token: str) -> str:
    """The link's marker once the token is exactly one we issued, unexpired and unused (NotFound / AlreadyUsed)."""
    interview_id = signer.read_feedback_token(token, max_age_seconds=int(LINK_LIFETIME.total_seconds()))
    marker = signer.link_marker(interview_id)
    async with unit_of_work(sessions) as session:
        if await link_used(session=session, markers=(marker, legacy_marker(token))):
            raise AlreadyUsed()
    return marker


async def forget_spent_links(*, sessions: Sessions, signer: Signer, now: datetime) -> int:
    """Delete the markers of links long expired: those of interviews that ended 60 to 120 days ago (the daily
    run sees each one many times over). A marker holds no day, so it is found again from its interview."""
    async with unit_of_work(sessions) as session:
        ended = await interviews_ended_between(session=session, start=now - 2 * MARKER_KEPT, end=now - MARKER_KEPT)
        markers = [signer.link_marker(i.id or 0) for i in ended]
        markers += [legacy_marker(signer.feedback_token(i.id or 0, issued_at=i.ends_at)) for i in ended]
        return await forget_markers(session=session, markers=markers)


async def candidate_form(*, sessions: Sessions, signer: Signer, token: str) -> Form:
    await _open_link(sessions=sessions, signer=signer, token=token)
    return form()


def validate(values: Mapping[str, str]) -> tuple[int | None, str, dict[str, str]]:
    """-> (rating, text, errors by input id). Line endings are normalised before counting."""
    raw = (values.get("rating") or "").strip()
    text = free_text(values)
    errors: dict[str, str] = {}
    rating = int(raw) if raw in {v for v, _ in RATINGS} else None
    if rating is None:
        errors["rating"] = "Choose a number from 1 to 5."
    if problem := too_long(text):
        errors["text"] = problem
    return rating, text, errors


def free_text(values: Mapping[str, str]) -> str:
    """The form's `text`, with line endings normalised (browsers send CRLF) before anything counts it."""
    return (values.get("text") or "").replace("\r\n", "\n").strip()


def too_long(text: str) -> str | None:
    return f"Keep it to {MAX_TEXT:,} characters or fewer (this is {len(text):,})." if len(text) > MAX_TEXT else None


async def submit_candidate(
    *, sessions: Sessions, signer: Signer, token: str, values: Mapping[str, str], day: date
) -> Reply:
    """Validate and store; errors come back with the form as entered. Raises NotFound or AlreadyUsed."""
    key = await _open_link(sessions=sessions, signer=signer, token=token)
    rating, text, errors = validate(values)
    if errors or rating is None:
        return Reply(errors=errors, form=form(rating=str(rating) if rating else None, text=text))
    try:
        async with discreet_unit_of_work(sessions) as session:
            await store_candidate_feedback(session=session, marker=key, rating=rating, text=text, day=day)
    except LinkAlreadyUsed:  # the same link submitted twice at once: the first one counts
        raise AlreadyUsed() from None
    return Reply(notice=thanks())
