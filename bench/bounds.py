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
}
