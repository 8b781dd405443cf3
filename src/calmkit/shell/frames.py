"""The frames of the coming second, worked out in one go (the runner's work-ahead cache).

Between the flow's deadlines nothing but the time changes the light and the motor, so the
frames on the grid ``origin + k / fps`` up to the next deadline (at most AHEAD_S ahead) are
worked out together: measured here, the few dozen Python calls of one frame cost several times
as much CPU run alone after each wake as run together. An edge or a boundary makes the runner
work out a fresh frame and drop the rest (``clear``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from calmkit.core.cues import Caps
from calmkit.shell.caps import CapsLookup

#: The coming frames are worked out this far ahead, in one go.
AHEAD_S = 1.0


class Frame(NamedTuple):
    """One frame for the outputs (a tuple: as cheap to make and unpack as one)."""

    duties: tuple[tuple[float, ...], ...]  # each output's duty, in the runner's output order
    animating: bool  # whether frames go on after this one (False: the light holds)


#: Works out the frame at a clock time under the caps of that time (Runner._work_out).
WorkOut = Callable[[float, Caps], Frame]
#: Frame(...) without the NamedTuple's __new__, which is Python code: half the cost, and the
#: runner makes one a frame. ``make(Frame, (duties, animating))``.
make = tuple.__new__


class FramesAhead:
    """Frames ``first``, ``first + 1``, ... on one frame grid, as worked out last."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.first = 0

    def get(self, k: int) -> Frame | None:
        """Frame k if it was worked out ahead, else None."""
        index = k - self.first
        frames = self.frames
        return frames[index] if 0 <= index < len(frames) else None

    def clear(self) -> None:
        self.frames = []

    def fill(
        self,
        k: int,
        origin: float,
        fps: float,
        until: float | None,
        caps: CapsLookup,
        work_out: WorkOut,
    ) -> Frame:
        """Work out frames k, k + 1, ... for up to AHEAD_S, ending before ``until`` (the flow's
        next deadline: the flow changes there) or with the last frame of an animation (a fade's
        end); returns frame k."""
        start = origin + k / fps
        now_caps = caps.at(start)
        fade = caps.fade_at if caps.fading(start) else None
        ahead: list[Frame] = []
        for j in range(k, k + max(1, round(AHEAD_S * fps))):
            t = origin + j / fps
            if ahead and until is not None and t >= until:
                break
            frame = work_out(t, now_caps if fade is None else fade(t))
            ahead.append(frame)
            if not frame.animating:
                break
        self.frames, self.first = ahead, k
        return ahead[0]
