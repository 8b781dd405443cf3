"""The one-button flow on the fake clock: every path a person can take with one button."""

from dataclasses import replace
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest

from calmkit.core.ambient import ASK_LEVEL, ASK_PERIOD_S, FADE_S
from calmkit.core.clock import FakeClock
from calmkit.core.flow import (
    ASK_HELPED,
    IDLE,
    OFFER_QUIET,
    RUNNING,
    Flow,
    FlowSettings,
)
from calmkit.core.flow_table import (
    ROWS,
    TIMEOUTS,
    Action,
    Mode,
    Timeout,
    hint,
    markdown,
)
from calmkit.core.gestures import Gesture
from calmkit.core.programs import Program, Quiet, Step, Steps

LIB = {
    "calm": Program(
        "calm",
        blocks=(Steps((Step("inhale", 2), Step("exhale", 3)), cycles=2),),
        fallback=("ground", "press"),
    ),
    "box": Program("box", blocks=(Steps((Step("inhale", 4), Step("hold", 4)), cycles=1),)),
    "ground": Program(
        "ground",
        blocks=(
            Steps(
                (Step("prompt", 40, items=2, sound="say_ground_see"), Step("prompt", 40, items=1))
            ),
        ),
        fallback=("press",),
    ),
    "press": Program("press", blocks=(Steps((Step("press", 10), Step("release", 5))),)),
    "quiet": Program("quiet", blocks=(Quiet(60, fade_out_s=10),)),
}
SETTINGS = FlowSettings(
    default_program="calm", menu=("calm", "box", "ground"), quiet_offer_s=20, helped_s=30
)


def make(**kw):
    clock = FakeClock(wall_start=datetime(2026, 3, 1, 23, 0).astimezone())
    return Flow(LIB, clock, kw.pop("settings", SETTINGS), **kw), clock


def g(flow, clock, kind, held=0.0):
    return flow.handle(Gesture(kind, clock.now(), held))


def run_until_idle_or(flow, clock, state, limit=10_000):
    events = []
    for _ in range(limit):
        if flow.state == state:
            return events
        deadline = flow.next_deadline()
        assert deadline is not None, f"stuck in {flow.state}"
        clock.advance_to(deadline)
        events += flow.tick()
    raise AssertionError("never got there")


def kinds(events, kind):
    return [e for e in events if e.kind == kind]


def test_a_press_starts_the_default_program_with_its_first_chime():
    flow, clock = make()
    events = g(flow, clock, "press")
    assert flow.state == RUNNING
    assert kinds(events, "session_start")[0].data["program"] == "calm"
    assert [e.data["name"] for e in kinds(events, "sound")] == ["chime_in"]


def test_press_pauses_and_resumes_and_deadlines_stay_exact():
    flow, clock = make()
    g(flow, clock, "press")
    clock.advance(1)
    assert kinds(g(flow, clock, "press"), "pause")
    assert flow.next_deadline() == 1 + 600 and not flow.animating()  # the pause limit
    clock.advance(60)
    g(flow, clock, "press")
    assert flow.next_deadline() == 2 + 60


def test_completed_session_offers_quiet_then_asks_if_it_helped():
    flow, clock = make()
    g(flow, clock, "press")
    events = run_until_idle_or(flow, clock, OFFER_QUIET)
    end = kinds(events, "session_end")[0]
    assert end.t == 10 and end.data["status"] == "completed"
    assert [e.data["name"] for e in kinds(events, "sound")][-2:] == ["bell_end", "say_quiet_offer"]
    g(flow, clock, "press")  # yes to quiet time
    assert flow.state == RUNNING and flow.session.plan.program == "quiet"
    run_until_idle_or(flow, clock, ASK_HELPED)
    events = g(flow, clock, "hold")
    record = kinds(events, "episode_end")[0].data
    assert record["programs"] == ["calm", "quiet"]
    assert record["planned_s"] == 70 and record["actual_s"] == 70
    assert record["status"] == "completed" and record["helped"] == "no"
    assert flow.state == IDLE


def test_no_answer_times_out_gently_to_unknown():
    flow, clock = make()
    g(flow, clock, "press")
    run_until_idle_or(flow, clock, OFFER_QUIET)
    offered = clock.now()
    run_until_idle_or(flow, clock, ASK_HELPED)
    assert clock.now() == offered + 20
    events = run_until_idle_or(flow, clock, IDLE)
    assert clock.now() == offered + 50
    assert kinds(events, "episode_end")[0].data["helped"] == "unknown"


