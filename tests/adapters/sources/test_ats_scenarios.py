"""Signed vendor payloads through fairloop's real app to a check-in DM on the fake Slack, per connector."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.sources.ats import sync
from schedules.jobs import ats_sync
from tests.support.app import StartApp
from tests.support.ats.fake_ats import FakeATS
from tests.support.ats.payloads import (
    APPLICATION,
    OPPORTUNITY,
    SCHEDULE,
    ashby_body,
    ashby_sign,
    ats_settings,
    gh_interview,
    gh_sign,
    iso,
    lever_body,
    lever_interview,
    sample,
)
from tests.support.ats.world import AtsWorld
from tests.support.core import MakeCore


async def dm_after(world: AtsWorld, status: int) -> dict:
    assert status == 200
    [dm] = await world.slack.fake.wait_for("chat.postMessage")
    await world.slack.until_dispatched()
    return dm


# ---- Ashby ----
async def test_ashby_schedule_becomes_a_dm_with_job_department_and_stage(world: AtsWorld, thirdparty: Path) -> None:
    raw = ashby_body(thirdparty)
    status, body, _ = await world.post("ashby", raw, ashby_sign(raw))
    assert body["interviews"] == [f"ashby:{SCHEDULE}:0b6f7c1e-5d2a-4c8e-9f3b-1a2b3c4d5e6f"]
    dm = await dm_after(world, status)
    assert dm["channel"] == "D0ANA0001"
    assert "Senior Backend Engineer" in dm["text"] and "Platform" in dm["text"] and "Technical Interview" in dm["text"]
    [interview] = await world.interviews()
    assert interview.candidate_ref == f"ashby-application:{APPLICATION}" and "Test" not in (
        interview.candidate_ref or ""
    )


async def test_ashby_redelivery_changes_nothing_and_is_not_looked_up_twice(world: AtsWorld, thirdparty: Path) -> None:
    raw = ashby_body(thirdparty)
    await dm_after(world, (await world.post("ashby", raw, ashby_sign(raw)))[0])
    before, calls = await world.snapshot(), len(world.fake.calls)
    status, body, _ = await world.post("ashby", raw, ashby_sign(raw))
    assert (status, body["duplicate"]) == (200, True)
    await world.slack.settle()
    assert await world.snapshot() == before and len(world.slack.fake.called("chat.postMessage")) == 1
    assert len(world.fake.calls) == calls  # application, department and stage come from the cache


async def test_ashby_bad_signature_is_401_and_stores_nothing(world: AtsWorld, thirdparty: Path) -> None:
    raw = ashby_body(thirdparty)
    status, body, _ = await world.post("ashby", raw, ashby_sign(raw, secret="wrong"))
    assert (status, body) == (
        401,
        {"error": "bad_signature", "detail": "The Ashby-Signature does not match this body; check the shared secret."},
    )
    status, body, _ = await world.post("ashby", raw, {})
    assert (status, body["error"], body["detail"]) == (401, "bad_signature", "The Ashby-Signature is missing.")
    assert await world.interviews() == [] and await world.event_keys() == [] and world.fake.calls == []


async def test_ashby_move_and_cancel_behave_like_the_same_change_through_the_webhook_api(
    world: AtsWorld, thirdparty: Path
) -> None:
    """Two interviews in the future: one moved and cancelled through Ashby, its twin through /api/interviews."""
    schedule_raw = ashby_body(thirdparty, minutes_ago=-120, action_id="a1")
    assert (await world.post("ashby", schedule_raw, ashby_sign(schedule_raw)))[0] == 200
    [ats] = await world.interviews()
    twin = {"external_id": "twin", "role": ats.role, "team": ats.team, "stage": ats.stage, "starts_at": iso(ats.starts_at),
            "ends_at": iso(ats.ends_at), "interviewers": ["ana@example.com"], "candidate_ref": "twin-ref"}  # fmt: skip
    assert (await world.slack.running.post_interviews(twin))[0] == 200
    moved = json.loads(ashby_body(thirdparty, minutes_ago=-240, action_id="a2"))
    raw = json.dumps(moved).encode()
    assert (await world.post("ashby", raw, ashby_sign(raw)))[0] == 200
    event = moved["data"]["interviewSchedule"]["interviewEvents"][0]
    assert (
        await world.slack.running.post_interviews(
            {**twin, "starts_at": event["startTime"], "ends_at": event["endTime"]}
        )
    )[0] == 200
    await same_outcome(world)
    moved["webhookActionId"], moved["data"]["interviewSchedule"]["status"] = "a3", "Cancelled"
    cancelled = json.dumps(moved).encode()  # the same times as the move: only the status changes
    assert (await world.post("ashby", cancelled, ashby_sign(cancelled)))[0] == 200
    twin_cancel = {**twin, "starts_at": event["startTime"], "ends_at": event["endTime"], "status": "cancelled"}
    assert (await world.slack.running.post_interviews(twin_cancel))[0] == 200
    await same_outcome(world, state="cancelled")


async def same_outcome(world: AtsWorld, state: str = "scheduled") -> None:
    a, b = await world.interviews()
    [pa] = [p for p in await world.prompts() if p.interview_id == a.id]
    [pb] = [p for p in await world.prompts() if p.interview_id == b.id]
    assert (a.starts_at, a.ends_at, a.status) == (b.starts_at, b.ends_at, b.status)
    assert (pa.state, pa.due_at, pa.reason) == (pb.state, pb.due_at, pb.reason) and pa.state == state


async def test_ashby_lookup_throttled_gets_503_with_retry_after_and_the_retry_goes_through(
    world: AtsWorld, thirdparty: Path
) -> None:
    world.fake.fail["/ashby/application.info"] = [(429, {"Retry-After": "30"})]
    raw = ashby_body(thirdparty)
    status, body, headers = await world.post("ashby", raw, ashby_sign(raw))
    assert (status, body["error"], headers["Retry-After"]) == (503, "lookup_failed", "30")
    assert await world.interviews() == [] and await world.event_keys() == []
    await dm_after(world, (await world.post("ashby", raw, ashby_sign(raw)))[0])


async def test_ashby_unusable_payload_names_the_field(world: AtsWorld, thirdparty: Path) -> None:
    body = json.loads(ashby_body(thirdparty))
    del body["data"]["interviewSchedule"]["applicationId"]
    raw = json.dumps(body).encode()
    status, answer, _ = await world.post("ashby", raw, ashby_sign(raw))
    assert (status, answer) == (
        422,
        {"error": "invalid_payload", "detail": "data.interviewSchedule.applicationId is missing."},
    )
    ping = b'{"action":"ping","data":{"webhookActionType":"ping"}}'
    assert (await world.post("ashby", ping, ashby_sign(ping)))[:2] == (200, {"ok": True, "ignored": True})


# ---- Lever ----
async def test_lever_interview_becomes_a_dm_and_a_redelivery_changes_nothing(world: AtsWorld, thirdparty: Path) -> None:
    raw = lever_body(thirdparty)
    status, body, _ = await world.post("lever", raw, {})
    dm = await dm_after(world, status)
    assert "Administrative Assistant" in dm["text"] and "Operations" in dm["text"] and "On-site interview" in dm["text"]
    before = await world.snapshot()
    status, body, _ = await world.post("lever", raw, {})
    assert (status, body["duplicate"]) == (200, True) and await world.snapshot() == before
    [interview] = await world.interviews()
    assert (interview.external_id, interview.candidate_ref) == (
        f"lever:{sample(thirdparty, 'lever-webhook-interviewCreated.json')['data']['interviewId']}",
        f"lever-opportunity:{OPPORTUNITY}",
    )


async def test_lever_bad_signature_is_401_and_verify_connection_is_200(world: AtsWorld, thirdparty: Path) -> None:
    raw = lever_body(thirdparty, token="someone-else")
    status, body, _ = await world.post("lever", raw, {})
    assert (status, body) == (
        401,
        {"error": "bad_signature", "detail": "The signature field does not match this body; check the shared secret."},
    )
    assert await world.interviews() == [] and world.fake.calls == []
    probe = json.loads(lever_body(thirdparty))
    probe["data"] = {}
    assert (await world.post("lever", json.dumps(probe).encode(), {}))[:2] == (200, {"ok": True, "ignored": True})


async def test_lever_move_and_cancel_match_the_webhook_api(world: AtsWorld, thirdparty: Path) -> None:
    world.fake.lever_interviews[OPPORTUNITY] = [lever_interview(thirdparty, minutes_ago=-120)]
    assert (await world.post("lever", lever_body(thirdparty, event_id="e1"), {}))[0] == 200
    [ats] = await world.interviews()
    twin = {"external_id": "twin", "role": ats.role, "team": ats.team, "stage": ats.stage, "starts_at": iso(ats.starts_at),
            "ends_at": iso(ats.ends_at), "interviewers": ["ana@example.com"]}  # fmt: skip
    await world.slack.running.post_interviews(twin)
    later = lever_interview(thirdparty, minutes_ago=-300)
    world.fake.lever_interviews[OPPORTUNITY] = [later]
    assert (await world.post("lever", lever_body(thirdparty, event="interviewUpdated", event_id="e2"), {}))[0] == 200
    start = datetime.fromtimestamp(later["date"] / 1000, tz=UTC)
    moved = {**twin, "starts_at": iso(start), "ends_at": iso(start + timedelta(minutes=later["duration"]))}
    await world.slack.running.post_interviews(moved)
    await same_outcome(world)
    assert (await world.post("lever", lever_body(thirdparty, event="interviewDeleted", event_id="e3"), {}))[0] == 200
    await world.slack.running.post_interviews({**moved, "status": "cancelled"})
    await same_outcome(world, state="cancelled")


# ---- Greenhouse ----
async def test_greenhouse_sync_brings_a_dm_and_the_deletion_hook_cancels(world: AtsWorld, thirdparty: Path) -> None:
    runtime = world.slack.running.graph.ats
    result = await sync("greenhouse", runtime=runtime, since=datetime_ago(1))
    assert (result.seen, result.imported) == (1, 1)
    dm = await dm_after(world, 200)
    assert "Archaeologist" in dm["text"] and "Second-Level department" in dm["text"] and "Face to Face" in dm["text"]
    raw = (thirdparty / "ats" / "greenhouse-webhook-interview_deleted.json").read_bytes()
    assert (await world.post("greenhouse", raw, {**gh_sign(raw, "nope"), "Greenhouse-Event-ID": "ev1"}))[0] == 401
    world.fake.gh["interviews"] = [gh_interview(31087450, minutes_ago=-120)]
    await sync("greenhouse", runtime=runtime, since=datetime_ago(1))
    status, body, _ = await world.post("greenhouse", raw, {**gh_sign(raw), "Greenhouse-Event-ID": "ev1"})
    assert (status, body["cancelled"]) == (200, ["greenhouse:31087450"])
    [interview] = await world.interviews()
    assert interview.status == "cancelled"
    again = await world.post("greenhouse", raw, {**gh_sign(raw), "Greenhouse-Event-ID": "ev1"})
    assert again[1]["duplicate"] is True


async def test_greenhouse_application_and_candidate_deletions_cancel_by_candidate(
    world: AtsWorld, thirdparty: Path
) -> None:
    world.fake.gh["interviews"] = [
        gh_interview(1, minutes_ago=-60),
        gh_interview(2, minutes_ago=-60, application_id=46196263),
    ]
    world.fake.gh["interviewers"] += [{"id": 2, "interview_id": 1, "email": "ana@example.com"},
                                      {"id": 3, "interview_id": 2, "email": "ana@example.com"}]  # fmt: skip
    await sync("greenhouse", runtime=world.slack.running.graph.ats, since=datetime_ago(1))
    for name, event in (
        ("greenhouse-webhook-delete_application.json", "d1"),
        ("greenhouse-webhook-delete_candidate.json", "d2"),
    ):
        raw = (thirdparty / "ats" / name).read_bytes()
        assert (await world.post("greenhouse", raw, {**gh_sign(raw), "Greenhouse-Event-ID": event}))[0] == 200
    assert {i.external_id: i.status for i in await world.interviews()} == {
        "greenhouse:1": "cancelled",
        "greenhouse:2": "cancelled",
    }
    assert {p.state for p in await world.prompts()} == {"cancelled"}


async def test_routes_answer_not_configured_until_set(start_app: StartApp) -> None:
    running = await start_app()
    async with running.http.post(f"{running.url}/ats/ashby", data=b"{}") as resp:
        assert (resp.status, await resp.json()) == (
            404,
            {
                "error": "not_configured",
                "detail": "The ashby webhook is off until FAIRLOOP_ASHBY_WEBHOOK_SECRET and FAIRLOOP_ASHBY_API_KEY are set.",
            },
        )


def datetime_ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days) - timedelta(seconds=time.time() % 1)


async def test_the_scheduled_sync_runs_each_vendor_once_per_bucket_across_replicas(
    fake_ats: FakeATS, make_core: MakeCore
) -> None:
    """Two replicas on one database: whichever runs first syncs each vendor for this hour, the other nothing."""
    first = await make_core(**ats_settings(fake_ats, sync_every="1h"))
    second = await make_core(**ats_settings(fake_ats, sync_every="1h"))
    assert await ats_sync(first.ats, first.directory)() == 2  # the Lever and Greenhouse fakes' interviews
    assert await ats_sync(second.ats, second.directory)() == 0  # claimed for this hour by the first replica
    assert await ats_sync(first.ats, first.directory)() == 0  # and by itself
    paths = {c.path for c in fake_ats.calls}
    assert {"/ashby/interviewSchedule.list", "/lever/v1/opportunities", "/greenhouse/v3/interviews"} <= paths
