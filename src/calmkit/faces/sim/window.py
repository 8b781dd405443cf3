"""The device in a window: the lamp, the vibration ring and the button, drawn from the devices.

``calmkit run --sim`` and ``calmkit play NAME --sim``. The window shows only what the devices
output: every frame it reads them back (``Devices.shown()``: the light's level a person would see,
the motor's drive, the button). It presses only by driving the button's mock pin low and high, so a
held space bar is a real hold and two quick clicks a real double press, through gestures.py.

Threads: the runner's loop blocks, so it runs on a worker thread and owns every pin write; the
pygame loop runs on the main thread at about 30 frames a second, reads the devices and drives the
button pin (gpiozero's mock pin then calls the runner's ``edge()``, which only puts on a queue).
A stop signal only sets a flag that the pygame loop turns into ``request_stop``.

For people in bed at night: a dark background from the very first frame, dim grey-amber text,
no white anywhere, the lamp's glow kept below full screen brightness.

Drawing is split from the window so that tests and ``docs/make_pictures.py`` can draw on a plain
Surface: ``ViewState.read(app)`` (view.py) takes a snapshot, ``draw(surface, view)`` (paint.py)
paints it, with the words of faces/words.py. The key ``g`` shows a chart of the light's last 30 s.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from calmkit.core.events import Event
from calmkit.faces.launch import RunSettings, launch
from calmkit.faces.sim.paint import BACKGROUND, Layout, _pygame, draw
from calmkit.faces.sim.view import STRIP_MAX_SAMPLES, STRIP_S, LevelStrip, ViewState

log = logging.getLogger("calmkit")

FPS = 30
DEFAULT_SIZE = (480, 640)
#: While nothing moves (dark lamp, idle, button up) the window redraws only this often.
STILL_REDRAW_S = 0.25
#: How long to wait for the runner to fade out and journal after the window has gone.
JOIN_S = 10.0

#: SDL video drivers that draw nowhere a person can see (fine when asked for, as tests do).
INVISIBLE_DRIVERS = frozenset({"dummy", "offscreen", "evdev"})


# --- the window ---------------------------------------------------------------------------------


def display_problem() -> str | None:
    """None when a window can be opened, else a one-line reason (the caller falls back)."""
    try:
        pg = _pygame()
    except ImportError:
        return "pygame is not installed (pip install pygame-ce)"
    driver = os.environ.get("SDL_VIDEODRIVER", "")
    if (
        not driver
        and sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    was_on = pg.display.get_init()
    try:
        pg.display.init()
        found = pg.display.get_driver()
    except pg.error as error:
        reason = str(error).strip().rstrip(".") or "unknown error"
        return f"no window can be opened ({reason})"
    finally:
        if not was_on:
            with contextlib.suppress(Exception):
                pg.display.quit()
    if not driver and found in INVISIBLE_DRIVERS:
        # SDL fell back to a driver that shows nothing: a window nobody can see is no window
        return f"no display (SDL could only find its {found!r} video driver)"
    return None


class Window:
    """The pygame side: events to pin drives and runner requests, frames from the pins."""

    def __init__(self, app: Any, surface: Any = None) -> None:
        self.app = app
        self.pg = _pygame()
        self.surface = surface
        self.strip = LevelStrip()
        self.layout = Layout.for_size(surface.get_size() if surface is not None else DEFAULT_SIZE)
        self.holding: set[str] = set()  # what holds the button down: "mouse", "space"
        self.closing = False
        self.signalled: str | None = None
        self.drawn = 0  # frames drawn, for the loop to know when to flip
        self.chart = False  # the light chart (key g), a view for developers
        self._next_still = 0.0
        self.wrist: Any = None  # a wearable (a haptic, no lamp): the wrist view, faces/sim/wrist
        from calmkit.faces.sim.wristbar import is_wrist

        if is_wrist(app.config):
            from calmkit.faces.sim.wrist import WristFace

            self.wrist = WristFace()

    # --- input --------------------------------------------------------------------------------

    def press(self, source: str) -> None:
        """The button goes down (the mock pin is driven low) unless already held."""
        if not self.holding:
            self.app.devices.button_pin.drive_low()
        self.holding.add(source)

    def release(self, source: str) -> None:
        if source not in self.holding:
            return
        self.holding.discard(source)
        if not self.holding:
            self.app.devices.button_pin.drive_high()

    def release_all(self) -> None:
        for source in list(self.holding):
            self.release(source)

    def quit(self, reason: str = "quit") -> None:
        self.release_all()
        if not self.closing:
            self.app.runner.request_stop(reason)
        self.closing = True

    def on_signal(self, reason: str) -> None:
        """From a signal handler: only set a flag (see service.install_stop_signals)."""
        self.signalled = reason

    def handle(self, event: Any) -> None:
        """One pygame event."""
        pg = self.pg
        kind = event.type
        if kind == pg.QUIT:
            self.quit("quit")
        elif kind == pg.KEYDOWN:
            if event.key == pg.K_SPACE:
                self.press("space")
            elif event.key == pg.K_m:
                self.app.runner.toggle_mute()
            elif event.key == pg.K_g:
                self.chart = not self.chart
            elif event.key == pg.K_q:
                self.quit("quit")
        elif kind == pg.KEYUP:
            if event.key == pg.K_SPACE:
                self.release("space")
        elif kind == pg.MOUSEBUTTONDOWN:
            if event.button == 1 and self.layout.on_button(event.pos):
                self.press("mouse")
        elif kind == pg.MOUSEBUTTONUP:
            if event.button == 1:
                self.release("mouse")
        elif kind == getattr(pg, "WINDOWFOCUSLOST", None):
            # a key or button let go of in another window would otherwise stay held down
            self.release_all()

    # --- output -------------------------------------------------------------------------------

    def frame(self, force: bool = True) -> ViewState:
        """Read the device; draw it when anything moves, when ``force``d, or now and then."""
        if self.wrist is not None:  # a wearable: drawn by faces/sim/wrist.py
            wrist, layout = self.wrist.frame(self.app, self.surface, force)
            self.layout, self.drawn = layout or self.layout, self.drawn + (layout is not None)
            return wrist
        view = ViewState.read(self.app, self.strip, chart=self.chart)
        real = time.monotonic()
        if self.surface is not None and (force or view.moving or real >= self._next_still):
            self.layout = draw(self.surface, view)
            self._next_still = real + STILL_REDRAW_S
            self.drawn += 1
        return view

    def loop(self, worker: threading.Thread) -> None:
        """Events and frames until the runner has finished or the window is closed."""
        pg = self.pg
        ticker = pg.time.Clock()
        while worker.is_alive() and not self.closing:
            if self.signalled is not None:
                self.quit(self.signalled)
                break
            events = pg.event.get()
            for event in events:
                self.handle(event)
            if self.closing:
                break
            self.surface = pg.display.get_surface()
            drawn = self.drawn
            self.frame(force=bool(events))
            if self.drawn != drawn:
                pg.display.flip()
            ticker.tick(FPS)


def open_window(pg: Any, size: tuple[int, int] = DEFAULT_SIZE) -> Any:
    """Open the window, dark from the very first frame."""
    pg.display.init()
    log.debug("window: SDL video driver %s", pg.display.get_driver())
    pg.display.set_caption("calmkit")
    surface = pg.display.set_mode(size, pg.RESIZABLE)
    surface.fill(BACKGROUND)
    pg.display.flip()
    return surface


class WindowFace:
    """The device in a window, for launch: the runner on a worker thread, pygame on this one."""

    ready_words = "waiting for a press (simulated, in a window)"
    on_event: Callable[[Event], None] | None = None  # the window reads the devices instead
    on_frame: Callable[[float], None] | None = None

    def __init__(self, size: tuple[int, int] = DEFAULT_SIZE) -> None:
        self.size = size
        self.window: Window | None = None

    def attach(self, app: Any) -> None:
        self.window = Window(app)  # before the signals: a stop always finds it

    def on_stop_signal(self, reason: str) -> None:
        if self.window is not None:
            self.window.on_signal(reason)

    def show(self, ready: Callable[[], None]) -> None:
        window = self.window
        assert window is not None, "attach the app first"
        app, pg = window.app, window.pg
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["reason"] = app.runner.run()
            except BaseException as error:  # handed to the main thread, raised there
                outcome["error"] = error

        worker = threading.Thread(target=work, name="calmkit-runner", daemon=True)
        try:
            window.surface = open_window(pg, self.size)
            window.layout = Layout.for_size(window.surface.get_size())
            worker.start()
            ready()
            window.loop(worker)
        finally:
            window.release_all()
            if worker.is_alive():
                app.runner.request_stop("quit")
            with contextlib.suppress(Exception):
                pg.display.quit()  # the window goes at once; the runner fades out and journals
            if worker.ident is not None:
                worker.join(JOIN_S)
                if worker.is_alive():
                    log.warning("the runner did not stop within %g s; leaving it", JOIN_S)
        if "error" in outcome:
            raise outcome["error"]


def run_window(
    config: Any,
    settings: RunSettings,
    on_event: Callable[[Event], None] | None = None,
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
) -> int:
    """``calmkit run --sim`` / ``calmkit play NAME --sim``: the device in a window on mock pins."""
    return launch(config, replace(settings, window=True), WindowFace(size), on_event)


__all__ = [
    "BACKGROUND",
    "DEFAULT_SIZE",
    "STRIP_MAX_SAMPLES",
    "STRIP_S",
    "Layout",
    "LevelStrip",
    "ViewState",
    "Window",
    "WindowFace",
    "display_problem",
    "draw",
    "open_window",
    "run_window",
]
