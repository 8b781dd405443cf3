"""The adaptive: and safety_plan: sections: defaults, the person's lines, and mistakes located."""

import pytest

from calmkit.config import parse_config
from calmkit.core.adaptive import AdaptiveConfig
from calmkit.core.errors import ConfigError
from calmkit.core.safety_plan import SafetyPlan, plan_text, spoken_text


def test_the_defaults_keep_adaptive_off_and_no_plan():
    config = parse_config("")
    assert config.adaptive == AdaptiveConfig(False, 10, 0.2)
    assert config.safety_plan == SafetyPlan() and config.safety_plan.empty


def test_the_persons_settings_and_lines_are_read():
    config = parse_config(
        "adaptive: {enabled: true, first_episodes: 3, explore: 0.1}\n"
        "safety_plan:\n"
        "  people: [Alex 0770 900123, 116123]\n"
        "  crisis_line: Samaritans 116 123\n"
    )
    assert config.adaptive == AdaptiveConfig(True, 3, 0.1)
    assert config.safety_plan.people == ("Alex 0770 900123", "116123")
    assert config.safety_plan.crisis_line == ("Samaritans 116 123",)
    assert not config.safety_plan.empty


@pytest.mark.parametrize(
    "text, problem",
    [
        ("safety_plan: {peple: [Alex]}", "safety_plan.peple: unknown key 'peple'; did you mean"),
        ("safety_plan: {people: [{name: Alex}]}", "safety_plan.people[0]: expected text"),
        ("safety_plan: {people: {name: Alex}}", "safety_plan.people: expected text"),
        ("adaptive: {explore: 2}", "adaptive.explore"),
        ("adaptive: {first_episodes: 2.5}", "adaptive.first_episodes"),
        ("adaptive: {enabled: maybe}", "adaptive.enabled"),
    ],
)
def test_mistakes_are_located(text, problem):
    with pytest.raises(ConfigError) as error:
        parse_config(text)
    assert problem in str(error.value)


def test_the_plan_reads_in_the_order_of_the_intervention():
    plan = SafetyPlan(
        warning_signs=("I stop answering",), people=("Alex 0770",), crisis_line=("116 123",)
    )
    text = plan_text(plan)
    assert text.index("Warning signs") < text.index("People I can ask") < text.index("crisis line")
    assert spoken_text(plan).startswith("Warning signs. I stop answering.")
    assert "Things I can do" not in text  # a step left empty is left out
