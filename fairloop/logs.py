"""Logging set-up: text for people, JSON lines for machines."""

from __future__ import annotations

import json
import logging

from aiohttp.http_exceptions import HttpProcessingError


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out)


def configure(fmt: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


class QuietBadRequests(logging.Filter):
    """aiohttp logs a request it cannot even parse (a control character in a header, a broken chunk) as an error
    with a traceback, and anyone can send one: it becomes one line at INFO. The client got its 400; nothing of
    ours failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError) and 400 <= (exc.code or 400) < 500:
            record.msg, record.args = f"{record.getMessage()}: {type(exc).__name__}", ()
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info = record.exc_text = None
        return True


def quiet_bad_requests() -> None:
    """Install QuietBadRequests on aiohttp's server logger (once)."""
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, QuietBadRequests) for f in server.filters):
        server.addFilter(QuietBadRequests())
