"""Anonymous feedback from anyone in chat (`feedback`): a category, a text and the day — nothing about who.

The submitting actor is never read here, stored, or logged; digests release feedback only in groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.feedback.candidate import MAX_TEXT, free_text, too_long
from bot.messages import Choice, ChoiceInput, Form, TextInput, paragraph
from bot.replies import Reply
from storage.db import Sessions, discreet_unit_of_work
from storage.reports import add_feedback

FORM_ID = "feedback.anonymous"
CATEGORIES = (
    ("process", "Our interview process"),
    ("checkins", "These check-ins"),
    ("training", "Training and support"),
    ("other", "Something else"),
)
STORED = "What's stored: the category, your text and the date — not who you are, not the time of day."
THANKS = "Thank you. Stored anonymously: the category, the text and the date, nothing about you."


def form(*, category: str | None = None, text: str = "") -> Form:
    return Form(
        form_id=FORM_ID,
        title="Anonymous feedback",
        submit_label="Send anonymously",
        intro=STORED,
        inputs=(
            ChoiceInput(
                input_id="category",
                label="What is it about?",
                choices=tuple(Choice(value=v, label=label) for v, label in CATEGORIES),
                initial=category,
            ),
            TextInput(
                input_id="text",
                label="Your feedback",
                multiline=True,
                optional=False,
                max_length=MAX_TEXT,
                initial=text,
            ),
        ),
    )


def validate(values: Mapping[str, str]) -> tuple[str | None, str, dict[str, str]]:
    category = (values.get("category") or "").strip()
    text = free_text(values)
    errors: dict[str, str] = {}
    if category not in {v for v, _ in CATEGORIES}:
        errors["category"] = "Pick what it is about."
    if not text:
        errors["text"] = "Write a few words — it's anonymous."
    elif problem := too_long(text):
        errors["text"] = problem
    return (category or None), text, errors


async def submit(*, sessions: Sessions, values: Mapping[str, str], day: date) -> Reply:
    category, text, errors = validate(values)
    if errors:
        return Reply(errors=errors, form=form(category=category, text=text[:MAX_TEXT]))
    async with discreet_unit_of_work(sessions) as session:
        await add_feedback(session=session, source="colleague", category=category, text=text, day=day)
    return Reply(notice=paragraph(THANKS, private=True))
