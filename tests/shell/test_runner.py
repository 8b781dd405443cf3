"""The whole device on mock pins and the fake clock: button edges in, pins and journal out."""

import itertools
import queue

import pytest

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.core.cues import Caps, ease
from calmkit.core.flow import Flow
from calmkit.devices import Role
from calmkit.devices.pwm import PWM_STEPS
from calmkit.shell.app import flow_settings
from calmkit.shell.journal import Journal
from calmkit.shell.outputs import on_step
from calmkit.shell.runner import STOP_FADE_S, Runner
from calmkit.shell.waiters import VirtualWaiter
from helpers import MIDNIGHT, rig


def test_a_whole_calm_session_runs_from_button_edges_alone(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    r = rig(journal=journal)
    r.press(1.0)  # confirmed as a press 0.4 s after release
    r.run_until = None
    # after calm (8:24) the quiet offer comes; press within 20 s for quiet time
    r.press(1.5 + 504 + 5)
    # quiet lasts 5 min; then "did that help?": hold for "no"
    r.at(1.5 + 504 + 5.5 + 300 + 5, r.button_pin.drive_low)
    r.at(1.5 + 504 + 5.5 + 300 + 7, r.button_pin.drive_high)
    assert r.run() == "nothing left to do"
    starts = r.kinds("session_start")
    assert [e.data["program"] for e in starts] == ["calm", "quiet"]
    assert starts[0].t == pytest.approx(1.5)
    (record,) = journal.read()
    assert record["programs"] == ["calm", "winddown", "quiet"]
    assert record["status"] == "completed"
    assert record["helped"] == "no"
    assert record["actual_s"] == pytest.approx(504 + 300, abs=0.1)
    assert journal.in_flight() == []
    assert r.light_pin.state == 0  # off again when idle


def shown_at(r, t: float) -> float:
    """The light pin's duty as the last frame at or before ``t`` left it."""
    return [duty for when, duty, _ in r.frames if when <= t + 1e-9][-1]


def test_light_read_back_from_the_pin_follows_the_eased_breath():
    r = rig()
    r.app.runner.start("box")
    r.at(30, lambda: r.app.runner.request_stop("test"))
    r.run()
    start = r.kinds("session_start")[0].t
    gamma = 2.2
    step = 1 / PWM_STEPS
    assert r.level_at(start + 0) == 0
    assert shown_at(r, start + 2.0) == pytest.approx(0.5**gamma, abs=step)  # half way up
    assert r.level_at(start + 4.0) == pytest.approx(1.0)
    assert shown_at(r, start + 6.0) == pytest.approx(1.0)  # hold at the top
    assert r.level_at(start + 12.0) == step  # exhaled to the floor: the faintest step, lit
    # the pin's own history, exactly: each step the eased inhale through gamma takes on the
    # pin's resolution, once (the frames on the 50 fps grid that change nothing are skipped)
    states = [s.state for s in r.light_pin.states]
    expected = [on_step(ease(k / 200) ** gamma, PWM_STEPS) for k in range(0, 201)]
    distinct = [x for x, _ in itertools.groupby(expected)]
    assert states[: len(distinct)] == distinct
    assert len(distinct) < 200  # the flat ends of the ease: frames skipped


def test_frames_are_held_to_a_fifty_a_second_grid_on_absolute_deadlines():
    r = rig()
    r.app.runner.start("box")
    r.at(20, lambda: r.app.runner.request_stop("test"))
    r.run()
    times = [t for t, _, _ in r.frames if 0 < t < 20]
    assert 200 < len(times) < 20 * 50  # only the frames that change something: not the holds
    grid = [round(t * 50) / 50 for t in times]
    assert max(abs(a - b) for a, b in zip(times, grid)) < 1e-9


def test_night_caps_the_light_and_the_motor():
    r = rig(wall=MIDNIGHT)
    r.app.runner.start("box")
    r.at(10, lambda: r.app.runner.request_stop("test"))
    r.run()
    step = 1 / PWM_STEPS
    assert max(duty for _, duty, _ in r.frames) == pytest.approx(0.3**2.2, abs=step / 2)
    assert max(motor for _, _, motor in r.frames) == pytest.approx(0.5, abs=step / 2)
    day = rig()
    day.app.runner.start("box")
    day.at(10, lambda: day.app.runner.request_stop("test"))
    day.run()
    assert max(duty for _, duty, _ in day.frames) == pytest.approx(1.0)
    assert max(motor for _, _, motor in day.frames) == pytest.approx(0.7, abs=step / 2)


def test_stop_mid_session_fades_out_within_a_second_and_journals_stopped(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    r = rig(journal=journal)
    r.app.runner.start("box")
    r.at(3.0, lambda: r.app.runner.request_stop("SIGTERM"))
    assert r.run() == "SIGTERM"
    assert r.clock.now() <= 3.0 + STOP_FADE_S + 1e-9
    assert r.light_pin.state == 0
    assert journal.read()[0]["status"] == "stopped"


def test_an_idle_box_sleeps_with_no_deadline():
    r = rig()
    assert r.app.runner._next_wake() is None
    r.at(3600, lambda: r.app.runner.request_stop("an hour later"))
    assert r.run() == "an hour later"
    assert r.app.runner.frames == 2  # the light set off at start, and once on waking to stop


def test_a_bouncing_button_still_makes_one_press():
    r = rig()
    pin = r.button_pin
    for k, low in enumerate([True, False, True, False, True]):
        r.at(1.0 + k * 0.004, pin.drive_low if low else pin.drive_high)
    r.at(1.2, pin.drive_high)
    r.at(1.204, pin.drive_low)
    r.at(1.208, pin.drive_high)
    r.at(30, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert len(r.kinds("session_start")) == 1
    assert r.kinds("session_start")[0].t == pytest.approx(1.2 + 0.4)


def test_the_button_lights_the_lamp_within_one_frame_in_idle():
    r = rig()
    r.at(5.0, r.button_pin.drive_low)
    r.at(5.05, lambda: r.app.runner.request_stop("test"))
    r.run()
    lit = [t for t, duty, _ in r.frames if duty > 0]
    assert lit and lit[0] == pytest.approx(5.0)


def test_mock_pin_history_is_cleared_as_it_goes():
    r = rig(clear_history=True)
    r.app.runner.start("winddown20")
    r.run()
    assert len(r.light_pin.states) < 60 * 50 + 10  # at most about a minute of frames kept


def test_a_session_in_flight_is_recovered_as_interrupted(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    r = rig(journal=journal)
    r.app.runner.start("box")
    r.at(65, lambda: r.app.runner.request_stop("crash"))
    r.app.runner._fade_out = lambda: None  # a crash leaves no time for niceties
    r.app.runner.flow.stop = lambda status="stopped": []  # the process died: nothing journaled
    r.run()
    assert journal.read() == [] or journal.read()[0]["status"] == "interrupted"
    assert len(journal.in_flight()) == 1  # the checkpoint, a row in the database
    again = rig(journal=Journal(tmp_path / "j.jsonl"))
    assert any("interrupted" in note for note in again.app.notes)
    (record,) = again.app.journal.read()
    assert record["status"] == "interrupted" and record["programs"] == ["box"]
    assert record["actual_s"] == pytest.approx(60, abs=0.1)  # the last checkpoint


def _script_a_busy_night(r):
    """Presses between frames: start, pause, resume, stop, an answer, the menu, a second start."""
    r.press(1.003)  # start calm
    r.press(7.317)  # pause mid-breath, between two frames
    r.press(12.111)  # resume
    r.press(20.0)
    r.press(20.2)  # a double press: stop the session, then "did that help?"
    r.at(40.05, r.button_pin.drive_low)  # a hold: "no"
    r.at(42.05, r.button_pin.drive_high)
    r.press(700.0)
    r.press(700.2)  # in idle, a double press shows the menu (light pulses, then nothing)
    r.press(800.013)  # start the selected program
    r.at(900, lambda: r.app.runner.request_stop("test"))


def changes(frames) -> list:
    """(time, light, motor) of each frame that changed what the pins show."""
    found, last = [], None
    for t, *shown in frames:
        if shown != last:
            found.append((round(t, 9), *shown))
            last = shown
    return found


def test_the_frames_that_change_something_are_those_of_drawing_every_frame(monkeypatch):
    from test_wakes import every_frame

    from calmkit.shell import runner as runner_module

    sleeping = rig()
    _script_a_busy_night(sleeping)
    sleeping.run()
    monkeypatch.setattr(runner_module, "next_change", every_frame)  # a frame every 1/50 s
    every = rig()
    _script_a_busy_night(every)
    every.run()
    kinds = {e.kind for e in sleeping.events}
    assert {"pause", "resume", "session_end", "episode_end", "selected"} <= kinds
    assert len(sleeping.kinds("session_start")) == 2
    assert len(every.frames) > 50 * 100
    assert len(sleeping.frames) < 0.8 * len(every.frames)
    # the same values on the pins, each from the same frame on: the same light, only fewer wakes
    assert changes(sleeping.frames) == changes(every.frames)
    assert [e.to_dict() for e in sleeping.events] == [e.to_dict() for e in every.events]


def test_a_pause_between_two_frames_holds_the_light_there_and_stops_the_frames():
    r = rig()
    r.app.runner.start("box")
    r.press(1.013)  # in the first inhale; confirmed as a press (a pause) at release + double_s
    held: list[float] = []
    r.at(8.99, lambda: held.append(r.light_pin.state))
    r.at(9.0, lambda: r.app.runner.request_stop("test"))
    r.run()
    paused = [e for e in r.events if e.kind == "pause"]
    assert paused, [e.kind for e in r.events]
    t_pause = r.app.flow.origin + paused[0].t
    level = r.level_at(t_pause)
    assert 0 < level < 1  # caught mid-inhale
    # while paused no frames are drawn at all (not even on the wake of the check itself) ...
    assert [t for t, _, _ in r.frames if t_pause < t < 9.0] == []
    # ... and the light stays where the pause caught it, not where the breath would have gone
    assert held == [level]
    assert [duty for t, duty, _ in r.frames if t_pause <= t < 9.0] == [level]


def test_frames_stop_once_the_light_has_faded_after_a_session():
    r = rig("programs: {tiny: {description: t, steps: [{inhale: 1}, {exhale: 1}]}}")
    r.app.runner.start("tiny")
    r.at(3600, lambda: r.app.runner.request_stop("an hour later"))
    r.run()
    last = max(t for t, _, _ in r.frames if t < 3600)
    assert last < 120  # the question, its fade, then nothing until the stop
    assert r.frames[-1][0] == pytest.approx(3600)


def test_a_second_stop_during_the_stop_fade_goes_dark_at_once():
    r = rig()
    r.app.runner.start("box")
    r.at(3.0, lambda: r.app.runner.request_stop("SIGTERM"))
    r.at(3.3, lambda: r.app.runner.request_stop("SIGTERM, again"))  # impatient: stop now
    assert r.run() == "SIGTERM"
    assert r.clock.now() == pytest.approx(3.3)  # not the end of the 0.8 s fade
    states = [s.state for s in r.light_pin.states]
    assert states[-1] == 0
    gamma = 2.2
    lit = r.level_at(3.0) ** (1 / gamma)  # perceptual, as the fade goes
    assert states[-2] ** (1 / gamma) > lit / 2  # from a light a third faded straight to dark
    one_stop = rig()
    one_stop.app.runner.start("box")
    one_stop.at(3.0, lambda: one_stop.app.runner.request_stop("SIGTERM"))
    one_stop.run()
    assert one_stop.clock.now() == pytest.approx(3.0 + STOP_FADE_S)  # without it: the whole fade


class Ring:
    """A light of a kind the runner has never heard of: two channels, the level and its half."""

    role = Role.LIGHT
    channels = 2
    pins = ()

    def __init__(self):
        self.written = []

    def duty(self, level, colour, drive, caps):
        return (level * caps.brightness, level * caps.brightness / 2)

    def write(self, duty):
        self.written.append(duty)

    def shown(self):
        return self.written[-1] if self.written else (0.0, 0.0)

    def off(self):
        self.write((0.0, 0.0))

    def close(self):
        self.off()


class Buzzer(Ring):
    role = Role.MOTOR
    channels = 1

    def duty(self, level, colour, drive, caps):
        return (drive * caps.vibration,)


def bare_runner(outputs, clock, program="box", stop_at=None):
    """A runner on a list of outputs alone: no Devices, no pins."""
    config = parse_config("", "test.yaml")
    flow = Flow(config.programs, clock, flow_settings(config), single=True)
    items = queue.SimpleQueue()
    waiter = VirtualWaiter(items, clock)
    runner = Runner(flow, outputs, clock, waiter=waiter, items=items, caps=lambda: Caps(0.5, 1, 1))
    if stop_at is not None:
        waiter.add(stop_at, lambda: runner.request_stop("test"))
    runner.start(program)
    return runner


def test_the_runner_drives_any_list_of_outputs_through_their_interface():
    clock = FakeClock()
    ring, buzzer = Ring(), Buzzer()
    runner = bare_runner([ring, buzzer], clock, stop_at=20.0)
    assert runner.run() == "test"
    # the inhale, eased, under the brightness cap, on both of the ring's channels
    levels = [duty[0] for duty in ring.written]
    assert max(levels) == pytest.approx(0.5)
    assert all(half == pytest.approx(level / 2) for level, half in ring.written)
    assert ring.written[-1] == (0.0, 0.0) and buzzer.written[-1] == (0.0,)  # off at the end
    assert max(d for (d,) in buzzer.written) > 0  # the motor pulses at the phases
    # a duty is written only when it changed: the buzzer far less often than the ring
    assert all(a != b for a, b in itertools.pairwise(ring.written))
    assert all(a != b for a, b in itertools.pairwise(buzzer.written))
    assert len(buzzer.written) < len(ring.written) / 4


def test_a_runner_with_no_light_takes_new_caps_at_once_and_stops_without_a_fade():
    clock = FakeClock()
    buzzer = Buzzer()
    runner = bare_runner([buzzer], clock, stop_at=5.0)
    assert runner.row.dark()  # no light: nothing to fade
    assert runner.run() == "test"
    assert buzzer.written[-1] == (0.0,)


class Card:
    """A sound card that notes what the runner asks of it."""

    def __init__(self):
        self.calls = []

    def play(self, name, volume_cap=1.0):
        self.calls.append("play")

    def stop(self):
        self.calls.append("stop")

    def busy(self):
        return False

    def suspend(self):
        self.calls.append("suspend")


def test_a_sound_card_handed_to_the_runner_later_is_the_one_its_chores_let_go():
    r = rig(
        "flow: {quiet_offer_s: 1, helped_s: 1}\n"
        "programs: {tiny: {description: t, steps: [{inhale: 1}, {exhale: 1}]}}"
    )
    card = Card()
    r.app.runner.audio = card  # as the fault tests give a virtual box a real Audio
    r.app.runner.start("tiny")
    assert r.run() == "nothing left to do"
    assert "suspend" in card.calls  # idle again and quiet: the card was let go
    assert card.calls[-1] == "stop"  # and stopped on the way out
