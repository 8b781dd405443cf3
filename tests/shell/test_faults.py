"""Faults: each gives one clear line, and the box keeps working where it can.

No sound card; missing, empty and corrupt sound files; a pin another program holds; no permission
on the GPIO chip; a journal folder that cannot be written; a full disk; the process killed with
SIGKILL mid-session and started again; SIGTERM mid-session. The device-level cases run the real
app (gpiozero mock pins, the runner, the journal) on the fake clock, the command-line cases call
cli.main, and the last three run `python -m calmkit` as a real process (a second or two of real
time each).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gpiozero import LED
from gpiozero.exc import GPIOZeroError
from gpiozero.pins.mock import MockFactory, MockPWMPin
from test_journal import Refusing, on_disk

import calmkit.devices.hardware
import calmkit.shell.app
from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.core.errors import HardwareError
from calmkit.devices.hardware import PinChoice
from calmkit.faces import cli
from calmkit.shell.app import build
from calmkit.shell.audio import Audio
from calmkit.shell.journal import Journal
from helpers import rig

pygame = pytest.importorskip("pygame")

#: A short breathing program with a sound at every phase: an inhale (chime_in), a hold with a
#: sound of the person's own that is not there (my_bell), an exhale (chime_out).
PROGRAMS = """
default_program: short
programs:
  short:
    steps: [{inhale: 2}, {hold: 1, sound: my_bell}, {exhale: 3}]
    cycles: 3
"""

IN_USE = (
    "GPIO{pin} ({what}) is already in use by another program; stop it (another calmkit?) "
    "or choose another pin for {key} in the config"
)


@pytest.fixture
def mixer(monkeypatch):
    """The mixer down before and after, on SDL's dummy (silent) driver unless a test says not."""
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    pygame.mixer.quit()
    yield
    pygame.mixer.quit()


@pytest.fixture
def calmkit_logger():
    """cli.main points the calmkit logger at the stderr of the moment: put it back after."""
    logger = logging.getLogger("calmkit")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


def with_sound(r, warnings: list[str]) -> list[str]:
    """Give a fake-clock rig the Audio that build() gives a box on the real clock.

    (build() leaves sound out on a FakeClock: a virtual run would play a session's cues all at
    once.) The run is stopped at 20 s, just after the session's end: in virtual time the runner
    would otherwise wait for the real-time sounds to finish 5 virtual seconds at a time before
    letting go of the sound card. Returns the names the runner asked to play.
    """
    r.at(20.0, lambda: r.app.runner.request_stop("test"))
    sound = r.app.config.sound
    audio = Audio(
        enabled=True,
        volume=sound.volume,
        fade_in_ms=sound.fade_in_ms,
        voice=sound.voice,
        user_dir=sound.dir,
        warn=warnings.append,
    )
    asked: list[str] = []
    play = audio.play

    def recording_play(name: str, volume_cap: float = 1.0) -> None:
        asked.append(name)
        play(name, volume_cap)

    audio.play = recording_play  # type: ignore[method-assign]
    r.app.runner.audio = audio
    r.app.audio = audio
    return asked


def ran_on_light(r) -> None:
    """The session ran to its end with the lamp breathing and the motor pulsing."""
    (end,) = r.kinds("session_end")
    assert end.data["status"] == "completed"
    assert end.data["actual_s"] == pytest.approx(18.0)
    duties = [duty for t, duty, _ in r.frames if 0 < t < 18]
    assert max(duties) == pytest.approx(1.0) and min(duties) < 0.01
    assert max(motor for _, _, motor in r.frames) > 0


def one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message


# --- sound --------------------------------------------------------------------------------------


def test_no_audio_device_warns_once_and_the_session_runs_on_light(mixer, monkeypatch, tmp_path):
    monkeypatch.setenv("SDL_AUDIODRIVER", "calmkit-no-such-driver")
    warnings: list[str] = []
    r = rig(PROGRAMS, journal=Journal(tmp_path / "journal.jsonl"), warn=warnings.append)
    asked = with_sound(r, warnings)
    r.app.runner.start()
    assert r.run() == "test"
    ran_on_light(r)
    assert asked.count("chime_in") == 3 and "bell_end" in asked  # every cue was tried ...
    assert len(warnings) == 1  # ... and said so once
    one_line(warnings[0])
    assert warnings[0].startswith("sound is off: no audio device (")
    assert "calmkit-no-such-driver" in warnings[0] and "Light and vibration carry on" in warnings[0]
    assert "Fix:" in warnings[0]
    assert on_disk(tmp_path / "journal.jsonl")[0]["status"] == "completed"


