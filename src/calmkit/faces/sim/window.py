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
Surface: ``ViewState.read(app)`` takes a snapshot, ``draw(surface, view)`` paints it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from calmkit.core.durations import clock_text, countdown_text
from calmkit.core.events import Event
from calmkit.core.flow_table import Mode, State, hint
from calmkit.core.session import PAUSED
from calmkit.faces.launch import RunSettings, launch
from calmkit.faces.sim.terminal import WAITING

log = logging.getLogger("calmkit")

FPS = 30
DEFAULT_SIZE = (480, 640)
#: The strip shows this many seconds of light level (on the device's clock).
STRIP_S = 30.0
#: Hard bound on the strip's samples, whatever the frame rate or --speed.
STRIP_MAX_SAMPLES = 1024
#: While nothing moves (dark lamp, idle, button up) the window redraws only this often.
STILL_REDRAW_S = 0.25
#: How long to wait for the runner to fade out and journal after the window has gone.
JOIN_S = 10.0

#: SDL video drivers that draw nowhere a person can see (fine when asked for, as tests do).
INVISIBLE_DRIVERS = frozenset({"dummy", "offscreen", "evdev"})

RGB = tuple[int, int, int]

BACKGROUND: RGB = (0x10, 0x12, 0x17)
TEXT: RGB = (186, 170, 148)  # grey-amber: readable in the dark, never white
DIM: RGB = (118, 110, 100)
FAINT: RGB = (66, 66, 70)
LAMP_BODY: RGB = (26, 29, 36)
LAMP_RIM: RGB = (40, 43, 52)
#: A single LED is drawn warm amber; an RGB lamp in the colour its three pins make.
AMBER = (1.0, 0.62, 0.26)
#: The brightest the drawn lamp gets, as a share of the screen's full: a glow, never a glare.
LAMP_MAX = 0.86
RING_OFF: RGB = (38, 41, 50)
RING_ON: RGB = (196, 152, 104)
BUTTON_UP: RGB = (52, 56, 66)
BUTTON_DOWN: RGB = (36, 39, 47)
BUTTON_RIM: RGB = (78, 80, 88)
BUTTON_RIM_DOWN: RGB = (150, 118, 82)
STRIP_BG: RGB = (20, 22, 28)
STRIP_LINE: RGB = (170, 124, 70)
STRIP_FILL: RGB = (52, 40, 28)

KEYS_HINT = "space or click: the button · m: mute · q: quit"
#: FreeType sizes to the sizes the layout is thought in (pygame.font's default font is smaller).
TEXT_SCALE = 0.72


def _pygame() -> Any:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    return pygame


# --- what the window shows: a snapshot of the device --------------------------------------------


class LevelStrip:
    """The light level over the last ``span_s`` seconds, bounded in time and in samples."""

    def __init__(self, span_s: float = STRIP_S, maxlen: int = STRIP_MAX_SAMPLES) -> None:
        self.span_s = span_s
        self.samples: deque[tuple[float, float]] = deque(maxlen=maxlen)

    def add(self, t: float, level: float) -> None:
        if self.samples and t < self.samples[-1][0]:
            return  # time never goes back; ignore a stale reading
        self.samples.append((t, level))
        while self.samples and t - self.samples[0][0] > self.span_s:
            self.samples.popleft()

    def __len__(self) -> int:
        return len(self.samples)


