"""Safety on the output: flashes, breath holds and buzz, across steps, repeats, blocks, chains.

The rules are checked on the expanded plan by `calmkit check`; the property test then runs what
check accepts through the real Runner and Devices on mock pins and the fake clock, and counts
the flashes in the duty the light pin really got.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from calmkit.config import parse_config
from calmkit.core.errors import ConfigError
from calmkit.core.programs import MAX_HOLD_S, Program, Step, Steps, expand
from calmkit.core.safety import (
    FLASH_WINDOW_S,
    MAX_BUZZ_S,
    MAX_FLASHES,
    breaches,
    buzz_breach,
    changes,
    clock_time,
    flash_breach,
    hold_breach,
    worst_flash_window,
)
from helpers import rig


def plan_of(*steps: tuple[str, float], cycles: int = 1, **more: Program) -> Any:
    block = Steps(tuple(Step(phase, seconds) for phase, seconds in steps), cycles=cycles)
    library = {"x": Program("x", blocks=(block,), then=tuple(more)), **more}
    return expand("x", library)


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "t.yaml")
    return [str(problem) for problem in caught.value.problems]


# --- the rules on plans -------------------------------------------------------------------------


def test_the_packaged_programs_break_no_rule() -> None:
    config = parse_config("")
    for name in config.programs:
        assert breaches(expand(name, config.programs)) == [], name


def test_two_non_breathing_phases_alternating_fast_are_flashes() -> None:
    """The issue's case: 0.1 s steps that no single-step check refuses swing the lamp at 5 Hz."""
    breach = flash_breach(plan_of(("prompt", 0.1), ("quiet", 0.1), cycles=50))
    assert breach is not None and breach.rule == "flash"
    assert "flashes 5.5 times within 1 s from 0:00" in breach.message


def test_slow_enough_alternation_and_paced_blinking_pass() -> None:
    assert flash_breach(plan_of(("prompt", 0.3), ("quiet", 0.3), cycles=30)) is None
    assert flash_breach(plan_of(("blink", 1.0), cycles=20)) is None
    assert flash_breach(plan_of(("blink", 0.4), cycles=20)) is None  # 2.5 a second
    assert flash_breach(plan_of(("inhale", 0.4), ("exhale", 0.4), cycles=20)) is None


def test_a_blink_after_a_bright_step_drops_the_lamp_and_counts() -> None:
    """A blink starts dark whatever came before: the drop at the boundary is a change too."""
    breach = flash_breach(plan_of(("blink", 0.4), ("press", 0.4), cycles=20))
    assert breach is not None and "press 0.4 s" in breach.message


def test_small_swings_are_not_flashes() -> None:
    """Under 10 % of full duty is no flash, however fast (the floor and a dim quiet level)."""
    found = changes([(k / 50, 0.05 * (k % 2), 0) for k in range(200)])
    assert found == []
    found = changes([(k / 50, 0.1 * (k % 2), 0) for k in range(200)])
    assert len(found) == 199
    assert worst_flash_window(found)[0] in (50, 51)  # 50 a second, both ends of the window


def test_holds_in_a_row_repeats_and_blocks_add_up() -> None:
    breach = hold_breach(plan_of(("inhale", 4), ("hold", 15), ("hold", 10), ("exhale", 4)))
    assert breach is not None
    assert breach.message.startswith("a breath hold of 25 s from 0:04 (hold 15 s, hold 10 s)")
    # a short step of another kind is no breath: the hold goes on through it
    assert hold_breach(plan_of(("hold", 15), ("rest", 0.5), ("hold", 6))) is not None
    # an inhale, or a long step of another kind, is time to breathe
    assert hold_breach(plan_of(("hold", 15), ("inhale", 2), ("hold", 15))) is None
    assert hold_breach(plan_of(("hold", 15), ("prompt", 5), ("hold", 15))) is None
    assert hold_breach(plan_of(("hold", 20), ("exhale", 4), cycles=5)) is None