def test_empty_corrupt_and_missing_sound_files_warn_once_each_naming_the_file(mixer, tmp_path):
    folder = tmp_path / "my sounds"
    folder.mkdir()
    (folder / "chime_in.wav").write_bytes(b"")
    (folder / "chime_out.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt garbage " * 8)
    warnings: list[str] = []
    r = rig(f"{PROGRAMS}\nsound: {{dir: '{folder}'}}\n", warn=warnings.append)
    asked = with_sound(r, warnings)
    r.app.runner.start()
    r.run()
    ran_on_light(r)
    assert [asked.count(name) for name in ("chime_in", "my_bell", "chime_out")] == [3, 3, 3]
    for message in warnings:
        one_line(message)
    empty, corrupt, missing = (
        [m for m in warnings if key in m]
        for key in (f"{folder}/chime_in.wav", f"{folder}/chime_out.wav", "'my_bell'")
    )
    assert len(warnings) == 3 and len(empty) == len(corrupt) == len(missing) == 1
    assert "is empty; using " in empty[0] and "chime_in.wav instead" in empty[0]
    assert "cannot be played" in corrupt[0] and "chime_out.wav instead" in corrupt[0]
    assert missing[0].startswith("sound 'my_bell' not found (no my_bell.wav in ")
    assert "it will be silent" in missing[0]


# --- pins ---------------------------------------------------------------------------------------


def test_a_pin_already_claimed_is_exit_3_with_the_pin_and_the_fix():
    factory = MockFactory(pin_class=MockPWMPin)
    config = parse_config(PROGRAMS, "test.yaml")
    first = build(config, clock=FakeClock(), pins=PinChoice(factory, True))
    with pytest.raises(HardwareError) as caught:
        build(config, clock=FakeClock(), pins=PinChoice(factory, True))
    assert caught.value.exit_code == 3
    assert str(caught.value) == IN_USE.format(pin=18, what="the light", key="hardware.light")
    # the first box is untouched and still runs a session from its button
    pin = first.devices.button_pin
    first.waiter.add(1.0, pin.drive_low)
    first.waiter.add(1.1, pin.drive_high)
    ends: list = []
    first.runner.on_event = lambda e: ends.append(e) if e.kind == "session_end" else None
    first.runner.run()
    assert [e.data["status"] for e in ends] == ["completed"]
    first.close()


def test_a_pin_in_use_part_way_releases_the_pins_already_claimed():
    factory = MockFactory(pin_class=MockPWMPin)
    config = parse_config(PROGRAMS, "test.yaml")
    other = LED(13, pin_factory=factory)  # another program drives the motor's pin
    with pytest.raises(HardwareError) as caught:
        build(config, clock=FakeClock(), pins=PinChoice(factory, True))
    assert str(caught.value) == IN_USE.format(
        pin=13, what="the vibration motor", key="hardware.vibration"
    )
    other.close()
    # the light and the button claimed before the failure were let go: a retry works
    build(config, clock=FakeClock(), pins=PinChoice(factory, True)).close()


