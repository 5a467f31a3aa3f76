"""Adaptive Card rendering of the neutral model, checked against the official 1.5 schema."""

from __future__ import annotations

import pytest

from adapters.teams.render import CONTEXT_KEY, card_response, markdown, render_form, render_message
from bot.checkins import cards
from bot.messages import (
    Actions,
    Button,
    Choice,
    ChoiceInput,
    Context,
    Divider,
    Fields,
    Form,
    Header,
    Image,
    Message,
    Section,
    TextInput,
)
from bot.settings import Settings
from bot.text import bold, code, italic, link, text
from tests.support.teams.schemas import assert_valid_card, card_errors

PROMPT = Message(
    text="Quick inclusivity check-in · Senior Backend Engineer · onsite",
    blocks=(
        Header(text="Quick inclusivity check-in"),
        Section(
            text=text(bold("Senior Backend Engineer"), " · onsite · today 10:00–11:00\nOur shared practices:"),
            bullets=("structured", "rubric"),
        ),
        Fields(items=(("Role", "Senior Backend Engineer"), ("Stage", "onsite"))),
        Divider(),
        Actions(
            buttons=(
                Button(label="All practices followed", action_id="checkin.all", value="7", style="primary"),
                Button(label="Answer in detail", action_id="checkin.detail", value="7"),
                Button(label="Raise a concern", action_id="checkin.concern", value="7", style="danger"),
                Button(label="Not my interview", action_id="checkin.not_mine", value="7"),
            )
        ),
        Context(text="Takes one click. Only aggregates are reported — <https://example.com/why|why we ask>"),
        Image(url="https://example.com/chart.png", alt="trend chart"),
    ),
)

DETAIL = Form(
    form_id="checkin.detail",
    title="Check-in in detail",
    submit_label="Save",
    intro="One answer per practice.",
    context="7",
    inputs=(
        ChoiceInput(
            input_id="rubric",
            label="scored against the rubric",
            choices=(Choice(value="yes", label="Yes"), Choice(value="no", label="No"), Choice(value="na", label="n/a")),
        ),
        TextInput(input_id="note", label="Private note", multiline=True, placeholder="Only you and the DEI lead"),
    ),
)


def test_prompt_card_is_valid_and_buttons_are_execute_actions() -> None:
    card = render_message(PROMPT)
    assert_valid_card(card)
    actions = [a for element in card["body"] if element["type"] == "ActionSet" for a in element["actions"]]
    assert (actions[0]["type"], actions[0]["verb"], actions[0]["data"]) == (
        "Action.Execute",
        "checkin.all",
        {"value": "7"},
    )
    assert [a.get("style") for a in actions] == ["positive", None, "destructive", None]
    assert card["fallbackText"] == str(PROMPT.text)
    assert card["msteams"] == {"width": "Full"}


def test_the_reminder_with_remind_me_later_is_a_valid_card() -> None:
    reminder = cards.prompt_message(
        prompt_id=7, title=text(bold("Engineer"), " · onsite"), settings=Settings(), reminder=True, later=True
    )
    card = render_message(reminder)
    assert_valid_card(card)
    actions = [a for element in card["body"] if element["type"] == "ActionSet" for a in element["actions"]]
    assert [(a["title"], a["verb"]) for a in actions][-1] == ("Remind me later", "checkin.later")


def test_divider_becomes_a_separator_on_the_next_element() -> None:
    card = render_message(PROMPT)
    action_set = next(e for e in card["body"] if e["type"] == "ActionSet")
    assert action_set["separator"] is True


def test_spans_become_adaptive_card_markdown() -> None:
    assert markdown(text(bold("bold"), " and ", italic("it"))) == "**bold** and _it_"
    assert markdown(text("see ", link("https://x.example/a", "the guide"))) == "see [the guide](https://x.example/a)"
    assert markdown(text("intro"), (text("one"), text("two"))) == "intro\n\n- one\n- two"


def test_text_without_a_kind_is_never_markup() -> None:
    """A str carries no markup: asterisks, brackets and list markers are shown as themselves."""
    shown = markdown("*not bold* [not](https://evil.example) \n- not a list")
    assert "**" not in shown and "](" not in shown and "\n- " not in shown
    assert shown.replace("\u200b", "") == "*not bold* [not](https://evil.example) \n- not a list"
    assert markdown("2 * 3 * 4").replace("\u200b", "") == "2 * 3 * 4"
    assert markdown(text("type ", code("stats 30d"))) == "type stats 30d"  # Adaptive Cards have no inline code


def test_text_only_message_gets_a_body() -> None:
    card = render_message(Message(text="Recorded — thank you."))
    assert_valid_card(card)
    assert card["body"][0]["text"] == "Recorded — thank you."


@pytest.mark.parametrize("errors", [None, {"rubric": "Pick one answer", "other": "Something else"}])
def test_form_card_is_valid_and_submits_with_context(errors: dict[str, str] | None) -> None:
    card = render_form(DETAIL, errors=errors, values={"note": "kept"})
    assert_valid_card(card)
    submit = card["actions"][0]
    assert submit["verb"] == "form:checkin.detail"
    assert submit["data"] == {CONTEXT_KEY: "7"}
    inputs = {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}
    assert inputs["rubric"]["isRequired"] is True and inputs["rubric"]["style"] == "expanded"
    assert inputs["note"]["value"] == "kept" and inputs["note"]["isMultiline"] is True
    texts = [e.get("text") for e in card["body"]]
    if errors:
        assert "Pick one answer" in texts and "Something else" in texts
    else:
        assert "Pick one answer" not in texts


def test_card_response_envelope() -> None:
    body = card_response(render_message(PROMPT))
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert_valid_card(body["value"])


def test_the_oracle_rejects_broken_cards() -> None:
    assert card_errors(
        {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "x", "weight": "heavy"}]}
    )
    assert card_errors({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]})
