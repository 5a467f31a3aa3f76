"""GET/POST /f/{token}: the candidate's anonymous feedback form works once, expires and stores no identity."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from storage.db import unit_of_work
from storage.models import Feedback, FeedbackLinkUsed
from tests.support.app import Running, StartApp, interview
from tests.support.databases import refuse_inserts


async def feedback_url(running: Running, **kwargs: object) -> str:
    status, body = await running.post_interviews(interview("fb-1", **kwargs))  # type: ignore[arg-type]
    assert status == 200
    url = body["interviews"][0]["candidate_feedback_url"]
    return running.url + url[url.index("/f/") :]  # the public base may differ from the test server's address


def visible(page: str) -> str:
    """The page's text as a person reads it (tags and styles removed)."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def rows(running: Running) -> list[Feedback]:
    async with unit_of_work(running.graph.sessions) as session:
        return list(await session.exec(select(Feedback)))


async def test_the_form_is_a_plain_accessible_page(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    async with running.http.get(await feedback_url(running)) as resp:
        assert resp.status == 200 and resp.content_type == "text/html"
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        page = await resp.text()
    assert '<html lang="en">' in page and '<form method="post">' in page and "<script" not in page
    assert "<fieldset" in page and "<legend>How respectful and inclusive did your interview feel?</legend>" in page
    assert page.count('type="radio" ') == 5 and page.count('name="rating"') == 5
    for n in range(1, 6):
        assert f'<label for="rating-{n}">{n} – ' in page
    assert '<label for="text">' in page and 'maxlength="2000"' in page and ":focus-visible" in page
    assert (
        "We store your answer, the text and the date — not who you are, not which interview, not the time of day."
        in visible(page)
    )


@pytest.mark.sqlite
async def test_an_answer_is_stored_once_with_no_identity(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running, emails=("ana@example.com",))
    async with running.http.post(url, data={"rating": "4", "text": "Kind people.\r\nClear questions."}) as resp:
        assert resp.status == 200
        assert "Thank you. Your answer is stored without your name" in visible(await resp.text())
    [row] = await rows(running)
    assert (row.source, row.rating, row.text) == ("candidate", 4, "Kind people.\nClear questions.")
    assert type(row.day) is date and row.day == datetime.now(UTC).date()
    engine = sa.create_engine(running.graph.config.server.database_url.replace("+aiosqlite", ""))
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("feedback")}
        used = {c["name"] for c in sa.inspect(conn).get_columns("feedbacklinkused")}
        raw = conn.execute(sa.text("SELECT * FROM feedback")).one()
    engine.dispose()
    assert columns == {"id", "source", "category", "rating", "text", "day"}
    assert used == {"marker"}  # nothing in common with feedback, not even the day
    assert "ana@example.com" not in repr(raw) and "fb-1" not in repr(raw)
    assert raw.day == row.day.isoformat()  # a date, not a timestamp


async def test_a_second_post_with_the_same_link_is_410_and_stores_nothing(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running)
    async with running.http.post(url, data={"rating": "5"}) as resp:
        assert resp.status == 200
    async with running.http.post(url, data={"rating": "1", "text": "again"}) as resp:
        assert resp.status == 410 and resp.content_type == "text/html"
        assert "This link has already been used" in visible(await resp.text())
    async with running.http.get(url) as resp:
        assert resp.status == 410
        assert "This link has already been used" in visible(await resp.text())
    assert [r.rating for r in await rows(running)] == [5]
    async with unit_of_work(running.graph.sessions) as session:
        assert (await session.exec(select(func.count()).select_from(FeedbackLinkUsed))).one() == 1


async def test_an_expired_link_is_a_friendly_404(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running, ended_ago=timedelta(days=31))
    for method in ("GET", "POST"):
        async with running.http.request(method, url, data={"rating": "3"}) as resp:
            assert resp.status == 404 and resp.content_type == "text/html"
            assert "This feedback link has expired." in visible(await resp.text())
    assert await rows(running) == []


async def test_a_link_still_works_on_day_29(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running, ended_ago=timedelta(days=29))
    async with running.http.get(url) as resp:
        assert resp.status == 200


async def test_an_invalid_or_tampered_link_is_a_friendly_404(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running)
    for bad in (f"{running.url}/f/not-a-token", url[:-2] + ("AA" if not url.endswith("AA") else "BB")):
        for method in ("GET", "POST"):
            async with running.http.request(method, bad, data={"rating": "3"}) as resp:
                assert resp.status == 404 and resp.content_type == "text/html"
                assert "This feedback link isn't valid." in visible(await resp.text())
    assert await rows(running) == []


async def test_a_link_for_an_interview_not_yet_over_does_not_open(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running, ended_ago=timedelta(hours=-2))
    async with running.http.get(url) as resp:
        assert resp.status == 404
        assert "This feedback link opens once the interview is over." in visible(await resp.text())


