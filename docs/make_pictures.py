"""Make the README's pictures: four screens of the simulator window, and a `calmkit preview`.

Run by `make pictures` (with SDL_VIDEODRIVER=dummy: no screen needed). The pictures are drawn by
calmkit's own code: the screens by ``calmkit.faces.sim.scenes.shoot`` from a calmkit on gpiozero's
mock pins and the fake clock, pressed through its button's mock pin (so each picture is the same
on every machine), the preview by ``calmkit.faces.preview.render_preview``.

    docs/screens/breathe-in.png  box, 2 s into its first inhale
    docs/screens/ground.png      ground, two things seen of five
    docs/screens/offer.png       after 478: the quiet-time offer and its countdown
    docs/screens/reach-out.png   the answer thanked, and the reach-out message
    docs/preview-coherent.png    the light over the whole of `coherent`
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from calmkit.config import parse_config
from calmkit.core.programs import expand

DOCS = Path(__file__).resolve().parent


#: The README's four screens (calmkit.faces.sim.scenes has them all; tests read them too).
SCREENS = ("breathe-in", "ground", "offer", "reach-out")


def screen_pictures(folder: Path) -> list[Path]:
    """The window's screens, each drawn by calmkit's own code at a scripted moment."""
    import pygame

    from calmkit.faces.sim.scenes import SCENES, shoot

    folder.mkdir(exist_ok=True)
    written = []
    for name in SCREENS:
        # as the window looks with a sound card (a virtual run plays nothing: "sound off")
        scene = SCENES[name]
        _, surface = shoot(dataclasses.replace(scene, view={"sound_status": "on", **scene.view}))
        path = folder / f"{name}.png"
        pygame.image.save(surface, str(path))
        written.append(path)
    return written


def preview_picture(path: Path) -> None:
    from calmkit.faces.preview import render_preview

    config = parse_config("", "defaults")
    render_preview(expand("coherent", config.programs), path, floor=config.light.floor)


def main() -> int:
    import pygame

    pygame.font.init()
    for path in screen_pictures(DOCS / "screens"):
        print(f"wrote {path.relative_to(DOCS.parent)}")
    for name, make in (("preview-coherent.png", preview_picture),):
        path = DOCS / name
        make(path)
        print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
