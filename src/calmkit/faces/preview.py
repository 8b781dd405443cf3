"""``calmkit preview``: a picture of what the lamp will do over a whole program.

Drawn with matplotlib (Agg, no display, no pyplot), imported only inside ``render_preview``, so
the rest of calmkit never pays for it. Everything that decides *what* to draw (where the plot
sits, the time ticks, the words for each step, which cycle is shown enlarged) is a pure function
above it, so tests can find an inhale peak on the picture without re-deriving the layout.

The picture, on a dark night-friendly background:

- the light level (perceptual, 0..1, as ``cues.LightTrack`` computes it) over the program's
  whole time, filled underneath in its phase's colour: one Okabe-Ito colour per kind of phase,
  distinguishable with any colour vision, and holds hatched, so nothing depends on colour alone;
- a strip of the steps under the curve, each named where its name fits, and a time axis that
  runs to the program's end, whose last tick is the exact length;
- above the curve, for each program of a chain, what it does, with exact numbers
  ("inhale 5.45 s · exhale 5.45 s, 27 times (5.5 breaths/min)");
- where steps are too close together to name (a 20-minute wind-down is 320 steps), one cycle
  enlarged underneath, every step named with its length (a ramp: its first and last breath),
  and its place marked on the whole.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from calmkit.core.cues import LightTrack
from calmkit.core.durations import clock_text
from calmkit.core.errors import CalmkitError
from calmkit.core.programs import Plan, PlannedStep

# --- colours ------------------------------------------------------------------------------------

BACKGROUND = (0x14, 0x16, 0x1C)
TEXT = "#e6dfd3"
TEXT_DIM = "#a19a90"
GRID = "#2a2e38"
CURVE = "#f4efe6"

#: One colour per kind of phase: the Okabe-Ito palette (Okabe & Ito 2008), made to stay apart
#: for every kind of colour vision; the greys are for the phases where the lamp simply rests.
PHASE_COLOURS: dict[str, str] = {
    "inhale": "#E69F00",  # orange
    "hold": "#F0E442",  # yellow (and hatched)
    "exhale": "#56B4E9",  # sky blue
    "blink": "#CC79A7",  # reddish purple
    "press": "#D55E00",  # vermillion
    "release": "#009E73",  # bluish green
    "switch": "#FFFFFF",  # white
    "prompt": "#0072B2",  # blue
    "quiet": "#999999",  # grey
    "rest": "#6B6B6B",  # dark grey
}
OTHER_COLOUR = "#BBBBBB"
#: Where breaths are too close to draw one by one: the band the light sweeps.
BAND_COLOUR = "#7d7466"
#: Phases drawn hatched as well as coloured: the lamp keeps still there.
HATCHED = frozenset({"hold"})

# --- layout (pixels) ----------------------------------------------------------------------------

DPI = 100
DEFAULT_WIDTH = 1200
DEFAULT_HEIGHT = 560
MIN_WIDTH, MIN_HEIGHT = 320, 200
MARGIN_LEFT = 64
MARGIN_RIGHT = 28
MARGIN_TOP = 84  # title line, then the line describing each program
MARGIN_BOTTOM = 62  # the step strip, then the time axis
#: Room above full light, inside the plot.
HEADROOM = 14
STRIP_GAP = 4
STRIP_HEIGHT = 22
#: The enlarged cycles under the whole: this share of the picture's height (when there are any).
ZOOM_SHARE = 0.36
ZOOM_GAP = 16
MAX_ZOOMS = 4
#: A picture less tall than this shows no enlarged cycles: there is no room for them.
MIN_ZOOM_HEIGHT = 380
#: Time labels at least this many pixels apart (a narrow picture names fewer ticks).
TICK_LABEL_PX = 46
TITLE_PT, TEXT_PT, SMALL_PT = 16, 10.5, 8.5
#: About how wide a character of the default font (DejaVu Sans) is, as a share of its size.
CHAR_WIDTH = 0.6
#: A breathing part whose breaths get fewer pixels than this each is drawn as a band.
DENSE_BREATH_PX = 14
#: The breathing rate over a band: its highest this far below full.
RATE_ROOM = 1.25
#: A name written upright in a step needs at least this many pixels of its width.
UPRIGHT_PX = 13

TICK_STEPS_S: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MIN_TICKS, MAX_TICKS = 5, 12

SHORT_PHASE = {"inhale": "in", "exhale": "out"}
BREATHING = frozenset({"inhale", "hold", "exhale"})

#: What ``-o`` may end in, and the format written.
FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}


class PlotArea(NamedTuple):
    """Where a light curve is drawn: level 1 at ``top + HEADROOM``, level 0 at ``bottom``."""

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


def plot_area(
    width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT, zoomed: bool = False
) -> PlotArea:
    """The whole program's plot rectangle for a picture of this size (``zoomed``: with the
    enlarged cycles underneath)."""
    below = round(height * ZOOM_SHARE) if zoomed else 0
    return PlotArea(
        MARGIN_LEFT,
        MARGIN_TOP,
        max(1, width - MARGIN_LEFT - MARGIN_RIGHT),
        max(1, height - MARGIN_TOP - MARGIN_BOTTOM - below),
    )


def zoom_areas(width: int, height: int, count: int) -> list[PlotArea]:
    """The plot rectangles of ``count`` enlarged cycles, side by side under the whole."""
    if count == 0:
        return []
    whole = plot_area(width, height, zoomed=True)
    top = whole.bottom + MARGIN_BOTTOM + ZOOM_GAP
    bottom = height - MARGIN_BOTTOM + 14
    room = whole.width - ZOOM_GAP * 2 * (count - 1)
    each = max(1, room // count)
    return [
        PlotArea(whole.left + k * (each + 2 * ZOOM_GAP), top, each, max(1, bottom - top))
        for k in range(count)
    ]


def time_to_x(t: float, total_s: float, plot_left: int, plot_width: int) -> float:
    """The x of ``t`` seconds on a time axis spanning ``total_s`` over the plot's width."""
    if total_s <= 0:
        return float(plot_left)
    return plot_left + plot_width * min(max(t / total_s, 0.0), 1.0)


