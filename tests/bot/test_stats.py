"""Stats through the real core and database: figures, filters, threshold, trend."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.events import Actor, ButtonClicked, CommandIssued, FormSubmitted
from storage.db import unit_of_work
from storage.models import Interview, Prompt
from tests.conftest import Running, StartApp, eventually, interview

RUBRIC_NO = {"structured": "yes", "rubric": "no", "accommodations": "na", "on_topic": "yes", "candidate_time": "yes"}


async def answered(
    running: Running, plan: list[tuple[str, str, str]], *, ended_ago: timedelta = timedelta(minutes=1)
) -> None:
    """plan: (team, email, answer) where answer is 'all', 'rubric-no' or 'none'; interviews ended `ended_ago`."""
    tag = f"s{int(ended_ago.total_seconds())}"
    await running.core.ingest(
        {
            "interviews": [
                interview(f"{tag}-{i}", team=t, emails=(e,), ended_ago=ended_ago) for i, (t, e, _) in enumerate(plan)
            ]
        }
    )

    async def all_sent() -> bool:
        await running.core.dispatch_due()
        async with unit_of_work(running.core.sessions) as session:
            return not any(p.state == "scheduled" for p in await session.exec(select(Prompt)))

    await eventually(all_sent)
    async with unit_of_work(running.core.sessions) as session:
        rows = await session.exec(
            select(Interview.external_id, Prompt.id).join(Prompt, Prompt.interview_id == Interview.id)
        )
        prompts = dict(rows.all())
    for i, (_, email, answer) in enumerate(plan):
        actor = Actor(platform="playground", user_id=email, email=email)
        prompt_id = str(prompts[f"{tag}-{i}"])
        if answer == "all":
            await running.core.on_button(ButtonClicked(actor=actor, action_id="checkin.all", value=prompt_id))
        elif answer == "rubric-no":
            reply = await running.core.on_form(
                FormSubmitted(actor=actor, form_id="checkin.detail", context=prompt_id, values=RUBRIC_NO)
            )
            assert not reply.errors


async def stats(running: Running, **kw: Any) -> dict[str, Any]:
    return (await running.core.stats(**kw)).to_json()


async def test_figures_are_computed_from_the_answers(start_app: StartApp) -> None:
    running = await start_app(min_group_size=1)
    await answered(
        running,
        [
            ("Platform", "ana@x.io", "all"),
            ("Platform", "raj@x.io", "rubric-no"),
            ("Platform", "mia@x.io", "all"),
            ("Platform", "tom@x.io", "none"),
        ],
    )
    s = await stats(running, period="7d")
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
    assert s["median_time_to_answer_seconds"] is not None and s["median_time_to_answer_seconds"] < 60


async def test_groups_under_the_threshold_say_not_enough_responses(start_app: StartApp) -> None:
    running = await start_app(min_group_size=2)
    await answered(
        running,
        [
            ("Platform", "a@x.io", "all"),
            ("Platform", "b@x.io", "all"),
            ("Platform", "c@x.io", "all"),
            ("Data", "d@x.io", "all"),
            ("Data", "e@x.io", "all"),
            ("Sales", "f@x.io", "all"),
        ],
    )
    assert (await stats(running, period="7d"))["checkins"] == 6
    assert (await stats(running, period="7d", team="platform"))["checkins"] == 3  # case-insensitive team names
    data = await stats(
        running, period="7d", team="Data"
    )  # Data (2) is hidden with Sales (1): 6 - 3 - 2 would reveal Sales
    assert data["suppressed"] and data["checkins"] is None and data["reason"] == "not enough responses yet"
    assert (await stats(running, period="7d", team="Sales"))["suppressed"]
    reply = await running.core.on_command(
        CommandIssued(actor=Actor(platform="playground", user_id="a@x.io"), text="stats 7d team:Sales")
    )
    assert "not enough responses yet" in reply.message.text and reply.message.private


async def test_unknown_team_and_bad_period_get_a_friendly_answer(start_app: StartApp) -> None:
    running = await start_app(min_group_size=1)
    await answered(running, [("Platform", "a@x.io", "all")])
    actor = Actor(platform="playground", user_id="a@x.io", email="a@x.io")
    reply = await running.core.on_command(CommandIssued(actor=actor, text="stats team:Nope"))
    assert reply.message.text == "I don't know a team called 'Nope'. Known: Platform."
    reply = await running.core.on_command(CommandIssued(actor=actor, text="stats 12d"))
    assert reply.message.text == "I didn't understand '12d'. Try `stats 30d team:Platform role:Engineer`."


async def test_stats_command_shows_each_practice_and_the_trend_basis(start_app: StartApp) -> None:
    running = await start_app(min_group_size=1)
    await answered(running, [("Platform", "a@x.io", "rubric-no"), ("Platform", "b@x.io", "all")])
    reply = await running.core.on_command(
        CommandIssued(actor=Actor(platform="playground", user_id="a@x.io"), text="stats 30d team:Platform")
    )
    text = repr(reply.message.blocks)
    assert "rubric before discussion: 50%" in text and "Response rate" in text and "Median time to answer" in text
    assert "not enough responses then" in text  # there is no previous period to compare with


async def test_me_is_private_and_lets_reminders_be_turned_off(start_app: StartApp) -> None:
    running = await start_app(min_group_size=1)
    await answered(running, [("Platform", "a@x.io", "all"), ("Platform", "a@x.io", "none")])
    actor = Actor(platform="playground", user_id="a@x.io", email="a@x.io")
    reply = await running.core.on_command(CommandIssued(actor=actor, text="me"))
    assert reply.message.private and reply.message.text == "You answered 1 of 2 check-ins in the last 90 days."
    off = await running.core.on_button(ButtonClicked(actor=actor, action_id="me.reminders_off", value=""))
    assert ("Reminders", "off") in next(b for b in off.message.blocks if hasattr(b, "items")).items


async def test_help_why_and_unknown_commands(start_app: StartApp) -> None:
    running = await start_app()
    actor = Actor(platform="playground", user_id="a@x.io")
    help_ = await running.core.on_command(CommandIssued(actor=actor, text="help"))
    assert "stats [7d|30d|90d|quarter]" in help_.message.blocks[0].text
    why = await running.core.on_command(CommandIssued(actor=actor, text="why"))
    assert "Legal basis" in why.message.blocks[1].text and "fewer than 5 check-ins" in why.message.blocks[1].text
    unknown = await running.core.on_command(CommandIssued(actor=actor, text="dance"))
    assert unknown.message.blocks[0].text.startswith("I don't know `dance` yet. Here's what I can do:")
