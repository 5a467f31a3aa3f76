"""Render the neutral message model (bot.messages) as Slack Block Kit: message blocks, modals, the App Home."""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

from bot.messages import (
    Actions,
    Block,
    Button,
    ChoiceInput,
    Context,
    Divider,
    Fields,
    Form,
    FormInput,
    Header,
    Image,
    Message,
    Section,
    TextInput,
)
from bot.text import Span, Text, as_text

# Slack's documented limits (https://api.slack.com/reference/block-kit)
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_FALLBACK_TEXT = 3000
CHECKIN_ACTION_PREFIX = "checkin."

Json = dict[str, Any]
ZWSP = "\u200b"
MARKERS = "*_~`"
SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
WEB_URL = re.compile(r"https?://[^\s|<>]+")
DOMAIN_DOT = re.compile(r"\.(?=\w)")
QUOTE = re.compile(r"((?:^|\n)[ \t]*)&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def literal(chars: str) -> str:
    """Characters Slack shows as themselves: its three control characters as entities, a zero-width space after
    each formatting marker (*, _, ~, `) so that no run of text can open or close bold, italics, strikes or code,
    and one before a > that starts a line, which would open a quote. Text never carries markup of its own here:
    emphasis comes only from a span's kind."""
    escaped = chars.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = QUOTE.sub(lambda m: m.group(1) + ZWSP + "&gt;", escaped)  # a line that starts with > is a quote
    return "".join(c + ZWSP if c in MARKERS else c for c in escaped)


def _wrap(body: str, marker: str) -> str:
    """`marker` around each line of `body`, the markers hugging the words (Slack needs that to see them)."""
    out = []
    for line in body.split("\n"):
        core = line.strip()
        if not core:
            out.append(line)
            continue
        lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
        out.append(f"{lead}{marker}{core}{marker}{trail}")
    return "\n".join(out)


def _body(span: Span) -> str:
    if span.mention and SLACK_ID.fullmatch(span.mention):
        return f"<@{span.mention}>"
    body = literal(span.text)
    if span.url and not span.user and WEB_URL.fullmatch(span.url):
        body = f"<{span.url}|{body}>"
    return body


def _style(key: tuple[bool, bool, bool]) -> str:
    return "".join(marker for on, marker in zip(key, "`_*", strict=True) if on)


def mrkdwn_of(text: Text) -> str:
    """A Text as Slack mrkdwn: styles from span kinds, every character literal, links only where we made them.
    Neighbouring spans of one style share their markers (bold words with a name in them are one bold run)."""
    out = []
    for key, run in groupby(text.spans, key=lambda s: (s.code, s.italic, s.bold)):
        body = "".join(_body(s) for s in run)
        for marker in _style(key):
            body = _wrap(body, marker)
        out.append(body)
    return "".join(out)


def words_of(text: Text) -> str:
    """A Text as Slack's fallback `text` (notifications, search): the words only, literal, with no link that a
    person's text could make (a bare address is broken up, as Slack would otherwise link it)."""
    out = []
    for span in text.spans:
        chars = literal(span.text)
        if not span.url or span.user:
            chars = chars.replace("://", ":" + ZWSP + "//")
        if span.user:  # nor a bare domain someone typed: evil.example/login
            chars = DOMAIN_DOT.sub("." + ZWSP, chars)
        out.append(chars)
    return "".join(out)


def plain(text: str | Text, limit: int = 3000) -> Json:
    return {"type": "plain_text", "text": _clip(str(text).strip() or " ", limit), "emoji": True}


def mrkdwn(text: Text | str, limit: int = 3000) -> Json:
    rendered = mrkdwn_of(as_text(text)).strip()
    return {"type": "mrkdwn", "text": _clip(rendered or " ", limit), "verbatim": True}


def button(b: Button) -> Json:
    out: Json = {"type": "button", "text": plain(b.label, 75), "action_id": _clip(b.action_id, 255)}
    if b.value:
        out["value"] = _clip(b.value, 2000)
    if b.style != "default":
        out["style"] = b.style
    return out


def block(b: Block) -> list[Json]:
    """One neutral block -> zero or more Block Kit blocks (fields are split by Slack's 10-per-section limit)."""
    if isinstance(b, Header):
        return [{"type": "header", "text": plain(b.text, 150)}] if str(b.text).strip() else []
    if isinstance(b, Section):
        lines = [mrkdwn_of(b.text)] if b.text else []
        lines += ["• " + mrkdwn_of(item) for item in b.bullets]
        body = "\n".join(lines).strip()
        return (
            [{"type": "section", "text": {"type": "mrkdwn", "text": _clip(body, 3000), "verbatim": True}}]
            if body
            else []
        )
    if isinstance(b, Fields):
        fields = [
            {"type": "mrkdwn", "text": _clip(f"*{literal(label)}*\n{mrkdwn_of(value)}", 2000), "verbatim": True}
            for label, value in b.items
        ]
        return [{"type": "section", "fields": fields[i : i + 10]} for i in range(0, len(fields), 10)]
    if isinstance(b, Actions):
        elements = [button(x) for x in b.buttons]
        return [{"type": "actions", "elements": elements[i : i + 25]} for i in range(0, len(elements), 25)]
    if isinstance(b, Context):
        return [{"type": "context", "elements": [mrkdwn(b.text)]}] if b.text else []
    if isinstance(b, Image):
        return [{"type": "image", "image_url": b.url, "alt_text": _clip(b.alt or "chart", 2000)}]
    if isinstance(b, Divider):
        return [{"type": "divider"}]
    raise TypeError(f"no Block Kit rendering for {type(b).__name__}")


def blocks(message: Message, limit: int = MAX_MESSAGE_BLOCKS) -> list[Json]:
    out = [rendered for b in message.blocks for rendered in block(b)]
    if len(out) > limit:
        out = out[: limit - 1] + [{"type": "context", "elements": [mrkdwn("(shortened to fit Slack)")]}]
    return out


def fallback_text(message: Message) -> str:
    return _clip(words_of(message.text).strip() or "fairloop", MAX_FALLBACK_TEXT)


def message_body(message: Message) -> Json:
    """Keyword arguments for chat.postMessage / chat.update / chat.postEphemeral / response_url."""
    body: Json = {"text": fallback_text(message)}
    rendered = blocks(message)
    if rendered:
        body["blocks"] = rendered
    return body


def prompt_id(message: Message) -> str | None:
    """The prompt a check-in message is about: the value of its check-in buttons (contract)."""
    for b in message.buttons():
        if b.action_id.startswith(CHECKIN_ACTION_PREFIX) and b.value:
            return b.value
    return None


def metadata(message: Message) -> Json | None:
    """Message metadata so the prompt id travels with the Slack message itself."""
    pid = prompt_id(message)
    if pid is None:
        return None
    return {"event_type": "fairloop_prompt", "event_payload": {"prompt_id": pid}}


def form_input(i: FormInput) -> Json:
    """Each input is an input block whose block_id and action_id are the input_id, so errors key by it."""
    element: Json
    if isinstance(i, ChoiceInput):
        options = [{"text": plain(c.label, 75), "value": _clip(c.value, 150)} for c in i.choices]
        kind = "radio_buttons" if len(options) <= 10 else "static_select"
        element = {"type": kind, "action_id": i.input_id, "options": options[:100]}
        initial = next((o for o, c in zip(options, i.choices, strict=True) if c.value == i.initial), None)
        if initial is not None:
            element["initial_option"] = initial
        if kind == "static_select":
            element["placeholder"] = plain("Choose…", 150)
    elif isinstance(i, TextInput):
        element = {
            "type": "plain_text_input",
            "action_id": i.input_id,
            "multiline": i.multiline,
            "max_length": max(1, min(i.max_length, 3000)),
        }
        if i.placeholder:
            element["placeholder"] = plain(i.placeholder, 150)
        if i.initial:
            element["initial_value"] = i.initial
    else:  # pragma: no cover - the union is closed
        raise TypeError(f"no Block Kit rendering for {type(i).__name__}")
    return {
        "type": "input",
        "block_id": i.input_id,
        "label": plain(i.label, 2000),
        "optional": i.optional,
        "element": element,
    }


def modal(form: Form) -> Json:
    """A views.open body: callback_id routes the submission, private_metadata carries Form.context."""
    body: list[Json] = []
    if form.intro:
        body.append({"type": "section", "text": mrkdwn(form.intro)})
    body.extend(form_input(i) for i in form.inputs)
    view: Json = {
        "type": "modal",
        "callback_id": _clip(form.form_id, 255),
        "title": plain(form.title, 24),
        "submit": plain(form.submit_label, 24),
        "close": plain("Cancel", 24),
        "blocks": body[:MAX_VIEW_BLOCKS] or [{"type": "section", "text": mrkdwn(form.title)}],
    }
    if form.context:
        view["private_metadata"] = _clip(form.context, 3000)
    return view


def notice_modal(message: Message, *, title: str) -> Json:
    """A submitted modal answered with a note to its author (a thank-you, a refusal): the same modal, updated in
    place (`response_action: update`) with only a Close button. Nothing is posted to any conversation."""
    rendered = blocks(message, MAX_VIEW_BLOCKS) or [{"type": "section", "text": mrkdwn(message.text)}]
    return {"type": "modal", "title": plain(title, 24), "close": plain("Close", 24), "blocks": rendered}


def home(message: Message) -> Json:
    """A views.publish body for the App Home tab."""
    rendered = blocks(message, MAX_VIEW_BLOCKS) or [{"type": "section", "text": mrkdwn(message.text)}]
    return {"type": "home", "blocks": rendered}
