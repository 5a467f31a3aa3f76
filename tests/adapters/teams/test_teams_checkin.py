"""Scenario: an interview becomes a proactive Teams card; Action.Execute invokes answer it in place."""

from __future__ import annotations

from conftest import ANA, MIA, RAJ, TeamsHarness, actions_of, card_text


async def test_interview_becomes_a_card_in_the_interviewers_chat(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.interview("gh-1", ANA.email)
    message_id, card = await teams.wait_for_prompt(ANA)

    assert message_id.startswith("act-")
    assert "Senior Backend Engineer" in card_text(card)
    verbs = set(actions_of(card))
    assert {"checkin.all", "checkin.detail", "checkin.concern", "checkin.not_mine"} <= verbs
    post = teams.connector.posts(ANA.conversation)[-1]
    assert post.authorization is None  # unauthenticated local mode sends no token to the loopback connector
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


async def test_bot_removed_from_chat_makes_the_prompt_undeliverable(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    teams.connector.fail_next(ANA.conversation, status=403, code="BotNotInConversationRoster")
    await teams.interview("gh-7", ANA.email)
    prompt = await teams.wait_for_state("gh-7", ANA.email, "undeliverable")
    assert "BotNotInConversationRoster" in prompt["reason"]


async def test_throttled_sends_are_retried(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    welcome = len(teams.connector.posts(ANA.conversation))
    teams.connector.fail_next(ANA.conversation, status=429, code="Throttled", times=2, retry_after="0")
    await teams.interview("gh-8", ANA.email)
    await teams.wait_for_prompt(ANA)
    attempts = teams.connector.posts(ANA.conversation)[welcome:]
    assert len(attempts) == 3 and attempts[-1].response_id is not None