@dataclass(frozen=True)
class ViewState:
    """Everything one frame shows, read from the app: pins first, the flow for the words."""

    now: float = 0.0
    light: tuple[float, ...] = (0.0,)  # perceptual level per channel (1, or 3 for red/green/blue)
    rgb: bool = False
    motor: float | None = None  # the motor pin's duty; None when no motor is fitted
    button_down: bool = False
    state: str = State.IDLE
    mode: str = Mode.IDLE  # what the button means now (flow_table.Mode): the hint comes from it
    hint_values: tuple[tuple[str, str], ...] = ()  # the hint's placeholders, from the flow
    showing_menu: bool = False  # idle, showing the selected program after a double or a hold
    paused: bool = False
    program: str = ""  # the program running, or the one a press would start
    part: str = ""  # the program of a chain the current step belongs to, when it differs
    number: int = 0  # the selected program's place in the menu (idle), 0 when unknown
    menu_size: int = 0
    phase: str = ""
    label: str = ""
    remaining: float | None = None  # seconds left in the step
    elapsed: float | None = None  # seconds into the session, pauses left out
    total: float | None = None  # the session's planned seconds
    night_cap: float | None = None  # the lamp's cap when night mode lowers it, else None
    muted: bool = False
    sound: bool = True  # False when sound is off altogether (--mute, config, no audio device)
    strip: tuple[tuple[float, float], ...] = ()
    strip_span: float = STRIP_S

    @property
    def level(self) -> float:
        return max(self.light, default=0.0)

    @property
    def moving(self) -> bool:
        """Whether the picture changes frame to frame (else it is drawn less often)."""
        return (
            self.level > 0
            or (self.motor or 0.0) > 0
            or self.button_down
            or self.state == State.RUNNING
        )

    @property
    def lamp_colour(self) -> tuple[float, float, float]:
        """The lamp's colour and brightness as 0..1 channels."""
        if self.rgb and len(self.light) == 3:
            r, g, b = self.light
            return (r, g, b)
        level = self.level
        return (AMBER[0] * level, AMBER[1] * level, AMBER[2] * level)

    @classmethod
    def read(cls, app: Any, strip: LevelStrip | None = None) -> ViewState:
        """A snapshot of ``app`` (from any thread: it only reads); feeds ``strip`` if given."""
        devices = app.devices
        shown = devices.shown()  # read back through the devices, never from their pins
        light, motor, button_down = shown.light, shown.motor, shown.pressed
        now = app.clock.now()
        flow = app.flow
        runner = app.runner
        state = flow.state
        selected = flow.selected
        menu = tuple(flow.menu)
        session = flow.session  # one read: the runner thread may replace it meanwhile
        values: dict[str, Any] = {}
        if state == State.RUNNING and session is not None:
            current = session.current
            program = session.plan.program
            values = {
                "paused": session.state == PAUSED,
                "elapsed": session.active_s(),
                "total": session.plan.total_s,
            }
            if current is not None:
                values.update(
                    phase=current.phase,
                    label=current.step.label,
                    remaining=session.step_remaining(),
                    part=current.program if current.program != program else "",
                )
        else:
            program = selected
        number = menu.index(selected) + 1 if state == State.IDLE and selected in menu else 0
        cap = runner.caps().brightness
        night_cap = cap if cap < app.config.light.brightness - 1e-9 else None
        level = max(light, default=0.0)
        if strip is not None:
            strip.add(now, level)
        return cls(
            now=now,
            light=light,
            rgb=bool(devices.rgb),
            motor=motor,
            button_down=button_down,
            state=state,
            mode=flow.mode(),
            hint_values=tuple(flow.hint_values().items()),
            showing_menu=flow.showing_menu(now),
            program=program,
            number=number,
            menu_size=len(menu),
            night_cap=night_cap,
            muted=bool(runner.muted),
            sound=app.audio is not None,
            strip=tuple(strip.samples) if strip is not None else (),
            strip_span=strip.span_s if strip is not None else STRIP_S,
            **values,
        )

    def headline(self) -> str:
        """The big word: the phase, or what the box is waiting for."""
        if self.state == State.RUNNING:
            if self.paused:
                return "paused"
            return self.phase or "starting"
        if self.state in WAITING:
            return WAITING[State(self.state)]
        if self.showing_menu:
            return self.program
        return "ready"

    def subline(self) -> str:
        """The smaller line under the headline."""
        if self.state == State.RUNNING:
            if self.paused:
                return f"in {self.phase}" if self.phase else ""
            return self.label
        if self.state in WAITING:
            return ""  # the hint under the button says what to press
        if self.showing_menu and self.number:
            return f"program {self.number} of {self.menu_size} · press to start it"
        return "press to start"

    def hint(self) -> str:
        """What the button does now: the flow's own table (flow_table.py), in words."""
        return hint(Mode(self.mode), dict(self.hint_values))


