"""The ATS test vectors: the shared vendor samples made current and signed, and what the fake APIs answer."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.ats.fake_ats import ASHBY_KEY, GH_CLIENT, GH_SECRET, LEVER_KEY, FakeATS

ASHBY_SECRET, LEVER_TOKEN, GH_SECRET_KEY = "ashby-hook-secret", "lever-signature-token", "gh-hook-secret"
APPLICATION, STAGE, SCHEDULE = (
    "3ae2b801-19f6-41ef-ad28-214bd731948f",
    "2c6991c5-c9e2-4af8-879e-29c5a9d26509",
    "9d34f544-c150-4d70-91c4-e8b0b4a72846",
)
OPPORTUNITY, LEVER_INTERVIEW = "784ff8e2-4536-4d65-8b29-e2dbeb0e8bef", "8a6b585d-a17a-482d-b147-dbda7590a582"


def sample(thirdparty: Path, name: str) -> Any:
    return json.loads((thirdparty / "ats" / name).read_text(encoding="utf-8"))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def ended(minutes_ago: int = 1, length: int = 60) -> tuple[datetime, datetime]:
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes_ago)
    return end - timedelta(minutes=length), end


def ashby_sign(raw: bytes, secret: str = ASHBY_SECRET) -> dict[str, str]:
    return {"Ashby-Signature": "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()}


def gh_sign(raw: bytes, secret: str = GH_SECRET_KEY) -> dict[str, str]:
    return {"Signature": "sha256 " + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()}


def ashby_schedule(
    thirdparty: Path, *, email: str = "ana@example.com", status: str = "Scheduled", minutes_ago: int = 1
) -> dict[str, Any]:
    """The shared interviewScheduleUpdate body's schedule, with its one event ending `minutes_ago`."""
    body = sample(thirdparty, "ashby-webhook-interviewScheduleUpdate.json")
    schedule = body["data"]["interviewSchedule"]
    starts, ends = ended(minutes_ago)
    event = schedule["interviewEvents"][0]
    event.update(startTime=iso(starts), endTime=iso(ends))
    event["interviewers"][0]["email"] = email
    schedule["status"] = status
    return schedule  # type: ignore[no-any-return]


def ashby_body(thirdparty: Path, *, action_id: str = "75395d87-4044-4dc4-bc29-0cec185e5f06", **kw: Any) -> bytes:
    body = sample(thirdparty, "ashby-webhook-interviewScheduleUpdate.json")
    body["webhookActionId"] = action_id
    body["data"]["interviewSchedule"] = ashby_schedule(thirdparty, **kw)
    return json.dumps(body).encode()


def lever_interview(thirdparty: Path, *, email: str = "ana@example.com", minutes_ago: int = 1, **extra: Any) -> dict:
    row = copy.deepcopy(sample(thirdparty, "lever-interviews-sandbox-records.json")[0])
    starts, _ = ended(minutes_ago, row["duration"])
    row.update(date=int(starts.timestamp() * 1000), **extra)
    row["interviewers"][0]["email"] = email
    return row  # type: ignore[no-any-return]


def lever_body(
    thirdparty: Path, *, event: str = "interviewCreated", event_id: str = "evt-1", token: str = LEVER_TOKEN
) -> bytes:
    body = sample(thirdparty, "lever-webhook-interviewCreated.json")
    body.update(event=event, id=event_id, triggeredAt=body["triggeredAt"] + len(event_id))
    body["signature"] = hmac.new(
        token.encode(), f"{body['token']}{body['triggeredAt']}".encode(), hashlib.sha256
    ).hexdigest()
    return json.dumps(body).encode()


