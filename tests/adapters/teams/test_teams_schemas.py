"""The card oracle itself: Microsoft's own valid 1.5 cards pass it, known-bad cards fail it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.teams.schemas import assert_valid_card, card_errors, card_is_valid, thirdparty

# the official v1.5 scenario samples that the official 1.5 schema accepts (README: 19 of 23)
VALID_SCENARIOS = (
    "ActivityUpdate",
    "Agenda",
    "ApplicationLogin",
    "CalendarReminder",
    "FlightDetails",
    "FlightItinerary",
    "FlightUpdate",
    "FoodOrder",
    "ImageGallery",
    "InputForm",
    "InputFormWithRTL",
    "OrderConfirmation",
    "OrderDelivery",
    "Restaurant",
    "ShowCardWizard",
    "SportingEvent",
    "StockUpdate",
    "WeatherCompact",
    "WeatherLarge",
)
# the 4 the schema rejects (1.6 features, a TableCell without items, firstRowAsHeaders)
INVALID_SCENARIOS = ("ExpenseReport", "FlightUpdateTable", "InputsWithValidation", "RestaurantOrder")
INVALID_EDGE_CASES = (
    "v1.0__TypeIsRequired",
    "v1.0__AdditionalProperty",
    "v1.0__AdaptiveCard.UnknownElements",
    "v1.0__AdaptiveCard.MissingVersion",  # the schema accepts it; Teams (and our oracle) needs version 1.5
)
MINIMAL: dict[str, Any] = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "x"}],
    "actions": [{"type": "Action.Submit", "title": "Go"}],
}


def _sample(folder: str, name: str) -> dict[str, Any]:
    path = thirdparty() / "adaptivecards" / folder / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_sample_lists_cover_every_shipped_scenario() -> None:
    shipped = {p.stem for p in (thirdparty() / "adaptivecards" / "samples-v1.5-scenarios").glob("*.json")}
    assert shipped == set(VALID_SCENARIOS) | set(INVALID_SCENARIOS)


@pytest.mark.parametrize("name", VALID_SCENARIOS)
def test_official_valid_scenario_samples_pass(name: str) -> None:
    card = _sample("samples-v1.5-scenarios", name)
    assert_valid_card(card)
    assert card_errors(card) == []


def test_the_universal_actions_edge_case_passes() -> None:
    assert_valid_card(_sample("samples-edge-cases", "v1.5__Action.Execute.Mode"))


def test_teams_outgoing_card_with_msteams_mentions_passes() -> None:
    path = thirdparty() / "botframework" / "teams-activities"
    activity = json.loads((path / "teams.net.outgoing-AdaptiveCardActivity-with-msteams-mentions.json").read_text())
    (attachment,) = activity["attachments"]
    card = attachment["content"]
    assert card["msteams"]["entities"], "the fixture carries Teams mention entities"
    assert_valid_card(card)


@pytest.mark.parametrize("name", INVALID_SCENARIOS)
def test_official_samples_the_schema_rejects_fail(name: str) -> None:
    card = _sample("samples-v1.5-scenarios", name)
    assert not card_is_valid(card)
    assert card_errors(card)
    with pytest.raises(AssertionError, match="not a valid Adaptive Card 1.5"):
        assert_valid_card(card)


@pytest.mark.parametrize("name", INVALID_EDGE_CASES)
def test_known_bad_edge_cases_fail(name: str) -> None:
    card = _sample("samples-edge-cases", name)
    assert not card_is_valid(card)
    assert card_errors(card)


def test_the_minimal_card_passes() -> None:
    assert card_is_valid(MINIMAL) and card_errors(MINIMAL) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"type": "Adaptive"}, "type: 'Adaptive' is not 'AdaptiveCard'"),
        ({"type": None}, "type: None is not 'AdaptiveCard'"),
        ({"version": "1.4"}, "version: '1.4' is not '1.5'"),
        ({"version": None}, "version: None is not '1.5'"),
        ({"body": [{"type": "TextBlock"}]}, "body/0: 'text' is a required property"),
        ({"body": [{"type": "TextBlok", "text": "x"}]}, None),
        ({"body": [{"type": "TextBlock", "text": "x", "weight": "heavy"}]}, None),
        ({"body": {"type": "TextBlock", "text": "x"}}, None),
        ({"actions": [{"type": "Action.Submit", "title": "Go", "colour": "red"}]}, None),
        ({"msteams": "full"}, "<root>: Additional properties are not allowed ('msteams' was unexpected)"),
        ({"speech": "hello"}, "<root>: Additional properties are not allowed ('speech' was unexpected)"),
    ],
)
def test_known_bad_cards_fail(change: dict[str, Any], reason: str | None) -> None:
    card = {k: v for k, v in {**MINIMAL, **change}.items() if v is not None}
    assert not card_is_valid(card)
    errors = card_errors(card)
    assert errors
    if reason is not None:
        assert reason in errors


def test_a_card_level_msteams_object_is_allowed() -> None:
    assert card_is_valid({**MINIMAL, "msteams": {"width": "Full"}})
