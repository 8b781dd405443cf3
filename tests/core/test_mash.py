"""Button mash: random edges at random times through the real gestures, flow, session and runner.

Every edge is a drive of the button's gpiozero mock pin, scheduled on the runner's VirtualWaiter,
so the whole chain runs as on a box: pin callback -> queue -> GestureDetector -> Flow -> Session
-> cues -> Devices -> mock PWM pins -> Journal (a real file in a temporary folder). Time is a
FakeClock: hours of virtual time cost only the frames drawn while something is animating.

What must hold whatever the finger does:
- nothing raises, and the run ends on its own once the last episode is over;
- in idle, once the button has been up for DARK_AFTER_S (ack glow gone, program-number pulses and
  the closing fade over), the lamp's PWM duty and the motor are exactly 0, read back from the pins
  at every frame and at probe times when no frame is drawn;
- one journal line per episode: journal lines == "episode_end" events == presses handled in idle
  (each starts an episode) == idle -> running transitions, and no in-flight checkpoint is left;
- no session lasts longer than its plan plus its pauses;
- the thumb-press time journaled for an episode fits inside its sessions.

The programs are short ones of each kind (breathing, grounding prompts, thumb presses, quiet) so
that many episodes fit in a test run, and the light runs at 10 frames a second (the default is
50; the frame rate changes nothing in the flow, only how many frames are checked).
"""

from __future__ import annotations

import math
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.shell.app import build
from calmkit.shell.journal import Journal
from helpers import MIDNIGHT, NOON

CONFIG = """
default_program: breath
menu: [breath, squeeze, ground]
light: {fps: 10}
programs:
  breath:
    steps: [{inhale: 2}, {hold: 1}, {exhale: 3}]
    cycles: 2
    fallback: [ground, squeeze]
  ground:
    steps:
      - {prompt: 6, items: 2, label: see}
      - {prompt: 6, items: 1, label: hear}
    fallback: [squeeze]
  squeeze:
    steps: [{press: 3, label: left hand}, {release: 2}, {switch: 2}, {press: 3}, {release: 2}]
  quiet:
    quiet: {minutes: 1, fade_out: 10}
"""

#: In idle with the button up this long, the lamp and motor must be off: the ack glow stops at
#: release, the closing fade takes 1.5 s and the menu shows at most 3 one-second pulses here.
DARK_AFTER_S = 5.0
#: Timing figures in events are rounded to the millisecond.
ROUNDING = 2e-3
#: Bugs the mashing found, each pinned by its own strict xfail test below. While one is open the
#: random runs step around it so that they keep guarding everything else; when its fix lands,
#: the xfail test passes (strict: that fails the suite) and its name comes out of this set.
KNOWN_BUGS: set[str] = set()


