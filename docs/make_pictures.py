"""Make the README's pictures: the simulator window mid-inhale, and a `calmkit preview`.

Run by `make pictures` (with SDL_VIDEODRIVER=dummy: no screen needed). Both pictures are drawn by
calmkit's own code: the window by ``calmkit.faces.sim.window.draw`` from a calmkit running `calm` on
gpiozero's mock pins and the fake clock (so the picture is the same on every machine), the
preview by ``calmkit.faces.preview.render_preview``.

    docs/window.png             the simulator window during the third inhale of `calm`
    docs/preview-coherent.png   the light over the whole of `coherent`
"""

from __future__ import annotations

import dataclasses
import os
import sys
from datetime import datetime
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.core.programs import expand
from calmkit.faces.sim.window import DEFAULT_SIZE, LevelStrip, ViewState, draw
from calmkit.shell.app import build
from calmkit.shell.runner import Scripted

DOCS = Path(__file__).resolve().parent
#: calm is three cyclic sighs (in 2, top-up 1, out 6); this is half way up the third inhale.
SNAPSHOT_T = 18.0 + 1.2
#: Midday, so the night cap does not dim the lamp in the picture.
NOON = datetime(2026, 3, 2, 12, 0).astimezone()


def window_picture(path: Path) -> None:
    import pygame

    config = parse_config("", "defaults")
    clock = FakeClock(wall_start=NOON)
    strip = LevelStrip()
    holder: dict = {}

    def sample(now: float) -> None:
        ViewState.read(holder["app"], strip)  # every frame, as the window's loop would

    def snapshot() -> None:
        app = holder["app"]
        view = ViewState.read(app, strip)
        # the picture shows the window as it looks with sound on (a virtual run has no audio)
        view = dataclasses.replace(view, sound=True)
        surface = pygame.Surface(DEFAULT_SIZE)
        draw(surface, view)
        pygame.image.save(surface, str(path))
        app.runner.request_stop("picture taken")

    app = build(
        config,
        clock=clock,
        journal=False,
        sound=False,
        on_frame=sample,
        script=[Scripted(SNAPSHOT_T, snapshot)],
    )
    holder["app"] = app
    try:
        app.runner.start("calm")
        app.runner.run()
    finally:
        app.close()


def preview_picture(path: Path) -> None:
    from calmkit.faces.preview import render_preview

    config = parse_config("", "defaults")
    render_preview(expand("coherent", config.programs), path, floor=config.light.floor)


def main() -> int:
    import pygame

    pygame.font.init()
    for name, make in (("window.png", window_picture), ("preview-coherent.png", preview_picture)):
        path = DOCS / name
        make(path)
        print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
