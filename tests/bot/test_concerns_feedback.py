"""Concern alerts in the DEI channel and anonymous feedback, through the real core and database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.events import Actor, ButtonClicked, CommandIssued, FormSubmitted
from fairloop.compose import Graph
from storage.db import unit_of_work
from storage.models import Concern, Feedback, Prompt
from tests.support.core import ANA, PRIYA, WEEKLY, Clock, MakeCore, answered_days_ago, command, posts, text_of

DEI = {**WEEKLY, "name": "dei-weekly", "channel": "dei", "audience": "dei"}


async def raise_concern(graph: Graph, text: str) -> None:
    async with unit_of_work(graph.sessions) as session:
        [prompt] = (await session.exec(select(Prompt))).all()
    actor = Actor(platform="playground", user_id="ana@x.io", email="ana@x.io", display_name="Ana")
    form = FormSubmitted(actor=actor, form_id="checkin.concern", context=str(prompt.id), values={"text": text})
    reply = await graph.interactions.on_form(form)
    assert reply.notice is not None and "DEI team will follow up" in str(reply.notice.text)


async def test_a_concern_reaches_the_dei_channel_at_once_and_is_owned_and_resolved_there(
    make_core: MakeCore, clock: Clock
) -> None:
    graph = await make_core(min_group_size=1, admins=["priya@example.com"], digests=[WEEKLY, DEI])
    await answered_days_ago(graph, [("Platform", "ana@x.io", "none")], clock=clock)
    await raise_concern(graph, "The panel asked about family plans.")
    [alert] = await posts(graph, "#dei")  # the dei digest's channel, not the joint one
    assert "Concern raised · Platform" in alert.body["html"] and "family plans" in alert.body["html"]
    assert "Raised by" in alert.body["html"] and "by Ana:" in alert.body["text"]  # attributed, as the form says
    async with unit_of_work(graph.sessions) as session:
        [concern] = (await session.exec(select(Concern))).all()

    acked = await graph.interactions.on_button(
        ButtonClicked(actor=PRIYA, action_id="concern.ack", value=str(concern.id))
    )
    assert acked.message is not None
    shown = text_of(acked.message) + str(acked.message.blocks)
    assert "Owner: Priya" in shown and "acknowledged" in shown
    assert [b.label for b in acked.message.buttons()] == ["Resolve"]
    digest = text_of((await command(graph, "digest preview dei-weekly")).message)
    assert "Open concerns: 1 (oldest 0 days, owner Priya)." in digest

    done = await graph.interactions.on_button(
        ButtonClicked(actor=PRIYA, action_id="concern.resolve", value=str(concern.id))
    )
    assert [b.label for b in done.message.buttons()] == ["Reopen"]
    assert "Open concerns: none." in text_of((await command(graph, "digest preview dei-weekly")).message)
    stale = await graph.interactions.on_button(ButtonClicked(actor=PRIYA, action_id="concern.ack", value="999"))
    assert stale.notice is not None and str(stale.notice.text) == "That concern doesn't exist any more."


async def test_an_alert_channel_that_is_not_connected_leaves_the_concern_for_the_digest(
    make_core: MakeCore, clock: Clock
) -> None:
    graph = await make_core(min_group_size=1, alerts={"platform": "slack", "channel": "C0DEI"})
    await answered_days_ago(graph, [("Platform", "ana@x.io", "none")], clock=clock)
    await raise_concern(graph, "Rubric was shared after the debrief.")
    async with unit_of_work(graph.sessions) as session:
        [concern] = (await session.exec(select(Concern))).all()
    assert concern.status == "open"
    assert await posts(graph, "#C0DEI") == [] and await posts(graph, "#recruiting-dei-sync") == []


async def test_locally_with_nothing_configured_the_alert_goes_to_the_playground_channel(
    make_core: MakeCore, clock: Clock
) -> None:
    graph = await make_core(min_group_size=1)
    await answered_days_ago(graph, [("Platform", "ana@x.io", "none")], clock=clock)
    await raise_concern(graph, "Rubric was shared after the debrief.")
    [alert] = await posts(graph, "#recruiting-dei-sync")
    assert "Rubric was shared after the debrief." in alert.body["text"]


async def test_anonymous_feedback_keeps_nothing_about_the_sender(
    make_core: MakeCore, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # what production logs; aiosqlite's DEBUG echoes every SQL parameter
    graph = await make_core(min_group_size=2, admins=["priya@example.com"], digests=[DEI])
    opened = await command(graph, "feedback", actor=ANA)
    assert opened.form is not None and opened.form.form_id == "feedback.anonymous"
    assert "not who you are, not the time of day" in str(opened.form.intro)

    def send(values: dict[str, str]) -> FormSubmitted:
        return FormSubmitted(actor=ANA, form_id="feedback.anonymous", context="", values=values)

    empty = await graph.interactions.on_form(send({"category": "", "text": " "}))
    assert empty.errors == {"category": "Pick what it is about.", "text": "Write a few words — it's anonymous."}
    too_long = await graph.interactions.on_form(send({"category": "process", "text": "x" * 2001}))
    assert too_long.errors == {"text": "Keep it to 2,000 characters or fewer (this is 2,001)."}

    yesterday = datetime.now(UTC) - timedelta(days=1)
    clock.set(yesterday)  # notes written yesterday, read in today's digest
    thanks = await graph.interactions.on_form(send({"category": "process", "text": "Onsite loops run too long."}))
    assert thanks.notice is not None and str(thanks.notice.text).startswith("Thank you. Stored anonymously")
    clock.set(None)
    digest = text_of((await command(graph, "digest preview dei-weekly")).message)
    assert "Feedback: 1 so far; shared once there are 2, so no one can be singled out." in digest
    assert "Onsite loops" not in digest

    await graph.interactions.on_form(send({"category": "checkins", "text": "Written today."}))
    digest = text_of((await command(graph, "digest preview dei-weekly")).message)
    assert "Feedback: 1 so far" in digest  # today's note waits for tomorrow's digest: no note is dated by the minute

    clock.set(yesterday)
    await graph.interactions.on_form(send({"category": "checkins", "text": "The check-in is quick, thanks."}))
    clock.set(None)
    digest = text_of((await command(graph, "digest preview dei-weekly")).message)
    notes = ("“Onsite loops run too long.”", "“The check-in is quick, thanks.”")
    # within a day, notes come in the order of their random keys: the digest doesn't tell which arrived first
    assert any(f"Feedback (2 anonymous notes): {a}, {b}" in digest for a, b in (notes, notes[::-1]))

    async with unit_of_work(graph.sessions) as session:
        rows = (await session.exec(select(Feedback))).all()
        columns = {c["name"] for c in await session.run_sync(lambda s: sa.inspect(s.bind).get_columns("feedback"))}
    assert columns == {"id", "source", "category", "rating", "text", "day"}  # no user, message or time column
    assert sorted((r.source, r.category) for r in rows) == [
        ("colleague", "checkins"),
        ("colleague", "checkins"),
        ("colleague", "process"),
    ]
    assert "ana@example.com" not in caplog.text and "Onsite loops" not in caplog.text


async def test_commands_list_every_feature(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core()
    reply = await graph.interactions.on_command(CommandIssued(actor=ANA, text="help"))
    shown = text_of(reply.message)
    for word in ("stats", "me", "feedback", "goals", "why", "digest preview|send", "goal set"):
        assert f"• {word}" in shown, word
    codes = [s.text for block in reply.message.blocks for b in getattr(block, "bullets", ()) for s in b.spans if s.code]
    assert "feedback" in codes and "goal set <team|all> <metric> <target>" in codes  # commands to type, as code


async def test_only_admins_pick_up_concerns_and_odd_values_get_a_kind_answer(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core(min_group_size=1, admins=["priya@example.com"], digests=[DEI])
    await answered_days_ago(graph, [("Platform", "ana@x.io", "none")], clock=clock)
    await raise_concern(graph, "Asked about the candidate's age.")
    async with unit_of_work(graph.sessions) as session:
        [concern] = (await session.exec(select(Concern))).all()
    refused = await graph.interactions.on_button(
        ButtonClicked(actor=ANA, action_id="concern.ack", value=str(concern.id))
    )
    assert refused.message is None and refused.notice is not None
    assert (
        str(refused.notice.text)
        == "Only fairloop admins (the DEI team, listed in fairloop.toml) can pick up or resolve concerns."
    )
    for value in ("²", "-1", "1e3", "9" * 20, ""):
        odd = await graph.interactions.on_button(ButtonClicked(actor=PRIYA, action_id="concern.ack", value=value))
        assert odd.notice is not None and str(odd.notice.text) == "That concern doesn't exist any more.", value
        click = await graph.interactions.on_button(ButtonClicked(actor=ANA, action_id="checkin.all", value=value))
        assert click.notice is not None and str(click.notice.text) == "That check-in doesn't exist any more.", value
    async with unit_of_work(graph.sessions) as session:
        [concern] = (await session.exec(select(Concern))).all()
    assert (concern.status, concern.owner) == ("open", None)
