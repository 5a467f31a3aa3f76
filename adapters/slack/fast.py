"""The one-click answer without Bolt's dispatch: a signed block_actions whose only action is **All practices
followed** goes straight to the listener body Bolt would run for it (SlackBridge.on_block_actions), and is answered
200 the moment that body acknowledges, which it does once the answer is recorded.

Bolt spends more on routing a request (its middleware chain, listener matching, a context per request) than the
one-click answer costs to record, and it is the click people make by the thousand on a Monday. Everything else
still goes through Bolt; the signature is checked once, before either, by POST /slack/events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

from aiohttp import web

from bot.checkins import cards


class Listener(Protocol):
    async def on_block_actions(self, ack: Ack, body: dict[str, Any], *, delivery: str = "") -> None: ...


def one_click(payload: Mapping[str, Any]) -> bool:
    """Whether `payload` is a click of All practices followed on a message, and nothing else."""
    actions = payload.get("actions")
    container = payload.get("container")
    return (
        payload.get("type") == "block_actions"
        and isinstance(actions, list)
        and len(actions) == 1
        and isinstance(actions[0], Mapping)
        and actions[0].get("type") == "button"
        and actions[0].get("action_id") == cards.ALL
        and isinstance(container, Mapping)
        and container.get("type") == "message"
    )


class Ack:
    """Bolt's `ack` as the listener sees it: calling it answers Slack (here: lets the view return 200)."""

    def __init__(self) -> None:
        self.response: dict[str, Any] | None = None
        self.given: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def __call__(self, **kwargs: Any) -> None:
        if self.response is None:
            self.response = dict(kwargs)
            self.settle()

    def settle(self, *_: object) -> None:
        if not self.given.done():  # (a request given up on has its wait cancelled)
            self.given.set_result(None)


async def answer(listener: Listener, payload: dict[str, Any], *, delivery: str = "") -> web.Response:
    """Run the listener in a task of its own (its follow-ups go on after the answer) and answer once it acks.
    `delivery` is the request's replay key, claimed where the click is recorded (ButtonClicked.delivery)."""
    ack = Ack()
    running = asyncio.create_task(listener.on_block_actions(ack, payload, delivery=delivery))
    running.add_done_callback(ack.settle)  # a listener that returns without acking settles the wait too
    await ack.given
    if ack.response is None:  # the listener always acks, even when it fails; this is a bug, and not Slack's to retry
        return web.json_response({"error": "not_handled", "detail": "The Slack request was not handled."}, status=422)
    return web.Response(status=200)