def test_hold_means_not_helping_and_escalates_to_ground_then_press():
    flow, clock = make()
    g(flow, clock, "press")
    clock.advance(3)
    events = g(flow, clock, "hold", 1.5)
    assert kinds(events, "not_helping")[0].data == {"switch_to": "ground"}
    assert flow.session.plan.program == "ground"
    assert "say_ground_see" in [e.data["name"] for e in kinds(events, "sound")]
    clock.advance(2)
    g(flow, clock, "press")  # one thing seen
    clock.advance(2)
    g(flow, clock, "hold", 1.5)  # while naming things, a hold says "not helping" on its release
    assert flow.session.plan.program == "ground"
    g(flow, clock, "up", 1.5)
    assert flow.session.plan.program == "press"
    g(flow, clock, "down")
    clock.advance(8)
    squeezing = flow.session
    events = g(flow, clock, "hold", 1.5)  # a squeeze, not "not helping": the session goes on
    assert not kinds(events, "not_helping") and not kinds(events, "session_end")
    assert flow.session is squeezing and flow.mode() == Mode.SQUEEZE
    clock.advance(1)
    g(flow, clock, "up", 9)
    run_until_idle_or(flow, clock, OFFER_QUIET)
    g(flow, clock, "hold")  # no quiet time
    clock.advance(1)
    g(flow, clock, "down")
    g(flow, clock, "up", 0.1)
    events = g(flow, clock, "press")
    record = kinds(events, "episode_end")[0].data
    assert record["programs"] == ["calm", "ground", "press"]
    assert record["items"] == 1
    assert record["squeeze_s"] == 9.0
    assert record["helped"] == "yes"
    assert record["actual_s"] == 3 + 4 + 15


@pytest.mark.parametrize("phase", ["press", "release", "switch"])
def test_a_hold_in_any_squeeze_phase_is_timed_not_taken_as_not_helping(phase):
    """Whatever "not helping" would lead to (here: the same program again), a squeeze is none."""
    library = {**LIB, "hands": Program("hands", blocks=(Steps((Step(phase, 10),)),))}
    library["hands"] = replace(library["hands"], fallback=("hands",))
    flow = Flow(library, FakeClock(wall_start=datetime(2026, 3, 1, 23, 0).astimezone()), SETTINGS)
    clock = flow.clock
    flow.start("hands")
    squeezing = flow.session
    clock.advance(2)
    g(flow, clock, "down")
    clock.advance(1.5)
    assert g(flow, clock, "hold", 1.5) == []
    assert flow.session is squeezing and flow.mode() == Mode.SQUEEZE
    clock.advance(2.5)
    g(flow, clock, "up", 4.0)
    assert flow.session is squeezing
    record = kinds(flow.stop(), "episode_end")[0].data
    assert record["programs"] == ["hands"] and record["squeeze_s"] == 4.0


def test_presses_during_grounding_count_items_and_finish_prompts_early():
    flow, clock = make()
    flow.start("ground")
    for _ in range(2):
        clock.advance(1)
        g(flow, clock, "press")
    assert flow.session.index == 1
    assert flow.next_deadline() == 2 + 40


def test_double_press_stops_and_goes_straight_to_the_question():
    flow, clock = make()
    g(flow, clock, "press")
    clock.advance(4)
    events = g(flow, clock, "double")
    assert kinds(events, "session_end")[0].data["status"] == "stopped"
    assert flow.state == ASK_HELPED
    events = g(flow, clock, "press")
    assert kinds(events, "episode_end")[0].data["status"] == "stopped"


def test_double_press_in_idle_selects_the_next_program_and_says_its_name():
    flow, clock = make()
    events = g(flow, clock, "double")
    assert flow.selected == "box"
    assert kinds(events, "selected")[0].data == {"program": "box", "number": 2}
    assert kinds(events, "sound")[0].data["name"] == "name_box"
    # the light shows the number as slow pulses: two, one a second
    levels = []
    for _ in range(300):
        levels.append(flow.frame().level)
        clock.advance(0.01)
    rises = sum(1 for a, b in pairwise(levels) if a < 0.05 <= b)
    assert rises == 2 and max(levels) > 0.3
    assert levels[-1] == 0
    g(flow, clock, "double")
    g(flow, clock, "double")
    assert flow.selected == "calm"  # wraps around
    g(flow, clock, "press")
    assert flow.session.plan.program == "calm"


