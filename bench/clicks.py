"""Benchmark 1: signed **All practices followed** clicks at concurrency 64, fairloop vs a bare Bolt app, A/B rounds."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bench import bare_bolt, fake_slack_server
from bench.common import Result, check, ratio
from bench.fake_slack_server import FakeSlackClient
from bench.load import Load, clicks, fire
from bench.procs import Proc, start_fairloop
from bench.prompts import deliver, recorded

CONCURRENCY = 64


async def drained(fake: FakeSlackClient, expected: int, *, within: float) -> float:
    """Seconds until the fake Slack has seen `expected` chat.update calls (each click redraws its prompt)."""
    started = time.perf_counter()
    last, still = -1, time.monotonic()
    while (seen := await fake.ok("chat.update")) < expected:
        if seen != last:
            last, still = seen, time.monotonic()
        check(time.monotonic() - still < 15 and time.perf_counter() - started < within,
              f"only {seen} of {expected} clicks were redrawn (chat.update)")  # fmt: skip
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def click_round(
    server: Proc, fake: FakeSlackClient, targets: list, n: int, *, redraws: bool
) -> tuple[Load, float]:
    """Fire `n` clicks; for fairloop also wait for the work after the acks (the redraws) and its CPU to settle."""
    before = await fake.ok("chat.update")
    load = await fire(server.url + "/slack/events", clicks(targets, n, fake.proc.url + "/hooks/r"),
                      concurrency=CONCURRENCY)  # fmt: skip
    check(load.statuses == {200: n}, f"{server.name} answered {load.statuses}")
    drain = await drained(fake, before + n, within=max(120.0, n / 10)) if redraws else 0.0
    await server.settle()
    return load, drain


def pooled(loads: list[Load]) -> Load:
    return Load(latencies=[x for ld in loads for x in ld.latencies], wall=sum(ld.wall for ld in loads),
                statuses={200: sum(ld.statuses.get(200, 0) for ld in loads)})  # fmt: skip


async def run(workdir: Path, *, prompts: int, rounds: int, per_round: int, profile: Path | None) -> list[Result]:
    db = workdir / "clicks.db"
    fake = await fake_slack_server.start(users=prompts, limit=0, workdir=workdir)
    procs: list[Proc] = [fake.proc]
    try:
        fairloop = await start_fairloop("clicks-fairloop", db_url=f"sqlite+aiosqlite:///{db}", slack_api=fake.api,
                                        workdir=workdir, profile=profile)  # fmt: skip
        procs.append(fairloop)
        bare = await bare_bolt.start(api=fake.api, workdir=workdir)
        procs.append(bare)
        targets = await deliver(fairloop.url, fake, prompts)
        await fairloop.settle()
        for server in (fairloop, bare):  # warm-up: profiles cached, connections open, auth.test done
            await click_round(server, fake, targets, len(targets), redraws=server is fairloop)
        mine: list[Load] = []
        theirs: list[Load] = []
        drains: list[float] = []
        for r in range(rounds):
            order = (fairloop, bare) if r % 2 == 0 else (bare, fairloop)
            for server in order:
                load, drain = await click_round(server, fake, targets, per_round, redraws=server is fairloop)
                if server is fairloop:
                    mine.append(load)
                    drains.append(drain)
                else:
                    theirs.append(load)
        n, distinct, answers = recorded(str(db))
        once = n == distinct == len(targets) and answers == 5 * n
        check(once, f"{len(targets)} prompts clicked, {n} check-ins for {distinct} prompts, {answers} answers")
    finally:
        for proc in reversed(procs):
            proc.stop()
    a, b = pooled(mine), pooled(theirs)
    rate_ratio = ratio(a.rate, b.rate)
    p99 = a.ms(99)
    met = rate_ratio is not None and rate_ratio >= 0.8 and p99 <= 100 and once
    rounds_note = ", ".join(f"{x.rate:,.0f}/{y.rate:,.0f}" for x, y in zip(mine, theirs, strict=True))
    main = Result(
        name="clicks_vs_bare_bolt", value=round(a.rate, 1), unit="clicks/s", baseline=round(b.rate, 1),
        ratio=rate_ratio, target="ratio ≥ 0.8, p99 ≤ 100 ms, each click recorded once", met=met,
        baseline_is=f"bare slack-bolt AsyncApp on aiohttp that only acks, same signed payloads, c={CONCURRENCY}",
        notes=[f"{rounds} A/B rounds × {per_round:,} clicks on {len(targets)} delivered prompts (+ a warm-up round each)",
               f"clicks/s per round, fairloop/bare: {rounds_note}",
               f"check-ins afterwards: {n} for {distinct} prompts, {answers} practice answers (each click recorded once: {once})",
               f"after its last ack fairloop needed {max(drains):.2f} s at most to finish the redraws (chat.update)"],
    )  # fmt: skip
    return [
        main,
        Result(name="clicks_vs_bare_bolt.p99", value=round(p99, 1), unit="ms", baseline=round(b.ms(99), 1),
               ratio=ratio(p99, b.ms(99)), target="≤ 100 ms", met=p99 <= 100, baseline_is="bare Bolt's p99"),
        Result(name="clicks_vs_bare_bolt.p50", value=round(a.ms(50), 1), unit="ms", baseline=round(b.ms(50), 1),
               ratio=ratio(a.ms(50), b.ms(50)), target="", met=None, baseline_is="bare Bolt's p50"),
    ]  # fmt: skip
