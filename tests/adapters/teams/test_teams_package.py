"""The sideloadable Teams app package, checked against Microsoft's manifest schema v1.17."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from adapters.teams.package import build_package, manifest, manifest_commands
from bot.interactions.commands import COMMANDS
from bot.settings import SettingsError
from tests.support.teams.schemas import manifest_validator

BOT_ID = "3f6c1a52-8d0e-4d4b-9a57-0c1b2d3e4f50"


LOCAL = "http://127.0.0.1:3978"


def test_package_holds_a_valid_manifest_and_icons(tmp_path: Path) -> None:
    out = build_package(
        out=tmp_path / "pkg" / "fairloop-teams.zip", app_id=BOT_ID, base_url="https://fairloop.example.com"
    )
    assert out.is_file()
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))

    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in manifest_validator().iter_errors(manifest)]
    assert errors == []
    assert manifest["manifestVersion"] == "1.17"
    bot = manifest["bots"][0]
    assert bot["botId"] == BOT_ID
    assert set(bot["scopes"]) == {"personal", "team"}
    personal = next(c for c in bot["commandLists"] if c["scopes"] == ["personal"])
    assert personal["commands"] == [{"title": u.split()[0], "description": d} for u, d in COMMANDS]
    assert {"help", "stats", "me", "why"} <= {c["title"] for c in personal["commands"]}
    team = next(c for c in bot["commandLists"] if c["scopes"] == ["team"])
    assert [c["title"] for c in team["commands"]] == ["help", "why"]
    assert manifest["validDomains"] == ["fairloop.example.com"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}

    assert color.format == "PNG" and color.size == (192, 192)
    assert outline.format == "PNG" and outline.size == (32, 32)
    raw = outline.convert("RGBA").tobytes()
    pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    assert all(p[3] == 0 or p[:3] == (255, 255, 255) for p in pixels), "outline must be white on transparent"
    assert any(p[3] == 0 for p in pixels) and any(p[3] == 255 for p in pixels)


def test_package_id_is_stable_across_builds(tmp_path: Path) -> None:
    first = build_package(out=tmp_path / "a.zip", app_id=BOT_ID, base_url=LOCAL)
    second = build_package(out=tmp_path / "b.zip", app_id=BOT_ID, base_url=LOCAL)
    ids = [json.loads(zipfile.ZipFile(p).read("manifest.json"))["id"] for p in (first, second)]
    assert ids[0] == ids[1] != BOT_ID


def test_the_schema_rejects_a_bad_bot_id() -> None:
    assert list(
        manifest_validator().iter_errors({"manifestVersion": "1.17", "bots": [{"botId": "nope", "scopes": ["x"]}]})
    )


@pytest.mark.parametrize("app_id", [None, "not-a-guid"])
def test_package_needs_the_bot_app_id(tmp_path: Path, app_id: str | None) -> None:
    with pytest.raises(SettingsError, match="MICROSOFT_APP_ID"):
        build_package(out=tmp_path / "x.zip", app_id=app_id, base_url=LOCAL)
    assert not (tmp_path / "x.zip").exists()


def test_manifest_commands_follow_the_core_and_keep_to_teams_limits() -> None:
    long = "x" * 200
    commands = manifest_commands(
        [("help", "what I can do"), ("digest preview|send [<digest>]", long), ("digest again", "dup"), ("y" * 40, "z")]
        + [(f"c{i} arg", "d") for i in range(12)]
    )
    assert commands[:2] == [
        {"title": "help", "description": "what I can do"},
        {"title": "digest", "description": "x" * 127 + "…"},  # the first "digest" wins; the cut is marked
    ]
    assert commands[2] == {"title": "y" * 31 + "…", "description": "z"}
    assert len(commands) == 10  # Teams lists at most ten commands
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    errors = list(manifest_validator().iter_errors(_manifest_with(commands)))
    assert errors == []


def _manifest_with(commands: list[dict[str, str]]) -> dict[str, object]:
    data = manifest(app_id=BOT_ID, base_url=LOCAL)
    data["bots"][0]["commandLists"] = [{"scopes": ["personal"], "commands": commands}]
    return data
