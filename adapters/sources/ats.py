"""The ATS routes (POST /ats/ashby, /ats/lever, /ats/greenhouse) and the backfill both the CLI and the jobs run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from adapters.sources.ashby import Ashby
from adapters.sources.ats_common import AtsError, BadPayload, Delivery, NotConfigured, Runtime, error_response
from adapters.sources.ats_settings import VENDORS, AtsSettings
from adapters.sources.greenhouse import Greenhouse
from adapters.sources.lever import Lever
from adapters.web import NUDGE, error

logger = logging.getLogger(__name__)
ATS = web.AppKey("fairloop.ats", Runtime)
"""The connectors' runtime, handed to the routes by the composition root at start-up."""
Connector = Ashby | Lever | Greenhouse


def connector(vendor: str, *, runtime: Runtime, max_wait: float = 5.0) -> Connector:
    settings = runtime.settings
    match vendor:
        case "ashby":
            return Ashby(settings=settings.ashby, runtime=runtime, max_wait=max_wait)
        case "lever":
            return Lever(settings=settings.lever, runtime=runtime, max_wait=max_wait)
        case "greenhouse":
            return Greenhouse(settings=settings.greenhouse, runtime=runtime, max_wait=max_wait)
    raise NotConfigured(f"There is no connector for {vendor!r}; use one of {', '.join(VENDORS)}.")


_NEEDS = {
    "ashby": "FAIRLOOP_ASHBY_WEBHOOK_SECRET and FAIRLOOP_ASHBY_API_KEY",
    "lever": "FAIRLOOP_LEVER_WEBHOOK_TOKEN and FAIRLOOP_LEVER_API_KEY",
    "greenhouse": "FAIRLOOP_GREENHOUSE_WEBHOOK_SECRET",
}


def install(app: web.Application, *, settings: AtsSettings) -> None:
    """Add the three webhook routes; each answers 404 `not_configured` until its settings are there."""
    for vendor in VENDORS:
        app.router.add_post(f"/ats/{vendor}", _view(vendor, on=settings.vendor(vendor).webhook_on))


def _view(vendor: str, *, on: bool) -> Callable[[web.Request], Any]:
    async def view(request: web.Request) -> web.Response:
        if not on:
            return error(404, "not_configured", f"The {vendor} webhook is off until {_NEEDS[vendor]} are set.")
        runtime = request.app[ATS]
        try:
            raw = await request.read()
            delivery = await connector(vendor, runtime=runtime).receive(raw, request.headers)
            if delivery is None:
                return web.json_response({"ok": True, "ignored": True})
            applied = await runtime.apply(delivery)
        except AtsError as exc:
            if exc.status >= 500:
                logger.warning("%s webhook: %s (answered %s)", vendor, exc.detail, exc.status)
            return error_response(exc)
        except Exception:  # noqa: BLE001 - the vendor retries a 503; the trace stays in our log
            logger.exception("%s webhook failed", vendor)
            return error(503, "unavailable", "fairloop could not take this event now; it will be retried.",
                         headers={"Retry-After": "60"})  # fmt: skip
        if applied:
            request.app[NUDGE]()  # prompts already due go out now, not at the next tick
        return web.json_response(_summary(delivery, applied))

    return view


def _summary(delivery: Delivery, applied: bool) -> dict[str, Any]:
    return {
        "ok": True,
        "duplicate": not applied,
        "interviews": [i.external_id for i in delivery.upserts],
        "cancelled": list(delivery.cancel_ids),
        "cancelled_candidates": len(delivery.cancel_refs),
    }


@dataclass
class SyncResult:
    seen: int = 0
    imported: int = 0
    failed: list[str] = field(default_factory=list)
    sync_token: str | None = None


Progress = Callable[[int, int | None], None]


async def sync(
    vendor: str,
    *,
    runtime: Runtime,
    since: datetime,
    sync_token: str | None = None,
    progress: Progress = lambda done, total: None,
    max_wait: float = 120.0,
) -> SyncResult:
    """Backfill and reconcile: everything scheduled or changed since `since`, each item in its own transaction,
    upserted by external id (so running it twice changes nothing). A lookup that keeps failing stops the run."""
    source = connector(vendor, runtime=runtime, max_wait=max_wait)
    if not runtime.settings.vendor(vendor).api_on:
        raise NotConfigured(f"The {vendor} API is not configured; see docs/ats.md.")
    result = SyncResult()

    async def apply(deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            await runtime.apply(delivery)
            result.imported += len(delivery.upserts)

    if isinstance(source, Ashby):
        async for schedule in source.schedules(since=since, sync_token=sync_token):
            result.seen += 1
            try:
                await apply([await source.delivery(schedule, key=None)])
            except BadPayload as exc:  # one unusable schedule must not hold back the others
                result.failed.append(f"schedule {schedule.get('id')}: {exc.detail}")
            progress(result.seen, None)
        result.sync_token = source.sync_token
    elif isinstance(source, Lever):
        async for opportunity in source.opportunities(since=since):
            result.seen += 1
            try:
                await apply(await source.deliveries(opportunity))
            except BadPayload as exc:
                result.failed.append(f"opportunity {opportunity}: {exc.detail}")
            progress(result.seen, None)
    else:
        async for page in source.interviews(since=since):
            result.seen += len(page)
            await apply(await source.deliveries(page, failed=result.failed))
            progress(result.seen, None)
    return result


async def check(vendor: str, *, runtime: Runtime) -> list[str]:
    """What `fairloop ats test VENDOR` prints: the credentials work, and what they can see."""
    if not runtime.settings.vendor(vendor).api_on:
        raise NotConfigured(f"The {vendor} API is not configured; see docs/ats.md.")
    return await connector(vendor, runtime=runtime).check()


async def sync_scheduled(vendor: str, *, runtime: Runtime, now: datetime) -> SyncResult:
    """The scheduled reconcile of one vendor (Greenhouse's only way in for new interviews, a safety net for the
    others): FAIRLOOP_ATS_SYNC_WINDOW back, or what changed since Ashby's last sync token in this process."""
    result = await sync(
        vendor, runtime=runtime, since=now - runtime.settings.ats_sync_window,
        sync_token=runtime.sync_tokens.get(vendor), max_wait=30.0,
    )  # fmt: skip
    runtime.sync_tokens[vendor] = result.sync_token
    logger.info("scheduled %s sync: %s seen, %s imported", vendor, result.seen, result.imported)
    return result
