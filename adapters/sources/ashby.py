"""Ashby: the signed interviewScheduleCreate/Update webhook, lookups through its RPC API, and the backfill."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from adapters.sources.ats_common import (
    BadPayload,
    Delivery,
    LookupFailed,
    Runtime,
    check_hex,
    emails,
    from_iso,
    hmac_hex,
    item,
    need,
    parse_json,
)
from adapters.sources.ats_http import ApiClient, basic_auth
from adapters.sources.ats_settings import AshbySettings
from bot.intake.records import InterviewIn

logger = logging.getLogger(__name__)
ACTIONS = ("interviewScheduleCreate", "interviewScheduleUpdate")
# Ashby's schedule statuses; every other one (NeedsScheduling, OnHold, ...) keeps the events that have times
STATUS = {"Cancelled": "cancelled", "Complete": "completed", "WaitingOnFeedback": "completed"}
SYNC_RESTART = ("sync_token_expired", "sync_token_invalid", "incremental_sync_too_large")


def verify(secret: str, raw: bytes, headers: Mapping[str, str]) -> None:
    """`Ashby-Signature: sha256=<hex>` = HMAC-SHA256(secret, the raw body), checked before parsing."""
    given = headers.get("Ashby-Signature", "")
    check_hex(hmac_hex(secret, raw), given.removeprefix("sha256=") if given else None, what="Ashby-Signature")


class Ashby:
    name = "ashby"

    def __init__(self, *, settings: AshbySettings, runtime: Runtime, max_wait: float = 5.0) -> None:
        self.settings = settings
        self.runtime = runtime
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        self.api = ApiClient(
            http=runtime.http, name="Ashby", base_url=settings.api_url, auth=basic_auth(key, ""),
            max_wait=max_wait,
        )  # fmt: skip
        self.cache = runtime.cache("ashby")

    # ---- the webhook ----
    async def receive(self, raw: bytes, headers: Mapping[str, str]) -> Delivery | None:
        verify(self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else "", raw, headers)
        payload = parse_json(raw)
        action = payload.get("action")
        if action == "ping" or action not in ACTIONS:
            return None  # pings and events we do not use are acknowledged, so Ashby keeps the hook enabled
        schedule = need(payload, "data.interviewSchedule")
        action_id = payload.get("webhookActionId")
        key = f"ashby:{action}:{action_id}" if isinstance(action_id, str) and action_id else None
        return await self.delivery(schedule, key=key)

    async def delivery(self, schedule: dict[str, Any], *, key: str | None) -> Delivery:
        """One schedule -> its events as interviews; events no longer on it are cancelled."""
        sid = str(need({"data": {"interviewSchedule": schedule}}, "data.interviewSchedule.id"))
        items = await self.interviews(schedule)
        return Delivery(key=key, upserts=tuple(items), replace_prefix=f"ashby:{sid}:")

    async def interviews(self, schedule: dict[str, Any]) -> list[InterviewIn]:
        where = "data.interviewSchedule"
        wrapped = {"data": {"interviewSchedule": schedule}}
        sid = need(wrapped, f"{where}.id")
        status = STATUS.get(str(need(wrapped, f"{where}.status")), "scheduled")
        application_id = str(need(wrapped, f"{where}.applicationId"))
        stage_id = str(need(wrapped, f"{where}.interviewStageId"))
        events = schedule.get("interviewEvents") or []
        if not isinstance(events, list):
            raise BadPayload(f"{where}.interviewEvents must be a list.")
        if any(isinstance(e, dict) and not emails(e.get("interviewers") or []) for e in events):
            events = await self.events_of(str(sid))  # older payloads carry only interviewerUserIds
        if not events:
            return []
        role, team = await self.job_of(application_id)
        stage = await self.stage_title(stage_id)
        out: dict[str, InterviewIn] = {}
        for i, event in enumerate(events):
            here = f"{where}.interviewEvents[{i}]"
            if not isinstance(event, dict) or not event.get("id"):
                raise BadPayload(f"{here}.id is missing.")
            people = emails(event.get("interviewers") or [])
            if not people:
                raise BadPayload(f"{here}.interviewers[].email is missing.")
            starts = from_iso(_field(event, "startTime", here), f"{here}.startTime")
            ends = from_iso(_field(event, "endTime", here), f"{here}.endTime")
            external_id = f"ashby:{sid}:{event['id']}"
            out[external_id] = item(
                external_id=external_id, role=role, team=team, stage=stage, starts=starts, ends=ends,
                people=people, ref=f"ashby-application:{application_id}", status=status, field=here,
            )  # fmt: skip
        return list(out.values())

    # ---- lookups (cached) ----
    async def rpc(self, method: str, body: dict[str, Any]) -> Any:
        answer = await self.api.call("POST", method, json=body)
        data = answer.data if isinstance(answer.data, dict) else {}
        if not data.get("success"):
            code = (data.get("errorInfo") or {}).get("code") or ", ".join(map(str, data.get("errors") or []))
            raise LookupFailed(f"Ashby {method} failed ({code or 'no reason given'}).", retry_after=300)
        return data

    async def job_of(self, application_id: str) -> tuple[str, str]:
        async def fetch() -> tuple[str, str]:
            app = (await self.rpc("application.info", {"applicationId": application_id})).get("results") or {}
            job = app.get("job") or {}
            if not job.get("title"):
                raise LookupFailed(f"Ashby application {application_id} has no job title.", retry_after=300)
            team = await self.department_name(job.get("departmentId"))
            return str(job["title"]), team

        return await self.cache.get(f"application:{application_id}", fetch)  # type: ignore[no-any-return]

    async def department_name(self, department_id: Any) -> str:
        if not department_id:
            return ""

        async def fetch() -> str:
            data = await self.rpc("department.info", {"departmentId": department_id})
            return str((data.get("results") or {}).get("name") or "")

        return await self.cache.get(f"department:{department_id}", fetch)  # type: ignore[no-any-return]

    async def stage_title(self, stage_id: str) -> str:
        async def fetch() -> str:
            data = await self.rpc("interviewStage.info", {"interviewStageId": stage_id})
            return str((data.get("results") or {}).get("title") or "")

        return await self.cache.get(f"stage:{stage_id}", fetch)  # type: ignore[no-any-return]

    async def events_of(self, schedule_id: str) -> list[dict[str, Any]]:
        data = await self.rpc("interviewEvent.list", {"interviewScheduleId": schedule_id})
        return [e for e in data.get("results") or [] if isinstance(e, dict)]

    # ---- backfill ----
    async def schedules(self, *, since: datetime | None, sync_token: str | None) -> AsyncIterator[dict[str, Any]]:
        """Every schedule created since `since` (or changed since `sync_token`), page by page. The last page's
        syncToken is left in `self.sync_token` for the next incremental run."""
        body: dict[str, Any] = {"limit": 100}
        if sync_token:
            body["syncToken"] = sync_token
        elif since is not None:
            body["createdAfter"] = int(since.timestamp() * 1000)
        self.sync_token: str | None = None
        while True:
            try:
                data = await self.rpc("interviewSchedule.list", body)
            except LookupFailed as exc:
                if sync_token and any(code in exc.detail for code in SYNC_RESTART):
                    logger.info("Ashby dropped the sync token (%s); running a full sync instead", exc.detail)
                    async for schedule in self.schedules(since=since, sync_token=None):
                        yield schedule
                    return
                raise
            for schedule in data.get("results") or []:
                if isinstance(schedule, dict):
                    yield schedule
            if not data.get("moreDataAvailable") or not data.get("nextCursor"):
                self.sync_token = data.get("syncToken")
                return
            body = {"limit": 100, "cursor": data["nextCursor"], **({"syncToken": sync_token} if sync_token else {})}

    async def check(self) -> list[str]:
        """`fairloop ats test ashby`: the key works and what it can see."""
        data = await self.rpc("interviewSchedule.list", {"limit": 5})
        seen = [s for s in data.get("results") or [] if isinstance(s, dict)]
        lines = [f"Ashby API at {self.settings.api_url}: the key is accepted (interviewsRead)."]
        lines += [
            f"  schedule {s.get('id')}: {s.get('status')}, {len(s.get('interviewEvents') or [])} event(s)" for s in seen
        ]
        more = " and more" if data.get("moreDataAvailable") else ""
        lines.append(f"{len(seen)} interview schedule(s) visible on the first page{more}.")
        if seen:
            role, team = await self.job_of(str(seen[0].get("applicationId")))
            lines.append(f"The first one is for {role!r} ({team or 'no department'}).")
        return lines


def _field(obj: dict[str, Any], name: str, where: str) -> Any:
    if obj.get(name) in (None, ""):
        raise BadPayload(f"{where}.{name} is missing.")
    return obj[name]
