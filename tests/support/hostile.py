"""Text a hostile colleague or a compromised ATS would send, to show it stays text on every surface: mentions,
links, formatting, markup, formulas and line structure in each platform's own syntax."""

from __future__ import annotations

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

# what must never appear where a payload went in, whatever the surface: its live forms
LIVE_SLACK = ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C0123", "<https://evil.example")
LIVE_MARKUP = ("<img", "<script", "<svg", "onerror=", "onload=")
