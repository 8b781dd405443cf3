"""Programs: what a quick fix is made of, and how it unrolls into a timed plan.

A Program is a list of blocks (fixed steps repeated, a breathing rate with an optional ramp, or a
quiet time), repeated ``rounds`` times, optionally chained to other programs (``then``). ``expand``
turns it into a Plan: every step with its offset from the session start, so the session can hold
each boundary to an absolute deadline. Built-in programs are not defined here but in the packaged
config/calmkit.yaml, so a user can read, edit and copy them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PHASES: tuple[str, ...] = (
    "inhale",
    "hold",
    "exhale",
    "blink",
    "press",
    "release",
    "switch",
    "prompt",
    "quiet",
    "rest",
)

#: Longest breath hold calmkit will pace: longer holds can cause dizziness, and no standard
#: technique in calmkit needs more than 4-7-8's seven seconds.
MAX_HOLD_S = 20.0
#: Photosensitivity: no light may change faster than three times a second.
MAX_LIGHT_HZ = 3.0
#: The shortest step that moves the light: one third of a second (3 Hz).
MIN_LIGHT_STEP_S = 1.0 / MAX_LIGHT_HZ
#: Step lengths are given to a tenth of a second.
RESOLUTION_S = 0.1
#: The longest program (or chain) calmkit will run in one go.
MAX_PROGRAM_S = 4 * 3600.0
#: The most programs one chain runs (the program itself and every one its `then` brings in).
MAX_CHAIN = 100

#: Phases whose light changes within the step (a hold keeps the level it inherits).
LIGHT_CHANGING = frozenset({"inhale", "exhale", "blink", "press", "release", "switch", "rest"})


class ProgramError(ValueError):
    """A program that cannot be expanded: an unknown or looping chain."""


@dataclass(frozen=True)
class Step:
    """One phase of a program: what to do and for how long.

    ``items`` (prompts only) is how many button presses finish the step early, one per thing
    named; ``sound`` names the sound to play as the step starts (None: the phase's usual cue,
    "": silence); ``label`` is shown to the person ("left hand", "see").
    """

    phase: str
    seconds: float
    label: str = ""
    items: int = 0
    sound: str | None = None


@dataclass(frozen=True)
class Steps:
    """Fixed steps, repeated ``cycles`` times or as many whole cycles as nearest ``total_s``."""

    steps: tuple[Step, ...]
    cycles: int | None = None
    total_s: float | None = None


@dataclass(frozen=True)
class Breathe:
    """Breathing given as a rate in breaths per minute, optionally ramping to ``to_rate``.

    The rate moves linearly from ``rate`` to ``to_rate`` over the first ``ramp`` share of the
    block, then stays. Each breath's period is 60 / rate; holds are fixed and the rest of the
    period is split between inhale and exhale in the ratio ``ratio_in : ratio_out``.
    """

    rate: float
    to_rate: float | None = None
    ramp: float = 1.0
    ratio_in: float = 1.0
    ratio_out: float = 1.0
    hold_in_s: float = 0.0
    hold_out_s: float = 0.0
    cycles: int | None = None
    total_s: float | None = None

    @property
    def end_rate(self) -> float:
        return self.rate if self.to_rate is None else self.to_rate


@dataclass(frozen=True)
class Quiet:
    """Unstructured rest: steady dim light, a soft start bell, optional interval bells, and the
    light fading out over the last ``fade_out_s``; the end bell rings as the session ends."""

    total_s: float
    interval_bell_s: float = 0.0
    fade_out_s: float = 30.0


Block = Steps | Breathe | Quiet


@dataclass(frozen=True)
class Program:
    """A named quick fix: blocks repeated ``rounds`` times, then the programs in ``then``.

    ``fallback`` lists what "not helping" (a button hold) switches to, in order of escalation.
    """

    name: str
    description: str = ""
    blocks: tuple[Block, ...] = ()
    rounds: int = 1
    then: tuple[str, ...] = ()
    fallback: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedStep:
    """A step placed on the session's time line, ``start_s`` seconds after the start."""

    start_s: float
    step: Step
    program: str

    @property
    def end_s(self) -> float:
        return self.start_s + self.step.seconds

    @property
    def phase(self) -> str:
        return self.step.phase


