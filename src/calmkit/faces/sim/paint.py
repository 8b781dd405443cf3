"""Painting one frame of the window from a ViewState, on any pygame Surface of any size.

For people in bed at night: a dark background, grey-amber text (at least 4.5:1 against the
background, tested), no white anywhere, the lamp's glow kept below full screen brightness. The
lamp grows as its level rises and shrinks as it falls (a hold keeps its size), so the shape
breathes with the real light. Text is set in the bundled Lato (faces/screen-data/fonts, SIL OFL
1.1) through FreeType with kerning, so letters are spaced as the font means them.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calmkit.core.flow_table import State
from calmkit.faces import words as w
from calmkit.faces.sim.view import RGB, ViewState

FONT_PATH = Path(__file__).resolve().parents[1] / "screen-data" / "fonts" / "Lato-Regular.ttf"
#: For the motor ring's tremble: the picture of one moment is the same every time it is drawn.
SHAKE_HZ = 30

BACKGROUND: RGB = (0x10, 0x12, 0x17)
TEXT: RGB = (190, 174, 152)  # grey-amber: readable in the dark, never white
DIM: RGB = (150, 140, 126)  # the smaller words: still 4.5:1 against the background
FAINT: RGB = (66, 66, 70)  # lines and marks only, never words
LAMP_BODY: RGB = (26, 29, 36)
LAMP_RIM: RGB = (40, 43, 52)
#: The brightest the drawn lamp gets, as a share of the screen's full: a glow, never a glare.
LAMP_MAX = 0.86
#: The lit lamp's size against its body: this share when dim, the whole body at its brightest.
LAMP_SMALLEST = 0.55
RING_OFF: RGB = (38, 41, 50)
RING_ON: RGB = (196, 152, 104)
BUTTON_UP: RGB = (52, 56, 66)
BUTTON_DOWN: RGB = (36, 39, 47)
BUTTON_RIM: RGB = (78, 80, 88)
BUTTON_RIM_DOWN: RGB = (150, 118, 82)
BAR_TRACK: RGB = (38, 41, 50)
BAR_FILL: RGB = (150, 112, 72)
STRIP_BG: RGB = (20, 22, 28)
STRIP_LINE: RGB = (170, 124, 70)
STRIP_FILL: RGB = (52, 40, 28)
#: The colours words are drawn in (the contrast test reads this).
TEXT_COLOURS: tuple[RGB, ...] = (TEXT, DIM)


def _pygame() -> Any:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    return pygame


def contrast(a: RGB, b: RGB) -> float:
    """WCAG's contrast ratio of two sRGB colours (1 to 21; text wants at least 4.5)."""

    def luminance(colour: RGB) -> float:
        channels = []
        for value in colour:
            c = value / 255
            channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        r, g, bl = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


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
        lamp_r = max(8, round(short * 0.11))
        unit = max(8, round(short / 24))
        strip_w = max(40, round(w * 0.84))
        strip_h = max(16, round(h * 0.045))
        keys_y = h - round(unit * 1.2)
        return cls(
            width=w,
            height=h,
            lamp=(w // 2, round(h * 0.46)),
            lamp_r=lamp_r,
            ring_r=round(lamp_r * 1.42),
            button=(w // 2, round(h * 0.715)),
            button_r=max(10, round(short * 0.065)),
            strip=((w - strip_w) // 2, keys_y - strip_h - round(unit * 0.9), strip_w, strip_h),
            unit=unit,
        )

    def on_button(self, pos: tuple[int, int]) -> bool:
        """Whether a click at ``pos`` lands on the button (generously: fingers, trackpads)."""
        dx, dy = pos[0] - self.button[0], pos[1] - self.button[1]
        return dx * dx + dy * dy <= (self.button_r * 1.6) ** 2


# --- text ---------------------------------------------------------------------------------------

_glow_cache: dict[int, Any] = {}
_font_cache: dict[int, Any] = {}
_text_cache: dict[tuple[Any, ...], Any] = {}


def _font(pg: Any, size: int) -> Any:
    """The bundled Lato through FreeType (kerned, padded so lines sit alike), cached by size."""
    font = _font_cache.get(size)
    if font is None:
        import pygame.freetype

        if len(_font_cache) > 32:  # resizing the window many times must not pile up fonts
            _font_cache.clear()
        if not pygame.freetype.get_init():
            pygame.freetype.init()
        font = pygame.freetype.Font(str(FONT_PATH) if FONT_PATH.exists() else None, size)
        font.kerning = True
        font.pad = True
        _font_cache[size] = font
    return font


def wrap(pg: Any, words: str, size: int, fit: int) -> list[str]:
    """``words`` broken into lines no wider than ``fit`` pixels at ``size`` (greedy), only at
    plain spaces: a no-break space (French puts one before ":") keeps its words together."""
    font = _font(pg, size)
    lines: list[str] = []
    line = ""
    for word in (part for part in words.split(" ") if part):
        trial = f"{line} {word}" if line else word
        if line and font.get_rect(trial).width > fit:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def _image(pg: Any, words: str, size: int, colour: RGB) -> Any:
    key = (words, size, colour)
    image = _text_cache.get(key)
    if image is None:
        image, _ = _font(pg, size).render(words, colour)
        if len(_text_cache) > 160:  # a countdown makes new words every second: keep it small
            _text_cache.clear()
        _text_cache[key] = image
    return image


def text(
    pg: Any,
    surface: Any,
    words: str,
    size: float,
    colour: RGB,
    at: tuple[int, int],
    anchor: str = "midtop",
    fit: int | None = None,
) -> Any:
    """Draw ``words`` on one line with its ``anchor`` point at ``at``, shrunk to ``fit`` wide."""
    if not words:
        return None
    px = max(8, round(size))
    while fit is not None and px > 8 and _font(pg, px).get_rect(words).width > fit:
        px -= 1
    image = _image(pg, words, px, colour)
    rect = image.get_rect(**{anchor: at})
    surface.blit(image, rect)
    return rect


def paragraph(
    pg: Any,
    surface: Any,
    words: str,
    size: float,
    colour: RGB,
    top: int,
    fit: int,
    lines: int = 2,
    bottom: int | None = None,
) -> int:
    """Centred lines of ``words`` from ``top``, at most ``lines`` (smaller type if need be) and
    none below ``bottom``; what does not fit ends in an ellipsis. Returns the bottom."""
    if not words:
        return top
    px = max(8, round(size))
    broken = wrap(pg, words, px, fit)
    while len(broken) > lines and px > max(8, round(size * 0.6)):
        px -= 1
        broken = wrap(pg, words, px, fit)
    room = lines
    if bottom is not None:
        room = min(lines, max(0, (bottom - top) // max(1, line_height(pg, px))))
    if len(broken) > room:
        broken = broken[:room]
        if broken:
            broken[-1] = ellipsised(pg, broken[-1], px, fit)
    y = top
    centre = surface.get_width() // 2
    for line in broken:
        rect = text(pg, surface, line, px, colour, (centre, y), fit=fit)
        y = rect.bottom
    return y


def line_height(pg: Any, size: int) -> int:
    """How tall a line of text at ``size`` is drawn (the font is padded: every line alike)."""
    return int(_font(pg, max(8, size)).get_rect("Ag").height)


def ellipsised(pg: Any, line: str, size: int, fit: int) -> str:
    """``line`` cut at a word and ended with "…", no wider than ``fit``: words left out."""
    font = _font(pg, size)
    kept = line.split()
    while kept:
        trial = " ".join(kept) + "…"
        if font.get_rect(trial).width <= fit:
            return trial
        kept.pop()
    return "…"


def lamp_rect(layout: Layout) -> tuple[int, int, int, int]:
    """The square the lamp and its motor ring (trembling at most) may cover: no words in it."""
    cx, cy = layout.lamp
    r = layout.lamp_r
    outer = max(r, layout.ring_r) + max(2, r // 14) + math.ceil(max(1.0, r / 40) * 1.5) + 1
    return (cx - outer, cy - outer, 2 * outer, 2 * outer)


def _scale(colour: tuple[float, float, float], share: float) -> RGB:
    r, g, b = (round(255 * min(1.0, max(0.0, c)) * share) for c in colour)
    return (r, g, b)


def _mix(a: RGB, b: RGB, share: float) -> RGB:
    r, g, bl = (round(x + (y - x) * share) for x, y in zip(a, b))
    return (r, g, bl)


# --- the frame ----------------------------------------------------------------------------------


def draw(surface: Any, view: ViewState) -> Layout:
    """Paint one frame of ``view`` on ``surface`` (any size); returns the layout used."""
    pg = _pygame()
    layout = Layout.for_size(surface.get_size())
    surface.fill(BACKGROUND)
    top = _draw_top(pg, surface, view, layout)
    if view.plan:  # the person's safety plan takes the words' and the lamp's room
        _draw_plan(pg, surface, view, layout, top)
    else:
        _draw_words(pg, surface, view, layout, top)
        _draw_lamp(pg, surface, view, layout)
        _draw_progress(pg, surface, view, layout)
    _draw_button(pg, surface, view, layout)
    if view.chart:
        _draw_strip(pg, surface, view, layout)
    u = layout.unit
    keys = view.words(w.KEYS)
    at = (layout.width // 2, layout.height - round(u * 0.4))
    text(pg, surface, keys, u * 0.85, DIM, at, "midbottom", fit=layout.width - 2 * u)
    return layout


def _draw_top(pg: Any, surface: Any, view: ViewState, layout: Layout) -> int:
    """Top left: the program; top right: the sound; under them the night. Returns the bottom."""
    u, width = layout.unit, layout.width
    title = view.title() if view.state == State.RUNNING else ""
    text(pg, surface, title, u * 1.05, DIM, (u, round(u * 0.6)), "topleft", fit=width // 2 - u)
    _draw_sound_mark(pg, surface, view, layout)
    bottom = round(u * 1.9)
    rect = text(
        pg, surface, view.night_words(), u * 0.9, DIM, (width // 2, bottom), fit=width - 2 * u
    )
    return bottom if rect is None else rect.bottom


def _draw_sound_mark(pg: Any, surface: Any, view: ViewState, layout: Layout) -> None:
    """A small speaker with a sound wave, or crossed out when muted or without sound."""
    u = layout.unit
    on = view.sound_status == "on" and not view.muted
    y = round(u * 0.6) + round(u * 0.6)
    rect = text(pg, surface, view.sound_words(), u * 0.95, DIM, (layout.width - u, y), "midright")
    s = max(4, round(u * 0.4))  # half the speaker's height
    x = rect.left - round(u * 1.8)
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


def _draw_words(pg: Any, surface: Any, view: ViewState, layout: Layout, top: int) -> None:
    """What to do now, what it means, and the time: centred above the lamp, never on it (a
    long description is cut short with an ellipsis, the time's line kept)."""
    u, width, height = layout.unit, layout.width, layout.height
    fit = width - 3 * u
    y = max(round(height * 0.075), top)
    limit = lamp_rect(layout)[1] - round(u * 0.3)  # the words stay above the lamp's ring
    left = view.countdown()
    reach = view.reach_out_text()  # the message needs the room: the headline takes one line
    last = left or ("" if reach else view.details())
    last_size = u * 1.5 if left else u * 1.0
    # room kept for the last line: its height and the gaps before it
    keep = (line_height(pg, round(last_size)) if last else 0) + round(u * 0.5)
    y = paragraph(
        pg, surface, view.headline(), u * 2.1, TEXT, y, fit, 1 if reach else 2, limit - keep
    )
    y += round(u * 0.3)
    if reach:
        y = paragraph(pg, surface, reach, u * 1.0, TEXT, y, fit, lines=4, bottom=limit - keep)
    else:
        y = paragraph(pg, surface, view.subline(), u * 1.15, DIM, y, fit, 2, limit - keep)
    y += round(u * 0.2)
    if not last or y + line_height(pg, round(last_size)) > limit:
        return
    if left:
        text(pg, surface, left, last_size, TEXT, (width // 2, y))
        return
    rect = text(pg, surface, last, last_size, DIM, (width // 2, y), fit=fit)
    below = rect.bottom + round(u * 0.15) if rect is not None else y
    if view.why and below + line_height(pg, round(last_size)) <= limit:  # adaptive: and why
        paragraph(pg, surface, view.why, last_size, DIM, below, fit, 2, limit)


def _draw_plan(pg: Any, surface: Any, view: ViewState, layout: Layout, top: int) -> None:
    """The safety plan, asked for by a 4 s hold: its title, then each step as a paragraph,
    from the top down to the button (what does not fit ends in an ellipsis)."""
    u, width = layout.unit, layout.width
    fit = width - 3 * u
    bottom = layout.button[1] - layout.button_r - round(u * 0.5)
    y = paragraph(pg, surface, view.words(w.PLAN), u * 1.6, TEXT, top + round(u * 0.4), fit, 1)
    for line in view.plan.splitlines()[1:]:  # the first is the title, in the person's language
        if not line:
            y += round(u * 0.35)
            continue
        heading = line.endswith(":")
        words = line.strip().removeprefix("- ")
        if y + line_height(pg, round(u * 0.95)) > bottom:
            break
        y = paragraph(pg, surface, words, u * 0.95, DIM if heading else TEXT, y, fit, 2, bottom)


def _glow_mask(pg: Any, radius: int) -> Any:
    """A grey disc: full in the lamp's core, falling off softly into a halo (cached per size)."""
    mask = _glow_cache.get(radius)
    if mask is not None:
        return mask
    if len(_glow_cache) > 64:  # resizing the window many times must not pile up surfaces
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


def lamp_radius(view: ViewState, layout: Layout) -> int:
    """The lit lamp's radius: it grows with the level the devices read back (even pixels)."""
    share = LAMP_SMALLEST + (1.0 - LAMP_SMALLEST) * view.size_share
    return max(2, 2 * round(layout.lamp_r * share / 2))


def _draw_lamp(pg: Any, surface: Any, view: ViewState, layout: Layout) -> None:
    cx, cy = layout.lamp
    r, u = layout.lamp_r, layout.unit
    # the lamp's body, visible when it is dark
    pg.draw.circle(surface, LAMP_BODY, (cx, cy), r)
    pg.draw.circle(surface, LAMP_RIM, (cx, cy), r, max(1, r // 28))
    colour = _scale(view.lamp_colour, LAMP_MAX)
    if any(colour):
        mask = _glow_mask(pg, lamp_radius(view, layout))
        glow = mask.copy()
        glow.fill(colour, special_flags=pg.BLEND_RGB_MULT)
        surface.blit(glow, glow.get_rect(center=(cx, cy)), special_flags=pg.BLEND_RGB_ADD)
    # the vibration motor: a ring that trembles while its pin is on, and says what it is
    if view.motor is None:
        return
    ring_r = layout.ring_r
    width = max(2, r // 14)
    if view.motor > 0:
        shake = random.Random(round(view.now * SHAKE_HZ))
        amp = max(1.0, r / 40) * (0.5 + view.motor)
        on = _mix(RING_OFF, RING_ON, min(1.0, 0.35 + view.motor))
        for _ in range(2):
            dx, dy = shake.uniform(-amp, amp), shake.uniform(-amp, amp)
            dr = shake.uniform(-amp, amp)
            pg.draw.circle(surface, on, (round(cx + dx), round(cy + dy)), round(ring_r + dr), width)
    else:
        pg.draw.circle(surface, RING_OFF, (cx, cy), ring_r, width)
    label = (cx + ring_r + round(u * 0.5), cy)
    text(pg, surface, view.words(w.MOTOR), u * 0.8, DIM, label, "midleft")


def _draw_progress(pg: Any, surface: Any, view: ViewState, layout: Layout) -> None:
    """A bar for the session under the lamp, with "0:05 of 4:00"."""
    words = view.progress()
    if not words:
        return
    u, width = layout.unit, layout.width
    cx, cy = layout.lamp
    bar_w = min(round(width * 0.5), layout.ring_r * 4)  # under the lamp, also in a wide window
    bar_h = max(3, round(u * 0.25))
    x, y = cx - bar_w // 2, cy + layout.ring_r + round(u * 0.9)
    pg.draw.rect(surface, BAR_TRACK, (x, y, bar_w, bar_h), border_radius=bar_h // 2)
    filled = round(bar_w * view.progress_share())
    if filled > 0:
        pg.draw.rect(surface, BAR_FILL, (x, y, filled, bar_h), border_radius=bar_h // 2)
    text(pg, surface, words, u * 0.95, DIM, (cx, y + bar_h + round(u * 0.3)))


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
    fit = layout.width - 2 * u
    size = max(8, round(u * 0.95))
    for line in hint_lines(pg, view.hint(), size, fit):
        rect = text(pg, surface, line, size, DIM, (cx, y), fit=fit)
        y = rect.bottom + round(u * 0.1)


def hint_lines(pg: Any, words: str, size: int, fit: int) -> list[str]:
    """The hint's parts ("press: pause", ...) packed onto as few lines as fit ``fit`` pixels,
    a part never broken: a long hint (or a long language) takes two or three lines."""
    font = _font(pg, size)
    lines: list[str] = []
    for part in words.split(" · ") if words else []:
        joined = f"{lines[-1]} · {part}" if lines else part
        if lines and font.get_rect(joined).width <= fit:
            lines[-1] = joined
        else:
            lines.append(part)
    return lines


def draw_trace(
    pg: Any,
    surface: Any,
    samples: Sequence[tuple[float, float]],
    now: float,
    span: float,
    rect: tuple[int, int, int, int],
    fill: RGB,
    line: RGB,
) -> None:
    """(time, level 0..1) samples of the last ``span`` seconds as a filled line in ``rect``,
    the newest at the right (the light chart, the wrist's felt amplitude). An output holds its
    value until the next write, so each sample is drawn level until the next (and the last
    until now): a tap is a step, never a slope, however seldom the runner writes."""
    x, y, w_, h = rect
    marks = []
    for t, level in samples:
        age = now - t
        if 0 <= age <= span:
            px = x + w_ - 1 - age / span * (w_ - 1)
            py = y + h - 1 - min(1.0, max(0.0, level)) * (h - 2)
            marks.append((px, py))
    marks.sort()
    points = []
    for k, (px, py) in enumerate(marks):
        points.append((px, py))
        following = marks[k + 1][0] if k + 1 < len(marks) else x + w_ - 1
        points.append((following, py))
    if len(marks) >= 2:  # one sample is no history yet
        base = y + h - 1
        pg.draw.polygon(surface, fill, [(points[0][0], base), *points, (points[-1][0], base)])
        pg.draw.aalines(surface, line, False, points)


def _draw_strip(pg: Any, surface: Any, view: ViewState, layout: Layout) -> None:
    """The debug chart (key g): the light level the devices read back, the last 30 s."""
    x, y, w_, h = layout.strip
    u = layout.unit
    pg.draw.rect(surface, STRIP_BG, (x, y, w_, h))
    pg.draw.line(surface, FAINT, (x, y + h), (x + w_ - 1, y + h))
    span = view.strip_span
    draw_trace(pg, surface, view.strip, view.now, span, (x, y, w_, h), STRIP_FILL, STRIP_LINE)
    title = view.words(w.CHART, seconds=f"{span:g}")  # inside the chart: the hints sit above
    pad = max(2, u // 5)
    text(pg, surface, title, u * 0.75, DIM, (x + pad, y + 1), "topleft")
    text(pg, surface, view.words(w.NOW), u * 0.75, DIM, (x + w_ - pad, y + 1), "topright")
