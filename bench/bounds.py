"""What bounds each figure, from profiles of the serving process (py-spy on the running server, cProfile, CPU time
per thread from /proc); update these as the code changes (`python -m bench.run --render` rewrites the page)."""

BOUNDS: dict[str, str] = {
    "clicks_vs_bare_bolt": (
        "one core's worth of Python per click, spent on what bare Bolt does not do. The serving process is one Python "
        "process, as bare Bolt is, and at c=64 both are CPU-bound, so the ratio is the ratio of per-click costs. "
        "Taking the steps away one at a time (temporary patches, not in the code; 3 A/B rounds of 3,000 clicks each, "
        "same payloads, bare Bolt in the same run) on 2026-12-01: answered after the signature check and the "
        "payload's parsing, 5,926 clicks/s (1.56× bare Bolt: the fast path skips Bolt's dispatch); with the "
        "replay-key claim, 3,826/s (0.99×); with the click recorded before its ack, 1,335/s (0.35×); with the card's "
        "redraw after the ack, ~870/s (0.23×). Per click, on one core: ~0.17 ms HTTP, signature and parsing, "
        "+0.09 ms the replay claim, +0.49 ms recording (its share of a batched transaction of ~30–60 clicks, the "
        "redrawn card's message built, the ledger's counts, the futures and hand-offs of the batch and of "
        "aiosqlite), +0.40 ms the redraw (one chat.update per click; in a py-spy profile a third of it is slack_sdk's "
        "own code around aiohttp's request, a fifth rendering the card). Each card is clicked 15 times a round, but its redraw is "
        "done before its next click comes, so coalescing seldom merges them. Recording from plain rows instead of "
        "ORM objects, and claiming replay keys with one cached statement, took the figure from ~720 to ~870/s. "
        "The p99 was the cyclic garbage collector: each of ~10 full collections a run walked the ~140,000 objects "
        "start-up built and stopped the loop for up to 87 ms while 64 clicks waited; `serve` now freezes that heap "
        "once wired (fairloop/cli.py), the longest collection takes 7 ms, and in three alternating A/B pairs the p99 "
        "went from 161–176 ms to 94–100 ms. What is left of it is queueing: at c=64 the mean latency is 64 divided "
        "by the throughput, so a p99 safely under 100 ms needs ~1,000 clicks/s or more. "
        "Reaching 0.8 (~3,000/s) means a click may cost ~0.33 ms in all: the redraw has to leave the acking "
        "process (sent by another process, from a durable queue written with the click), and recording has to "
        "cost a fifth of what it does. "
        "Past one core, more processes: replicas share one database (docs/DEPLOY.md)"
    ),
    "serving_rss": (
        "the imports, not the work: ~100 MB idle is Python with slack_bolt/slack_sdk, aiohttp, SQLAlchemy, SQLModel "
        "and pydantic loaded (botbuilder and alembic are no longer imported when Teams is off and the database is "
        "migrated). Work adds little and does not accumulate: a click is recorded before its ack, so no backlog of "
        "listener tasks builds up; per card, at most one redraw waits; the users.info profile cache is capped at "
        "10,000; and the fan-out keeps at most 96 sends in flight. The second 10,000 clicks add about 1 MB "
        "(allocator high-water marks, not a leak: the same 200 cards clicked again reuse what the first half built)"
    ),
    "stats_90d_1m_checkins": (
        "the gate's fixed work, not the data. Stats and digests read the daily activity ledger (day × team × role, "
        "~13 cells a day here), so the number of check-ins does not enter: three grouped queries over the ~200 days "
        "the windows span (~10 ms on SQLite) and the privacy suppression in Python (~25 ms), the same at 100k and 1M. "
        "The raw-SQL baseline scans the raw rows (no index on sent_at or answered_at; the per-practice answers "
        "joined to their check-ins dominate) and grows with them. The whole process (~1.1 s) is mostly starting "
        "Python and importing SQLAlchemy, SQLModel and pydantic (~0.45 s) and the project (~0.2 s): platform SDKs, "
        "alembic and the ATS connectors are imported only when needed, alembic runs only when the database is "
        "behind (the heads read from the scripts, the database asked in one query), and team and role names are "
        "read from the raw rows only when the one asked for is not in the ledger"
    ),
    "fanout_2000_prompts": (
        "Slack's limit, as it should be: 2,000 users.lookupByEmail, conversations.open and chat.postMessage calls "
        "at 100/s each need 20 s. The first second's calls meet a 429, whose Retry-After (1 s) then holds back every "
        "call of that method (~0.6 s lost); from then on the method is paced at 97% of what Slack let through, "
        "evenly and never more in any second, so no further call is refused. Dispatch keeps 96 sends in flight, "
        "reads due prompts as sends start, and wakes when the prompts fall due rather than at the next 2 s tick. "
        "Each prompt costs ~9 ms of the server's CPU (~70% of a core at 95 DMs/s): one transaction to read and "
        "claim it, three Web API calls, and its share of the batched writes of outcomes (prompt states, ledger, "
        "people, identities). Before: 8 sends in flight, three transactions and ~15 statements per prompt, 200 "
        "prompts per 2 s tick; 40–48 s"
    ),
    "intake_batches_of_500": (
        "Python work per interview, not SQL: validating 500 items (pydantic), the bulk INSERTs of interviews and "
        "prompts, reading back what the answer lists as plain rows (interviews, and prompts joined to their "
        "interviewers' emails: building ORM objects for them cost more than the inserts before), and signing a "
        "candidate feedback link per interview (~70 µs each). Every few batches a SQLite WAL checkpoint makes one "
        "batch slower. The hand-written bulk SQL writes the same rows ~2× faster: it neither validates nor answers"
    ),
}
