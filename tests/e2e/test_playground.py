"""The playground in a real browser: prompt, one click, change in place, stats, forms, sample data."""

from __future__ import annotations

from playwright.async_api import Browser, expect
from sqlmodel import func, select

from storage.db import unit_of_work
from storage.models import CheckIn
from tests.support.app import Running, StartApp, interview

ANA = "ana@example.com"


async def checkins(running: Running) -> int:
    async with unit_of_work(running.graph.sessions) as session:
        return (await session.exec(select(func.count()).select_from(CheckIn))).one()


async def test_one_click_check_in_changes_in_place_and_counts_once(start_app: StartApp, browser: Browser) -> None:
    running = await start_app(min_group_size=1, prompt_delay="0s")
    status, _ = await running.post_interviews(interview("e2e-1", emails=(ANA,)))
    assert status == 200
    page = await browser.new_page()
    await page.goto(f"{running.url}/playground?as={ANA}")
    card = page.locator("#dms article.post").first
    await expect(card.get_by_role("button", name="All practices followed")).to_be_visible(timeout=15000)
    await expect(card).to_contain_text("Senior Backend Engineer")
    await card.get_by_role("button", name="All practices followed").click()
    await expect(card).to_contain_text("Recorded: all practices followed")
    await expect(card.get_by_role("button", name="Change answer")).to_be_visible()
    assert await page.locator("#dms article.post").count() == 1  # the same message, changed in place
    assert await checkins(running) == 1
    await card.get_by_role("button", name="Change answer").click()
    await card.get_by_role("button", name="All practices followed").click()
    await expect(card).to_contain_text("Recorded: all practices followed")
    assert await checkins(running) == 1
    await page.get_by_label("Command").fill("stats 7d")
    await page.get_by_role("button", name="Send").click()
    answer = page.locator("#answers article").first
    await expect(answer).to_contain_text("1 of 1 prompts")
    await expect(answer).to_contain_text("100%")
    await page.close()


async def test_answer_in_detail_shows_inline_errors_then_records(start_app: StartApp, browser: Browser) -> None:
    running = await start_app(min_group_size=1)
    await running.post_interviews(interview("e2e-2", emails=(ANA,)))
    page = await browser.new_page()
    await page.goto(f"{running.url}/playground?as={ANA}")
    card = page.locator("#dms article.post").first
    await card.get_by_role("button", name="Answer in detail").click(timeout=15000)
    dialog = page.locator("dialog")
    await expect(dialog).to_contain_text("Check-in details")
    await dialog.get_by_role("button", name="Record").click()
    await expect(dialog.get_by_role("alert").first).to_have_text("Pick yes, no or not applicable.")
    for fieldset in await dialog.locator("fieldset").all():
        await fieldset.get_by_label("Yes", exact=True).check()
    await dialog.locator("fieldset[data-input=rubric]").get_by_label("No", exact=True).check()
    await dialog.get_by_role("button", name="Record").click()
    await expect(dialog).to_be_hidden()
    await expect(card).to_contain_text("4 of 5 practices followed")
    await expect(card).to_contain_text("Write your rubric scores before the debrief")
    assert await checkins(running) == 1
    await page.close()


async def test_sample_organisation_fills_the_stats(start_app: StartApp, browser: Browser) -> None:
    running = await start_app()
    page = await browser.new_page()
    await page.goto(f"{running.url}/playground?as={ANA}")
    await page.get_by_role("button", name="Load sample organisation").click()
    await expect(page.locator("#status")).to_contain_text("Loaded", timeout=15000)
    # whoever loads the sample gets a check-in of their own, delivered through the real dispatcher
    mine = page.locator("#dms article.post", has_text="Senior Backend Engineer · onsite")
    await expect(mine.get_by_role("button", name="All practices followed").first).to_be_visible(timeout=15000)
    await page.get_by_label("Command").fill("stats 30d team:Platform")
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator("#answers article").first).to_contain_text("Response rate")
    await page.get_by_role("button", name="Post the sync digest to #recruiting-dei-sync").click()
    posted = page.locator("#channels article").first
    await expect(posted).to_contain_text("#recruiting-dei-sync")
    await expect(posted).to_contain_text("Recruitment × DEI sync")
    await expect(posted).to_contain_text("Teams: Data")
    await page.screenshot(path="/tmp/fairloop-playground.png", full_page=True)
    await page.close()


async def test_an_interview_added_in_the_playground_prompts_its_interviewer(
    start_app: StartApp, browser: Browser
) -> None:
    running = await start_app()
    page = await browser.new_page()
    await page.goto(f"{running.url}/playground?as=raj@example.com")
    await page.get_by_text("Add an interview").click()
    await page.get_by_label("Role").fill("Data Scientist")
    await page.get_by_label("Team").fill("Data")
    await page.get_by_label("Interviewers (comma separated)").fill("raj@example.com, mia@example.com")
    await page.get_by_role("button", name="Add interview").click()
    await expect(page.locator("#ivresult")).to_have_text("Added; prompts due mia@example.com, raj@example.com")
    card = page.locator("#dms article.post").first
    await expect(card).to_contain_text("Data Scientist", timeout=15000)
    await expect(card.get_by_role("button", name="Not my interview")).to_be_visible()
    await page.get_by_label("Interviewers (comma separated)").fill("not-an-email")
    await page.get_by_role("button", name="Add interview").click()
    await expect(page.locator("#ivresult")).to_contain_text("interviewers[0].email")
    await page.close()


async def test_a_concern_reaches_the_channel_and_is_acknowledged_there(start_app: StartApp, browser: Browser) -> None:
    running = await start_app()
    await running.post_interviews(interview("e2e-c", emails=(ANA,)))
    page = await browser.new_page()
    await page.goto(f"{running.url}/playground?as={ANA}")
    card = page.locator("#dms article.post").first
    await card.get_by_role("button", name="Raise a concern").click(timeout=15000)
    dialog = page.locator("dialog")
    await dialog.get_by_label("What happened?").fill("The candidate was asked where they grew up.")
    await dialog.get_by_role("button", name="Send to DEI").click()
    await expect(page.locator("#notice")).to_contain_text("DEI team will follow up")
    alert = page.locator("#channels article", has_text="Concern raised")
    await expect(alert).to_contain_text("where they grew up", timeout=15000)
    await page.get_by_label("You are").fill("priya@example.com")
    await page.get_by_role("button", name="Open").click()
    await alert.get_by_role("button", name="Acknowledge").click()
    await expect(alert).to_contain_text("Owner: priya@example.com")
    await expect(alert.get_by_role("button", name="Resolve")).to_be_visible()
    await page.close()


async def test_anonymous_feedback_from_the_command_box(start_app: StartApp, browser: Browser) -> None:
    running = await start_app()
    page = await browser.new_page()
    await page.goto(f"{running.url}/playground?as={ANA}")
    await page.get_by_label("Command").fill("feedback")
    await page.get_by_role("button", name="Send").click()
    dialog = page.locator("dialog")
    await expect(dialog).to_contain_text("not who you are, not the time of day")
    await dialog.get_by_role("button", name="Send anonymously").click()
    await expect(dialog.get_by_role("alert").first).to_have_text("Pick what it is about.")
    await dialog.get_by_label("These check-ins").check()
    await dialog.get_by_label("Your feedback").fill("Quick and painless.")
    await dialog.get_by_role("button", name="Send anonymously").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator("#notice")).to_contain_text("Stored anonymously")
    assert await page.locator("#answers article").count() == 0  # a form answer leaves no empty bubble
    await page.close()