# --- where things go ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Positions for a window of ``size``: everything scales with it."""

    width: int
    height: int
    lamp: tuple[int, int]
    lamp_r: int
    ring_r: int
    button: tuple[int, int]
    button_r: int
    strip: tuple[int, int, int, int]  # x, y, w, h
    unit: int  # a base size for text

    @classmethod
    def for_size(cls, size: tuple[int, int]) -> Layout:
        w, h = max(1, size[0]), max(1, size[1])
        short = min(w, h * 0.75)
        lamp_r = max(8, round(short * 0.13))
        strip_w = max(40, round(w * 0.84))
        return cls(
            width=w,
            height=h,
            lamp=(w // 2, round(h * 0.44)),
            lamp_r=lamp_r,
            ring_r=round(lamp_r * 1.42),
            button=(w // 2, round(h * 0.665)),
            button_r=max(10, round(short * 0.07)),
            strip=((w - strip_w) // 2, round(h * 0.855), strip_w, max(24, round(h * 0.07))),
            unit=max(8, round(short / 24)),
        )

    def on_button(self, pos: tuple[int, int]) -> bool:
        """Whether a click at ``pos`` lands on the button (generously: fingers, trackpads)."""
        dx, dy = pos[0] - self.button[0], pos[1] - self.button[1]
        return dx * dx + dy * dy <= (self.button_r * 1.6) ** 2


# --- drawing ------------------------------------------------------------------------------------

_glow_cache: dict[int, Any] = {}
_font_cache: dict[int, Any] = {}
_text_cache: dict[tuple[Any, ...], Any] = {}


def _glow_mask(pg: Any, radius: int) -> Any:
    """A grey disc: full in the lamp's core, falling off softly into a halo (cached per size)."""
    mask = _glow_cache.get(radius)
    if mask is not None:
        return mask
    if len(_glow_cache) > 8:  # resizing the window many times must not pile up surfaces
        _glow_cache.clear()
    outer = radius * 3
    mask = pg.Surface((outer * 2, outer * 2))
    mask.fill((0, 0, 0))
    steps = max(24, outer // 2)
    for k in range(steps, 0, -1):
        r = outer * k / steps
        if r <= radius:  # the diffuser: brightest in the middle, a soft edge
            x = r / radius
            value = 1.0 - 0.22 * x * x - (0.2 * (x - 0.9) / 0.1 if x > 0.9 else 0.0)
        else:  # the halo around it
            x = (r - radius) / (outer - radius)
            value = 0.42 * (1.0 - x) ** 2.6
        v = round(255 * min(1.0, max(0.0, value)))
        pg.draw.circle(mask, (v, v, v), (outer, outer), max(1, round(r)))
    _glow_cache[radius] = mask
    return mask


def _font(pg: Any, size: int) -> Any:
    """pygame's own font through FreeType (kerned, padded so lines sit alike), cached by size."""
    font = _font_cache.get(size)
    if font is None:
        import pygame.freetype

        if len(_font_cache) > 24:  # resizing the window many times must not pile up fonts
            _font_cache.clear()
        if not pygame.freetype.get_init():
            pygame.freetype.init()
        font = pygame.freetype.Font(None, size)
        font.kerning = True
        font.pad = True
        _font_cache[size] = font
    return font


def _text(
    pg: Any,
    surface: Any,
    words: str,
    size: float,
    colour: RGB,
    at: tuple[int, int],
    anchor: str = "midtop",
    fit: int | None = None,
) -> Any:
    """Draw ``words`` with its ``anchor`` point at ``at``, shrunk to ``fit`` pixels wide."""
    if not words:
        return None
    key = (words, round(size * TEXT_SCALE), colour, fit)
    image = _text_cache.get(key)
    if image is None:
        size = max(8, key[1])
        while fit is not None and size > 8 and _font(pg, size).get_rect(words).width > fit:
            size -= 1
        image, _ = _font(pg, size).render(words, colour)
        if len(_text_cache) > 96:  # a countdown makes new words every second: keep it small
            _text_cache.clear()
        _text_cache[key] = image
    rect = image.get_rect(**{anchor: at})
    surface.blit(image, rect)
    return rect


def _scale(colour: tuple[float, float, float], share: float) -> RGB:
    r, g, b = (round(255 * min(1.0, max(0.0, c)) * share) for c in colour)
    return (r, g, b)


def draw(surface: Any, view: ViewState) -> Layout:
    """Paint one frame of ``view`` on ``surface`` (any size); returns the layout used."""
    pg = _pygame()
    layout = Layout.for_size(surface.get_size())
    surface.fill(BACKGROUND)
    _draw_header(pg, surface, view, layout)
    _draw_lamp(pg, surface, view, layout)
    _draw_button(pg, surface, view, layout)
    _draw_strip(pg, surface, view, layout)
    return layout


def _draw_header(pg: Any, surface: Any, view: ViewState, layout: Layout) -> None:
    u, w = layout.unit, layout.width
    # top left: the program (and how far into it); top right: the sound mark
    program = f"{view.program} · {view.part}" if view.part else view.program
    if view.state == State.IDLE and view.number:
        program = f"{program}  ({view.number} of {view.menu_size})"
    _text(pg, surface, program, u * 1.3, DIM, (u, u), "topleft", fit=w - 9 * u)
    if view.state == State.RUNNING and view.total:
        done = f"{clock_text(view.elapsed or 0.0)} of {clock_text(view.total)}"
        _text(pg, surface, done, u * 1.05, FAINT, (u, round(u * 2.4)), "topleft")
    _draw_sound_mark(pg, surface, view, layout)
    # the headline, what it says, the seconds left
    top = round(layout.height * 0.085)
    _text(pg, surface, view.headline(), u * 3.0, TEXT, (w // 2, top), fit=w - 2 * u)
    sub = view.subline()
    _text(pg, surface, sub, u * 1.4, DIM, (w // 2, top + round(u * 2.7)), fit=w - 2 * u)
    if view.state == State.RUNNING and view.remaining is not None:
        left = countdown_text(view.remaining)
        _text(pg, surface, left, u * 1.6, TEXT, (w // 2, top + round(u * 4.3)))


def _draw_sound_mark(pg: Any, surface: Any, view: ViewState, layout: Layout) -> None:
    """A small speaker with a sound wave, or crossed out when muted or without sound."""
    u = layout.unit
    on = view.sound and not view.muted
    words = "sound on" if on else ("muted" if view.sound else "no sound")
    y = u + round(u * 0.65)
    rect = _text(pg, surface, words, u * 1.1, DIM, (layout.width - u, y), "midright")
    s = max(4, round(u * 0.45))  # half the speaker's height
    x = rect.left - round(u * 2.0)
    colour = DIM if on else FAINT
    pg.draw.rect(surface, colour, (x - s // 2, y - s // 2, s // 2 + 1, s))
    pg.draw.polygon(
        surface, colour, [(x, y - s // 2), (x + s, y - s), (x + s, y + s), (x, y + s // 2)]
    )
    if on:
        for k in (1, 2):
            r = round(s * (0.55 + 0.5 * k))
            pg.draw.arc(surface, colour, (x + s - r, y - r, 2 * r, 2 * r), -0.8, 0.8, 1)
    else:
        pg.draw.line(surface, DIM, (x - s, y + s + 1), (x + 2 * s, y - s - 1), 2)


def _draw_lamp(pg: Any, surface: Any, view: ViewState, layout: Layout) -> None:
    cx, cy = layout.lamp
    r = layout.lamp_r
    # the lamp's body, visible when it is dark
    pg.draw.circle(surface, LAMP_BODY, (cx, cy), r)
    pg.draw.circle(surface, LAMP_RIM, (cx, cy), r, max(1, r // 28))
    colour = _scale(view.lamp_colour, LAMP_MAX)
    if any(colour):
        mask = _glow_mask(pg, r)
        glow = mask.copy()
        glow.fill(colour, special_flags=pg.BLEND_RGB_MULT)
        surface.blit(glow, glow.get_rect(center=(cx, cy)), special_flags=pg.BLEND_RGB_ADD)
    # the vibration motor: a ring that trembles while its pin is on
    if view.motor is not None:
        ring_r = layout.ring_r
        width = max(2, r // 14)
        if view.motor > 0:
            shake = random.Random(round(view.now * FPS))
            amp = max(1.0, r / 40) * (0.5 + view.motor)
            on = _mix(RING_OFF, RING_ON, min(1.0, 0.35 + view.motor))
            for _ in range(2):
                dx, dy = shake.uniform(-amp, amp), shake.uniform(-amp, amp)
                dr = shake.uniform(-amp, amp)
                pg.draw.circle(
                    surface, on, (round(cx + dx), round(cy + dy)), round(ring_r + dr), width
                )
        else:
            pg.draw.circle(surface, RING_OFF, (cx, cy), ring_r, width)


def _mix(a: RGB, b: RGB, share: float) -> RGB:
    r, g, bl = (round(x + (y - x) * share) for x, y in zip(a, b))
    return (r, g, bl)


def _draw_button(pg: Any, surface: Any, view: ViewState, layout: Layout) -> None:
    cx, cy = layout.button
    r, u = layout.button_r, layout.unit
    depth = max(2, r // 6)
    pg.draw.circle(surface, (24, 26, 32), (cx, cy + depth), r)  # its side, seen below it
    if view.button_down:  # pushed in: lower, darker, a warm rim
        pg.draw.circle(surface, BUTTON_DOWN, (cx, cy + depth - 1), r)
        pg.draw.circle(surface, BUTTON_RIM_DOWN, (cx, cy + depth - 1), r, max(2, r // 10))
    else:
        pg.draw.circle(surface, BUTTON_UP, (cx, cy), r)
        pg.draw.circle(surface, BUTTON_RIM, (cx, cy), r, max(1, r // 14))
    y = cy + r + depth + round(u * 0.6)
    for line in hint_lines(view.hint()):
        rect = _text(pg, surface, line, u * 1.1, DIM, (cx, y), fit=layout.width - 2 * u)
        y = rect.bottom + round(u * 0.2)


#: A hint longer than this (in characters) goes on two lines, so that it stays readable.
HINT_LINE_CHARS = 52


def hint_lines(words: str) -> list[str]:
    """The hint on one line, or split between its parts onto two when it is long."""
    parts = words.split(" · ")
    if len(words) <= HINT_LINE_CHARS or len(parts) < 2:
        return [words] if words else []
    half = (len(parts) + 1) // 2
    return [" · ".join(parts[:half]), " · ".join(parts[half:])]


def _draw_strip(pg: Any, surface: Any, view: ViewState, layout: Layout) -> None:
    x, y, w, h = layout.strip
    u = layout.unit
    pg.draw.rect(surface, STRIP_BG, (x, y, w, h))
    pg.draw.line(surface, FAINT, (x, y + h), (x + w - 1, y + h))
    span = view.strip_span
    points = []
    for t, level in view.strip:
        age = view.now - t
        if 0 <= age <= span:
            px = x + w - 1 - age / span * (w - 1)
            py = y + h - 1 - min(1.0, max(0.0, level)) * (h - 2)
            points.append((px, py))
    if len(points) >= 2:
        points.sort()
        base = y + h - 1
        pg.draw.polygon(surface, STRIP_FILL, [(points[0][0], base), *points, (points[-1][0], base)])
        pg.draw.aalines(surface, STRIP_LINE, False, points)
    title = f"light, last {span:g} s"
    if view.night_cap is not None:
        title += f" · night: at most {view.night_cap:.0%}"
    _text(pg, surface, title, u * 0.95, FAINT, (x, y - 2), "bottomleft")
    _text(pg, surface, "now", u * 0.95, FAINT, (x + w, y - 2), "bottomright")
    at = (layout.width // 2, y + h + round(u * 0.8))
    _text(pg, surface, KEYS_HINT, u * 0.95, FAINT, at, fit=layout.width - 2 * u)


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
        view = ViewState.read(self.app, self.strip)
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
    "DEFAULT_SIZE",
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