def run_cli(monkeypatch, capsys, tmp_path, factory, *argv: str) -> tuple[int, str, str]:
    """`calmkit run` on a machine whose "real" pins are ``factory``."""
    config = tmp_path / "calmkit.yaml"
    config.write_text(f"journal: {{path: '{tmp_path / 'journal.jsonl'}'}}\nsound: false\n")
    choice = PinChoice(factory, False)
    # app.py imported the name: patch it where it is looked up (and at home, for other callers)
    monkeypatch.setattr(calmkit.shell.app, "choose_pins", lambda mode, root=None: choice)
    monkeypatch.setattr(calmkit.devices.hardware, "choose_pins", lambda mode, root=None: choice)
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    code = cli.main(["run", "--config", str(config), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_calmkit_run_with_the_button_pin_in_use_exits_3_in_one_line(
    monkeypatch, capsys, tmp_path, calmkit_logger
):
    factory = MockFactory(pin_class=MockPWMPin)
    other = LED(17, pin_factory=factory)  # another program (another calmkit?) has the button
    code, out, err = run_cli(monkeypatch, capsys, tmp_path, factory)
    assert code == 3
    assert out == ""
    assert (
        err == "calmkit: " + IN_USE.format(pin=17, what="the button", key="hardware.button") + "\n"
    )
    assert err.count("\n") == 1
    other.close()


class RefusedPin(MockPWMPin):
    """A pin whose chip says no, as /dev/gpiochip0 does to a user outside the gpio group."""

    error: BaseException = PermissionError(errno.EACCES, "Permission denied", "/dev/gpiochip0")

    def __init__(self, *args, **kwargs):
        raise self.error


class RefusedByGpiozero(RefusedPin):
    error = GPIOZeroError("failed to open /dev/gpiochip0: Permission denied")


@pytest.mark.parametrize("pin_class", [RefusedPin, RefusedByGpiozero], ids=["EACCES", "gpiozero"])
def test_permission_denied_on_the_gpio_chip_exits_3_naming_the_gpio_group(
    monkeypatch, capsys, tmp_path, calmkit_logger, pin_class
):
    monkeypatch.setenv("USER", "pi")
    code, out, err = run_cli(monkeypatch, capsys, tmp_path, MockFactory(pin_class=pin_class))
    assert (code, out) == (3, "")
    assert err == (
        "calmkit: no permission to use GPIO18 (the light); add this user to the gpio group: "
        "sudo usermod -aG gpio pi, then log in again\n"
    )


# --- the journal --------------------------------------------------------------------------------


SHORT_BOX = """
light: {fps: 10}
default_program: short
programs:
  short:
    steps: [{inhale: 2}, {exhale: 3}]
    cycles: 2
"""


def episodes(r, starts: list[float]) -> None:
    """A press at each time: each starts an episode that ends, unanswered, about 70 s later."""
    for t in starts:
        r.press(t)


def test_a_full_disk_warns_once_the_sessions_run_and_are_written_when_it_frees(
    monkeypatch, tmp_path
):
    disk = Refusing(monkeypatch, "full")
    warnings: list[str] = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    r = rig(SHORT_BOX, journal=journal)
    episodes(r, [10.0, 200.0])
    r.at(300.0, disk.fix)  # space was freed
    episodes(r, [400.0])
    held: list[int] = []
    r.at(299.0, lambda: held.append(len(journal.read())))
    saved_at_next_start: list[int] = []
    r.at(401.0, lambda: saved_at_next_start.extend(r["status"] for r in on_disk(journal.path)))
    assert r.run() == "nothing left to do"
    assert [e.data["status"] for e in r.kinds("session_end")] == ["completed"] * 3
    assert len(warnings) == 1
    one_line(warnings[0])
    assert "could not save this session (database or disk is full" in warnings[0]
    assert str(journal.path) in warnings[0]
    assert held == [2]  # kept in memory while the disk was full ...
    # ... written at the next session's first checkpoint (with that session's checkpoint) ...
    assert saved_at_next_start == ["completed", "completed", "interrupted"]
    assert [rec["start"] for rec in on_disk(journal.path)] == [  # ... in order, all of them
        e.data["start"] for e in r.kinds("episode_end")
    ]
    assert Journal(journal.path).in_flight() == []


def test_a_session_the_disk_refused_at_its_end_survives_a_crash_and_is_saved_at_the_next_start(
    monkeypatch, tmp_path
):
    """The bug: the checkpoint was deleted and "journaled" said, with nothing written."""
    journal = Journal(tmp_path / "journal.db", warn=lambda message: None)
    r = rig(SHORT_BOX, journal=journal)
    episodes(r, [10.0])
    disk: list[Refusing] = []
    r.at(15.0, lambda: (disk.append(Refusing(monkeypatch, "full")), journal._close()))
    r.at(100.0, lambda: r.app.runner.request_stop("crash"))
    monkeypatch.setattr(journal, "flush", lambda: False)  # the process dies: no last chance
    r.app.runner._fade_out = lambda: None
    r.run()
    (ended,) = r.kinds("episode_end")
    assert journal.problem == "database or disk is full"
    assert [rec["status"] for rec in Journal(journal.path).in_flight()] == ["completed"]
    disk[0].fix()
    again = rig(SHORT_BOX, journal=Journal(tmp_path / "journal.db"))
    assert again.app.notes == []  # nothing was cut off: the whole record was kept
    assert on_disk(journal.path) == [ended.data]  # saved once, as it ended
    assert Journal(journal.path).in_flight() == []


def test_lines_held_back_by_a_full_disk_are_written_on_the_way_out(monkeypatch, tmp_path):
    disk = Refusing(monkeypatch, "full")
    journal = Journal(tmp_path / "journal.db", warn=lambda message: None)
    r = rig(SHORT_BOX, journal=journal)
    episodes(r, [10.0])
    r.at(600.0, disk.fix)  # space was freed while the box sat idle
    r.at(7200.0, lambda: r.app.runner.request_stop("SIGTERM"))  # systemctl stop, hours later
    assert r.run() == "SIGTERM"
    assert len(on_disk(journal.path)) == 1


@pytest.mark.parametrize("how", ["read-only file", "locked", "a folder", "not a folder"])
def test_a_journal_that_cannot_be_written_warns_once_and_sessions_run(monkeypatch, tmp_path, how):
    path = tmp_path / "journal.db"
    if how == "read-only file":  # (the tests may run as root, whom chmod does not stop)
        Refusing(monkeypatch, "read-only")
        reason = "attempt to write a readonly database"
    elif how == "locked":
        Refusing(monkeypatch, "locked")
        reason = "database is locked"
    elif how == "a folder":
        path.mkdir()
        reason = "Is a directory"
    else:
        (tmp_path / "state").write_text("a file where the folder should be")
        path = tmp_path / "state" / "journal.db"
        reason = "Not a directory"
    warnings: list[str] = []
    journal = Journal(path, warn=warnings.append)
    r = rig(SHORT_BOX, journal=journal)
    episodes(r, [10.0, 200.0])
    assert r.run() == "nothing left to do"
    assert [e.data["status"] for e in r.kinds("session_end")] == ["completed"] * 2
    assert len(warnings) == 1
    one_line(warnings[0])
    assert reason in warnings[0] and str(path) in warnings[0]
    assert [rec["start"] for rec in journal.read()] == [
        e.data["start"] for e in r.kinds("episode_end")
    ]  # kept in memory, for `calmkit history` in this process and the next write


def test_play_says_plainly_when_a_session_could_not_be_saved(tmp_path, capsys, calmkit_logger):
    (tmp_path / "journal.db").mkdir()  # the journal path is a folder
    config = tmp_path / "calmkit.yaml"
    config.write_text(f"journal: {{path: '{tmp_path / 'journal.db'}'}}\nsound: false\n")
    assert cli.main(["play", "box", "--mock", "--speed", "1000", "--config", str(config)]) == 0
    out, err = capsys.readouterr()
    assert "journaled" not in out
    assert "could not save this session (Is a directory" in out
    assert "it is kept in memory and in " in out and "will be saved when" in out
    assert "could not save this session" in err  # the warning, once


def test_play_fast_does_not_say_journaled_when_it_writes_nothing(tmp_path, capsys):
    config = tmp_path / "calmkit.yaml"
    config.write_text(f"journal: {{path: '{tmp_path / 'journal.db'}'}}\nsound: false\n")
    assert cli.main(["play", "box", "--fast", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "journaled:" not in out
    assert "not journaled (a virtual run is not saved)" in out
    assert not (tmp_path / "journal.db").exists()


# --- the process killed, or stopped -------------------------------------------------------------

LONG = """
journal: {{path: '{journal}'}}
programs:
  long:
    description: five minutes of slow breathing
    steps: [{{inhale: 4}}, {{exhale: 6}}]
    cycles: 30
  tiny:
    steps: [{{inhale: 1}}]
"""


def calmkit_process(tmp_path: Path, *argv: str, **env_overrides: str) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CALMKIT_CONFIG", "STATE_DIRECTORY", "NOTIFY_SOCKET", "CALMKIT_DEBUG")
    }
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_STATE_HOME=str(tmp_path / "home" / "state"),
        SDL_AUDIODRIVER="dummy",
        SDL_VIDEODRIVER="dummy",
        PYTHONUNBUFFERED="1",
    )
    env.update(env_overrides)
    return subprocess.Popen(
        [sys.executable, "-m", "calmkit", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        text=True,
    )


def wait_for(journal: Journal, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Poll the journal until the process has checkpointed its episode."""
    limit = time.monotonic() + timeout
    while not Journal(journal.path).in_flight():
        if process.poll() is not None:
            raise AssertionError(f"calmkit ended ({process.returncode}): {process.stderr.read()}")
        if time.monotonic() > limit:
            process.kill()
            raise AssertionError(f"no checkpoint in {journal.path} within {timeout} s")
        # wait on the process itself, a little at a time, while its checkpoint is looked for
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.01)


def earlier_record() -> dict:
    return {
        "start": "2026-03-01T23:10:00+00:00",
        "programs": ["calm"],
        "planned_s": 504.0,
        "actual_s": 504.0,
        "status": "completed",
        "pauses": 0,
        "items": 0,
        "squeeze_s": 0.0,
        "helped": "yes",
    }


@pytest.fixture
def long_config(tmp_path) -> tuple[Path, Journal]:
    journal = Journal(tmp_path / "state" / "journal.jsonl")
    journal.append(earlier_record())
    config = tmp_path / "calmkit.yaml"
    config.write_text(LONG.format(journal=journal.path))
    return config, journal


def test_killed_mid_session_the_next_start_journals_it_as_interrupted(
    tmp_path, long_config, capsys, calmkit_logger
):
    config, journal = long_config
    process = calmkit_process(tmp_path, "play", "long", "--mock", "--mute", "--config", str(config))
    wait_for(journal, process)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    (in_flight,) = Journal(journal.path).in_flight()  # its episode was checkpointed
    assert in_flight["programs"] == ["long"] and in_flight["status"] == "interrupted"

    # started again: the box notes the lost session and journals it, once
    again = build(
        parse_config(config.read_text(), str(config)),
        clock=FakeClock(),
        journal=Journal(journal.path),
    )
    again.close()
    assert len(again.notes) == 1 and "journaled as interrupted" in again.notes[0]
    records = journal.read()
    assert records[0] == earlier_record()
    assert records[1] == {**in_flight, "status": "interrupted"}
    assert len(records) == 2
    assert Journal(journal.path).in_flight() == []
    one_more = build(
        parse_config(config.read_text(), str(config)),
        clock=FakeClock(),
        journal=Journal(journal.path),
    )
    one_more.close()
    assert one_more.notes == [] and len(journal.read()) == 2  # recovered exactly once

    assert cli.main(["history", "--csv", "--config", str(config)]) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert len(csv_lines) == 3 and ",interrupted," in csv_lines[2]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_mid_session_exits_0_and_journals_the_session_as_stopped(
    tmp_path, long_config, signum
):
    """SIGHUP (the terminal or SSH session closed) used to kill at once, the lamp left on."""
    config, journal = long_config
    process = calmkit_process(tmp_path, "play", "long", "--mock", "--mute", "--config", str(config))
    wait_for(journal, process)
    sent = time.monotonic()
    process.send_signal(signum)
    out, err = process.communicate(timeout=30)
    took = time.monotonic() - sent
    assert process.returncode == 0, err
    assert "Traceback" not in err and "error" not in err.lower()
    assert "end: stopped" in out
    records = journal.read()
    assert records[0] == earlier_record() and len(records) == 2
    assert records[1]["programs"] == ["long"] and records[1]["status"] == "stopped"
    assert Journal(journal.path).in_flight() == []
    assert took < 10.0  # the light fades in under a second; this only guards against a hang


def test_calmkit_play_without_a_sound_card_says_so_in_one_line_and_plays_on(tmp_path, long_config):
    config, journal = long_config
    process = calmkit_process(
        tmp_path,
        "play",
        "tiny",
        "--mock",
        "--config",
        str(config),
        SDL_AUDIODRIVER="calmkit-no-such-driver",
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0
    (line,) = err.splitlines()
    assert line.startswith("calmkit: sound is off: no audio device (")
    assert "Light and vibration carry on" in line
    assert "end: completed" in out
    assert journal.read()[-1]["programs"] == ["tiny"]
    assert journal.read()[-1]["status"] == "completed"
