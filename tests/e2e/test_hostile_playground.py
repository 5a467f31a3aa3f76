"""Hostile text in a real browser: after every payload went through the playground (roles, teams, stages, a concern,
anonymous and candidate feedback, a channel named like markup), the page's DOM holds no element or handler any of
them would make, no script ran, and each payload reads as itself."""

from __future__ import annotations

from playwright.async_api import Browser, Dialog, expect

from tests.support.app import StartApp
from tests.support.core import Clock
from tests.support.hostile import PAYLOADS
from tests.support.hostile_playground import CHANNEL, EVE, seed

INJECTED = (
    "img[src='x'], svg, iframe, object, embed, [onerror], [onload], [onclick], a[href^='javascript'], "
    "a[href*='evil'], script:not(:first-of-type), at"
)


async def test_the_playground_dom_holds_no_injected_element(
    start_app: StartApp, browser: Browser, clock: Clock
) -> None:
    running = await start_app(min_group_size=1)
    await seed(running, clock)
    page = await browser.new_page()
    dialogs: list[str] = []

    async def dismissed(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", dismissed)
    await page.goto(f"{running.url}/playground?as={EVE}")
    await expect(page.locator("#channels article.post")).to_have_count(2, timeout=15000)  # the alert, the digest
    await expect(page.locator("#dms article.post")).to_have_count(len(PAYLOADS))
    await page.get_by_label("Command").fill(f"stats 30d team:{PAYLOADS[0]}")
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator("#answers article")).to_have_count(1)
    await page.get_by_role("button", name="Post the sync digest to #recruiting-dei-sync").click()
    await expect(page.locator("#channels article.post")).to_have_count(3)
    await page.wait_for_timeout(300)  # an onerror would have fired by now

    assert await page.locator("script").count() == 1  # the page's own
    assert await page.locator(INJECTED).count() == 0
    assert dialogs == [] and await page.evaluate("window.pwned") is None
    tags = await page.locator("#channels .tag").all_inner_texts()
    assert f"#{CHANNEL}" in tags  # the channel's name, as text
    shown = await page.locator("main").inner_text()
    for payload in PAYLOADS:
        assert payload.split("\n")[0] in shown, payload
    await page.close()