def test_a_hold_running_into_the_next_chained_program_is_one_hold() -> None:
    b = Program("b", blocks=(Steps((Step("hold", 12), Step("exhale", 4))),))
    breach = hold_breach(plan_of(("inhale", 4), ("hold", 12), b=b))
    assert breach is not None
    assert "(hold 12 s, hold 12 s in 'b')" in breach.message


def test_short_steps_that_each_start_a_pulse_make_a_long_buzz() -> None:
    breach = buzz_breach(plan_of(("hold", 0.5), cycles=5))
    assert breach is not None and f"over {MAX_BUZZ_S:g} s" in breach.message
    assert buzz_breach(plan_of(("press", 0.4), ("release", 0.4), cycles=5)) is None
    assert buzz_breach(plan_of(("hold", 4), ("inhale", 4), cycles=5)) is None


def test_plan_times_read_as_clock_times() -> None:
    assert clock_time(0) == "0:00"
    assert clock_time(12.44) == "0:12.4"
    assert clock_time(3 * 3600 + 5) == "3:00:05"


# --- check refuses them, located -----------------------------------------------------------------


def test_check_refuses_fast_alternation_on_the_program_line() -> None:
    text = "programs:\n  fast:\n    steps: [{prompt: 0.1}, {quiet: 0.1}]\n    minutes: 10\n"
    assert problems(text) == [
        "t.yaml:2: programs.fast: the light flashes 5.5 times within 1 s from 0:00 (at prompt "
        "0.1 s); the light flashes at most 3 times a second: make the prompt steps there longer"
    ]


@pytest.mark.parametrize(
    ("program", "line", "key", "what"),
    [
        ("    steps: [{inhale: 4}, {hold: 15}, {hold: 15}, {exhale: 4}]\n", 2, "x", "30 s"),
        ("    steps: [{inhale: 4}, {hold: 8, repeat: 3}, {exhale: 4}]\n", 2, "x", "24 s"),
        (
            "    blocks:\n      - {breathe: {rate: 2, hold_out: 15}, cycles: 1}\n"
            "      - {steps: [{hold: 10}, {inhale: 4}]}\n",
            2,
            "x",
            "25 s",
        ),
        (
            "    steps: [{inhale: 4}, {hold: 12}]\n    then: [y]\n"
            "  y:\n    steps: [{hold: 12}, {exhale: 4}]\n",
            4,
            "x.then",
            "24 s",
        ),
    ],
    ids=["in-a-row", "repeat", "block-then-step", "chain"],
)
def test_check_refuses_holds_made_of_several_steps(program, line, key, what) -> None:
    found = problems("programs:\n  x:\n" + program)
    assert len(found) == 1, found
    assert found[0].startswith(f"t.yaml:{line}: programs.{key}: a breath hold of {what} from")
    assert f"at most {MAX_HOLD_S:g} s in a row" in found[0]


def test_a_chained_program_that_breaks_a_rule_itself_is_blamed_alone() -> None:
    text = (
        "programs:\n  x:\n    steps: [{inhale: 4}]\n    then: [y]\n"
        "  y:\n    steps: [{hold: 12}, {hold: 12}]\n"
    )
    assert [p.split(": a breath")[0] for p in problems(text)] == ["t.yaml:5: programs.y"]


def test_the_single_step_message_stays_where_it_is_better() -> None:
    found = problems("programs:\n  x:\n    steps: [{hold: 25}]\n")
    assert found == [
        "t.yaml:3: programs.x.steps[0].hold: a hold of 25 s is too long; holds are at most 20 s"
    ]


# --- the property: what check accepts, the pins never break --------------------------------------

