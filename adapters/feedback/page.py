"""The candidate feedback pages: plain, accessible HTML that works without JavaScript."""

from __future__ import annotations

from html import escape

from bot.messages import ChoiceInput, Form, TextInput

STYLE = """
:root { color-scheme: light dark; --accent: #1d4ed8; --error: #b91c1c; }
body { font: 1.05rem/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 1.5rem; }
main { max-width: 40rem; margin: 0 auto; }
h1 { font-size: 1.6rem; line-height: 1.25; }
fieldset { border: 1px solid #8a8f98; border-radius: .5rem; padding: 1rem 1.25rem; margin: 0 0 1.5rem; }
legend { font-weight: 600; padding: 0 .25rem; }
.choice { display: flex; align-items: center; gap: .6rem; margin: .4rem 0; }
.choice input { width: 1.3rem; height: 1.3rem; margin: 0; }
label[for=text] { display: block; font-weight: 600; }
textarea { display: block; width: 100%; box-sizing: border-box; font: inherit; padding: .5rem; margin-top: .25rem; }
.hint { color: #555; margin: .1rem 0; }
.error { color: var(--error); font-weight: 600; margin: .25rem 0; }
.invalid { border-color: var(--error); border-width: 2px; }
.summary { border: 3px solid var(--error); padding: .5rem 1rem; margin-bottom: 1.5rem; }
.stored { border-left: 4px solid var(--accent); padding-left: .75rem; }
button { font: inherit; font-weight: 600; padding: .6rem 1.4rem; border-radius: .4rem; border: 2px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; margin-top: 1.25rem; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
@media (prefers-color-scheme: dark) { .hint { color: #bbb; } :root { --accent: #93b4ff; --error: #fca5a5; }
  button { color: #111; } }
"""


def document(*, title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)} · fairloop</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def notice_page(*, heading: str, sentence: str) -> str:
    return document(title=heading, body=f"<h1>{escape(heading)}</h1>\n<p>{escape(sentence)}</p>")


def _choices(field: ChoiceInput, error: str) -> str:
    err_id = f"{field.input_id}-error"
    parts = [
        f'<fieldset id="{field.input_id}"' + (f' aria-describedby="{err_id}" class="invalid"' if error else "") + ">",
        f"<legend>{escape(field.label)}</legend>",
    ]
    if error:
        parts.append(f'<p class="error" id="{err_id}">{escape(error)}</p>')
    for i, choice in enumerate(field.choices):
        cid = f"{field.input_id}-{choice.value}"
        checked = " checked" if field.initial == choice.value else ""
        required = " required" if i == 0 and not field.optional else ""
        parts.append(
            f'<div class="choice"><input type="radio" id="{cid}" name="{field.input_id}" '
            f'value="{escape(choice.value)}"{checked}{required}>'
            f'<label for="{cid}">{escape(choice.label)}</label></div>'
        )
    parts.append("</fieldset>")
    return "\n".join(parts)


def _text(field: TextInput, error: str) -> str:
    name = field.input_id
    hint = f"Up to {field.max_length:,} characters."
    described = f"{name}-hint" + (f" {name}-error" if error else "")
    parts = [
        f'<label for="{name}">{escape(field.label)}</label>',
        f'<p class="hint" id="{name}-hint">{escape(hint)}</p>',
    ]
    if error:
        parts.append(f'<p class="error" id="{name}-error">{escape(error)}</p>')
    invalid = ' aria-invalid="true" class="invalid"' if error else ""
    parts.append(
        f'<textarea id="{name}" name="{name}" rows="7" maxlength="{field.max_length}" '
        f'aria-describedby="{described}"{invalid}>{escape(field.initial)}</textarea>'
    )
    return "\n".join(parts)


def form_page(form: Form, errors: dict[str, str] | None = None) -> str:
    """The form as a plain POST to the same address; errors sit next to their field, with a summary on top."""
    errors = errors or {}
    parts = ["<h1>How did your interview feel?</h1>"]
    if errors:
        items = "".join(f'<li><a href="#{escape(k)}">{escape(v)}</a></li>' for k, v in errors.items())
        parts.append(
            f'<div class="summary" role="alert" aria-labelledby="summary-title">'
            f'<h2 id="summary-title">Please check your answer</h2><ul>{items}</ul></div>'
        )
    parts.append(f'<p class="stored">{escape(str(form.intro))}</p>')
    parts.append('<form method="post">')
    for field in form.inputs:
        error = errors.get(field.input_id, "")
        parts.append(_choices(field, error) if isinstance(field, ChoiceInput) else _text(field, error))
    parts.append(f'<button type="submit">{escape(form.submit_label)}</button>\n</form>')
    title = ("Error: " if errors else "") + "How did your interview feel?"
    return document(title=title, body="\n".join(parts))
