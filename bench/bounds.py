"""What bounds each figure, from profiles of the serving process (py-spy on the running server, cProfile, CPU time
per thread from /proc); update these as the code changes (`python -m bench.run --render` rewrites the page)."""

BOUNDS: dict[str, str] = {
    "clicks_vs_bare_bolt": (
        "one core's worth of Python per click on the event loop. Measured from /proc, the serving process spends "
        "about 1.2–1.4 ms of main-thread CPU per click (its SQLite threads ~0.1 ms), where bare Bolt spends about "
        "0.3–0.4 ms per request: at c=64 both are CPU-bound, so the ratio is the ratio of those costs. A py-spy profile "
        "of the main thread under this load: recording the clicks ~30% (a batch of ~28 clicks per transaction: "
        "about a dozen statements through SQLAlchemy and aiosqlite, whose thread hand-offs cost more than the SQL), "
        "the card's chat.update after the ack ~17% (one per click: each card is clicked 15 times a round, but a "
        "redraw is done before the next click on that card comes, so coalescing seldom merges them), HTTP in and out "
        "with the signature check and the payload's parsing ~23%, the replay-key claim ~5% (batched too), the loop "
        "and the database hand-offs the rest. Before this work the same clicks cost ~3 ms each and, with the click "
        "recorded before its ack, many waited over Bolt's 3 s for the ack and were answered 404. What now keeps the "
        "ratio under 0.8 is that the record, the redraw and the HTTP around them together cost four to five bare-Bolt "
        "requests; halving it means fewer statements and hand-offs per batch (raw driver calls) and redraws out of "
        "the process, and past one core, more processes (replicas share one database; docs/DEPLOY.md)"
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
