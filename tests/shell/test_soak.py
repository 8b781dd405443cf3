"""A week in virtual time: sessions every few hours, through the real runner, and nothing grows.

The box runs as `calmkit run` does (gpiozero mock pins with their history cleared as it goes, a
real journal file), on a FakeClock from Monday 00:00 for seven days. Every few hours someone
presses the button: sometimes after choosing another program, sometimes pausing, saying "not
helping" or stopping; sometimes taking the quiet time; answering "did that help?" yes, no, or not
at all. At 06:00 each day the test looks at the process: memory traced by tracemalloc, the
thread count, and the mock pins' state histories. Day 7 must look like day 1.

The light runs at 10 frames a second here (`light: {fps: 10}`; the default is 50) and quiet time
lasts two minutes, so that the week takes seconds; neither changes what is kept in memory.
"""

from __future__ import annotations

import gc
import random
import threading
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.shell.app import build
from calmkit.shell.journal import Journal
from helpers import MIDNIGHT

DAY = 86400.0
FPS = 10
CONFIG = f"""
light: {{fps: {FPS}}}
default_program: "478"
menu: ["478", ground, press, blink, box]
programs:
  quiet:
    quiet: {{minutes: 2, fade_out: 20}}
"""
#: When someone reaches for the box, in hours after midnight (one at night, with the caps on).
HOURS = (2.5, 9.0, 15.0, 20.0, 22.5)
#: What they do: each episode takes one of these, in turn, with a random time of day jitter.
STORIES = (
    "plain",
    "choose",
    "quiet yes",
    "pause",
    "not helping no",
    "stop",
    "choose quiet",
    "hold answer",
)


class Week:
    """The box, a person following the stories, and the daily look at the process."""

    def __init__(self, folder: Path, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.clock = FakeClock(wall_start=MIDNIGHT)
        self.journal = Journal(folder / "journal.jsonl")
        self.app = build(
            parse_config(CONFIG, "soak.yaml"),
            clock=self.clock,
            journal=self.journal,
            on_event=self._on_event,
            on_frame=self._on_frame,
            clear_history=True,
        )
        self.button = self.app.devices.button_pin
        self.pins = {
            "light": self.app.devices.light_pins[0],
            "motor": self.app.devices.motor_pin,
            "button": self.button,
        }
        self.story = "plain"
        self.ended = 0
        self.counts: dict[str, int] = {}
        self.longest_history = dict.fromkeys(self.pins, 0)
        self.days: list[dict] = []

    # --- the person -----------------------------------------------------------------------------

    def at(self, t: float, action) -> None:
        self.app.waiter.add(t, action)

    def press(self, t: float, length: float = 0.12) -> None:
        self.at(t, self.button.drive_low)
        self.at(t + length, self.button.drive_high)

    def hold(self, t: float) -> None:
        self.press(t, 2.0)

    def reach_for_it(self, t: float, story: str) -> None:
        def begin() -> None:
            self.story = story
            now = self.clock.now()
            if story.startswith("choose"):  # a double press: the next program, then a press
                self.press(now, 0.08)
                self.press(now + 0.2, 0.08)
                self.press(now + 8.0)
            else:
                self.press(now)

        self.at(t, begin)

    def _on_event(self, event) -> None:
        self.counts[event.kind] = self.counts.get(event.kind, 0) + 1
        now = self.clock.now()
        story = self.story
        if event.kind == "session_start" and event.data["program"] != "quiet":
            if story == "pause":
                self.press(now + 20.0)
                self.press(now + 20.0 + 90.0)  # back after a minute and a half
            elif story.startswith("not helping"):
                self.hold(now + 10.0)
            elif story == "stop":
                self.press(now + 30.0, 0.08)
                self.press(now + 30.2, 0.08)
        elif event.kind == "state" and event.data["state"] == "offer_quiet":
            if "quiet" in story:
                self.press(now + 4.0)
        elif event.kind == "state" and event.data["state"] == "ask_helped":
            if story.endswith("yes"):
                self.press(now + 3.0)
            elif story.endswith("no") or story == "hold answer":
                self.hold(now + 3.0)
        elif event.kind == "episode_end":
            self.ended += 1

    def _on_frame(self, now: float) -> None:
        for name, pin in self.pins.items():
            length = len(pin.states)
            if length > self.longest_history[name]:
                self.longest_history[name] = length

    # --- the week ---------------------------------------------------------------------------------

    def look(self) -> None:
        gc.collect()
        self.days.append(
            {
                "wall": self.clock.wall(),
                "traced": tracemalloc.get_traced_memory()[0],
                "threads": threading.active_count(),
                "states": {name: len(pin.states) for name, pin in self.pins.items()},
                "state": self.app.flow.state,
                "ended": self.ended,
            }
        )

    def plan(self, days: int) -> None:
        story = 0
        for day in range(days):
            for hour in HOURS:
                t = day * DAY + hour * 3600 + self.rng.uniform(-1800, 1800)
                self.reach_for_it(t, STORIES[story % len(STORIES)])
                story += 1
            self.at(day * DAY + 6 * 3600, self.look)  # a quiet hour: between episodes
        self.at(days * DAY + 6 * 3600, self.look)
        self.at(days * DAY + 7 * 3600, lambda: self.app.runner.request_stop("a week later"))

    def run(self) -> str:
        reason = self.app.runner.run()
        self.app.close()
        return reason


@pytest.fixture
def traced():
    tracemalloc.start()
    yield
    tracemalloc.stop()


def test_a_week_of_sessions_leaves_memory_threads_and_pin_histories_flat(tmp_path, traced):
    week = Week(tmp_path)
    week.plan(7)
    threads_before = threading.active_count()
    assert week.run() == "a week later"

    # the week happened as planned: five episodes a day, every story, all journaled
    assert week.ended == 35 == len(week.journal.read())
    assert all(day["state"] == "idle" for day in week.days)
    assert week.days[-1]["wall"] == MIDNIGHT + timedelta(days=7, hours=6)
    for kind in ("pause", "not_helping", "selected", "item", "reach_out"):
        assert week.counts.get(kind, 0) > 0, kind
    records = week.journal.read()
    assert {r["helped"] for r in records} == {"yes", "no", "unknown"}
    assert {r["status"] for r in records} == {"completed", "stopped"}
    assert any("quiet" in r["programs"] for r in records)

    # day 1 (the look on Tuesday at 06:00) against day 7 (the next Monday at 06:00)
    first, last = week.days[1], week.days[-1]
    growth = last["traced"] - first["traced"]
    assert growth < 64 * 1024, f"traced memory grew {growth} bytes over six days"
    assert {day["threads"] for day in week.days} == {threads_before}
    # the pins' histories are cleared every minute of frames: never more than about a minute
    minute = 60 * FPS
    assert week.longest_history["light"] <= minute + 10
    assert week.longest_history["motor"] <= minute + 10
    assert week.longest_history["button"] <= 40
    for day in week.days:
        assert all(length <= minute + 10 for length in day["states"].values()), day


def test_an_idle_week_wakes_for_nothing(tmp_path):
    """After a session, with history clearing on as in `calmkit run`, the loop sleeps a week."""
    week = Week(tmp_path)
    week.reach_for_it(10.0, "plain")
    frames: list[int] = []
    week.at(3600.0, lambda: frames.append(week.app.runner.frames))
    week.at(7 * DAY, lambda: frames.append(week.app.runner.frames))
    assert week.run() == "nothing left to do"
    assert week.ended == 1
    assert frames[1] - frames[0] <= 1  # woken by the test's own look, and nothing else
