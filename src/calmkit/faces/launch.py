"""One way in and one way out for every face (the terminal, the window).

Start-up: build the calmkit from the settings, say its notes, catch the stop signals, show it,
tell systemd it is ready (``calmkit run``) once the face really is. Shut-down, whatever happened:
tell systemd it is stopping, close the app (the journal writes what it holds), and only then put
the signal handlers back, so that a second Ctrl+C cannot cut the closing short.

The settings are what a person asked ``calmkit run`` / ``calmkit play`` for, as plain data: the
faces never see argparse.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from calmkit.core.errors import UsageError
from calmkit.core.events import Event

if TYPE_CHECKING:
    from calmkit.config import Config
    from calmkit.shell.app import App

Listener = Callable[[Event], None]


@dataclass(frozen=True)
class RunSettings:
    """How to run: the program, the speed, sound, clock, pins and where it is shown."""

    program: str | None = None  # None: the appliance, waiting for a press (`calmkit run`)
    speed: float = 1.0  # real time runs this many times faster (a demo)
    mute: bool = False  # no sound at all
    fast: bool = False  # on a virtual clock, at once (`play --fast`)
    events: bool = False  # JSON lines own stdout: the terminal then prints nothing of its own
    mock: bool = False  # simulated pins even on a Pi
    window: bool = False  # the device was asked for in a window (`--sim`)
    presses: tuple[tuple[float, float], ...] = ()  # with fast: (down at, held for) seconds

    @property
    def mock_pins(self) -> bool:
        """Simulated pins: when asked, on the virtual clock, and for the window (or its
        stand-in in the terminal when no window can be opened), whose keys press them."""
        return self.mock or self.fast or self.window


class Face(Protocol):
    """What a face gives the launch: its listeners, its stop, and the showing itself."""

    @property
    def ready_words(self) -> str:
        """What systemd's status says once the face is up and waiting."""

    @property
    def on_event(self) -> Listener | None:
        """Hears every event (on the runner's thread)."""

    @property
    def on_frame(self) -> Callable[[float], None] | None:
        """Called with the clock's time after each frame the runner writes."""

    def attach(self, app: App) -> None:
        """The app is built: keep it (before any signal can arrive)."""

    def on_stop_signal(self, reason: str) -> None:
        """From a signal handler: only set a flag or put on a queue (install_stop_signals)."""

    def show(self, ready: Callable[[], None]) -> None:
        """Run the app until it ends; call ``ready()`` once the face is up."""


def combine(*listeners: Listener | None) -> Listener | None:
    """One listener calling each given one in turn; None when none is given."""
    active = [listener for listener in listeners if listener is not None]

    def call(event: Event) -> None:
        for listener in active:
            listener(event)

    return call if active else None


def launch(
    config: Config, settings: RunSettings, face: Face, on_event: Listener | None = None
) -> int:
    """Build, show and close a calmkit for ``face``; ``on_event`` also hears every event."""
    from calmkit.core.clock import FakeClock, ScaledClock
    from calmkit.devices.hardware import PinChoice, mock_factory
    from calmkit.shell.app import build
    from calmkit.shell.service import Notifier, install_stop_signals
    from calmkit.shell.timesync import synchronised
    from calmkit.shell.waiters import VirtualWaiter

    clock: FakeClock | ScaledClock | None = None
    if settings.fast:  # virtual time from the real wall clock, as far as it can be trusted
        clock = FakeClock(
            wall_start=datetime.now().astimezone(), synced=synchronised(), speed=settings.speed
        )
    elif settings.speed != 1.0:  # a demo: the start-up below is no time of the program's
        clock = ScaledClock(settings.speed, synchronised, held=True)
    notifier = Notifier.from_environ() if settings.program is None else None
    app = build(
        config,
        clock=clock,
        pins=PinChoice(mock_factory(), True) if settings.mock_pins else None,
        speed=settings.speed,
        program=settings.program,
        sound=not settings.mute,
        on_event=combine(on_event, face.on_event),
        on_frame=face.on_frame,
        notifier=notifier,
        clear_history=True,
    )
    restore_signals: Callable[[], None] | None = None
    try:
        for note in app.notes:
            print(f"calmkit: {note}", file=sys.stderr)
        pin = app.devices.button_pin
        if settings.presses:  # the runner plays them on the virtual clock
            waiter = app.waiter
            if not isinstance(waiter, VirtualWaiter):
                raise UsageError("--button presses on the virtual clock: add --fast")
            for t, length in settings.presses:
                waiter.add(t, pin.drive_low)
                waiter.add(t + length, pin.drive_high)
        face.attach(app)
        restore_signals = install_stop_signals(face.on_stop_signal)

        def ready() -> None:
            if notifier is not None:
                notifier.ready(face.ready_words)

        face.show(ready)
    finally:
        if notifier is not None:
            notifier.stopping()
        app.close()
        if restore_signals is not None:
            restore_signals()
    return 0
