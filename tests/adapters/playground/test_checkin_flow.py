"""The check-in through the playground's HTTP API: one click, in place, once, only by the interviewer."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import func, select

from storage.db import unit_of_work
from storage.models import CheckIn, CheckInAnswer, Concern, PlaygroundPost, Prompt
from tests.support.app import Running, StartApp, eventually, interview

ANA = "ana@example.com"


async def call(running: Running, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with running.http.post(f"{running.url}/playground/api/{path}", json=body) as resp:
        return resp.status, await resp.json()


async def prompted(start_app: StartApp, **overrides: Any) -> tuple[Running, int, int]:
    running = await start_app(**overrides)
    await running.post_interviews(interview("p-1", emails=(ANA,)))

    async def delivered() -> Any:
        async with unit_of_work(running.graph.sessions) as session:
            prompt = (await session.exec(select(Prompt))).one()
            return prompt.state == "sent" and (prompt, (await session.exec(select(PlaygroundPost))).one())

    prompt, post = await eventually(delivered)
    assert post.conversation == ANA and prompt.state == "sent"
    return running, prompt.id or 0, post.id or 0


async def count(running: Running, model: Any) -> int:
    async with unit_of_work(running.graph.sessions) as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_the_prompt_names_role_stage_and_time_never_the_candidate(start_app: StartApp) -> None:
    running, _, post_id = await prompted(start_app)
    async with unit_of_work(running.graph.sessions) as session:
        html = (await session.get(PlaygroundPost, post_id)).body["html"]
    assert "Senior Backend Engineer" in html and "onsite" in html and "opaque-1" not in html
    for label in ("All practices followed", "Answer in detail", "Raise a concern", "Not my interview"):
        assert label in html
    assert "New here? fairloop in three lines." in html  # the first prompt ever explains fairloop


async def test_one_click_records_and_updates_in_place_and_again_changes_nothing(start_app: StartApp) -> None:
    running, prompt_id, post_id = await prompted(start_app)
    click = {"as": ANA, "action_id": "checkin.all", "value": str(prompt_id), "post_id": post_id}
    status, reply = await call(running, "action", click)
    assert status == 200 and "Recorded: all practices followed" in reply["message"]
    async with unit_of_work(running.graph.sessions) as session:
        assert "Recorded: all practices followed" in (await session.get(PlaygroundPost, post_id)).body["html"]
    results = await asyncio.gather(*(call(running, "action", click) for _ in range(5)))  # double clicks, racing
    assert all(status == 200 for status, _ in results)
    assert await count(running, CheckIn) == 1
    assert await count(running, CheckInAnswer) == 5
    async with unit_of_work(running.graph.sessions) as session:
        assert (await session.get(Prompt, prompt_id)).state == "answered"


async def test_someone_else_cannot_answer(start_app: StartApp) -> None:
    running, prompt_id, post_id = await prompted(start_app)
    status, reply = await call(
        running,
        "action",
        {"as": "raj@example.com", "action_id": "checkin.all", "value": str(prompt_id), "post_id": post_id},
    )
    assert status == 200
    assert "This check-in belongs to another interviewer" in reply["notice"] and "message" not in reply
    assert await count(running, CheckIn) == 0


async def test_answer_in_detail_validates_then_records_and_changes_the_same_checkin(start_app: StartApp) -> None:
    running, prompt_id, post_id = await prompted(start_app)
    _, reply = await call(running, "action", {"as": ANA, "action_id": "checkin.detail", "value": str(prompt_id)})
    assert 'data-form="checkin.detail"' in reply["form"] and 'name="rubric"' in reply["form"]
    status, bad = await call(
        running,
        "form",
        {
            "as": ANA,
            "form_id": "checkin.detail",
            "context": str(prompt_id),
            "values": {"structured": "yes", "rubric": "perhaps"},
        },
    )
    assert status == 200
    assert bad["errors"] == {
        "rubric": "Pick yes, no or not applicable.",
        "accommodations": "Pick yes, no or not applicable.",
        "on_topic": "Pick yes, no or not applicable.",
        "candidate_time": "Pick yes, no or not applicable.",
    }
    assert await count(running, CheckIn) == 0
    values = {
        "structured": "yes",
        "rubric": "no",
        "accommodations": "na",
        "on_topic": "yes",
        "candidate_time": "yes",
        "note": "debrief started before I scored",
    }
    status, ok = await call(
        running, "form", {"as": ANA, "form_id": "checkin.detail", "context": str(prompt_id), "values": values}
    )
    assert status == 200 and "Recorded" in ok["notice"]
    async with unit_of_work(running.graph.sessions) as session:
        html = (await session.get(PlaygroundPost, post_id)).body["html"]
        row = (await session.exec(select(CheckIn))).one()
    assert "3 of 4 practices followed" in html and "Write your rubric scores before the debrief" in html
    assert (row.kind, row.all_followed, row.note) == ("detail", False, "debrief started before I scored")
    await call(running, "action", {"as": ANA, "action_id": "checkin.all", "value": str(prompt_id), "post_id": post_id})
    async with unit_of_work(running.graph.sessions) as session:
        rows = list(await session.exec(select(CheckIn)))
    assert len(rows) == 1 and rows[0].all_followed and rows[0].kind == "all"


async def test_change_answer_offers_the_buttons_again(start_app: StartApp) -> None:
    running, prompt_id, post_id = await prompted(start_app)
    await call(running, "action", {"as": ANA, "action_id": "checkin.all", "value": str(prompt_id), "post_id": post_id})
    _, reply = await call(
        running, "action", {"as": ANA, "action_id": "checkin.change", "value": str(prompt_id), "post_id": post_id}
    )
    assert "Answer in detail" in reply["message"] and "stays recorded until you pick a new one" in reply["message"]
    assert await count(running, CheckIn) == 1


async def test_not_my_interview_leaves_the_figures(start_app: StartApp) -> None:
    running, prompt_id, post_id = await prompted(start_app)
    _, reply = await call(
        running, "action", {"as": ANA, "action_id": "checkin.not_mine", "value": str(prompt_id), "post_id": post_id}
    )
    assert "not your interview" in reply["message"]
    async with unit_of_work(running.graph.sessions) as session:
        prompt = await session.get(Prompt, prompt_id)
    assert (prompt.state, prompt.reason) == ("cancelled", "not my interview")


async def test_raise_a_concern_needs_text_and_is_stored_with_the_reporter(start_app: StartApp) -> None:
    running, prompt_id, _ = await prompted(start_app)
    _, reply = await call(running, "action", {"as": ANA, "action_id": "checkin.concern", "value": str(prompt_id)})
    assert 'data-form="checkin.concern"' in reply["form"]
    _, empty = await call(
        running, "form", {"as": ANA, "form_id": "checkin.concern", "context": str(prompt_id), "values": {"text": " "}}
    )
    assert empty["errors"] == {"text": "Tell us briefly what happened."}
    _, ok = await call(
        running,
        "form",
        {
            "as": ANA,
            "form_id": "checkin.concern",
            "context": str(prompt_id),
            "values": {"text": "Panel asked about family plans."},
        },
    )
    assert "Thank you for speaking up" in ok["notice"]
    async with unit_of_work(running.graph.sessions) as session:
        concern = (await session.exec(select(Concern))).one()
    assert concern.text == "Panel asked about family plans." and concern.status == "open" and concern.reporter_id


async def test_bad_playground_requests_get_4xx(start_app: StartApp) -> None:
    running = await start_app()
    async with running.http.post(f"{running.url}/playground/api/action", data="x") as resp:
        assert resp.status == 415 and (await resp.json())["error"] == "unsupported_media_type"
    async with running.http.post(
        f"{running.url}/playground/api/action", data="{", headers={"Content-Type": "application/json"}
    ) as resp:
        assert resp.status == 400 and (await resp.json())["error"] == "malformed_json"
    status, body = await call(running, "action", {"as": "", "action_id": "checkin.all", "value": "1"})
    assert status == 400 and body["detail"] == "Pick who you are (an email) first."
    status, body = await call(running, "action", {"as": ANA, "action_id": "checkin.all", "value": "999"})
    assert status == 200 and "That check-in doesn&#x27;t exist any more." in body["notice"]


async def test_the_sample_sends_its_recent_prompts_and_one_for_whoever_loaded_it(start_app: StartApp) -> None:
    running = await start_app()
    status, summary = await call(running, "sample", {"as": "Zed@Example.com"})
    assert status == 200 and summary["loaded"] is True and summary["teams"] == 4

    async def zed_prompted() -> Any:
        async with unit_of_work(running.graph.sessions) as session:
            posts = (
                await session.exec(select(PlaygroundPost).where(PlaygroundPost.conversation == "zed@example.com"))
            ).all()
            return posts and posts[0]

    async def states() -> dict[str, int]:
        async with unit_of_work(running.graph.sessions) as session:
            return dict((await session.exec(select(Prompt.state, func.count()).group_by(Prompt.state))).all())

    post = await eventually(zed_prompted)
    assert "All practices followed" in post.body["html"] and "Senior Backend Engineer" in post.body["html"]
    # every recent unanswered sample prompt goes out as a real DM
    final = await eventually(lambda: _nothing_scheduled(states))
    assert final["sent"] >= 2 and final["answered"] > 100
    prompts, posts = await count(running, Prompt), await count(running, PlaygroundPost)
    status, again = await call(running, "sample", {"as": "zed@example.com"})
    assert status == 200 and again == {"loaded": False, "detail": "The sample organisation is already loaded."}
    assert (await count(running, Prompt), await count(running, PlaygroundPost)) == (prompts, posts)


async def test_the_sample_needs_a_json_body(start_app: StartApp) -> None:
    running = await start_app()
    async with running.http.post(f"{running.url}/playground/api/sample", data=b"") as resp:
        assert resp.status == 415
        assert await resp.json() == {"error": "unsupported_media_type", "detail": "Send JSON."}


async def _nothing_scheduled(states: Any) -> dict[str, int] | None:
    now = await states()
    return None if now.get("scheduled") else now
