"""``calmkit preview``: a picture of what the lamp will do over a whole program.

This is part of the I/O shell: pygame (Surface, draw, transform and the freetype default font;
never a display, so it works with ``SDL_VIDEODRIVER=dummy`` and no pygame.init()) is imported
lazily inside ``render_preview``. Everything that decides *what* to draw (the plot's
place, the time ticks, the light sampled over the plan, the words describing each part) is a pure
function above it, so tests can locate an inhale peak on the picture without re-deriving the
layout.

The picture, on a dark night-friendly background:

- the light level (perceptual, 0..1, as ``cues.LightTrack`` computes it) over the program's whole
  time, filled underneath in the phase's warm colour (brighter where the lamp is brighter) with a
  lighter antialiased outline;
- a level axis (off / half / full) and a time axis with 5 to 12 ticks (seconds for short plans,
  m:ss for long ones);
- a strip of the steps under the curve, coloured by phase, named where a name fits;
- above the curve, for each program of a chain, what it does: a repeating pattern ("inhale 4 s ·
  hold 4 s · exhale 4 s · hold 4 s, 15 times") or, for breathing given as a rate, the rate as it
  changes ("11 slowing to 6 breaths/min"), with the rate marked along the top of the curve;
- a title: the program, its length (m:ss) and how many steps it has, and a legend of phases.

Where steps are too close together to draw one by one (a 20-minute wind-down is 320 steps on
about 1100 pixels), the curve is drawn supersampled without an outline, or, closer still, as an
even band: aliasing would otherwise paint a moiré that is not in the light.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from calmkit.core.cues import COLOURS, Colour, LightTrack
from calmkit.core.durations import clock_text
from calmkit.core.errors import CalmkitError
from calmkit.core.programs import Plan, PlannedStep

# --- colours (0..255) ---------------------------------------------------------------------------

RGB = tuple[int, int, int]

BACKGROUND: RGB = (0x14, 0x16, 0x1C)
GRID: RGB = (0x22, 0x25, 0x2E)
AXIS: RGB = (0x3A, 0x3E, 0x4A)
TEXT: RGB = (0xE6, 0xDF, 0xD3)
TEXT_DIM: RGB = (0x93, 0x8D, 0x84)
STRIP_TEXT: RGB = (0xF2, 0xEB, 0xE0)
#: The strip's colour for a hold (the lamp keeps its level and colour; the strip says "wait").
HOLD_STRIP: Colour = (0.62, 0.58, 0.52)

# --- layout (pixels) ----------------------------------------------------------------------------

DEFAULT_WIDTH = 1200
DEFAULT_HEIGHT = 420
MIN_WIDTH, MIN_HEIGHT = 320, 200
MARGIN_LEFT = 64
MARGIN_RIGHT = 28
MARGIN_TOP = 84  # title line, then the band describing each program
MARGIN_BOTTOM = 78  # the step strip, then the time axis
#: Room above full light, inside the plot, for the breathing-rate marks.
HEADROOM = 22
STRIP_GAP = 6
STRIP_HEIGHT = 20
TITLE_SIZE = 22
TEXT_SIZE = 15
SMALL_SIZE = 13
#: Below this many pixels a step, a part of the plan gets no outline: its steps are too close to
#: outline one by one, and the (supersampled) fill alone shows them.
DENSE_PX_PER_STEP = 5.0
#: Below this, single breaths cannot be drawn at all: the part is drawn as an even band.
BAND_PX_PER_STEP = 1.2
#: A band's height and brightness are taken over this many pixels each side.
BAND_WINDOW_PX = 3
OUTLINED, BLURRED, BANDED = "outlined", "blurred", "banded"
#: The fill is drawn this many times larger each way, then scaled down smoothly.
SUPERSAMPLE = 4

#: Samples of the light: at least this many per (supersampled) pixel column ...
SAMPLES_PER_COLUMN = 2
#: ... and, for short plans, one every 20 ms: up to this many samples in all.
SAMPLE_EVERY_S = 0.02
SHORT_PLAN_SAMPLES = 10_000

TICK_STEPS_S: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MIN_TICKS, MAX_TICKS = 5, 12

SHORT_PHASE = {"inhale": "in", "exhale": "out"}
BREATHING = frozenset({"inhale", "hold", "exhale"})


class PlotArea(NamedTuple):
    """Where the light curve is drawn: level 1 at ``top + HEADROOM``, level 0 at ``bottom``."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


