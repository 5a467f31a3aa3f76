"""`fairloop ats sync` and `fairloop ats test` as a user runs them: a real process against the fake ATS APIs."""

from __future__ import annotations

import asyncio
import copy
import os
import sqlite3
import sys
from pathlib import Path

from tests.support.ats.fake_ats import FakeATS
from tests.support.ats.payloads import OPPORTUNITY, ashby_schedule, ats_env, gh_interview, lever_interview

FAIRLOOP = [sys.executable, "-m", "fairloop"]


async def run(tmp_path: Path, fake: FakeATS, *args: str, **extra: str) -> tuple[int, str, str]:
    """`fairloop ARGS` in a process of its own, with the connectors pointed at `fake`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAIRLOOP_", "SLACK_", "MICROSOFT_"))}
    env.update(
        FAIRLOOP_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        FAIRLOOP_CONFIG=str(tmp_path / "absent.toml"),
        **ats_env(fake),
    )
    env.update(extra)
    proc = await asyncio.create_subprocess_exec(
        *FAIRLOOP, *args, env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


def stored(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "cli.db") as db:
        return dict(db.execute("SELECT external_id, status FROM interview ORDER BY external_id"))


def waited_after_429(fake: FakeATS, path: str) -> float:
    calls = fake.called(path)
    i = next(i for i, c in enumerate(calls) if c.status == 429)
    return calls[i + 1].at - calls[i].at


async def test_ashby_sync_pages_honours_retry_after_shows_progress_and_is_idempotent(
    fake_ats: FakeATS, thirdparty: Path, tmp_path: Path
) -> None:
    for n in range(5):
        schedule = ashby_schedule(thirdparty, minutes_ago=n + 10)
        schedule["id"] = f"schedule-{n}"
        schedule["interviewEvents"][0]["id"] = f"event-{n}"
        fake_ats.ashby_schedules.append(copy.deepcopy(schedule))
    fake_ats.fail["/ashby/application.info"] = [(429, {"Retry-After": "1"})]
    code, out, err = await run(tmp_path, fake_ats, "ats", "sync", "ashby", "--since", "7d")
    assert code == 0, err
    assert "ashby: 5 seen, 5 interviews imported" in out
    assert "syncing ashby" in err  # the progress bar
    assert [c.body.get("cursor") for c in fake_ats.called("/ashby/interviewSchedule.list")] == [None, "2", "4"]
    assert waited_after_429(fake_ats, "/ashby/application.info") >= 1.0
    assert stored(tmp_path) == {f"ashby:schedule-{n}:event-{n}": "scheduled" for n in range(5)}
    fake_ats.ashby_schedules[0]["status"] = "Cancelled"
    code, out, _ = await run(tmp_path, fake_ats, "ats", "sync", "ashby")
    assert (code, "ashby: 5 seen" in out) == (0, True)
    assert list(stored(tmp_path).values()).count("cancelled") == 1 and len(stored(tmp_path)) == 5


async def test_lever_sync_follows_next_and_waits_out_a_429(fake_ats: FakeATS, thirdparty: Path, tmp_path: Path) -> None:
    for n in range(3):
        fake_ats.lever_interviews[f"opp-{n}"] = [lever_interview(thirdparty, id=f"iv-{n}")]
    fake_ats.fail["/lever/v1/opportunities"] = [(429, {"Retry-After": "1"})]
    code, out, err = await run(tmp_path, fake_ats, "ats", "sync", "lever", "--since", "30d")
    assert code == 0, err
    assert "lever: 4 seen, 4 interviews imported" in out and "syncing lever" in err
    assert [c.query.get("offset") for c in fake_ats.called("/lever/v1/opportunities")] == [None, None, "2"]
    assert waited_after_429(fake_ats, "/lever/v1/opportunities") >= 1.0
    assert set(stored(tmp_path)) == {
        "lever:iv-0",
        "lever:iv-1",
        "lever:iv-2",
        f"lever:{lever_interview(thirdparty)['id']}",
    }
    assert OPPORTUNITY in fake_ats.lever_interviews


async def test_greenhouse_sync_follows_the_link_cursor_alone_and_waits_out_a_429(
    fake_ats: FakeATS, tmp_path: Path
) -> None:
    fake_ats.gh["interviews"] = [gh_interview(100 + n, minutes_ago=n) for n in range(5)]
    fake_ats.gh["interviewers"] = [{"id": n, "interview_id": 100 + n, "email": "ana@example.com"} for n in range(5)]
    fake_ats.gh["interviews"].append(gh_interview(200, status="to_be_scheduled", starts_at=None, ends_at=None))
    fake_ats.fail["/greenhouse/v3/jobs"] = [(429, {"Retry-After": "1"})]
    code, out, err = await run(tmp_path, fake_ats, "ats", "sync", "greenhouse", "--since", "1d")
    assert code == 0, err
    assert "greenhouse: 6 seen, 5 interviews imported" in out and "syncing greenhouse" in err
    pages = fake_ats.called("/greenhouse/v3/interviews")
    assert len(pages) == 3 and all(set(p.query) == {"cursor"} for p in pages[1:])
    assert pages[0].query["per_page"] == "500" and "updated_at[gte]" in pages[0].query
    assert waited_after_429(fake_ats, "/greenhouse/v3/jobs") >= 1.0
    assert stored(tmp_path) == {f"greenhouse:{100 + n}": "scheduled" for n in range(5)}
    assert [c.body for c in fake_ats.called("/greenhouse/token")][0]["sub"] == "4080"


async def test_ats_test_prints_what_the_key_sees_and_a_bad_key_says_so(fake_ats: FakeATS, tmp_path: Path) -> None:
    fake_ats.ashby_schedules.append({"id": "s1", "status": "Scheduled", "applicationId": "3ae2b801-19f6-41ef-ad28-214bd731948f",
                                    "interviewStageId": "x", "interviewEvents": []})  # fmt: skip
    code, out, err = await run(tmp_path, fake_ats, "ats", "test", "ashby")
    assert code == 0, err
    assert (
        "the key is accepted" in out and "1 interview schedule(s) visible" in out and "'Senior Backend Engineer'" in out
    )
    code, out, _ = await run(tmp_path, fake_ats, "ats", "test", "greenhouse")
    assert code == 0 and "1 interview(s) visible" in out
    code, out, err = await run(tmp_path, fake_ats, "ats", "test", "lever", FAIRLOOP_LEVER_API_KEY="wrong")
    assert (code, err.strip()) == (1, "fairloop: lever: Lever refused the API key (401); check its permissions.")
