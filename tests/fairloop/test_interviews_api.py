"""Interview intake through the webhook: upsert, reschedule, cancel, interviewers added and removed."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from storage.db import unit_of_work
from storage.models import Interview, Person, Prompt
from tests.support.app import Running, StartApp, eventually, interview
from tests.support.postgres import needs_postgres, throwaway_database


async def test_single_interview_answer_has_the_contract_shape(start_app: StartApp) -> None:
    running = await start_app(prompt_delay="5m", playground=False)
    data = interview("gh-4711", emails=("Ana@Example.com", "raj@example.com"))
    status, body = await running.post_interviews(data)
    assert status == 200
    [item] = body["interviews"]
    assert item["external_id"] == "gh-4711" and isinstance(item["id"], int)
    assert [p["interviewer"] for p in item["prompts"]] == ["ana@example.com", "raj@example.com"]
    assert {p["state"] for p in item["prompts"]} == {"scheduled"}
    ends = data["ends_at"].replace("Z", "")
    assert item["prompts"][0]["due_at"][:16] > ends[:16]  # five minutes after the end
    base = running.graph.config.core.base_url
    assert item["candidate_feedback_url"].startswith(base + "/f/")
    assert len(item["candidate_feedback_url"]) > len(base + "/f/") + 20  # a signed token, not a bare id


async def test_every_interview_in_a_batch_gets_its_own_feedback_link(start_app: StartApp) -> None:
    running = await start_app(prompt_delay="1h", playground=False, public_url="https://fairloop.example.com/")
    _, body = await running.post_interviews({"interviews": [interview("l-1"), interview("l-2")]})
    urls = [item["candidate_feedback_url"] for item in body["interviews"]]
    assert all(u.startswith("https://fairloop.example.com/f/") for u in urls) and len(set(urls)) == 2


async def test_sending_the_same_interview_again_changes_nothing(start_app: StartApp) -> None:
    running = await start_app(prompt_delay="1h", playground=False)
    data = interview("same")
    _, first = await running.post_interviews(data)
    _, again = await running.post_interviews(data)
    assert first == again
    async with unit_of_work(running.graph.sessions) as session:
        assert len(list(await session.exec(select(Interview)))) == 1
        assert len(list(await session.exec(select(Prompt)))) == 1


async def test_a_new_end_moves_unsent_prompts(start_app: StartApp) -> None:
    running = await start_app(prompt_delay="5m", playground=False)
    data = dict(interview("moved"), starts_at="2030-01-10T09:00:00Z", ends_at="2030-01-10T10:00:00Z")
    _, before = await running.post_interviews(data)
    assert before["interviews"][0]["prompts"][0]["due_at"] == "2030-01-10T10:05:00Z"
    _, after = await running.post_interviews(
        dict(data, starts_at="2030-01-10T14:00:00+02:00", ends_at="2030-01-10T15:30:00+02:00")
    )
    assert after["interviews"][0]["prompts"][0]["due_at"] == "2030-01-10T13:35:00Z"


async def test_cancel_cancels_unsent_prompts_and_rescheduling_brings_them_back(start_app: StartApp) -> None:
    running = await start_app(prompt_delay="1h", playground=False)
    data = interview("c-1", emails=("ana@example.com", "raj@example.com"))
    await running.post_interviews(data)
    _, cancelled = await running.post_interviews(dict(data, status="cancelled"))
    assert [(p["state"], p["reason"]) for p in cancelled["interviews"][0]["prompts"]] == [
        ("cancelled", "interview cancelled"),
        ("cancelled", "interview cancelled"),
    ]
    _, back = await running.post_interviews(dict(data, status="scheduled"))
    assert {p["state"] for p in back["interviews"][0]["prompts"]} == {"scheduled"}


async def test_interviewers_added_get_prompts_and_removed_ones_are_cancelled(start_app: StartApp) -> None:
    running = await start_app(prompt_delay="1h", playground=False)
    await running.post_interviews(interview("team", emails=("ana@example.com", "raj@example.com")))
    _, body = await running.post_interviews(interview("team", emails=("ana@example.com", "mia@example.com")))
    prompts = {p["interviewer"]: p for p in body["interviews"][0]["prompts"]}
    assert prompts["ana@example.com"]["state"] == "scheduled"
    assert prompts["mia@example.com"]["state"] == "scheduled"
    assert (prompts["raj@example.com"]["state"], prompts["raj@example.com"]["reason"]) == (
        "cancelled",
        "removed from the interview",
    )


async def test_sent_prompts_are_not_cancelled_by_a_late_cancellation(start_app: StartApp) -> None:
    running = await start_app(playground=True)
    data = interview("sent-then-cancelled")
    await running.post_interviews(data)

    async def sent() -> bool:
        async with unit_of_work(running.graph.sessions) as session:
            return (await session.exec(select(Prompt))).one().state == "sent"

    await eventually(sent)
    _, body = await running.post_interviews(dict(data, status="cancelled"))
    assert body["interviews"][0]["prompts"][0]["state"] == "sent"


async def test_batch_upserts_and_never_stores_candidate_names(start_app: StartApp) -> None:
    running = await start_app(prompt_delay="1h", playground=False)
    batch = {
        "interviews": [interview(f"b-{i}", candidate_name="Jane Doe", candidate_email="jane@x.org") for i in range(50)]
    }
    status, body = await running.post_interviews(batch)
    assert status == 200 and len(body["interviews"]) == 50
    async with unit_of_work(running.graph.sessions) as session:
        people = [p.email for p in await session.exec(select(Person))]
        assert people == ["ana@example.com"]
        dump = repr(list(await session.exec(select(Interview))))
    assert "Jane" not in dump and "jane@x.org" not in dump


async def _same_new_interview_at_once(running: Running, calls: int = 4) -> None:
    data = interview("race-1", emails=("new-a@example.com", "new-b@example.com"))
    answers = await asyncio.gather(*(running.post_interviews(data) for _ in range(calls)))
    assert [status for status, _ in answers] == [200] * calls, answers
    assert len({body["interviews"][0]["id"] for _, body in answers}) == 1
    async with unit_of_work(running.graph.sessions) as session:
        assert [i.external_id for i in await session.exec(select(Interview))] == ["race-1"]
        assert len(list(await session.exec(select(Prompt)))) == 2
        assert len(list(await session.exec(select(Person)))) == 2


async def test_simultaneous_calls_creating_the_same_interview_all_get_200_and_one_interview(
    start_app: StartApp,
) -> None:
    await _same_new_interview_at_once(await start_app(prompt_delay="1h", playground=False))


@needs_postgres
async def test_simultaneous_calls_creating_the_same_interview_on_postgres(start_app: StartApp) -> None:
    async with throwaway_database() as url:
        running = await start_app(prompt_delay="1h", playground=False, database_url=url)
        await _same_new_interview_at_once(running, calls=8)
        await running.server.close()  # before its database is dropped
