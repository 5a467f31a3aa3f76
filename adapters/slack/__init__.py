"""Slack adapter: the Web API outbox, Bolt for what Slack sends (POST /slack/events, or Socket Mode).

Importing the package loads nothing: every command reads `adapters.slack.settings`, and Bolt and the Slack SDK load
only when Slack is configured, on first use of a name below (from `adapters.slack.platform`)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.slack.platform import SLACK, SlackOutbox, SlackPlatform, install, make_client
    from adapters.slack.settings import SlackSettings

__all__ = ["SLACK", "SlackOutbox", "SlackPlatform", "SlackSettings", "install", "make_client"]
_WHERE = {name: "adapters.slack.platform" for name in __all__} | {"SlackSettings": "adapters.slack.settings"}


def __getattr__(name: str) -> Any:
    """Each name on first use, from the module that holds it (PEP 562)."""
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