@dataclass(frozen=True)
class Plan:
    """A program unrolled: every step with its offset, and the sounds that close it."""

    program: str
    steps: tuple[PlannedStep, ...]
    end_sound: str | None = None

    @property
    def total_s(self) -> float:
        return self.steps[-1].end_s if self.steps else 0.0

    @property
    def programs(self) -> tuple[str, ...]:
        """The programs this plan runs, in order, each once (a chain names several)."""
        seen: list[str] = []
        for planned in self.steps:
            if not seen or seen[-1] != planned.program:
                seen.append(planned.program)
        return tuple(seen)


# --- expansion --------------------------------------------------------------------------------


def _whole_cycles(cycle_s: float, cycles: int | None, total_s: float | None) -> int:
    """Cycles asked for, or the whole number of cycles nearest a total time (at least one)."""
    if cycles is not None:
        return cycles
    if total_s is None or cycle_s <= 0:
        return 1
    return max(1, int(total_s / cycle_s + 0.5))


def _expand_steps(block: Steps) -> list[Step]:
    cycle_s = sum(step.seconds for step in block.steps)
    return list(block.steps) * _whole_cycles(cycle_s, block.cycles, block.total_s)


def breath_rates(block: Breathe) -> list[float]:
    """The rate of every breath in a breathing block, in breaths per minute.

    With a total time, breaths are added while more than half of the next one fits, so the block
    ends on a whole breath as near the asked time as possible; the ramp is reckoned on the time at
    which each breath starts. With cycles, the ramp is reckoned on the breath's index.
    """
    start, end = block.rate, block.end_rate
    rates: list[float] = []
    if block.cycles is not None:
        ramp_breaths = block.ramp * block.cycles
        for i in range(block.cycles):
            share = 1.0 if ramp_breaths <= 0 else min(1.0, i / ramp_breaths)
            rates.append(start + (end - start) * share)
        return rates
    total = block.total_s if block.total_s is not None else 60.0 / start
    ramp_s = block.ramp * total
    t = 0.0
    while True:
        share = 1.0 if ramp_s <= 0 else min(1.0, t / ramp_s)
        rate = start + (end - start) * share
        period = 60.0 / rate
        if rates and t + period / 2 > total:
            break
        rates.append(rate)
        t += period
    return rates


def _expand_breathe(block: Breathe) -> list[Step]:
    holds = block.hold_in_s + block.hold_out_s
    share_in = block.ratio_in / (block.ratio_in + block.ratio_out)
    steps: list[Step] = []
    for rate in breath_rates(block):
        moving = 60.0 / rate - holds
        steps.append(Step("inhale", moving * share_in))
        if block.hold_in_s > 0:
            steps.append(Step("hold", block.hold_in_s))
        steps.append(Step("exhale", moving * (1.0 - share_in)))
        if block.hold_out_s > 0:
            steps.append(Step("hold", block.hold_out_s))
    return steps


def _expand_quiet(block: Quiet) -> list[Step]:
    fade = min(block.fade_out_s, block.total_s / 2)
    steady = block.total_s - fade
    interval = block.interval_bell_s
    pieces: list[float] = []
    if interval > 0:
        remaining = steady
        while remaining > interval + 1e-9:
            pieces.append(interval)
            remaining -= interval
        pieces.append(remaining)
    else:
        pieces.append(steady)
    steps = [
        Step("quiet", seconds, sound="bell_start" if i == 0 else "bell_interval")
        for i, seconds in enumerate(pieces)
    ]
    if fade > 0:
        steps.append(Step("rest", fade, label="fading out", sound=""))
    return steps


def expand_block(block: Block) -> list[Step]:
    if isinstance(block, Steps):
        return _expand_steps(block)
    if isinstance(block, Breathe):
        return _expand_breathe(block)
    return _expand_quiet(block)