class Mash:
    """A calmkit on mock pins with a real journal, a scheduled finger and the checks above."""

    def __init__(self, folder: Path, yaml_text: str = CONFIG, wall=NOON) -> None:
        self.journal = Journal(folder / "journal.jsonl")
        self._hooks: list[tuple[str, Callable[[float], None]]] = []
        self.clock = FakeClock(wall_start=wall)
        self.events: list = []
        self.violations: list[str] = []
        self.last_edge = -math.inf
        self.idle_since = 0.0
        self.idle_presses = 0
        self.checked = 0
        self.stuck: str | None = None
        self.app = build(
            parse_config(yaml_text, "mash.yaml"),
            clock=self.clock,
            journal=self.journal,
            on_event=self._on_event,
            on_frame=self._on_frame,
            clear_history=True,  # as `calmkit run` does
        )
        self.flow = self.app.flow
        self.button = self.app.devices.button_pin
        self.light = self.app.devices.light_pins[0]
        self.motor = self.app.devices.motor_pin
        # Count the presses the flow handles while idle: each must begin exactly one episode.
        # (Flow.handle runs tick() first, so the state before handle() is not the state the
        # gesture meets; the idle press's handler is.)
        handle_start = self.flow._do_start

        def counting_start() -> list:
            self.idle_presses += 1
            return handle_start()

        self.flow._do_start = counting_start

    # --- the finger ---------------------------------------------------------------------------

    def at(self, t: float, action: Callable[[], None]) -> None:
        self.app.waiter.add(t, action)

    def drive(self, t: float, down: bool) -> None:
        def act() -> None:
            (self.button.drive_low if down else self.button.drive_high)()
            self.last_edge = self.clock.now()

        self.at(t, act)

    def press(self, t: float, length: float = 0.1) -> float:
        self.drive(t, True)
        self.drive(t + length, False)
        return t + length

    def guard(self, t: float) -> None:
        """At time t, long after the last touch, the box should be idle: if not, note how it is
        and stop the run (which journals the episode as stopped).

        Only a session left paused may still be going then: how long a pause may last is for
        test_a_paused_session_left_alone_does_not_keep_the_lamp_on_all_night to say (today a
        paused session never ends, and a virtual run with one never finishes by itself).
        """

        def look() -> None:
            if self.flow.state != "idle":
                session = self.flow.session
                self.stuck = f"{self.flow.state}/{session.state if session else None}"
                self.app.runner.request_stop("guard")

        self.at(t, look)

    def probe(self, t: float) -> None:
        """Look at the pins at time t, whether or not a frame is drawn then."""
        self.at(t, lambda: self._check("probe"))

    def on_state(self, state: str, action: Callable[[float], None]) -> None:
        """Call action(now) when the flow enters ``state`` (to aim a storm at a screen)."""
        self._hooks.append((state, action))

    # --- what the device did --------------------------------------------------------------------

    def _on_event(self, event) -> None:
        self.events.append(event)
        if event.kind == "state":
            if event.data["state"] == "idle":
                self.idle_since = self.clock.now()
            for state, action in self._hooks:
                if state == event.data["state"]:
                    action(self.clock.now())

    def _on_frame(self, now: float) -> None:
        self._check("frame")

    def _check(self, what: str) -> None:
        now = self.clock.now()
        self.checked += 1
        quiet_since = max(self.last_edge, self.idle_since)
        if (
            self.flow.state == "idle"
            and not self.app.runner.gestures.is_down
            and now >= quiet_since + DARK_AFTER_S
        ):
            duty, motor = self.light.state, self.motor.state
            if duty != 0 or motor != 0:
                self.violations.append(
                    f"{what} at t={now:.3f}: idle, button up since {quiet_since:.3f}, "
                    f"light duty {duty!r}, motor {motor!r}"
                )

    def kinds(self, kind: str) -> list:
        return [e for e in self.events if e.kind == kind]

    # --- running and checking -------------------------------------------------------------------

    def run(self) -> str:
        reason = self.app.runner.run()
        self.app.close()
        return reason

    def check(self) -> None:
        assert self.violations == []
        assert self.flow.state == "idle"
        ends = self.kinds("episode_end")
        lines = self.journal.read()
        previous = "idle"
        episodes_begun = 0
        for event in self.kinds("state"):
            state = event.data["state"]
            if previous == "idle" and state == "running":
                episodes_begun += 1
            previous = state
        assert len(lines) == len(ends) == self.idle_presses == episodes_begun
        assert lines == [e.data for e in ends]
        assert self.journal.in_flight() == []
        self._check_sessions()

    def _check_sessions(self) -> None:
        start = None
        paused_from = None
        paused = 0.0
        sessions_s = 0.0  # time inside sessions (pauses included) in the current episode
        for event in self.events:
            if event.kind == "session_start":
                assert start is None, f"a session started inside another at t={event.t}"
                start, paused, paused_from = event, 0.0, None
            elif event.kind == "pause":
                assert start is not None and paused_from is None
                paused_from = event.t
            elif event.kind == "resume":
                assert start is not None and paused_from is not None
                assert event.data["paused_s"] == pytest.approx(event.t - paused_from, abs=ROUNDING)
                paused += event.data["paused_s"]
                paused_from = None
            elif event.kind in ("session_end", "not_helping"):
                # "not helping" cuts the session short, after its session_end; while that is
                # missing (a known bug), the switch is where the session ended.
                if event.kind == "not_helping" and start is None:
                    continue
                if event.kind == "not_helping":
                    assert "no session_end on not helping" in KNOWN_BUGS, "no session_end"
                assert start is not None
                if paused_from is not None:
                    paused += event.t - paused_from
                if event.kind == "session_end":
                    actual = event.data["actual_s"]
                    assert actual == pytest.approx(event.t - start.t, abs=ROUNDING)
                else:
                    actual = event.t - start.t
                planned = start.data["planned_s"]
                assert actual <= planned + paused + ROUNDING, (
                    f"{start.data['program']} ran {actual} s, planned {planned} s "
                    f"plus {paused:.3f} s paused"
                )
                sessions_s += actual
                start = None
            elif event.kind == "episode_end":
                assert start is None, "an episode ended with its session still open"
                assert event.data["status"] in ("completed", "stopped")
                assert event.data["helped"] in ("yes", "no", "unknown")
                assert event.data["programs"]
                assert event.data["actual_s"] <= sessions_s + 0.05 + ROUNDING
                assert "squeeze timed after the session" in KNOWN_BUGS or (
                    event.data["squeeze_s"] <= sessions_s + 0.05 + ROUNDING
                ), (
                    f"{event.data['squeeze_s']} s of thumb press journaled in an episode whose "
                    f"sessions lasted {sessions_s:.3f} s: {event.data}"
                )
                sessions_s = 0.0


