"""Cues: what the light, motor and speaker do at any moment of a plan.

Pure functions of (plan, step, seconds into the step). Light levels are perceptual (0..1, eased
with a cosine so the lamp never jerks); the hardware applies gamma and the caps. Vibration says
the phase with the eyes closed: one pulse = breathe in, two = out, a long one = hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time

from calmkit.core.programs import Plan

Colour = tuple[float, float, float]

#: Where each kind of step takes the light (perceptual level).
PEAK = 1.0
BLINK_LEVEL = 0.6
PRESS_LEVEL = 0.7
RELEASE_LEVEL = 0.15
PROMPT_LEVEL = 0.45
QUIET_LEVEL = 0.2
SWITCH_LEVEL = 0.5
#: The soft flash a blink cue makes at the start of its step, at most this long.
BLINK_CUE_S = 0.3

#: Warm colours for an RGB lamp, by phase (no blue: it is used at night).
COLOURS: dict[str, Colour] = {
    "inhale": (1.0, 0.55, 0.18),
    "exhale": (1.0, 0.32, 0.08),
    "blink": (1.0, 0.6, 0.3),
    "press": (1.0, 0.45, 0.12),
    "release": (1.0, 0.45, 0.12),
    "switch": (1.0, 0.5, 0.2),
    "prompt": (1.0, 0.62, 0.3),
    "quiet": (1.0, 0.4, 0.1),
    "rest": (1.0, 0.4, 0.1),
}
IDLE_COLOUR: Colour = (1.0, 0.5, 0.15)

#: Motor pulses at the start of a phase, as (on at, off at) seconds into the step.
VIBRATION: dict[str, tuple[tuple[float, float], ...]] = {
    "inhale": ((0.0, 0.15),),
    "exhale": ((0.0, 0.12), (0.3, 0.42)),
    "hold": ((0.0, 0.6),),
    "press": ((0.0, 0.6),),
    "release": ((0.0, 0.12), (0.3, 0.42)),
    "switch": ((0.0, 0.12), (0.35, 0.47), (0.7, 0.82)),
    "prompt": ((0.0, 0.15),),
}

#: The sound a phase starts with when its step names none; None: silence.
PHASE_SOUNDS: dict[str, str | None] = {
    "inhale": "chime_in",
    "exhale": "chime_out",
    "hold": "chime_hold",
    "press": "chime_in",
    "release": "chime_out",
    "switch": "say_switch_hands",
    "prompt": "tick",
}
#: What replaces a spoken cue when the voice is off.
UNSPOKEN = {"say_switch_hands": "bell_interval", "say_press": "chime_in"}


def ease(x: float) -> float:
    """Cosine ease-in-out over 0..1: starts and ends gently, no visible step."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    return (1.0 - math.cos(math.pi * x)) / 2.0


def _towards(start: float, end: float, elapsed: float, over: float) -> float:
    if over <= 0:
        return end
    return start + (end - start) * ease(elapsed / over)


@dataclass(frozen=True)
class Frame:
    """The outputs at one instant: perceptual light level, its colour, motor drive."""

    level: float
    colour: Colour
    motor: float


class LightTrack:
    """The light of a whole plan: each step's starting level, so a hold keeps what it inherits."""

    def __init__(self, plan: Plan, floor: float = 0.03) -> None:
        self.plan = plan
        self.floor = floor
        self.shares = self._breath_shares()
        self.start_levels: list[float] = []
        self.colours: list[Colour] = []
        level, colour = 0.0, IDLE_COLOUR
        for index, planned in enumerate(plan.steps):
            self.start_levels.append(level)
            colour = COLOURS.get(planned.phase, colour)
            self.colours.append(colour)
            level = self._level(index, level, planned.step.seconds)

    def _breath_shares(self) -> list[tuple[int, float]]:
        """For each step: where its run of like phases began, and the share of that run's way
        done by the step's end.

        Consecutive inhales (the cyclic sigh's in-breath and its top-up) share the way up in
        proportion to their lengths, so the top-up shows as a last small rise; likewise for
        consecutive exhales on the way down.
        """
        steps = self.plan.steps
        shares = [(i, 1.0) for i in range(len(steps))]
        first = 0
        while first < len(steps):
            last = first
            while last + 1 < len(steps) and steps[last + 1].phase == steps[first].phase:
                last += 1
            total = sum(steps[i].step.seconds for i in range(first, last + 1))
            done = 0.0
            for i in range(first, last + 1):
                done += steps[i].step.seconds
                shares[i] = (first, 1.0 if i == last else done / total)
            first = last + 1
        return shares

    def _level(self, index: int, start: float, t: float) -> float:
        planned = self.plan.steps[index]
        phase, seconds = planned.phase, planned.step.seconds
        if phase in ("inhale", "exhale"):
            goal = PEAK if phase == "inhale" else self.floor
            first, share = self.shares[index]
            run_start = start if first == index else self.start_levels[first]
            return _towards(start, run_start + (goal - run_start) * share, t, seconds)
        if phase == "hold":
            return start
        if phase == "blink":
            cue = min(BLINK_CUE_S, seconds * 0.45)
            return BLINK_LEVEL * math.sin(math.pi * t / cue) ** 2 if t < cue else 0.0
        if phase == "press":
            return _towards(start, PRESS_LEVEL, t, min(1.0, seconds / 2))
        if phase == "release":
            return _towards(start, RELEASE_LEVEL, t, min(1.0, seconds / 2))
        if phase == "switch":
            bumps = max(1, min(2, int(seconds)))
            base = _towards(start, RELEASE_LEVEL, t, min(0.5, seconds / 4))
            return max(base, SWITCH_LEVEL * math.sin(math.pi * bumps * t / seconds) ** 2)
        if phase == "prompt":
            return _towards(start, PROMPT_LEVEL, t, min(1.5, seconds / 2))
        if phase == "quiet":
            return _towards(start, QUIET_LEVEL, t, min(5.0, seconds / 2))
        return _towards(start, 0.0, t, seconds)  # rest: fade out over the whole step

    def level(self, index: int, t: float) -> float:
        """Perceptual level ``t`` seconds into step ``index``."""
        planned = self.plan.steps[index]
        t = min(max(t, 0.0), planned.step.seconds)
        return min(1.0, max(0.0, self._level(index, self.start_levels[index], t)))

    def frame(self, index: int, t: float, vibration: bool = True) -> Frame:
        planned = self.plan.steps[index]
        return Frame(
            self.level(index, t),
            self.colours[index],
            motor_on(planned.phase, t) if vibration else 0.0,
        )


