"""The window's screens at scripted moments: a calmkit on mock pins and the fake clock, pressed
through its button's mock pin, drawn at one moment. For docs/make_pictures.py and the tests, so
that the README's screenshots and the screens the tests read are made the same way.

Each scene names a program, the presses (start and length in seconds), the moment to draw, and
optionally config text, a wall time (night) and fields of the view to set (a sound device that
is missing: a virtual run plays nothing, so the status is set as a real one would report it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.faces.sim.paint import draw
from calmkit.faces.sim.view import LevelStrip, ViewState
from calmkit.shell.app import build
from calmkit.shell.runner import Scripted

#: Midday, so the night cap does not dim the lamp; and midnight, so that it does.
NOON = datetime(2026, 3, 2, 12, 0).astimezone()
MIDNIGHT = datetime(2026, 3, 2, 0, 0).astimezone()
SIZE = (480, 640)
#: A quick press, and a hold (the default hold is 1.5 s).
TAP = 0.1
HOLD = 2.0


@dataclass(frozen=True)
class Scene:
    """One screen: ``program`` started at 0 (None: idle), ``presses`` as (start, length)."""

    at: float
    program: str | None = None
    presses: tuple[tuple[float, float], ...] = ()
    config: str = ""
    wall: datetime = NOON
    size: tuple[int, int] = SIZE
    view: Mapping[str, Any] = field(default_factory=dict)


#: 478 ends at 76 s: then "Well done", the quiet offer; a hold at 78 says no thanks.
SCENES: Mapping[str, Scene] = {
    "idle": Scene(1.0),
    "menu": Scene(2.0, presses=((1.0, TAP), (1.25, TAP))),
    "breathe-in": Scene(2.0, "box"),
    "hold": Scene(6.0, "box"),
    "breathe-out": Scene(10.0, "box"),
    "blink": Scene(0.5, "blink"),
    "press-left": Scene(3.0, "press"),
    "switch": Scene(46.0, "press"),
    "ground": Scene(7.0, "ground", presses=((3.0, TAP), (5.0, TAP))),
    "quiet": Scene(11.0, "quiet"),
    "paused": Scene(4.0, "box", presses=((2.0, TAP),)),
    "done": Scene(77.0, "478"),
    "offer": Scene(82.0, "478"),
    "ask": Scene(84.0, "478", presses=((81.0, HOLD),)),
    "thanks": Scene(88.0, "478", presses=((81.0, HOLD), (86.0, TAP))),
    "reach-out": Scene(
        88.0, "478", presses=((81.0, HOLD), (86.0, TAP)), config="reach_out: {sessions: 1}\n"
    ),
    "night": Scene(2.0, "box", wall=MIDNIGHT),
    "plan": Scene(
        6.0,
        presses=((1.0, 4.5),),
        config="safety_plan:\n  on_my_own: [a hot shower, my playlist]\n"
        '  people: ["Alex 07700 900123"]\n  crisis_line: ["Samaritans 116 123"]\n',
    ),
    "no-sound": Scene(1.0, view={"sound_status": "no_device"}),
    "chart": Scene(21.0, "box", view={"chart": True}),
    "german": Scene(2.0, "box", config="language: de\n"),
    "small": Scene(2.0, "box", size=(320, 480)),
    "wide": Scene(2.0, "box", size=(900, 560)),
}


def shoot(scene: Scene) -> tuple[ViewState, Any]:
    """Run ``scene`` on the fake clock; the view at its moment and a Surface drawn from it."""
    import pygame

    config = parse_config(scene.config, "scene.yaml")
    clock = FakeClock(wall_start=scene.wall)
    strip = LevelStrip()
    holder: dict[str, Any] = {}

    def sample(now: float) -> None:
        ViewState.read(holder["app"], strip)  # every frame, as the window's loop would

    def take() -> None:
        app = holder["app"]
        view = dataclasses.replace(ViewState.read(app, strip), **scene.view)
        surface = pygame.Surface(scene.size)
        draw(surface, view)
        holder["shot"] = (view, surface)
        app.runner.request_stop("picture taken")

    script = [Scripted(scene.at, take)]
    for start, length in scene.presses:
        script.append(Scripted(start, lambda: holder["app"].devices.button_pin.drive_low()))
        script.append(
            Scripted(start + length, lambda: holder["app"].devices.button_pin.drive_high())
        )
    app = build(config, clock=clock, journal=False, sound=False, on_frame=sample, script=script)
    holder["app"] = app
    try:
        if scene.program is not None:
            app.runner.start(scene.program)
        app.runner.run()
    finally:
        app.close()
    view, surface = holder["shot"]
    return view, surface