# --- random mashing ------------------------------------------------------------------------------

#: Time from one release to the next touch: bounce-fast or a double, a pause and a resume in the
#: same breath, within a session or quick enough to answer a screen, up to hours apart.
GAPS = st.one_of(
    st.floats(0.001, 0.4),
    st.floats(0.4, 1.5),
    st.floats(1.5, 6.0),
    st.floats(6.0, 40.0),
    st.floats(40.0, 4 * 3600.0),
)
#: How long the button stays down: a tap, a hold, or left down for up to an hour.
DOWNS = st.one_of(
    st.floats(0.001, 0.35),
    st.floats(0.35, 4.0),
    st.floats(4.0, 3600.0),
)
#: One touch: the gap before it, how long it is down, contact-bounce pairs at each edge and their
#: spacing (the bounces are raw edges a few ms apart, inside or beyond the 30 ms debounce).
TOUCHES = st.lists(
    st.tuples(GAPS, DOWNS, st.integers(0, 3), st.floats(0.0005, 0.02)), min_size=1, max_size=40
)


def schedule(mash: Mash, touches: list[tuple[float, float, int, float]], settle: float = 300.0):
    """Drive the button through the touches; it always ends released. Returns the last time.

    Whatever the last touch set going is over ``settle`` seconds later (with the short programs,
    the longest episode is three programs, quiet time and the two questions), unless a session
    was left paused: a guard then stops the run.
    """
    t = 0.0
    for gap, down_s, bounces, spacing in touches:
        t += gap
        for level in (True, False):
            for _ in range(bounces):
                mash.drive(t, level)
                t += spacing
                mash.drive(t, not level)
                t += spacing
            mash.drive(t, level)
            if level:
                t += down_s
        mash.probe(t + DARK_AFTER_S + 0.01)
    mash.probe(t + settle)
    mash.guard(t + settle + 60.0)
    return t


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(touches=TOUCHES)
def test_random_mashing_over_hours_keeps_every_promise(touches):
    with tempfile.TemporaryDirectory() as folder:
        mash = Mash(Path(folder))
        schedule(mash, touches)
        reason = mash.run()
        assert reason == "nothing left to do" or mash.stuck == "running/paused", mash.stuck
        mash.check()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(touches=TOUCHES)
def test_random_mashing_at_night_on_the_packaged_programs(touches):
    """The real defaults (calm with its wind-down, the full menu) under the night caps."""
    with tempfile.TemporaryDirectory() as folder:
        yaml_text = "light: {fps: 5}\nmenu: [box, '478', quiet]\n"
        mash = Mash(Path(folder), yaml_text=yaml_text, wall=MIDNIGHT)
        schedule(mash, touches[:12], settle=1500.0)  # calm and its fallbacks take longer
        reason = mash.run()
        assert reason == "nothing left to do" or mash.stuck == "running/paused", mash.stuck
        mash.check()


# --- nasty cases, by hand -----------------------------------------------------------------------


