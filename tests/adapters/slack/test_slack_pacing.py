"""Pacing per Web API method (adapters/slack/pacing.py) against the fake Slack's per-second limits: a 429's
Retry-After holds back every call of that method, the pace is then learnt from what Slack let through, and a
method Slack never refused is not held back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import make_client
from adapters.slack.pacing import Pacer
from tests.support.slack.fake_slack import FakeSlack

LIMIT = 20  # users.lookupByEmail per second, in the fake


@pytest.fixture
async def paced(fake_slack: FakeSlack) -> AsyncIterator[tuple[AsyncWebClient, Pacer]]:
    pacer = Pacer(api=fake_slack.base_url)
    async with aiohttp.ClientSession(middlewares=[pacer]) as session:
        yield make_client(token=fake_slack.token, base_url=fake_slack.base_url, session=session), pacer


async def test_after_a_429_the_method_waits_out_retry_after_then_runs_at_the_pace_slack_allowed(
    fake_slack: FakeSlack, paced: tuple[AsyncWebClient, Pacer]
) -> None:
    client, pacer = paced
    fake_slack.limits["users.lookupByEmail"] = LIMIT
    started = time.monotonic()
    found = await asyncio.gather(*(client.users_lookupByEmail(email="ana@example.com") for _ in range(4 * LIMIT)))
    took = time.monotonic() - started
    assert all(r["ok"] for r in found)  # every call got through in the end (refused ones were tried again)
    calls = [c for c in fake_slack.calls if c.method == "users.lookupByEmail"]
    refused = [c for c in calls if c.status == 429]
    first = min(c.at for c in refused)
    # Retry-After (1 s) held back every call of the method, not only the refused ones (calls already on their way
    # when the first 429 came are refused too, within milliseconds)
    assert not [c for c in calls if first + 0.05 < c.at < first + 1.0]
    # then the pace: at most LIMIT a second, so hardly a call is refused after the first ones (unpaced, the calls
    # after the wait would meet a 429 by the dozen; a stalled loop can still bunch two paced calls into one of the
    # fake's seconds)
    late = [c for c in refused if c.at >= first + 0.1]
    assert len(late) <= 2, [round(c.at - first, 2) for c in late]
    assert 1 / pacer.interval("users.lookupByEmail") == pytest.approx(LIMIT * 0.97, rel=0.1)
    assert took < 1.0 + 3 * LIMIT / (LIMIT * 0.9) + 1.0  # the first second's burst, the wait, then the pace


async def test_a_method_slack_never_refused_is_not_held_back(
    fake_slack: FakeSlack, paced: tuple[AsyncWebClient, Pacer]
) -> None:
    client, pacer = paced
    fake_slack.limits["users.lookupByEmail"] = LIMIT
    await asyncio.gather(*(client.users_lookupByEmail(email="ana@example.com") for _ in range(2 * LIMIT)))
    started = time.monotonic()
    await asyncio.gather(*(client.auth_test() for _ in range(3 * LIMIT)))
    assert time.monotonic() - started < 2.0 and pacer.interval("auth.test") == 0.0  # paced: 3 s


async def test_the_pacer_says_how_long_a_call_made_now_would_wait(
    fake_slack: FakeSlack, paced: tuple[AsyncWebClient, Pacer]
) -> None:
    client, pacer = paced
    assert pacer.delay("users.info") == 0.0  # never refused: never held back
    fake_slack.throttle_once["users.info"] = "3"  # the next users.info: 429, Retry-After 3 s
    asking = asyncio.create_task(client.users_info(user="U0ANA0001"))
    await asyncio.sleep(0.3)  # the call has been refused, and the 429 has reached the pacer
    assert [c.status for c in fake_slack.calls if c.method == "users.info"] == [429]
    assert 2.5 < pacer.delay("users.info") <= 3.0 + pacer.interval("users.info")  # Retry-After, and the one queued
    assert pacer.delay("users.lookupByEmail") == 0.0  # only the method Slack refused
    assert (await asking)["ok"]  # tried again once Retry-After had passed
    assert pacer.delay("users.info") < 1.0
