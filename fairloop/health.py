"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.feedback import ROUTE as CANDIDATE_FEEDBACK
from adapters.web import REPORTS
from storage import queued
from storage.db import Sessions, ping, unit_of_work

ENGINE = web.AppKey("fairloop.engine", AsyncEngine)
UNMEASURED = frozenset({CANDIDATE_FEEDBACK})  # a count or latency per answer would date each candidate's answer
REGISTRY = web.AppKey("fairloop.registry", CollectorRegistry)

REQUESTS = web.AppKey("fairloop.metrics.requests", Counter)
LATENCY = web.AppKey("fairloop.metrics.latency", Histogram)
CHILDREN = web.AppKey("fairloop.metrics.children", dict)  # (metric, label values) -> its child
GAUGES = web.AppKey("fairloop.metrics.gauges", dict)
CLICK_QUEUE = web.AppKey("fairloop.click_queue", Sessions)  # with FAIRLOOP_SLACK_CLICK_QUEUE (adapters/slack/queue.py)
WAITING = web.AppKey("fairloop.metrics.click_queue", Gauge)
logger = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    engine = request.app.get(ENGINE)
    if engine is not None and await ping(engine):
        return web.json_response({"status": "ready"})
    return web.json_response({"error": "not_ready", "detail": "The database is not answering."}, status=503)


async def metrics(request: web.Request) -> web.Response:
    reports = request.app.get(REPORTS)
    if reports is not None:  # product gauges are counted at scrape time: two small GROUP BYs on indexed columns
        try:
            counts = await reports.gauges()
        except Exception:  # noqa: BLE001 - /readyz reports the database; /metrics still serves the rest
            logger.warning("could not count prompts and concerns for /metrics", exc_info=True)
            counts = {}
        for name, gauge in request.app[GAUGES].items():
            gauge.clear()
            for label, n in counts.get(name, {}).items():
                gauge.labels(label).set(n)
    queue = request.app.get(CLICK_QUEUE)
    if queue is not None:
        try:
            async with unit_of_work(queue) as session:
                request.app[WAITING].set(await queued.waiting(session=session))
        except Exception:  # noqa: BLE001 - as above
            logger.warning("could not count the queued clicks for /metrics", exc_info=True)
    body = generate_latest(request.app[REGISTRY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@web.middleware
async def metrics_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    if route in UNMEASURED:
        return await handler(request)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        _child(request.app, REQUESTS, route, request.method, str(status)).inc()
        _child(request.app, LATENCY, route).observe(time.perf_counter() - started)


def _child(app: web.Application, key: web.AppKey[Any], *labels: str) -> Any:
    """The metric's child for these label values, looked up once (prometheus_client's `labels` checks and locks on
    every call, and this runs on every request)."""
    children = app[CHILDREN]
    child = children.get((key, labels))
    if child is None:
        child = children[(key, labels)] = app[key].labels(*labels)
    return child


def install(app: web.Application) -> None:
    registry = app[REGISTRY]
    app[REQUESTS] = Counter("fairloop_http_requests", "HTTP requests", ["route", "method", "status"], registry=registry)
    app[LATENCY] = Histogram("fairloop_http_request_seconds", "HTTP request latency", ["route"], registry=registry)
    app[CHILDREN] = {}
    app[GAUGES] = {
        "prompts": Gauge("fairloop_prompts", "Check-in prompts by state", ["state"], registry=registry),
        "concerns": Gauge("fairloop_concerns", "Concerns by status", ["status"], registry=registry),
    }
    app[WAITING] = Gauge("fairloop_click_queue_waiting", "One-click answers queued for a worker, not yet applied",
                         registry=registry)  # fmt: skip
    app.middlewares.append(metrics_middleware)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