PHASES = ["inhale", "hold", "exhale", "blink", "press", "release", "switch", "prompt", "quiet"]
step_strategy = st.builds(
    lambda phase, seconds, repeat: {phase: seconds, **({"repeat": repeat} if repeat > 1 else {})},
    st.sampled_from(PHASES),
    st.sampled_from([0.1, 0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 1.0, 2.0, 6.0, 11.0]),
    st.sampled_from([1, 1, 1, 2, 3]),
)
#: a prompt a press ends early: the property presses during it (see item_presses)
item_prompt = st.builds(
    lambda seconds: {"prompt": seconds, "items": 1}, st.sampled_from([1.0, 2.0, 3.0, 6.0, 40.0])
)
fast = st.sampled_from([0.1, 0.2, 0.3, 0.4, 0.5])
program_strategy = st.one_of(
    st.builds(
        lambda steps, cycles: {"steps": steps, "cycles": cycles},
        st.lists(step_strategy, min_size=1, max_size=4),
        st.integers(1, 6),
    ),
    # holds around a prompt a press can end, the kind that once joined two holds unseen
    st.builds(
        lambda first, prompt, second, cycles: {
            "steps": [{"hold": first}, prompt, {"hold": second}, {"exhale": 4}],
            "cycles": cycles,
        },
        st.sampled_from([1.0, 6.0, 9.0, 11.0, 19.0]),
        item_prompt,
        st.sampled_from([1.0, 6.0, 9.0, 11.0, 19.0]),
        st.integers(1, 2),
    ),
    # fast alternations of two phases, the kind single-step checks let through
    st.builds(
        lambda a, b, one, two, cycles: {"steps": [{a: one}, {b: two}], "cycles": cycles},
        st.sampled_from(["prompt", "quiet", "blink", "press", "hold"]),
        st.sampled_from(["prompt", "quiet", "blink", "press", "release"]),
        fast,
        fast,
        st.integers(5, 20),
    ),
)


@st.composite
def libraries(draw: Any) -> tuple[str, dict[str, Any]]:
    """A few programs, each chaining the next (long chains) or not."""
    count = draw(st.integers(1, 4))
    names = [f"p{i}" for i in range(count)]
    library = {name: draw(program_strategy) for name in names}
    for first, second in pairwise(names):
        if draw(st.booleans()):
            library[first]["then"] = [second]
    return names[0], library


def item_presses(r: Any, times: list[float]) -> None:
    """At each time, name a thing if a prompt with items runs with time to spare (a press
    elsewhere would pause the session, and a pause is no breath hold)."""

    def press_if_naming() -> None:
        session = r.app.runner.flow.session
        step = session.current if session is not None else None
        if step is not None and step.step.items and session.step_remaining() > 0.5:
            now = r.clock.now()
            r.at(now, r.button_pin.drive_low)
            r.at(now + 0.1, r.button_pin.drive_high)

    for t in times:
        r.at(t, press_if_naming)


def pin_flashes(frames: list[tuple[float, float, float]]) -> int:
    samples = [(t, duty, 0) for t, duty, _ in frames]
    return worst_flash_window(changes(samples), FLASH_WINDOW_S)[0]


def longest_buzz(frames: list[tuple[float, float, float]]) -> float:
    longest, since = 0.0, None
    for t, _, motor in frames:
        if motor > 0 and since is None:
            since = t
        elif motor <= 0 and since is not None:
            longest, since = max(longest, t - since), None
    return longest


def longest_hold(events: list[Any]) -> float:
    """The longest hold the phase events show, run together as hold_breach joins them."""
    phases = [e for e in events if e.kind in ("phase", "session_end")]
    longest, since = 0.0, None
    for event, following in pairwise(phases):
        length = following.t - event.t
        phase = event.data.get("phase") if event.kind == "phase" else None
        if phase == "hold":
            since = event.t if since is None else since
            longest = max(longest, following.t - since)
        elif length >= 2.0:  # any step, an inhale too, is a breath only if it lasts 2 s
            since = None
    return longest


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
# the reviewer's case: an item named 1 s into the prompt joins the holds (11 + 1 + 9 s)
@example(
    ("p0", {"p0": {"steps": [{"hold": 11.0}, {"prompt": 2.0, "items": 1}, {"hold": 9.0}]}}), [12.0]
)
@given(libraries(), st.lists(st.sampled_from([0.5, 1.0, 4.1, 5.0, 12.0, 19.5, 25.0]), max_size=4))
def test_what_check_accepts_the_pins_never_break(
    case: tuple[str, dict[str, Any]], presses: list[float]
) -> None:
    name, library = case
    text = yaml.safe_dump({"programs": library})
    try:
        parse_config(text, "p.yaml")
    except ConfigError:
        assume(False)
    r = rig(text, program=name)
    item_presses(r, presses)
    r.run()
    assert r.frames, "nothing was drawn"
    assert pin_flashes(r.frames) <= 2 * MAX_FLASHES
    assert longest_buzz(r.frames) <= MAX_BUZZ_S + 1 / 50 + 1e-9
    assert longest_hold(r.events) <= MAX_HOLD_S + 1e-6


