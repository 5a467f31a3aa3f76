"""The candidate's feedback link in a real browser: choose by label, type, send, and the link works once."""

from __future__ import annotations

from playwright.async_api import Browser, expect
from sqlmodel import select

from storage.db import unit_of_work
from storage.models import Feedback
from tests.support.app import StartApp, interview


async def test_a_candidate_answers_once_by_keyboard_and_mouse(start_app: StartApp, browser: Browser) -> None:
    running = await start_app(playground=False)
    status, body = await running.post_interviews(interview("e2e-fb"))
    assert status == 200
    link = body["interviews"][0]["candidate_feedback_url"]
    assert link.startswith(running.graph.config.core.base_url + "/f/")
    url = running.url + link[link.index("/f/") :]  # the emailed link, on the test server's address

    page = await browser.new_page(java_script_enabled=False)  # a plain form: no script needed
    response = await page.goto(url)
    assert response is not None and response.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("How did your interview feel?")
    await expect(page.get_by_text("not who you are, not which interview, not the time of day")).to_be_visible()
    group = page.get_by_role("group", name="How respectful and inclusive did your interview feel?")
    await expect(group.get_by_role("radio")).to_have_count(5)

    await page.get_by_role("button", name="Send anonymously").click()  # nothing chosen: the browser asks first
    assert page.url == url and await page.get_by_text("Thank you").count() == 0

    await group.get_by_label("4 – Mostly").check()
    await page.get_by_label("Anything you would like us to know? (optional)").fill("Friendly panel; one odd question.")
    await page.get_by_role("button", name="Send anonymously").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")

    async with unit_of_work(running.graph.sessions) as session:
        [row] = list(await session.exec(select(Feedback)))
    assert (row.rating, row.text) == (4, "Friendly panel; one odd question.")

    await page.reload()  # reloading the thank-you page sends the answer again: refused, nothing stored twice
    await expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    again = await page.goto(url)  # the link again, from the email
    assert again is not None and again.status == 410
    await expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    async with unit_of_work(running.graph.sessions) as session:
        assert len(list(await session.exec(select(Feedback)))) == 1
    await page.close()


async def test_an_error_keeps_the_text_and_sits_next_to_the_choice(start_app: StartApp, browser: Browser) -> None:
    running = await start_app(playground=False)
    _, body = await running.post_interviews(interview("e2e-fb-2"))
    link = body["interviews"][0]["candidate_feedback_url"]
    page = await browser.new_page()
    await page.goto(running.url + link[link.index("/f/") :])
    await page.locator("input[name=rating]").first.evaluate("el => el.removeAttribute('required')")
    await page.get_by_label("Anything you would like us to know? (optional)").fill("Kept while I fix the rest")
    await page.get_by_role("button", name="Send anonymously").click()
    group = page.get_by_role("group", name="How respectful and inclusive did your interview feel?")
    await expect(group).to_contain_text("Choose a number from 1 to 5.")
    await expect(page.get_by_label("Anything you would like us to know? (optional)")).to_have_value(
        "Kept while I fix the rest"
    )
    await page.get_by_role("link", name="Choose a number from 1 to 5.").click()  # the summary jumps to the field
    await group.get_by_label("2 – A little").check()
    await page.get_by_role("button", name="Send anonymously").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    await page.close()
