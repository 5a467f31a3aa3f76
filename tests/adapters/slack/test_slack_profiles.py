"""Who clicked: a click is enriched with the clicker's Slack profile (users.info), but never held up by it for
long. One look-up per person goes out however many clicks they make meanwhile; it is not given up when a click
stops waiting for it (its answer fills the cache for the next click); a user Slack will not describe is not asked
about again on every click; and while Slack rate-limits users.info, clicks do not wait for it at all."""

from __future__ import annotations

import asyncio

from adapters.slack.app import PROFILE_WAIT
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import ANA, RAJ
from tests.support.slack.world import SlackWorld

SLOW = 3.0  # seconds users.info takes: longer than a click waits for it (PROFILE_WAIT)
QUICK = 0.5  # an answer that waited on nothing slow


def asked_about(fake: FakeSlack, user: str) -> int:
    """users.info calls about `user` that Slack answered (a call counts once it has been answered)."""
    return sum(1 for c in fake.called("users.info", ok_only=False) if c.get("user") == user)


async def test_a_slow_profile_is_looked_up_once_and_only_the_first_click_waits_for_it(http_world: SlackWorld) -> None:
    [dm] = await http_world.deliver("ana@example.com")
    http_world.fake.delays["users.info"] = SLOW
    first = await http_world.click(dm, user=ANA)
    assert first.status == 200 and PROFILE_WAIT - 0.2 < first.seconds < PROFILE_WAIT + QUICK
    again = await asyncio.gather(*(http_world.click(dm, user=ANA) for _ in range(3)))
    assert [a.status for a in again] == [200] * 3
    assert max(a.seconds for a in again) < QUICK  # the look-up is overdue already: nobody waits for it again
    await asyncio.sleep(SLOW)  # the one look-up, not given up on, has its answer now
    assert asked_about(http_world.fake, ANA) == 1
    http_world.fake.delays.clear()
    later = await http_world.click(dm, user=ANA)
    assert later.status == 200 and asked_about(http_world.fake, ANA) == 1  # from the cache
    [checkin] = await http_world.checkins()
    assert checkin.kind == "all"


async def test_a_user_slack_will_not_describe_is_not_asked_about_on_every_click(http_world: SlackWorld) -> None:
    [dm] = await http_world.deliver("ana@example.com")
    stranger = "U0NOBODY9"
    for _ in range(3):
        answer = await http_world.click(dm, user=stranger)
        assert answer.status == 200
    assert asked_about(http_world.fake, stranger) == 1
    assert await http_world.checkins() == []  # not theirs to answer


async def test_clicks_do_not_wait_for_users_info_while_slack_rate_limits_it(http_world: SlackWorld) -> None:
    ana_dm, raj_dm = await http_world.deliver("ana@example.com", "raj@example.com")
    http_world.fake.throttle_once["users.info"] = "5"  # the next users.info: 429, Retry-After 5 s
    first = await http_world.click(ana_dm, user=ANA)
    assert first.status == 200 and first.seconds < PROFILE_WAIT + QUICK
    other = await http_world.click(raj_dm, user=RAJ)  # Slack said to wait 5 s: no point waiting up to a second
    assert other.status == 200 and other.seconds < QUICK
    assert len(await http_world.checkins()) == 2
