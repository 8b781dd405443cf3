"""Safety: the product's rules checked on what a whole plan makes the lamp and motor do.

Single steps can each look harmless and still add up to something that is not: two non-breathing
phases alternating every 0.1 s swing the lamp at 5 Hz, and holds in a row (a repeated hold, a
breathe block's hold-out before a hold step, the end of one chained program and the start of the
next) make one long breath hold. So the rules are checked on the expanded Plan and on the light
and motor track cues.py draws from it, across step, repeat, block and chain boundaries:

- flashes: at most 3 flashes in any second, a flash being a pair of opposing changes of the duty
  the lamp's pin gets by 10 % of full or more (WCAG 2.3.1 "three flashes"), reckoned at full
  brightness (the worst case) through the hardware's gamma;
- holds: a continuous breath hold lasts at most 20 s;
- buzz: the motor is never on for more than 1 s in one go (skin numbs under a constant buzz).

Pure core: standard library and calmkit's core only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from calmkit.core.cues import LightTrack, motor_on
from calmkit.core.programs import MAX_HOLD_S, Plan, PlannedStep

#: WCAG's three flashes: at most this many flashes in any window of FLASH_WINDOW_S.
MAX_FLASHES = 3
FLASH_WINDOW_S = 1.0
#: A change of the pin's duty by this share of full or more is half a flash.
FLASH_CHANGE = 0.1
#: The longest the motor may stay on in one go.
MAX_BUZZ_S = 1.0
#: A step this long or longer (for certain: a prompt with items can end at any press) lets the
#: person breathe between two holds; a shorter one counts towards the hold, an inhale or an
#: exhale too (0.4 s is no breath).
BREATH_GAP_S = 2.0
#: Every step's first FINE_S is sampled at the frame rate (a blink's cue, a press's ease); the
#: rest of the step at COARSE_SAMPLES points, as cues' light changes slowly there.
FINE_S = 0.4
COARSE_SAMPLES = 16
#: The frame rate the runner draws at by default; the light is never sampled more coarsely.
MIN_SAMPLE_FPS = 50.0
#: Step shapes worked out, kept between checks (a config is checked again on every load).
_SHAPES: dict[tuple[str, float, float, float, float, float], list[tuple[float, float]]] = {}
_PULSES: dict[tuple[str, float, float], list[tuple[float, float]]] = {}
_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class Breach:
    """Where a plan breaks a rule: the step it starts at, its time in the plan, and what."""

    rule: str  # "flash", "hold" or "buzz"
    index: int  # the plan step where the breach starts ...
    end_index: int  # ... and the one where it is found
    start_s: float
    message: str


@dataclass(frozen=True)
class Change:
    """One change of the duty by FLASH_CHANGE or more, from ``start_s`` to ``end_s``."""

    start_s: float
    end_s: float
    index: int


def duty(level: float, gamma: float) -> float:
    """The lamp pin's duty for a perceptual level at full caps, as hardware.Devices makes it."""
    clamped = 0.0 if level < 0.0 else 1.0 if level > 1.0 else level
    return float(clamped**gamma)


def clock_time(seconds: float) -> str:
    """A time in the plan for a message: "0:12.4", "1:05:00"."""
    tenths = round(seconds * 10)
    whole, tenth = divmod(tenths, 10)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    shown = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"{shown}.{tenth}" if tenth else shown


# --- the light ----------------------------------------------------------------------------------


def _step_times(seconds: float, fps: float) -> list[float]:
    """Where to sample one step: finely over its start, coarsely after, and at its end."""
    frame = 1.0 / fps
    fine = min(seconds, FINE_S)
    times = [k * frame for k in range(int(fine / frame) + 1)]
    if seconds > fine:
        rest = seconds - fine
        times += [fine + rest * k / COARSE_SAMPLES for k in range(1, COARSE_SAMPLES + 1)]
    elif times[-1] < seconds:
        times.append(seconds)
    return times


