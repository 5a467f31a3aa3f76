"""What the core answers an event with; adapters turn it into the platform's response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.messages import Form, Message, paragraph
from bot.text import Part


@dataclass(frozen=True, kw_only=True)
class Reply:
    """
    For a button click: `message` replaces the clicked message in place; `form` opens a form;
    `notice` is a private note to the clicker (e.g. a refusal) and leaves the message unchanged.
    For a command: `message` is the private answer; `form` opens a form.
    For a form submission: `errors` (input_id -> sentence) keeps the form open with inline errors
    (`form` then carries the same form with the valid answers filled in, for platforms that redraw it);
    otherwise the form closes, `notice` is a private thank-you, and the core has already updated
    the original prompt message through the Outbox.
    """

    message: Message | None = None
    # the message that replaces the clicked one, built only when it is shown (`message` is None then): only for an
    # adapter that asked for it (Slack coalesces a burst of redraws of one card, and builds only the last)
    draw: Callable[[], Message] | None = None
    form: Form | None = None
    notice: Message | None = None
    errors: dict[str, str] = field(default_factory=dict)
    # work that can wait until the platform has its answer (redrawing the prompt, alerting the DEI channel);
    # only set when the adapter asked to run it itself (Slack acks a click or a modal once it is recorded, within 3 s)
    after: tuple[Callable[[], Awaitable[None]], ...] = ()


def notice(*parts: Part) -> Message:
    """A private one-paragraph note to the person who asked (a refusal, a thank-you, a confirmation)."""
    return paragraph(*parts, private=True)
