"""The local playground: a web page that stands in for Slack/Teams (DMs, buttons, forms, commands, channels).

Importing the package loads nothing: every command reads its setting, and the pages, the outbox and aiohttp load
only when the playground is on."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.playground.outbox import PlaygroundOutbox
    from adapters.playground.settings import PlaygroundSettings
    from adapters.playground.views import PLAYGROUND, Playground, install

__all__ = ["PLAYGROUND", "Playground", "PlaygroundOutbox", "PlaygroundSettings", "install"]
_WHERE = {
    "PLAYGROUND": "adapters.playground.views",
    "Playground": "adapters.playground.views",
    "PlaygroundOutbox": "adapters.playground.outbox",
    "PlaygroundSettings": "adapters.playground.settings",
    "install": "adapters.playground.views",
}


def __getattr__(name: str) -> Any:
    """Each name on first use, from the module that holds it (PEP 562)."""
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
