"""What the flow keeps for the faces' words: the last session, answer and reach-out, the time
the offer or the question runs out, and how many things were named in a prompt."""

from __future__ import annotations

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.core.flow import Flow, FlowSettings
from calmkit.core.gestures import Gesture
from calmkit.core.session import COMPLETED, STOPPED

LIBRARY = parse_config(
    "programs:\n  tiny:\n    steps: [{inhale: 2}, {exhale: 2}]\n"
    "  long:\n    steps: [{inhale: 10}, {exhale: 10}]\n    cycles: 3\n"
    "  name:\n    steps: [{prompt: 10, items: 3, label: see}]\n",
    "t.yaml",
).programs


def flow(**settings) -> tuple[Flow, FakeClock]:
    clock = FakeClock()
    return Flow(LIBRARY, clock, FlowSettings(**settings)), clock


def gesture(kind: str, t: float) -> Gesture:
    return Gesture(kind, t)


def test_a_completed_session_then_the_offer_runs_out_at_its_time():
    f, clock = flow(quiet_offer_s=20.0)
    assert f.last_session is None and f.timeout_at() is None
    f.start("tiny")
    clock.advance(4.0)
    f.tick()
    assert f.state == "offer_quiet"
    assert f.last_session == ("tiny", COMPLETED, 4.0)
    assert f.timeout_at() == 24.0


def test_a_stopped_session_is_kept_as_stopped():
    f, clock = flow()
    f.start("tiny")
    clock.advance(1.0)
    f.handle(gesture("double", 1.0))  # stop: then "did that help?"
    assert f.last_session == ("tiny", STOPPED, 1.0) and f.state == "ask_helped"


def test_the_answer_and_the_reach_out_are_kept_with_their_times():
    f, clock = flow(reach_out_sessions=1, reach_out_message="call a friend")
    f.start("long")  # a minute: long enough to count towards reach-out
    clock.advance(60.0)
    f.tick()  # completed: the quiet offer
    clock.advance(2.0)
    f.handle(gesture("hold", 62.0))  # no thanks: "did that help?"
    assert f.state == "ask_helped" and f.last_answer is None
    clock.advance(2.0)
    f.handle(gesture("press", 64.0))
    assert f.last_answer == ("yes", 64.0)
    assert f.last_reach_out == ("call a friend", 64.0)


def test_a_prompt_counts_the_things_named_in_its_step():
    f, clock = flow()
    f.start("name")
    assert f.session is not None and f.session.items_in_step == 0
    clock.advance(1.0)
    f.handle(gesture("press", 1.0))
    clock.advance(1.0)
    f.handle(gesture("press", 2.0))
    assert f.session.items_in_step == 2
