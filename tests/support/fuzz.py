"""Hypothesis strategies for the whole HTTP surface: bodies, headers and tokens, from valid through odd to hostile,
each built as the bytes a client would send (header values included), so nothing is checked before the server."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

from tests.support.hostile import PAYLOADS

ACTIONS = ("checkin.all", "checkin.change", "checkin.concern", "checkin.detail", "checkin.later", "checkin.not_mine")
ACTIONS += ("concern.ack", "concern.resolve", "feedback.anonymous", "feedback.candidate")
FORMS = ("checkin.detail", "checkin.concern", "feedback.anonymous")
COMMANDS = ("help", "stats", "stats 7d team:Platform", "me", "goals", "why", "feedback", "digest preview")
COMMANDS += ("goal set all response 90%", "digest send", "stats quarter role:x")
HEADER_NAMES = ("Content-Type", "Authorization", "Accept", "Cookie", "User-Agent", "Content-Encoding", "X-Request-Id")
HEADER_NAMES += (
    "X-Slack-Signature",
    "X-Slack-Request-Timestamp",
    "Ashby-Signature",
    "Signature",
    "Greenhouse-Event-ID",
)
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")
CONTENT_TYPES += ("text/plain", "application/json; charset=latin-1", "", "multipart/form-data", "image/png")

words = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=40), st.sampled_from(COMMANDS))
ids = st.one_of(st.text(max_size=12), st.sampled_from(("1", "0", "-1", "99999999999999999999", "U0ANA0001", "")))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), words, ids)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(words, inner, max_size=4), max_leaves=12
)
objects = st.dictionaries(words, json_values, max_size=6)
header_value = st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"").replace(b"\0", b""))
header_value |= st.text(max_size=40).map(lambda t: t.replace("\r", "").replace("\n", "").replace("\0", "").encode())


@dataclass(frozen=True)
class Request:
    """One request as it goes on the wire."""

    method: str
    path: str
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return f"{self.method} {self.path} {list(self.headers)!r} {self.body[:300]!r}"


@st.composite
def extra_headers(draw: st.DrawFn) -> tuple[tuple[bytes, bytes], ...]:
    names = st.sampled_from(HEADER_NAMES).map(str.encode) | st.from_regex(rb"\A[A-Za-z][A-Za-z0-9-]{0,20}\Z")
    return tuple(draw(st.lists(st.tuples(names, header_value), max_size=3)))


def dumps(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


dates = st.one_of(
    st.builds(
        lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
        st.integers(-1439, 1439),
    ),
    st.builds(lambda d: (datetime.now(UTC) - timedelta(minutes=d)).isoformat(), st.integers(-100_000, 100_000)),
    words,
    st.integers(),
)
emails = st.one_of(st.emails(), st.sampled_from(("ana@example.com", "raj@example.com", "mia@example.com")), words)
interviews = st.fixed_dictionaries(
    {"external_id": ids | words, "role": words, "starts_at": dates, "ends_at": dates},
    optional={
        "team": words,
        "stage": words,
        "interviewers": st.lists(emails | st.fixed_dictionaries({"email": emails}) | json_values, max_size=4),
        "candidate_ref": words | json_values,
        "status": st.sampled_from(("scheduled", "cancelled", "completed")) | words,
    },
)
json_bodies = st.one_of(
    interviews.map(dumps),
    st.lists(interviews, max_size=3).map(lambda items: dumps({"interviews": items})),
    json_values.map(dumps),
    objects.map(dumps),
    st.integers(1, 5000).map(nested),
    st.integers(1, 5000).map(lambda n: b"[" * n + b"]" * n),
)
bodies = st.one_of(json_bodies, st.binary(max_size=600))


def sign_slack(body: bytes, secret: str, *, ts: str | None = None) -> tuple[tuple[bytes, bytes], ...]:
    stamp = ts or str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return ((b"X-Slack-Request-Timestamp", stamp.encode()), (b"X-Slack-Signature", f"v0={digest}".encode()))


@st.composite
def slack_bodies(draw: st.DrawFn, response_url: str) -> tuple[bytes, bytes]:
    """(body, content type) as Slack sends them, with fields drawn from anything."""
    user = {"id": draw(ids | st.sampled_from(("U0ANA0001", "U0RAJ0002"))), "name": draw(words)}
    kind = draw(st.sampled_from(("block_actions", "view_submission", "view_closed", "shortcut", "command", "event")))
    if kind == "command":
        form = {"command": draw(st.sampled_from(("/fairloop", "/other")) | words), "text": draw(words)}
        form.update(user_id=user["id"], trigger_id=draw(ids), response_url=response_url, team_id=draw(ids))
        return urlencode(form).encode(), b"application/x-www-form-urlencoded"
    if kind == "event":
        event = {
            "type": draw(st.sampled_from(("app_home_opened", "message", "app_mention")) | words),
            "user": user["id"],
        }
        event.update(draw(objects))
        body = {"type": draw(st.sampled_from(("event_callback", "url_verification")) | words), "event": event}
        body.update(challenge=draw(words), event_id=draw(ids), team_id=draw(ids))
        return dumps(body), b"application/json"
    payload: dict[str, Any] = {"type": kind, "user": user, "trigger_id": draw(ids), "response_url": response_url}
    action = {"action_id": draw(st.sampled_from(ACTIONS) | words), "value": draw(ids | words), "type": "button"}
    payload["actions"] = draw(st.sampled_from(([action], [])) | json_values)
    payload["container"] = {"type": draw(st.sampled_from(("message", "view")) | words), "channel_id": draw(ids)}
    payload["channel"] = {"id": draw(ids)}
    values = draw(st.dictionaries(words, st.dictionaries(words, json_values, max_size=2), max_size=3))
    payload["view"] = {"callback_id": draw(st.sampled_from(FORMS) | words), "private_metadata": draw(ids | words)}
    payload["view"]["state"] = {"values": values}
    payload.update(draw(objects))
    return urlencode({"payload": json.dumps(payload)}).encode(), b"application/x-www-form-urlencoded"


@st.composite
def activities(draw: st.DrawFn, service_url: str) -> dict[str, Any]:
    """A Bot Framework activity: mostly the shape Teams sends, any field possibly odd."""
    kind = draw(st.sampled_from(("message", "invoke", "conversationUpdate", "installationUpdate")) | words)
    personal = draw(st.sampled_from(("personal", "channel", "groupChat")) | words)
    activity: dict[str, Any] = {
        "type": kind,
        "serviceUrl": draw(st.sampled_from((service_url, service_url, service_url, "https://evil.example/"))),
        "channelId": "msteams",
        "from": {"id": draw(ids), "aadObjectId": draw(ids | st.none()), "name": draw(words)},
        "conversation": {"id": draw(ids), "conversationType": personal, "tenantId": draw(ids)},
        "recipient": {"id": draw(ids), "name": "fairloop"},
        "text": draw(words),
    }
    if kind == "invoke":
        activity["name"] = draw(st.sampled_from(("adaptiveCard/action",)) | words)
        verb = draw(st.sampled_from(ACTIONS) | st.sampled_from(FORMS).map(lambda f: "form:" + f) | words)
        data = draw(st.dictionaries(words, json_values, max_size=4))
        action = {"type": draw(st.sampled_from(("Action.Execute",)) | words), "verb": verb, "data": data}
        activity["value"] = draw(st.just({"action": action, "trigger": "manual"}) | json_values)
    if draw(st.booleans()):
        activity["channelData"] = draw(objects | st.just({"team": {"name": draw(words)}, "channel": {"id": draw(ids)}}))
    if draw(st.booleans()):
        activity["entities"] = draw(st.lists(objects, max_size=2))
    if draw(st.booleans()):
        activity["membersAdded"] = draw(st.lists(objects, max_size=2))
    activity.update(draw(st.dictionaries(st.sampled_from(("replyToId", "locale", "localTimezone")), json_values)))
    return activity


def path_token(value: str) -> str:
    return quote(value, safe="") or "x"