def test_a_persons_chain_of_packaged_programs_is_checked_where_they_meet() -> None:
    """box ends on a 4 s hold: a program of the person's that follows it with a long hold."""
    text = (
        "programs:\n  mine:\n    then: [box, held]\n  held:\n    steps: [{hold: 17}, {inhale: 4}]\n"
    )
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith("t.yaml:3: programs.mine.then: a breath hold of 21 s from 3:56")
    assert "(hold 4 s in 'box', hold 17 s in 'held')" in found[0]


@pytest.mark.parametrize("light", ["{fps: 120}", "{gamma: 1}", "{gamma: 3, floor: 0}", "{fps: 1}"])
def test_the_packaged_programs_pass_under_any_light_settings(light: str) -> None:
    """The person's light settings change the duty: the packaged programs are checked again."""
    config = parse_config(f"light: {light}\n")
    assert "blink" in config.programs


def test_not_helping_in_a_hold_must_not_switch_into_a_hold() -> None:
    """A button hold switches to the fallback at once, even mid-hold: 15 s + 8 s is one hold."""
    text = (
        "programs:\n  a:\n    steps: [{inhale: 4}, {hold: 15}, {exhale: 4}]\n"
        "    fallback: [b]\n  b:\n    steps: [{hold: 8}, {exhale: 4}]\n"
    )
    assert problems(text) == [
        't.yaml:4: programs.a.fallback[0]: "not helping" (a hold of the button) in a breath '
        "hold of 'a' switches to 'b', which starts with a hold: a breath hold of 23 s in all; a "
        "breath is held at most 20 s in a row: start 'b' with a breath"
    ]
    assert parse_config(text.replace("hold: 8", "hold: 5"))


def test_a_persons_fallback_that_opens_with_a_hold_is_one_problem_on_their_line() -> None:
    """box and 478 fall back to ground: the person's ground is blamed once, not each caller."""
    found = problems("programs:\n  ground:\n    steps: [{hold: 18}, {exhale: 4}]\n")
    assert len(found) == 1
    assert found[0].startswith('t.yaml:2: programs.ground: "not helping"')


# --- holds, one by one: how they join, where they break, what the message says -----------------


def test_hold_runs_join_holds_and_short_steps_and_break_at_a_breath():
    from calmkit.core.safety import hold_runs

    assert hold_runs(plan_of(("hold", 5), ("hold", 5), ("inhale", 4))) == [(0, 1)]
    # a breath takes 2 s, an inhale or an exhale too
    assert hold_runs(plan_of(("hold", 5), ("inhale", 1), ("hold", 5))) == [(0, 2)]
    assert hold_runs(plan_of(("hold", 5), ("exhale", 1), ("hold", 5))) == [(0, 2)]
    assert hold_runs(plan_of(("hold", 5), ("inhale", 2), ("hold", 5))) == [(0, 0), (2, 2)]
    assert hold_runs(plan_of(("hold", 5), ("rest", 1.9), ("hold", 5))) == [(0, 2)]  # no breath
    assert hold_runs(plan_of(("hold", 5), ("rest", 2.0), ("hold", 5))) == [(0, 0), (2, 2)]
    assert hold_runs(plan_of(("inhale", 4), ("exhale", 4))) == []


