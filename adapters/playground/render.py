"""Playground renderer: the neutral message model as small HTML fragments, every character escaped."""

from __future__ import annotations

from html import escape

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
from bot.text import Span, Text


def _span(span: Span) -> str:
    out = escape(span.text)
    if span.mention:
        out = f'<span class="mention">@{out}</span>'
    if span.code:
        out = f"<code>{out}</code>"
    if span.italic:
        out = f"<em>{out}</em>"
    if span.bold:
        out = f"<strong>{out}</strong>"
    if span.url and not span.user and span.url.startswith(("https://", "http://")):
        out = f'<a href="{escape(span.url)}" target="_blank" rel="noopener">{out}</a>'
    return out


def inline(text: Text) -> str:
    """One line's spans as HTML (newlines become line breaks)."""
    return "<br>".join("".join(_span(s) for s in line.spans) for line in text.lines())


def _section(section: Section) -> str:
    parts = [f"<p>{inline(line)}</p>" for line in section.text.lines() if line] if section.text else []
    if section.bullets:
        parts.append("<ul>" + "".join(f"<li>{inline(b)}</li>" for b in section.bullets) + "</ul>")
    return '<div class="section">' + "".join(parts) + "</div>"


def block(b: Block) -> str:
    match b:
        case Header(text=text):
            return f"<h3>{inline(text)}</h3>"
        case Section():
            return _section(b)
        case Fields(items=items):
            cells = "".join(f"<div><dt>{escape(k)}</dt><dd>{inline(v)}</dd></div>" for k, v in items)
            return f'<dl class="fields">{cells}</dl>'
        case Actions(buttons=buttons):
            return (
                '<div class="actions">'
                + "".join(
                    f'<button type="button" class="btn {escape(b.style)}" data-action="{escape(b.action_id)}" '
                    f'data-value="{escape(b.value)}">{escape(b.label)}</button>'
                    for b in buttons
                )
                + "</div>"
            )
        case Context(text=text):
            return f'<p class="context">{inline(text)}</p>'
        case Image(url=url, alt=alt):
            return f'<img src="{escape(url)}" alt="{escape(alt)}">'
        case Divider():
            return "<hr>"
    raise TypeError(f"unknown block {b!r}")


def message(m: Message) -> str:
    return "".join(block(b) for b in m.blocks) if m.blocks else f"<p>{inline(m.text)}</p>"


def form(f: Form, errors: dict[str, str] | None = None) -> str:
    errors = errors or {}
    rows = [f"<h3>{escape(f.title)}</h3>"]
    if f.intro:
        rows.append(_section(Section(text=f.intro)))
    for i in f.inputs:
        err = f'<span class="error" role="alert">{escape(errors[i.input_id])}</span>' if i.input_id in errors else ""
        label = escape(i.label) + ("" if not i.optional else ' <span class="optional">(optional)</span>')
        if isinstance(i, ChoiceInput):
            opts = "".join(
                f'<label class="choice"><input type="radio" name="{escape(i.input_id)}" value="{escape(c.value)}"'
                f"{' checked' if c.value == i.initial else ''}> {escape(c.label)}</label>"
                for c in i.choices
            )
            rows.append(f'<fieldset data-input="{escape(i.input_id)}"><legend>{label}</legend>{opts}{err}</fieldset>')
        elif isinstance(i, TextInput):
            tag = (
                f'<textarea name="{escape(i.input_id)}" maxlength="{i.max_length}">{escape(i.initial)}</textarea>'
                if i.multiline
                else f'<input name="{escape(i.input_id)}" maxlength="{i.max_length}" value="{escape(i.initial)}">'
            )
            rows.append(f'<label class="text" data-input="{escape(i.input_id)}">{label}{tag}{err}</label>')
    rows.append(
        f'<div class="actions"><button type="submit" class="btn primary">{escape(f.submit_label)}</button>'
        '<button type="button" class="btn cancel">Cancel</button></div>'
    )
    return (
        f'<form class="dialog-form" data-form="{escape(f.form_id)}" data-context="{escape(f.context)}">'
        + "".join(rows)
        + "</form>"
    )
