"""Scenario: an interview becomes a proactive Teams card; Action.Execute invokes answer it in place."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlmodel import col, select, update

from fairloop.app import GRAPH
from storage.db import unit_of_work
from storage.models import Person, Prompt
from tests.support.teams.harness import ANA, MIA, RAJ, TeamsHarness, actions_of, card_text

ROSTER_REASON = "bot not in the person's Teams chat (BotNotInConversationRoster)"


async def _prompt_row(teams: TeamsHarness, email: str) -> Prompt:
    async with unit_of_work(teams.app[GRAPH].sessions) as session:
        person = (await session.exec(select(Person).where(Person.email == email))).one()
        return (await session.exec(select(Prompt).where(Prompt.person_id == person.id))).one()


async def test_interview_becomes_a_card_in_the_interviewers_chat(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.interview("gh-1", ANA.email)
    message_id, card = await teams.wait_for_prompt(ANA)

    assert message_id.startswith("act-")
    assert "Senior Backend Engineer" in card_text(card)
    verbs = set(actions_of(card))
    assert {"checkin.all", "checkin.detail", "checkin.concern", "checkin.not_mine"} <= verbs
    post = teams.connector.posts(ANA.conversation)[-1]
    assert post.authorization == "Bearer aad-token-1"  # the bot's token from Azure AD
    assert post.body["type"] == "message" and post.body["summary"]


async def test_one_click_records_and_returns_the_updated_card(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.interview("gh-2", ANA.email)
    message_id, card = await teams.wait_for_prompt(ANA)

    body = await teams.click(ANA, actions_of(card)["checkin.all"], message_id=message_id)
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Recorded" in card_text(body["value"])
    assert "checkin.change" in actions_of(body["value"])
    assert await teams.checkins() == 1

    again = await teams.click(ANA, actions_of(card)["checkin.all"], message_id=message_id)
    assert again["statusCode"] == 200 and "Recorded" in card_text(again["value"])
    assert await teams.checkins() == 1  # a repeat never adds a second check-in


async def test_another_users_click_is_refused(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.install(RAJ)
    await teams.interview("gh-3", ANA.email)
    message_id, card = await teams.wait_for_prompt(ANA)

    body = await teams.click(RAJ, actions_of(card)["checkin.all"], message_id=message_id)
    assert body["statusCode"] == 200
    assert "another interviewer" in card_text(body["value"])
    assert "checkin.all" not in actions_of(body["value"])
    assert await teams.checkins() == 0


async def test_detail_form_shows_errors_then_records_and_updates_in_place(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.interview("gh-4", ANA.email)
    message_id, card = await teams.wait_for_prompt(ANA)

    form = (await teams.click(ANA, actions_of(card)["checkin.detail"], message_id=message_id))["value"]
    submit = actions_of(form)["form:checkin.detail"]
    inputs = [e for e in form["body"] if e["type"] == "Input.ChoiceSet"]
    assert len(inputs) == 5 and all({c["value"] for c in e["choices"]} == {"yes", "no", "na"} for e in inputs)

    # Teams merges the inputs into the action's data; leave one practice unanswered first
    partial = {**submit["data"], **{e["id"]: "yes" for e in inputs[:-1]}, "note": "went well"}
    again = await teams.click(ANA, {**submit, "data": partial}, message_id=message_id)
    assert "form:checkin.detail" in actions_of(again["value"])  # the form comes back, with the error under the input
    assert len(card_text(again["value"])) > len(card_text(form))
    assert await teams.checkins() == 0

    complete = {**partial, inputs[-1]["id"]: "no"}
    done = await teams.click(ANA, {**submit, "data": complete}, message_id=message_id)
    assert "Recorded" in card_text(done["value"]) and "thank you" in card_text(done["value"]).lower()
    assert await teams.checkins() == 1
    updates = teams.connector.updates(ANA.conversation)
    assert [u.activity_id for u in updates] == [message_id]  # the prompt message itself was updated in place
    assert "Recorded" in card_text(teams.connector.cards(updates)[0])


async def test_concern_form_needs_text(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.interview("gh-5", ANA.email)
    message_id, card = await teams.wait_for_prompt(ANA)

    form = (await teams.click(ANA, actions_of(card)["checkin.concern"], message_id=message_id))["value"]
    submit = actions_of(form)["form:checkin.concern"]
    empty = await teams.click(ANA, {**submit, "data": {**submit["data"], "text": "  "}}, message_id=message_id)
    assert "form:checkin.concern" in actions_of(empty["value"])
    sent = await teams.click(ANA, {**submit, "data": {**submit["data"], "text": "Asked about family plans."}})
    assert "speaking up" in card_text(sent["value"])


async def test_no_reference_makes_the_prompt_undeliverable(teams: TeamsHarness) -> None:
    await teams.interview("gh-6", MIA.email)  # Mia never installed fairloop in Teams
    prompt = await teams.wait_for_state("gh-6", MIA.email, "undeliverable")
    assert "not installed in Teams" in prompt["reason"]
    assert teams.connector.posts() == []


async def test_stale_and_malformed_prompt_clicks_answer_with_a_valid_card(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    for value in ("424242", "not-a-prompt"):
        body = await teams.click(ANA, {"verb": "checkin.all", "data": {"value": value}})  # validates the card
        assert body["statusCode"] == 200
        assert card_text(body["value"]) == "That check-in doesn't exist any more."
        assert actions_of(body["value"]) == {}
    assert await teams.checkins() == 0


async def test_not_my_interview_answers_with_a_valid_card_and_cancels(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.interview("gh-9", ANA.email)
    message_id, card = await teams.wait_for_prompt(ANA)

    body = await teams.click(ANA, actions_of(card)["checkin.not_mine"], message_id=message_id)
    assert body["statusCode"] == 200
    assert "**not your interview**" in card_text(body["value"])
    assert set(actions_of(body["value"])) == {"checkin.change"}
    assert await teams.checkins() == 0
    prompt = await teams.wait_for_state("gh-9", ANA.email, "cancelled")
    assert prompt["reason"] == "not my interview"


async def test_bot_removed_from_chat_makes_the_prompt_undeliverable_and_stats_count_it(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.install(RAJ)
    teams.connector.fail_next(ANA.conversation, status=403, code="BotNotInConversationRoster")
    await teams.interview("gh-7", ANA.email, RAJ.email)
    prompt = await teams.wait_for_state("gh-7", ANA.email, "undeliverable")
    assert prompt["reason"] == ROSTER_REASON
    message_id, card = await teams.wait_for_prompt(RAJ)  # Raj's chat works; his answer makes the group visible
    await teams.click(RAJ, actions_of(card)["checkin.all"], message_id=message_id)

    teams.clock.tomorrow()  # figures cover whole days that are over
    stats = await teams.app[GRAPH].reports.stats(period="30d")
    assert stats.figures is not None and stats.figures.undeliverable_reasons == {ROSTER_REASON: 1}
    assert stats.to_json()["undeliverable"] == 1
    (answer,) = await teams.say(RAJ, "stats 30d")  # the card is validated by say()
    assert f"Could not deliver 1 prompt(s) ({ROSTER_REASON}: 1)." in card_text(answer)


async def test_a_throttled_send_honours_retry_after(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    welcome = len(teams.connector.posts(ANA.conversation))
    teams.connector.fail_next(ANA.conversation, status=429, code="Throttled", times=1, retry_after="2")
    await teams.interview("gh-8", ANA.email)
    await teams.wait_for_prompt(ANA)
    first, second = teams.connector.posts(ANA.conversation)[welcome:]
    assert (first.status, second.status) == (429, 201)
    # 2 s, as the header said: the backoff alone would have waited 0.5 s here
    assert 1.95 <= second.at - first.at < 3.5  # and not much more than the round trip after it


async def test_a_zero_retry_after_retries_at_once(teams: TeamsHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="adapters.teams.outbox")
    await teams.install(ANA)
    welcome = len(teams.connector.posts(ANA.conversation))
    teams.connector.fail_next(ANA.conversation, status=429, code="Throttled", times=2, retry_after="0")
    await teams.interview("gh-8", ANA.email)
    await teams.wait_for_prompt(ANA)
    attempts = teams.connector.posts(ANA.conversation)[welcome:]
    assert [a.status for a in attempts] == [429, 429, 201]
    # each retry waited 0 s, as the header said, where the backoff alone waits 0.5 s and then 1 s; the attempts'
    # own round trips (signed, through botbuilder) are what is left between them
    waits = [r.getMessage() for r in caplog.records if r.name == "adapters.teams.outbox" and "retrying" in r.message]
    assert waits == ["teams throttled (429); retrying in 0.0s"] * 2
    assert attempts[-1].at - attempts[0].at < 1.5


async def test_without_retry_after_the_waits_grow(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    welcome = len(teams.connector.posts(ANA.conversation))
    teams.connector.fail_next(ANA.conversation, status=429, code="Throttled", times=3)
    await teams.interview("gh-10", ANA.email)
    await teams.wait_for_prompt(ANA)
    attempts = teams.connector.posts(ANA.conversation)[welcome:]
    assert [a.status for a in attempts] == [429, 429, 429, 201]
    waits = [b.at - a.at for a, b in zip(attempts, attempts[1:], strict=False)]
    # doubling from 0.5 s: each wait is at least its backoff, plus at most a loaded machine's overhead
    for wait, backoff in zip(waits, (0.5, 1.0, 2.0), strict=True):
        assert backoff - 0.05 <= wait < backoff + 0.9, waits
    assert waits[0] < waits[1] < waits[2], waits


async def test_retries_stop_after_the_last_attempt_and_the_prompt_waits_for_a_later_run(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    welcome = len(teams.connector.posts(ANA.conversation))
    teams.connector.fail_next(ANA.conversation, status=429, code="Throttled", times=5, retry_after="0")
    await teams.interview("gh-11", ANA.email)
    await teams.wait_for(lambda: len(teams.connector.posts(ANA.conversation)) - welcome >= 5)
    await asyncio.sleep(1.5)  # more than a dispatcher interval: nothing else is tried meanwhile
    attempts = teams.connector.posts(ANA.conversation)[welcome:]
    assert [a.status for a in attempts] == [429] * 5  # the first try and 4 retries, then it stops

    prompt = await _prompt_row(teams, ANA.email)
    assert (prompt.state, prompt.claim, prompt.reason) == ("scheduled", None, None)  # not lost, not undeliverable
    assert prompt.claimed_until is not None and prompt.claimed_until > prompt.due_at  # held back for a while

    async with unit_of_work(teams.app[GRAPH].sessions) as session:  # let that while pass
        await session.exec(update(Prompt).where(col(Prompt.id) == prompt.id).values(claimed_until=Prompt.due_at))
    await teams.wait_for_prompt(ANA)
    assert [a.status for a in teams.connector.posts(ANA.conversation)[welcome:]] == [429] * 5 + [201]
    await teams.wait_for_state("gh-11", ANA.email, "sent")
