"""Benchmarks 4 and 2 on one `fairloop serve`: fan-out through a rate-limited fake Slack, then memory over clicks."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import fake_slack_server
from bench.clicks import click_round, pool_timeouts, unrecorded
from bench.common import Result, check, ratio
from bench.fake_slack_server import FakeSlackClient
from bench.procs import Proc, start_fairloop
from bench.prompts import PANEL, interviews, post_batches, recorded, targets, until_dms

LEAD = 4.0  # seconds between posting the interviews and the moment their prompts fall due


def sent_prompts(db: str) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM prompt WHERE state = 'sent'").fetchone()[0])


async def fan_out(server: Proc, fake: FakeSlackClient, db: str, *, prompts: int, limit: int) -> Result:
    """Interviews that end LEAD seconds from now: time from their prompts' due time to the last DM delivered."""
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=LEAD)
    cpu = server.cpu_seconds()
    await post_batches(server.url, interviews(prompts // PANEL, ends_at=due, prefix="fanout"))
    check(datetime.now(UTC) < due, f"posting the interviews took longer than {LEAD}s; the timing would be off")
    await until_dms(fake, prompts, within=LEAD + max(60.0, 6 * prompts / limit))
    await asyncio.sleep(1.0)  # a duplicate would land after the last one: give it the chance to show
    dms = await fake.dms()
    per_prompt = Counter(d[0] for d in dms)
    per_person = Counter(d[1] for d in dms)
    elapsed = max(d[3] for d in dms) - due.timestamp()
    per_second = Counter(int(d[3] - due.timestamp()) for d in dms)
    idle = sum(1 for t in range(int(elapsed) + 1) if not per_second.get(t))
    counts = (await fake.summary())["counts"]
    used = {m: c.get("ok", 0) for m, c in counts.items() if c.get("ok")}
    throttled = {m: c.get("throttled", 0) for m, c in counts.items() if c.get("throttled")}
    floor = max(n / limit for n in used.values())
    bottleneck = max(used, key=lambda m: used[m])
    cpu = server.cpu_seconds() - cpu
    await server.settle()
    lost = prompts - len(per_prompt)
    duplicates = sum(n - 1 for n in per_prompt.values())
    in_db = sent_prompts(db)
    check(lost == 0 and duplicates == 0 and len(per_person) == prompts, f"{lost} lost, {duplicates} duplicated")
    check(in_db == prompts, f"{in_db} of {prompts} prompts are marked sent in the database")
    r = ratio(elapsed, floor)
    return Result(
        name="fanout_2000_prompts" if prompts == 2000 else f"fanout_{prompts}_prompts",
        value=round(elapsed, 2), unit="s", baseline=round(floor, 2), ratio=r,
        target="≤ 1.10× the floor; 0 lost; 0 duplicates", met=r is not None and r <= 1.10,
        baseline_is=f"the floor the rate limit allows: the most-called method's calls ÷ {limit}/s",
        notes=[f"{prompts:,} prompts ({prompts // PANEL:,} interviews × {PANEL} new interviewers) due at once; "
               f"every Web API method limited to {limit} requests/s (429 + Retry-After: 1 beyond)",
               "calls answered 200 per method: " + ", ".join(f"{m} {n:,}" for m, n in sorted(used.items())),
               "answered 429: " + (", ".join(f"{m} {n:,}" for m, n in sorted(throttled.items())) or "none"),
               f"floor = {used[bottleneck]:,} {bottleneck} calls ÷ {limit}/s = {floor:.1f} s (the methods run in "
               f"parallel across prompts, so the busiest one bounds; a sliding 1 s window would allow {floor - 1:.0f} s)",
               f"DMs delivered per second: {prompts / elapsed:.0f} on average, at most {max(per_second.values())}; "
               f"{idle} of the {int(elapsed) + 1} seconds after the due time delivered none; the server used "
               f"{cpu:.1f} s of CPU meanwhile ({cpu / (elapsed + LEAD):.0%} of a core)",
               f"lost {lost}, duplicates {duplicates}; one DM per interviewer: {len(per_person) == prompts}; "
               f"{in_db:,} prompts marked sent"],
    )  # fmt: skip


async def run(workdir: Path, *, prompts: int, limit: int, clicks: int, profile: Path | None) -> list[Result]:
    db = workdir / "serving.db"
    fake = await fake_slack_server.start(users=prompts, limit=limit, workdir=workdir)
    procs: list[Proc] = [fake.proc]
    try:
        server = await start_fairloop("serving-fairloop", db_url=f"sqlite+aiosqlite:///{db}", slack_api=fake.api,
                                      workdir=workdir, profile=profile)  # fmt: skip
        procs.append(server)
        await server.settle()
        idle = server.rss_mb()
        fanout = await fan_out(server, fake, str(db), prompts=prompts, limit=limit)
        await fake.set_limit(0)
        rss = [server.rss_mb()]
        clicked = await targets(fake)
        half, rounds = clicks // 2, []
        started = time.perf_counter()
        for _ in range(2):  # each half at once, c=64: a click is recorded before its ack, so no backlog builds up
            rounds.append(await click_round(server, fake, clicked, half, redraws=True))
            rss.append(server.rss_mb())
        took = time.perf_counter() - started
        n, distinct, _ = recorded(str(db))
        check(n == distinct == len(clicked), f"{n} check-ins for {distinct} of {len(clicked)} clicked prompts")
        first_answers, changed, lost = unrecorded(str(db), 2 * half)
        check(first_answers == len(clicked) and lost == 0,
              f"{2 * half} clicks acknowledged; the ledger counts {first_answers} first answers and {changed} changes")  # fmt: skip
        stale, timeouts = sum(r.stale for r in rounds), pool_timeouts(server)
    finally:
        for proc in reversed(procs):
            proc.stop()
    sent, first, second = rss
    growth, peak = second - first, max(r.peak_mb for r in rounds)
    return [
        fanout,
        Result(name="serving_rss", value=round(second, 1), unit="MB", baseline=round(idle, 1),
               ratio=ratio(second, idle), target="≤ 200 MB; the second half of the clicks adds < 10 MB",
               met=second <= 200 and growth < 10 and lost == 0 and stale == 0,
               baseline_is="the same process idle, just started",
               notes=[f"VmRSS idle {idle:.1f} MB → {sent:.1f} MB after {prompts:,} prompts sent → {first:.1f} MB after "
                      f"{half:,} clicks → {second:.1f} MB after {clicks:,} clicks, each read once the work after the "
                      f"acks was done; highest seen while it was being done {peak:.1f} MB",
                      f"clicks at c=64 on the {len(clicked):,} delivered cards, {half:,} at a time; took {took:.0f} s; "
                      f"each recorded once: the ledger counts {first_answers:,} first answers and {changed:,} changes "
                      f"({lost} missing); cards not redrawn after their last click: {stale}; {timeouts} pool timeouts "
                      f"in the log"]),
        Result(name="serving_rss.growth_second_half", value=round(growth, 1), unit="MB", baseline=round(first, 1),
               ratio=ratio(second, first), target="< 10 MB", met=growth < 10,
               baseline_is=f"RSS after the first {half:,} clicks"),
    ]  # fmt: skip
