"""The Block Kit renderer: every neutral message, form and home view becomes a payload Slack accepts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.slack import render
from bot.checkins import cards
from bot.interactions import commands
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
from bot.text import bold, italic, link, mention, text, user
from tests.support.slack.blockkit import check_blocks, check_view

SETTINGS = Settings()
TITLE = cards.headline(
    role="Senior Backend Engineer",
    stage="onsite",
    team="Platform",
    starts=datetime(2026, 11, 23, 10, tzinfo=UTC),
    ends=datetime(2026, 11, 23, 11, tzinfo=UTC),
    zone=SETTINGS.zone,
    now=datetime(2026, 11, 23, 11, 5, tzinfo=UTC),
)

CORE_MESSAGES = {
    "prompt": cards.prompt_message(prompt_id=42, title=TITLE, settings=SETTINGS, first_time=True),
    "reminder": cards.prompt_message(
        prompt_id=42, title=TITLE, settings=SETTINGS, reminder=True, later=True, status=italic("Reminder")
    ),
    "recorded": cards.recorded_message(
        prompt_id=42,
        title=TITLE,
        summary=text(bold("Recorded:"), " all practices followed"),
        tips=SETTINGS.practices[:2],
        settings=SETTINGS,
    ),
    "help": commands.help_message(),
    "help-unknown": commands.help_message(unknown="<script>"),
    "why": commands.why_message(SETTINGS),
}

EVERYTHING = Message(
    text="every block kind",
    blocks=(
        Header(text="H" * 400),
        Section(text=text(bold("bold"), " ", italic("italic"), " & <not a link>"), bullets=("one", "two")),
        Section(text="   "),
        Fields(items=tuple((f"label {i}", f"value {i}") for i in range(13))),
        Actions(
            buttons=tuple(Button(label=f"b{i}" * 60, action_id=f"a{i}", value="" if i else "v") for i in range(30))
        ),
        Context(text="small print"),
        Image(url="https://example.com/chart.png", alt="trend chart"),
        Divider(),
    ),
)


@pytest.mark.parametrize("name", sorted(CORE_MESSAGES))
def test_core_messages_render_to_valid_blocks(name: str) -> None:
    body = render.message_body(CORE_MESSAGES[name])
    check_blocks(body["blocks"])
    assert body["text"].strip()


def test_every_block_kind_is_valid_and_clipped_to_slack_limits() -> None:
    blocks = render.blocks(EVERYTHING)
    check_blocks(blocks)
    kinds = [b["type"] for b in blocks]
    assert kinds == ["header", "section", "section", "section", "actions", "actions", "context", "image", "divider"]
    assert len(blocks[0]["text"]["text"]) == 150
    assert [len(b["fields"]) for b in blocks[2:4]] == [10, 3]
    assert [len(b["elements"]) for b in blocks[4:6]] == [25, 5]
    assert "value" not in blocks[4]["elements"][1]  # Slack rejects an empty value


def test_spans_become_mrkdwn_and_every_character_is_literal() -> None:
    section = Section(text=text(bold("a"), " & <b> ", italic("c"), " ", link("https://example.com/t", "training")))
    shown = render.blocks(Message(text="x", blocks=(section,)))[0]["text"]
    assert shown == {
        "type": "mrkdwn",
        "text": "*a* &amp; &lt;b&gt; _c_ <https://example.com/t|training>",
        "verbatim": True,
    }


def test_a_persons_text_never_becomes_a_mention_a_link_or_formatting() -> None:
    hostile = "<!channel> <https://evil.example/login|Re-authenticate> *urgent* _now_ `code` ~gone~"
    rendered = render.mrkdwn_of(text("Note: ", user(hostile)))
    assert "<" not in rendered and ">" not in rendered  # no mention, no link: Slack shows &lt;…&gt; as text
    for marker in "*_`~":
        assert all(rendered[i + 1] == "\u200b" for i, c in enumerate(rendered) if c == marker)  # can't pair up
    assert rendered.replace("\u200b", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == (
        "Note: " + hostile
    )
    fallback = render.fallback_text(Message(text=text("Concern: ", user(hostile + " https://evil.example/x"))))
    assert "<" not in fallback and "https://evil" not in fallback  # the address is broken up in notifications
    assert render.mrkdwn_of(mention("U0ANA0001", "Ana")) == "<@U0ANA0001>"
    assert render.mrkdwn_of(mention("<!here>", "x")) == "x"  # only a real user id becomes a mention


def test_the_headline_keeps_role_stage_team_and_time_in_order_and_what_the_ats_sent_literal() -> None:
    assert str(TITLE) == "Senior Backend Engineer · onsite · Platform · today 10:00–11:00 (UTC)"
    title = cards.headline(
        role="Lead", stage="", team="<!here> R&D", starts=datetime(2026, 11, 23, 10, tzinfo=UTC),
        ends=datetime(2026, 11, 23, 11, tzinfo=UTC), zone=SETTINGS.zone, now=datetime(2026, 11, 23, 11, 5, tzinfo=UTC),
    )  # fmt: skip
    assert render.mrkdwn_of(title) == "*Lead* · &lt;!here&gt; R&amp;D · today 10:00–11:00 (UTC)"  # no stage, no ping


def test_long_messages_are_shortened_to_fifty_blocks() -> None:
    message = Message(text="long", blocks=tuple(Section(text=f"line {i}") for i in range(80)))
    blocks = render.blocks(message)
    assert len(blocks) == 50
    check_blocks(blocks)


def test_prompt_carries_its_id_in_metadata_and_plain_messages_do_not() -> None:
    assert render.metadata(CORE_MESSAGES["prompt"]) == {
        "event_type": "fairloop_prompt",
        "event_payload": {"prompt_id": "42"},
    }
    assert render.metadata(CORE_MESSAGES["help"]) is None


def test_text_only_message_has_no_blocks() -> None:
    assert render.message_body(Message(text="hi")) == {"text": "hi"}


def test_detail_form_renders_a_valid_modal_keyed_by_input_id() -> None:
    form = cards.detail_form(prompt_id=42, title=TITLE, settings=SETTINGS, initial={"rubric": "no"}, note="later")
    view = render.modal(form)
    check_view(view)
    assert view["callback_id"] == "checkin.detail" and view["private_metadata"] == "42"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [p.key for p in SETTINGS.practices] + ["note"]
    assert all(b["element"]["action_id"] == b["block_id"] for b in inputs)
    rubric = next(b for b in inputs if b["block_id"] == "rubric")
    assert rubric["element"]["type"] == "radio_buttons" and rubric["element"]["initial_option"]["value"] == "no"
    assert inputs[-1]["optional"] is True and inputs[-1]["element"]["initial_value"] == "later"


def test_concern_form_and_large_choice_lists_render_valid_modals() -> None:
    check_view(render.modal(cards.concern_form(prompt_id=7, title=TITLE)))
    many = Form(
        form_id="x",
        title="A title far longer than twenty-four characters",
        submit_label="Send it right now please",
        inputs=(
            ChoiceInput(
                input_id="pick", label="Pick", choices=tuple(Choice(value=f"v{i}", label=f"L{i}") for i in range(12))
            ),
            TextInput(input_id="t", label="Say", placeholder="here", max_length=9000),
        ),
    )
    view = render.modal(many)
    check_view(view)
    assert view["blocks"][0]["element"]["type"] == "static_select"
    assert view["blocks"][1]["element"]["max_length"] == 3000
    assert len(view["title"]["text"]) <= 24 and "private_metadata" not in view


def test_home_view_is_valid_even_when_empty() -> None:
    check_view(render.home(EVERYTHING))
    check_view(render.home(Message(text="nothing yet")))


@pytest.mark.parametrize(
    "bad",
    [
        [{"type": "section"}],
        [{"type": "button", "text": {"type": "plain_text", "text": "x"}}],
        [
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "x"}, "value": ""}],
            }
        ],
        [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
        [{"type": "context", "elements": []}],
    ],
)
def test_the_oracles_reject_bad_blocks(bad: list[dict[str, object]]) -> None:
    with pytest.raises(AssertionError):
        check_blocks(bad)
