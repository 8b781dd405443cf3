"""Haptics: what a haptic driver's amplitude does through a plan, so a wearable is felt with
the eyes closed (the DRV2605L's real-time playback: one amplitude a frame).

The box's PWM motor says each phase with a code at its start (cues.VIBRATION: 1 pulse = in,
2 = out, a long one = hold). A haptic driver can also set how strongly it plays, so on a
wearable the breath itself is felt, in touches that never become a buzz (skin numbs under
one):

- inhale: its code, then taps every TAP_EVERY_S whose amplitude rises with the breath;
- exhale: its code (two pulses), then taps that fall;
- hold: stillness, after one soft mark at its start (the hold's long code, played softly);
- prompt (grounding): a soft double tap for each thing to name, then stillness;
- press (thumb press): slow squeeze-like swells, one every SWELL_EVERY_S;
- release: one slow fade, like letting go; switch: two runs of three rising taps ("switch
  hands"), which nothing else feels like;
- blink, quiet, rest: still.

Runs of one phase (the cyclic sigh's in-breath and its top-up) share the way up as the light
does, so the top-up is felt as the last, strongest taps. Amplitudes are before the caps (the
night cap lowers them). The comfort limit (comfort.py) is enforced on what is really written;
these patterns stay well inside it, so it never has to cut a built-in one.

Pure core: standard library and calmkit's core only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from calmkit.core.programs import Plan

#: How strongly a phase-start code plays, and the soft marks (a hold, a grounding prompt).
CODE_LEVEL = 0.8
SOFT_LEVEL = 0.4
#: The taps that carry a breath: this long, one every TAP_EVERY_S, from TAP_FROM_S into the step
#: (after its code), none closer than TAP_GAP_S to the step's end (the next code is felt apart).
TAP_S = 0.2
TAP_EVERY_S = 0.7
TAP_FROM_S = 0.6
TAP_GAP_S = 0.1
#: A breath's taps go from BREATH_LOW to BREATH_HIGH (an inhale) or back (an exhale).
BREATH_LOW = 0.25
BREATH_HIGH = 1.0
#: A squeeze-like swell of the thumb press: it rises and falls over SWELL_S, one every
#: SWELL_EVERY_S, to SWELL_LEVEL.
SWELL_S = 1.4
SWELL_EVERY_S = 5.0
SWELL_LEVEL = 0.7
#: The release's fade, from RELEASE_LEVEL to nothing.
RELEASE_S = 1.0
RELEASE_LEVEL = 0.5

FLAT, SWELL, FADE = "flat", "swell", "fade"


@dataclass(frozen=True)
class Touch:
    """The amplitude from ``on`` to ``off`` seconds into a step: ``level`` held (flat), risen
    to and fallen from (swell), or faded from (fade)."""

    on: float
    off: float
    level: float
    shape: str = FLAT

    def at(self, t: float) -> float:
        """The amplitude ``t`` seconds into the step (0 outside the touch)."""
        if not self.on <= t < self.off:
            return 0.0
        if self.shape == FLAT:
            return self.level
        x = (t - self.on) / (self.off - self.on)
        if self.shape == SWELL:
            return self.level * math.sin(math.pi * x) ** 2
        return self.level * (1.0 - x)  # fade


def _flat(*pulses: tuple[float, float], level: float) -> tuple[Touch, ...]:
    return tuple(Touch(on, off, level) for on, off in pulses)


#: The phase-start codes of cues.VIBRATION, kept: 1 pulse = in, 2 = out, a long soft one = hold.
CODES: dict[str, tuple[Touch, ...]] = {
    "inhale": _flat((0.0, 0.15), level=CODE_LEVEL),
    "exhale": _flat((0.0, 0.12), (0.3, 0.42), level=CODE_LEVEL),
    "hold": _flat((0.0, 0.6), level=SOFT_LEVEL),
    "prompt": _flat((0.0, 0.08), (0.22, 0.3), level=SOFT_LEVEL),
    "release": (Touch(0.0, RELEASE_S, RELEASE_LEVEL, FADE),),
    "switch": tuple(
        Touch(start + k * 0.2, start + k * 0.2 + 0.1, level)
        for start in (0.0, 1.2)
        for k, level in enumerate((0.4, 0.7, 1.0))
    ),
}

#: A pattern felt outside a session: the battery is low (three slow taps, each softer).
LOW_BATTERY: tuple[Touch, ...] = (
    Touch(0.0, 0.15, 0.5),
    Touch(0.5, 0.65, 0.4),
    Touch(1.0, 1.15, 0.3),
)
#: Patterns by name, for the flow's notices.
NOTICES: dict[str, tuple[Touch, ...]] = {"low_battery": LOW_BATTERY}


def notice_length(name: str) -> float:
    return max(touch.off for touch in NOTICES[name])


def notice_at(name: str, t: float) -> float:
    """The amplitude of notice ``name`` ``t`` seconds after it began."""
    return max((touch.at(t) for touch in NOTICES[name]), default=0.0)


def breath_taps(seconds: float, start: float, end: float) -> tuple[Touch, ...]:
    """The taps of a breath step of ``seconds``, its amplitude going from ``start`` to ``end``
    (eased) along the step; each tap holds the amplitude of its middle."""
    taps = []
    on = TAP_FROM_S
    while on + TAP_S <= seconds - TAP_GAP_S + 1e-9:
        x = (on + TAP_S / 2) / seconds
        ease = (1.0 - math.cos(math.pi * x)) / 2.0
        taps.append(Touch(on, on + TAP_S, start + (end - start) * ease))
        on += TAP_EVERY_S
    return tuple(taps)


def swells(seconds: float) -> tuple[Touch, ...]:
    """The thumb press's swells over a press step of ``seconds`` (a whole swell, or none)."""
    found = []
    on = 0.0
    while on + SWELL_S <= seconds + 1e-9:
        found.append(Touch(on, on + SWELL_S, SWELL_LEVEL, SWELL))
        on += SWELL_EVERY_S
    return tuple(found)


