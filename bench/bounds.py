"""What bounds each figure, as profiled on today's code (py-spy and cProfile); the lead updates these as code changes."""

BOUNDS: dict[str, str] = {
    "clicks_vs_bare_bolt": (
        "the work after the ack, on the same event loop. Bolt acks first (`process_before_response=False`), but each "
        "click then costs ~7 ms of CPU (CPU time ÷ clicks, measured from /proc): one ORM unit of work of ~9 statements "
        "(prompt, identity, person, interview, existing check-in; update the check-in; delete and re-insert its 5 "
        "answers; update the prompt; commit) through aiosqlite's thread hand-offs, then `chat.update` through "
        "slack_sdk/aiohttp. A py-spy profile of the serving process under this load (GIL-holding samples): ~60% in "
        "SQLAlchemy ORM/Core (Session.get/exec/flush, compile-cache lookups, greenlet switches) and aiosqlite, ~10% "
        "the chat.update client call, ~6% the aiohttp middlewares (metrics, errors), the rest Bolt and the loop. Acks "
        "queue behind that work (hence p99), and at c=64 the work falls behind: a round of 3,000 clicks is acked in "
        "~3 s and finished ~25–30 s later, about 100–120 clicks/s fully handled. Past ~30 s of backlog clicks are "
        "lost: the SQLAlchemy pool (5 + 10) times out and the acked click is never recorded"
    ),
    "serving_rss": (
        "queued work, not a leak: RSS climbs while acked clicks wait for the database (each pending listener task "
        "holds its request, payload and Bolt context) and stays near that high-water mark afterwards because "
        "CPython's allocator rarely returns freed arenas; growth over the second half is small once the backlog is "
        "bounded. Not yet profiled with tracemalloc: for the lead"
    ),
    "stats_90d_1m_checkins": (
        "the raw rows, in fairloop and in the baseline alike, which is why the ratio sits near 1 and both grow with "
        "the data (10–14× from 100k to 1M). Timing the baseline's statements one by one on 100k SQLite rows: the "
        "per-practice answers joined to their check-ins (5 rows per check-in) ~60%, the median's sort ~13%, prompt "
        "states from the (due_at, state) index ~8%, check-in counts ~5%. fairloop runs the same statements plus the "
        "privacy checks' repeated check-in counts (4 scans where 2 do) and ORM result handling. The whole process adds "
        "~0.7 s before the first query (imports ~0.55 s: SQLAlchemy, SQLModel and alembic, which `storage.db` "
        "imports at module level; an alembic upgrade check ~0.01 s on SQLite), against ~0.35 s for a bare "
        "Python + SQLAlchemy process, leaving ~0.8 s of the 1.5 s budget for the queries. The digest is 8 weekly "
        "windows plus its week's teams and answers: the same scans, narrower. Rollups per day × team × role remove "
        "the scan over raw rows; the SQL baseline keeps scanning them, which is the point of the 0.1× target"
    ),
    "fanout_2000_prompts": (
        "the dispatcher's pacing, not Slack's limit and not CPU: the fake Slack answered 429 only a few dozen times "
        "at most, the server used about half a core, and DMs went out at 40–50/s where 100/s were allowed. Eight sends "
        "are in flight (`bot.dispatch.CONCURRENCY`), and each is a chain of ~160–200 ms: a claim transaction, a load "
        "transaction, three sequential Web API calls for a person not seen before (users.lookupByEmail, "
        "conversations.open, chat.postMessage), a finishing transaction that also saves the identity; 8 ÷ 0.16–0.2 s ≈ 40–50/s. "
        "On top, each 2 s tick takes at most 200 prompts and a tick still running makes APScheduler skip the next "
        "(max_instances=1: ~10 skipped ticks and a few seconds without any DM per run). Reaching 1.10× needs more "
        "sends in flight (or the three calls of different prompts pipelined) and the next batch to start as soon as "
        "one finishes; a 429 then costs its sender a whole Retry-After (1 s + jitter), so keep the window full "
        "rather than burst into it"
    ),
    "intake_batches_of_500": (
        "ORM object loading, not writes. A py-spy profile of the server while batches arrive (GIL-holding samples): "
        "~45% building SQLModel instances for rows read back (existing interviews, people, the new prompts for the "
        "answer: `init_pydantic_private_attrs`, `SQLModel.__new__`), ~17% `describe_many` shaping the answer, ~10% "
        "signing a candidate feedback link per interview (itsdangerous + JSON), ~3% validating the input with "
        "pydantic; the inserts themselves are bulk statements. The bulk-SQL baseline writes the same rows 3–4× faster"
    ),
}
