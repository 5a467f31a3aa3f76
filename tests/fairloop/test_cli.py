"""The command line as a user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.cli import run


def write_csv(path: Path, n: int, *, bad_line: int | None = None) -> None:
    ends = datetime.now(UTC) - timedelta(days=1)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["external_id", "role", "team", "stage", "starts_at", "ends_at", "interviewers", "candidate_ref"])
        for i in range(n):
            end = ends - timedelta(minutes=i)
            start = (end + timedelta(hours=1)) if bad_line == i + 2 else end - timedelta(hours=1)
            w.writerow(
                [
                    f"csv-{i}",
                    "Engineer",
                    ["Platform", "Data"][i % 2],
                    "onsite",
                    start.isoformat(),
                    end.isoformat(),
                    f"a{i % 7}@example.com;b{i % 5}@example.com",
                    f"ref-{i}",
                ]
            )


def test_import_reports_progress_and_skips_bad_rows_by_line(tmp_path: Path) -> None:
    path = tmp_path / "interviews.csv"
    write_csv(path, 300, bad_line=5)
    result = run(tmp_path, "interviews", "import", str(path))
    assert result.returncode == 1, result.stderr
    assert "imported 299 interviews" in result.stdout
    assert "\n  line 5: ends_at must be after starts_at\n" in result.stderr
    assert "importing" in result.stderr  # the progress bar
    again = run(tmp_path, "interviews", "import", str(path))
    assert "imported 299 interviews" in again.stdout  # upsert: importing twice changes nothing


def test_import_refuses_a_file_without_the_needed_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,name\n1,Jane\n")
    result = run(tmp_path, "interviews", "import", str(path))
    assert result.returncode == 2
    assert "column external_id: missing from the header" in result.stderr


def test_stats_json_prints_the_contract_object(tmp_path: Path) -> None:
    path = tmp_path / "interviews.csv"
    write_csv(path, 20)
    assert run(tmp_path, "interviews", "import", str(path)).returncode == 0
    result = run(tmp_path, "stats", "--json", "--period", "7d")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {
        "period",
        "prompts_sent",
        "checkins",
        "response_rate",
        "all_practices_rate",
        "practices",
        "suppressed",
    } <= data.keys()
    assert data["period"] == "7d" and data["suppressed"] is True and data["reason"] == "not enough responses yet"


def test_stats_rejects_an_unknown_period_in_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "stats", "--period", "fortnight")
    assert result.returncode == 2
    assert result.stderr.strip() == "fairloop: I don't know the period 'fortnight'; try 7d, 30d, 90d or quarter."


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "serve", FAIRLOOP_PORT="http")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "fairloop: FAIRLOOP_PORT: Input should be a valid integer, unable to parse string as an integer"
    )


DIGESTS_TOML = """
admins = ["priya@example.com"]
[[digests]]
name = "weekly-sync"
platform = "playground"
channel = "recruiting-dei-sync"
cron = "0 9 * * 1"
timezone = "Europe/Berlin"
audience = "joint"
"""


def test_digest_schedule_preview_and_send(tmp_path: Path) -> None:
    (tmp_path / "fairloop.toml").write_text(DIGESTS_TOML, encoding="utf-8")
    env = {"FAIRLOOP_CONFIG": str(tmp_path / "fairloop.toml")}
    schedule = run(tmp_path, "digest", "schedule", "--count", "2", **env)
    assert schedule.returncode == 0, schedule.stderr
    line = schedule.stdout.strip()
    assert line.startswith("weekly-sync (0 9 * * 1, Europe/Berlin, 7d, joint → playground recruiting-dei-sync): Mon ")
    assert line.count("Mon ") == 2 and line.count("09:00") == 2
    preview = run(tmp_path, "digest", "preview", **env)
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.startswith("Recruitment × DEI sync · ")
    assert "Check-ins: not enough responses yet (figures appear once there are 5)." in preview.stdout
    sent = run(tmp_path, "digest", "send", "weekly-sync", **env)
    assert (sent.returncode, sent.stdout.strip()) == (0, "sent weekly-sync to recruiting-dei-sync (playground)")
    unknown = run(tmp_path, "digest", "send", "monthly", **env)
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2,
        "fairloop: I don't know a digest called 'monthly' (weekly-sync).",
    )


def test_export_prints_aggregates_for_everyone_and_each_team(tmp_path: Path) -> None:
    path = tmp_path / "interviews.csv"
    write_csv(path, 20)
    assert run(tmp_path, "interviews", "import", str(path)).returncode == 0
    result = run(tmp_path, "export", "--period", "7d", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [r["scope"] for r in rows] == ["everyone", "team:Data", "team:Platform"]
    assert {r["suppressed"] for r in rows} == {"True"} and {r["checkins"] for r in rows} == {""}  # no answers yet
    as_json = run(tmp_path, "export", "--period", "7d", "--format", "json", "--out", str(tmp_path / "a.json"))
    assert as_json.stdout.strip() == f"wrote 3 rows to {tmp_path / 'a.json'}"
    assert len(json.loads((tmp_path / "a.json").read_text())["rows"]) == 3
    bad = run(tmp_path, "export", "--format", "xml")
    assert (bad.returncode, bad.stderr.strip()) == (2, "fairloop: --format 'xml': use csv or json")


def test_purge_reports_what_it_removed(tmp_path: Path) -> None:
    path = tmp_path / "interviews.csv"
    write_csv(path, 10)  # ended a day ago
    assert run(tmp_path, "interviews", "import", str(path)).returncode == 0
    kept = run(tmp_path, "purge")
    assert (kept.returncode, kept.stdout.strip()) == (0, "purged nothing older than 730 days")
    gone = run(tmp_path, "purge", FAIRLOOP_RETENTION="0s")
    assert gone.returncode == 0 and gone.stdout.strip().startswith("purged 20 prompts, 10 interviews")
    monthly = run(tmp_path, "export", "--monthly")  # nothing was answered, so no monthly counts were kept
    assert (monthly.returncode, monthly.stdout) == (0, "scope,month,suppressed,checkins,all_practices_rate\n")


def test_control_characters_in_a_name_reach_the_terminal_as_visible_escapes(tmp_path: Path) -> None:
    hostile = "\x1b]0;owned\x07\x1b[2JPlatform"  # sets the window title, then clears the screen
    path = tmp_path / "interviews.csv"
    write_csv(path, 4)
    path.write_text(path.read_text().replace("Platform", hostile).replace("Data", hostile))
    assert run(tmp_path, "interviews", "import", str(path)).returncode == 0
    result = run(tmp_path, "stats", "--team", hostile)  # a team from the ATS, named in the answer's heading
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;owned\\x07\\x1b[2JPlatform" in result.stdout
