"""Property-based fuzz of every public route: generated bodies, headers and tokens, signed and unsigned, and not
one 5xx; every error is the contract's JSON (or, on the candidate's pages, an HTML page), and no traceback is logged.

FAIRLOOP_TEST_FUZZ=10 runs ten times the examples (about 3,000 by default)."""

from __future__ import annotations

import hmac
import logging
import os
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairloop.app import init_app
from tests.support.app import API_TOKEN, interview, make_config
from tests.support.ats.payloads import ASHBY_SECRET, GH_SECRET_KEY, LEVER_TOKEN, ashby_sign, gh_sign
from tests.support.background import Background
from tests.support.fuzz import (
    CONTENT_TYPES,
    Request,
    activities,
    bodies,
    dumps,
    extra_headers,
    header_value,
    ids,
    json_values,
    objects,
    path_token,
    sign_slack,
    slack_bodies,
    words,
)
from tests.support.slack.signing import SIGNING_SECRET
from tests.support.surface import everything_on, fakes
from tests.support.teams.fake_connector import FakeConnector
from tests.support.wire import RawAnswer, exchange

SCALE = float(os.environ.get("FAIRLOOP_TEST_FUZZ", "1"))
TALLY: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()
TRACEBACKS: list[str] = []
INVOKE_ERROR = "application/vnd.microsoft.error"
PLAYGROUND = ("action", "form", "command", "interviews", "sample", "channel")


def runs(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, suppress_health_check=list(HealthCheck))


@dataclass(frozen=True)
class World:
    surface: int  # every route on, Teams with an app id
    local: int  # Teams without an app id, and the playground
    connector: str  # the fake Bot Connector's serviceUrl
    response_url: str  # the fake Slack's response_url
    feedback: str  # a real candidate feedback link's path


@asynccontextmanager
async def world(folder: Path) -> AsyncIterator[World]:
    async with fakes() as (fake_slack, fake_ats):
        connector = await FakeConnector().start()
        absent = str(folder / "absent.toml")
        surface = init_app(make_config(folder / "a", config=absent, **everything_on(fake_slack, fake_ats)))
        local = init_app(make_config(folder / "b", config=absent, playground=True, teams_allow_unauthenticated=True))
        servers = [TestServer(surface, host="127.0.0.1"), TestServer(local, host="127.0.0.1")]
        for server in servers:
            await server.start_server()
        try:
            async with aiohttp.ClientSession() as http:
                url = str(servers[0].make_url("/api/interviews"))
                async with http.post(
                    url, json=interview("fz-1"), headers={"Authorization": f"Bearer {API_TOKEN}"}
                ) as r:
                    link = (await r.json())["interviews"][0]["candidate_feedback_url"]
            yield World(
                surface=servers[0].port or 0,
                local=servers[1].port or 0,
                connector=connector.url,
                response_url=fake_slack.response_url(),
                feedback=link[link.index("/f/") :],
            )
        finally:
            for server in servers:
                await server.close()
            await connector.close()


