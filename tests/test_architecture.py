"""The shape of the house: bot/ stays platform-neutral, storage/ imports nothing from the project."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_BOT = (
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "botframework",
    "aiohttp",
    "adapters",
    "fairloop",
    "schedules",
)
PROJECT = ("bot", "adapters", "fairloop", "schedules")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imports_of(path):
            if name.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_bot_imports_no_platform_sdk_web_framework_or_adapter() -> None:
    assert offenders("bot", FORBIDDEN_IN_BOT) == []


def test_storage_imports_nothing_from_the_project() -> None:
    assert offenders("storage", PROJECT) == []


@pytest.mark.parametrize(
    "bad", ["import slack_sdk", "from aiohttp import web", "from adapters.slack import x", "import botbuilder.core"]
)
def test_the_check_catches_each_forbidden_import(tmp_path: Path, bad: str) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "m.py").write_text(f"def f():\n    {bad}\n")
    names = imports_of(tmp_path / "bot" / "m.py")
    assert any(n.split(".")[0] in FORBIDDEN_IN_BOT for n in names)


def test_python_files_stay_readable_in_one_sitting() -> None:
    long = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for p in ROOT.glob("*/**/*.py")
        if ".venv" not in p.parts
        and "versions" not in p.parts
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    ]
    assert long == []
