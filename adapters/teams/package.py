"""The Teams app package (`fairloop teams-package`): manifest.json v1.17 plus generated icons, zipped."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from bot.interactions.commands import COMMANDS
from bot.settings import SettingsError

MANIFEST_VERSION = "1.17"
ACCENT = "#2E7D6B"
TITLE_MAX, DESCRIPTION_MAX, COMMANDS_MAX = 32, 128, 10  # Teams' limits for a bot command list
TEAM_COMMANDS = {"help", "why"}  # the rest answer privately, so a channel only lists these
_GUID_NAMESPACE = uuid.UUID("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f")


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def manifest_commands(commands: Iterable[tuple[str, str]] = COMMANDS) -> list[dict[str, str]]:
    """The core's (usage, description) commands as Teams command-list entries: title = the command word."""
    entries: dict[str, dict[str, str]] = {}
    for usage, description in commands:
        title = _fit(usage.split()[0], TITLE_MAX)
        entries.setdefault(title, {"title": title, "description": _fit(description, DESCRIPTION_MAX)})
    return list(entries.values())[:COMMANDS_MAX]


def manifest(*, app_id: str | None, base_url: str, version: str = "1.0.0") -> dict[str, Any]:
    """manifest.json for the bot registered as MICROSOFT_APP_ID; valid against MicrosoftTeams.schema v1.17."""
    bot_id = app_id
    if not bot_id:
        raise SettingsError("MICROSOFT_APP_ID: required to build the Teams app package (the Azure bot's app id)")
    try:
        uuid.UUID(bot_id)
    except ValueError:
        raise SettingsError(f"MICROSOFT_APP_ID: {bot_id!r} is not a GUID") from None
    base = base_url.rstrip("/")
    host = urlsplit(base).hostname or "localhost"
    website = base if base.startswith("https://") else "https://github.com/fairloop/fairloop"
    commands = manifest_commands()
    return {
        "$schema": "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json",
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        # a stable app id of its own, derived from the bot id, so re-packaging updates the same app
        "id": str(uuid.uuid5(_GUID_NAMESPACE, bot_id.lower())),
        "developer": {
            "name": "fairloop",
            "websiteUrl": website,
            "privacyUrl": website,
            "termsOfUseUrl": website,
        },
        "name": {"short": "fairloop", "full": "fairloop: interview inclusivity check-ins"},
        "description": {
            "short": "One-click inclusivity check-ins after interviews, with private stats.",
            "full": (
                "fairloop sends interviewers a one-click check-in after each interview, posts aggregate "
                "digests to recruiting and DEI channels, and answers stats, me and why privately. "
                "Reports show aggregates only; small groups are never shown."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": commands},
                    {"scopes": ["team"], "commands": [c for c in commands if c["title"] in TEAM_COMMANDS]},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host] if host not in {"localhost", "127.0.0.1", "::1"} else [],
    }


def _color_icon() -> bytes:
    """192x192 full-colour icon: a white loop on the accent colour."""
    image = Image.new("RGBA", (192, 192), ACCENT)
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, 152, 152), outline="white", width=18)
    draw.ellipse((124, 28, 164, 68), fill="white")
    return _png(image)


def _outline_icon() -> bytes:
    """32x32 outline icon: white on transparent, as Teams requires."""
    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, 26, 26), outline=(255, 255, 255, 255), width=3)
    draw.ellipse((21, 3, 29, 11), fill=(255, 255, 255, 255))
    return _png(image)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def build_package(*, out: Path, app_id: str | None, base_url: str) -> Path:
    """Write the sideloadable zip (manifest.json, color.png, outline.png at its root) and return its path."""
    data = manifest(app_id=app_id, base_url=base_url)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(data, indent=2) + "\n")
        archive.writestr("color.png", _color_icon())
        archive.writestr("outline.png", _outline_icon())
    return out