class Tracebacks(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR and record.exc_info:
            kind, exc = record.exc_info[0], record.exc_info[1]
            TRACEBACKS.append(f"{record.name}: {record.getMessage()} ({kind.__name__ if kind else ''}: {exc})")


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("fuzz")
    for name in ("a", "b"):
        (folder / name).mkdir()
    handler = Tracebacks()
    logging.getLogger().addHandler(handler)
    try:
        with Background(lambda: world(folder)) as started:
            yield started
    finally:
        logging.getLogger().removeHandler(handler)
        five = sum(n for status, n in STATUSES.items() if status >= 500)
        print(f"\nfuzz: {sum(TALLY.values())} inputs, 5xx seen: {five}, tracebacks logged: {len(TRACEBACKS)}")
        print(f"fuzz: by route group {dict(TALLY)}; by status {dict(sorted(STATUSES.items()))}")


def send(port: int, request: Request, group: str) -> RawAnswer:
    answer = exchange("127.0.0.1", port, request.method, request.path, headers=list(request.headers), body=request.body)
    TALLY[group] += 1
    STATUSES[answer.status] += 1
    assert answer.status < 500, f"{answer.status} {answer.body[:400]!r}"
    if answer.status >= 400 and answer.body and answer.headers.get("content-type", "").startswith("application/json"):
        error = answer.json()
        if request.path == "/api/messages" and error.get("type") == INVOKE_ERROR:
            return answer  # an invoke's answer is in the Bot Framework's own shape, for Teams to show
        assert isinstance(error.get("error"), str) and isinstance(error.get("detail"), str), error
    return answer


def with_type(content_type: str | bytes, headers: tuple[tuple[bytes, bytes], ...] = ()) -> tuple:
    kind = content_type.encode() if isinstance(content_type, str) else content_type
    return ((b"Content-Type", kind), *headers)


@runs(500)
@given(
    body=bodies,
    auth=st.one_of(st.just(f"Bearer {API_TOKEN}".encode()), header_value, st.just(b"Bearer " + "tøken".encode())),
    kind=st.sampled_from(CONTENT_TYPES),
    extra=extra_headers(),
)
def test_the_interview_webhook(fuzzed: World, body: bytes, auth: bytes, kind: str, extra: tuple) -> None:
    headers = with_type(kind, ((b"Authorization", auth), *extra))
    send(fuzzed.surface, Request("POST", "/api/interviews", headers, body), "webhook")


@runs(300)
@given(vendor=st.sampled_from(("ashby", "lever", "greenhouse")), body=bodies | objects.map(dumps), data=st.data())
def test_the_ats_hooks(fuzzed: World, vendor: str, body: bytes, data: st.DataObject) -> None:
    signed = data.draw(st.booleans())
    if vendor == "lever" and signed:
        fields = data.draw(objects)
        fields.update(token=data.draw(words), triggeredAt=data.draw(st.integers() | words))
        message = f"{fields['token']}{fields['triggeredAt']}".encode()
        fields["signature"] = hmac.new(LEVER_TOKEN.encode(), message, "sha256").hexdigest()
        fields["event"] = data.draw(st.sampled_from(("interviewCreated", "interviewUpdated", "interviewDeleted")))
        fields["data"] = data.draw(objects | st.just({"interviewId": data.draw(ids), "opportunityId": data.draw(ids)}))
        body, headers = dumps(fields), ()
    elif signed:
        sign = ashby_sign(body, ASHBY_SECRET) if vendor == "ashby" else gh_sign(body, GH_SECRET_KEY)
        headers = tuple((k.encode(), v.encode()) for k, v in sign.items())
    else:
        headers = data.draw(extra_headers())
    send(fuzzed.surface, Request("POST", f"/ats/{vendor}", with_type("application/json", headers), body), "ats")


@runs(400)
@given(data=st.data(), signed=st.booleans(), extra=extra_headers())
def test_slack_events(fuzzed: World, data: st.DataObject, signed: bool, extra: tuple) -> None:
    body, kind = data.draw(slack_bodies(fuzzed.response_url) | st.tuples(bodies, st.just(b"application/json")))
    headers = sign_slack(body, SIGNING_SECRET) if signed else extra
    if not signed and data.draw(st.booleans()):
        headers = sign_slack(body, SIGNING_SECRET, ts=data.draw(st.sampled_from(("9" * 400, "0", "-1", "1e9")) | ids))
    send(fuzzed.surface, Request("POST", "/slack/events", with_type(kind, headers), body), "slack")


@runs(300)
@given(data=st.data(), auth=header_value, extra=extra_headers())
def test_teams_with_an_app_id(fuzzed: World, data: st.DataObject, auth: bytes, extra: tuple) -> None:
    body = data.draw(activities(fuzzed.connector).map(dumps) | bodies)
    headers = with_type("application/json", ((b"Authorization", b"Bearer " + auth), *extra))
    send(fuzzed.surface, Request("POST", "/api/messages", headers, body), "teams-app-id")


@runs(400)
@given(activity=st.data())
def test_teams_without_an_app_id_on_loopback(fuzzed: World, activity: st.DataObject) -> None:
    body = activity.draw(activities(fuzzed.connector).map(dumps) | bodies)
    send(fuzzed.local, Request("POST", "/api/messages", with_type("application/json"), body), "teams-local")


@runs(500)
@given(data=st.data())
def test_the_playground(fuzzed: World, data: st.DataObject) -> None:
    port = data.draw(st.sampled_from((fuzzed.surface, fuzzed.local)))
    if data.draw(st.integers(0, 4)) == 0:
        path = data.draw(st.sampled_from(("/playground", "/playground/api/feed")))
        query = data.draw(st.one_of(words, ids).map(path_token))
        send(port, Request("GET", f"{path}?as={query}", data.draw(extra_headers())), "playground")
        return
    name = data.draw(st.sampled_from(PLAYGROUND))
    fields = {"as": data.draw(st.sampled_from(("ana@example.com", "raj@example.com", "")) | words)}
    fields.update(action_id=data.draw(words), value=data.draw(ids), post_id=data.draw(json_values))
    fields.update(
        form_id=data.draw(words), context=data.draw(ids), values=data.draw(json_values), text=data.draw(words)
    )
    body = data.draw(st.just(dumps(fields)) | st.just(dumps({**fields, **data.draw(objects)})) | bodies)
    kind = data.draw(st.sampled_from(("application/json",)) | st.sampled_from(CONTENT_TYPES))
    send(port, Request("POST", f"/playground/api/{name}", with_type(kind), body), "playground")


@runs(300)
@given(data=st.data())
def test_the_candidate_feedback_form(fuzzed: World, data: st.DataObject) -> None:
    token = data.draw(st.one_of(st.just(fuzzed.feedback[3:]), ids.map(path_token), words.map(path_token)))
    if data.draw(st.booleans()):
        token = token[:-2] + data.draw(st.sampled_from(("xx", "A_", "..")))
    if data.draw(st.booleans()):
        send(fuzzed.surface, Request("GET", f"/f/{token}", data.draw(extra_headers())), "feedback")
        return
    form = {"rating": data.draw(st.sampled_from(("1", "5", "0", "6", "")) | words), "text": data.draw(words)}
    body = data.draw(st.sampled_from((dumps(form), urlencode(form).encode())) | bodies)
    kind = data.draw(st.sampled_from(CONTENT_TYPES))
    send(fuzzed.surface, Request("POST", f"/f/{token}", with_type(kind), body), "feedback")


@runs(300)
@given(data=st.data())
def test_charts_health_metrics_and_everything_else(fuzzed: World, data: st.DataObject) -> None:
    path = data.draw(
        st.one_of(
            ids.map(lambda t: f"/charts/{path_token(t)}.png"),
            st.sampled_from(("/healthz", "/readyz", "/metrics")).map(lambda p: p + "?" + path_token("x")),
            st.lists(words.map(path_token), min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts)),
            st.sampled_from(("/api/interviews", "/slack/events", "/api/messages", "/ats/ashby", "/f/x", "/playground")),
        )
    )
    method = data.draw(st.sampled_from(("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")))
    body = data.draw(bodies) if method in ("POST", "PUT", "PATCH") else b""
    send(fuzzed.surface, Request(method, path, data.draw(extra_headers()), body), "other")


def test_no_traceback_was_logged(fuzzed: World) -> None:
    assert sum(TALLY.values()) > 0
    assert TRACEBACKS == [], sorted({t.splitlines()[0][:200] for t in TRACEBACKS})