def duty_samples(
    plan: Plan, floor: float = 0.03, gamma: float = 2.2, fps: float = MIN_SAMPLE_FPS
) -> list[tuple[float, float, int]]:
    """(time in the plan, pin duty, step index) along the whole plan, both sides of every step
    boundary included (a step may start away from where the last one ended: a blink at 0)."""
    track = LightTrack(plan, floor)
    fps = max(fps, MIN_SAMPLE_FPS)
    samples: list[tuple[float, float, int]] = []
    if len(_SHAPES) > _CACHE_LIMIT:
        _SHAPES.clear()
    for index, planned in enumerate(plan.steps):
        seconds = planned.step.seconds
        # a step's light is set by its phase, its length, and where it starts and ends: the
        # repeats of one step (a box's cycles, a chained program's) are sampled once
        start, end = track.level(index, 0.0), track.level(index, seconds)
        key = (planned.phase, seconds, start, end, gamma, fps)
        shape = _SHAPES.get(key)
        if shape is None:
            shape = [(t, duty(track.level(index, t), gamma)) for t in _step_times(seconds, fps)]
            _SHAPES[key] = shape
        samples.extend((planned.start_s + t, d, index) for t, d in shape)
    return samples


def changes(samples: Iterable[tuple[float, float, int]]) -> list[Change]:
    """The duty's opposing changes of FLASH_CHANGE or more, in order (with hysteresis).

    Each change runs from the extreme it left to the sample where it had come FLASH_CHANGE from
    it; the next change starts at the extreme this one went on to.
    """
    found: list[Change] = []
    direction = 0  # +1 rising, -1 falling, 0 not yet known
    low = high = None
    low_at = high_at = 0.0
    low_index = high_index = 0
    for t, d, index in samples:
        if low is None or high is None:
            low = high = d
            low_at = high_at = t
            low_index = high_index = index
            continue
        if direction >= 0 and d > high:
            high, high_at, high_index = d, t, index
        if direction <= 0 and d < low:
            low, low_at, low_index = d, t, index
        if direction >= 0 and high - d >= FLASH_CHANGE - 1e-12:
            found.append(Change(high_at, t, high_index))
            direction, low, low_at, low_index = -1, d, t, index
        elif direction <= 0 and d - low >= FLASH_CHANGE - 1e-12:
            found.append(Change(low_at, t, low_index))
            direction, high, high_at, high_index = 1, d, t, index
    return found


def worst_flash_window(
    found: Sequence[Change], window_s: float = FLASH_WINDOW_S
) -> tuple[int, int]:
    """The most changes completed within one window of ``window_s``, and the first of them."""
    best, best_first = 0, 0
    first = 0
    for last, change in enumerate(found):
        while found[first].end_s <= change.end_s - window_s:
            first += 1
        if last - first + 1 > best:
            best, best_first = last - first + 1, first
    return best, best_first


def flash_breach(
    plan: Plan, floor: float = 0.03, gamma: float = 2.2, fps: float = MIN_SAMPLE_FPS
) -> Breach | None:
    """More than 3 flashes (6 opposing changes) in a second anywhere in the plan, or None."""
    found = changes(duty_samples(plan, floor, gamma, fps))
    # a change is seen where it completes; the window is widened by two frames, as the runner's
    # frames may see a change up to a frame from where these samples do
    count, first = worst_flash_window(found, FLASH_WINDOW_S + 2.0 / max(fps, MIN_SAMPLE_FPS))
    if count <= 2 * MAX_FLASHES:
        return None
    start = found[first]
    step = plan.steps[start.index]
    return Breach(
        "flash",
        start.index,
        found[first + count - 1].index,
        start.start_s,
        f"the light flashes {count / 2:g} times within 1 s from {clock_time(start.start_s)} "
        f"(at {_step_name(plan, start.index)}); the light flashes at most {MAX_FLASHES} times "
        f"a second: make the {step.phase} steps there longer",
    )


# --- holds and the motor ------------------------------------------------------------------------


