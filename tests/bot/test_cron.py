"""Digest schedules: standard crontab read in the digest's timezone, and fairloop.toml entries validated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cron import CronError, days_of_week, next_runs
from bot.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("0,6", "sun,sat"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("1/3", "mon,thu"),
        ("Sunday", "sun"),
        ("*", "*"),
    ],
)
def test_day_of_week_follows_standard_cron_where_0_and_7_are_sunday(field: str, names: str) -> None:
    assert days_of_week(field) == names


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("8", "day-of-week '8' is not 0-7 or a day name"),
        ("funday", "day-of-week 'funday' is not 0-7 or a day name"),
        ("5-1", "day-of-week range '5-1' runs backwards"),
        ("*/0", "day-of-week step '0' is not a positive number"),
    ],
)
def test_bad_days_are_refused_by_name(field: str, message: str) -> None:
    with pytest.raises(CronError) as caught:
        days_of_week(field)
    assert str(caught.value) == message


def test_runs_are_read_in_the_digests_own_timezone() -> None:
    after = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
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
        ('cron = "0 9 * * 8"', "digests[0]: cron day-of-week '8' is not 0-7 or a day name"),
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
        load_settings()
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
    s = load_settings()
    assert s.digest(None) == s.digest("WEEKLY") and s.digest("weekly").timezone == "Europe/Berlin"
    assert [(g.team, g.metric, g.target) for g in s.goals] == [("", "response", 0.9), ("Platform", "rubric", 0.85)]
    assert s.alerts is not None and (s.alerts.platform, s.alerts.channel) == ("teams", "Recruiting DEI")


def test_digest_names_are_unique(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _toml(tmp_path, monkeypatch, DIGEST + DIGEST)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == "digests: digest names must be unique"


def test_day_of_month_and_day_of_week_together_match_either_as_in_cron() -> None:
    runs = next_runs("0 9 1 * mon", "UTC", after=datetime(2026, 11, 25, tzinfo=UTC), count=3)
    assert [r.date().isoformat() for r in runs] == ["2026-11-30", "2026-12-01", "2026-12-07"]  # a Monday, the 1st


def test_the_hour_that_repeats_when_clocks_go_back_has_one_wall_clock_time() -> None:
    runs = next_runs("30 2 * * *", "Europe/Berlin", after=datetime(2026, 10, 24, 12, 0, tzinfo=UTC), count=2)
    assert [r.replace(tzinfo=None).isoformat() for r in runs] == ["2026-10-25T02:30:00", "2026-10-25T02:30:00"]
    assert runs[0].astimezone(UTC) != runs[1].astimezone(
        UTC
    )  # two instants, CEST then CET: the digest claims the wall-clock time, so one is sent


def test_a_digest_without_a_timezone_uses_fairloop_timezone_and_goals_name_real_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _toml(tmp_path, monkeypatch, DIGEST)
    monkeypatch.setenv("FAIRLOOP_TIMEZONE", "America/Chicago")
    assert load_settings().digest("weekly").timezone == "America/Chicago"
    _toml(tmp_path, monkeypatch, '[[goals]]\nmetric = "rubrik"\ntarget = "90%"\n')
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == (
        "goals: goal 1: metric 'rubrik' is not response, all_practices or a practice "
        "(structured, rubric, accommodations, on_topic, candidate_time)"
    )


def test_runs_stop_at_until() -> None:
    after = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    minutes = next_runs("* * * * *", "UTC", after=after, count=61, until=after.replace(minute=3))
    assert [r.minute for r in minutes] == [0, 1, 2, 3]  # `after` itself counts when it matches
    assert next_runs("0 9 * * mon", "UTC", after=after, count=61, until=after.replace(hour=8, minute=59)) == []