def gh_interview(
    interview_id: int = 31087450, *, minutes_ago: int = 1, status: str = "scheduled", **extra: Any
) -> dict:
    """A Harvest v3 interview row with the fields Greenhouse's v3 reference lists (values chosen here)."""
    starts, ends = ended(minutes_ago)
    return {
        "id": interview_id, "application_id": 46194062, "job_id": 6404, "job_interview_id": 6001,
        "starts_at": iso(starts), "ends_at": iso(ends), "all_day_start_on": None, "all_day_end_on": None,
        "location": "Big Conference Room", "status": status, "organizer_id": 2000, "scheduled_at": iso(starts),
        "availability_received_at": None, "video_conferencing_url": None, "external_event_id": "event123",
        "created_at": iso(starts - timedelta(days=1)), "updated_at": iso(datetime.now(UTC)), **extra,
    }  # fmt: skip


def seed(fake: FakeATS, thirdparty: Path) -> None:
    """What each vendor's API answers about the samples' jobs, departments and stages."""
    fake.ashby_applications[APPLICATION] = {
        "id": APPLICATION, "candidate": {"id": "f9e52a51-a075-4116-a7b8-484deba69004"},
        "job": {"id": "job-1", "title": "Senior Backend Engineer", "departmentId": "dep-1"},
    }  # fmt: skip
    fake.ashby_departments["dep-1"] = {"id": "dep-1", "name": "Platform"}
    fake.ashby_stages[STAGE] = {"id": STAGE, "title": "Technical Interview", "type": "Active"}
    fake.lever_postings["f45efa75-63f3-466c-93c2-643d3147968d"] = {
        "id": "f45efa75-63f3-466c-93c2-643d3147968d", "text": "Administrative Assistant",
        "categories": {"department": "Operations", "team": "Office", "location": "Kyiv"},
    }  # fmt: skip
    fake.lever_stages["f1a0cadd-9eff-4ecc-9edc-ff24d04fe393"] = {
        "id": "f1a0cadd-9eff-4ecc-9edc-ff24d04fe393",
        "text": "On-site interview",
    }
    fake.lever_interviews[OPPORTUNITY] = [lever_interview(thirdparty)]
    job = sample(thirdparty, "greenhouse-job.json")
    fake.gh["jobs"] = [{"id": job["id"], "name": job["name"], "department_id": 25907, "office_ids": [47012]}]
    fake.gh["departments"] = [{"id": 25907, "name": "Second-Level department", "parent_id": 25908}]
    fake.gh["job_interviews"] = [
        {"id": 6001, "job_interview_stage_id": 72200, "job_id": 6404, "name": "Cultural Fit Interview"}
    ]
    fake.gh["job_interview_stages"] = [
        {"id": 72200, "job_id": 6404, "name": "Face to Face", "sort_order": 2, "active": True}
    ]
    fake.gh["interviews"] = [gh_interview()]
    fake.gh["interviewers"] = [{"id": 1, "interview_id": 31087450, "user_id": 4080, "scorecard_id": 11274,
                                "email": "ana@example.com", "response_status": "accepted"}]  # fmt: skip


def ats_settings(fake: FakeATS, *, sync_every: str = "0s") -> dict[str, str]:
    """All three connectors configured against the fake, as settings by field name (the scheduled sync off unless
    `sync_every`): for `start_app(**ats_settings(fake))` and `make_config`."""
    return {
        "ashby_webhook_secret": ASHBY_SECRET, "ashby_api_key": ASHBY_KEY, "ashby_api_url": f"{fake.url}/ashby",
        "lever_webhook_token": LEVER_TOKEN, "lever_api_key": LEVER_KEY, "lever_api_url": f"{fake.url}/lever/v1",
        "greenhouse_webhook_secret": GH_SECRET_KEY, "greenhouse_client_id": GH_CLIENT,
        "greenhouse_client_secret": GH_SECRET, "greenhouse_user_id": "4080",
        "greenhouse_api_url": f"{fake.url}/greenhouse/v3", "greenhouse_token_url": f"{fake.url}/greenhouse/token",
        "ats_sync_every": sync_every,
    }  # fmt: skip


def ats_env(fake: FakeATS) -> dict[str, str]:
    """The same as environment variables, for a `fairloop ats ...` process."""
    return {f"FAIRLOOP_{name.upper()}": value for name, value in ats_settings(fake).items()}
