"""The session holds every boundary to an absolute deadline, through pauses, skips and items."""

import pytest

from calmkit.clock import FakeClock
from calmkit.programs import Plan, PlannedStep, Program, Step, Steps, expand
from calmkit.session import COMPLETED, ENDED, PAUSED, RUNNING, STOPPED, Session

BOX = Program(
    "box",
    blocks=(
        Steps((Step("inhale", 4), Step("hold", 4), Step("exhale", 4), Step("hold", 4)), cycles=15),
    ),
)
GROUND = Program(
    "ground",
    blocks=(
        Steps(
            (Step("prompt", 40, items=2, label="see"), Step("prompt", 40, items=1, label="hear"))
        ),
    ),
)


def run_to_end(session: Session, clock: FakeClock) -> list:
    events = []
    while (deadline := session.next_deadline()) is not None:
        clock.advance_to(deadline)
        events.extend(session.update())
    return events


def test_box_runs_every_phase_on_time_and_ends_at_240():
    clock = FakeClock()
    session = Session(expand("box", {"box": BOX}), clock)
    events = session.start() + run_to_end(session, clock)
    assert events[0].to_dict() == {
        "t": 0,
        "event": "session_start",
        "program": "box",
        "planned_s": 240,
    }
    phases = [e for e in events if e.kind == "phase"]
    assert [e.t for e in phases] == [4.0 * i for i in range(60)]
    assert [e.data["phase"] for e in phases[:4]] == ["inhale", "hold", "exhale", "hold"]
    assert events[-1].to_dict() == {
        "t": 240,
        "event": "session_end",
        "status": "completed",
        "actual_s": 240,
    }
    assert session.state == ENDED and session.status == COMPLETED


def test_a_late_update_reports_the_measured_time_and_catches_up():
    clock = FakeClock()
    session = Session(expand("box", {"box": BOX}), clock)
    session.start()
    clock.advance(9.5)  # two boundaries passed (4 and 8) before anyone looked
    events = session.update()
    assert [(e.t, e.due, e.data["phase"]) for e in events] == [
        (9.5, 4.0, "hold"),
        (9.5, 8.0, "exhale"),
    ]
    assert session.next_deadline() == 12.0  # later deadlines did not move


def test_pause_and_resume_shift_later_deadlines_by_exactly_the_pause():
    clock = FakeClock(start=1000.0)
    session = Session(expand("box", {"box": BOX}), clock)
    session.start()
    clock.advance(5.0)
    session.update()
    assert session.pause()[0].kind == "pause"
    assert session.state == PAUSED and session.next_deadline() is None
    clock.advance(37.25)
    assert session.step_elapsed() == pytest.approx(1.0)  # time stands still while paused
    events = session.resume()
    assert events[0].data == {"paused_s": 37.25}
    assert session.next_deadline() == 1000.0 + 8.0 + 37.25
    rest = run_to_end(session, clock)
    assert rest[-1].t == pytest.approx(240 + 37.25)
    assert session.active_s() == pytest.approx(240)
    assert session.pauses == 1


def test_skip_starts_the_next_step_now_and_re_anchors():
    clock = FakeClock()
    session = Session(expand("box", {"box": BOX}), clock)
    session.start()
    clock.advance(1.0)
    events = session.skip()
    assert events[0].data["phase"] == "hold" and events[0].t == 1.0
    assert session.next_deadline() == 5.0


def test_prompts_end_early_once_every_item_is_named():
    clock = FakeClock()
    session = Session(expand("ground", {"ground": GROUND}), clock)
    session.start()
    clock.advance(3)
    assert [e.kind for e in session.count_item()] == ["item"]
    clock.advance(2)
    events = session.count_item()
    assert [e.kind for e in events] == ["item", "phase"]
    assert events[1].data["label"] == "hear" and events[1].t == 5
    assert session.next_deadline() == 45
    clock.advance(40)
    assert session.update()[-1].data["status"] == COMPLETED
    assert session.items_counted == 2


def test_a_prompt_times_out_gently_without_presses():
    clock = FakeClock()
    session = Session(expand("ground", {"ground": GROUND}), clock)
    events = session.start() + run_to_end(session, clock)
    assert events[-1].t == 80 and session.items_counted == 0


def test_items_count_only_during_prompts():
    clock = FakeClock()
    session = Session(expand("box", {"box": BOX}), clock)
    session.start()
    assert session.count_item() == []


def test_stop_ends_with_stopped_and_later_calls_do_nothing():
    clock = FakeClock()
    session = Session(expand("box", {"box": BOX}), clock)
    session.start()
    clock.advance(10)
    session.pause()
    clock.advance(5)
    end = session.stop()
    assert end[0].data == {"status": STOPPED, "actual_s": 15}
    assert session.active_s() == 10
    assert session.stop() == [] and session.update() == [] and session.resume() == []


def test_an_empty_plan_starts_and_completes_at_once():
    session = Session(Plan("empty", ()), FakeClock())
    assert [e.kind for e in session.start()] == ["session_start", "session_end"]


def test_a_twenty_minute_ramp_runs_to_completion_on_the_fake_clock():
    from calmkit.programs import Breathe

    lib = {"w": Program("w", blocks=(Breathe(rate=11, to_rate=6, ramp=0.8, total_s=1200),))}
    clock = FakeClock()
    session = Session(expand("w", lib), clock)
    session.start()
    events = run_to_end(session, clock)
    assert events[-1].data["status"] == COMPLETED


def test_state_is_running_between_boundaries():
    plan = Plan("p", (PlannedStep(0.0, Step("inhale", 2), "p"),))
    clock = FakeClock()
    session = Session(plan, clock)
    session.start()
    clock.advance(1.999)
    assert session.update() == [] and session.state == RUNNING
    assert session.step_remaining() == pytest.approx(0.001)