def chain_order(name: str, library: Mapping[str, Program]) -> list[str]:
    """The programs a chain runs, depth first; raises ProgramError on an unknown name or a loop.

    Walked with a stack of its own, not by recursion: a chain may be as long as a file makes it.
    """
    if name not in library:
        raise ProgramError(f"no program named {name!r}")
    order = [name]
    path = [name]
    on_path = {name}
    following = [0]  # for each program on the path: the index of the next one in its `then`
    while path:
        then = library[path[-1]].then
        if following[-1] == len(then):
            on_path.discard(path.pop())
            following.pop()
            continue
        current = then[following[-1]]
        following[-1] += 1
        if current in on_path:
            loop = " -> ".join((*path[path.index(current) :], current))
            raise ProgramError(f"the chain loops: {loop}")
        if current not in library:
            raise ProgramError(f"no program named {current!r}")
        order.append(current)
        path.append(current)
        on_path.add(current)
        following.append(0)
    return order


def expand(name: str, library: Mapping[str, Program]) -> Plan:
    """Unroll a program and its chain into a Plan with every step's offset."""
    planned: list[PlannedStep] = []
    offset = 0.0
    end_sound: str | None = None
    for program_name in chain_order(name, library):
        program = library[program_name]
        for _ in range(program.rounds):
            for block in program.blocks:
                for step in expand_block(block):
                    planned.append(PlannedStep(offset, step, program_name))
                    offset += step.seconds
                if isinstance(block, Quiet):
                    end_sound = "bell_end"
    return Plan(program=name, steps=tuple(planned), end_sound=end_sound)


# --- validation -------------------------------------------------------------------------------


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def step_problems(step: Step) -> list[tuple[str, str]]:
    """Safety and sense checks on one step, as (key, message) pairs for config to locate."""
    problems: list[tuple[str, str]] = []
    if step.phase not in PHASES:
        problems.append(("phase", f"unknown phase {step.phase!r}; phases are {', '.join(PHASES)}"))
        return problems
    if step.seconds <= 0:
        problems.append(("seconds", f"{_a(step.phase)} must last more than 0 s"))
    elif step.phase == "hold" and step.seconds > MAX_HOLD_S:
        problems.append(
            ("seconds", f"a hold of {step.seconds:g} s is too long; holds are at most 20 s")
        )
    elif step.phase in LIGHT_CHANGING and step.seconds < MIN_LIGHT_STEP_S - 1e-9:
        problems.append(
            (
                "seconds",
                f"{_a(step.phase)} of {step.seconds:g} s would change the light faster than "
                f"3 times a second; make it at least 0.4 s",
            )
        )
    if step.items and step.phase != "prompt":
        problems.append(("items", "only a prompt counts items"))
    return problems


def block_problems(block: Block) -> list[tuple[str, str]]:
    """Checks that need the whole block: breathing rates that leave room for the holds."""
    problems: list[tuple[str, str]] = []
    if isinstance(block, Breathe):
        for key, value in (("hold_in", block.hold_in_s), ("hold_out", block.hold_out_s)):
            if value > MAX_HOLD_S:
                problems.append((key, f"a hold of {value:g} s is too long; holds are at most 20 s"))
        fastest = max(block.rate, block.end_rate)
        moving = 60.0 / fastest - block.hold_in_s - block.hold_out_s
        if moving <= 2 * MIN_LIGHT_STEP_S:
            problems.append(
                (
                    "rate",
                    f"at {fastest:g} breaths a minute the holds leave no time to breathe; "
                    f"slow the rate or shorten the holds",
                )
            )
        elif (
            moving * min(block.ratio_in, block.ratio_out) / (block.ratio_in + block.ratio_out)
            < MIN_LIGHT_STEP_S - 1e-9
        ):
            problems.append(
                ("ratio", "this ratio makes one breath phase shorter than 0.4 s; even it out")
            )
    elif isinstance(block, Steps):
        for index, step in enumerate(block.steps):
            problems.extend((f"steps[{index}].{key}", msg) for key, msg in step_problems(step))
    return problems