def motor_on(phase: str, t: float) -> float:
    """1.0 while a phase-start pulse is on, else 0.0."""
    for on, off in VIBRATION.get(phase, ()):
        if on <= t < off:
            return 1.0
    return 0.0


def sound_for(plan: Plan, index: int, voice: bool = True) -> str | None:
    """The sound to start as step ``index`` begins (None: silence).

    The first squeeze of a plan is spoken ("squeeze gently..."); after that a chime is enough.
    """
    planned = plan.steps[index]
    step = planned.step
    if step.sound is not None:
        name: str | None = step.sound or None
    elif planned.phase == "press" and all(p.phase != "press" for p in plan.steps[:index]):
        name = "say_press"
    else:
        name = PHASE_SOUNDS.get(planned.phase)
    if name and not voice and name.startswith("say_"):
        name = UNSPOKEN.get(name, "tick")
    return name


@dataclass(frozen=True)
class Caps:
    """Upper limits for the outputs right now (night mode lowers them)."""

    brightness: float
    volume: float
    vibration: float


def in_window(start: time, end: time, at: time) -> bool:
    """Whether ``at`` falls in [start, end), a window that may wrap past midnight."""
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def caps_at(
    at: time,
    *,
    brightness: float,
    volume: float,
    vibration: float,
    night_start: time,
    night_end: time,
    night_brightness: float,
    night_volume: float,
    night_vibration: float,
    trusted: bool = True,
) -> Caps:
    """Day limits, lowered to the night caps between the night hours, and at any hour when the
    clock is not ``trusted`` (not synchronised: the hour may be 3 a.m. whatever it says)."""
    if not trusted or in_window(night_start, night_end, at):
        return Caps(
            min(brightness, night_brightness),
            min(volume, night_volume),
            min(vibration, night_vibration),
        )
    return Caps(brightness, volume, vibration)


#: How long the caps take to move to new limits (the night starting or ending, the wall clock
#: jumping, the clock becoming trusted): never a step from 7 % to 100 % within one frame.
CAPS_FADE_S = 20.0


class CapsFade:
    """Caps that move to a new target in a straight line over ``fade_s`` seconds.

    ``aim()`` gives the caps wanted now (from the hour, the clock's trust), ``at()`` what
    applies at a moment: the first target applies at once (a box that starts at night is dim
    from its first frame), as does one given ``at_once`` (the lamp is dark: nothing to fade, and
    a session started at 21:30 must not begin at the day's cap); a later one is faded to from
    wherever the caps stand.
    """

    def __init__(self, fade_s: float = CAPS_FADE_S) -> None:
        self.fade_s = float(fade_s)
        self._from: Caps | None = None
        self._to: Caps | None = None
        self._since = 0.0

    def aim(self, target: Caps, now: float, at_once: bool = False) -> None:
        if self._to is None or at_once:
            self._from = self._to = target
            self._since = now
        elif target != self._to:
            self._from = self.at(now)
            self._to = target
            self._since = now

    def fading(self, t: float) -> bool:
        return self._from != self._to and t < self._since + self.fade_s

    def at(self, t: float) -> Caps:
        start, end = self._from, self._to
        if start is None or end is None:
            return Caps(1.0, 1.0, 1.0)
        if start == end or self.fade_s <= 0:
            return end
        x = min(1.0, max(0.0, (t - self._since) / self.fade_s))
        if x >= 1.0:
            return end
        return Caps(
            start.brightness + (end.brightness - start.brightness) * x,
            start.volume + (end.volume - start.volume) * x,
            start.vibration + (end.vibration - start.vibration) * x,
        )