def finish(mash: Mash, last: float, settle: float = 300.0) -> None:
    """Look at the pins after the last touch, stop a run left paused, and check everything."""
    mash.probe(last + DARK_AFTER_S + 0.01)
    mash.probe(last + settle)
    mash.guard(last + settle + 60.0)
    reason = mash.run()
    assert reason == "nothing left to do" or mash.stuck == "running/paused", mash.stuck
    mash.check()


def storm(mash: Mash, t: float, presses: int = 1000, every: float = 0.001) -> float:
    """``presses`` presses, down half of each period: a thousand in a second by default."""
    for _ in range(presses):
        t = mash.press(t, every / 2) + every / 2
    return t


def test_a_thousand_presses_in_a_second_in_idle(tmp_path):
    mash = Mash(tmp_path)
    finish(mash, storm(mash, 10.0))
    # the storm did not vanish: the debounced presses started an episode and were journaled
    assert mash.idle_presses >= 1


def test_a_thousand_presses_in_a_second_during_a_session(tmp_path):
    mash = Mash(tmp_path)
    mash.press(1.0)
    finish(mash, storm(mash, 4.0))


def test_a_thousand_presses_in_a_second_on_every_screen(tmp_path):
    mash = Mash(tmp_path)
    seen: list[str] = []

    def on(screen: str) -> None:
        def hit(now: float) -> None:
            if screen not in seen:
                seen.append(screen)
                storm(mash, now + 0.5)

        mash.on_state(screen, hit)

    for screen in ("running", "offer_quiet", "ask_helped", "idle"):
        on(screen)
    mash.press(1.0)
    finish(mash, 3000.0)
    assert "running" in seen


@pytest.mark.parametrize("during", ["idle", "breathing", "squeezing"])
def test_a_press_held_for_an_hour(tmp_path, during):
    mash = Mash(tmp_path)
    if during == "breathing":  # the hold is "not helping": on to grounding, held throughout
        mash.press(1.0)
        down = 3.0
    elif during == "squeezing":  # select the thumb-press program (a double), start it, squeeze
        mash.press(0.0, 0.05)
        mash.press(0.2, 0.05)
        mash.press(5.0)
        down = 6.0
    else:
        down = 10.0
    mash.drive(down, True)
    mash.probe(down + 1800.0)
    mash.drive(down + 3600.0, False)
    finish(mash, down + 3600.0)
    assert mash.stuck is None
    # whatever the hold set going was over long before the hour was, and its release did nothing
    assert all(e.t < down + 600 for e in mash.events)


@pytest.mark.parametrize("screen", ["offer_quiet", "ask_helped"])
@pytest.mark.parametrize("seed", range(4))
def test_press_storms_on_the_quiet_offer_and_the_question(tmp_path, screen, seed):
    rng = random.Random(seed)
    mash = Mash(tmp_path)
    storms: list[float] = []

    def human_storm(now: float) -> None:
        if len(storms) >= 3:  # on each of the first three visits
            return
        storms.append(now)
        t = now + rng.uniform(0.0, 2.0)
        for _ in range(rng.randint(5, 40)):
            t = mash.press(t, rng.choice([0.02, 0.08, 0.2, 1.7])) + rng.uniform(0.01, 0.6)

    mash.on_state(screen, human_storm)
    mash.press(1.0)
    if screen == "ask_helped":
        mash.drive(16.0, True)  # a hold on the quiet offer goes straight to the question
        mash.drive(18.0, False)
    finish(mash, 3000.0)
    assert storms, f"the flow never reached {screen}"


def test_gestures_due_at_the_very_instant_time_runs_out(tmp_path):
    """A hold firing as the session ends, a press confirmed as the question times out."""
    mash = Mash(tmp_path)
    mash.press(1.0)  # confirmed at 1.5: breath runs 1.5 .. 13.5
    mash.drive(12.0, True)  # its hold falls due at 13.5, as the session completes
    mash.drive(14.0, False)  # ... so it answers the quiet offer: straight to the question
    mash.press(42.9, 0.2)  # confirmed at 43.5, as "did that help?" (13.5 + 30 s) times out
    finish(mash, 43.5)
    ends = mash.kinds("episode_end")
    assert [e.t for e in ends] == [pytest.approx(43.5), pytest.approx(43.5 + 12 + 20 + 30)]
    assert ends[0].data["helped"] == "unknown"  # the press came too late to answer
    assert len(mash.kinds("session_start")) == 2  # ... and started the next episode instead


