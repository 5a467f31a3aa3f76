"""Fixtures for the Slack adapter tests: a fake Slack Web API on loopback, signed requests, payload oracles."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.adapters.slack import blockkit
from tests.adapters.slack.fake_slack import FakeSlack

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
ANA, RAJ, MIA = "U0ANA0001", "U0RAJ0002", "U0MIA0003"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A started fake; on teardown every Block Kit payload the bot sent it is validated."""
    fake = FakeSlack(token=BOT_TOKEN)
    fake.add_user("ana@example.com", ANA, name="Ana")
    fake.add_user("raj@example.com", RAJ, name="Raj", tz="Asia/Kolkata")
    fake.add_user("mia@example.com", MIA, name="Mia", tz="America/New_York")
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    blockkit.check_recorded(fake.calls, fake.hooks)


def sign(body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's v0 request signature headers for `body`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def sign_bytes(body: bytes, *, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """The same signature over raw bytes (for bodies that are not valid text)."""
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def form_body(payload: dict[str, Any]) -> str:
    """Interactivity bodies are form-encoded with a single `payload` JSON field."""
    return urlencode({"payload": json.dumps(payload)})


def signed(body: str, content_type: str, **kw: Any) -> dict[str, str]:
    return {"Content-Type": content_type, **sign(body, **kw)}
