"""Slack's side of a request: the test app's credentials, the people the fake knows, and v0 signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
ANA, RAJ, MIA = "U0ANA0001", "U0RAJ0002", "U0MIA0003"


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
