"""The runner wakes only when a written value changes by a step of its output's resolution.

Counted on the FakeClock, through the waiter (every wait is a wake) and the outputs' writes;
never timed.
"""

import itertools
import queue

import pytest

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.devices import Resolution, Role
from calmkit.devices.haptic import FULL
from calmkit.devices.hardware import PinChoice
from calmkit.devices.output import TOUCH_PER_SECOND
from calmkit.devices.pwm import PWM_STEPS
from calmkit.devices.simbus import SimBus, attach
from calmkit.shell import runner as runner_module
from calmkit.shell.app import build
from calmkit.shell.frames import Next
from calmkit.shell.runner import Runner
from helpers import NOON, rig

BOX = 16.0  # in 4, hold 4, out 4, hold 4


def count_waits(runner) -> list:
    """Every wait the runner makes, as (clock time asked at, deadline)."""
    waits: list = []
    inner = runner.waiter.wait

    def wait(deadline):
        waits.append((runner.clock.now(), deadline))
        return inner(deadline)

    runner.waiter.wait = wait
    return waits


def every_frame(k, origin, fps, until, caps, work_out, written, since, gaps):
    """The reference: a frame at every 1/fps, changed or not (the runner before it slept)."""
    t = origin + k / fps
    if until is not None and t >= until:
        return None
    return Next(k, work_out(t, caps.at(t)))


def distinct(values) -> list:
    return [v for v, _ in itertools.groupby(values)]


# --- steady light: no frames ----------------------------------------------------------------


def test_a_hold_produces_no_frames():
    r = rig()
    r.app.runner.start("box")
    waits = count_waits(r.app.runner)
    r.at(BOX, lambda: r.app.runner.request_stop("test"))
    r.run()
    start = r.app.flow.origin + r.kinds("session_start")[0].t
    hold = (start + 4.0 + 0.6 + 0.04, start + 8.0)  # after the hold's long buzz, to its end
    assert [t for t, _, _ in r.frames if hold[0] < t < hold[1]] == []
    # the lamp at the top is lit, so the caps are looked at once a second: no more than that
    assert len([t for t, _ in waits if hold[0] < t < hold[1]]) <= 4
    # and the hold at the bottom the same
    low = (start + 12.0 + 0.6 + 0.04, start + 16.0)
    assert [t for t, _, _ in r.frames if low[0] < t < low[1]] == []


def test_an_idle_box_draws_no_frames_and_waits_with_no_deadline():
    r = rig()
    waits = count_waits(r.app.runner)
    r.at(3600, lambda: r.app.runner.request_stop("an hour later"))
    assert r.run() == "an hour later"
    assert waits == [(0.0, None)]  # one wait, for anything at all
    assert r.app.runner.frames == 2  # the light set off at start, and once on waking to stop


