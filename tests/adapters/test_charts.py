"""The digest's trend chart: a signed image address, drawn from aggregates, blank where a week is too small."""

from __future__ import annotations

import io

from PIL import Image as Picture

from bot.messages import Image
from tests.support.app import StartApp
from tests.support.core import WEEKLY, MakeCore, answered_days_ago
from tests.support.outbox import FakeOutbox


async def test_the_digest_carries_a_chart_that_the_app_serves(start_app: StartApp) -> None:
    running = await start_app(min_group_size=2, admins=["priya@example.com"], digests=[WEEKLY])
    await answered_days_ago(running.graph, [("Platform", "ana@x.io", "all"), ("Platform", "raj@x.io", "rubric-no")])
    _, built = await running.graph.delivery.digest("weekly-sync")
    [chart] = [b for b in built.blocks if isinstance(b, Image)]
    base = running.graph.config.core.base_url
    assert chart.url.startswith(f"{base}/charts/") and chart.url.endswith(".png")
    assert chart.alt.startswith("Weekly trend, last 8 weeks: response 100%, all practices followed 50% in the week of ")
    path = chart.url.removeprefix(base)
    async with running.http.get(f"{running.url}{path}") as resp:
        assert resp.status == 200 and resp.content_type == "image/png"
        assert resp.headers["Cache-Control"] == "public, max-age=86400"
        picture = Picture.open(io.BytesIO(await resp.read()))
    assert picture.size == (720, 300)
    _, again = await running.graph.delivery.digest("weekly-sync")
    assert [b for b in again.blocks if isinstance(b, Image)] == [chart]  # the same address all day


async def test_a_tampered_chart_address_is_a_404(start_app: StartApp) -> None:
    running = await start_app()
    for path in ("/charts/not-a-token.png", "/charts/eyJkIjoic3luYyJ9.forged.png"):
        async with running.http.get(f"{running.url}{path}") as resp:
            assert resp.status == 404
            assert await resp.json() == {"error": "not_found", "detail": "There is no chart here."}


async def test_no_chart_when_figures_are_hidden_or_slack_could_not_fetch_it(make_core: MakeCore) -> None:
    slack = {**WEEKLY, "name": "slack-sync", "platform": "slack", "channel": "C0123"}
    outboxes = {"playground": FakeOutbox(), "slack": FakeOutbox("slack", https_only=True)}
    strict = await make_core(min_group_size=5, digests=[WEEKLY, slack], outboxes=outboxes)
    await answered_days_ago(strict, [("Platform", "ana@x.io", "all")])
    _, hidden = await strict.delivery.digest("weekly-sync")
    assert not any(isinstance(b, Image) for b in hidden.blocks)  # one check-in, threshold five
    local = await make_core(min_group_size=1, digests=[WEEKLY, slack], outboxes=outboxes)
    _, local_only = await local.delivery.digest("slack-sync")  # http://127.0.0.1 is not reachable from Slack
    assert not any(isinstance(b, Image) for b in local_only.blocks)
    public = await make_core(
        min_group_size=1, digests=[WEEKLY, slack], outboxes=outboxes, public_url="https://fairloop.example.com"
    )
    _, shown = await public.delivery.digest("slack-sync")
    [chart] = [b for b in shown.blocks if isinstance(b, Image)]
    assert chart.url.startswith("https://fairloop.example.com/charts/")