def test_the_not_helping_switch_joins_the_longest_hold_with_the_next_programs_first():
    from calmkit.core.safety import switch_hold_breach

    # the longest hold is the first (8 + 1 + 8 = 17 s), though its last step is not the longest
    current = plan_of(("hold", 8), ("rest", 1), ("hold", 8), ("inhale", 4), ("hold", 10))
    following = plan_of(("hold", 5), ("inhale", 4))
    breach = switch_hold_breach(current, following)
    assert breach is not None and breach.rule == "hold"
    assert "a breath hold of 22 s in all" in breach.message
    assert switch_hold_breach(current, plan_of(("hold", 3), ("inhale", 4))) is None  # 20 s: ok
    assert switch_hold_breach(plan_of(("inhale", 4)), following) is None  # no hold to join
    # the next program's own long hold (after a breath) is its own to answer for, not the switch's
    own = plan_of(("inhale", 4), ("hold", 12), ("rest", 1), ("hold", 12))
    assert hold_breach(own) is not None and switch_hold_breach(current, own) is None


# --- holds a press can join, and breaths too short to be one -----------------------------------


def test_a_prompt_a_press_can_end_is_no_breath_between_holds() -> None:
    """The reviewer's case: an item at 23.3 ends the 40 s prompt: holds of 19 s with 0.3 s
    between. The prompt holds the breath at most 2 s (after that it was a breath)."""
    found = problems(
        "programs:\n  a:\n"
        "    steps: [{inhale: 4}, {hold: 19}, {prompt: 40, items: 1}, {hold: 19}, {exhale: 4}]\n"
    )
    assert found == [
        "t.yaml:2: programs.a: a breath hold of 40 s from 0:04 (hold 19 s, hold 19 s): the "
        "prompt between them can end at a press; a breath is held at most 20 s in a row: put a "
        "breath between the holds or shorten them"
    ]
    short = (
        "programs:\n  a:\n    steps: [{hold: 20}, {prompt: 2, items: 1}, {hold: 20}, {exhale: 4}]\n"
    )
    assert "a breath hold of 42 s from 0:00" in problems(short)[0]
    # without items no press ends the prompt: 40 s is a breath, as before
    assert parse_config(
        "programs:\n  a:\n    steps: [{inhale: 4}, {hold: 19}, {prompt: 40}, {hold: 19}]\n"
    )


def test_a_prompt_that_can_end_holds_the_breath_up_to_a_breaths_length() -> None:
    """10 s + a press at 1.9 s + 9.5 s is 21.4 s held: the prompt counts with up to 2 s."""
    plan = plan_of(("hold", 10), ("inhale", 4), ("hold", 9.5))
    assert hold_breach(plan) is None
    items = Program(
        "x", blocks=(Steps((Step("hold", 10), Step("prompt", 40, items=1), Step("hold", 9.5))),)
    )
    breach = hold_breach(expand("x", {"x": items}))
    assert breach is not None and breach.message.startswith("a breath hold of 21.5 s from 0:00")
    fits = Program(
        "x", blocks=(Steps((Step("hold", 9), Step("prompt", 40, items=1), Step("hold", 9))),)
    )
    assert hold_breach(expand("x", {"x": fits})) is None  # a press at 1.99 s: 19.99 s


def test_not_helping_into_a_fallback_that_opens_with_a_prompt_then_a_hold() -> None:
    found = problems(
        "programs:\n  a:\n    steps: [{inhale: 4}, {hold: 19}, {exhale: 4}]\n"
        "    fallback: [b]\n  b:\n    steps: [{prompt: 3, items: 1}, {hold: 19}, {exhale: 4}]\n"
    )
    assert len(found) == 1 and found[0].startswith(
        't.yaml:4: programs.a.fallback[0]: "not helping" (a hold of the button) in a breath '
        "hold of 'a' switches to 'b', which starts with a hold: a breath hold of 40 s in all"
    )