# --- what the mashing found, one test each ------------------------------------------------------


def test_a_squeeze_held_past_the_end_of_the_session_counts_only_inside_it(tmp_path):
    mash = Mash(tmp_path)
    mash.press(0.0, 0.05)  # a double press selects the thumb-press program ...
    mash.press(0.2, 0.05)
    mash.press(5.0)  # ... a press starts it: 5.5 .. 17.5, the last press phase 12.5 .. 15.5
    mash.drive(13.0, True)  # squeezing from 13.0, still held when the session ends at 17.5
    mash.drive(25.0, False)  # ... and let go 7.5 s into the quiet offer
    finish(mash, 25.0)
    (record,) = mash.journal.read()
    assert record["programs"] == ["squeeze"] and record["status"] == "completed"
    # 2.5 s in the press phase, 4.5 s counting the release phase it was held through; never
    # the 7.5 s spent on the quiet offer after the session had ended
    assert 2.5 - 0.05 <= record["squeeze_s"] <= 4.5 + 0.05


def test_not_helping_ends_the_session_it_cuts_short(tmp_path):
    mash = Mash(tmp_path)
    mash.press(1.0)  # breath from 1.5
    mash.drive(3.0, True)  # held: "not helping" at 4.5, on to grounding
    mash.drive(5.0, False)
    finish(mash, 5.0)
    session = [e for e in mash.events if e.kind in ("session_start", "session_end", "not_helping")]
    assert [(e.kind, e.data.get("program") or e.data.get("status")) for e in session[:4]] == [
        ("session_start", "breath"),
        ("session_end", "stopped"),
        ("not_helping", None),
        ("session_start", "ground"),
    ]
    assert session[1].t == pytest.approx(4.5)
    assert session[1].data["actual_s"] == pytest.approx(3.0)


def test_a_paused_session_left_alone_does_not_keep_the_lamp_on_all_night(tmp_path):
    mash = Mash(tmp_path, wall=MIDNIGHT)
    mash.press(1.0)  # breath from 1.5; the inhale rises to the top at 3.5
    mash.press(2.9, 0.1)  # a press confirmed at 3.4 pauses it near the top of the breath
    mash.probe(3.5)
    lit: list[float] = []
    mash.at(3.6, lambda: lit.append(mash.light.state))
    finish(mash, 3.0, settle=3600.0)  # an hour later ...
    assert lit and lit[0] > 0  # (paused, the lamp holds the breath's level for a while)
    assert mash.stuck is None, f"still {mash.stuck} an hour after the pause"
    assert mash.light.state == 0
    (record,) = mash.journal.read()
    assert record["pauses"] == 1


@settings(max_examples=60, deadline=None, derandomize=True)
@given(presses=st.lists(st.tuples(st.floats(0.05, 1.2), st.floats(0.04, 1.2)), max_size=8))
def test_while_naming_things_every_press_counts_one_and_none_stops(presses):
    """However quick, presses shorter than a hold in ground are things named, never a stop."""
    with tempfile.TemporaryDirectory() as folder:
        mash = Mash(Path(folder))
        mash.app.runner.start("ground")  # prompts of 6 s: 2 things seen, then 1 heard
        mash.idle_presses = 1  # (the start stands for the press that would start it)
        t, releases = 1.0, []
        for gap, down_s in presses:
            t = mash.press(t + gap, down_s)
            releases.append(t)
        finish(mash, t)
        # each press names a thing as it is let go, until a prompt has its things or runs out
        expected, step, named, ends = [], 0, 0, 6.0
        for release in releases:
            while step < 2 and release >= ends:  # time ran out: the next prompt, or the end
                step, named, ends = step + 1, 0, ends + 6.0
            if step == 2:
                break
            expected.append(release)
            named += 1
            if named == (2, 1)[step]:
                step, named, ends = step + 1, 0, release + 6.0
        session = [e for e in mash.events if e.kind in ("session_start", "session_end")][:2]
        assert session[0].data["program"] == "ground"
        assert session[1].data["status"] == "completed"
        items = [e.t for e in mash.kinds("item") if e.t <= session[1].t]
        assert items == pytest.approx(expected, abs=ROUNDING)
