"""The digest's trend chart: a signed image address, drawn from aggregates, blank where a week is too small."""

from __future__ import annotations

import io

from PIL import Image as Picture

from bot.messages import Image
from tests.bot.test_digests import WEEKLY, answered_days_ago
from tests.conftest import StartApp


async def test_the_digest_carries_a_chart_that_the_app_serves(start_app: StartApp) -> None:
    running = await start_app(min_group_size=2, admins=["priya@example.com"], digests=[WEEKLY])
    await answered_days_ago(running, [("Platform", "ana@x.io", "all"), ("Platform", "raj@x.io", "rubric-no")])
    built = await running.core.digest("weekly-sync")
    [chart] = [b for b in built.message.blocks if isinstance(b, Image)]
    assert chart.url.startswith(f"{running.core.settings.base_url}/charts/") and chart.url.endswith(".png")
    assert chart.alt.startswith("Weekly trend, last 8 weeks: response 100%, all practices followed 50% in the week of ")
    path = chart.url.removeprefix(running.core.settings.base_url)
    async with running.http.get(f"{running.url}{path}") as resp:
        assert resp.status == 200 and resp.content_type == "image/png"
        assert resp.headers["Cache-Control"] == "public, max-age=86400"
        picture = Picture.open(io.BytesIO(await resp.read()))
    assert picture.size == (720, 300)
    again = await running.core.digest("weekly-sync")
    assert [b for b in again.message.blocks if isinstance(b, Image)] == [chart]  # the same address all day


async def test_a_tampered_chart_address_is_a_404(start_app: StartApp) -> None:
    running = await start_app()
    for path in ("/charts/not-a-token.png", "/charts/eyJkIjoic3luYyJ9.forged.png"):
        async with running.http.get(f"{running.url}{path}") as resp:
            assert resp.status == 404
            assert await resp.json() == {"error": "not_found", "detail": "There is no chart here."}


async def test_no_chart_when_figures_are_hidden_or_slack_could_not_fetch_it(start_app: StartApp) -> None:
    slack = {**WEEKLY, "name": "slack-sync", "platform": "slack", "channel": "C0123"}
    running = await start_app(min_group_size=5, admins=["priya@example.com"], digests=[WEEKLY, slack])
    await answered_days_ago(running, [("Platform", "ana@x.io", "all")])
    hidden = await running.core.digest("weekly-sync")
    assert not any(isinstance(b, Image) for b in hidden.message.blocks)  # one check-in, threshold five
    running.core.settings = running.core.settings.model_copy(update={"min_group_size": 1})
    local_only = await running.core.digest("slack-sync")  # http://127.0.0.1 is not reachable from Slack
    assert not any(isinstance(b, Image) for b in local_only.message.blocks)
    running.core.settings = running.core.settings.model_copy(update={"public_url": "https://fairloop.example.com"})
    public = await running.core.digest("slack-sync")
    [chart] = [b for b in public.message.blocks if isinstance(b, Image)]
    assert chart.url.startswith("https://fairloop.example.com/charts/")