def test_stop_mid_session_journals_it_as_stopped():
    flow, clock = make()
    g(flow, clock, "press")
    clock.advance(3)
    events = flow.stop()
    record = kinds(events, "episode_end")[0].data
    assert record["status"] == "stopped" and record["actual_s"] == 3
    assert flow.finished and flow.state == IDLE


def test_stop_while_asking_keeps_the_completed_status():
    flow, clock = make()
    g(flow, clock, "press")
    run_until_idle_or(flow, clock, OFFER_QUIET)
    record = kinds(flow.stop(), "episode_end")[0].data
    assert record["status"] == "completed"


def test_single_mode_runs_one_program_and_finishes():
    flow, clock = make(single=True)
    flow.start("box")
    events = run_until_idle_or(flow, clock, IDLE)
    assert flow.finished
    assert kinds(events, "episode_end")[0].data["programs"] == ["box"]


def test_a_pause_left_alone_ends_the_session_and_asks():
    flow, clock = make()
    g(flow, clock, "press")
    clock.advance(3)
    g(flow, clock, "press")
    events = run_until_idle_or(flow, clock, ASK_HELPED)
    assert clock.now() == 3 + 600
    assert kinds(events, "session_end")[0].data["status"] == "stopped"


# --- the table: what each gesture does where, and what the hints say ----------------------------


def test_naming_things_wants_no_double_so_presses_count_at_once():
    flow, clock = make()
    assert "double" in flow.wanted()
    flow.start("ground")
    assert flow.mode() == Mode.PROMPT
    assert "double" not in flow.wanted() and "long_hold" in flow.wanted()
    g(flow, clock, "press")
    assert flow.session.index == 0
    g(flow, clock, "press")  # two things seen: on to the next prompt at once
    assert flow.session.index == 1
    events = g(flow, clock, "press")  # the last thing named: the session is over, at once
    assert kinds(events, "session_end")[0].data["status"] == "completed"
    assert flow.state == OFFER_QUIET


def test_a_hold_kept_on_from_breathing_into_ground_does_not_stop_ground():
    flow, clock = make()
    g(flow, clock, "press")
    g(flow, clock, "down")
    clock.advance(1.5)
    g(flow, clock, "hold", 1.5)  # not helping: on to ground, the button still down
    assert flow.mode() == Mode.PROMPT
    clock.advance(2.5)
    assert not g(flow, clock, "long_hold", 4.0)  # this hold began before ground: not a stop
    assert g(flow, clock, "up", 6.0) == [] and flow.session.plan.program == "ground"
    g(flow, clock, "down")
    clock.advance(1.5)
    assert [e.data["name"] for e in g(flow, clock, "hold", 1.5)] == ["tick"]  # felt, not acted
    clock.advance(2.5)
    events = g(flow, clock, "long_hold", 4.0)
    assert kinds(events, "session_end")[0].data["status"] == "stopped"
    assert flow.state == ASK_HELPED
    assert not kinds(g(flow, clock, "up", 4.0), "not_helping")


def test_not_helping_with_nothing_left_tries_quiet_time_then_ends_and_the_hint_says_so():
    flow, clock = make()
    flow.start("box")  # no fallbacks
    assert "hold: not helping, quiet time instead" in flow.hint()
    events = g(flow, clock, "hold", 1.5)
    assert kinds(events, "not_helping")[0].data == {"switch_to": "quiet"}
    assert flow.session.plan.program == "quiet"
    assert "hold: not helping, end here" in flow.hint()
    clock.advance(5)
    events = g(flow, clock, "hold", 1.5)
    assert [e.kind for e in events if e.kind != "sound"] == ["session_end", "not_helping", "state"]
    assert kinds(events, "not_helping")[0].data == {"switch_to": None}
    assert flow.state == ASK_HELPED
    record = kinds(g(flow, clock, "hold"), "episode_end")[0].data
    assert record["programs"] == ["box", "quiet"] and record["helped"] == "no"


@pytest.mark.parametrize("gesture", ["press", "double"])
def test_on_the_question_a_double_press_is_a_yes_like_a_press(gesture):
    flow, clock = make()
    flow.start("box")
    run_until_idle_or(flow, clock, ASK_HELPED)
    assert flow.hint() == "press: yes · hold: no · wait: skip"
    assert kinds(g(flow, clock, gesture), "episode_end")[0].data["helped"] == "yes"