def touches(
    phase: str, seconds: float, share: tuple[float, float] = (0.0, 1.0)
) -> tuple[Touch, ...]:
    """Every touch of one step; ``share``: how far along its run of like phases the step begins
    and ends (0..1), which sets where a breath's amplitude goes."""
    code = tuple(t for t in CODES.get(phase, ()) if t.on < seconds)
    code = tuple(Touch(t.on, min(t.off, seconds), t.level, t.shape) for t in code)
    if phase in ("inhale", "exhale"):
        low, high = BREATH_LOW, BREATH_HIGH
        a, b = (low + (high - low) * s for s in share)
        if phase == "exhale":
            a, b = high + low - a, high + low - b
        return code + breath_taps(seconds, a, b)
    if phase == "press":
        return swells(seconds)
    return code


def longest_steady_s(found: tuple[Touch, ...]) -> float:
    """The longest the amplitude stays the same and above 0 (a flat touch): the comfort
    guard's margin (comfort.py)."""
    return max((t.off - t.on for t in found if t.shape == FLAT), default=0.0)


class HapticTrack:
    """The amplitude of a whole plan, step by step (like cues.LightTrack for the light)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.steps = [
            touches(planned.phase, planned.step.seconds, share)
            for planned, share in zip(plan.steps, _shares(plan))
        ]

    def drive(self, index: int, t: float) -> float:
        """The amplitude (0..1, before the caps) ``t`` seconds into step ``index``."""
        for touch in self.steps[index]:
            if touch.on <= t < touch.off:
                return touch.at(t)
        return 0.0


def _shares(plan: Plan) -> list[tuple[float, float]]:
    """For each step: how far along its run of like phases it begins and ends (by time)."""
    steps = plan.steps
    shares = [(0.0, 1.0)] * len(steps)
    first = 0
    while first < len(steps):
        last = first
        while last + 1 < len(steps) and steps[last + 1].phase == steps[first].phase:
            last += 1
        total = sum(steps[i].step.seconds for i in range(first, last + 1)) or 1.0
        done = 0.0
        for i in range(first, last + 1):
            begin = done / total
            done += steps[i].step.seconds
            shares[i] = (begin, done / total)
        first = last + 1
    return shares
