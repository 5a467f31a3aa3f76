"""`fairloop serve` sets its start-up heap aside once everything is wired (fairloop/cli.py `_settle_heap`): the
long-lived objects leave the cyclic collector's generations, so its full collections no longer walk them while
requests wait (on the click bench, pauses of up to 87 ms before; docs/PERFORMANCE.md)."""

from __future__ import annotations

import gc
from pathlib import Path

from aiohttp.test_utils import TestServer

from fairloop.app import GRAPH
from fairloop.cli import serving_app
from tests.support.app import make_config


def collected(obj: object) -> bool:
    """Whether the collector's generations hold `obj` (frozen objects are in none of them)."""
    return any(o is obj for o in gc.get_objects())


async def test_the_served_app_freezes_what_start_up_built_after_the_graph_is_wired(tmp_path: Path) -> None:
    gc.unfreeze()
    app = serving_app(make_config(tmp_path))
    server = TestServer(app)
    await server.start_server()
    try:
        graph = app[GRAPH]
        assert gc.get_freeze_count() > 10_000
        assert gc.is_tracked(graph) and not collected(graph)  # built while wiring, frozen after
        fresh: list[object] = []
        assert collected(fresh)  # what requests make later is collected as usual
    finally:
        await server.close()
        gc.unfreeze()


async def test_the_app_tests_start_is_not_frozen(tmp_path: Path) -> None:
    """Only `serve` freezes: the tests' many apps in one process must stay collectable."""
    from fairloop.app import init_app

    gc.unfreeze()
    server = TestServer(init_app(make_config(tmp_path)))
    await server.start_server()
    try:
        assert gc.get_freeze_count() == 0
        assert collected(server.app[GRAPH])
    finally:
        await server.close()
