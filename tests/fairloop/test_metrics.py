"""/metrics: HTTP figures plus product gauges for monitoring, and never who said what."""

from __future__ import annotations

from sqlmodel import select

from bot.events import Actor, ButtonClicked, FormSubmitted
from storage.db import unit_of_work
from storage.models import Prompt
from tests.support.app import StartApp, eventually, interview


async def test_metrics_count_prompts_and_concerns_but_never_feedback_or_people(start_app: StartApp) -> None:
    running = await start_app()
    status, _ = await running.post_interviews(interview("m-1", emails=("ana@example.com", "raj@example.com")))
    assert status == 200

    async def sent() -> bool:
        async with unit_of_work(running.graph.sessions) as session:
            return all(p.state == "sent" for p in (await session.exec(select(Prompt))).all())

    await eventually(sent)
    ana = Actor(platform="playground", user_id="ana@example.com", email="ana@example.com")
    form = FormSubmitted(
        actor=ana, form_id="feedback.anonymous", context="", values={"category": "other", "text": "Ana's note"}
    )
    await running.graph.interactions.on_form(form)
    async with unit_of_work(running.graph.sessions) as session:
        prompt = next(p for p in (await session.exec(select(Prompt))).all())
    await running.graph.interactions.on_button(ButtonClicked(actor=ana, action_id="checkin.all", value=str(prompt.id)))
    async with running.http.get(f"{running.url}/metrics") as resp:
        assert resp.status == 200
        text = await resp.text()
    assert 'fairloop_prompts{state="delivered"} 2.0' in text  # one answered, one not: a scrape can't tell which
    assert 'state="answered"' not in text and 'state="sent"' not in text
    assert "fairloop_feedback" not in text  # a live count would date each anonymous note
    assert "fairloop_concerns" in text and "ana" not in text.lower()


async def test_metrics_say_nothing_about_candidate_feedback_pages(start_app: StartApp) -> None:
    """A counter per status on POST /f/{token} would date each candidate's answer (and its latency histogram)."""
    running = await start_app(playground=False)
    _, body = await running.post_interviews(interview("m-2"))
    url = body["interviews"][0]["candidate_feedback_url"]
    url = running.url + url[url.index("/f/") :]
    async with running.http.get(url) as resp:
        assert resp.status == 200
    async with running.http.post(url, data={"rating": "4"}) as resp:
        assert resp.status == 200
    async with running.http.post(url, data={"rating": "4"}) as resp:
        assert resp.status == 410
    async with running.http.get(f"{running.url}/metrics") as resp:
        text = await resp.text()
    assert "/f/" not in text and 'route="/api/interviews"' in text
    assert 'status="410"' not in text
