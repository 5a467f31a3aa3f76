"""The shape of the house: bot/ stays neutral, storage/ imports nothing from the project, only the composition root
imports fairloop, no import goes round in a circle, and files stay readable in one sitting."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "adapters", "storage", "schedules", "fairloop")
FORBIDDEN_IN_BOT = (
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "botframework",
    "aiohttp",
    "sqlalchemy",
    "sqlmodel",
    "apscheduler",
    "adapters",
    "fairloop",
    "schedules",
)
PROJECT = ("bot", "adapters", "fairloop", "schedules")
MAX_LINES = 300


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at any depth (a function-level import counts too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def sources(*packages: str) -> Iterable[Path]:
    for package in packages:
        yield from sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources(package)
        for name in sorted(imports_of(path))
        if name.split(".")[0] in forbidden
    ]


def test_bot_imports_no_platform_sdk_web_framework_storage_engine_or_scheduler() -> None:
    assert offenders("bot", FORBIDDEN_IN_BOT) == []


def test_storage_imports_nothing_from_the_project() -> None:
    assert offenders("storage", PROJECT) == []


def test_only_the_composition_root_imports_fairloop() -> None:
    assert [
        o for package in ("bot", "adapters", "storage", "schedules") for o in offenders(package, ("fairloop",))
    ] == []


@pytest.mark.parametrize(
    "bad",
    [
        "import slack_sdk",
        "from slack_bolt.async_app import AsyncApp",
        "import botbuilder.core",
        "from aiohttp import web",
        "from sqlalchemy import select",
        "from sqlmodel import col",
        "import apscheduler.schedulers.asyncio",
        "from adapters.slack import x",
        "from fairloop.compose import build",
    ],
)
def test_the_check_catches_each_forbidden_import(tmp_path: Path, bad: str) -> None:
    (tmp_path / "m.py").write_text(f"def f():\n    {bad}\n")  # even inside a function
    assert any(name.split(".")[0] in FORBIDDEN_IN_BOT for name in imports_of(tmp_path / "m.py"))


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (an `from a.b import c` that names a module counts as a.b.c)."""
    files = {module_of(p): p for p in sources(*PACKAGES)}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        wanted = set()
        for name in imports_of(path):
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != module:
                wanted.add(name)
        graph[module] = wanted
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles in `graph` (each found once, from its first member in a depth-first walk)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_no_import_goes_round_in_a_circle() -> None:
    # a package's __init__ importing its own modules is how Python packages work, not a circle of modules
    graph = {m: {n for n in deps if not m.startswith(n + ".")} for m, deps in import_graph().items()}
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]


def test_python_files_stay_readable_in_one_sitting() -> None:
    long = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for p in sources(*PACKAGES)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert long == []
