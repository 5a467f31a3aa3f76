"""Neutral Message/Form -> Adaptive Card 1.5 (Teams), plus the invoke-response envelopes around them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.messages import (
    Actions,
    Block,
    ChoiceInput,
    Context,
    Divider,
    Fields,
    Form,
    Header,
    Image,
    Message,
    Section,
    TextInput,
)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
FORM_VERB_PREFIX = "form:"
CONTEXT_KEY = "_context"  # the key in Action.Execute data that carries Form.context back to us
_STYLES = {"primary": "positive", "danger": "destructive"}

_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<(https?://[^|>\s]+)>")
_CODE = re.compile(r"`([^`\n]+)`")  # Adaptive Card markdown has no inline code; keep the words
_BOLD = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![*\w])")


def markdown(text: str) -> str:
    """Light markdown (*bold*, _italic_, `code`, '• ' bullets, <url|label>) -> Adaptive Card markdown."""
    text = _CODE.sub(r"\1", text)
    text = _SLACK_LINK.sub(r"[\2](\1)", text)
    text = _BARE_LINK.sub(r"[\1](\1)", text)
    text = _BOLD.sub(r"**\1**", text)
    lines = [("- " + line[2:]) if line.startswith("• ") else line for line in text.split("\n")]
    out: list[str] = []
    for i, line in enumerate(lines):
        # Teams needs a blank line before a list for it to render as one
        if line.startswith("- ") and i > 0 and out and out[-1] and not out[-1].startswith("- "):
            out.append("")
        out.append(line)
    return "\n".join(out)


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _block(block: Block) -> dict[str, Any] | None:
    if isinstance(block, Header):
        return _text(block.text, weight="Bolder", size="Medium", style="heading")
    if isinstance(block, Section):
        return _text(markdown(block.text))
    if isinstance(block, Fields):
        return {"type": "FactSet", "facts": [{"title": k, "value": markdown(v)} for k, v in block.items]}
    if isinstance(block, Context):
        return _text(markdown(block.text), size="Small", isSubtle=True)
    if isinstance(block, Image):
        return {"type": "Image", "url": block.url, "altText": block.alt}
    if isinstance(block, Actions):
        if not block.buttons:
            return None
        actions = []
        for b in block.buttons:
            action: dict[str, Any] = {
                "type": "Action.Execute",
                "title": b.label,
                "verb": b.action_id,
                "data": {"value": b.value},
            }
            if b.style in _STYLES:
                action["style"] = _STYLES[b.style]
            actions.append(action)
        return {"type": "ActionSet", "actions": actions}
    return None  # Divider is folded into the next element as a separator


def _card(body: list[dict[str, Any]], *, fallback: str, actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body or [_text(fallback or " ")],
        "msteams": {"width": "Full"},
    }
    if fallback:
        card["fallbackText"] = fallback
    if actions:
        card["actions"] = actions
    return card


def render_message(message: Message) -> dict[str, Any]:
    """A neutral Message as an Adaptive Card (buttons become Action.Execute with verb = action_id)."""
    body: list[dict[str, Any]] = []
    separator = False
    for block in message.blocks:
        if isinstance(block, Divider):
            separator = bool(body)
            continue
        element = _block(block)
        if element is None:
            continue
        if separator:
            element["separator"] = True
            element.setdefault("spacing", "Medium")
            separator = False
        body.append(element)
    if not body and message.text:
        body.append(_text(markdown(message.text)))
    return _card(body, fallback=message.text)


def render_form(
    form: Form, *, errors: Mapping[str, str] | None = None, values: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A Form as a card with inputs; the submit is Action.Execute verb `form:<form_id>` carrying the context."""
    errors = errors or {}
    values = values or {}
    body: list[dict[str, Any]] = [_text(form.title, weight="Bolder", size="Medium", style="heading")]
    if form.intro:
        body.append(_text(markdown(form.intro)))
    for item in form.inputs:
        if isinstance(item, ChoiceInput):
            element: dict[str, Any] = {
                "type": "Input.ChoiceSet",
                "id": item.input_id,
                "label": item.label,
                "style": "expanded",
                "choices": [{"title": c.label, "value": c.value} for c in item.choices],
                "isRequired": not item.optional,
            }
            initial = values.get(item.input_id, item.initial)
        elif isinstance(item, TextInput):
            element = {
                "type": "Input.Text",
                "id": item.input_id,
                "label": item.label,
                "isMultiline": item.multiline,
                "maxLength": item.max_length,
                "isRequired": not item.optional,
            }
            if item.placeholder:
                element["placeholder"] = item.placeholder
            initial = values.get(item.input_id, item.initial)
        else:  # pragma: no cover - FormInput is a closed union
            continue
        if initial:
            element["value"] = initial
        if element["isRequired"]:
            element["errorMessage"] = f"Please fill in: {item.label}"
        body.append(element)
        if item.input_id in errors:
            body.append(_text(errors[item.input_id], color="Attention", size="Small", spacing="None"))
    stray = [msg for key, msg in errors.items() if key not in {i.input_id for i in form.inputs}]
    for msg in stray:
        body.append(_text(msg, color="Attention"))
    submit = {
        "type": "Action.Execute",
        "title": form.submit_label,
        "verb": FORM_VERB_PREFIX + form.form_id,
        "data": {CONTEXT_KEY: form.context},
        "associatedInputs": "auto",
        "style": "positive",
    }
    return _card(body, fallback=form.title, actions=[submit])


def attachment(card: Mapping[str, Any]) -> dict[str, Any]:
    return {"contentType": CARD_CONTENT_TYPE, "content": dict(card)}


def card_response(card: Mapping[str, Any]) -> dict[str, Any]:
    """The body Teams expects from an adaptiveCard/action invoke to replace the card in place."""
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": dict(card)}


def error_response(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "type": "application/vnd.microsoft.error",
        "value": {"code": code, "message": message},
    }