def test_with_quiet_time_off_a_session_goes_straight_to_the_question_and_not_helping_ends():
    """The wearable (no lamp to rest by): no quiet offer, and "not helping" never leads to it."""
    flow, clock = make(settings=replace(SETTINGS, quiet_time=False))
    g(flow, clock, "press")
    events = run_until_idle_or(flow, clock, ASK_HELPED)
    assert OFFER_QUIET not in [e.data.get("state") for e in kinds(events, "state")]
    assert "say_quiet_offer" not in [e.data["name"] for e in kinds(events, "sound")]
    g(flow, clock, "hold")  # no: idle again
    flow.start("ground")
    assert flow._not_helping_leads_to() != "quiet"


@pytest.mark.parametrize("gesture", ["press", "double"])
def test_on_the_quiet_offer_a_double_press_is_quiet_time_like_a_press(gesture):
    flow, clock = make()
    flow.start("box")
    run_until_idle_or(flow, clock, OFFER_QUIET)
    g(flow, clock, gesture)
    assert flow.session.plan.program == "quiet"


def test_a_hold_in_idle_shows_and_says_the_selected_program():
    flow, clock = make()
    g(flow, clock, "double")
    events = g(flow, clock, "hold", 1.5)
    assert kinds(events, "selected")[0].data == {"program": "box", "number": 2}
    assert kinds(events, "sound")[0].data["name"] == "name_box"
    assert flow.showing_menu() and flow.animating()
    assert flow.hint().startswith("press: start box")
    clock.advance(2.0)
    assert not flow.showing_menu()


def test_every_mode_has_a_hint_and_every_row_a_handler():
    for mode in Mode:
        assert hint(mode), mode
    flow, _ = make()
    for row in ROWS:
        assert callable(getattr(flow, f"_do_{row.action}")), row
    for timeout in TIMEOUTS.values():
        assert isinstance(getattr(SETTINGS, timeout.setting), float | int)


def test_tick_and_next_deadline_read_the_one_timeouts_table(monkeypatch):
    flow, clock = make()
    flow.start("box")
    run_until_idle_or(flow, clock, OFFER_QUIET)
    offered = clock.now()
    monkeypatch.setitem(TIMEOUTS, Mode.OFFER_QUIET, Timeout("helped_s", Action.YES, "yes"))
    assert flow.next_deadline() == offered + 30
    clock.advance(29.9)
    assert flow.tick() == [] and flow.state == OFFER_QUIET
    clock.advance(0.1)
    assert kinds(flow.tick(), "episode_end")[0].data["helped"] == "yes"


def test_readme_one_button_table_is_the_flow_table():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert markdown() in readme, "README's One button table differs: paste flow_table.markdown()"


def test_a_quick_second_press_after_the_last_thing_named_does_not_answer_the_quiet_offer():
    flow, clock = make()
    flow.start("ground")
    for _ in range(3):  # the third names the last thing: the quiet offer comes at once
        g(flow, clock, "down")
        clock.advance(0.1)
        g(flow, clock, "up", 0.1)
        g(flow, clock, "press")
        clock.advance(0.1)
    assert flow.state == OFFER_QUIET
    g(flow, clock, "down")  # by habit, 0.1 s later: the tail of the counting
    clock.advance(0.1)
    g(flow, clock, "up", 0.1)
    clock.advance(0.4)
    assert g(flow, clock, "press") == [] and flow.state == OFFER_QUIET
    clock.advance(1.0)
    g(flow, clock, "down")  # a press meant for the offer
    clock.advance(0.1)
    g(flow, clock, "up", 0.1)
    clock.advance(0.4)
    g(flow, clock, "press")
    assert flow.state == RUNNING and flow.session.plan.program == "quiet"


def test_while_stopping_the_hint_says_the_button_does_nothing():
    assert hint(Mode.STOPPING) == "going dark; the button does nothing now"
    flow, _ = make()
    flow.stop()
    assert flow.mode() == Mode.STOPPING and flow.hint() == hint(Mode.STOPPING)


def test_a_press_that_went_down_after_the_settle_time_answers_the_question():
    for after, answered in ((0.35, False), (0.45, True)):  # went down this long after it asked
        flow, clock = make()
        flow.start("box")
        run_until_idle_or(flow, clock, ASK_HELPED)
        clock.advance(after)
        g(flow, clock, "down")
        clock.advance(0.1)
        g(flow, clock, "up", 0.1)
        events = g(flow, clock, "press")
        assert bool(kinds(events, "episode_end")) is answered, after


