"""shell/mockbutton: the system test's button, a FIFO that exists with mock pins only."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from calmkit.core.clock import FakeClock, MonotonicClock
from calmkit.devices.hardware import PinChoice, mock_factory
from calmkit.shell import mockbutton


class Pin:
    """Records the edges it is driven with; ``seen`` is set at each one."""

    def __init__(self) -> None:
        self.edges: list[str] = []
        self.seen = threading.Event()

    def drive_low(self) -> None:
        self.edges.append("low")
        self.seen.set()

    def drive_high(self) -> None:
        self.edges.append("high")
        self.seen.set()


MOCK = PinChoice(mock_factory(), True)
REAL = PinChoice(object(), False)  # what choose_pins returns on a Pi (the factory is not used)


@pytest.fixture
def runtime(tmp_path: Path) -> dict[str, str]:
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    return {"RUNTIME_DIRECTORY": str(run)}


def made(runtime: dict[str, str]) -> list[Path]:
    return list(Path(runtime["RUNTIME_DIRECTORY"]).iterdir())


def test_real_pins_never_listen(runtime):
    assert mockbutton.fifo_path(REAL, MonotonicClock(), None, runtime) is None
    assert mockbutton.listen(REAL, MonotonicClock(), Pin(), None, runtime) is None
    assert made(runtime) == []


def test_no_fifo_outside_systemd_on_virtual_time_or_for_one_program(runtime):
    assert mockbutton.listen(MOCK, MonotonicClock(), Pin(), None, {}) is None
    assert mockbutton.listen(MOCK, FakeClock(), Pin(), None, runtime) is None
    assert mockbutton.listen(MOCK, MonotonicClock(), Pin(), "box", runtime) is None
    assert made(runtime) == []


def test_lines_drive_the_pin():
    pin = Pin()
    assert mockbutton.handle("down\n", pin)
    assert mockbutton.handle(" up ", pin)
    assert not mockbutton.handle("press", pin)
    assert not mockbutton.handle("", pin)
    assert pin.edges == ["low", "high"]


def test_fifo_is_private_and_presses_the_button(runtime):
    pin = Pin()
    path = mockbutton.listen(MOCK, MonotonicClock(), pin, None, runtime)
    assert path == Path(runtime["RUNTIME_DIRECTORY"]) / "button"
    info = path.lstat()
    assert stat.S_ISFIFO(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert info.st_uid == os.geteuid()
    fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(fd, b"nonsense\ndown\n")
        assert pin.seen.wait(10)
        pin.seen.clear()
        os.write(fd, b"up\n")
        assert pin.seen.wait(10)
    finally:
        os.close(fd)
    assert pin.edges == ["low", "high"]


def test_a_stale_fifo_is_replaced_and_a_failure_is_one_warning(runtime, tmp_path, caplog):
    stale = Path(runtime["RUNTIME_DIRECTORY"]) / "button"
    stale.write_text("left behind")
    assert mockbutton.listen(MOCK, MonotonicClock(), Pin(), None, runtime) == stale
    assert stat.S_ISFIFO(stale.lstat().st_mode)
    missing = {"RUNTIME_DIRECTORY": str(tmp_path / "no-such-dir")}
    assert mockbutton.listen(MOCK, MonotonicClock(), Pin(), None, missing) is None
    assert "the button cannot be pressed" in caplog.text


def test_a_built_calmkit_on_mock_pins_gets_the_edges(runtime, monkeypatch):
    """The whole path through app.build: FIFO -> the mock button pin -> gpiozero's Button ->
    the runner's queue."""
    from calmkit.config import parse_config
    from calmkit.shell.app import build

    monkeypatch.setenv("RUNTIME_DIRECTORY", runtime["RUNTIME_DIRECTORY"])
    app = build(
        parse_config("default_program: box\n"),
        clock=MonotonicClock(),
        pins=PinChoice(mock_factory(), True),
        sound=False,
        journal=False,
    )
    try:
        path = Path(runtime["RUNTIME_DIRECTORY"]) / "button"
        assert stat.S_ISFIFO(path.lstat().st_mode)
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        try:
            os.write(fd, b"down\nup\n")
        finally:
            os.close(fd)
        first = app.runner.items.get(timeout=10)
        second = app.runner.items.get(timeout=10)
        assert (first[0], first[1]) == ("edge", True)
        assert (second[0], second[1]) == ("edge", False)
    finally:
        app.close()
