"""SlackOutbox against the fake Web API: lookups, DMs with metadata, undeliverable people, retries, throttling."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.slack import SlackOutbox, make_client
from bot.errors import Undeliverable
from bot.messages import Actions, Button, Message, Section
from bot.ports import Recipient
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import ANA


def prompt(pid: int) -> Message:
    buttons = (Button(label="All practices followed", action_id="checkin.all", value=str(pid), style="primary"),)
    return Message(text="Quick inclusivity check-in", blocks=(Section(text="How did it go?"), Actions(buttons=buttons)))


@pytest.fixture
async def outbox(fake_slack: FakeSlack) -> AsyncIterator[SlackOutbox]:
    async with aiohttp.ClientSession() as session:
        yield SlackOutbox(client=make_client(token=fake_slack.token, base_url=fake_slack.base_url, session=session))


async def test_first_dm_looks_the_person_up_and_carries_the_prompt_id(
    fake_slack: FakeSlack, outbox: SlackOutbox
) -> None:
    delivery = await outbox.send_direct(recipient=Recipient(person_id=1, email="Ana@Example.com"), message=prompt(7))
    assert (delivery.user_id, delivery.timezone) == (ANA, "Europe/Berlin")
    assert delivery.conversation == "D0ANA0001" and delivery.message_id
    assert delivery.address["dm_channel"] == "D0ANA0001"
    [post] = fake_slack.called("chat.postMessage")
    assert post["channel"] == "D0ANA0001" and post["text"] == "Quick inclusivity check-in"
    assert post["metadata"] == {"event_type": "fairloop_prompt", "event_payload": {"prompt_id": "7"}}
    assert [c.method for c in fake_slack.calls] == ["users.lookupByEmail", "conversations.open", "chat.postMessage"]


async def test_a_known_person_is_messaged_without_lookups(fake_slack: FakeSlack, outbox: SlackOutbox) -> None:
    known = Recipient(person_id=1, email="ana@example.com", platform_user_id=ANA, address={"dm_channel": "D0ANA0001"})
    await outbox.send_direct(recipient=known, message=prompt(8))
    assert [c.method for c in fake_slack.calls] == ["chat.postMessage"]


async def test_an_email_not_in_slack_is_undeliverable_with_the_reason(
    fake_slack: FakeSlack, outbox: SlackOutbox
) -> None:
    with pytest.raises(Undeliverable) as caught:
        await outbox.send_direct(recipient=Recipient(person_id=2, email="ghost@example.com"), message=prompt(9))
    assert "users_not_found" in caught.value.reason
    assert fake_slack.called("chat.postMessage") == []


async def test_server_errors_are_retried_and_the_message_sent_once(fake_slack: FakeSlack, outbox: SlackOutbox) -> None:
    fake_slack.failures["chat.postMessage"] = [503, 502]
    await outbox.send_direct(recipient=Recipient(person_id=1, email="ana@example.com"), message=prompt(10))
    statuses = [c.status for c in fake_slack.calls if c.method == "chat.postMessage"]
    assert statuses == [503, 502, 200]


async def test_update_replaces_the_message_in_place(fake_slack: FakeSlack, outbox: SlackOutbox) -> None:
    sent = await outbox.send_direct(recipient=Recipient(person_id=1, email="ana@example.com"), message=prompt(11))
    await outbox.update(conversation=sent.conversation, message_id=sent.message_id, message=Message(text="Recorded"))
    [update] = fake_slack.called("chat.update")
    assert (update["channel"], update["ts"], update["text"]) == (sent.conversation, sent.message_id, "Recorded")


async def test_throttled_api_still_delivers_every_prompt_exactly_once(
    fake_slack: FakeSlack, outbox: SlackOutbox
) -> None:
    """200 new interviewers, sent one after another as the dispatcher does, at 20 requests/s per method."""
    n, limit = 200, 20
    for i in range(n):
        fake_slack.add_user(f"person{i}@example.com", f"U{i:08d}")
    fake_slack.limits = dict.fromkeys(("users.lookupByEmail", "conversations.open", "chat.postMessage"), limit)
    started = time.monotonic()
    for i in range(n):
        await outbox.send_direct(recipient=Recipient(person_id=i, email=f"person{i}@example.com"), message=prompt(i))
    elapsed = time.monotonic() - started
    posted = Counter(p["metadata"]["event_payload"]["prompt_id"] for p in fake_slack.called("chat.postMessage"))
    throttled = sum(1 for c in fake_slack.calls if c.status == 429)
    ideal = n / limit
    print(f"\n{n} prompts at {limit} req/s per method: {elapsed:.1f}s (limit allows {ideal:.0f}s), {throttled} x 429")
    assert len(posted) == n and set(posted.values()) == {1}
    assert throttled > 0
    assert elapsed < ideal * 2.5


async def test_a_bad_bot_token_is_an_operator_problem_not_a_person_problem(
    fake_slack: FakeSlack,
    start_app,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    import logging
    from datetime import UTC, datetime, timedelta

    from sqlmodel import select

    from storage.models import Prompt
    from tests.support.app import interview
    from tests.support.slack.signing import SIGNING_SECRET

    caplog.set_level(logging.INFO)
    running = await start_app(slack_bot_token="xoxb-revoked", slack_signing_secret=SIGNING_SECRET,
                              slack_api_url=fake_slack.base_url, playground=False)  # fmt: skip
    status, _ = await running.post_interviews(interview("bad-token", emails=("ana@example.com",)))
    assert status == 200
    deadline = time.monotonic() + 5
    while "slack refuses fairloop" not in caplog.text:
        assert time.monotonic() < deadline, caplog.text
        await asyncio.sleep(0.05)
    # the refusal is logged as the send gives up; its outcome (wait for an operator) is written a moment later,
    # with whatever other sends finish meanwhile (bot/delivery/outcomes.py)
    deadline = time.monotonic() + 5
    while True:
        async with running.graph.sessions() as session:
            [prompt] = (await session.exec(select(Prompt))).all()
        assert prompt.claimed_until is not None
        if prompt.claimed_until.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(minutes=4):
            break
        assert time.monotonic() < deadline, f"the prompt is claimed only until {prompt.claimed_until}"
        await asyncio.sleep(0.05)
    assert (prompt.state, prompt.reason) == ("scheduled", None)  # nobody is blamed; it waits for an operator
    assert "the bot token is not valid (SLACK_BOT_TOKEN) (invalid_auth)" in caplog.text
    assert "Traceback" not in caplog.text and fake_slack.called("chat.postMessage") == []
