"""What bounds each figure, from profiles of the serving process (py-spy on the running server, cProfile, CPU time
per thread from /proc); update these as the code changes (`python -m bench.run --render` rewrites the page)."""

BOUNDS: dict[str, str] = {
    "clicks_vs_bare_bolt": (
        "one core's worth of Python per click, spent on what bare Bolt does not do. The serving process is one Python "
        "process, as bare Bolt is, and at c=64 both are CPU-bound, so the ratio is the ratio of per-click costs. "
        "Measured on 2026-12-02 on this machine (the server's CPU time from /proc over sustained rounds of the same "
        "signed clicks): bare Bolt spends 0.85 ms of CPU per acknowledged click; fairloop 1.36 ms while the fake "
        "Slack takes ~96 chat.update/s (its limit; a card's redraws are coalesced while one waits, ~6 clicks to a "
        "call), and 1.00 ms when Slack allows only 5/s. In a py-spy profile of the server during the rounds, of its "
        "main thread's busy time: the redraws ~35% (chat.update through slack_sdk and aiohttp's client ~27%, of which "
        "slack_sdk's own code ~7%; rendering the card ~7%; ~2.4 ms of CPU per call, much of it the loopback socket's "
        "send), aiohttp's server side ~15% (bare Bolt spends that too), recording ~12% (a batched transaction per ~30 "
        "clicks; aiosqlite's thread adds ~10% of a core), the handler ~12% (the signature, the form and its JSON, the "
        "one-click check), the listener ~5%, and the event loop's hand-offs. A ratio of 0.8 means ~1.06 ms a click: "
        "the redraws would have to leave the acking process (a durable queue written with the click, sent by another "
        "process), which this round did not build. The p99 is queueing: at c=64 the mean latency is 64 divided by "
        "the throughput (Little's law), so a p99 under 100 ms needs ~1,000 clicks/s or more, and on this machine "
        "bare Bolt itself does 1,000–1,700/s with a p99 of 77–108 ms across runs. Earlier steps, on a faster machine "
        "(2026-11-30 to 12-01): the one-click answer skips Bolt's dispatch (answered right after the signature check "
        "and parsing, 1.56× bare Bolt); recording from plain rows in one batched transaction with cached statements "
        "(~720 → ~870/s); and the cyclic garbage collector, which walked the ~140,000 objects start-up built and "
        "stopped the loop for up to 87 ms, no longer does (`serve` freezes that heap once wired, fairloop/cli.py: p99 "
        "161–176 ms → 94–100 ms there). Clicks do not wait on users.info either: one look-up per person, not given up "
        "when a click stops waiting, and none waited for while Slack rate-limits it (with Slack allowing 5 requests/s "
        "and profiles not yet cached: 90–153 clicks/s at a p50 of 1,032 ms before, 844/s at 63 ms after). Past one "
        "core, more processes: replicas share one database (docs/DEPLOY.md)"
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
        "read from the raw rows only when the one asked for is not in the ledger. That was 0.93 s on the machine of "
        "2026-12-01; this machine runs the same imports ~2× slower (`fairloop --help` alone takes 2.0 s here, "
        "1.34 s of it importing fairloop.cli under -X importtime), so the whole-process target is missed here by "
        "start-up alone, while the in-process figures and the growth are met"
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
        "prompts per 2 s tick; 40–48 s. The same code measured 21.32 s (1.066×) on the machine of 2026-12-01; this "
        "machine runs Python ~2× slower (importing SQLAlchemy, SQLModel and pydantic takes 0.8–1.0 s here, ~0.45 s "
        "there), so the server's CPU, not Slack's limit, sets the pace here"
    ),
    "intake_batches_of_500": (
        "Python work per interview, not SQL: validating 500 items (pydantic), the bulk INSERTs of interviews and "
        "prompts, reading back what the answer lists as plain rows (interviews, and prompts joined to their "
        "interviewers' emails: building ORM objects for them cost more than the inserts before), and signing a "
        "candidate feedback link per interview (~70 µs each). Every few batches a SQLite WAL checkpoint makes one "
        "batch slower. The hand-written bulk SQL writes the same rows ~2× faster: it neither validates nor answers"
    ),
}
