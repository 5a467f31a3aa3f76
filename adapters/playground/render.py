"""Playground renderer: the neutral message model as small, escaped HTML fragments."""

from __future__ import annotations

import html
import re

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


def inline(text: str) -> str:
    """Light markdown -> HTML, escaping first: *bold*, _italic_, `code`, bare links."""
    out = html.escape(text)
    out = re.sub(r"\*([^*\n]+)\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w/])_([^_\n]+)_(?!\w)", r"<em>\1</em>", out)
    out = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", out)
    out = re.sub(r"(https?://[^\s<]+)", r'<a href="\1" target="_blank" rel="noopener">\1</a>', out)
    return out


def _section(text: str) -> str:
    parts: list[str] = []
    bullets: list[str] = []
    for line in text.split("\n"):
        if line.startswith("• "):
            bullets.append(f"<li>{inline(line[2:])}</li>")
            continue
        if bullets:
            parts.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
        parts.append(f"<p>{inline(line)}</p>")
    if bullets:
        parts.append("<ul>" + "".join(bullets) + "</ul>")
    return '<div class="section">' + "".join(parts) + "</div>"


def block(b: Block) -> str:
    match b:
        case Header(text=text):
            return f"<h3>{html.escape(text)}</h3>"
        case Section(text=text):
            return _section(text)
        case Fields(items=items):
            cells = "".join(f"<div><dt>{html.escape(k)}</dt><dd>{inline(v)}</dd></div>" for k, v in items)
            return f'<dl class="fields">{cells}</dl>'
        case Actions(buttons=buttons):
            return (
                '<div class="actions">'
                + "".join(
                    f'<button type="button" class="btn {b.style}" data-action="{html.escape(b.action_id)}" '
                    f'data-value="{html.escape(b.value)}">{html.escape(b.label)}</button>'
                    for b in buttons
                )
                + "</div>"
            )
        case Context(text=text):
            return f'<p class="context">{inline(text)}</p>'
        case Image(url=url, alt=alt):
            return f'<img src="{html.escape(url)}" alt="{html.escape(alt)}">'
        case Divider():
            return "<hr>"
    raise TypeError(f"unknown block {b!r}")


def message(m: Message) -> str:
    return "".join(block(b) for b in m.blocks) if m.blocks else f"<p>{inline(m.text)}</p>"


def form(f: Form, errors: dict[str, str] | None = None) -> str:
    errors = errors or {}
    rows = [f"<h3>{html.escape(f.title)}</h3>"]
    if f.intro:
        rows.append(_section(f.intro))
    for i in f.inputs:
        err = (
            f'<span class="error" role="alert">{html.escape(errors[i.input_id])}</span>' if i.input_id in errors else ""
        )
        label = html.escape(i.label) + ("" if not i.optional else ' <span class="optional">(optional)</span>')
        if isinstance(i, ChoiceInput):
            opts = "".join(
                f'<label class="choice"><input type="radio" name="{html.escape(i.input_id)}" value="{html.escape(c.value)}"'
                f"{' checked' if c.value == i.initial else ''}> {html.escape(c.label)}</label>"
                for c in i.choices
            )
            rows.append(
                f'<fieldset data-input="{html.escape(i.input_id)}"><legend>{label}</legend>{opts}{err}</fieldset>'
            )
        elif isinstance(i, TextInput):
            tag = (
                f'<textarea name="{html.escape(i.input_id)}" maxlength="{i.max_length}">{html.escape(i.initial)}</textarea>'
                if i.multiline
                else f'<input name="{html.escape(i.input_id)}" maxlength="{i.max_length}" value="{html.escape(i.initial)}">'
            )
            rows.append(f'<label class="text" data-input="{html.escape(i.input_id)}">{label}{tag}{err}</label>')
    rows.append(
        f'<div class="actions"><button type="submit" class="btn primary">{html.escape(f.submit_label)}</button>'
        '<button type="button" class="btn cancel">Cancel</button></div>'
    )
    return (
        f'<form class="dialog-form" data-form="{html.escape(f.form_id)}" data-context="{html.escape(f.context)}">'
        + "".join(rows)
        + "</form>"
    )
