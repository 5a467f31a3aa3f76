"""Digest schedules: standard crontab read in the digest's timezone, and fairloop.toml entries validated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.crontab import CronError, check, latest, next_runs
from bot.settings import SettingsError
from fairloop.config import load_config

WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "days"),
    [
        ("0", ["Sun"]),
        ("7", ["Sun"]),
        ("1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("mon-fri", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("0,6", ["Sat", "Sun"]),
        ("5-7", ["Fri", "Sat", "Sun"]),
        ("*/2", ["Sun", "Tue", "Thu", "Sat"]),
        ("1/3", ["Mon", "Thu", "Sun"]),  # 1, 4 and 7, as in Vixie cron
    ],
)
def test_day_of_week_follows_standard_cron_where_0_and_7_are_sunday(field: str, days: list[str]) -> None:
    runs = next_runs(f"0 9 * * {field}", "UTC", after=WEDNESDAY, count=len(days) * 3)
    assert sorted({r.strftime("%a") for r in runs}) == sorted(days)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 9 * * 8", "'0 9 * * 8': bad day-of-week"),
        ("0 9 * * funday", "'0 9 * * funday': bad day-of-week"),
        ("0 9 * * 5-1", "'0 9 * * 5-1': bad day-of-week"),
        ("0 9 * * */0", "'0 9 * * */0': bad day-of-week"),
        ("0 25 * * *", "'0 25 * * *': bad hour"),
        ("0 9 30 2 *", "'0 9 30 2 *': bad day-of-month"),
        ("0 9 * *", "'0 9 * *' needs 5 fields (minute hour day month day-of-week)"),
    ],
)
def test_bad_expressions_are_refused_naming_the_field(expression: str, message: str) -> None:
    with pytest.raises(CronError) as caught:
        check(expression)
    assert str(caught.value) == message


def test_runs_are_read_in_the_digests_own_timezone() -> None:
    after = WEDNESDAY
    berlin = next_runs("0 9 * * mon", "Europe/Berlin", after=after, count=2)
    assert [r.astimezone(UTC) for r in berlin] == [
        datetime(2026, 11, 30, 8, 0, tzinfo=UTC),  # 09:00 CET
        datetime(2026, 12, 7, 8, 0, tzinfo=UTC),
    ]
    [sunday] = next_runs("30 17 * * 0", "America/New_York", after=after, count=1)
    assert sunday.astimezone(UTC) == datetime(2026, 11, 29, 22, 30, tzinfo=UTC)  # Sunday 17:30 EST
    summer = next_runs("0 9 * * 1", "Europe/Berlin", after=datetime(2026, 6, 1, 0, 0, tzinfo=UTC), count=1)
    assert summer[0].astimezone(UTC) == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 CEST


def _toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "fairloop.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("FAIRLOOP_CONFIG", str(path))


DIGEST = '[[digests]]\nname = "weekly"\nplatform = "slack"\nchannel = "C1"\n'


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ('cron = "0 9 * *"', "digests[0]: cron '0 9 * *' needs 5 fields (minute hour day month day-of-week)"),
        ('cron = "0 9 * * 8"', "digests[0]: cron '0 9 * * 8': bad day-of-week"),
        ('timezone = "Mars/Olympus"', "digests[0].timezone: 'Mars/Olympus' is not an IANA timezone like Europe/Berlin"),
        ('period = "2w"', "digests[0].period: '2w' is not one of 7d, 30d, 90d, quarter"),
        ('audience = "everyone"', "digests[0].audience: Input should be 'joint', 'recruitment' or 'dei'"),
        ('colour = "red"', "digests[0].colour: Extra inputs are not permitted"),
    ],
)
def test_a_bad_digest_stops_start_up_naming_the_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, line: str
) -> None:
    _toml(tmp_path, monkeypatch, DIGEST + extra + "\n")
    with pytest.raises(SettingsError) as caught:
        load_config()
    assert str(caught.value) == line


def test_digests_goals_and_alerts_load_from_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _toml(
        tmp_path,
        monkeypatch,
        DIGEST
        + 'cron = "0 9 * * mon"\ntimezone = "Europe/Berlin"\naudience = "dei"\n'
        + '[[goals]]\nmetric = "response_rate"\ntarget = "90%"\n'
        + '[[goals]]\nteam = "Platform"\nmetric = "rubric"\ntarget = 0.85\n'
        + '[alerts]\nplatform = "teams"\nchannel = "Recruiting DEI"\n',
    )
    s = load_config().core
    assert s.digest(None) == s.digest("WEEKLY") and s.digest("weekly").timezone == "Europe/Berlin"
    assert [(g.team, g.metric, g.target) for g in s.goals] == [("", "response", 0.9), ("Platform", "rubric", 0.85)]
    assert s.alerts is not None and (s.alerts.platform, s.alerts.channel) == ("teams", "Recruiting DEI")


def test_digest_names_are_unique(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _toml(tmp_path, monkeypatch, DIGEST + DIGEST)
    with pytest.raises(SettingsError) as caught:
        load_config()
    assert str(caught.value) == "digests: digest names must be unique"


def test_day_of_month_and_day_of_week_together_match_either_as_in_cron() -> None:
    runs = next_runs("0 9 1 * mon", "UTC", after=datetime(2026, 11, 25, tzinfo=UTC), count=3)
    assert [r.date().isoformat() for r in runs] == ["2026-11-30", "2026-12-01", "2026-12-07"]  # a Monday, the 1st


def test_the_hour_that_repeats_when_clocks_go_back_runs_once_and_a_skipped_hour_still_runs() -> None:
    autumn = next_runs("30 2 * * *", "Europe/Berlin", after=datetime(2026, 10, 24, 12, 0, tzinfo=UTC), count=2)
    assert [r.replace(tzinfo=None).isoformat() for r in autumn] == ["2026-10-25T02:30:00", "2026-10-26T02:30:00"]
    spring = next_runs("30 2 * * *", "Europe/Berlin", after=datetime(2026, 3, 28, 12, 0, tzinfo=UTC), count=1)
    assert spring[0].replace(tzinfo=None).isoformat() == "2026-03-29T03:00:00"  # 02:30 did not exist that night


def test_the_latest_run_is_found_by_going_back() -> None:
    monday_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    assert latest("0 9 * * mon", "Europe/Berlin", now=monday_9) == monday_9  # the moment itself counts
    assert latest("0 9 * * mon", "Europe/Berlin", now=monday_9.replace(minute=59)) == monday_9
    assert latest("0 9 * * mon", "Europe/Berlin", now=monday_9.replace(hour=7)).date().isoformat() == "2026-11-23"


def test_a_digest_without_a_timezone_uses_fairloop_timezone_and_goals_name_real_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml(tmp_path, monkeypatch, DIGEST)
    monkeypatch.setenv("FAIRLOOP_TIMEZONE", "America/Chicago")
    assert load_config().core.digest("weekly").timezone == "America/Chicago"
    _toml(tmp_path, monkeypatch, '[[goals]]\nmetric = "rubrik"\ntarget = "90%"\n')
    with pytest.raises(SettingsError) as caught:
        load_config()
    assert str(caught.value) == (
        "goals: goal 1: metric 'rubrik' is not response, all_practices or a practice "
        "(structured, rubric, accommodations, on_topic, candidate_time)"
    )


def test_runs_stop_at_until() -> None:
    after = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    minutes = next_runs("* * * * *", "UTC", after=after, count=61, until=after.replace(minute=3))
    assert [r.minute for r in minutes] == [0, 1, 2, 3]  # `after` itself counts when it matches
    assert next_runs("0 9 * * mon", "UTC", after=after, count=61, until=after.replace(hour=8, minute=59)) == []
