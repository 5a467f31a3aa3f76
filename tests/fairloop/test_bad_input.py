"""Each bad input the security review found answers the exact 4xx and error code, never a 5xx or a traceback."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator

import pytest

from tests.support.app import API_TOKEN, Running, StartApp, interview
from tests.support.ats.payloads import LEVER_TOKEN
from tests.support.slack.signing import sign
from tests.support.surface import Surface, whole_surface
from tests.support.wire import raw_request

DEEP = 100_000  # deeper than Python's recursion limit: json.loads alone would raise RecursionError
NESTED = {"arrays": b"[" * DEEP + b"]" * DEEP, "objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP}
NESTED["under the limit of the parser"] = b'{"a":' * 500 + b"1" + b"}" * 500
PLAYGROUND_POSTS = ("action", "form", "command", "interviews", "sample", "channel")


@pytest.fixture
async def surface(start_app: StartApp) -> AsyncIterator[Surface]:
    async with whole_surface(start_app) as surface:
        yield surface


@pytest.fixture(autouse=True)
def _no_traceback(caplog: pytest.LogCaptureFixture) -> AsyncIterator[None]:
    caplog.set_level(logging.WARNING)
    yield
    tracebacks = [r for r in caplog.get_records("call") if r.exc_info and r.levelno >= logging.ERROR]
    assert not tracebacks, [r.getMessage() for r in tracebacks]


async def _post(running: Running, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    async with running.http.post(f"{running.url}{path}", data=body, headers=headers) as resp:
        return resp.status, await resp.json()


JSON = {"Content-Type": "application/json"}
BEARER = {"Authorization": f"Bearer {API_TOKEN}", **JSON}


@pytest.mark.parametrize("shape", NESTED)
async def test_deeply_nested_json_is_400_on_every_json_route(surface: Surface, shape: str) -> None:
    body = NESTED[shape]
    running = surface.running
    routes = [("/api/interviews", BEARER), ("/api/messages", JSON)]
    routes += [(f"/playground/api/{name}", JSON) for name in PLAYGROUND_POSTS]
    for path, headers in routes:
        status, answer = await _post(running, path, body, headers)
        assert (status, answer["error"]) == (400, "too_deep"), (path, answer)
        assert answer["detail"] == "The JSON body is nested deeper than 64 levels."
    slack = sign(body.decode())
    status, answer = await _post(running, "/slack/events", body, {**JSON, **slack})
    assert (status, answer["error"]) == (400, "too_deep")


async def test_a_400_digit_slack_timestamp_is_401(surface: Surface) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "x"})
    headers = {**JSON, **sign(body), "X-Slack-Request-Timestamp": "9" * 400}
    status, answer = await _post(surface.running, "/slack/events", body.encode(), headers)
    assert (status, answer["error"]) == (401, "unauthorized")


@pytest.mark.parametrize("token", ["tøken☃".encode(), b"\xff\xfe\x80", "Bearer \u200b".encode()])
async def test_a_non_ascii_bearer_token_is_401(surface: Surface, token: bytes) -> None:
    server = surface.running.server
    assert server.port is not None
    answer = await raw_request(
        "127.0.0.1",
        server.port,
        "POST",
        "/api/interviews",
        headers=[(b"Authorization", b"Bearer " + token), (b"Content-Type", b"application/json")],
        body=json.dumps(interview()).encode(),
    )
    assert (answer.status, answer.json()["error"]) == (401, "unauthorized")


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("0001-01-01T00:00:00Z", "0001-01-01T01:00:00Z"),
        ("0001-01-01T00:00:00+05:00", "0001-01-01T01:00:00+05:00"),
        ("9999-12-31T21:00-05:00", "9999-12-31T22:00-05:00"),
        ("9999-12-31T22:00:00Z", "9999-12-31T23:00:00Z"),
    ],
)
async def test_interview_dates_out_of_range_are_422_naming_the_field(
    surface: Surface, starts_at: str, ends_at: str
) -> None:
    status, answer = await surface.running.post_interviews(interview(starts_at=starts_at, ends_at=ends_at))
    assert (status, answer["error"]) == (422, "invalid_input"), answer
    assert {f["field"] for f in answer["fields"]} == {"starts_at", "ends_at"}
    assert {f["message"] for f in answer["fields"]} == {"must be a date between the years 1970 and 2999"}


async def test_a_malformed_multipart_body_on_the_feedback_form_is_400(surface: Surface) -> None:
    status, answer = await surface.running.post_interviews(interview("fb-bad"))
    assert status == 200
    url = answer["interviews"][0]["candidate_feedback_url"]
    path = url[url.index("/f/") :]
    broken = {
        "no boundary": ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=rating\r\n\r\n5\r\n"),
        "cut short": ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=rating\r\n"),
        "not multipart": ("multipart/form-data; boundary=x", b"rating=5&text=hi"),
        "unknown transfer encoding": (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="text"\r\nContent-Transfer-Encoding: bogus\r\n\r\nhi\r\n--x--\r\n',
        ),
        "unknown charset": ("application/x-www-form-urlencoded; charset=bogus", b"rating=5"),
    }
    for case, (content_type, body) in broken.items():
        async with surface.running.http.post(
            f"{surface.running.url}{path}", data=body, headers={"Content-Type": content_type}
        ) as resp:
            page = await resp.text()
            assert resp.status == 400, case
            assert resp.content_type == "text/html"
            assert "<h1>We could not read that answer</h1>" in page, case
    async with surface.running.http.get(f"{surface.running.url}{path}") as resp:
        assert resp.status == 200  # nothing was used up: the link still opens the form


@pytest.mark.parametrize("vendor", ["ashby", "lever", "greenhouse"])
async def test_garbage_on_the_ats_routes_is_4xx(surface: Surface, vendor: str) -> None:
    running = surface.running
    # Ashby and Greenhouse sign the raw body and check it first; Lever signs fields inside the JSON
    expected = (422, "invalid_payload") if vendor == "lever" else (401, "bad_signature")
    for body in (b"", b"\xff\xfe not json", NESTED["arrays"], b"[]"):
        status, answer = await _post(running, f"/ats/{vendor}", body, JSON)
        assert (status, answer["error"]) == expected, (vendor, body[:20])
    for name in ("Ashby-Signature", "Signature"):
        server = running.server
        assert server.port is not None
        answer = await raw_request(
            "127.0.0.1", server.port, "POST", f"/ats/{vendor}", headers=[(name.encode(), "sha256=ü\xff".encode())]
        )
        assert answer.status in (401, 422) and answer.json()["error"] in ("bad_signature", "invalid_payload")


@pytest.mark.parametrize("opportunity", ["../../../x", "a/b", "?limit=1#", "%2e%2e/x", "..x"])
async def test_an_id_in_a_signed_lever_event_stays_one_segment_of_the_api_path(
    surface: Surface, opportunity: str
) -> None:
    """Lever is asked about that opportunity and nothing else: an id cannot walk the API's paths (it would end in
    a 503 from a page that is not Lever's API, and the event would be retried for nothing)."""
    signature = hmac.new(LEVER_TOKEN.encode(), b"t1", hashlib.sha256).hexdigest()
    data = {"interviewId": "i1", "opportunityId": opportunity}
    body = {
        "event": "interviewCreated",
        "id": "evt-1",
        "token": "t",
        "triggeredAt": 1,
        "signature": signature,
        "data": data,
    }
    status, answer = await _post(surface.running, "/ats/lever", json.dumps(body).encode(), JSON)
    assert (status, answer["cancelled"]) == (200, ["lever:i1"]), answer  # not there: what we had is cancelled
    paths = [call.path for call in surface.ats.calls]
    assert len(paths) == 1 and paths[0].startswith("/lever/v1/opportunities/") and paths[0].endswith("/interviews")


@pytest.mark.parametrize("opportunity", ["..", ".", "%2e%2e", "%2E.", "...", ""])
async def test_a_dot_segment_is_no_lever_id(surface: Surface, opportunity: str) -> None:
    signature = hmac.new(LEVER_TOKEN.encode(), b"t1", hashlib.sha256).hexdigest()
    data = {"interviewId": "i1", "opportunityId": opportunity}
    body = {"event": "interviewCreated", "id": "evt-1", "token": "t", "triggeredAt": 1, "signature": signature}
    status, answer = await _post(surface.running, "/ats/lever", json.dumps({**body, "data": data}).encode(), JSON)
    assert (status, answer["error"]) == (422, "invalid_payload")
    assert surface.ats.calls == []
