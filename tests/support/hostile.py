"""Text a hostile colleague or a compromised ATS would send, to show it stays text on every surface: mentions,
links, formatting, markup, formulas and line structure in each platform's own syntax."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

PAYLOADS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<#C0123|general>",
    "<https://evil.example/login|Re-authenticate fairloop>",
    "[Reset your SSO password here](https://evil.example/sso)",
    "*bold* _it_ ~x~ `code`",
    "**strong** __under__ ```block```",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "https://evil.example/x",
    '=HYPERLINK("https://evil.example")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "@here",
    "@channel",
    "<at>Ana</at>",
    "line one\n- list item\n1. numbered\n# heading\n> quote",
    "&lt;b&gt;entities&amp;",
    "\u202eevil\u202c",
)

JOINED = " ".join(PAYLOADS)
"""Every payload in one string (a field that takes a single value)."""

ZWSP = "\u200b"
_MARKED = ("*bold*", "_it_", "~x~", "`code`", "**strong**", "__under__", "```block```")
_LIST_WORDS = ("list item", "numbered", "heading", "quote")


def _our_link(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "https://")) and "evil" not in url


def slack_live(rendered: str) -> list[str]:
    """What in Slack mrkdwn or fallback text would act rather than read: a <…> that is not a mention of one of
    the test's people or a link we made, a formatting run from a payload, a quote opened by a payload's line."""
    found = [
        f"<{token}>"
        for token in re.findall(r"<([^<>]*)>", rendered)
        if not re.fullmatch(r"@U0[A-Z]{3}000\d", token) and not _our_link(token.split("|")[0])
    ]
    found += [marked for marked in _MARKED if marked in rendered]
    found += [f"quote: {line!r}" for line in rendered.split("\n") if line.lstrip().startswith(("&gt;", ">"))]
    return found


def slack_visible(rendered: str) -> str:
    """What a person reads in Slack: the three entities back to characters, zero-width spaces gone."""
    return html.unescape(rendered.replace(ZWSP, ""))


def teams_live(markdown: str) -> list[str]:
    """What in Adaptive Card Markdown would act rather than read: a link to anywhere but ours, a bare address of
    a payload (Teams links those), a formatting run, or a payload's line that became a list, heading or quote."""
    found = [
        f"[{label}]({url})" for label, url in re.findall(r"\[([^\]]*)\]\(([^)]*)\)", markdown) if not _our_link(url)
    ]
    found += ["bare link"] if re.search(r"(?<!\u200b)https?://evil", markdown.replace(":" + ZWSP + "//", "")) else []
    found += [marked for marked in _MARKED if marked in markdown]
    for line in markdown.split("\n"):
        if any(w in line for w in _LIST_WORDS) and re.match(r"\s*(?:[-+*]\s|\d+[.)]\s|#|>)", line):
            found.append(f"block: {line!r}")
    return found


def teams_visible(markdown: str) -> str:
    return markdown.replace(ZWSP, "")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "svg", "iframe", "object", "embed", "at"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if (
                name in ("href", "src", "action")
                and value
                and ("evil" in value or value.strip().startswith("javascript"))
            ):
                self.found.append(f"{tag} {name}={value}")
            if tag == "img" and name == "src" and value == "x":
                self.found.append("<img src=x>")


def html_live(page: str) -> list[str]:
    """Elements and attributes in an HTML fragment or page that a payload would have made."""
    parser = _Elements()
    parser.feed(page)
    return parser.found
