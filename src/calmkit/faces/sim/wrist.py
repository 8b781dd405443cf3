"""The wearable in the window: a wrist band with the amplitude of the last seconds as a trace,
the battery's level, and the button.

A wearable has no lamp: what a person has of it is what the wrist feels. So for a config with a
haptic driver and no lamp (wristbar.is_wrist) the window draws this view instead of the lamp.
Like the lamp view it shows only what the devices output, read back through them (the
haptic's amplitude from the DRV2605L's registers), and the battery as the flow last read it.

``WristView.read(app, trace)`` takes a snapshot, ``draw_wrist(surface, view)`` paints it on any
Surface (tests draw on the dummy video driver); ``WristFace`` is what the window holds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from calmkit.core.flow_table import State
from calmkit.faces.sim.paint import draw_trace, text
from calmkit.faces.sim.view import LevelStrip, ViewState

#: The trace shows this many seconds of amplitude, with at most this many samples.
TRACE_S = 6.0
TRACE_MAX_SAMPLES = 512
STILL_REDRAW_S = 0.25

RGB = tuple[int, int, int]
BACKGROUND: RGB = (0x10, 0x12, 0x17)
BAND: RGB = (30, 32, 38)
FACE: RGB = (20, 22, 27)
RIM: RGB = (58, 56, 54)
TEXT: RGB = (186, 170, 148)
DIM: RGB = (128, 118, 104)
FAINT: RGB = (78, 74, 68)
TRACE: RGB = (214, 150, 84)
TRACE_FILL: RGB = (60, 44, 30)
BATTERY_OK: RGB = (120, 150, 100)
BATTERY_LOW: RGB = (196, 120, 60)
BUTTON_UP: RGB = (64, 62, 60)
BUTTON_DOWN: RGB = (150, 104, 60)


class Trace(LevelStrip):
    """The amplitude over the last ``span_s`` seconds: the window's light strip, kept shorter."""

    def __init__(self, span_s: float = TRACE_S, maxlen: int = TRACE_MAX_SAMPLES) -> None:
        super().__init__(span_s, maxlen)


@dataclass(frozen=True)
class WristView:
    """One frame of the wrist, read from the app."""

    now: float = 0.0
    amplitude: float = 0.0
    trace: tuple[tuple[float, float], ...] = ()
    span: float = TRACE_S
    battery: float | None = None  # percent; None: no gauge, or no reading yet
    battery_state: str = "unknown"
    has_battery: bool = False
    button_down: bool = False
    state: str = State.IDLE
    phase: str = ""
    program: str = ""
    hint: str = ""
    said: str = ""  # the window's own plain words for now ("Breathe in", "Paused"), if read

    @property
    def moving(self) -> bool:
        return self.amplitude > 0 or self.button_down or self.state == State.RUNNING

    @classmethod
    def read(cls, app: Any, trace: Trace | None = None) -> WristView:
        shown = app.devices.shown()
        now = app.clock.now()
        amplitude = shown.motor or 0.0
        if trace is not None:
            trace.add(now, amplitude)
        flow = app.flow
        session = flow.session
        phase, program = "", flow.selected
        if flow.state == State.RUNNING and session is not None:
            program = session.plan.program
            current = session.current
            phase = current.phase if current is not None else ""
        battery = flow.battery
        screen = ViewState.read(app)  # the window's words, in the person's language
        return cls(
            now=now,
            amplitude=amplitude,
            trace=tuple(trace.samples) if trace is not None else (),
            span=trace.span_s if trace is not None else TRACE_S,
            battery=battery.percent,
            battery_state=battery.state(),
            has_battery=app.config.hardware.battery is not None,
            button_down=shown.pressed,
            state=flow.state,
            phase=phase,
            program=screen.name(program),  # its plain name: "box breathing"
            hint=screen.hint(),
            said=screen.headline(),
        )

    def headline(self) -> str:
        if self.said:
            return self.said
        if self.state == State.RUNNING:
            return self.phase or "starting"
        return "ready" if self.state == State.IDLE else str(self.state).replace("_", " ")


