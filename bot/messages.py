"""The neutral message model: one description of what the bot shows, rendered per platform.

Every piece of text is a `bot.text.Text` (a plain str is coerced into our own plain words). Renderers live in
adapters (Block Kit, Adaptive Cards, playground HTML, the CLI); nothing here knows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.text import Part, Text, as_text, text

ButtonStyle = Literal["default", "primary", "danger"]


def _coerce(obj: object, *names: str) -> None:
    for name in names:
        object.__setattr__(obj, name, as_text(getattr(obj, name)))


@dataclass(frozen=True, kw_only=True)
class Header:
    text: Text | str

    def __post_init__(self) -> None:
        _coerce(self, "text")


@dataclass(frozen=True, kw_only=True)
class Section:
    """A paragraph (its newlines are line breaks), optionally followed by a bulleted list."""

    text: Text | str = ""
    bullets: tuple[Text | str, ...] = ()

    def __post_init__(self) -> None:
        _coerce(self, "text")
        object.__setattr__(self, "bullets", tuple(as_text(b) for b in self.bullets))


@dataclass(frozen=True, kw_only=True)
class Fields:
    """Label/value pairs shown side by side where the platform can. Labels are our own words."""

    items: tuple[tuple[str, Text | str], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple((label, as_text(value)) for label, value in self.items))


@dataclass(frozen=True, kw_only=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: ButtonStyle = "default"


@dataclass(frozen=True, kw_only=True)
class Actions:
    buttons: tuple[Button, ...]


@dataclass(frozen=True, kw_only=True)
class Context:
    """Small print under a message."""

    text: Text | str

    def __post_init__(self) -> None:
        _coerce(self, "text")


@dataclass(frozen=True, kw_only=True)
class Image:
    url: str
    alt: str


@dataclass(frozen=True, kw_only=True)
class Divider:
    pass


Block = Header | Section | Fields | Actions | Context | Image | Divider


@dataclass(frozen=True, kw_only=True)
class Message:
    """A message; `text` is the plain-text fallback (notifications, screen readers, logs)."""

    text: Text | str
    blocks: tuple[Block, ...] = ()
    private: bool = False

    def __post_init__(self) -> None:
        _coerce(self, "text")

    def buttons(self) -> tuple[Button, ...]:
        return tuple(b for block in self.blocks if isinstance(block, Actions) for b in block.buttons)


def paragraph(*parts: Part, private: bool = False) -> Message:
    """A one-paragraph message (a notice, a refusal, a thank-you): the fallback is the paragraph itself."""
    body = text(*parts)
    return Message(text=body, blocks=(Section(text=body),), private=private)


# ---- forms (Slack modals, Teams input cards, playground dialogs) ----


@dataclass(frozen=True, kw_only=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, kw_only=True)
class ChoiceInput:
    input_id: str
    label: str
    choices: tuple[Choice, ...]
    initial: str | None = None
    optional: bool = False


@dataclass(frozen=True, kw_only=True)
class TextInput:
    input_id: str
    label: str
    multiline: bool = False
    optional: bool = True
    max_length: int = 2000
    placeholder: str = ""
    initial: str = ""


FormInput = ChoiceInput | TextInput


@dataclass(frozen=True, kw_only=True)
class Form:
    """A form the user fills in; `form_id` routes the submission, `context` travels with it."""

    form_id: str
    title: str
    submit_label: str
    inputs: tuple[FormInput, ...]
    intro: Text | str = ""
    context: str = ""

    def __post_init__(self) -> None:
        _coerce(self, "intro")