def can_end_early(step: PlannedStep) -> bool:
    """A step a press can end at once: a prompt with items (Session.count_item skips it)."""
    return step.phase == "prompt" and step.step.items > 0


def is_breath(step: PlannedStep) -> bool:
    """Whether a step between two holds is sure to give BREATH_GAP_S to breathe: it is not a
    hold, lasts that long, and no press can cut it short."""
    return step.phase != "hold" and not can_end_early(step) and step.step.seconds >= BREATH_GAP_S


def _held_s(step: PlannedStep) -> float:
    """How long a step between holds can keep the breath held at most: a step a press can end
    is a breath once it has run BREATH_GAP_S, so it holds up to that."""
    return min(step.step.seconds, BREATH_GAP_S) if can_end_early(step) else step.step.seconds


def hold_breach(plan: Plan) -> Breach | None:
    """The first continuous breath hold over 20 s, or None.

    Holds in a row make one hold; a step of another kind between them counts towards it unless
    it is a breath (is_breath); a step a press can end counts with at most BREATH_GAP_S.
    """
    start: int | None = None
    held = pending = 0.0
    for index, planned in enumerate(plan.steps):
        if planned.phase == "hold":
            if start is None:
                start, held, pending = index, 0.0, 0.0
            held += pending + planned.step.seconds
            pending = 0.0
            if held > MAX_HOLD_S + 1e-9:
                return _hold_message(plan, start, index, held)
        elif start is not None and is_breath(planned):
            start = None
        elif start is not None:
            pending += _held_s(planned)
    return None


