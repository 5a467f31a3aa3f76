"""Microsoft Teams adapter: /api/messages, the Teams outbox and the app package (botbuilder stays in here).

Importing the package loads nothing: every command reads `adapters.teams.settings`, and botbuilder loads only when
Teams is configured, on first use of a name below (from `adapters.teams.platform`)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.teams.platform import AUTH_CONFIG, TEAMS, TeamsOutbox, TeamsPlatform, build_adapter, install
    from adapters.teams.settings import TeamsSettings

__all__ = ["AUTH_CONFIG", "TEAMS", "TeamsOutbox", "TeamsPlatform", "TeamsSettings", "build_adapter", "install"]
_WHERE = {name: "adapters.teams.platform" for name in __all__} | {"TeamsSettings": "adapters.teams.settings"}


def __getattr__(name: str) -> Any:
    """Each name on first use, from the module that holds it (PEP 562)."""
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