@pytest.mark.parametrize("paused", [False, True], ids=["squeezing", "paused"])
def test_in_a_squeeze_and_in_a_pause_a_press_pauses_or_goes_on_and_a_double_stops(paused):
    flow, clock = make()
    flow.start("press")
    clock.advance(2)
    if paused:
        g(flow, clock, "press")
    assert flow.mode() == (Mode.PAUSED if paused else Mode.SQUEEZE)
    events = g(flow, clock, "press")
    assert kinds(events, "resume" if paused else "pause")
    g(flow, clock, "press")
    clock.advance(1)
    events = g(flow, clock, "double")
    assert kinds(events, "session_end")[0].data["status"] == "stopped"
    assert flow.state == ASK_HELPED


def test_a_hold_in_a_pause_means_not_helping():
    flow, clock = make()
    flow.start("calm")
    clock.advance(1)
    g(flow, clock, "press")
    assert flow.mode() == Mode.PAUSED
    events = g(flow, clock, "hold", 1.5)
    assert kinds(events, "not_helping")[0].data == {"switch_to": "ground"}
    assert flow.session.plan.program == "ground"


def test_the_hint_under_the_button_in_every_mode():
    """What the window and the terminal show: rows kept out (a let-go, a double taken as a
    press) stay out, and the gestures carry the words a person would use."""
    values = {"program": "calm", "next": "try ground"}
    expected = {
        Mode.IDLE: "press: start calm · double: next program · hold: show which",
        Mode.SESSION: "press: pause · double: stop · hold: not helping, try ground",
        Mode.PROMPT: "press: one thing named · hold, let go: not helping, try ground"
        " · keep holding: stop",
        Mode.SQUEEZE: "press: pause · double: stop · hold while you squeeze: timed as a squeeze",
        Mode.QUIET: "press: pause · double: stop · hold: not helping, try ground",
        Mode.PAUSED: "press: go on · double: stop · hold: not helping, try ground"
        " · wait: after 10 min: stop",
        Mode.OFFER_QUIET: "press: quiet time · hold: no thanks · wait: skip",
        Mode.ASK_HELPED: "press: yes · hold: no · wait: skip",
        Mode.STOPPING: "going dark; the button does nothing now",
    }
    assert {mode: hint(mode, values) for mode in Mode} == expected


def test_a_pause_says_paused_and_going_on_says_nothing():
    flow, clock = make()
    flow.start("calm")
    clock.advance(1)
    assert [e.data["name"] for e in kinds(g(flow, clock, "press"), "sound")] == ["say_paused"]
    clock.advance(1)
    assert "say_paused" not in [e.data["name"] for e in kinds(g(flow, clock, "press"), "sound")]


def test_after_quiet_time_and_without_a_quiet_program_it_asks_at_once():
    no_quiet = {name: program for name, program in LIB.items() if name != "quiet"}
    for library, program in ((LIB, "quiet"), (no_quiet, "box")):
        flow = Flow(library, FakeClock(wall_start=datetime(2026, 3, 1, 23).astimezone()), SETTINGS)
        flow.start(program)
        states = []
        while flow.state != ASK_HELPED:
            flow.clock.advance_to(flow.next_deadline())
            states += [e.data["state"] for e in kinds(flow.tick(), "state")]
        assert states == ["ask_helped"], program  # never the quiet offer


def test_a_squeeze_held_across_two_squeeze_phases_is_timed_whole():
    flow, clock = make()
    flow.start("press")  # press 10 s, then release 5 s
    clock.advance(6)
    g(flow, clock, "down")
    clock.advance(4)  # into the release phase at 10 s, still held
    flow.tick()
    clock.advance(2)
    g(flow, clock, "up", 6)
    record = kinds(flow.stop(), "episode_end")[0].data
    assert record["squeeze_s"] == 6.0


def test_a_let_go_in_ground_that_never_went_down_there_is_not_not_helping():
    flow, clock = make()
    flow.start("ground")  # started while the button was already down (a --program start)
    assert not kinds(g(flow, clock, "up", 2.0), "not_helping")
    assert flow.session.plan.program == "ground"