def level_to_y(level: float, plot_top: int, plot_height: int) -> float:
    """The y of a light level (0 at the plot's bottom, 1 at ``HEADROOM`` below its top)."""
    span = max(1, plot_height - HEADROOM)
    return plot_top + plot_height - span * min(max(level, 0.0), 1.0)


def text_width(words: str, points: float) -> float:
    """About how many pixels ``words`` take at this size (the default font, at ``DPI``): the
    estimate the pure helpers use; the picture measures with its renderer."""
    return len(words) * points * DPI / 72 * CHAR_WIDTH


#: How wide words are at a size, in pixels.
Measure = Callable[[str, float], float]


# --- pure helpers: ticks, words, samples ------------------------------------------------------


def tick_step(total_s: float) -> int:
    """The tick spacing (from ``TICK_STEPS_S``) that puts 5 to 12 ticks on the time axis, the
    program's end among them.

    The smallest step with at most 11 ticks before the end: each step is at most 2.5 times the
    one before, so that leaves at least 5 in all for any plan of 4 s or more.
    """
    for step in TICK_STEPS_S:
        if int(total_s // step) + 1 <= MAX_TICKS - 1:
            return step
    return TICK_STEPS_S[-1]


def ticks(total_s: float) -> list[tuple[float, str]]:
    """(seconds, label) of every tick: "10 s" under two minutes, "2:00" from there on; the last
    is the program's end, with its exact length ("4:55", "76 s"), so the axis runs to the end."""
    step = tick_step(total_s)
    seconds_mode = total_s < 120
    result = [
        (float(t), f"{t} s" if seconds_mode else clock_text(t))
        for t in range(0, int(total_s) + 1, step)
        if t <= total_s - 0.6 * step  # room for the end's label
    ]
    end = f"{round(total_s, 1):g} s" if seconds_mode else clock_text(total_s)
    return [*result, (total_s, end)]


def duration_text(seconds: float) -> str:
    """A step length for people, exact to a hundredth: "4 s", "5.45 s", "4:30"."""
    if seconds >= 60:
        return clock_text(seconds)
    return f"{round(seconds, 2):g} s"


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
    return (step_name(planned), round(planned.step.seconds, 2))


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
    return f"{round(rate, 2):g}"


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


def step_label_options(planned: PlannedStep, timed: bool = False) -> list[str]:
    """What may be written in a step's block, longest first (``timed``: with its exact length,
    as the enlarged cycles show it)."""
    phase, step = planned.phase, planned.step
    name = step_name(planned)
    options: list[str] = []
    if phase == "prompt" and step.items:
        name = f"{step.label or 'name'} {step.items}"
    if timed:
        length = duration_text(step.seconds)
        options += [f"{name} {length}", f"{SHORT_PHASE.get(name, name)} {length}"]
    options += [name, step.label or phase, phase, SHORT_PHASE.get(phase, phase)]
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
    failed = {round(p.step.seconds, 2) for p, words in zip(steps, labels) if words is None}
    return [None if round(p.step.seconds, 2) in failed else w for p, w in zip(steps, labels)]


# --- what is named where, and what is shown enlarged ------------------------------------------


@dataclass(frozen=True)
class Label:
    """A name written in a step: across its block in the strip, or upright in the plot above it
    when the block is too narrow for it across."""

    words: str
    upright: bool = False


def fit_label(
    planned: PlannedStep,
    px: float,
    room_up: float,
    timed: bool = False,
    upright: bool = True,
    measure: Measure = text_width,
    previous: PlannedStep | None = None,
) -> Label | None:
    """The longest name that fits a block ``px`` wide: across, else upright in ``room_up``
    pixels of height (when ``upright`` is allowed and the block takes a line of text)."""
    options = step_label_options(planned, timed)
    if previous is not None and previous.phase == planned.phase == "inhale":
        length = duration_text(planned.step.seconds)
        options = [f"top-up {length}", "top-up", f"+{length}", "+in"] if timed else ["top-up"]
    label = planned.step.label
    whole = [w for w in options if label and label in w] if upright else []
    # A step's own words ("switch hands") upright rather than cut short across ("switch").
    tries = [(whole, False), (whole, True), (options, False), (options, True)]
    for words_list, up in tries:
        if up and not (upright and px >= UPRIGHT_PX):
            continue
        for words in words_list:
            if up and measure(words, SMALL_PT) + 10 <= room_up:
                return Label(words, upright=True)
            if not up and measure(words, SMALL_PT) + 6 <= px:
                return Label(words)
    return None


def part_labels(
    steps: Sequence[PlannedStep],
    px_per_s: float,
    room_up: float,
    timed: bool = False,
    measure: Measure = text_width,
) -> list[Label | None]:
    """The names of a part's steps at this scale: a breathing part's across or none at all
    (``strip_labels``), anything else's across or upright, each where it fits."""
    before: dict[int, PlannedStep | None] = {
        id(p): steps[i - 1] if i else None for i, p in enumerate(steps)
    }

    def fit(p: PlannedStep, upright: bool = True) -> Label | None:
        px = p.step.seconds * px_per_s
        return fit_label(p, px, room_up, timed, upright, measure, before[id(p)])

    if all(p.phase in BREATHING for p in steps):
        across = strip_labels(
            steps, lambda p: found.words if (found := fit(p, upright=False)) else None
        )
        return [Label(words) if words else None for words in across]
    return [fit(p) for p in steps]


@dataclass(frozen=True)
class Zoom:
    """Steps ``first`` to ``stop`` (plan indices) of one part, shown enlarged, and its title."""

    first: int
    stop: int
    title: str


def cycle_stop(steps: Sequence[PlannedStep], first: int, stop: int) -> int:
    """One past the last step of the cycle that starts at ``first``: the steps up to the next
    return to its opening phase (a top-up inhale stays in its breath)."""
    for index in range(first + 1, stop):
        if (
            steps[index].phase == steps[first].phase
            and steps[index - 1].phase != steps[first].phase
        ):
            return index
    return stop


def zooms(
    plan: Plan,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    measure: Measure = text_width,
) -> list[Zoom]:
    """What to show enlarged: for each part whose steps cannot all be named on the whole, one
    cycle of it ("one of 27"), or for a part that changes (a ramp) its first and last cycle, or
    for steps that do not repeat the whole part (or, when even that is too tight, the stretch
    around the first step left unnamed). A picture under ``MIN_ZOOM_HEIGHT`` has no room."""
    if height < MIN_ZOOM_HEIGHT:
        return []
    area = plot_area(width, height, zoomed=True)
    px_per_s = area.width / plan.total_s
    steps = plan.steps
    found: list[Zoom] = []
    for part in segments(plan):
        own = steps[part.first : part.stop]
        labels = part_labels(own, px_per_s, area.height, measure=measure)
        if None not in labels:
            continue
        name = part.program
        first_stop = cycle_stop(steps, part.first, part.stop)
        period = first_stop - part.first
        count = (part.stop - part.first) // period if period else 0
        same = count > 1 and all(
            _token(steps[part.first + k]) == _token(steps[part.first + k % period])
            for k in range(count * period)
        )
        if same:
            found.append(Zoom(part.first, first_stop, f"{name}: one cycle of {count}, enlarged"))
        elif count > 1 and all(p.phase in BREATHING for p in own):
            last_first = part.first
            for index in range(part.first, part.stop):
                if cycle_stop(steps, index, part.stop) == part.stop and (
                    index == part.first or steps[index - 1].phase != steps[index].phase
                ):
                    last_first = index
                    break
            rate = breaths(own)
            found.append(
                Zoom(
                    part.first,
                    first_stop,
                    f"{name}: the first breath ({rate_text(rate[0].rate)} breaths/min)",
                )
            )
            if last_first > part.first:
                found.append(
                    Zoom(
                        last_first,
                        part.stop,
                        f"{name}: the last breath ({rate_text(rate[-1].rate)} breaths/min)",
                    )
                )
        else:
            room = zoom_areas(width, height, 2)[0]  # at least half the width
            scale = room.width / (part.end_s - part.start_s)
            if None not in part_labels(own, scale, room.height, True, measure):
                found.append(Zoom(part.first, part.stop, f"{name}, enlarged"))
                continue
            gap = part.first + labels.index(None)
            first, stop = max(part.first, gap - 1), min(part.stop, gap + 2)
            found.append(
                Zoom(first, stop, f"{name}: steps {first - part.first + 1} to {stop - part.first}")
            )
    return found[:MAX_ZOOMS]


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ink_on(colour: str) -> str:
    """Black or white words on a block of this colour, whichever reads better."""
    return "#111111" if _luminance(colour) > 0.4 else "#ffffff"


def shade(colour: str) -> str:
    """The colour darkened by a third: hatching that keeps the block's own colour."""
    r, g, b = (round(int(colour[i : i + 2], 16) * 0.62) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def phase_colour(phase: str) -> str:
    return PHASE_COLOURS.get(phase, OTHER_COLOUR)


# --- the shell ----------------------------------------------------------------------------------


def picture_format(path: Path) -> str:
    """The format ``path`` asks for by its ending: "png" or "jpeg"; CalmkitError otherwise, so a
    .jpg never holds PNG bytes."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise CalmkitError(
            f"cannot save the preview to {path}: give a file name ending in .png or .jpg"
        )
    return found


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


def render_preview(
    plan: Plan,
    path: Path,
    *,
    floor: float = 0.03,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    title: str | None = None,
) -> None:
    """Draw the light level over the plan's whole time and save it at ``path``: a PNG, or a
    JPEG for a name ending in .jpg or .jpeg.

    Raises CalmkitError (a message for a person) when the plan is empty, the picture too small,
    the name's ending is neither, or the file cannot be written.
    """
    path = Path(path)
    if not plan.steps or plan.total_s <= 0:
        raise CalmkitError(f"{plan.program} has no steps: there is nothing to draw")
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise CalmkitError(
            f"a preview must be at least {MIN_WIDTH} x {MIN_HEIGHT} pixels, not {width} x {height}"
        )
    _check_writable(path)
    kind = picture_format(path)

    from matplotlib.figure import Figure

    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    background = "#{:02x}{:02x}{:02x}".format(*BACKGROUND)
    figure.set_facecolor(background)
    painter = _Painter(figure, width, height)
    track = LightTrack(plan, floor=floor)
    enlarged = zooms(plan, width, height, painter.measure)
    whole = plot_area(width, height, zoomed=bool(enlarged))

    _draw_title(painter, plan, title)
    axes = painter.curve(plan, track, whole, 0, len(plan.steps), timed=False)
    _draw_parts(painter, plan, whole)
    for letter, zoom, area in zip("ABCD", enlarged, zoom_areas(width, height, len(enlarged))):
        start, end = plan.steps[zoom.first].start_s, plan.steps[zoom.stop - 1].end_s
        axes.axvspan(start, end, facecolor="none", edgecolor=TEXT, linewidth=1, linestyle="--")
        axes.text(
            (start + end) / 2,
            1.01,
            letter,
            color=TEXT,
            fontsize=SMALL_PT,
            ha="center",
            va="bottom",
            weight="bold",
            clip_on=False,
            bbox={"facecolor": background, "linewidth": 0, "pad": 1},
        )
        zoomed = painter.curve(plan, track, area, zoom.first, zoom.stop, timed=True)
        zoomed.set_title(f"{letter}  {zoom.title}", color=TEXT, fontsize=SMALL_PT, loc="left")
    _save(figure, path, kind, background)


def font_measure() -> Measure:
    """How many pixels words take in the picture's font (matplotlib's default, at ``DPI``),
    measured by its renderer: what the picture and its tests fit names with."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(100, 100, DPI)
    widths: dict[tuple[str, float], float] = {}

    def measure(words: str, points: float) -> float:
        key = (words, points)
        if key not in widths:
            found = renderer.get_text_width_height_descent(
                words, FontProperties(size=points), ismath=False
            )
            widths[key] = found[0]
        return widths[key]

    return measure


def _save(figure: Any, path: Path, kind: str, background: str) -> None:
    """Write the picture next to its place, then rename it there: an existing picture is
    replaced whole or not at all, never left half written."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    options: dict[str, Any] = {"pil_kwargs": {"quality": 92}} if kind == "jpeg" else {}
    try:
        with open(partial, "wb") as out:
            figure.savefig(out, format=kind, dpi=DPI, facecolor=background, **options)
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except (OSError, ValueError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise CalmkitError(
            f"cannot save the preview to {path}: {_save_problem(exc, path)}"
        ) from None


def _save_problem(exc: OSError | ValueError, path: Path) -> str:
    """What went wrong writing ``path``, in words about the person's file and folder: never the
    raw error, which names the temporary file beside it."""
    if not isinstance(exc, OSError):
        return f"the picture could not be made ({exc})"
    folder = path.parent
    if exc.errno in (errno.ENOENT, errno.EACCES, errno.EPERM, errno.EROFS, errno.EXDEV):
        return f"the folder {folder} does not take new files; give a file in another folder"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding {folder} is full; free some space or give another folder"
    reason = exc.strerror or type(exc).__name__
    return f"{reason[:1].lower()}{reason[1:]} (errno {exc.errno}); give a file in another folder"


class _Painter:
    """Places axes on the figure by pixels (top-left origin), and draws light curves."""

    def __init__(self, figure: Any, width: int, height: int) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.figure = figure
        self.width = width
        self.height = height
        FigureCanvasAgg(figure)
        self.measure = font_measure()

    def axes(self, left: float, top: float, width: float, height: float) -> Any:
        w, h = self.width, self.height
        axes = self.figure.add_axes(
            (left / w, (h - top - height) / h, width / w, height / h), facecolor="none"
        )
        for spine in axes.spines.values():
            spine.set_visible(False)
        axes.tick_params(colors=TEXT_DIM, labelsize=SMALL_PT, length=0)
        return axes

    def text(self, x: float, y: float, words: str, **style: Any) -> Any:
        return self.figure.text(x / self.width, 1 - y / self.height, words, **style)

    def curve(
        self, plan: Plan, track: LightTrack, area: PlotArea, first: int, stop: int, timed: bool
    ) -> Any:
        """The light over steps ``first`` to ``stop`` in ``area``, filled by phase, with the
        strip of named steps under it and a time axis to the end; returns the curve's axes."""
        from matplotlib.collections import PolyCollection

        steps = plan.steps[first:stop]
        origin = steps[0].start_s
        length = steps[-1].end_s - origin
        px_per_s = area.width / length
        axes = self.axes(*area)
        axes.set_xlim(0, length)
        axes.set_ylim(0, area.height / max(1, area.height - HEADROOM))
        levels = ["off", "half", "full"] if area.height >= 90 else ["off", "", "full"]
        axes.set_yticks([0, 0.5, 1], levels if not timed else ["", "", ""])
        marks = ticks(length) if not timed else _second_ticks(length)
        axes.set_xticks([t for t, _ in marks], [])
        axes.grid(color=GRID, linewidth=0.8)
        axes.set_axisbelow(True)
        shapes: dict[bool, tuple[list[Any], list[str]]] = {False: ([], []), True: ([], [])}
        lines: list[list[tuple[float, float]]] = []
        index = first
        for part in _runs(steps):
            sampled = []
            for planned in part:
                seconds = planned.step.seconds
                count = max(2, min(64, math.ceil(seconds * px_per_s / 2)))
                start = planned.start_s - origin
                line = [
                    (start + seconds * k / count, track.level(index, seconds * k / count))
                    for k in range(count + 1)
                ]
                sampled.append(line)
                index += 1
            if not timed and dense(part, px_per_s):
                _draw_band(axes, part, origin, sampled)
                continue
            lines.append([point for line in sampled for point in line])
            for planned, line in zip(part, sampled):
                faces, colours = shapes[planned.phase in HATCHED]
                start, end = line[0][0], line[-1][0]
                faces.append([(start, 0.0), *line, (end, 0.0)])
                colours.append(phase_colour(planned.phase))
        for hatched, (faces, colours) in shapes.items():
            if faces:
                axes.add_collection(
                    PolyCollection(
                        faces,
                        facecolors=colours,
                        edgecolors=[shade(colour) for colour in colours],  # the hatching
                        linewidths=0,
                        alpha=0.8,
                        hatch="///" if hatched else None,
                    )
                )
        for line in lines:
            axes.plot([x for x, _ in line], [y for _, y in line], color=CURVE, linewidth=1.2)
        self._strip(steps, origin, area, px_per_s, marks, timed, axes)
        return axes

    def _strip(
        self,
        steps: Sequence[PlannedStep],
        origin: float,
        area: PlotArea,
        px_per_s: float,
        marks: list[tuple[float, str]],
        timed: bool,
        curve: Any,
    ) -> None:
        strip = self.axes(area.left, area.bottom + STRIP_GAP, area.width, STRIP_HEIGHT)
        length = steps[-1].end_s - origin
        strip.set_xlim(0, length)
        strip.set_ylim(0, 1)
        strip.set_yticks([])
        strip.set_xticks([t for t, _ in marks], spaced(marks, px_per_s))
        strip.tick_params(pad=5)
        ends = strip.get_xticklabels()
        if ends:
            ends[-1].set_horizontalalignment("right" if len(marks) > 1 else "center")
            ends[-1].set_color(TEXT)
        labels: list[Label | None] = []
        shown: list[PlannedStep] = []
        for part in _runs(steps):
            if not timed and dense(part, px_per_s):  # one block for the band, named
                start, end = part[0].start_s - origin, part[-1].end_s - origin
                strip.axvspan(start, end, facecolor=BAND_COLOUR, linewidth=0)
                words = f"{len(breaths(part))} breaths: {cycle_text(part)}"
                if self.measure(words, SMALL_PT) + 6 <= (end - start) * px_per_s:
                    strip.text(
                        (start + end) / 2,
                        0.5,
                        words,
                        ha="center",
                        va="center",
                        color=TEXT,
                        fontsize=SMALL_PT,
                    )
                continue
            shown += part
            labels += part_labels(part, px_per_s, area.height - HEADROOM, timed, self.measure)
        for planned, label in zip(shown, labels):
            start = planned.start_s - origin
            colour = phase_colour(planned.phase)
            strip.axvspan(
                start,
                start + planned.step.seconds,
                facecolor=colour,
                edgecolor=shade(colour) if planned.phase in HATCHED else "#14161c",
                linewidth=0.6 if planned.step.seconds * px_per_s > 6 else 0,
                hatch="///" if planned.phase in HATCHED else None,
            )
            if label is None:
                continue
            middle = start + planned.step.seconds / 2
            if label.upright:
                curve.text(
                    middle,
                    0.02,
                    label.words,
                    rotation=90,
                    ha="center",
                    va="bottom",
                    color=TEXT,
                    fontsize=SMALL_PT,
                    bbox={"facecolor": "#14161c", "alpha": 0.7, "linewidth": 0, "pad": 1},
                )
            else:
                strip.text(
                    middle,
                    0.5,
                    label.words,
                    ha="center",
                    va="center",
                    color=ink_on(colour),
                    fontsize=SMALL_PT,
                )


def dense(steps: Sequence[PlannedStep], px_per_s: float) -> bool:
    """Whether a breathing part's breaths are too close together to draw one by one (each
    would get fewer than ``DENSE_BREATH_PX`` pixels): it is drawn as a band with its rate."""
    if not all(p.phase in BREATHING for p in steps):
        return False
    found = breaths(steps)
    if not found:
        return False
    seconds = steps[-1].end_s - steps[0].start_s
    return seconds / len(found) * px_per_s < DENSE_BREATH_PX


def _draw_band(
    axes: Any, part: Sequence[PlannedStep], origin: float, sampled: list[list[tuple[float, float]]]
) -> None:
    """A part too dense to draw breath by breath: the band the light sweeps (it rises and falls
    with every breath) and the breathing rate over it, named at its start and end."""
    tops = [(line[0][0], max(y for _, y in line)) for line in sampled]
    lows = [(line[0][0], min(y for _, y in line)) for line in sampled]
    end = sampled[-1][-1][0]
    tops.append((end, tops[-1][1]))
    lows.append((end, lows[-1][1]))
    axes.fill_between(
        [x for x, _ in tops],
        [y for _, y in lows],
        [y for _, y in tops],
        step="post",
        color=BAND_COLOUR,
        alpha=0.55,
        linewidth=0,
    )
    found = breaths(part)
    top = max(b.rate for b in found) * RATE_ROOM
    xs = [b.start_s - origin for b in found] + [end]
    ys = [b.rate / top for b in found] + [found[-1].rate / top]
    axes.plot(xs, ys, color=CURVE, linewidth=2)
    style: dict[str, Any] = {"color": TEXT, "fontsize": SMALL_PT, "va": "bottom"}
    axes.text(
        xs[0] + 0.01 * (end - xs[0]),
        ys[0] + 0.03,
        f"{rate_text(found[0].rate)} breaths/min",
        ha="left",
        **style,
    )
    axes.text(
        (xs[0] + end) / 2,
        0.04,
        "the light rises and falls with every breath: one is shown enlarged below",
        ha="center",
        va="bottom",
        color=TEXT,
        fontsize=SMALL_PT,
    )
    if abs(found[-1].rate - found[0].rate) >= 0.1:
        axes.text(
            xs[-1], ys[-1] + 0.03, f"{rate_text(found[-1].rate)} breaths/min", ha="right", **style
        )


def _runs(steps: Sequence[PlannedStep]) -> list[Sequence[PlannedStep]]:
    """The steps cut where the program changes (each program of a chain is named its own way)."""
    return [steps[part.first : part.stop] for part in segments(Plan("", tuple(steps)))]


def spaced(marks: list[tuple[float, str]], px_per_s: float) -> list[str]:
    """The tick labels, blank where one would crowd the one before it or the end
    (``TICK_LABEL_PX``): the end, the program's length, is always named."""
    xs = [t * px_per_s for t, _ in marks]
    kept: list[str] = []
    last = -math.inf
    for index, (_, label) in enumerate(marks[:-1]):
        roomy = xs[index] - last >= TICK_LABEL_PX and xs[-1] - xs[index] >= TICK_LABEL_PX
        kept.append(label if roomy else "")
        last = xs[index] if roomy else last
    return [*kept, marks[-1][1]]


def _second_ticks(length: float) -> list[tuple[float, str]]:
    """Ticks for an enlarged cycle: seconds from its start, its exact length last."""
    step = next((s for s in (0.5, 1, 2, 5, 10, 15, 30, 60) if length / s <= 8), 60)
    marks = [k * step for k in range(int(length / step) + 1) if k * step <= length - 0.6 * step]
    return [*[(t, f"{t:g} s") for t in marks], (length, duration_text(length))]


def _draw_title(painter: _Painter, plan: Plan, title: str | None) -> None:
    from matplotlib.patches import Patch

    count = len(plan.steps)
    facts = [clock_text(plan.total_s), f"{count} step{'s' if count != 1 else ''}"]
    if len(plan.programs) > 1:
        facts.insert(1, " → ".join(plan.programs))
    name = title or plan.program
    painter.text(MARGIN_LEFT, 14, name, color=TEXT, fontsize=TITLE_PT, weight="bold", va="top")
    after = MARGIN_LEFT + painter.measure(name, TITLE_PT) * 1.12 + 14  # bold is wider
    words = "  ·  ".join(facts)
    painter.text(after, 19, words, color=TEXT_DIM, fontsize=TEXT_PT, va="top")
    phases = list(dict.fromkeys(p.phase for p in plan.steps))
    legend = sum(painter.measure(phase, SMALL_PT) + 40 for phase in phases)
    if painter.width - MARGIN_RIGHT - legend < after + painter.measure(words, TEXT_PT) + 24:
        return  # no room: the strip names the steps
    handles = [
        Patch(
            facecolor=phase_colour(phase),
            edgecolor=shade(phase_colour(phase)),
            hatch="///" if phase in HATCHED else None,
            label=phase,
        )
        for phase in phases
    ]
    painter.figure.legend(
        handles=handles,
        loc="upper right",
        bbox_to_anchor=(1 - MARGIN_RIGHT / painter.width, 1 - 8 / painter.height),
        ncol=len(handles),
        frameon=False,
        fontsize=SMALL_PT,
        labelcolor=TEXT_DIM,
        handlelength=1.2,
        columnspacing=1.2,
    )


def _draw_parts(painter: _Painter, plan: Plan, area: PlotArea) -> None:
    """Over each program of the plan, what it does: the longest description that fits."""
    total = plan.total_s
    parts = segments(plan)
    for part in parts:
        left = time_to_x(part.start_s, total, area.left, area.width)
        right = time_to_x(part.end_s, total, area.left, area.width)
        own = plan.steps[part.first : part.stop]
        options = [f"{part.program}: {words}" for words in describe(own)] if len(parts) > 1 else []
        options += describe(own)
        if len(parts) > 1:
            options.append(part.program)
        for words in options:
            if painter.measure(words, TEXT_PT) <= right - left - 8:
                painter.text(left, MARGIN_TOP - 30, words, color=TEXT, fontsize=TEXT_PT, va="top")
                break
        if part.first > 0:
            x = time_to_x(part.start_s, total, area.left, area.width)
            painter.figure.add_artist(_divider(painter, x, area))


def _divider(painter: _Painter, x: float, area: PlotArea) -> Any:
    from matplotlib.lines import Line2D

    w, h = painter.width, painter.height
    return Line2D(
        [x / w, x / w],
        [1 - (MARGIN_TOP - 32) / h, 1 - (area.bottom + STRIP_GAP + STRIP_HEIGHT) / h],
        color=TEXT_DIM,
        linewidth=1,
        linestyle=":",
    )
