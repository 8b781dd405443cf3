"""When the runner next has to write: the next frame whose written values change.

Between the flow's deadlines nothing but the time changes the light and the motor, and their
curves are known ahead (core.cues), so the runner need not wake at every frame: ``next_change``
steps the frame grid ``origin + k / fps`` (the lamp's most, light.fps) from a frame on and
skips every frame whose duties, on each output's resolution (OutputRow.duties quantises them),
are all what was written last. The runner sleeps until the first one that differs; a steady
level (a hold, quiet time, a paused session) needs no frame at all. An output with a pace of its
own (a haptic: at most 25 writes a second) takes a change only ``gap`` after its last write.

The frames are worked out under the caps of the first one, or along the caps' fade while it
fades (a fading night cap changes the written values, so it gets its frames). Stepping stops
at the flow's next deadline (the runner works out a fresh frame there), where the light stops
animating, or at the scan's horizon: the runner then wakes once, writes nothing, and steps on
from there. The horizon is the next caps lookup (caps.LOOKUP_EVERY_S, as often as the caps are
asked for today) while an output shows something the caps could change, and SCAN_S while all
are at rest (a dark lamp takes new caps at once, a still motor has nothing to cap), so a press
is never held up by a long scan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from calmkit.core.cues import Caps
from calmkit.shell.caps import LOOKUP_EVERY_S, CapsLookup

#: The frames are stepped at most this far ahead in one go (about 500 frames at 50 fps: a few
#: ms of CPU); a hold (at most 20 s, core.safety) rarely needs a second look.
SCAN_S = 10.0
#: Float slack on frame times (k / fps is not exact).
EPS = 1e-9


class Frame(NamedTuple):
    """One frame for the outputs (a tuple: as cheap to make and unpack as one)."""

    duties: tuple[tuple[float, ...], ...]  # each output's duty, in the runner's output order
    animating: bool  # whether frames go on after this one (False: the light holds)


#: Works out the frame at a clock time under the caps of that time (Runner._work_out).
WorkOut = Callable[[float, Caps], Frame]
#: Frame(...) without the NamedTuple's __new__, which is Python code: half the cost, and the
#: runner makes one a frame. ``make(Frame, (duties, animating))``.
make = tuple.__new__


class Next(NamedTuple):
    """The frame the runner wakes for: number ``k`` on the grid, and what to write then (None:
    nothing changed up to there; step on from ``k``)."""

    k: int
    frame: Frame | None


#: What next_change says once the light has settled: no frames until something happens.
SETTLED = Next(-1, None)


def next_change(
    k: int,
    origin: float,
    fps: float,
    until: float | None,
    caps: CapsLookup,
    work_out: WorkOut,
    written: tuple[tuple[float, ...], ...],
    since: tuple[float, ...],
    gaps: tuple[float, ...],
) -> Next | None:
    """The first frame from number ``k`` on whose duties differ from ``written``, each output
    taking a change only ``gaps[i]`` after its last write at ``since[i]``; a Next to step on
    from at the scan's horizon; None when nothing changes before ``until``; SETTLED when the
    light stops animating with nothing more to write.

    The frame returned holds ``written`` for the outputs that did not change (or may not yet).
    """
    start = origin + k / fps
    now_caps = caps.at(start)
    fade = caps.fade_at if caps.fading(start) else None
    paced = any(gaps)
    shown = any(any(duty) for duty in written)  # new caps would change it: ask them on time
    last = k + max(1, round((LOOKUP_EVERY_S if shown else SCAN_S) * fps))
    for j in range(k, last):
        t = origin + j / fps
        if until is not None and t >= until:
            return None  # the flow changes there: the runner works out a fresh frame
        frame = work_out(t, now_caps if fade is None else fade(t))
        duties = frame.duties
        if duties != written:
            if not paced:
                return Next(j, frame)
            held = _held(duties, written, since, gaps, t)
            if held != written:
                return Next(j, make(Frame, (held, frame.animating)))
        if not frame.animating:
            if duties == written:
                return SETTLED  # nothing more to write
            return _when_allowed(j, origin, fps, until, frame, written, since, gaps)
    return Next(last, None)


def _held(
    duties: tuple[tuple[float, ...], ...],
    written: tuple[tuple[float, ...], ...],
    since: tuple[float, ...],
    gaps: tuple[float, ...],
    t: float,
) -> tuple[tuple[float, ...], ...]:
    """Each output's new duty where its gap since its last write is over, else what it has."""
    return tuple(
        new if new == old or t + EPS >= at + gap else old
        for new, old, at, gap in zip(duties, written, since, gaps)
    )


def _when_allowed(
    j: int,
    origin: float,
    fps: float,
    until: float | None,
    frame: Frame,
    written: tuple[tuple[float, ...], ...],
    since: tuple[float, ...],
    gaps: tuple[float, ...],
) -> Next | None:
    """The light settled at frame j on a value a paced output may not take yet: the first frame
    its gap allows (the settled frame does not change any more)."""
    allowed = max(
        at + gap for new, old, at, gap in zip(frame.duties, written, since, gaps) if new != old
    )
    k = max(j, _ceil((allowed - origin) * fps - EPS))
    if until is not None and origin + k / fps >= until:
        return None
    return Next(k, frame)


def _ceil(x: float) -> int:
    whole = int(x)
    return whole + 1 if x > whole else whole
