"""GET/POST /f/{token}: the candidate anonymous feedback form, as HTML pages people see (never JSON)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.feedback import page
from adapters.web import FEEDBACK
from bot.errors import NotFound
from bot.feedback.candidate import AlreadyUsed

logger = logging.getLogger(__name__)
ROUTE = "/f/{token}"
_PAGE = re.compile(r"(^|\s)/f/")  # a request line ("POST /f/…") or a path

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token stays out of other sites' logs
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
}


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=HEADERS)


def _refused(exc: NotFound | AlreadyUsed) -> web.Response:
    if isinstance(exc, AlreadyUsed):
        return _html(page.notice_page(heading="This link has already been used", sentence=str(exc)), 410)
    heading = "This link has expired" if "expired" in str(exc) else "This link doesn't work"
    return _html(page.notice_page(heading=heading, sentence=str(exc)), 404)


class NoFeedbackPages(logging.Filter):
    """The access log leaves out /f/ requests altogether: a line per answer would date it (and carry the token, the
    status and the candidate's browser) next to interviews whose end times are known."""

    def filter(self, record: logging.LogRecord) -> bool:
        texts = [record.getMessage(), *(v for v in vars(record).values() if isinstance(v, str))]
        return not any(_PAGE.search(t) for t in texts)


def install(app: web.Application) -> None:
    """Always on, whatever the platform: the routes, kept out of the access log."""
    access = logging.getLogger("aiohttp.access")
    if not any(isinstance(f, NoFeedbackPages) for f in access.filters):
        access.addFilter(NoFeedbackPages())
    app.router.add_get(ROUTE, _guarded(form_view))
    app.router.add_post(ROUTE, _guarded(submit_view))


def _guarded(
    view: Callable[[web.Request], Awaitable[web.Response]],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A failure on our side is a calm page, logged by type only (messages may quote the answer or the token)."""

    async def handler(request: web.Request) -> web.Response:
        try:
            return await view(request)
        except web.HTTPException:
            raise
        except Exception as exc:  # noqa: BLE001
            logger.error("candidate feedback page failed: %s", type(exc).__name__)
            sentence = "Something went wrong on our side. Please try the link again in a few minutes."
            return _html(page.notice_page(heading="Sorry, please try again", sentence=sentence), 503)

    return handler


async def form_view(request: web.Request) -> web.Response:
    try:
        form = await request.app[FEEDBACK].candidate_form(request.match_info["token"])
    except (NotFound, AlreadyUsed) as exc:
        return _refused(exc)
    return _html(page.form_page(form))


async def submit_view(request: web.Request) -> web.Response:
    try:
        posted = await request.post()
    except (ValueError, LookupError, RuntimeError):  # aiohttp's form parser: no boundary, unknown charset, ...
        heading, sentence = "We could not read that answer", "Please go back, and send the form again."
        return _html(page.notice_page(heading=heading, sentence=sentence), 400)
    values = {k: v for k, v in posted.items() if isinstance(v, str)}
    try:
        reply = await request.app[FEEDBACK].submit_candidate(request.match_info["token"], values)
    except (NotFound, AlreadyUsed) as exc:
        return _refused(exc)
    if reply.errors and reply.form is not None:
        return _html(page.form_page(reply.form, reply.errors), 422)
    sentence = str(reply.notice.text) if reply.notice else "Thank you."
    return _html(page.notice_page(heading="Thank you for telling us", sentence=sentence))
