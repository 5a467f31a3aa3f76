"""Stats through the real core and database: figures, filters, threshold, trend."""

from __future__ import annotations

from typing import Any

from bot.events import Actor, ButtonClicked, CommandIssued
from fairloop.compose import Graph
from tests.support.core import Clock, MakeCore, answered, text_of


async def stats(graph: Graph, **kw: Any) -> dict[str, Any]:
    return (await graph.reports.stats(**kw)).to_json()


async def test_figures_are_computed_from_the_answers(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core(min_group_size=1)
    await answered(
        graph,
        [
            ("Platform", "ana@x.io", "all"),
            ("Platform", "raj@x.io", "rubric-no"),
            ("Platform", "mia@x.io", "all"),
            ("Platform", "tom@x.io", "none"),
        ],
        clock=clock,
    )
    s = await stats(graph, period="7d")
    assert (s["prompts_sent"], s["checkins"], s["suppressed"]) == (4, 3, False)
    assert s["response_rate"] == 0.75
    assert s["all_practices_rate"] == round(2 / 3, 4)
    assert s["practices"] == {
        "structured": 1.0,
        "rubric": round(2 / 3, 4),
        "accommodations": 1.0,
        "on_topic": 1.0,
        "candidate_time": 1.0,
    }
    # the median as the range it falls in, never one person's exact time
    assert (s["median_time_to_answer_seconds"], s["median_time_to_answer"]) == (900, "under 15m")


async def test_groups_under_the_threshold_say_not_enough_responses(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core(min_group_size=2)
    await answered(
        graph,
        [
            ("Platform", "a@x.io", "all"),
            ("Platform", "b@x.io", "all"),
            ("Platform", "c@x.io", "all"),
            ("Data", "d@x.io", "all"),
            ("Data", "e@x.io", "all"),
            ("Sales", "f@x.io", "all"),
        ],
        clock=clock,
    )
    assert (await stats(graph, period="7d"))["checkins"] == 6
    assert (await stats(graph, period="7d", team="platform"))["checkins"] == 3  # case-insensitive team names
    data = await stats(
        graph, period="7d", team="Data"
    )  # Data (2) is hidden with Sales (1): 6 - 3 - 2 would reveal Sales
    assert data["suppressed"] and data["checkins"] is None and data["reason"] == "not enough responses yet"
    assert (await stats(graph, period="7d", team="Sales"))["suppressed"]
    reply = await graph.interactions.on_command(
        CommandIssued(actor=Actor(platform="playground", user_id="a@x.io"), text="stats 7d team:Sales")
    )
    assert "not enough responses yet" in str(reply.message.text) and reply.message.private


async def test_unknown_team_and_bad_period_get_a_friendly_answer(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core(min_group_size=1)
    await answered(graph, [("Platform", "a@x.io", "all")], clock=clock)
    actor = Actor(platform="playground", user_id="a@x.io", email="a@x.io")
    reply = await graph.interactions.on_command(CommandIssued(actor=actor, text="stats team:Nope"))
    assert str(reply.message.text) == "I don't know a team called 'Nope'. Known: Platform."
    reply = await graph.interactions.on_command(CommandIssued(actor=actor, text="stats 12d"))
    assert str(reply.message.text) == "I didn't understand '12d'. Try stats 30d team:Platform role:Engineer."
    spans = reply.message.text.spans
    assert spans[1].user and spans[1].text == "'12d'"  # what they typed stays their text
    assert [s.text for s in spans if s.code] == ["stats 30d team:Platform role:Engineer"]  # what to type, as code


async def test_stats_command_shows_each_practice_and_the_trend_basis(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core(min_group_size=1)
    await answered(graph, [("Platform", "a@x.io", "rubric-no"), ("Platform", "b@x.io", "all")], clock=clock)
    reply = await graph.interactions.on_command(
        CommandIssued(actor=Actor(platform="playground", user_id="a@x.io"), text="stats 30d team:Platform")
    )
    text = text_of(reply.message)
    assert "rubric before discussion: 50%" in text and "Response rate" in text and "Median time to answer" in text
    assert "not enough responses then" in text  # there is no previous period to compare with


async def test_me_is_private_and_lets_reminders_be_turned_off(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core(min_group_size=1)
    await answered(graph, [("Platform", "a@x.io", "all"), ("Platform", "a@x.io", "none")], clock=clock)
    actor = Actor(platform="playground", user_id="a@x.io", email="a@x.io")
    reply = await graph.interactions.on_command(CommandIssued(actor=actor, text="me"))
    assert reply.message.private and str(reply.message.text) == "You answered 1 of 2 check-ins in the last 90 days."
    off = await graph.interactions.on_button(ButtonClicked(actor=actor, action_id="me.reminders_off", value=""))
    fields = next(b for b in off.message.blocks if hasattr(b, "items")).items
    assert ("Reminders", "off") in [(label, str(value)) for label, value in fields]


async def test_help_why_and_unknown_commands(make_core: MakeCore, clock: Clock) -> None:
    graph = await make_core()
    actor = Actor(platform="playground", user_id="a@x.io")
    help_ = await graph.interactions.on_command(CommandIssued(actor=actor, text="help"))
    assert "stats [7d|30d|90d|quarter]" in text_of(help_.message)
    why = await graph.interactions.on_command(CommandIssued(actor=actor, text="why"))
    assert "Legal basis" in str(why.message.blocks[1].text) and "fewer than 5 check-ins" in str(
        why.message.blocks[1].text
    )
    links = [s.url for b in why.message.blocks for s in getattr(b, "text", None).spans if s.url] if why.message else []
    assert graph.config.core.privacy_url in links  # why links to the privacy policy and its threat model
    unknown = await graph.interactions.on_command(CommandIssued(actor=actor, text="dance"))
    assert str(unknown.message.blocks[0].text).startswith("I don't know dance yet. Here's what I can do:")
