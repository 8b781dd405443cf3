"""Make the README's pictures: four screens of the simulator window, `calmkit preview`s, and one
breath of the lamp as an animation.

Run by `make pictures` (with SDL_VIDEODRIVER=dummy: no screen needed). Every picture is drawn by
calmkit's own code: the window's screens by ``calmkit.faces.sim.scenes.shoot`` from a calmkit on
gpiozero's mock pins and the fake clock, pressed through its button's mock pin (so each picture
is the same on every machine), the previews by ``calmkit.faces.preview.render_preview``, and the
animation from the lamp's real levels (``calmkit.core.cues.LightTrack``), drawn with Pillow.

    docs/screens/breathe-in.png  box, 2 s into its first inhale
    docs/screens/ground.png      ground, two things seen of five
    docs/screens/offer.png       after 478: the quiet-time offer and its countdown
    docs/screens/reach-out.png   the answer thanked, and the reach-out message
    docs/preview-coherent.png   the light over the whole of `coherent`
    docs/preview-calm.png       ... of `calm` (three sighs, then the wind-down)
    docs/preview-press.png      ... of `press` (both hands, "switch hands" between)
    docs/breath.gif             the lamp through one cycle of `box`, with the words it means
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
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


#: The programs drawn by `calmkit preview` for README.
PREVIEWS = ("coherent", "calm", "press")


def preview_picture(name: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        from calmkit.faces.preview import render_preview

        config = parse_config("", "defaults")
        render_preview(expand(name, config.programs), path, floor=config.light.floor)

    return make


#: The animation: one cycle of `box`, at this many frames a second, this many pixels square.
BREATH_PROGRAM = "box"
BREATH_FPS = 8
BREATH_SIZE = 240
#: What each phase means, in the window's plain words.
PLAIN_WORDS = {"inhale": "Breathe in", "hold": "Hold", "exhale": "Breathe out"}


def breath_animation(path: Path) -> None:
    """The lamp through one cycle of `box` as the device lights it: a glow as bright as the
    lamp's level, in its colour, the words for the phase, and the cycle's progress."""
    import matplotlib
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    from calmkit.core.cues import COLOURS, LightTrack
    from calmkit.faces.preview import BACKGROUND, phase_colour

    config = parse_config("", "defaults")
    plan = expand(BREATH_PROGRAM, config.programs)
    track = LightTrack(plan, floor=config.light.floor)
    cycle = [p for p in plan.steps if p.end_s <= 16.0]  # inhale 4, hold 4, exhale 4, hold 4
    length = cycle[-1].end_s
    font_file = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    words_font = ImageFont.truetype(str(font_file), 22)
    small_font = ImageFont.truetype(str(font_file), 13)
    size = BREATH_SIZE
    frames = []
    for k in range(round(length * BREATH_FPS)):
        t = k / BREATH_FPS
        index = next(i for i, p in enumerate(cycle) if p.start_s <= t < p.end_s)
        planned = cycle[index]
        level = track.level(index, t - planned.start_s)
        colour = COLOURS.get(planned.phase, COLOURS["inhale"])
        image = Image.new("RGB", (size, size), BACKGROUND)
        glow = Image.new("RGB", (size, size), BACKGROUND)
        draw = ImageDraw.Draw(glow)
        radius = 44 + 26 * level  # the window's lamp grows as it brightens
        shine = tuple(
            round(b + (255 * c - b) * (0.12 + 0.88 * level)) for b, c in zip(BACKGROUND, colour)
        )
        centre = (size / 2, size / 2 - 22)
        draw.ellipse(
            (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius),
            fill=shine,
        )
        image = Image.blend(image, glow.filter(ImageFilter.GaussianBlur(10)), 1.0)
        draw = ImageDraw.Draw(image)
        draw.text(
            (size / 2, size - 58),
            PLAIN_WORDS[planned.phase],
            font=words_font,
            fill=(0xE6, 0xDF, 0xD3),
            anchor="mm",
        )
        left = planned.step.seconds - (t - planned.start_s)
        draw.text(
            (size / 2, size - 34),
            f"{left:.0f} s" if left >= 0.5 else "",
            font=small_font,
            fill=(0xA1, 0x9A, 0x90),
            anchor="mm",
        )
        for p in cycle:  # the cycle, in the preview's phase colours, filled up to now
            x0 = 20 + (size - 40) * p.start_s / length
            x1 = 20 + (size - 40) * p.end_s / length
            fill = phase_colour(p.phase)
            draw.rectangle(
                (x0, size - 16, x1 - 1, size - 10), fill=fill if p.start_s <= t else "#3a3e4a"
            )
        draw.rectangle(
            (
                20 + (size - 40) * t / length - 1,
                size - 20,
                20 + (size - 40) * t / length + 1,
                size - 6,
            ),
            fill="#f4efe6",
        )
        frames.append(image)
    # One palette for every frame (taken from a few of them), so GIF stores only what changes.
    sample = Image.new("RGB", (size * 4, size))
    for i, k in enumerate(range(0, len(frames), len(frames) // 4)):
        sample.paste(frames[k], (size * i, 0))
    palette = sample.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    still = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
    still[0].save(
        path,
        save_all=True,
        append_images=still[1:],
        duration=1000 // BREATH_FPS,
        loop=0,
        optimize=True,
    )


def main() -> int:
    import pygame

    pygame.font.init()
    for path in screen_pictures(DOCS / "screens"):
        print(f"wrote {path.relative_to(DOCS.parent)}")
    pictures: list[tuple[str, Callable[[Path], None]]] = []
    pictures += [(f"preview-{name}.png", preview_picture(name)) for name in PREVIEWS]
    pictures.append(("breath.gif", breath_animation))
    for name, make in pictures:
        path = DOCS / name
        make(path)
        print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
