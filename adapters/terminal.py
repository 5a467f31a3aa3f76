"""The terminal renderer: a message as plain text for the CLI (`fairloop stats`, `fairloop digest preview`)."""

from __future__ import annotations

import re

from bot.messages import Context, Fields, Header, Message, Section
from bot.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # a terminal acts on these (colours, cursor moves, title)


def _shown(value: str) -> str:
    """Control characters as visible escapes: a team name from the ATS cannot drive the operator's terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def words(text: Text) -> str:
    """The words alone; a link we made shows its address after its label."""
    return "".join(
        _shown(f"{s.text} ({s.url})" if s.url and not s.user and s.url != s.text else s.text) for s in text.spans
    )


def render(message: Message) -> str:
    lines: list[str] = []
    for block in message.blocks:
        match block:
            case Header(text=text):
                lines += [words(text), "-" * len(words(text))]
            case Section(text=text, bullets=bullets):
                lines += [words(line) for line in text.lines()] if text else []
                lines += [f"• {words(b)}" for b in bullets]
            case Context(text=text):
                lines += [words(line) for line in text.lines()]
            case Fields(items=items):
                lines += [f"{k}: {words(v)}" for k, v in items]
    return "\n".join(lines) if lines else words(message.text)
