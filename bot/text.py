"""Text with a kind: our own words, emphasis, links we make, mentions, and text that came from a person or the ATS.

Renderers turn spans into their platform's syntax and escape every span's characters; a `user` span (a concern
note, feedback, a team, role or stage name from the ATS, a display name) additionally can never become
formatting, a link or a mention. Nothing here knows a platform, and no renderer parses markup out of text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A run of characters and how it is meant. `url` makes it a link we made; `mention` a platform user id."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    url: str = ""
    mention: str = ""
    user: bool = False


@dataclass(frozen=True, slots=True)
class Text:
    """A sequence of spans; `str(text)` is the words alone, for logs, tests and plain-text surfaces."""

    spans: tuple[Span, ...] = ()

    def __str__(self) -> str:
        return "".join(s.text for s in self.spans)

    def __bool__(self) -> bool:
        return any(s.text for s in self.spans)

    def __add__(self, other: object) -> Text:
        if isinstance(other, Text | str):
            return Text(self.spans + as_text(other).spans)
        return NotImplemented

    def __radd__(self, other: object) -> Text:
        if isinstance(other, str):
            return Text(as_text(other).spans + self.spans)
        return NotImplemented

    def lines(self) -> list[Text]:
        """The text split at its newlines, each line keeping its spans' kinds."""
        out: list[list[Span]] = [[]]
        for span in self.spans:
            parts = span.text.split("\n")
            for i, part in enumerate(parts):
                if i:
                    out.append([])
                if part:
                    out[-1].append(replace(span, text=part))
        return [Text(tuple(line)) for line in out]

    def unstyled(self) -> Text:
        """The same words without emphasis (links and what came from people keep their kind)."""
        return Text(tuple(replace(s, bold=False, italic=False, code=False) for s in self.spans))

    def clip(self, limit: int) -> Text:
        """At most `limit` characters, ending with '…' when something was cut."""
        if len(str(self)) <= limit:
            return self
        kept: list[Span] = []
        room = limit - 1
        for span in self.spans:
            if room <= 0:
                break
            kept.append(replace(span, text=span.text[:room]))
            room -= len(kept[-1].text)
        return Text((*kept, Span(text="…")))


Part = str | Text | Span


def as_text(value: Part) -> Text:
    """A str is our own plain words (it carries no markup: '*' is an asterisk)."""
    if isinstance(value, Text):
        return value
    if isinstance(value, Span):
        return Text((value,))
    return Text((Span(text=value),)) if value else Text()


def text(*parts: Part) -> Text:
    """Join parts into one Text: `text("Recorded ", bold("all"), " — thank you, ", user(name))`."""
    spans: list[Span] = []
    for part in parts:
        spans.extend(as_text(part).spans)
    return Text(tuple(spans))


def join(separator: Part, parts: Iterable[Part]) -> Text:
    out: list[Part] = []
    for i, part in enumerate(parts):
        if i:
            out.append(separator)
        out.append(part)
    return text(*out)


def _styled(parts: tuple[Part, ...], **style: bool) -> Text:
    return Text(tuple(replace(s, **style) for s in text(*parts).spans))


def bold(*parts: Part) -> Text:
    return _styled(parts, bold=True)


def italic(*parts: Part) -> Text:
    return _styled(parts, italic=True)


def code(*parts: Part) -> Text:
    """A command or setting the reader types, shown as code; a person's text inside it keeps its kind:
    `code('channel = "', user(name), '"')`."""
    return _styled(parts, code=True)


def link(url: str, label: str | None = None) -> Text:
    """A link we made (training material, a chart, a page of ours). Never built from a person's text."""
    return Text((Span(text=label or url, url=url),))


def mention(user_id: str, name: str) -> Text:
    """A platform user we refer to by id; `name` is what surfaces without mentions show."""
    return Text((Span(text=name, mention=user_id, user=True),))


def user(words: object) -> Text:
    """Text that came from a person or the ATS: always shown as the very characters it is."""
    value = "" if words is None else str(words)
    return Text((Span(text=value, user=True),)) if value else Text()
