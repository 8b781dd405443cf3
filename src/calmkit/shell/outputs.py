"""The runner's outputs as one row: each output's duty for a frame, written where it changed.

The runner drives a list of calmkit.devices.Output (a lamp, an RGB lamp, a motor, or a kind it
has never heard of) only through that interface: ``duty()`` for a frame, ``write()`` for the
duties that changed. This runs 50 times a second, so the usual one or two outputs get calls
with no loop in them (measured: a loop over two outputs cost more than the rest of the write).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from calmkit.core.cues import Caps, Colour
from calmkit.devices import Output, Resolution, Role

#: One frame's duties: one tuple per output, in the row's order.
Duties = tuple[tuple[float, ...], ...]
#: Each output's duty for a perceptual light level, its colour and a motor drive, under caps.
DutiesFor = Callable[[float, Colour, float, Caps], Duties]

BLACK: Colour = (0.0, 0.0, 0.0)
#: Caps that let nothing through: what "off" is worked out under.
NOTHING = Caps(0.0, 0.0, 0.0)


def duties_of(outputs: Sequence[Output]) -> DutiesFor:
    """One call that asks every output for its duty, in order."""
    duty = tuple(output.duty for output in outputs)
    if len(duty) == 1:
        (first,) = duty
        return lambda level, colour, drive, caps: (first(level, colour, drive, caps),)
    if len(duty) == 2:
        first, second = duty
        return lambda level, colour, drive, caps: (
            first(level, colour, drive, caps),
            second(level, colour, drive, caps),
        )
    return lambda level, colour, drive, caps: tuple(
        [each(level, colour, drive, caps) for each in duty]
    )


def quantiser_of(outputs: Sequence[Output]) -> Callable[[Duties], Duties]:
    """One call that puts each output's duties on its resolution's steps (on_step; an output
    of a kind that declares none keeps its duties as they are)."""
    steps = [_steps(output) for output in outputs]

    def quantise(duties: Duties) -> Duties:
        return tuple(
            duty if n is None else tuple([on_step(d, n) for d in duty])
            for duty, n in zip(duties, steps)
        )

    return quantise


#: A duty this many steps or more shows at least one step (see on_step).
FAINTEST_STEPS = 0.01


def on_step(duty: float, steps: int) -> float:
    """A duty on the nearest of ``steps`` steps, but a faint light is not put out: the exhale's
    floor (a duty of 0.0005 after gamma, half a step of 1024; 0.00003 under the night cap)
    shows as one step, so it glows as today and a lit lamp's caps still fade (CapsLookup takes
    new caps at once only when dark). Less than FAINTEST_STEPS of a step (the last whisper of a
    fade, 1e-8) is dark."""
    scaled = duty * steps
    step = round(scaled)
    return (step if step or scaled < FAINTEST_STEPS else 1) / steps


def _steps(output: Output) -> int | None:
    resolution = getattr(output, "resolution", None)
    return resolution.steps if isinstance(resolution, Resolution) else None


def gaps_of(outputs: Sequence[Output], from_real: Callable[[float], float]) -> tuple[float, ...]:
    """The least time between two writes to each output, on the runner's clock (``from_real``
    turns real seconds into its seconds): 1 / per_second, or 0 where the frames set the pace."""
    gaps = []
    for output in outputs:
        resolution = getattr(output, "resolution", None)
        per_second = resolution.per_second if isinstance(resolution, Resolution) else None
        gaps.append(0.0 if per_second is None else from_real(1.0 / per_second))
    return tuple(gaps)


class OutputRow:
    """Outputs in order; ``written``: the duties last put on them (``()``: nothing yet)."""

    def __init__(self, outputs: Sequence[Output]) -> None:
        self.outputs = list(outputs)
        raw, quantise = duties_of(self.outputs), quantiser_of(self.outputs)
        #: Each output's duties for a frame, on its resolution's steps: what is written.
        self.duties: DutiesFor = lambda level, colour, drive, caps: quantise(
            raw(level, colour, drive, caps)
        )
        self.written: Duties = tuple(() for _ in self.outputs)
        self._writes = tuple(output.write for output in self.outputs)
        self._lights = [i for i, output in enumerate(self.outputs) if output.role == Role.LIGHT]
        if len(self._writes) == 2:
            self.write = self._write_two  # type: ignore[method-assign]

    def write(self, duties: Duties) -> None:
        """Put each output's duty on it, if it changed (a steady frame writes nothing)."""
        written = self.written
        if duties != written:
            for write, duty, was in zip(self._writes, duties, written):
                if duty != was:
                    write(duty)
            self.written = duties

    def _write_two(self, duties: Duties) -> None:
        """write() for the usual lamp and motor, unrolled."""
        written = self.written
        if duties != written:
            first, second = duties
            if first != written[0]:
                self._writes[0](first)
            if second != written[1]:
                self._writes[1](second)
            self.written = duties

    def dark(self) -> bool:
        """Whether the lights show nothing now (a box with none is always dark)."""
        written = self.written
        return not any(any(written[i]) for i in self._lights)

    def set(self, role: Role, level: float, colour: Colour, drive: float, caps: Caps) -> None:
        """Put the outputs of one role at a level or drive; the others keep what they show."""
        wanted = self.duties(level, colour, drive, caps)
        self.write(
            tuple(
                new if output.role == role else duty
                for output, new, duty in zip(self.outputs, wanted, self.written)
            )
        )

    def off(self) -> None:
        """Every output at zero, through the same duty and write as a frame."""
        self.write(self.duties(0.0, BLACK, 0.0, NOTHING))