@dataclass(frozen=True)
class WristLayout:
    """Where the band, its face and its button are, for a window of ``size``."""

    width: int
    height: int
    face: tuple[int, int, int, int]  # x, y, w, h
    trace: tuple[int, int, int, int]
    battery: tuple[int, int, int, int]
    button: tuple[int, int]
    button_r: int
    unit: int

    @classmethod
    def for_size(cls, size: tuple[int, int]) -> WristLayout:
        w, h = max(1, size[0]), max(1, size[1])
        face_w, face_h = round(w * 0.7), round(h * 0.5)
        fx, fy = (w - face_w) // 2, round(h * 0.2)
        unit = max(8, round(min(w, h * 0.75) / 24))
        return cls(
            width=w,
            height=h,
            face=(fx, fy, face_w, face_h),
            trace=(fx + unit, fy + round(face_h * 0.42), face_w - 2 * unit, round(face_h * 0.4)),
            battery=(fx + face_w - 5 * unit, fy + unit, 4 * unit, round(unit * 1.6)),
            button=(fx + face_w + round(unit * 1.2), fy + face_h // 2),
            button_r=max(6, round(unit * 1.1)),
            unit=unit,
        )

    def on_button(self, pos: tuple[int, int]) -> bool:
        dx, dy = pos[0] - self.button[0], pos[1] - self.button[1]
        return dx * dx + dy * dy <= (self.button_r * 1.8) ** 2


def _pygame() -> Any:
    import pygame

    if not pygame.font.get_init():
        pygame.font.init()
    return pygame


def _text(pg: Any, surface: Any, words: str, size: float, colour: RGB, at: tuple[int, int],
          anchor: str = "center", fit: int | None = None) -> Any:  # fmt: skip
    """One line in the window's bundled font (kerned: "felt", never "fel t"), ``size`` given
    as pygame's default font measures it (Lato's em is larger), shrunk to ``fit`` wide."""
    return text(pg, surface, words, size * 0.72, colour, at, anchor=anchor, fit=fit)


def draw_wrist(surface: Any, view: WristView) -> WristLayout:
    """Paint one frame of the wrist on ``surface`` (any size); returns the layout used."""
    pg = _pygame()
    layout = WristLayout.for_size(surface.get_size())
    u = layout.unit
    surface.fill(BACKGROUND)
    fx, fy, fw, fh = layout.face
    pg.draw.rect(surface, BAND, (fx + fw // 6, 0, fw * 2 // 3, layout.height))  # the strap
    pg.draw.rect(surface, FACE, layout.face, border_radius=2 * u)
    pg.draw.rect(surface, RIM, layout.face, max(1, u // 4), border_radius=2 * u)
    _text(pg, surface, view.program, u * 1.2, DIM, (fx + u, fy + u), "topleft")
    headline_at = (fx + fw // 2, fy + round(fh * 0.3))
    _text(pg, surface, view.headline(), u * 2.4, TEXT, headline_at, fit=fw - 2 * u)
    if view.has_battery:
        _draw_battery(pg, surface, view, layout)
    _draw_trace(pg, surface, view, layout)
    _draw_button(pg, surface, view, layout)
    _text(
        pg,
        surface,
        view.hint,
        u * 1.0,
        DIM,
        (layout.width // 2, fy + fh + 2 * u),
        fit=layout.width - 2 * u,
    )
    return layout


def _draw_battery(pg: Any, surface: Any, view: WristView, layout: WristLayout) -> None:
    x, y, w, h = layout.battery
    u = layout.unit
    low = view.battery_state in ("low", "very low")
    colour = BATTERY_LOW if low else BATTERY_OK
    pg.draw.rect(surface, DIM, (x, y, w, h), 1)
    pg.draw.rect(surface, DIM, (x + w, y + h // 4, max(2, u // 3), h // 2))  # its tip
    share = 0.0 if view.battery is None else min(1.0, max(0.0, view.battery / 100.0))
    if share > 0:
        pg.draw.rect(surface, colour, (x + 2, y + 2, round((w - 4) * share), h - 4))
    words = "?" if view.battery is None else f"{view.battery:.0f} %"
    if low:
        words += f" {view.battery_state}"
    _text(pg, surface, words, u * 1.0, colour if low else DIM, (x + w, y + h + 2), "topright")


def _draw_trace(pg: Any, surface: Any, view: WristView, layout: WristLayout) -> None:
    x, y, w, h = layout.trace
    u = layout.unit
    pg.draw.line(surface, FAINT, (x, y + h), (x + w - 1, y + h))
    draw_trace(pg, surface, view.trace, view.now, view.span, (x, y, w, h), TRACE_FILL, TRACE)
    _text(pg, surface, f"felt, last {view.span:g} s", u * 0.9, FAINT, (x, y - 2), "bottomleft")


def _draw_button(pg: Any, surface: Any, view: WristView, layout: WristLayout) -> None:
    colour = BUTTON_DOWN if view.button_down else BUTTON_UP
    pg.draw.circle(surface, colour, layout.button, layout.button_r)
    pg.draw.circle(surface, RIM, layout.button, layout.button_r, 1)


class WristFace:
    """What the window holds for a wearable: the trace, and a frame when anything moves."""

    def __init__(self) -> None:
        self.trace = Trace()
        self._next_still = 0.0

    def frame(self, app: Any, surface: Any, force: bool) -> tuple[WristView, WristLayout | None]:
        """Read the wrist; draw it when anything moves, when ``force``d, or now and then."""
        view = WristView.read(app, self.trace)
        real = time.monotonic()
        if surface is not None and (force or view.moving or real >= self._next_still):
            self._next_still = real + STILL_REDRAW_S
            return view, draw_wrist(surface, view)
        return view, None
