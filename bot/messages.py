"""The neutral message model: one description of what the bot shows, rendered per platform.

Renderers live in adapters (Block Kit, Adaptive Cards, playground HTML); nothing here knows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ButtonStyle = Literal["default", "primary", "danger"]


@dataclass(frozen=True, kw_only=True)
class Header:
    text: str


@dataclass(frozen=True, kw_only=True)
class Section:
    """A paragraph of light markdown (*bold*, _italic_, bullets as lines starting with '• ')."""

    text: str


@dataclass(frozen=True, kw_only=True)
class Fields:
    """Label/value pairs shown side by side where the platform can."""

    items: tuple[tuple[str, str], ...]


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

    text: str


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

    text: str
    blocks: tuple[Block, ...] = ()
    private: bool = False

    def buttons(self) -> tuple[Button, ...]:
        return tuple(b for block in self.blocks if isinstance(block, Actions) for b in block.buttons)


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
    intro: str = ""
    context: str = ""


@dataclass(frozen=True, kw_only=True)
class FormErrors:
    """Validation errors for a form submission, input_id -> sentence."""

    errors: dict[str, str] = field(default_factory=dict)