def test_an_inhale_or_an_exhale_too_short_to_breathe_is_no_breath() -> None:
    """The reviewer's case: 0.4 s breaths between 20 s holds make 40.4 s without breathing out."""
    found = problems(
        "programs:\n  a:\n    steps: [{hold: 20}, {inhale: 0.4}, {hold: 20}, {exhale: 0.4}, "
        "{hold: 20}, {inhale: 0.4}]\n    minutes: 10\n"
    )
    assert found == [
        "t.yaml:2: programs.a: a breath hold of 40.4 s from 0:00 (hold 20 s, hold 20 s): an "
        "inhale of 0.4 s is not a breath (a breath takes 2 s); a breath is held at most 20 s in "
        "a row: put a breath between the holds or shorten them"
    ]
    assert hold_breach(plan_of(("hold", 10), ("exhale", 1.9), ("hold", 8.2))) is not None
    assert hold_breach(plan_of(("hold", 20), ("exhale", 2), ("hold", 20))) is None


def test_breathe_blocks_and_ramps_with_holds_still_pass() -> None:
    """Their inhales and exhales last 2 s or more: each is a breath between the holds; at 6 a
    minute, 4 s holds leave breaths of 1 s: no breath."""
    assert parse_config(
        "programs:\n  a:\n    blocks:\n"
        "      - {breathe: {rate: 4, hold_in: 4, hold_out: 4}, minutes: 2}\n"
        '      - {breathe: {rate: 11, to_rate: 6, ramp: 0.8, ratio: "1:1.5", hold_out: 1}, '
        "minutes: 3}\n"
    )
    found = problems(
        "programs:\n  a:\n    breathe: {rate: 6, hold_in: 4, hold_out: 4}\n    minutes: 2\n"
    )
    assert "an exhale of 1 s is not a breath" in found[0]


def test_the_hold_message_names_the_first_four_holds_and_counts_the_rest():
    four = hold_breach(plan_of(*[("hold", 5.5), ("rest", 0.5)] * 4))
    assert four is not None and four.rule == "hold" and four.start_s == 0.0
    assert "(hold 5.5 s, hold 5.5 s, hold 5.5 s, hold 5.5 s);" in four.message  # no "0 more"
    five = hold_breach(plan_of(*[("hold", 4.5), ("rest", 0.5)] * 4, ("hold", 4.5)))
    assert five is not None and "hold 4.5 s, 1 more);" in five.message
    six = hold_breach(plan_of(*[("hold", 3), ("rest", 0.5)] * 6, ("hold", 3)))
    assert six is not None
    assert "(hold 3 s, hold 3 s, hold 3 s, hold 3 s, 2 more);" in six.message
    # found where it goes over: the holds after that point are not named
    three = hold_breach(plan_of(("inhale", 4), ("hold", 12), ("hold", 12), ("hold", 12)))
    assert three is not None and three.start_s == 4.0 and (three.index, three.end_index) == (1, 2)
    assert "(hold 12 s, hold 12 s);" in three.message


def test_a_buzz_in_a_chained_program_is_named_with_its_program() -> None:
    chained = Program("y", blocks=(Steps((Step("hold", 0.5),), cycles=5),))
    breach = buzz_breach(plan_of(("inhale", 4), y=chained))
    assert breach is not None and breach.index == 1 and breach.start_s == 4.0
    assert "from 0:04 (at hold 0.5 s in 'y')" in breach.message
    own = buzz_breach(plan_of(("inhale", 4), ("hold", 0.5), cycles=1, y=chained))
    assert own is not None and "(at hold 0.5 s):" in own.message  # begun in x: x's own step
    alone = buzz_breach(plan_of(("hold", 0.5), cycles=5))
    assert alone is not None and "(at hold 0.5 s)" in alone.message  # its own: no "in"


def test_longer_plan_times_and_the_duty_of_a_level() -> None:
    from calmkit.core.safety import duty

    assert clock_time(125) == "2:05"
    assert clock_time(3 * 3600 + 61.5) == "3:01:01.5"
    assert duty(-0.5, 2.2) == 0.0 and duty(1.5, 2.2) == 1.0  # clamped
    assert duty(0.5, 2.0) == 0.25
