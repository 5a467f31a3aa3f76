"""The sync digest, goals and admin commands through the real core and database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import Undeliverable
from bot.messages import Message
from bot.ports import Delivery
from schedules.jobs import digest_run
from storage.models import PlaygroundPost
from tests.support.app import StartApp, eventually
from tests.support.core import (
    ANA,
    WEEKLY,
    MakeCore,
    answered,
    answered_days_ago,
    command,
    posts,
    text_of,
)
from tests.support.outbox import FakeOutbox

PLAN = [
    ("Platform", "ana@x.io", "all"),
    ("Platform", "raj@x.io", "all"),
    ("Platform", "mia@x.io", "all"),
    ("Data", "sofia@x.io", "all"),
    ("Data", "omar@x.io", "rubric-no"),
    ("Sales", "eva@x.io", "all"),
]


async def test_the_digest_shows_trends_weakest_practice_teams_goals_and_a_shout_out(make_core: MakeCore) -> None:
    graph = await make_core(
        min_group_size=2,
        admins=["priya@example.com"],
        digests=[WEEKLY],
        goals=[{"metric": "response", "target": "90%"}, {"metric": "all_practices", "target": 0.9}],
        leadership_message="Fair interviews are how we hire the best. — CTO",
    )
    await answered_days_ago(graph, PLAN)
    digest = (await command(graph, "digest preview weekly-sync")).message
    text = text_of(digest)
    today = datetime.now(UTC).date()
    first = today - timedelta(days=7)
    title = str(digest.blocks[0].text)
    assert title.startswith("Recruitment × DEI sync · ")
    assert f"{first.day}" in title and f"{(today - timedelta(days=1)).day}" in title
    assert "Check-ins 6 (response 100%) · all practices followed 83%" in text
    assert "Weakest practice: rubric before discussion 83% → training: https://example.com/fair-interviewing" in text
    # Sales (1) is under the threshold; Data (2) is hidden with it, or Sales = total - Platform - Data
    assert "Teams: Data — not enough responses yet · Platform 100% · Sales — not enough responses yet" in text
    assert "Goals: response ≥ 90% ✓ · all practices ≥ 90% (83%)" in text
    assert "Open concerns: none." in text and "Feedback: none this period." in text
    assert "Shout-out: Platform team, 100% response. Thank you!" in text
    assert "Fair interviews are how we hire the best. — CTO" in text
    assert digest.private is True  # a preview is for the admin who asked


async def test_a_digest_hides_everything_under_the_threshold(make_core: MakeCore) -> None:
    graph = await make_core(min_group_size=10, admins=["priya@example.com"], digests=[WEEKLY])
    await answered_days_ago(graph, PLAN)
    text = text_of((await command(graph, "digest")).message)
    assert "Check-ins: not enough responses yet (figures appear once there are 10)." in text
    assert "100%" not in text and "83%" not in text and "Shout-out" not in text


async def test_todays_check_ins_wait_for_the_next_digest(make_core: MakeCore) -> None:
    graph = await make_core(min_group_size=1, admins=["priya@example.com"], digests=[WEEKLY])
    await answered_days_ago(graph, [("Platform", "ana@x.io", "all")], days=0)
    assert "Check-ins: not enough responses yet" in text_of((await command(graph, "digest preview")).message)


async def test_admin_commands_refuse_others_politely(make_core: MakeCore) -> None:
    graph = await make_core(admins=["priya@example.com"], digests=[WEEKLY])
    for text in ("digest preview", "digest send", "goal set all response 90%"):
        reply = await command(graph, text, actor=ANA)
        sub = text.split()[0]
        assert str(reply.message.text) == (
            f"{sub} is for fairloop admins (listed in fairloop.toml). Anyone can use stats and goals."
        )
    assert await posts(graph, "#recruiting-dei-sync") == []


async def test_goals_are_set_by_admins_and_checked_against_the_figures(make_core: MakeCore) -> None:
    graph = await make_core(
        min_group_size=1, admins=["priya@example.com"], goals=[{"metric": "response", "target": 0.8}]
    )
    await answered_days_ago(graph, PLAN)
    set_reply = await command(graph, "goal set platform all_practices 95%")
    assert (
        str(set_reply.message.text) == "Goal set: Platform: all practices ≥ 95%. It shows in goals and in the digests."
    )
    await command(graph, "goal set all response 99")  # replaces the fairloop.toml goal for everyone
    goals = text_of((await command(graph, "goals", actor=ANA)).message)
    assert "• response ≥ 99% ✓" in goals and "• Platform: all practices ≥ 95% ✓" in goals
    assert "80%" not in goals
    bad = {
        "goal set Nowhere response 90%": "I don't know a team called 'Nowhere'. Known: Data, Platform, Sales.",
        "goal set all speed 90%": "I don't know the metric 'speed'. Try one of: accommodations, all_practices, "
        "candidate_time, on_topic, response, rubric, structured.",
        "goal set all response lots": "That target doesn't work: 'lots' is not a target like 90% or 0.9. Try 90% or 0.9.",
        "goal set all response 120%": "That target doesn't work: '120%' is more than 100%. Try 90% or 0.9.",
        "goal set": "Try goal set Platform response 90% (or all for everyone).",
        "goal list": "Try goal set Platform response 90% (or all for everyone).",
        "digest frobnicate": "Try digest preview [name] or digest send [name].",
        "digest preview monthly": "I don't know a digest called 'monthly' (none configured).",
    }
    for text, expected in bad.items():
        assert str((await command(graph, text)).message.text) == expected, text


async def test_digest_send_posts_to_its_channel_and_a_scheduled_time_is_sent_once(make_core: MakeCore) -> None:
    graph = await make_core(min_group_size=1, admins=["priya@example.com"], digests=[WEEKLY])
    await answered_days_ago(graph, PLAN)
    reply = await command(graph, "digest send")
    assert str(reply.message.text) == "Sent the weekly-sync digest to recruiting-dei-sync (playground)."
    [post] = await posts(graph, "#recruiting-dei-sync")
    assert "Recruitment × DEI sync" in post.body["text"] and "6 check-ins" in post.body["text"]
    every_minute = digest_run(graph.delivery, "weekly-sync", "* * * * *", "UTC")
    assert await every_minute() == 1 and await every_minute() == 0  # the same minute is claimed once
    assert len(await posts(graph, "#recruiting-dei-sync")) == 2  # the manual one and one scheduled


async def test_a_digest_for_a_platform_that_is_not_connected_is_refused(make_core: MakeCore) -> None:
    slack_digest = {**WEEKLY, "platform": "slack", "channel": "C0123456789"}
    graph = await make_core(admins=["priya@example.com"], digests=[slack_digest])
    reply = await command(graph, "digest send weekly-sync")
    assert str(reply.message.text) == "The digest 'weekly-sync' posts to slack, which isn't connected here."


async def test_a_team_above_90_percent_two_periods_running_is_recognised(make_core: MakeCore) -> None:
    graph = await make_core(min_group_size=1, admins=["priya@example.com"], digests=[WEEKLY])
    await answered(graph, [("Data", "sofia@x.io", "all"), ("Data", "omar@x.io", "all")], ended_ago=timedelta(days=9))
    await answered_days_ago(graph, [("Data", "kim@x.io", "all")])
    text = text_of((await command(graph, "digest preview")).message)
    assert "Shout-out: Data team, 100% response, 90% or more two periods running. Thank you!" in text


async def test_a_scheduled_time_repeated_by_the_clock_change_is_posted_once(make_core: MakeCore) -> None:
    berlin = {**WEEKLY, "timezone": "Europe/Berlin", "cron": "30 2 * * *"}
    graph = await make_core(min_group_size=1, admins=["priya@example.com"], digests=[berlin])
    cest = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    cet = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later
    assert await graph.delivery.send_scheduled_digest("weekly-sync", due=cest) is True
    assert await graph.delivery.send_scheduled_digest("weekly-sync", due=cet) is False
    assert len(await posts(graph, "#recruiting-dei-sync")) == 1


async def test_a_goal_for_a_team_without_interviews_does_not_break_the_digest(make_core: MakeCore) -> None:
    goals = [{"team": "Sales", "metric": "response", "target": "90%"}, {"metric": "response", "target": "80%"}]
    graph = await make_core(min_group_size=1, admins=["priya@example.com"], digests=[WEEKLY], goals=goals)
    await answered_days_ago(graph, [("Platform", "ana@x.io", "all")])
    text = text_of((await command(graph, "digest preview")).message)
    assert "Goals: response ≥ 80% ✓ · Sales: response ≥ 90% (not enough responses yet)" in text
    assert "Sales: response ≥ 90% (not enough responses yet)" in text_of((await command(graph, "goals")).message)


async def test_a_quarterly_digest_on_the_first_day_reports_the_quarter_just_ended(make_core: MakeCore) -> None:
    quarterly = {**WEEKLY, "name": "quarterly", "period": "quarter", "timezone": "Europe/Berlin"}
    graph = await make_core(min_group_size=1, admins=["priya@example.com"], digests=[quarterly])
    spec = graph.delivery.digest_spec("quarterly")
    built = await graph.reports.digest(spec, now=datetime(2026, 10, 1, 7, 0, tzinfo=UTC))
    assert str(built.blocks[0].text) == "Recruitment × DEI sync · 1 Jul – 30 Sep"
    mid = await graph.reports.digest(spec, now=datetime(2026, 11, 25, 7, 0, tzinfo=UTC))
    assert str(mid.blocks[0].text) == "Recruitment × DEI sync · 1 Oct – 24 Nov"


async def test_a_scheduled_digest_whose_post_failed_is_posted_on_the_next_try(make_core: MakeCore) -> None:
    class Refusing(FakeOutbox):
        refuse = True

        async def post_channel(self, *, channel: str, message: Message) -> Delivery:
            if self.refuse:
                raise Undeliverable(f"cannot post to {channel} (not_in_channel)")
            return await super().post_channel(channel=channel, message=message)

    outbox = Refusing("slack")
    graph = await make_core(
        min_group_size=1,
        digests=[{**WEEKLY, "platform": "slack", "channel": "C0SYNC", "cron": "* * * * *"}],
        outboxes={"slack": outbox},
    )
    every_minute = digest_run(graph.delivery, "weekly-sync", "* * * * *", "UTC")
    with pytest.raises(Undeliverable):
        await every_minute()
    outbox.refuse = False  # someone invited the app to the channel
    assert await every_minute() == 1 and await every_minute() == 0
    assert [channel for channel, _ in outbox.channel_posts] == ["C0SYNC"]


async def test_the_running_app_posts_a_digest_whose_time_has_come(start_app: StartApp) -> None:
    running = await start_app(min_group_size=1, digests=[{**WEEKLY, "cron": "* * * * *"}])

    async def posted() -> list[PlaygroundPost]:
        return await posts(running.graph, "#recruiting-dei-sync")

    [post] = await eventually(posted)  # the scheduler sweeps digests at start-up, then every minute
    assert post.body["text"].startswith("Recruitment × DEI sync")
