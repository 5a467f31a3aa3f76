"""Redraws of clicked cards (adapters/slack/redraws.py): while one chat.update of a card is on its way, later states
replace each other and only the last goes next; the card always ends showing the last state."""

from __future__ import annotations

import asyncio

import aiohttp

from adapters.slack import SlackOutbox, make_client
from adapters.slack.redraws import Redraws
from bot.messages import Message
from tests.support.slack.fake_slack import FakeSlack


async def test_a_burst_of_redraws_of_one_card_ends_with_its_last_state_in_fewer_calls(fake_slack: FakeSlack) -> None:
    fake_slack.delays["chat.update"] = 0.1  # Slack takes its time: later states pile up meanwhile
    async with aiohttp.ClientSession() as session:
        outbox = SlackOutbox(client=make_client(token=fake_slack.token, base_url=fake_slack.base_url, session=session))
        card = await outbox.post_channel(channel="D0ANA0001", message=Message(text="state 0"))
        other = await outbox.post_channel(channel="D0RAJ0001", message=Message(text="other 0"))
        redraws = Redraws(outbox=outbox)
        redraws.redraw(channel="D0ANA0001", ts=card.message_id, message=Message(text="state 1"))
        await asyncio.sleep(0.02)  # the first is on its way
        for n in range(2, 11):
            redraws.redraw(channel="D0ANA0001", ts=card.message_id, message=Message(text=f"state {n}"))
        redraws.redraw(channel="D0RAJ0001", ts=other.message_id, message=Message(text="other 1"))
        await redraws.drain(5.0)
    updates = fake_slack.called("chat.update")
    mine = [u["text"] for u in updates if u["channel"] == "D0ANA0001"]
    assert mine == ["state 1", "state 10"]  # the first at once, then only the latest of the nine that waited
    assert [u["text"] for u in updates if u["channel"] == "D0RAJ0001"] == ["other 1"]
    assert fake_slack.messages[("D0ANA0001", card.message_id)]["text"] == "state 10"
