"""Greenhouse: the signed deletion webhooks, and polling Harvest v3 (OAuth client credentials, cursor paging).

Greenhouse sends no webhook when an interview is scheduled or moved, only when one is deleted, so new and
changed interviews arrive by `fairloop ats sync greenhouse` (run by the scheduler every few minutes).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping
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
from adapters.sources.ats_settings import GreenhouseSettings
from bot.intake.records import InterviewIn

logger = logging.getLogger(__name__)
BATCH = 50  # Harvest v3 takes at most 50 ids per filter
# v3 interview statuses: to_be_scheduled / take-home ones (to_be_sent, sent, received) have no time to check in on
STATUS = {
    "scheduled": "scheduled",
    "awaiting_feedback": "completed",
    "complete": "completed",
    "collect_feedback": "completed",
    "skipped": "cancelled",
}


def verify(secret: str, raw: bytes, headers: Mapping[str, str]) -> None:
    """`Signature: sha256 <hex>` = HMAC-SHA256(secret key, the body exactly as sent), before parsing."""
    scheme, _, digest = headers.get("Signature", "").strip().partition(" ")
    check_hex(hmac_hex(secret, raw), digest.strip() if scheme == "sha256" else None, what="Signature header")


class Greenhouse:
    name = "greenhouse"

    def __init__(self, *, settings: GreenhouseSettings, runtime: Runtime, max_wait: float = 5.0) -> None:
        self.settings = settings
        self.api = ApiClient(http=runtime.http, name="Greenhouse", base_url=settings.api_url, max_wait=max_wait)
        self.cache = runtime.cache("greenhouse")
        self.tokens = runtime.cache("greenhouse-token", ttl=3000)

    # ---- the deletion webhooks ----
    async def receive(self, raw: bytes, headers: Mapping[str, str]) -> Delivery | None:
        verify(self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else "", raw, headers)
        payload = parse_json(raw)
        event_id = headers.get("Greenhouse-Event-ID", "").strip()
        key = f"greenhouse:{event_id}" if event_id else None
        match payload.get("action"):
            case "interview_deleted":
                return Delivery(key=key, cancel_ids=(f"greenhouse:{_id(payload, 'payload.interview.id')}",))
            case "delete_application":
                return Delivery(key=key, cancel_refs=(_ref(_id(payload, "payload.application.id")),))
            case "delete_candidate":
                ids = need(payload, "payload.person").get("deleted_application_ids") or []
                if not isinstance(ids, list) or not all(isinstance(i, int | str) for i in ids):
                    raise BadPayload("payload.person.deleted_application_ids must be a list of ids.")
                return Delivery(key=key, cancel_refs=tuple(_ref(i) for i in ids))
        return None  # pings and other events are acknowledged so Greenhouse keeps the hook enabled

    # ---- Harvest v3 ----
    async def token(self) -> str:
        """An access token for the client credentials, kept 50 minutes (Greenhouse issues them for an hour)."""

        async def fetch() -> str:
            form = {"grant_type": "client_credentials"}
            if self.settings.user_id:
                form["sub"] = self.settings.user_id
            secret = self.settings.client_secret.get_secret_value() if self.settings.client_secret else ""
            auth = basic_auth(self.settings.client_id or "", secret)
            answer = await self.api.call("POST", self.settings.token_url, data=form, auth=auth)
            data = answer.data if isinstance(answer.data, dict) else {}
            if not data.get("access_token"):
                raise LookupFailed("Greenhouse gave no access token.", retry_after=60)
            return str(data["access_token"])

        return await self.tokens.get(f"token:{self.settings.client_id}", fetch)  # type: ignore[no-any-return]

    async def listing(self, path: str, params: Mapping[str, str]) -> AsyncIterator[dict[str, Any]]:
        """A v3 list: filters on the first request only, then the Link header's `next` URL exactly as given."""
        url: str | None = path
        query: Mapping[str, str] | None = {"per_page": "500", **params}
        while url:
            headers = {"Authorization": f"Bearer {await self.token()}"}
            answer = await self.api.call("GET", url, params=query, headers=headers)
            for row in answer.data if isinstance(answer.data, list) else []:
                if isinstance(row, dict):
                    yield row
            url, query = answer.link("next"), None

    async def by_ids(self, path: str, ids: Iterable[Any]) -> dict[int, dict[str, Any]]:
        """Rows of a v3 list by id, cached, fetched 50 ids a request."""
        wanted = sorted({int(i) for i in ids if isinstance(i, int) or str(i).isdigit()})
        out: dict[int, dict[str, Any]] = {}
        missing = []
        for i in wanted:
            hit = self.cache._items.get(f"{path}:{i}")
            if hit is not None and hit[0] > self.cache.clock():
                out[i] = hit[1]
            else:
                missing.append(i)
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            async for row in self.listing(path, {"ids": ",".join(map(str, chunk))}):
                if isinstance(row.get("id"), int):
                    out[row["id"]] = row
                    self.cache._items[f"{path}:{row['id']}"] = (self.cache.clock() + self.cache.ttl, row)
        return out

    async def interviews(self, *, since: datetime) -> AsyncIterator[list[dict[str, Any]]]:
        """Interviews updated since `since`, one page (up to 500) at a time."""
        page: list[dict[str, Any]] = []
        params = {"updated_at[gte]": since.isoformat().replace("+00:00", "Z")}
        async for row in self.listing("interviews", params):
            page.append(row)
            if len(page) >= 500:
                yield page
                page = []
        if page:
            yield page

    async def deliveries(self, page: list[dict[str, Any]], *, failed: list[str] | None = None) -> list[Delivery]:
        """A page of v3 interviews -> one delivery each, with the lookups batched across the page."""
        panel: dict[int, list[dict[str, Any]]] = {}
        ids = [r["id"] for r in page if isinstance(r.get("id"), int)]
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            async for row in self.listing("interviewers", {"interview_ids": ",".join(map(str, chunk))}):
                panel.setdefault(row.get("interview_id") or 0, []).append(row)
        jobs = await self.by_ids("jobs", (r.get("job_id") for r in page))
        departments = await self.by_ids("departments", (j.get("department_id") for j in jobs.values()))
        slots = await self.by_ids("job_interviews", (r.get("job_interview_id") for r in page))
        stages = await self.by_ids("job_interview_stages", (s.get("job_interview_stage_id") for s in slots.values()))
        out = []
        for row in page:
            status = STATUS.get(str(row.get("status")))
            if status is None or not row.get("starts_at") or not row.get("ends_at"):
                continue  # not on a calendar yet, all-day or a take-home test: nothing to check in on
            people = emails(panel.get(row["id"], []))
            if not people:
                logger.info("Greenhouse interview %s has no interviewer with an email; skipped", row.get("id"))
                continue
            job = jobs.get(row.get("job_id") or 0, {})
            slot = slots.get(row.get("job_interview_id") or 0, {})
            stage = stages.get(slot.get("job_interview_stage_id") or 0, {})
            department = departments.get(job.get("department_id") or 0, {})
            try:
                found = self.translate(row, job=job, department=department, stage=stage, slot=slot, people=people)
            except BadPayload as exc:
                (failed if failed is not None else []).append(f"interview {row.get('id')}: {exc.detail}")
                continue
            out.append(Delivery(key=None, upserts=(found,)))
        return out

    def translate(
        self, row: dict[str, Any], *, job: dict[str, Any], department: dict[str, Any], stage: dict[str, Any],
        slot: dict[str, Any], people: list[str],
    ) -> InterviewIn:  # fmt: skip
        here = f"interview {row.get('id')}"
        return item(
            field=here, external_id=f"greenhouse:{row['id']}", role=str(job.get("name") or "(no job)"),
            team=str(department.get("name") or ""), stage=str(stage.get("name") or slot.get("name") or ""),
            starts=from_iso(row["starts_at"], f"{here}.starts_at"), ends=from_iso(row["ends_at"], f"{here}.ends_at"),
            people=people, ref=_ref(row.get("application_id")), status=STATUS[str(row.get("status"))],
        )  # fmt: skip

    async def check(self) -> list[str]:
        await self.token()
        lines = [f"Greenhouse Harvest v3 at {self.settings.api_url}: the client credentials give a token."]
        count = 0
        headers = {"Authorization": f"Bearer {await self.token()}"}
        answer = await self.api.call("GET", "interviews", params={"per_page": "5"}, headers=headers)
        count = len(answer.data) if isinstance(answer.data, list) else 0
        more = " and more" if answer.link("next") else ""
        lines.append(f"{count} interview(s) visible on the first page{more} (scope harvest:interviews:list).")
        return lines


def _id(payload: dict[str, Any], path: str) -> str:
    value = need(payload, path)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadPayload(f"{path} must be an id.")
    return str(value)


def _ref(application_id: Any) -> str:
    """The opaque candidate reference: the application, so a deleted application or candidate cancels it."""
    return f"greenhouse-application:{application_id}"
