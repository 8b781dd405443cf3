"""The wearable's battery through the whole box on the fake clock: read once a minute (a chore
whose next read is due on the clock), the low pattern felt once on the haptic's bus, very low
starting a short program instead, the level journaled at a session's start and end."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime

import pytest
from tests.helpers import NOON

from calmkit.config import parse_config
from calmkit.core import haptics
from calmkit.core.clock import FakeClock
from calmkit.core.events import EventKind
from calmkit.devices.hardware import PinChoice, mock_factory
from calmkit.devices.simbus import IDLE_DRAIN_PER_H, SimBus, attach
from calmkit.shell.app import build
from calmkit.shell.chores import BATTERY_EVERY_S
from calmkit.shell.journal import Journal, battery_line

WEARABLE = (
    "hardware:\n  light: null\n  vibration: null\n  outputs: [{kind: haptic}]\n"
    "  battery: 0x36\nsound:\n  enabled: false\n"
)
STRENGTH = 0.7


class Wrist:
    """A wearable on the fake clock, its chips on a simulated bus stamped in the clock's time."""

    def __init__(self, percent, yaml=WEARABLE, journal=False, **kw):
        self.clock = FakeClock(wall_start=NOON)
        factory = mock_factory()
        self.bus = attach(factory, SimBus(self.clock.now))
        self.gauge_chip = self.bus.fit_max17048()
        self.gauge_chip.percent = percent
        self.events = []
        self.app = build(
            parse_config(yaml, "test.yaml"),
            clock=self.clock,
            pins=PinChoice(factory, True),
            journal=journal,
            on_event=self.events.append,
            **kw,
        )
        self.reads = []
        gauge = self.app.gauge
        reading = gauge.reading
        gauge.reading = lambda: self.reads.append(self.clock.now()) or reading()

    @property
    def haptic(self):
        return self.bus.chips[0x5A]

    def at(self, t, action):
        self.app.waiter.add(t, action)

    def press(self, t):
        pin = self.app.devices.button_pin
        self.at(t, pin.drive_low)
        self.at(t + 0.1, pin.drive_high)

    def run(self, until):
        self.at(until, lambda: self.app.runner.request_stop("test over"))
        return self.app.runner.run()

    def taps(self, since=0.0, until=float("inf")):
        """(start, byte) of each stretch the haptic was on."""
        found, on = [], False
        for write in self.haptic.rtp:
            if since <= write.time < until and write.value and not on:
                found.append((round(write.time, 3), write.value))
            on = bool(write.value)
        return found


def test_the_level_is_read_once_a_minute_and_the_next_read_is_due_on_the_clock():
    wrist = Wrist(80.0)
    wrist.run(5 * 60 + 1)
    assert wrist.reads == [k * BATTERY_EVERY_S for k in range(6)]
    battery = wrist.app.runner.chores.battery
    assert battery.due == 6 * BATTERY_EVERY_S  # the next read, on the runner's clock
    drained = IDLE_DRAIN_PER_H * 300 / 3600
    assert wrist.app.flow.battery.percent == pytest.approx(80.0 - drained, abs=0.01)
    assert wrist.taps() == []  # no notice at 80 %


def test_below_15_percent_the_low_pattern_is_felt_once_until_charged():
    wrist = Wrist(15.1)  # drains 12 %/h idle: below 15 % after 30 s, so at the read at 60 s
    wrist.at(600, lambda: setattr(wrist.gauge_chip, "percent", 25.0))  # charged
    wrist.at(700, lambda: setattr(wrist.gauge_chip, "percent", 14.0))  # and down again
    wrist.run(900)
    want = [
        (round(t + touch.on, 3), round(touch.level * STRENGTH * 255))
        for t in (60.0, 720.0)
        for touch in haptics.LOW_BATTERY
    ]
    assert wrist.taps() == want  # at the reads of 60 s and 720 s, and nowhere else


def test_a_low_reading_during_a_session_is_felt_once_the_session_is_over():
    wrist = Wrist(15.35, yaml=WEARABLE + "default_program: '478'\n")
    wrist.press(100)  # 478 runs from 100 s to 176 s: below 15 % near 104 s, read at 120 s
    wrist.run(400)
    ends = [e.t for e in wrist.events if e.kind == EventKind.SESSION_END]
    idle = [e.t for e in wrist.events if e.kind == EventKind.STATE and e.data["state"] == "idle"]
    assert ends and idle and idle[-1] > 176
    after = wrist.taps(since=idle[-1])
    assert [t - idle[-1] for t, _ in after] == pytest.approx([0.0, 0.5, 1.0], abs=0.03)


