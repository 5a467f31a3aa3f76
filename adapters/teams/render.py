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
from bot.text import Span, Text, as_text

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
FORM_VERB_PREFIX = "form:"
CONTEXT_KEY = "_context"  # the key in Action.Execute data that carries Form.context back to us
_STYLES = {"primary": "positive", "danger": "destructive"}

ZWSP = "\u200b"
MARKERS = "*_[]~`"
_LIST_START = re.compile(r"^(?:[-+*#>]|\d+[.)])")
_WEB_URL = re.compile(r"https?://[^\s()\[\]<>]+")


def literal(chars: str) -> str:
    """Characters a Teams TextBlock shows as themselves: a zero-width space after each Markdown marker, so no
    run of text can open emphasis or a link. Text never carries markup of its own: emphasis comes from spans."""
    return "".join(c + ZWSP if c in MARKERS else c for c in chars)


def _span(span: Span) -> str:
    body = literal(span.text)
    if span.user:
        body = body.replace("://", ":" + ZWSP + "//")  # a person's address is not turned into a link
    elif span.url and _WEB_URL.fullmatch(span.url):
        return f"[{body}]({span.url})"
    if span.bold and body.strip():
        body = f"**{body}**"
    if span.italic and body.strip():
        body = f"_{body}_"
    return body


def _line(text: Text) -> str:
    rendered = "".join(_span(s) for s in text.spans)
    first = text.spans[0] if text.spans else None
    if first is not None and not (first.bold or first.italic or first.url) and _LIST_START.match(first.text):
        return ZWSP + rendered  # words that begin like a Markdown list or heading stay words
    return rendered


def markdown(text: Text | str, bullets: tuple[Text, ...] = ()) -> str:
    """A Text (and a bulleted list under it) as Adaptive Card Markdown, each character shown as itself."""
    lines = [_line(line) for line in as_text(text).lines()] if text else []
    if bullets:
        if lines:
            lines.append("")  # Teams needs a blank line before a list for it to render as one
        lines += ["- " + _line(b) for b in bullets]
    return "\n".join(lines)


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _block(block: Block) -> dict[str, Any] | None:
    if isinstance(block, Header):
        return _text(markdown(block.text), weight="Bolder", size="Medium", style="heading")
    if isinstance(block, Section):
        return _text(markdown(block.text, block.bullets)) if block.text or block.bullets else None
    if isinstance(block, Fields):
        return {"type": "FactSet", "facts": [{"title": literal(k), "value": markdown(v)} for k, v in block.items]}
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
    return _card(body, fallback=markdown(message.text))  # clients that cannot show the card read it as Markdown


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