def test_the_answer_fades_the_question_s_light_from_where_it_was():
    flow, clock = make()
    flow.start("box")
    run_until_idle_or(flow, clock, ASK_HELPED)
    clock.advance(ASK_PERIOD_S / 2)  # the slow breath at its top
    g(flow, clock, "press")
    assert flow.state == IDLE
    assert flow.frame().level == pytest.approx(ASK_LEVEL)
    answered = clock.now()
    assert flow.animating()  # the runner draws the fade's frames
    assert flow.animating(at=answered + FADE_S / 2) and not flow.animating(at=answered + FADE_S)
    clock.advance(FADE_S)
    assert flow.frame().level == 0.0 and not flow.animating()


def test_breathing_is_the_session_mode_and_a_program_off_the_menu_shows_as_number_0():
    flow, _ = make()
    flow.start("calm")
    assert flow.mode() == Mode.SESSION  # not a pause: no pause limit runs while breathing
    settings = FlowSettings(default_program="calm", menu=("box",))
    flow = Flow(LIB, FakeClock(wall_start=datetime(2026, 3, 1, 23).astimezone()), settings)
    events = flow.handle(Gesture("hold", 0.0, 1.5))
    assert kinds(events, "selected")[0].data == {"program": "calm", "number": 0}


def test_a_button_held_into_a_squeeze_phase_is_timed_from_where_the_phase_begins():
    library = {
        **LIB,
        "mix": Program("mix", blocks=(Steps((Step("inhale", 4), Step("press", 10))),)),
    }
    flow = Flow(library, FakeClock(wall_start=datetime(2026, 3, 1, 23).astimezone()), SETTINGS)
    clock = flow.clock
    flow.start("mix")
    assert flow.animating()  # a running session draws its frames
    clock.advance(2)
    g(flow, clock, "down")  # held from the inhale ...
    clock.advance(2)
    flow.tick()  # ... into the press at 4 s
    clock.advance(4)
    g(flow, clock, "up", 6)
    record = kinds(flow.stop(), "episode_end")[0].data
    assert record["squeeze_s"] == 4.0


def test_an_unknown_default_program_selects_the_first_on_the_menu_and_idle_never_buzzes():
    settings = FlowSettings(default_program="nowhere", menu=("box", "calm"))
    flow = Flow(LIB, FakeClock(wall_start=datetime(2026, 3, 1, 23).astimezone()), settings)
    assert flow.selected == "box"
    flow.handle(Gesture("down", 0.0))
    assert flow.frame().motor == 0.0 and flow.frame().level > 0


def test_the_motor_pulses_in_a_session_only_and_never_while_paused_or_switched_off():
    for vibration, pause, buzzing in (
        (True, False, True),
        (True, True, False),
        (False, False, False),
    ):
        settings = replace(SETTINGS, vibration=vibration)
        flow = Flow(LIB, FakeClock(wall_start=datetime(2026, 3, 1, 23).astimezone()), settings)
        flow.start("box")  # the inhale's pulse at its start
        if pause:
            flow.handle(Gesture("press", 0.0))
        assert (flow.frame().motor > 0) is buzzing, (vibration, pause)
    flow, clock = make()
    flow.start("box")
    for state in (OFFER_QUIET, ASK_HELPED):
        run_until_idle_or(flow, clock, state)
        assert flow.frame().motor == 0.0, state


def test_a_program_off_the_menu_shows_one_pulse_and_a_double_goes_to_the_menus_first():
    settings = FlowSettings(default_program="calm", menu=("box", "ground"))
    flow = Flow(LIB, FakeClock(wall_start=datetime(2026, 3, 1, 23).astimezone()), settings)
    flow.handle(Gesture("hold", 0.0, 1.5))
    assert flow.showing_menu(0.9) and not flow.showing_menu(1.0)  # one pulse, one second
    flow.handle(Gesture("double", 0.0))
    assert flow.selected == "box"


def test_a_double_whose_first_press_went_down_too_soon_does_not_answer():
    for first, answered in ((0.1, False), (0.5, True)):
        flow, clock = make()
        flow.start("box")
        run_until_idle_or(flow, clock, ASK_HELPED)
        asked = clock.now()
        clock.advance_to(asked + first)
        g(flow, clock, "down")
        g(flow, clock, "up", 0.05)
        clock.advance(0.2)
        g(flow, clock, "down")
        events = g(flow, clock, "double")
        assert bool(kinds(events, "episode_end")) is answered, first