def test_very_low_a_press_starts_the_shortest_suitable_program_and_says_so():
    wrist = Wrist(4.0)  # the default program, calm, is 8 minutes
    wrist.press(5)
    wrist.run(150)
    (told,) = [e for e in wrist.events if e.kind == EventKind.BATTERY]
    assert told.data == {
        "state": "very low",
        "percent": pytest.approx(4.0, abs=0.1),
        "program": "478",
        "instead_of": "calm",
    }
    (start,) = [e for e in wrist.events if e.kind == EventKind.SESSION_START]
    assert start.data["program"] == "478"  # never refused: a short one starts


def test_very_low_a_short_program_starts_as_chosen():
    wrist = Wrist(4.0, yaml=WEARABLE + "default_program: box\n")
    wrist.press(5)
    wrist.run(60)
    assert not [e for e in wrist.events if e.kind == EventKind.BATTERY]
    (start,) = [e for e in wrist.events if e.kind == EventKind.SESSION_START]
    assert start.data["program"] == "box"


def test_the_journal_keeps_the_level_at_the_start_and_the_end(tmp_path):
    journal = Journal(tmp_path / "journal.db")
    wrist = Wrist(60.0, yaml=WEARABLE + "default_program: '478'\n", journal=journal)
    wrist.press(5)  # 478 from 5.5 s, quiet offered, asked; the episode ends at 131.5 s
    wrist.at(128.0, lambda: wrist.app.flow.battery_reading(42.0))  # after the last checkpoint
    wrist.run(400)
    (record,) = journal.read()
    assert record["battery_start"] == 60.0  # read at 0 s; the session started at 5.5 s
    assert record["battery_end"] == 42.0  # the level as the episode ended
    db = sqlite3.connect(tmp_path / "journal.db")
    ((start, end),) = db.execute("SELECT battery_start, battery_end FROM episodes").fetchall()
    assert (start, end) == (record["battery_start"], record["battery_end"])


def test_an_old_journal_gets_the_battery_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "journal.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE episodes (id INTEGER PRIMARY KEY, key TEXT UNIQUE, t REAL, actual_s REAL,"
        " demo INTEGER NOT NULL DEFAULT 0, inflight INTEGER NOT NULL DEFAULT 0, owner TEXT,"
        " record TEXT NOT NULL);"
        "INSERT INTO episodes (key, t, actual_s, record) VALUES ('a', 1772492400, 60,"
        ' \'{"start": "2026-03-02T23:00:00+00:00", "programs": ["box"], "actual_s": 60}\');'
    )
    old.commit()
    old.close()
    journal = Journal(path)
    journal.append(
        {"start": "2026-03-03T01:00:00+00:00", "programs": ["478"], "actual_s": 76.0,
         "battery_start": 40.0, "battery_end": 39.5}
    )  # fmt: skip
    assert [r["programs"] for r in journal.read()] == [["box"], ["478"]]
    rows = sqlite3.connect(path).execute("SELECT battery_start, battery_end FROM episodes")
    assert rows.fetchall() == [(None, None), (40.0, 39.5)]


def test_history_tells_the_level_after_the_last_session_and_whether_it_is_low():
    def at(hour, level):
        return {"start": datetime(2026, 3, 2, hour, tzinfo=UTC).isoformat(), "battery_end": level}

    assert battery_line([{"start": "2026-03-02T20:00:00+00:00"}]) is None  # a box
    line = battery_line([at(20, 50.0), at(23, 12.4), at(21, 80.0)])
    assert line.startswith("Battery: 12 % at the end of the last session (")
    assert line.endswith("(low: charge it soon).")
    assert "very low" in battery_line([at(23, 3.0)])
    assert battery_line([at(23, 60.0)]).endswith(").") and "low" not in battery_line([at(23, 60.0)])


def test_a_gauge_that_does_not_answer_is_one_log_line_and_the_box_goes_on(caplog):
    wrist = Wrist(50.0)
    wrist.gauge_chip.answering = False
    wrist.press(5)
    with caplog.at_level(logging.WARNING, "calmkit"):
        assert wrist.run(200) == "test over"
    said = [r for r in caplog.records if "battery gauge" in r.getMessage()]
    assert len(said) == 1 and "i2cdetect -y 1" in said[0].getMessage()
    assert len(wrist.reads) == 4  # still read each minute, in case it comes back
    assert [e for e in wrist.events if e.kind == EventKind.SESSION_START]
