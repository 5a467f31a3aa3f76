"""Every bad input on the HTTP surface gets the contract's JSON error with the exact 4xx status."""

from __future__ import annotations

import pytest

from tests.support.app import API_TOKEN, Running, StartApp, interview


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    return await start_app()


async def _post(running: Running, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    async with running.http.post(f"{running.url}/api/interviews", data=body, headers=headers) as resp:
        return resp.status, await resp.json()


async def test_missing_token_is_401(running: Running) -> None:
    status, body = await _post(running, b"{}", {"Content-Type": "application/json"})
    assert status == 401
    assert body == {"error": "unauthorized", "detail": "Send 'Authorization: Bearer <FAIRLOOP_API_TOKEN>'."}


async def test_wrong_token_is_401(running: Running) -> None:
    status, body = await running.post_interviews(interview(), token="nope")
    assert status == 401 and body["error"] == "unauthorized"


async def test_webhook_is_401_until_a_token_is_set(start_app: StartApp) -> None:
    running = await start_app(api_token=None)
    status, body = await running.post_interviews(interview())
    assert status == 401
    assert body["detail"] == "The interview webhook is off until FAIRLOOP_API_TOKEN is set."


async def test_malformed_json_is_400(running: Running) -> None:
    status, body = await _post(running, b'{"external_id": ', {"Authorization": f"Bearer {API_TOKEN}"})
    assert status == 400
    assert body["error"] == "malformed_json"
    assert body["detail"].startswith("The body is not valid JSON")


async def test_invalid_fields_are_422_naming_each_field(running: Running) -> None:
    bad = {
        "external_id": "",
        "role": "Engineer",
        "starts_at": "yesterday",
        "ends_at": "2026-11-23T10:00:00Z",
        "interviewers": [{"email": "not-an-email"}],
        "status": "maybe",
    }
    status, body = await running.post_interviews(bad)
    assert status == 422
    assert body["error"] == "invalid_input"
    fields = {f["field"] for f in body["fields"]}
    assert fields == {"external_id", "starts_at", "interviewers[0].email", "status"}


async def test_batch_errors_are_prefixed_with_the_item(running: Running) -> None:
    good = interview("ok-1")
    late = interview("bad-2")
    late["ends_at"] = late["starts_at"]
    status, body = await running.post_interviews({"interviews": [good, late, {"role": "x"}]})
    assert status == 422
    fields = [f["field"] for f in body["fields"]]
    assert "interviews[1]" in fields  # ends_at not after starts_at is an object-level error
    assert {
        "interviews[2].external_id",
        "interviews[2].starts_at",
        "interviews[2].ends_at",
        "interviews[2].interviewers",
    } <= set(fields)
    # nothing from a rejected batch is stored
    status, body = await running.post_interviews(good)
    assert status == 200 and body["interviews"][0]["external_id"] == "ok-1"


async def test_non_object_body_is_422(running: Running) -> None:
    status, body = await running.post_interviews([1, 2])
    assert status == 422 and body["fields"] == [
        {"field": "body", "message": 'must be an interview object or {"interviews": [...]}'}
    ]


async def test_oversize_body_is_413(running: Running) -> None:
    body = b'{"pad": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    status, data = await _post(
        running, body, {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    )
    assert status == 413
    assert data == {"error": "payload_too_large", "detail": "Request bodies are limited to 1 MiB."}


async def test_chunked_oversize_body_is_413(running: Running) -> None:
    async def chunks():
        for _ in range(20):
            yield b"x" * 65536

    async with running.http.post(
        f"{running.url}/api/interviews", data=chunks(), headers={"Authorization": f"Bearer {API_TOKEN}"}
    ) as resp:
        assert resp.status == 413
        assert (await resp.json())["error"] == "payload_too_large"


async def test_unknown_route_is_404_json(running: Running) -> None:
    async with running.http.get(f"{running.url}/nowhere") as resp:
        assert resp.status == 404
        assert await resp.json() == {"error": "not_found", "detail": "There is nothing at /nowhere."}


async def test_wrong_method_is_405_json(running: Running) -> None:
    async with running.http.get(f"{running.url}/api/interviews") as resp:
        assert resp.status == 405
        assert (await resp.json())["error"] == "method_not_allowed"


async def test_health_and_readiness(running: Running) -> None:
    async with running.http.get(f"{running.url}/healthz") as resp:
        assert resp.status == 200
    async with running.http.get(f"{running.url}/readyz") as resp:
        assert resp.status == 200 and (await resp.json())["status"] == "ready"
    async with running.http.get(f"{running.url}/metrics") as resp:
        text = await resp.text()
        assert (
            resp.status == 200 and 'fairloop_http_requests_total{method="GET",route="/readyz",status="200"} 1.0' in text
        )


@pytest.mark.sqlite
async def test_readiness_is_503_when_the_database_is_gone(start_app: StartApp, tmp_path) -> None:
    running = await start_app(scheduler=False)  # a dispatcher tick would open the file again as it is pulled away
    await running.graph.engine.dispose()
    (tmp_path / "fairloop.db").unlink()
    (tmp_path / "fairloop.db").mkdir()  # a directory where the database file was: SQLite cannot open it
    async with running.http.get(f"{running.url}/readyz") as resp:
        assert resp.status == 503
        assert (await resp.json())["error"] == "not_ready"
