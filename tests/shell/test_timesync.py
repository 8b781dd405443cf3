"""No trusted clock: a Pi with no RTC and no network dims at any hour, and its journal says so."""

from __future__ import annotations

import ctypes

import pytest

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock, MonotonicClock, wall_synced
from calmkit.shell import timesync
from calmkit.shell.app import caps_for
from helpers import NOON, rig


def fake_adjtimex(state: int, status: int = 0, maxerror: int = 0):
    def adjtimex(ref) -> int:
        timex = ref._obj
        assert timex.modes == 0  # only ever reads
        timex.status, timex.maxerror = status, maxerror
        return state

    return adjtimex


@pytest.mark.parametrize(
    ("state", "status", "maxerror", "expected"),
    [
        (0, 0, 1_000, True),  # TIME_OK, a small error: synchronised
        (5, timesync.STA_UNSYNC, 16_000_000, False),  # TIME_ERROR, as on this machine's boot
        (0, timesync.STA_UNSYNC, 1_000, False),
        (0, 0, 16_000_000, False),  # the kernel's 16 s ceiling: it has given up
        (-1, 0, 0, None),  # the call failed: cannot tell
    ],
)
def test_the_kernel_is_asked_with_adjtimex(state, status, maxerror, expected):
    assert timesync.kernel_synchronised(fake_adjtimex(state, status, maxerror)) is expected


def test_a_failing_foreign_call_is_cannot_tell_not_a_crash():
    def broken(ref):
        raise ctypes.ArgumentError("no")

    assert timesync.kernel_synchronised(broken) is None


def test_timesyncd_s_flag_file_says_synchronised_first(tmp_path):
    flag = tmp_path / "synchronized"
    assert timesync.synchronised(flag, kernel=lambda: False) is False
    assert timesync.synchronised(flag, kernel=lambda: None) is None
    flag.touch()
    assert timesync.synchronised(flag, kernel=lambda: False) is True


def test_this_machine_answers_without_raising():
    assert timesync.synchronised() in (True, False, None)
    assert timesync.describe(None) == "unknown"


def test_a_clock_says_whether_its_wall_time_is_trusted():
    assert wall_synced(FakeClock()) is True
    assert wall_synced(FakeClock(synced=None)) is None
    assert wall_synced(MonotonicClock()) is None  # nobody told it how to find out: unknown
    assert wall_synced(MonotonicClock(lambda: True)) is True
    assert wall_synced(object()) is None


@pytest.mark.parametrize("synced", [False, None], ids=["unsynchronised", "cannot tell"])
def test_an_untrusted_clock_gets_the_night_caps_at_noon(synced):
    config = parse_config("", "test.yaml")
    caps = caps_for(config, FakeClock(wall_start=NOON, synced=synced))()
    night = config.night
    assert (caps.brightness, caps.volume, caps.vibration) == (
        night.brightness,
        night.volume,
        night.vibration,
    )
    assert caps_for(config, FakeClock(wall_start=NOON))().brightness == config.light.brightness


def test_the_light_is_dim_from_the_first_frame_when_the_clock_is_not_trusted():
    r = rig(wall=NOON)
    r.clock.synced = False
    r.app.runner.start("box")
    r.at(10, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert max(duty for _, duty, _ in r.frames) == pytest.approx(0.3**2.2, abs=0.5 / 1024)


@pytest.mark.parametrize(
    ("synced", "mark"), [(False, "unsynced"), (None, "unsynced"), (True, None)]
)
def test_the_journal_marks_times_from_an_untrusted_clock(synced, mark):
    r = rig(program="box")
    r.clock.synced = synced
    r.at(10, lambda: r.app.runner.request_stop("test"))
    r.at(5, lambda: checkpoints.append(r.app.flow.in_flight()))
    checkpoints: list = []
    r.run()
    (end,) = r.kinds("episode_end")
    assert end.data.get("clock") == mark
    assert checkpoints[0].get("clock") == mark  # the crash-recovery copy too


def test_doctor_says_whether_the_clock_can_be_trusted(tmp_path):
    from calmkit.faces.doctor import OK, WARN, run_checks

    config = tmp_path / "c.yaml"
    config.write_text(f"journal: {{path: {tmp_path / 'j.jsonl'}}}\nsound: {{enabled: false}}\n")

    def clock_check(synced):
        checks = run_checks(config, root=tmp_path, environ={}, clock_synced=lambda: synced)
        return next(c for c in checks if c.name == "clock")

    assert (clock_check(True).level, clock_check(True).detail) == (OK, "synchronised")
    for synced in (False, None):
        check = clock_check(synced)
        assert check.level == WARN and check.ok  # a note, not a failure: the box still works
        assert "night caps apply at any hour" in check.detail
