"""Trouble a fake platform can make: a share of its answers 429 or 5xx at random, and a gate that holds calls in
flight (to kill a replica while its sends wait for an answer). A call whose caller went away while it waited is
not carried out: the platform acts on requests whose answer someone is still waiting for."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Faults:
    rate: float = 0.0  # share of calls answered with one of `statuses` instead
    statuses: tuple[int, ...] = (429, 500, 502, 503)
    seed: int = 9
    injected: Counter[int] = field(default_factory=Counter)
    held: Counter[str] = field(default_factory=Counter)  # calls waiting at the gate, by caller
    dropped: int = 0  # calls whose caller was gone by the time they would have been carried out
    _open: asyncio.Event = field(default_factory=asyncio.Event)
    _random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._open.set()
        self._random = random.Random(self.seed)

    def hold(self) -> None:
        """From now on calls wait at the gate."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def gate(self, request: web.Request, caller: str = "") -> bool:
        """Wait while the gate is closed; False when the caller hung up meanwhile (the call is not carried out)."""
        if not self._open.is_set():
            self.held[caller] += 1
            try:
                await self._open.wait()
            finally:
                self.held[caller] -= 1
        if request.transport is None or request.transport.is_closing():
            self.dropped += 1
            return False
        return True

    def pick(self) -> int | None:
        """The fault to answer this call with, if any."""
        if self.rate and self._random.random() < self.rate:
            status = self._random.choice(self.statuses)
            self.injected[status] += 1
            return status
        return None
