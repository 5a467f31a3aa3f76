"""The one Slack Web API client: a shared session, and retries for 429 (honouring Retry-After), 5xx and lost
connections."""

from __future__ import annotations

import asyncio
import logging
import random

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)


class AsyncServerErrorsRetryHandler(AsyncRetryHandler):
    """Retries any 5xx (slack_sdk's built-in one covers only 500 and 503), with its backoff."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code >= 500


class AsyncRetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """429s: wait exactly as long as Slack's Retry-After says, plus a little jitter.

    slack_sdk's own handler adds up to a whole second of jitter to every wait, which costs ~50% throughput
    when a burst of sends runs into a per-second limit.
    """

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate limited without a response")
        state.next_attempt_requested = True
        header = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        try:
            wait = float(header[0] if isinstance(header, list) else header) if header else 1.0
        except ValueError:
            wait = 1.0
        logger.info("Slack rate limit on %s; waiting %.1fs", request.url.rsplit("/", 1)[-1], wait)
        await asyncio.sleep(max(0.0, wait) + random.uniform(0, 0.2))
        state.increment_current_attempt()


def make_client(*, token: str, base_url: str, session: aiohttp.ClientSession) -> AsyncWebClient:
    """The one Web API client: shared session, retries for 429 (honouring Retry-After), 5xx and lost connections."""
    return AsyncWebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        session=session,
        timeout=30,
        retry_handlers=[
            AsyncRetryAfterHandler(max_retry_count=10),
            AsyncServerErrorsRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=3),
        ],
    )