def hold_runs(plan: Plan) -> list[tuple[int, int]]:
    """Every continuous hold in the plan as (first, last) step index, joined as hold_breach
    joins them."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    last = 0
    for index, planned in enumerate(plan.steps):
        if planned.phase == "hold":
            start = index if start is None else start
            last = index
        elif start is not None and is_breath(planned):
            runs.append((start, last))
            start = None
    if start is not None:
        runs.append((start, last))
    return runs


def switch_hold_breach(current: Plan, following: Plan) -> Breach | None:
    """A breath hold over 20 s made by "not helping" (a button hold) in ``current``'s longest
    hold, which switches to ``following`` at once: its opening hold runs on from there."""
    runs = hold_runs(current)
    if not runs or not following.steps:
        return None
    first, last = max(runs, key=lambda run: _run_s(current, *run))
    held = current.steps[first : last + 1]
    shift = held[-1].end_s - held[0].start_s
    joined = Plan(
        current.program,
        (
            *(PlannedStep(p.start_s - held[0].start_s, p.step, p.program) for p in held),
            *(PlannedStep(p.start_s + shift, p.step, p.program) for p in following.steps),
        ),
    )
    breach = hold_breach(joined)
    if breach is None or breach.index != 0 or breach.end_index < len(held):
        return None  # the programs' own holds are their own to answer for
    length = breach.message.split(" from ")[0].removeprefix("a breath hold of ")
    return replace(
        breach,
        message=f'"not helping" (a hold of the button) in a breath hold of {current.program!r} '
        f"switches to {following.program!r}, which starts with a hold: a breath hold of "
        f"{length} in all; a breath is held at most {MAX_HOLD_S:g} s in a row: start "
        f"{following.program!r} with a breath",
    )


def _run_s(plan: Plan, first: int, last: int) -> float:
    """How long the breath can be held from step ``first`` to the end of hold ``last``."""
    between = plan.steps[first : last + 1]
    return sum(p.step.seconds if p.phase == "hold" else _held_s(p) for p in between)


def _why_no_breath(plan: Plan, first: int, last: int) -> str:
    """Why the steps that look like breaths between the holds are none, for the message."""
    for planned in plan.steps[first : last + 1]:
        if can_end_early(planned) and planned.step.seconds >= BREATH_GAP_S:
            return f": the {planned.phase} between them can end at a press"
        if planned.phase in ("inhale", "exhale") and planned.step.seconds < BREATH_GAP_S:
            return (
                f": {_a(planned.phase)} of {planned.step.seconds:g} s is not a breath "
                f"(a breath takes {BREATH_GAP_S:g} s)"
            )
    return ""


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _hold_message(plan: Plan, first: int, last: int, length: float) -> Breach:
    holds = [p for p in plan.steps[first : last + 1] if p.phase == "hold"]
    parts = [
        f"hold {p.step.seconds:g} s" + (f" in {p.program!r}" if p.program != plan.program else "")
        for p in holds[:4]
    ]
    if len(holds) > 4:
        parts.append(f"{len(holds) - 4} more")
    start_s = plan.steps[first].start_s
    return Breach(
        "hold",
        first,
        last,
        start_s,
        f"a breath hold of {length:g} s from {clock_time(start_s)} ({', '.join(parts)})"
        f"{_why_no_breath(plan, first, last)}; a "
        f"breath is held at most {MAX_HOLD_S:g} s in a row: put a breath between the holds or "
        f"shorten them",
    )


def _pulses(phase: str, seconds: float, fps: float) -> list[tuple[float, float]]:
    """When the motor is on within one step, as (from, to) seconds into it, sampled per frame."""
    key = (phase, seconds, fps)
    found = _PULSES.get(key)
    if found is None:
        if len(_PULSES) > _CACHE_LIMIT:
            _PULSES.clear()
        frame = 1.0 / fps
        found = []
        on_at: float | None = None
        for k in range(int(min(seconds, 2.0) / frame) + 2):
            t = min(k * frame, seconds)
            on = t < seconds and motor_on(phase, t) > 0
            if on and on_at is None:
                on_at = t
            elif not on and on_at is not None:
                found.append((on_at, t))
                on_at = None
            if t >= seconds:
                break
        if on_at is not None:
            found.append((on_at, seconds))
        _PULSES[key] = found
    return found


def buzz_breach(plan: Plan, fps: float = MIN_SAMPLE_FPS) -> Breach | None:
    """The motor on for over MAX_BUZZ_S in one go (short steps that each start a pulse)."""
    fps = max(fps, MIN_SAMPLE_FPS)
    on_since: float | None = None
    on_until = -1.0
    on_index = 0
    for index, planned in enumerate(plan.steps):
        for on, off in _pulses(planned.phase, planned.step.seconds, fps):
            start, end = planned.start_s + on, planned.start_s + off
            if on_since is None or start > on_until + 1e-9:
                on_since, on_index = start, index
            on_until = end
            if on_until - on_since > MAX_BUZZ_S + 1e-9:
                return Breach(
                    "buzz",
                    on_index,
                    index,
                    on_since,
                    f"the motor stays on for over {MAX_BUZZ_S:g} s from "
                    f"{clock_time(on_since)} (at {_step_name(plan, on_index)}): each "
                    f"{planned.phase} step starts a pulse; make the steps there longer",
                )
    return None


def _step_name(plan: Plan, index: int) -> str:
    planned = plan.steps[index]
    where = f"{planned.phase} {planned.step.seconds:g} s"
    if planned.step.label:
        where += f" {planned.step.label!r}"
    if planned.program != plan.program:
        where += f" in {planned.program!r}"
    return where


def breaches(
    plan: Plan, floor: float = 0.03, gamma: float = 2.2, fps: float = MIN_SAMPLE_FPS
) -> list[Breach]:
    """Every rule the plan breaks, at most one breach a rule (the first one found)."""
    return list(_breaches(plan, floor, gamma, fps))


@functools.lru_cache(maxsize=256)
def _breaches(plan: Plan, floor: float, gamma: float, fps: float) -> tuple[Breach, ...]:
    """breaches(), kept: a config is checked again on every load, and plans are frozen."""
    found = (
        hold_breach(plan),
        flash_breach(plan, floor, gamma, fps),
        buzz_breach(plan, fps),
    )
    return tuple(breach for breach in found if breach is not None)