def test_idle_wakes_for_a_chore_on_time_and_for_nothing_else():
    r = rig()
    ran: list[float] = []

    class Minute:
        due = 60.0

        def run(self, now):
            ran.append(now)
            self.due = now + 60.0

    r.app.runner.chores.add(Minute())
    waits = count_waits(r.app.runner)
    r.at(600.5, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert ran == pytest.approx([60.0 * k for k in range(1, 11)])
    assert [deadline for _, deadline in waits] == pytest.approx([60.0 * k for k in range(1, 12)])
    assert r.app.runner.frames == 2


# --- the haptic: each value once, at most 25 a second ------------------------------------------


HAPTIC = "hardware:\n  vibration: null\n  outputs: [{kind: haptic}]\n"


def haptic_box(cycles_s: float = 4 * BOX):
    """A box session with the DRV2605L on the simulated bus as the only output."""
    from gpiozero.pins.mock import MockFactory, MockPWMPin

    clock = FakeClock(wall_start=NOON)
    factory = MockFactory(pin_class=MockPWMPin)
    bus = attach(factory, SimBus(clock.now))
    app = build(parse_config(HAPTIC, "t.yaml"), clock=clock, pins=PinChoice(factory, True))
    haptic = next(o for o in app.devices.outputs if o.role == Role.MOTOR)
    items: queue.SimpleQueue = queue.SimpleQueue()
    from calmkit.shell.waiters import VirtualWaiter

    waiter = VirtualWaiter(items, clock)
    runner = Runner(app.flow, [haptic], clock, waiter=waiter, items=items, caps=app.runner.caps)
    waiter.add(cycles_s, lambda: runner.request_stop("test"))
    runner.start("box")
    return runner, bus.chips[0x5A], app


def test_a_box_session_on_the_haptic_writes_each_value_once_and_wakes_little_more():
    runner, chip, app = haptic_box()
    waits = count_waits(runner)
    runner.run()
    values = [w.value for w in chip.rtp if w.time > 0]
    assert values and all(a != b for a, b in itertools.pairwise(values))  # each value once
    session = [t for t, _ in waits if t < 4 * BOX]
    assert len(session) <= 1.2 * len(values), (len(session), len(values))
    assert len(waits) - len(session) <= 1  # the stop: no light to fade, so no frames to wait
    app.close()


class Envelope:
    """A vibration that follows the breath, as a haptic envelope does: one RTP byte, 25 a second."""

    role = Role.MOTOR
    channels = 1
    pins = ()
    resolution = Resolution(FULL, TOUCH_PER_SECOND)

    def __init__(self, clock):
        self.clock = clock
        self.written: list = []

    def duty(self, level, colour, drive, caps):
        return (level * caps.vibration,)

    def write(self, duty):
        self.written.append((self.clock.now(), duty[0]))

    def shown(self):
        return (self.written[-1][1],) if self.written else (0.0,)

    def off(self):
        self.write((0.0,))

    def close(self):
        self.off()


def test_a_vibration_that_moves_is_written_at_most_25_times_a_second_on_its_steps():
    from test_runner import bare_runner

    clock = FakeClock()
    envelope = Envelope(clock)
    runner = bare_runner([envelope], clock, stop_at=BOX)
    runner.run()
    inhale = [(t, v) for t, v in envelope.written if 0 < t < 4.0]  # rising all the way
    assert len(inhale) > 50
    times = [t for t, _ in inhale]
    assert all(b - a >= 1 / 25 - 1e-9 for a, b in itertools.pairwise(times))
    assert len(times) <= 4.0 * 25 + 1
    assert all(round(v * FULL) == pytest.approx(v * FULL) for _, v in inhale)  # whole bytes


def test_the_haptics_resolution_is_one_rtp_byte_at_a_finger_s_pace():
    from calmkit.devices.haptic import Haptic

    assert Haptic.resolution.steps == FULL == 255
    assert Haptic.resolution.per_second == 25


# --- the lamp: the same smoothness, fewer wakes ------------------------------------------------


def coherent(monkeypatch=None):
    r = rig()
    r.app.runner.start("coherent")
    waits = count_waits(r.app.runner)
    r.at(120.0, lambda: r.app.runner.request_stop("test"))
    r.run()
    return r, waits


def test_coherent_on_the_lamp_writes_the_same_duties_as_every_frame_with_fewer_wakes(
    monkeypatch,
):
    sleeping, sleeping_waits = coherent()
    monkeypatch.setattr(runner_module, "next_change", every_frame)
    reference, reference_waits = coherent()
    lamp = distinct(s.state for s in sleeping.light_pin.states)
    assert lamp == distinct(s.state for s in reference.light_pin.states)  # the same smoothness
    assert len(lamp) > 1000  # a real breath, not a few levels
    motor = distinct(m for _, _, m in sleeping.frames)
    assert motor == distinct(m for _, _, m in reference.frames)
    assert len(sleeping_waits) < 0.9 * len(reference_waits), (
        len(sleeping_waits),
        len(reference_waits),
    )


def test_the_lamp_is_written_on_its_pwm_steps_and_never_dark_when_lit():
    r = rig()
    r.app.runner.start("box")
    r.at(BOX, lambda: r.app.runner.request_stop("test"))
    r.run()
    states = [s.state for s in r.light_pin.states]
    assert all(round(s * PWM_STEPS) == pytest.approx(s * PWM_STEPS, abs=1e-9) for s in states)
    start = r.app.flow.origin + r.kinds("session_start")[0].t
    assert r.level_at(start + 12.0) == 1 / PWM_STEPS  # the exhale's floor: faint, not off


def test_a_fading_night_cap_gets_a_frame_for_every_step_it_changes():
    r = rig(wall=NOON.replace(hour=20, minute=59, second=30))  # night from 30 s on
    r.app.runner.start("box")
    r.at(70.0, lambda: r.app.runner.request_stop("test"))
    r.run()
    start = r.app.flow.origin + r.kinds("session_start")[0].t
    # the hold at the top of the third breath (36..40 s) is mid-fade: the light steps down
    hold = [(t, d) for t, d, _ in r.frames if start + 36.7 < t < start + 40.0]
    duties = [d for _, d in hold]
    assert len(duties) > 20 and all(b < a for a, b in itertools.pairwise(duties))
    assert all(
        a - b <= 2 / PWM_STEPS + 1e-9 for a, b in itertools.pairwise(duties)
    )  # smooth: a step


# --- settling, stalls -------------------------------------------------------------------------


def test_once_the_light_settles_after_a_session_the_runner_waits_with_no_deadline():
    r = rig(
        "programs: {tiny: {description: t, steps: [{inhale: 1}, {exhale: 1}]}}",
        clear_history=True,  # a chore only while frames are drawn
    )
    r.app.runner.start("tiny")
    waits = count_waits(r.app.runner)
    assert r.run() == "nothing left to do"  # no chore kept the virtual run going for ever
    assert any(deadline is None for _, deadline in waits)  # idle, waiting for a press
    assert r.clock.now() < 600


def test_a_stall_mid_breath_resumes_with_the_frame_due_now_not_the_one_missed():
    from calmkit.core.cues import ease

    r = rig()
    r.app.runner.start("box")
    r.at(1.01, lambda: r.clock.advance(2.0))  # stopped between two frames for 2 s
    r.at(3.5, lambda: r.app.runner.request_stop("test"))
    r.run()
    start = r.app.flow.origin + r.kinds("session_start")[0].t
    t, duty, _ = next(f for f in r.frames if f[0] > 3.0)
    assert t < 3.05  # at once
    # the inhale's level now (the frame of the grid at or just before now), not at 1.02 s
    low, high = (ease((x - start) / 4.0) ** 2.2 for x in (t - 1 / 50, t))
    assert low - 1 / PWM_STEPS <= duty <= high + 1 / PWM_STEPS


def test_a_duty_is_put_on_its_outputs_steps_and_a_faint_light_is_not_put_out():
    from calmkit.shell.outputs import on_step

    assert on_step(0.5, PWM_STEPS) == 0.5
    assert on_step(0.3**2.2, PWM_STEPS) == 72 / PWM_STEPS
    assert on_step(0.03**2.2, PWM_STEPS) == 1 / PWM_STEPS  # the exhale's floor still glows
    assert on_step(1e-8, PWM_STEPS) == 0.0  # a fade's last whisper is dark
    assert on_step(0.0, FULL) == 0.0 and on_step(1.0, FULL) == 1.0


# --- a long wait is rehearsed a few ms early (Runner._rehearse) ---------------------------------


def box_on_a_ring(stop_at: float = BOX):
    """A box session on a light of two channels (no pace of its own), with its waits counted."""
    from test_runner import Ring, bare_runner

    clock = FakeClock()
    ring = Ring()
    runner = bare_runner([ring], clock, stop_at=stop_at)
    phases: list = []
    runner.on_event = lambda event: phases.append(event) if event.kind == "phase" else None
    return runner, ring, count_waits(runner), phases


def test_a_long_wait_for_a_boundary_ends_a_few_ms_early_to_rehearse_it_then_wakes_on_time():
    runner, _ring, waits, phases = box_on_a_ring()
    runner.run()
    lead = runner_module.REHEARSE_S
    deadlines = [deadline for _, deadline in waits]
    # the hold at the top (4 s to 8 s) is steady: the boundary at 8 s is waited for in two
    # steps, the rehearsal 5 ms before it, then the boundary itself
    boundaries = [runner.flow.origin + event.due for event in phases if event.due]
    assert 8.0 in [pytest.approx(b) for b in boundaries]
    at = deadlines.index(pytest.approx(8.0))
    assert deadlines[at - 1] == pytest.approx(8.0 - lead)
    # the rehearsal ticked the flow early, and nothing came of it: every phase began on time,
    # once, in order
    assert [event.t for event in phases] == pytest.approx([event.due for event in phases])
    assert [event.data["index"] for event in phases] == list(range(len(phases)))


def test_a_boundary_that_comes_due_while_it_is_rehearsed_is_handled_once_and_drawn():
    runner, ring, _waits, phases = box_on_a_ring(stop_at=BOX - 0.5)
    flow, clock = runner.flow, runner.clock
    inner = flow.tick

    def slow_tick():  # a machine so slow that the rehearsal's tick ends past the boundary
        due = flow.next_deadline()
        if due is not None and 0 < due - clock.now() <= 2 * runner_module.REHEARSE_S:
            clock.advance_to(due)
        return inner()

    flow.tick = slow_tick
    runner.run()
    assert [event.data["index"] for event in phases] == list(range(len(phases)))  # none twice
    assert len(phases) == 4  # in, hold, out, hold: each begun
    # the exhale began at 8 s: its light was worked out then, and falls from there
    after = [duty for duty in ring.written[-40:] if duty[0] > 0]
    assert after and all(b[0] <= a[0] for a, b in itertools.pairwise(after))


def rehearsed(waits) -> list[float]:
    """The wakes that were rehearsed: a wait to ``wake - REHEARSE_S``, then one to ``wake``."""
    lead = runner_module.REHEARSE_S
    deadlines = [deadline for _, deadline in waits if deadline is not None]
    return [b for a, b in itertools.pairwise(deadlines) if b - a == pytest.approx(lead)]


def test_only_a_boundary_or_a_frame_that_changes_the_light_is_rehearsed():
    runner, _ring, waits, phases = box_on_a_ring()
    written: list[float] = []
    runner.on_frame = written.append
    runner.run()
    boundaries = [runner.flow.origin + event.due for event in phases]
    wakes = rehearsed(waits)
    assert wakes
    for wake in wakes:
        assert wake in [pytest.approx(t) for t in boundaries + written], wake
    # the hold's looks at the caps, once a second, write nothing: none is rehearsed
    assert not [wake for wake in wakes if 4.1 < wake < 7.9]


def test_a_chore_and_a_frame_for_the_haptic_alone_are_not_rehearsed():
    r = rig()

    class Minute:
        due = 60.0

        def run(self, now):
            self.due = now + 60.0

    r.app.runner.chores.add(Minute())
    waits = count_waits(r.app.runner)
    r.at(180.5, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert rehearsed(waits) == []
    runner, _chip, app = haptic_box()
    phases: list = []
    runner.on_event = lambda event: phases.append(event) if event.kind == "phase" else None
    waits = count_waits(runner)
    runner.run()
    boundaries = [runner.flow.origin + event.due for event in phases]
    wakes = rehearsed(waits)
    assert wakes and all(wake in [pytest.approx(b) for b in boundaries] for wake in wakes)
    app.close()
