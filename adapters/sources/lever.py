"""Lever: the interview webhooks (signed with a per-webhook token), lookups of interviews and postings, backfill."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from adapters.sources.ats_common import (
    BadPayload,
    BadSignature,
    Delivery,
    LookupFailed,
    Runtime,
    check_hex,
    emails,
    from_ms,
    hmac_hex,
    item,
    need,
    parse_json,
    segment,
)
from adapters.sources.ats_http import ApiClient, basic_auth
from adapters.sources.ats_settings import LeverSettings
from bot.intake.records import InterviewIn

logger = logging.getLogger(__name__)
EVENTS = ("interviewCreated", "interviewUpdated", "interviewDeleted")


class BadPayloadSigned(BadPayload):
    """Without token and triggeredAt nothing can be verified: answered as a bad signature (401)."""

    status, code = 401, "bad_signature"


def verify(secret: str, payload: dict[str, Any]) -> None:
    """Lever signs no header: `signature` = HMAC-SHA256(the webhook's signature token, token + triggeredAt).
    The body has to be parsed to read them; nothing is looked up or stored before this passes. Each Lever
    webhook has its own token, so `secret` may list several, separated by commas."""
    token, triggered = payload.get("token"), payload.get("triggeredAt")
    if not isinstance(token, str) or isinstance(triggered, bool) or not isinstance(triggered, int | str):
        raise BadPayloadSigned("token and triggeredAt are needed to check the signature.")
    given = payload.get("signature")
    message = f"{token}{triggered}".encode()
    secrets = [s.strip() for s in secret.split(",") if s.strip()] or [""]
    for one in secrets[:-1]:
        with contextlib.suppress(BadSignature):
            check_hex(hmac_hex(one, message), given if isinstance(given, str) else None, what="signature field")
            return
    check_hex(hmac_hex(secrets[-1], message), given if isinstance(given, str) else None, what="signature field")


class Lever:
    name = "lever"

    def __init__(self, *, settings: LeverSettings, runtime: Runtime, max_wait: float = 5.0) -> None:
        self.settings = settings
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        self.api = ApiClient(
            http=runtime.http, name="Lever", base_url=settings.api_url, auth=basic_auth(key, ""),
            max_wait=max_wait,
        )  # fmt: skip
        self.cache = runtime.cache("lever")

    # ---- the webhook ----
    async def receive(self, raw: bytes, headers: Mapping[str, str]) -> Delivery | None:
        payload = parse_json(raw)
        verify(self.settings.webhook_token.get_secret_value() if self.settings.webhook_token else "", payload)
        event = payload.get("event")
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        if event not in EVENTS or not (data or {}).get("interviewId"):
            return None  # "Verify connection" calls and events we do not use
        interview_id = str(need(payload, "data.interviewId"))
        key = f"lever:{payload['id']}" if payload.get("id") else None
        if event == "interviewDeleted":
            return Delivery(key=key, cancel_ids=(f"lever:{interview_id}",))
        opportunity = str(need(payload, "data.opportunityId"))
        found = await self.interview(opportunity, interview_id)
        if found is None:  # gone from the opportunity: deleted since, so cancel what we have
            return Delivery(key=key, cancel_ids=(f"lever:{interview_id}",))
        return Delivery(key=key, upserts=(await self.translate(found, opportunity),))

    async def translate(self, interview: dict[str, Any], opportunity: str) -> InterviewIn:
        where = "interview"
        iid = need({"interview": interview}, "interview.id")
        starts = from_ms(need({"interview": interview}, "interview.date"), f"{where}.date")
        minutes = interview.get("duration")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise BadPayload(f"{where}.duration must be a number of minutes.")
        postings = interview.get("postings") or []
        role, team = await self.posting(str(postings[0])) if postings else ("", "")
        stage = await self.stage_text(str(interview["stage"])) if interview.get("stage") else ""
        cancelled = interview.get("canceledAt") is not None or interview.get("interviewDeleted") is True
        return item(
            field=f"{where} {iid}", external_id=f"lever:{iid}", role=role or "(no posting)", team=team,
            stage=stage, starts=starts, ends=starts + timedelta(minutes=minutes),
            people=emails(interview.get("interviewers") or []), ref=f"lever-opportunity:{opportunity}",
            status="cancelled" if cancelled else "scheduled",
        )  # fmt: skip

    # ---- lookups ----
    async def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        answer = await self.api.call("GET", path, params=params, ok=(200, 404))
        if answer.status == 404:
            return {}
        return answer.data if isinstance(answer.data, dict) else {}

    async def paged(self, path: str, params: dict[str, str]) -> AsyncIterator[dict[str, Any]]:
        """Lever pages with `next` (an opaque offset) while `hasNext` is true."""
        while True:
            data = await self.get(path, params)
            for row in data.get("data") or []:
                if isinstance(row, dict):
                    yield row
            if not data.get("hasNext") or not data.get("next"):
                return
            params = {**params, "offset": str(data["next"])}

    async def interview(self, opportunity: str, interview_id: str) -> dict[str, Any] | None:
        async for row in self.paged(f"opportunities/{segment(opportunity)}/interviews", {"limit": "100"}):
            if row.get("id") == interview_id:
                return row
        return None

    async def posting(self, posting_id: str) -> tuple[str, str]:
        """A posting's title and department (its team when no department is set)."""

        async def fetch() -> tuple[str, str]:
            data = (await self.get(f"postings/{segment(posting_id)}")).get("data") or {}
            categories = data.get("categories") or {}
            return str(data.get("text") or ""), str(categories.get("department") or categories.get("team") or "")

        return await self.cache.get(f"posting:{posting_id}", fetch)  # type: ignore[no-any-return]

    async def stage_text(self, stage_id: str) -> str:
        async def fetch() -> str:
            return str(((await self.get(f"stages/{segment(stage_id)}")).get("data") or {}).get("text") or "")

        return await self.cache.get(f"stage:{stage_id}", fetch)  # type: ignore[no-any-return]

    # ---- backfill ----
    async def opportunities(self, *, since: datetime) -> AsyncIterator[str]:
        params = {"limit": "100", "updated_at_start": str(int(since.timestamp() * 1000))}
        async for row in self.paged("opportunities", params):
            yield str(row["id"])

    async def deliveries(self, opportunity: str) -> list[Delivery]:
        out = []
        async for row in self.paged(f"opportunities/{segment(opportunity)}/interviews", {"limit": "100"}):
            if row.get("date") is None:
                continue  # not scheduled yet
            out.append(Delivery(key=None, upserts=(await self.translate(row, opportunity),)))
        return out

    async def check(self) -> list[str]:
        data = await self.get("opportunities", {"limit": "5"})
        if "data" not in data:
            raise LookupFailed("Lever answered without a list of opportunities.", retry_after=60)
        seen = [o for o in data.get("data") or [] if isinstance(o, dict)]
        lines = [f"Lever API at {self.settings.api_url}: the key is accepted.",
                 f"{len(seen)} opportunit{'y' if len(seen) == 1 else 'ies'} visible on the first page"
                 + (" and more." if data.get("hasNext") else ".")]  # fmt: skip
        for opp in seen[:1]:
            count = 0
            async for _ in self.paged(f"opportunities/{segment(opp.get('id'))}/interviews", {"limit": "100"}):
                count += 1
            lines.append(f"The first one has {count} interview(s).")
        return lines