async def test_the_link_is_stable_when_the_ats_sends_the_interview_again(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    data = interview("stable")
    _, first = await running.post_interviews(data)
    _, again = await running.post_interviews(data)
    assert first["interviews"][0]["candidate_feedback_url"] == again["interviews"][0]["candidate_feedback_url"]


async def test_a_missing_rating_is_422_with_the_error_by_the_field_and_the_text_kept(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running)
    async with running.http.post(url, data={"text": "Felt <rushed> & cold"}) as resp:
        assert resp.status == 422 and resp.content_type == "text/html"
        page = await resp.text()
    assert re.search(
        r'<legend>[^<]+</legend>\s*<p class="error" id="rating-error">Choose a number from 1 to 5.</p>', page
    )
    assert '<fieldset id="rating" aria-describedby="rating-error"' in page
    assert ">Felt &lt;rushed&gt; &amp; cold</textarea>" in page
    assert "<title>Error: " in page and 'role="alert"' in page
    assert await rows(running) == []
    async with running.http.post(url, data={"rating": "2", "text": "Felt rushed"}) as resp:
        assert resp.status == 200  # the link still works after a validation error
    assert [r.rating for r in await rows(running)] == [2]


async def test_an_out_of_range_rating_or_too_long_text_is_422(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running)
    async with running.http.post(url, data={"rating": "6"}) as resp:
        assert resp.status == 422
        assert "Choose a number from 1 to 5." in visible(await resp.text())
    long = "x" * 2001
    async with running.http.post(url, data={"rating": "3", "text": long}) as resp:
        assert resp.status == 422
        page = await resp.text()
    assert "Keep it to 2,000 characters or fewer (this is 2,001)." in visible(page)
    assert f">{long}</textarea>" in page and 'id="rating-3" name="rating" value="3" checked' in page
    async with running.http.post(url, data={"rating": "3", "text": "y" * 2000}) as resp:
        assert resp.status == 200
    assert [len(r.text) for r in await rows(running)] == [2000]


async def test_a_json_or_empty_post_is_a_422_page_not_an_error(start_app: StartApp) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running)
    async with running.http.post(url, json={"rating": 5}) as resp:
        assert resp.status == 422 and resp.content_type == "text/html"
    async with running.http.post(url) as resp:
        assert resp.status == 422
    assert await rows(running) == []


async def test_logs_never_carry_the_text(start_app: StartApp, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # production runs at INFO (aiohttp.access even quieter)
    logging.getLogger("aiohttp.access").setLevel(logging.INFO)
    running = await start_app(playground=False)
    url = await feedback_url(running)
    async with running.http.post(url, data={"rating": "1", "text": "secret-words-from-the-candidate"}) as resp:
        assert resp.status == 200
    async with running.http.get(f"{running.url}/healthz") as resp:
        assert resp.status == 200
    assert "secret-words-from-the-candidate" not in caplog.text
    assert url.rsplit("/", 1)[1] not in caplog.text  # nor the link that could be traced back
    assert "/f/" not in caplog.text  # nor a line that dates the answer (or carries the browser's user agent)
    assert "GET /healthz HTTP" in caplog.text  # the access log itself is on


async def test_a_failure_on_our_side_is_a_calm_page_that_logs_no_answer(
    start_app: StartApp, caplog: pytest.LogCaptureFixture
) -> None:
    running = await start_app(playground=False)
    url = await feedback_url(running)
    async with running.graph.engine.begin() as conn:  # a real database failure, whose PostgreSQL message quotes the row
        await refuse_inserts(conn, "feedback")
    async with running.http.post(url, data={"rating": "3", "text": "private words"}) as resp:
        assert resp.status == 503 and resp.content_type == "text/html"
        assert "Please try the link again in a few minutes." in visible(await resp.text())
    # logged by its type only, and that type carries nothing of the row: the database's message is withheld
    assert re.search(r"candidate feedback page failed: Withheld$", caplog.text, re.M)
    assert "private words" not in caplog.text


@pytest.mark.parametrize("padding", ["!!!!", "%C3%A9", "........", "=", "~"])
async def test_a_padded_link_is_refused_before_and_after_it_is_used(start_app: StartApp, padding: str) -> None:
    """The decoder tolerates trailing junk; the link is accepted only as the exact token we issued."""
    running = await start_app(playground=False)
    url = await feedback_url(running)
    for method in ("GET", "POST"):
        async with running.http.request(method, url + padding, data={"rating": "3", "text": "padded"}) as resp:
            assert resp.status == 404 and resp.content_type == "text/html"
            assert "This link doesn't work This feedback link isn't valid." in visible(await resp.text())
    assert await rows(running) == []
    async with running.http.post(url, data={"rating": "5"}) as resp:
        assert resp.status == 200
    for attempt in (url, url + padding):
        async with running.http.post(attempt, data={"rating": "1", "text": "again"}) as resp:
            assert resp.status in (404, 410)
    async with running.http.post(url, data={"rating": "1"}) as resp:
        assert resp.status == 410
        assert "This link has already been used" in visible(await resp.text())
    assert [r.rating for r in await rows(running)] == [5]


async def test_a_changed_last_character_that_decodes_to_the_same_signature_is_refused(start_app: StartApp) -> None:
    """Base64's last character carries spare bits: a sibling character decodes to the same bytes."""
    running = await start_app(playground=False)
    url = await feedback_url(running)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(url[-1])
    siblings = [url[:-1] + alphabet[(last & ~3) | n] for n in range(4) if (last & ~3) | n != last]
    for sibling in siblings:
        async with running.http.post(sibling, data={"rating": "2"}) as resp:
            assert resp.status == 404
            assert "This feedback link isn't valid." in visible(await resp.text())
    assert await rows(running) == []
