"""Checks of a program's blocks: steps (and each step), breathing and quiet time."""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Any

from calmkit.config import values as check
from calmkit.config.nodes import _describe, _join, _Node
from calmkit.config.settings import MAX_COUNT, MAX_ITEMS, MAX_RATE, MIN_RATE
from calmkit.config.values import (
    _BAD,
    _BREATHE_KEYS,
    _KINDS,
    _QUIET_KEYS,
    _STEP_KEYS,
    _TIMINGS,
    _fmt,
    _Values,
)
from calmkit.core.programs import (
    LIGHT_CHANGING,
    MAX_PROGRAM_S,
    PHASES,
    Block,
    Breathe,
    Quiet,
    Step,
    Steps,
    block_problems,
    expand_block,
    step_problems,
)

#: The shortest light-changing step the problem message asks for (1/3 s, to the tenth).
MIN_LIGHT_STEP_S_SHOWN = 0.4


class _Blocks(_Values):
    """The blocks of one program."""

    #: Steps that broke a step rule and were checked on as their nearest sound form.
    stand_ins = 0

    def block(self, entries: dict[str, _Node], node: _Node, path: str) -> Block | None:
        """One block: steps, breathe or quiet, with cycles, minutes or seconds beside it."""
        kinds = [key for key in _KINDS if key in entries]
        timings = [key for key in _TIMINGS if key in entries]
        if not kinds:
            self.problem(node, path, "a block needs steps, breathe or quiet")
            return None
        bad = False
        for extra in kinds[1:]:
            self.problem(
                entries[extra],
                f"{path}.{extra}",
                f"a block has one of steps, breathe or quiet; this one already has {kinds[0]}",
            )
            bad = True
        for extra in timings[1:]:
            self.problem(
                entries[extra],
                f"{path}.{extra}",
                f"give one of cycles, minutes or seconds; this block already has {timings[0]}",
            )
            bad = True
        kind = kinds[0]
        cycles: Any = None
        total_s: Any = None
        if timings:
            timing = timings[0]
            timing_node = entries[timing]
            timing_path = f"{path}.{timing}"
            if kind == "quiet":
                self.problem(
                    timing_node, timing_path, "quiet time takes its length from quiet.minutes"
                )
                bad = True
            elif timing == "cycles":
                cycles = self.take(check.number(timing_node, timing_path, 1, MAX_COUNT, whole=True))
            elif timing == "minutes":
                minutes = self.take(
                    check.number(timing_node, timing_path, 0, MAX_PROGRAM_S / 60, above=True)
                )
                total_s = _BAD if minutes is _BAD else minutes * 60.0
            else:
                total_s = self.take(
                    check.number(timing_node, timing_path, 0, MAX_PROGRAM_S, above=True)
                )
            bad |= cycles is _BAD or total_s is _BAD
        elif kind == "breathe":
            self.problem(
                entries[kind],
                f"{path}.breathe",
                "say how long: cycles, minutes or seconds beside it",
            )
            bad = True
        kind_path = f"{path}.{kind}"
        if kind == "steps":
            steps = self.steps(entries[kind], kind_path)
            if steps is None or bad:
                return None
            return Steps(steps=steps, cycles=cycles, total_s=total_s)
        if kind == "breathe":
            breathe = self.breathe(entries[kind], kind_path, cycles, total_s)
            return None if bad else breathe
        quiet = self.quiet(entries[kind], kind_path)
        return None if bad else quiet

    def steps(self, node: _Node, path: str) -> tuple[Step, ...] | None:
        if not isinstance(node.value, list):
            self.problem(node, path, f"expected a list of steps, got {_describe(node)}")
            return None
        if not node.value:
            self.problem(node, path, "give at least one step, like {inhale: 4}")
            return None
        steps: list[tuple[Step, int]] = []
        ok = True
        for index, item in enumerate(node.value):
            step = self.step(item, f"{path}[{index}]")
            if step is None:
                ok = False
            else:
                steps.append(step)
        if not ok:
            return None
        cycle_s = sum(step.seconds * repeat for step, repeat in steps)
        if cycle_s > MAX_PROGRAM_S:  # checked before the repeats are unrolled into a tuple
            self.problem(
                node,
                path,
                f"these steps last {_minutes(cycle_s)}; a program lasts at most "
                f"{_minutes(MAX_PROGRAM_S)}",
            )
            return None
        return tuple(step for step, repeat in steps for _ in range(repeat))

    def step(self, node: _Node, path: str) -> tuple[Step, int] | None:
        """A one-phase mapping like {inhale: 4, label: top-up}; returns it with its repeat."""
        if not isinstance(node.value, dict):
            self.problem(
                node, path, f"a step is a mapping like {{inhale: 4}}, got {_describe(node)}"
            )
            return None
        entries: dict[str, _Node] = node.value
        phases = [key for key in entries if key in PHASES]
        ok = True
        for key, child in entries.items():
            if key in PHASES or key in _STEP_KEYS:
                continue
            ok = False
            close = difflib.get_close_matches(key, PHASES + _STEP_KEYS, n=1)
            if close and close[0] in _STEP_KEYS:
                self.unknown_key(child, _join(path, key), key, _STEP_KEYS)
            elif close:
                self.problem(
                    child, _join(path, key), f"unknown phase {key!r}; did you mean {close[0]!r}?"
                )
            else:
                self.problem(
                    child,
                    _join(path, key),
                    f"unknown phase {key!r}; phases are {', '.join(PHASES)}",
                )
        if not phases:
            if ok:
                self.problem(node, path, "a step needs a phase and its seconds, like {inhale: 4}")
            return None
        for extra in phases[1:]:
            self.problem(
                entries[extra],
                f"{path}.{extra}",
                f"a step has one phase; this one already has {phases[0]}",
            )
            ok = False
        phase = phases[0]
        phase_path = f"{path}.{phase}"
        seconds = self.take(check.seconds(entries[phase], phase_path))
        label: Any = ""
        if "label" in entries:
            label = self.take(check.text(entries["label"], f"{path}.label"))
        items: Any = 0
        if "items" in entries:
            items = self.take(
                check.number(entries["items"], f"{path}.items", 0, MAX_ITEMS, whole=True)
            )
        sound: Any = None
        if "sound" in entries:
            sound = self.take(check.sound_name(entries["sound"], f"{path}.sound"))
        repeat: Any = 1
        if "repeat" in entries:
            repeat = self.take(
                check.number(entries["repeat"], f"{path}.repeat", 1, MAX_COUNT, whole=True)
            )
        if not ok or _BAD in (seconds, label, items, sound, repeat):
            return None
        step = Step(phase=phase, seconds=seconds, label=label, items=items, sound=sound)
        problems = step_problems(step)
        for key, message in problems:
            where = {"seconds": phase, "phase": phase}.get(key, key)
            self.problem(entries.get(where, node), f"{path}.{where}", message)
        if not problems:
            return step, repeat
        # reported; the program goes on with the step as its message asks it to be, so that
        # the rules of the whole program (holds in a row, flashes) are checked in this pass too
        stand_in = _stand_in(step)
        if stand_in is None or step_problems(stand_in):
            return None
        self.stand_ins += 1
        return stand_in, repeat

    def breathe(self, node: _Node, path: str, cycles: Any, total_s: Any) -> Breathe | None:
        entries = self.mapping(node, path, _BREATHE_KEYS)
        if entries is None:
            return None

        def rate(key: str) -> Any:
            return self.take(check.number(entries[key], f"{path}.{key}", MIN_RATE, MAX_RATE))

        rate_node = self.need(entries, "rate", node, path)
        start = _BAD if rate_node is None else rate("rate")
        to_rate = None
        if "to_rate" in entries and entries["to_rate"].value is not None:
            to_rate = rate("to_rate")
        ramp: Any = 1.0 if to_rate is not None else 0.0
        if "ramp" in entries:
            if to_rate is None:
                self.problem(
                    entries["ramp"], f"{path}.ramp", "a ramp needs to_rate, the rate to end at"
                )
                ramp = _BAD
            else:
                ramp = self.take(check.number(entries["ramp"], f"{path}.ramp", 0.0, 1.0))
        ratio: Any = (1.0, 1.0)
        if "ratio" in entries:
            ratio = self.take(check.ratio(entries["ratio"], f"{path}.ratio"))
        holds = {}
        for key in ("hold_in", "hold_out"):
            holds[key] = 0.0
            if key in entries:
                holds[key] = self.take(check.seconds(entries[key], f"{path}.{key}", zero=True))
        values = {"rate": start, "to_rate": to_rate, "ratio": ratio, **holds}
        unread = {key for key, value in values.items() if value is _BAD}

        def known(key: str, neutral: Any) -> Any:
            return neutral if key in unread else values[key]

        # block_problems sees neutral stand-ins for what was already reported, and only what
        # rests on readable values is kept: a hold's own length, or the rest once all is read.
        block = Breathe(
            rate=known("rate", MIN_RATE),
            to_rate=known("to_rate", None),
            ramp=0.0 if ramp is _BAD else ramp,
            ratio_in=known("ratio", (1.0, 1.0))[0],
            ratio_out=known("ratio", (1.0, 1.0))[1],
            hold_in_s=known("hold_in", 0.0),
            hold_out_s=known("hold_out", 0.0),
            cycles=None if cycles is _BAD else cycles,
            total_s=None if total_s is _BAD else total_s,
        )
        problems = [
            (key, message)
            for key, message in block_problems(block)
            if (key not in unread if key in holds else not unread)
        ]
        for key, message in problems:
            self.problem(entries.get(key, node), f"{path}.{key}", message)
        if unread or problems or _BAD in (ramp, cycles, total_s):
            return None
        return block

    def quiet(self, node: _Node, path: str) -> Quiet | None:
        entries = self.mapping(node, path, _QUIET_KEYS)
        if entries is None:
            return None
        minutes_node = self.need(entries, "minutes", node, path)
        minutes = (
            _BAD
            if minutes_node is None
            else self.take(check.number(minutes_node, f"{path}.minutes", 1, MAX_PROGRAM_S / 60))
        )
        interval: Any = 0.0
        if "interval_bell_minutes" in entries:
            interval_node = entries["interval_bell_minutes"]
            interval_path = f"{path}.interval_bell_minutes"
            interval = self.take(check.number(interval_node, interval_path, 0, MAX_PROGRAM_S / 60))
            if interval is not _BAD and 0 < interval < 1:
                self.problem(
                    interval_node,
                    interval_path,
                    "interval bells ring at most once a minute; give 0 (none) or 1 or more",
                )
                interval = _BAD
        fade: Any = 30.0
        if "fade_out" in entries:
            fade = self.take(check.seconds(entries["fade_out"], f"{path}.fade_out", zero=True))
            if fade is not _BAD and minutes is not _BAD and fade > minutes * 30:
                self.problem(
                    entries["fade_out"],
                    f"{path}.fade_out",
                    f"a fade of {_fmt(fade)} s is longer than half the quiet time "
                    f"({_fmt(minutes * 30)} s)",
                )
                fade = _BAD
        if _BAD in (minutes, interval, fade):
            return None
        return Quiet(total_s=minutes * 60.0, interval_bell_s=interval * 60.0, fade_out_s=fade)


def _stand_in(step: Step) -> Step | None:
    """The step as its problem message asks it to be (a light step of 0.4 s, no items off a
    prompt), or None for a hold too long: every rule of the whole program it could break would
    repeat its own message. The stand-in is only checked, never played."""
    if step.phase == "hold":
        return None
    seconds = max(step.seconds, MIN_LIGHT_STEP_S_SHOWN if step.phase in LIGHT_CHANGING else 0)
    return replace(step, seconds=seconds, items=step.items if step.phase == "prompt" else 0)


def _block_seconds(block: Block) -> float:
    """How long one pass through a block lasts, without unrolling a long cycle count."""
    if isinstance(block, Steps) and block.cycles is not None:
        return sum(step.seconds for step in block.steps) * block.cycles
    return sum(step.seconds for step in expand_block(block))


def _minutes(seconds: float) -> str:
    """A length for a message: "266.7 min", "240 min"."""
    minutes = seconds / 60.0
    if minutes >= 1e6:
        return f"{minutes:.3g} min"
    return f"{minutes:.1f}".removesuffix(".0") + " min"