def plot_area(width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> PlotArea:
    """The plot rectangle for a picture of this size."""
    return PlotArea(
        MARGIN_LEFT,
        MARGIN_TOP,
        max(1, width - MARGIN_LEFT - MARGIN_RIGHT),
        max(1, height - MARGIN_TOP - MARGIN_BOTTOM),
    )


#: The plot at the default size (1200 x 420).
PLOT = plot_area()


def time_to_x(t: float, total_s: float, plot_left: int, plot_width: int) -> float:
    """The x of ``t`` seconds on a time axis spanning ``total_s`` over the plot's width."""
    if total_s <= 0:
        return float(plot_left)
    return plot_left + plot_width * min(max(t / total_s, 0.0), 1.0)


def level_to_y(level: float, plot_top: int, plot_height: int) -> float:
    """The y of a light level (0 at the plot's bottom, 1 at ``HEADROOM`` below its top)."""
    span = max(1, plot_height - HEADROOM)
    return plot_top + plot_height - span * min(max(level, 0.0), 1.0)


# --- pure helpers: ticks, words, samples ------------------------------------------------------


def tick_step(total_s: float) -> int:
    """The tick spacing (from ``TICK_STEPS_S``) that puts 5 to 12 ticks on the time axis.

    The smallest step with at most 12 ticks: each step is at most 2.5 times the one before, so
    that leaves at least 5 for any plan of 4 s or more (a shorter one gets 1 s ticks).
    """
    for step in TICK_STEPS_S:
        if int(total_s // step) + 1 <= MAX_TICKS:
            return step
    return TICK_STEPS_S[-1]


def ticks(total_s: float) -> list[tuple[float, str]]:
    """(seconds, label) of every tick: "10 s" under two minutes, "2:00" from there on."""
    step = tick_step(total_s)
    count = int(total_s // step + 1e-9) + 1
    seconds_mode = total_s < 120
    return [
        (float(i * step), f"{i * step} s" if seconds_mode else clock_text(i * step))
        for i in range(count)
    ]


def duration_text(seconds: float) -> str:
    """A step length for people: "4 s", "5.5 s", "4:30"."""
    if seconds >= 60:
        return clock_text(seconds)
    return f"{round(seconds, 1):g} s"


@dataclass(frozen=True)
class Segment:
    """One program's run of steps in a plan (a chain has several)."""

    program: str
    first: int  # index of the first step
    stop: int  # one past the last step
    start_s: float
    end_s: float


def segments(plan: Plan) -> list[Segment]:
    """The plan cut where the program changes (a chain's parts, in order)."""
    result: list[Segment] = []
    steps = plan.steps
    first = 0
    for index in range(1, len(steps) + 1):
        if index == len(steps) or steps[index].program != steps[first].program:
            start, end = steps[first].start_s, steps[index - 1].end_s
            result.append(Segment(steps[first].program, first, index, start, end))
            first = index
    return result


#: Phases whose step label only qualifies them ("press left hand"); other labels name the step.
QUALIFIED = frozenset({"press", "release", "hold"})


def step_name(planned: PlannedStep) -> str:
    """What to call a step in words: its label, or its phase (qualified by the label)."""
    phase, label = planned.phase, planned.step.label
    if not label:
        return phase
    return f"{phase} {label}" if phase in QUALIFIED else label


def _token(planned: PlannedStep) -> tuple[str, float]:
    return (step_name(planned), round(planned.step.seconds, 1))


def _compress(items: Sequence[Any], max_period: int = 4) -> list[Any]:
    """Runs of a repeating group become ("repeat", group, times); greedy, longest cover first."""
    out: list[Any] = []
    i = 0
    while i < len(items):
        best_period, best_times = 1, 1
        for period in range(1, max_period + 1):
            group = list(items[i : i + period])
            if len(group) < period:
                break
            times = 1
            while list(items[i + times * period : i + (times + 1) * period]) == group:
                times += 1
            if times > 1 and period * times > best_period * best_times:
                best_period, best_times = period, times
        if best_times > 1:
            group = list(items[i : i + best_period])
            out.append(("repeat", tuple(group), best_times))
            i += best_period * best_times
        else:
            out.append(items[i])
            i += 1
    return out


def _token_text(token: Any) -> str:
    if token[0] == "repeat":
        _, group, times = token
        body = " · ".join(_token_text(t) for t in group)
        return f"({body}) ×{times}" if len(group) > 1 else f"{body} ×{times}"
    name, seconds = token
    return f"{name} {duration_text(seconds)}"


def pattern_text(steps: Sequence[PlannedStep]) -> str | None:
    """The steps as a short repeating pattern, or None when they do not make one.

    ``inhale 4 s · hold 4 s · exhale 4 s · hold 4 s, 15 times``; ``(blink 1 s ×20 · rest 10 s)
    ×3``. Breathing given as a rate repeats only when the rate is steady.
    """
    tokens: list[Any] = [_token(p) for p in steps]
    n = len(tokens)
    for period in range(1, min(n, 8) + 1):
        if n % period == 0 and tokens == tokens[:period] * (n // period):
            body = " · ".join(_token_text(t) for t in _compress(tokens[:period]))
            times = n // period
            return body if times == 1 else f"{body}, {times} times"
    compressed = _compress(_compress(tokens))
    if len(compressed) <= 5:
        return " · ".join(_token_text(t) for t in compressed)
    return None


def cycle_text(steps: Sequence[PlannedStep], short: bool = False) -> str:
    """The first cycle's steps by name, for a part too dense to name each step: the steps up to
    the first return to the opening phase ("inhale · hold · exhale · hold")."""
    names: list[str] = []
    for index, planned in enumerate(steps):
        if (
            index > 0
            and planned.phase == steps[0].phase
            and steps[index - 1].phase != planned.phase
        ):
            break
        name = step_name(planned)
        names.append(SHORT_PHASE.get(name, name) if short else name)
    return " · ".join(names)


@dataclass(frozen=True)
class Breath:
    """One breath of a breathing part: when it starts, its rate (breaths a minute), in and out."""

    start_s: float
    rate: float
    inhale_s: float
    exhale_s: float


def breaths(steps: Sequence[PlannedStep]) -> list[Breath]:
    """Breaths in a run of inhale/hold/exhale steps (a top-up inhale joins its breath)."""
    starts: list[int] = [
        i
        for i, p in enumerate(steps)
        if p.phase == "inhale" and (i == 0 or steps[i - 1].phase != "inhale")
    ]
    result: list[Breath] = []
    for k, i in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(steps)
        part = steps[i:stop]
        period = part[-1].end_s - part[0].start_s
        result.append(
            Breath(
                part[0].start_s,
                60.0 / period if period > 0 else 0.0,
                sum(p.step.seconds for p in part if p.phase == "inhale"),
                sum(p.step.seconds for p in part if p.phase == "exhale"),
            )
        )
    return result


def rate_text(rate: float) -> str:
    return f"{round(rate, 1):g}"


def ratio_text(inhale_s: float, exhale_s: float) -> str:
    if inhale_s <= 0 or exhale_s <= 0:
        return ""
    ratio = exhale_s / inhale_s
    return "in = out" if abs(ratio - 1) < 0.05 else f"in:out 1:{round(ratio, 2):g}"


def describe(steps: Sequence[PlannedStep]) -> list[str]:
    """Ways to say what a program's steps do, longest first (the picture uses the first that
    fits)."""
    if all(p.phase == "prompt" for p in steps):
        items = " · ".join(
            f"{p.step.label or 'prompt'} {p.step.items}" if p.step.items else step_name(p)
            for p in steps
        )
        longest = duration_text(max(p.step.seconds for p in steps))
        return [
            f"{items}: a press for each thing you name, or it moves on after {longest}",
            f"{items}, up to {longest} each",
            items,
        ]
    if all(p.phase in ("quiet", "rest") for p in steps):
        return quiet_description(steps)
    pattern = pattern_text(steps)
    found = breaths(steps) if all(p.phase in BREATHING for p in steps) else []
    if not found:
        return [pattern] if pattern is not None else []
    first, last = found[0], found[-1]
    ratio = ratio_text(first.inhale_s, first.exhale_s)
    rates = f"{rate_text(first.rate)} breaths/min"
    if abs(first.rate - last.rate) >= 0.1:
        rates = f"{rate_text(first.rate)} slowing to {rate_text(last.rate)} breaths/min"
        if last.rate > first.rate:
            rates = f"{rate_text(first.rate)} quickening to {rate_text(last.rate)} breaths/min"
    options: list[str] = []
    if pattern is not None:
        options += [f"{pattern} ({rates})", pattern]
    if ratio:
        options.append(f"{rates}, {ratio}")
    options.append(rates)
    return options


def quiet_description(steps: Sequence[PlannedStep]) -> list[str]:
    """Quiet time in words: how long the light stays dim and steady, bells, the fade."""
    steady = sum(p.step.seconds for p in steps if p.phase == "quiet")
    fade = sum(p.step.seconds for p in steps if p.phase == "rest")
    pieces = [p for p in steps if p.phase == "quiet"]
    words = f"steady dim light for {duration_text(steady)}"
    if len(pieces) > 1:
        words += f", a bell every {duration_text(pieces[0].step.seconds)}"
    if fade > 0:
        words += f", then fading out over {duration_text(fade)}"
    return [words, f"dim light for {duration_text(steady)}"]


def step_label_options(planned: PlannedStep) -> list[str]:
    """What the strip may write in a step, longest first."""
    phase, step = planned.phase, planned.step
    options: list[str] = []
    if step.label:
        if phase == "prompt" and step.items:
            options.append(f"{step.label} {step.items}")
        options += [f"{phase} · {step.label}", step.label]
    options.append(phase)
    if phase in SHORT_PHASE:
        options.append(SHORT_PHASE[phase])
    return list(dict.fromkeys(options))


def strip_labels(
    steps: Sequence[PlannedStep], fit: Callable[[PlannedStep], str | None]
) -> list[str | None]:
    """The name written in each step's block of the strip (None: none), given ``fit``, which
    picks the longest name that fits a step's block.

    Steps are named all or none, so an unnamed block never looks like a different kind of step
    from its named neighbours: all or none in a breathing part (not "in" under every inhale and
    nothing under the exhales), otherwise all or none among steps of the same length (every
    "rest 10 s" named even where the 1 s blinks around them are too narrow).
    """
    labels = [fit(p) for p in steps]
    if all(p.phase in BREATHING for p in steps):
        return labels if None not in labels else [None] * len(steps)
    failed = {round(p.step.seconds, 1) for p, words in zip(steps, labels) if words is None}
    return [None if round(p.step.seconds, 1) in failed else w for p, w in zip(steps, labels)]


@dataclass
class Column:
    """The light within one pixel column: its first, lowest, highest and last samples as
    (t, level, step index), enough to draw the curve exactly at this width, and the mean."""

    first: tuple[float, float, int]
    low: tuple[float, float, int]
    high: tuple[float, float, int]
    last: tuple[float, float, int]
    total: float = 0.0
    count: int = 0

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else self.high[1]


def sample_columns(plan: Plan, track: LightTrack, columns: int) -> list[Column | None]:
    """Sample the light densely and keep, per pixel column, its first, lowest, highest and last
    samples as (t, level, step index): enough to draw the curve exactly at this width.

    Every step's start and end is sampled too, so a peak or trough on a boundary is never missed.
    """
    total = plan.total_s
    count = max(SAMPLES_PER_COLUMN * columns, min(total / SAMPLE_EVERY_S, SHORT_PLAN_SAMPLES))
    dt = total / count
    result: list[Column | None] = [None] * columns
    scale = columns / total
    level = track.level
    for index, planned in enumerate(plan.steps):
        start, seconds = planned.start_s, planned.step.seconds
        times = [0.0]
        k = math.floor(start / dt) + 1
        while k * dt < start + seconds:
            times.append(k * dt - start)
            k += 1
        times.append(seconds)
        for offset in times:
            t = start + offset
            sample = (t, level(index, offset), index)
            c = min(int(t * scale), columns - 1)
            column = result[c]
            if column is None:
                result[c] = Column(sample, sample, sample, sample, sample[1], 1)
                continue
            column.total += sample[1]
            column.count += 1
            if sample[1] < column.low[1]:
                column.low = sample
            if sample[1] > column.high[1]:
                column.high = sample
            column.last = sample
    return result


# --- colour arithmetic --------------------------------------------------------------------------


def _rgb(colour: Colour) -> RGB:
    return (
        round(255 * colour[0]),
        round(255 * colour[1]),
        round(255 * colour[2]),
    )


def _mix(a: RGB, b: RGB, share: float) -> RGB:
    """``share`` of the way from a to b."""
    return (
        round(a[0] + (b[0] - a[0]) * share),
        round(a[1] + (b[1] - a[1]) * share),
        round(a[2] + (b[2] - a[2]) * share),
    )


def fill_colour(colour: Colour, level: float) -> RGB:
    """The area under the curve: the phase colour, stronger where the lamp is brighter."""
    return _fill_colour(colour, round(level * 255))


@functools.lru_cache(maxsize=4096)
def _fill_colour(colour: Colour, level_255: int) -> RGB:
    return _mix(BACKGROUND, _rgb(colour), 0.16 + 0.5 * level_255 / 255)


@functools.lru_cache(maxsize=64)
def outline_colour(colour: Colour) -> RGB:
    """The curve: lighter than the phase colour."""
    return _mix(_rgb(colour), (255, 255, 255), 0.3)


def strip_colour(phase: str, colour: Colour) -> RGB:
    base = HOLD_STRIP if phase == "hold" else COLOURS.get(phase, colour)
    return _mix(BACKGROUND, _rgb(base), 0.42)


# --- the shell ----------------------------------------------------------------------------------


def _check_writable(path: Path) -> None:
    folder = path.parent
    if not folder.exists():
        raise CalmkitError(f"cannot save the preview to {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise CalmkitError(f"cannot save the preview to {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CalmkitError(
            f"cannot save the preview to {path}: the folder {folder} is not writable"
        )
    if path.is_dir():
        raise CalmkitError(f"cannot save the preview to {path}: that is a folder")
    if path.exists() and not path.is_file():  # /dev/full, a FIFO: never replaced by a picture
        raise CalmkitError(
            f"cannot save the preview to {path}: that is a device or pipe, not a file; "
            "give a file name ending in .png"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise CalmkitError(f"cannot save the preview to {path}: the file is not writable")


def part_modes(plan: Plan, width: int) -> list[str]:
    """How to draw each segment of the plan at this width, by how many pixels a step gets:
    OUTLINED (each step visible: fill and outline), BLURRED (steps a few pixels wide: the
    supersampled fill alone), BANDED (several steps a pixel: a band as high as the light goes,
    as bright as its average)."""
    total = plan.total_s
    result: list[str] = []
    for part in segments(plan):
        per_step = width * (part.end_s - part.start_s) / total / (part.stop - part.first)
        if per_step >= DENSE_PX_PER_STEP:
            result.append(OUTLINED)
        elif per_step >= BAND_PX_PER_STEP:
            result.append(BLURRED)
        else:
            result.append(BANDED)
    return result


class _Painter:
    """The surface and the fonts (pygame.freetype's default font, kerned)."""

    ANCHORS: ClassVar[dict[str, str]] = {
        "nw": "topleft",
        "n": "midtop",
        "ne": "topright",
        "w": "midleft",
        "c": "center",
        "e": "midright",
        "sw": "bottomleft",
        "s": "midbottom",
        "se": "bottomright",
    }

    def __init__(self, pygame: Any, freetype: Any, surface: Any) -> None:
        self.pg = pygame
        self.surface = surface
        self.title_font = self._font(freetype, TITLE_SIZE)
        self.font = self._font(freetype, TEXT_SIZE)
        self.small = self._font(freetype, SMALL_SIZE)

    @staticmethod
    def _font(freetype: Any, size: int) -> Any:
        font = freetype.Font(None, size)
        font.kerning = True
        font.pad = True  # every line the same height, so texts line up
        return font

    def text(self, font: Any, words: str, colour: RGB, x: float, y: float, anchor: str = "nw"):
        image, rect = font.render(words, colour)
        rect = image.get_rect()
        setattr(rect, self.ANCHORS[anchor], (round(x), round(y)))
        self.surface.blit(image, rect)
        return rect

    @staticmethod
    def width_of(font: Any, words: str) -> int:
        return font.get_rect(words).width


def render_preview(
    plan: Plan,
    path: Path,
    *,
    floor: float = 0.03,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    title: str | None = None,
) -> None:
    """Draw the light level over the plan's whole time and save it as a PNG at ``path``.

    Raises CalmkitError (a message for a person) when the plan is empty, the picture too small,
    or the file cannot be written.
    """
    path = Path(path)
    if not plan.steps or plan.total_s <= 0:
        raise CalmkitError(f"{plan.program} has no steps: there is nothing to draw")
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise CalmkitError(
            f"a preview must be at least {MIN_WIDTH} x {MIN_HEIGHT} pixels, not {width} x {height}"
        )
    _check_writable(path)

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    import pygame.freetype

    pygame.freetype.init()
    surface = pygame.Surface((width, height))
    surface.fill(BACKGROUND)
    paint = _Painter(pygame, pygame.freetype, surface)
    area = plot_area(width, height)
    track = LightTrack(plan, floor=floor)
    modes = part_modes(plan, area.width)
    dense = [mode != OUTLINED for mode in modes]

    _draw_title(paint, plan, title, width)
    _draw_axes(paint, area, plan.total_s)
    _draw_curve(paint, plan, track, area, modes)
    _draw_parts(paint, plan, area)
    _draw_strip(paint, plan, track, area, dense)

    _save_png(pygame, surface, path)


def _save_png(pygame: Any, surface: Any, path: Path) -> None:
    """Write the PNG next to its place, then rename it there: an existing picture is replaced
    whole or not at all, never left half written."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb") as out:
            pygame.image.save(surface, out, "preview.png")
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except (OSError, pygame.error) as exc:
        partial.unlink(missing_ok=True)
        raise CalmkitError(f"cannot save the preview to {path}: {exc}") from None


def _draw_title(paint: _Painter, plan: Plan, title: str | None, width: int) -> None:
    count = len(plan.steps)
    facts = [clock_text(plan.total_s), f"{count} step{'s' if count != 1 else ''}"]
    if len(plan.programs) > 1:
        facts.insert(1, ", ".join(plan.programs))
    name = paint.text(paint.title_font, title or plan.program, TEXT, MARGIN_LEFT, 14)
    words = "  ·  ".join(facts)
    paint.text(paint.font, words, TEXT_DIM, name.right + 14, name.bottom - 2, "sw")
    # A legend of the phases that appear, in the strip's colours, at the top right, if it fits.
    phases = list(dict.fromkeys(p.phase for p in plan.steps))
    legend = sum(paint.width_of(paint.small, phase) + 29 for phase in phases)
    if width - MARGIN_RIGHT - legend < name.right + 14 + paint.width_of(paint.font, words) + 24:
        return
    x = width - MARGIN_RIGHT
    for phase in reversed(phases):
        label = paint.text(paint.small, phase, TEXT_DIM, x, name.centery, "e")
        swatch = paint.pg.Rect(0, 0, 10, 10)
        swatch.midright = (label.left - 5, name.centery)
        colour = strip_colour(phase, COLOURS.get(phase, HOLD_STRIP))
        paint.pg.draw.rect(paint.surface, colour, swatch, border_radius=2)
        x = swatch.left - 14


def _draw_axes(paint: _Painter, area: PlotArea, total: float) -> None:
    pg, surface = paint.pg, paint.surface
    for level, words in ((1.0, "full"), (0.5, "half"), (0.0, "off")):
        y = round(level_to_y(level, area.top, area.height))
        if level > 0:
            pg.draw.line(surface, GRID, (area.left, y), (area.right, y))
        paint.text(paint.small, words, TEXT_DIM, area.left - 10, y, "e")
    tick_top = area.bottom + STRIP_GAP + STRIP_HEIGHT + 3
    for t, words in ticks(total):
        x = round(time_to_x(t, total, area.left, area.width))
        if 0 < t < total:
            pg.draw.line(surface, GRID, (x, area.top + HEADROOM), (x, area.bottom))
        pg.draw.line(surface, AXIS, (x, tick_top), (x, tick_top + 4))
        paint.text(paint.small, words, TEXT_DIM, x, tick_top + 6, "n")
    pg.draw.line(surface, AXIS, (area.left, area.bottom), (area.right, area.bottom))


def _draw_curve(
    paint: _Painter, plan: Plan, track: LightTrack, area: PlotArea, modes: list[str]
) -> None:
    """The fill under the curve, then its outline.

    The fill is drawn ``SUPERSAMPLE`` times larger (one vertical line a column, in the phase's
    colour, stronger where the light is) and scaled down smoothly, so its edge is antialiased
    and breaths a few pixels apart blur softly. A BANDED part (several steps a pixel) is drawn
    as high as the light goes nearby and as bright as its average there, in its phases' mixed
    colour, so it reads as an even band, not a moiré. The outline is an antialiased polyline
    through each column's first, lowest, highest and last samples, drawn only in OUTLINED parts.
    """
    pg, surface = paint.pg, paint.surface
    ss = SUPERSAMPLE
    wide, tall = area.width * ss, area.height * ss
    columns = sample_columns(plan, track, wide)
    parts = segments(plan)
    mode_of = [modes[k] for k, part in enumerate(parts) for _ in range(part.first, part.stop)]
    mixed: list[Colour] = []
    for part in parts:
        weights: dict[Colour, float] = {}
        for index in range(part.first, part.stop):
            colour = track.colours[index]
            weights[colour] = weights.get(colour, 0.0) + plan.steps[index].step.seconds
        mixed.append(_average_colour(weights))
    part_of = [k for k, part in enumerate(parts) for _ in range(part.first, part.stop)]
    banded = [c is not None and mode_of[c.high[2]] == BANDED for c in columns]
    reach = BAND_WINDOW_PX * ss

    fill = pg.Surface((wide, tall), pg.SRCALPHA)
    fill.fill((*BACKGROUND, 0))
    for c, column in enumerate(columns):
        if column is None:
            continue
        _, level, index = column.high
        colour = track.colours[index]
        shade = level
        if banded[c]:
            near = [
                other
                for j in range(max(0, c - reach), min(wide, c + reach + 1))
                if banded[j]
                and (other := columns[j]) is not None
                and part_of[other.high[2]] == part_of[index]
            ]
            level = max(n.high[1] for n in near)
            shade = sum(n.mean for n in near) / len(near)
            colour = mixed[part_of[index]]
        top = round(ss * (level_to_y(level, area.top, area.height) - area.top))
        if top < tall:
            pg.draw.line(fill, fill_colour(colour, shade), (c, top), (c, tall - 1))
    surface.blit(pg.transform.smoothscale(fill, (area.width, area.height)), (area.left, area.top))

    scale = area.width / plan.total_s
    run: list[tuple[float, float]] = []
    run_colour: RGB | None = None
    for column in columns:
        if column is None:
            continue
        for t, level, index in sorted({column.first, column.low, column.high, column.last}):
            if mode_of[index] != OUTLINED:
                _thick_aalines(pg, surface, run_colour, run)
                run, run_colour = [], None
                continue
            colour = outline_colour(track.colours[index])
            if colour != run_colour and run:
                _thick_aalines(pg, surface, run_colour, run)
                run = [run[-1]]
            run_colour = colour
            run.append((area.left + t * scale, level_to_y(level, area.top, area.height)))
    _thick_aalines(pg, surface, run_colour, run)


def _average_colour(weights: dict[Any, float]) -> Colour:
    """The mean of colours weighted by time (whatever their scale: 0..1 or 0..255)."""
    total = sum(weights.values()) or 1.0
    return (
        sum(c[0] * w for c, w in weights.items()) / total,
        sum(c[1] * w for c, w in weights.items()) / total,
        sum(c[2] * w for c, w in weights.items()) / total,
    )


def _thick_aalines(pg: Any, surface: Any, colour: RGB | None, points: list) -> None:
    """A 2-pixel antialiased line: the polyline drawn twice, a pixel apart."""
    if colour is None or len(points) < 2:
        return
    pg.draw.aalines(surface, colour, False, points)
    pg.draw.aalines(surface, colour, False, [(x, y - 1) for x, y in points])


def _draw_parts(paint: _Painter, plan: Plan, area: PlotArea) -> None:
    """Above the curve: what each program of the chain does; breathing rates along the top."""
    pg, surface = paint.pg, paint.surface
    parts = segments(plan)
    chain = len(parts) > 1
    total = plan.total_s
    for k, part in enumerate(parts):
        x0 = time_to_x(part.start_s, total, area.left, area.width)
        x1 = time_to_x(part.end_s, total, area.left, area.width)
        steps = plan.steps[part.first : part.stop]
        if chain and k > 0:
            for y in range(area.top - 16, area.bottom, 6):  # a dashed divider
                pg.draw.line(surface, AXIS, (round(x0), y), (round(x0), min(y + 2, area.bottom)))
        room = x1 - x0 - (12 if chain else 0)
        options = describe(steps)
        if chain:
            options = [f"{part.program}: {words}" for words in options] + [part.program]
        for words in options:
            if paint.width_of(paint.font, words) <= room:
                paint.text(paint.font, words, TEXT, x0 + (6 if chain else 0), area.top - 6, "sw")
                break
        _draw_rates(paint, steps, area, total, x0, x1)


def _draw_rates(
    paint: _Painter, steps: Sequence[PlannedStep], area: PlotArea, total: float, x0, x1
) -> None:
    """Along the top of a breathing part whose rate changes: the rate at its start, where it
    settles, at its end, and near the time ticks between, wherever they fit."""
    if not all(p.phase in BREATHING for p in steps):
        return
    found = breaths(steps)
    if len(found) < 2 or abs(found[0].rate - found[-1].rate) < 0.1:
        return
    first, last = found[0], found[-1]
    settled = next(b for b in found if rate_text(b.rate) == rate_text(last.rate))
    must = [first, settled] if settled is not last else [first, last]
    part_start = steps[0].start_s

    def nearest(at: float) -> Breath:
        return min(found, key=lambda b: abs(b.start_s - at))

    extra = [nearest(part_start + t) for t, _ in ticks(steps[-1].end_s - part_start)]
    extra = [b for b in extra if b.start_s < settled.start_s]  # once settled, no need to repeat
    placed: list[tuple[float, float]] = []
    y = area.top + HEADROOM // 2
    for breath in dict.fromkeys([*must, *extra]):
        words = rate_text(breath.rate) + (" /min" if breath is first else "")
        w = paint.width_of(paint.small, words)
        centre = time_to_x(breath.start_s, total, area.left, area.width)
        left = min(max(centre - w / 2, x0 + 4), x1 - w - 2)
        if any(left < right + 24 and left + w > lft - 24 for lft, right in placed):
            continue
        placed.append((left, left + w))
        paint.text(paint.small, words, TEXT_DIM, left, y, "w")


def _draw_strip(
    paint: _Painter, plan: Plan, track: LightTrack, area: PlotArea, dense: list[bool]
) -> None:
    """Under the curve: each step as a block in its phase's colour, named where a name fits; a
    dense part as one block naming its cycle."""
    pg, surface = paint.pg, paint.surface
    top = area.bottom + STRIP_GAP
    total = plan.total_s

    def block(x0: float, x1: float, colour: RGB, words: str | None, gap: int) -> None:
        left, right = round(x0), max(round(x0) + 1, round(x1) - gap)
        pg.draw.rect(surface, colour, pg.Rect(left, top, right - left, STRIP_HEIGHT))
        if words:
            centre = ((left + right) / 2, top + STRIP_HEIGHT / 2)
            paint.text(paint.small, words, STRIP_TEXT, *centre, "c")

    def fitting(options: Sequence[str], room: float) -> str | None:
        return next((w for w in options if paint.width_of(paint.small, w) <= room - 5), None)

    for k, part in enumerate(segments(plan)):
        steps = plan.steps[part.first : part.stop]
        x0 = time_to_x(part.start_s, total, area.left, area.width)
        x1 = time_to_x(part.end_s, total, area.left, area.width)
        if dense[k]:
            weights: dict[tuple[float, float, float], float] = {}
            for index, planned in enumerate(steps, start=part.first):
                colour = strip_colour(planned.phase, track.colours[index])
                weights[colour] = weights.get(colour, 0.0) + planned.step.seconds
            cycle, short = cycle_text(steps), cycle_text(steps, short=True)
            words = fitting([f"{cycle}, over and over", cycle, short], x1 - x0)
            mixed = _average_colour(weights)
            block(x0, x1, (round(mixed[0]), round(mixed[1]), round(mixed[2])), words, 1)
            continue
        scale = (x1 - x0) / (part.end_s - part.start_s)

        def fit(planned: PlannedStep, k: float = scale) -> str | None:
            return fitting(step_label_options(planned), planned.step.seconds * k)

        labels = strip_labels(steps, fit)
        for index, (planned, words) in enumerate(zip(steps, labels, strict=True), start=part.first):
            left = time_to_x(planned.start_s, total, area.left, area.width)
            right = time_to_x(planned.end_s, total, area.left, area.width)
            colour = strip_colour(planned.phase, track.colours[index])
            block(left, right, colour, words, 1 if right - left >= 4 else 0)
