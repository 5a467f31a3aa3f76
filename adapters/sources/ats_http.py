"""Calls to an ATS API: timeouts, 429 with Retry-After, rate-limit headers, retries on 5xx, Link paging."""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from adapters.sources.ats_common import AuthRejected, LookupFailed

logger = logging.getLogger(__name__)
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([a-z]+)"?')


def basic_auth(user: str, password: str) -> str:
    """HTTP Basic credentials (the vendors' API keys go as the user name, with an empty password)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class Answer:
    status: int
    data: Any
    headers: Mapping[str, str]

    def link(self, rel: str = "next") -> str | None:
        """The RFC 5988 Link header's URL for `rel` (Greenhouse pages this way)."""
        for url, name in _LINK.findall(self.headers.get("Link", "")):
            if name == rel:
                return str(url)
        return None


def retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from Retry-After (seconds or an HTTP date) or X-RateLimit-Reset (epoch seconds)."""
    value = headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - (now or time.time()))
            except (TypeError, ValueError):
                pass
    reset = headers.get("X-RateLimit-Reset")
    if reset:
        try:
            return max(0.0, float(reset) - (now or time.time()))
        except ValueError:
            return None
    return None


@dataclass
class ApiClient:
    """One vendor's API. `max_wait` bounds how long one call may sleep for the vendor's rate limit:
    a webhook cannot wait long (the vendor times out), a backfill can."""

    http: aiohttp.ClientSession
    name: str
    base_url: str
    auth: str | None = None  # an Authorization header value
    max_wait: float = 5.0
    retries: int = 2
    timeout: float = 15.0
    calls: int = 0
    waited: float = 0.0
    _not_before: float = field(default=0.0, repr=False)

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url.rstrip("/") + "/" + path.lstrip("/")

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        auth: str | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> Answer:
        """One request, retried on 429/5xx/timeouts within the budget; LookupFailed when that runs out."""
        attempt = 0
        while True:
            await self._pace()
            attempt += 1
            self.calls += 1
            try:
                credentials = auth or self.auth
                sent = {**({"Authorization": credentials} if credentials else {}), **(headers or {})}
                async with self.http.request(
                    method, self.url(path), json=json, params=params, headers=sent, data=data,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as resp:  # fmt: skip
                    body = await resp.json(content_type=None) if resp.status != 204 else None
                    answer = Answer(status=resp.status, data=body, headers=resp.headers)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                if attempt <= self.retries:
                    await self._sleep(min(2.0**attempt / 4, self.max_wait))
                    continue
                raise LookupFailed(f"{self.name} did not answer ({type(exc).__name__}).", retry_after=60) from None
            self._note_limits(answer.headers)
            if answer.status in ok:
                return answer
            if answer.status in (401, 403):
                raise AuthRejected(f"{self.name} refused the API key ({answer.status}); check its permissions.")
            if answer.status == 429 or answer.status >= 500:
                wait = retry_after(answer.headers) if answer.status == 429 else None
                wait = wait if wait is not None else min(2.0**attempt / 4, self.max_wait)
                if attempt <= self.retries and wait <= self.max_wait:
                    logger.info("%s answered %s; waiting %.1fs before trying again", self.name, answer.status, wait)
                    await self._sleep(wait)
                    continue
                raise LookupFailed(
                    f"{self.name} answered {answer.status}; try again later.", retry_after=max(1, round(wait))
                )
            raise LookupFailed(f"{self.name} answered {answer.status} to {method} {path}.", retry_after=300)

    def _note_limits(self, headers: Mapping[str, str]) -> None:
        """Remaining 0 in this window: hold the next call until the window resets (Greenhouse, Lever)."""
        if headers.get("X-RateLimit-Remaining") == "0":
            wait = retry_after({"X-RateLimit-Reset": headers.get("X-RateLimit-Reset", "")})
            if wait:
                self._not_before = time.monotonic() + min(wait, self.max_wait)

    async def _pace(self) -> None:
        wait = self._not_before - time.monotonic()
        if wait > 0:
            await self._sleep(wait)

    async def _sleep(self, seconds: float) -> None:
        self.waited += seconds
        await asyncio.sleep(seconds)
