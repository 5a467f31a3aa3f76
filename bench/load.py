"""Signed Slack clicks and the load generator that fires them with a fixed number in flight."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp

from bench.common import percentile
from bench.procs import SECRET
from tests.support.slack.payloads import block_actions

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Target:
    """A delivered prompt as Slack shows it: who got it, in which DM, as which message."""

    prompt_id: int
    user: str
    channel: str
    ts: str


@dataclass(frozen=True)
class Load:
    latencies: list[float]  # seconds, one per request
    wall: float  # seconds from the first request sent to the last answer
    statuses: dict[int, int]
    last_sent: dict[tuple[str, str], float] = field(
        default_factory=dict
    )  # (channel, ts) -> wall time of its last click

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    def ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000


def signed(body: str, *, secret: str = SECRET) -> dict[str, str]:
    """Slack's v0 signature headers: HMAC-SHA256 of 'v0:<timestamp>:<body>'."""
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": FORM, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def all_followed_click(target: Target, response_url: str) -> str:
    """The form body Slack posts when the interviewer clicks **All practices followed** on the prompt."""
    payload = block_actions(user=target.user, action_id="checkin.all", value=str(target.prompt_id),
                            channel=target.channel, ts=target.ts, response_url=response_url)  # fmt: skip
    return urlencode({"payload": json.dumps(payload)})


Request = tuple[str, dict[str, str], tuple[str, str]]  # body, headers, the (channel, ts) clicked


def clicks(targets: list[Target], n: int, response_url: str) -> list[Request]:
    """`n` signed click requests cycling through `targets` (signed now: Slack's timestamps are good for 5 minutes)."""
    out = []
    for i in range(n):
        target = targets[i % len(targets)]
        body = all_followed_click(target, response_url)
        out.append((body, signed(body), (target.channel, target.ts)))
    return out


async def fire(url: str, requests: list[Request], *, concurrency: int) -> Load:
    """POST every request to `url` with `concurrency` in flight; 200s are counted, anything else too."""
    queue = iter(requests)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    last_sent: dict[tuple[str, str], float] = {}
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def worker() -> None:
            for body, headers, key in queue:
                last_sent[key] = time.time()
                started = time.perf_counter()
                async with http.post(url, data=body.encode(), headers=headers) as r:
                    await r.read()
                latencies.append(time.perf_counter() - started)
                statuses[r.status] = statuses.get(r.status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return Load(latencies=latencies, wall=wall, statuses=statuses, last_sent=last_sent)
