"""The flow's part in knowing what helps: what an episode tried and left, adaptive's choice of
program and fallbacks, and the safety plan's gesture."""

import random
from dataclasses import replace
from datetime import datetime, time

from tests.core.test_flow import LIB, SETTINGS, g, kinds, run_until_idle_or

from calmkit.core.adaptive import AdaptiveConfig
from calmkit.core.clock import FakeClock
from calmkit.core.flow import IDLE, RUNNING, Flow
from calmkit.core.flow_table import Mode
from calmkit.core.gestures import Gesture

ADAPTIVE = replace(SETTINGS, adaptive=AdaptiveConfig(True, first_episodes=2, explore=0.0))


def make(settings=SETTINGS, hour=23, synced=True):
    clock = FakeClock(wall_start=datetime(2026, 3, 1, hour, 0).astimezone(), synced=synced)
    return Flow(LIB, clock, settings), clock


def episode(flow, clock, holds=0, answer="press"):
    """Start, say "not helping" ``holds`` times, stop with a double, answer; the record."""
    g(flow, clock, "press")
    for _ in range(holds):
        clock.advance(1)
        g(flow, clock, "hold")
    clock.advance(1)
    if flow.mode() == Mode.PROMPT:  # naming things: a hold held on stops
        g(flow, clock, "hold")
        g(flow, clock, "long_hold")
    else:
        g(flow, clock, "double")
    clock.advance(1)
    events = g(flow, clock, answer)
    return kinds(events, "episode_end")[0].data


def test_a_record_keeps_what_was_tried_and_what_was_left():
    flow, clock = make()
    record = episode(flow, clock, holds=1)
    assert record["tried"] == ["calm", "ground"]
    assert record["not_helping"] == ["calm"]
    plain = episode(flow, clock)
    assert plain["tried"] == ["calm"] and "not_helping" not in plain


def test_adaptive_starts_what_helped_at_night_after_the_first_episodes():
    flow, clock = make(ADAPTIVE)
    flow.use_learner(flow.new_learner(random.Random(0)))
    assert flow.selected == "calm"
    assert flow.why_selected().startswith("calm: the first 2 sessions start it (0 so far)")
    for _ in range(2):  # calm did not help; ground (the fallback) did
        episode(flow, clock, holds=1)
    assert flow.learner.stats("ground", True).yes == 2
    assert flow.learner.stats("calm", True).no == 2
    assert flow.selected == "ground"  # the menu has ground; the best mean at night
    assert flow.why_selected() == "ground: helped 2 of 2 times at night"
    events = g(flow, clock, "press")
    assert kinds(events, "session_start")[0].data["program"] == "ground"


def test_adaptive_orders_the_fallbacks_by_what_helped():
    flow, clock = make(ADAPTIVE)
    learner = flow.new_learner(random.Random(0))
    for _ in range(3):
        learner.add({"tried": ["press"], "helped": "yes"}, True)
        learner.add({"tried": ["ground"], "helped": "no"}, True)
        learner.add({"tried": ["calm"], "helped": "yes"}, True)
    flow.use_learner(learner)
    flow.selected = "calm"  # as if chosen from the menu
    g(flow, clock, "press")
    clock.advance(1)
    events = g(flow, clock, "hold")
    assert kinds(events, "not_helping")[0].data["switch_to"] == "press"


def test_without_adaptive_the_fallbacks_keep_their_order_and_the_default_starts():
    flow, clock = make()
    assert flow.learner is None and flow.why_selected() == "calm: the default program"
    g(flow, clock, "press")
    clock.advance(1)
    assert kinds(g(flow, clock, "hold"), "not_helping")[0].data["switch_to"] == "ground"


def test_night_follows_the_caps_window_and_an_unsynced_clock_is_night():
    assert make(hour=23)[0].night()
    assert not make(hour=12)[0].night()
    assert make(hour=12, synced=False)[0].night()
    late = replace(SETTINGS, night_start=time(13, 0), night_end=time(14, 0))
    assert not make(late, hour=12)[0].night()


PLAN = replace(SETTINGS, safety_plan="People I can ask for help. Alex 0770.")


def long_hold(flow, clock):
    flow.handle(Gesture("down", clock.now()))
    clock.advance(1.5)
    g(flow, clock, "hold", 1.5)
    clock.advance(2.5)
    return g(flow, clock, "long_hold", 4.0)


def test_a_long_hold_in_idle_reads_the_safety_plan_aloud():
    flow, clock = make(PLAN)
    events = long_hold(flow, clock)
    shown = kinds(events, "safety_plan")[0].data
    assert shown == {"text": "People I can ask for help. Alex 0770.", "spoken": True}
    assert [e.data["name"] for e in kinds(events, "sound")] == ["say_safety_plan"]
    assert flow.state == IDLE


def test_without_a_voice_the_plan_is_shown_and_nothing_claims_to_read_it():
    flow, clock = make(replace(PLAN, safety_plan_spoken=False))
    events = long_hold(flow, clock)
    assert kinds(events, "safety_plan")[0].data["spoken"] is False
    assert not kinds(events, "sound")


def test_no_plan_kept_the_long_hold_only_ticks():
    flow, clock = make()
    events = long_hold(flow, clock)
    assert not kinds(events, "safety_plan")
    assert [e.data["name"] for e in kinds(events, "sound")] == ["tick"]


def test_a_hold_from_a_session_held_into_idle_does_not_read_the_plan():
    flow, clock = make(PLAN)
    g(flow, clock, "press")
    flow.handle(Gesture("down", clock.now()))
    clock.advance(1)
    g(flow, clock, "double")  # stopped; the button still down
    clock.advance(1)
    g(flow, clock, "hold", 2)  # "no"
    assert flow.state == IDLE
    assert not kinds(g(flow, clock, "long_hold", 4), "safety_plan")
    assert flow.state != RUNNING
    run_until_idle_or(flow, clock, IDLE)


def test_the_idle_hint_leaves_the_plan_out_and_the_readme_table_names_it():
    from calmkit.core.flow_table import markdown

    assert "safety plan" not in make(PLAN)[0].hint() and "safety plan" not in make()[0].hint()
    assert "| your safety plan, read aloud (when you keep one) |" in markdown()
