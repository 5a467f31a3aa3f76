"""Under a throttled Slack (20 requests/s per method, 429 + Retry-After beyond) every prompt still lands once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from tests.support.app import StartApp, interview
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import BOT_TOKEN, SIGNING_SECRET

PROMPTS, LIMIT = 200, 20


async def test_200_prompts_through_the_app_arrive_once_in_close_to_the_allowed_time(
    fake_slack: FakeSlack, start_app: StartApp
) -> None:
    people = [f"person{i:03d}@example.com" for i in range(PROMPTS)]
    for i, email in enumerate(people):
        fake_slack.add_user(email, f"U{i:08d}")
    fake_slack.limits = dict.fromkeys(("users.lookupByEmail", "conversations.open", "chat.postMessage"), LIMIT)
    running = await start_app(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.base_url,
        playground=False,
    )
    batch = {"interviews": [interview(f"gh-{n}", emails=tuple(people[n * 5 : n * 5 + 5])) for n in range(PROMPTS // 5)]}
    started = time.monotonic()
    status, body = await running.post_interviews(batch)
    assert status == 200, body
    await fake_slack.wait_for("chat.postMessage", PROMPTS, within=PROMPTS / LIMIT * 4)
    elapsed = time.monotonic() - started
    await asyncio.sleep(0.5)  # a duplicate send would land after the 200th; give it the chance to show

    per_prompt = Counter(p["metadata"]["event_payload"]["prompt_id"] for p in fake_slack.called("chat.postMessage"))
    per_person = Counter(p["channel"] for p in fake_slack.called("chat.postMessage"))
    throttled = sum(1 for c in fake_slack.calls if c.status == 429)
    ideal = PROMPTS / LIMIT
    print(f"\nSlack throughput: {PROMPTS} prompts in {elapsed:.1f}s through the app at {LIMIT} req/s per method "
          f"(the limit allows {ideal:.0f}s; {throttled} requests answered 429)")  # fmt: skip
    assert len(per_prompt) == PROMPTS and set(per_prompt.values()) == {1}
    assert len(per_person) == PROMPTS and set(per_person.values()) == {1}
    assert throttled > 0, "the fake should have pushed back"
    assert elapsed < ideal * 1.8  # measured ~1.3x: 13 s where the limit allows 10 s
