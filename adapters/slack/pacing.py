"""Pacing Web API calls per method, learnt from Slack's own 429s.

Slack limits each Web API method separately (its tiers), and says so with a 429 and a Retry-After. When that
happens, every call of that method waits out the Retry-After, not only the one refused, and from then on the
method is paced at a little under the rate Slack let through in the second before the refused call, evenly
and never more in any second: a burst of DMs on a Monday morning then runs at the limit instead of into it, where each refused call would cost its sender a whole
Retry-After. Every minute without a 429 the pace is allowed 5% more, so a limit that was only tight for a while
is found again. Methods Slack never refused are not paced at all.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse

from bot.delivery.lease import before_sending

MARGIN = 0.97  # pace at this share of the rate Slack let through (sends reach Slack a little unevenly)
WINDOW = 1.0  # seconds over which that rate is counted
RELAX_AFTER = 60.0  # seconds without a 429 before the pace may quicken
RELAX = 1.05
CATCH_UP = 2  # slots a late call may make up for


@dataclass
class _Method:
    interval: float = 0.0  # seconds between calls; 0 until Slack first refuses one
    cap: int = 0  # calls in any WINDOW; 0 until Slack first refuses one
    next_at: float = 0.0  # the earliest start of the next call
    blocked_until: float = 0.0  # Retry-After: no call before this
    last_change: float = 0.0
    sent: deque[float] = field(default_factory=deque)  # when recent calls were sent (for the cap)
    accepted: deque[float] = field(default_factory=deque)  # when the calls Slack accepted were sent
    turns: asyncio.Lock = field(default_factory=asyncio.Lock)  # calls take their turns in order
    queued: int = 0  # calls waiting for their turn

    def delay(self, now: float) -> float:
        """Seconds a call made now would wait for its turn, at least."""
        return max(0.0, self.blocked_until - now, self.next_at - now) + self.queued * self.interval

    async def turn(self) -> float:
        """Wait until this method may be called again; the time it is sent."""
        self.queued += 1
        try:
            return await self._turn()
        finally:
            self.queued -= 1

    async def _turn(self) -> float:
        async with self.turns:
            while True:
                now = time.monotonic()
                if self.interval and now - self.last_change > RELAX_AFTER:
                    self._pace(1.0 / self.interval * RELAX, now)
                while self.sent and now - self.sent[0] >= WINDOW:
                    self.sent.popleft()
                wait = max(self.blocked_until, self.next_at) - now
                if self.cap and len(self.sent) >= self.cap:
                    wait = max(wait, self.sent[0] + WINDOW - now)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            # the next slot follows this one's, not the moment this call got going: a busy loop wakes calls a
            # little late, and that must not slow the pace (the cap still holds any second to `cap` calls)
            self.next_at = max(self.next_at, now - CATCH_UP * self.interval) + self.interval
            if self.cap:
                self.sent.append(now)
            return now

    def _pace(self, rate: float, now: float) -> None:
        self.interval, self.cap, self.last_change = 1.0 / rate, max(1, int(rate * WINDOW)), now

    def ok(self, sent: float) -> None:
        self.accepted.append(sent)
        while self.accepted and sent - self.accepted[0] > 2 * WINDOW:
            self.accepted.popleft()

    def refused(self, sent: float, retry_after: float) -> None:
        """A call sent at `sent` was refused: Slack had let through what we sent in the WINDOW before it."""
        let_through = sum(1 for t in self.accepted if sent - WINDOW < t <= sent)
        rate = max(1.0, let_through / WINDOW) * MARGIN
        now = time.monotonic()
        if not self.interval or rate < 1.0 / self.interval:
            self._pace(rate, now)
        self.last_change = now
        self.blocked_until = max(self.blocked_until, now + retry_after)


def _retry_after(response: ClientResponse) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


class Pacer:
    """An aiohttp client middleware for the Web API session: `ClientSession(middlewares=[Pacer(api=...)])`.
    Only calls under `api` (FAIRLOOP_SLACK_API_URL) are paced; a response_url is not a method."""

    def __init__(self, *, api: str) -> None:
        self._api = api if api.endswith("/") else api + "/"
        self._methods: dict[str, _Method] = {}

    def interval(self, method: str) -> float:
        """Seconds between calls of `method` now (0: not paced)."""
        return self._methods[method].interval if method in self._methods else 0.0

    def delay(self, method: str) -> float:
        """Seconds a call of `method` made now would wait before it is sent, at least (0: not paced, or free)."""
        paced = self._methods.get(method)
        return paced.delay(time.monotonic()) if paced is not None else 0.0

    async def __call__(self, request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        url = str(request.url)
        if not url.startswith(self._api):
            return await handler(request)
        method = self._methods.setdefault(url[len(self._api) :].split("?", 1)[0], _Method())
        sent = await method.turn()
        await before_sending()  # a send that waited its turn leaves only on a claim sure to outlive it
        response = await handler(request)
        if response.status == 429:
            method.refused(sent, _retry_after(response))
        elif response.status < 500:
            method.ok(sent)
        return response
