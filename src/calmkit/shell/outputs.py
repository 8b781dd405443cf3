"""The runner's outputs as one row: each output's duty for a frame, written where it changed.

The runner drives a list of calmkit.devices.Output (a lamp, an RGB lamp, a motor, or a kind it
has never heard of) only through that interface: ``duty()`` for a frame, ``write()`` for the
duties that changed. This runs 50 times a second, so the usual one or two outputs get calls
with no loop in them (measured: a loop over two outputs cost more than the rest of the write).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from calmkit.core.cues import Caps, Colour
from calmkit.devices import Output, Role

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


class OutputRow:
    """Outputs in order; ``written``: the duties last put on them (``()``: nothing yet)."""

    def __init__(self, outputs: Sequence[Output]) -> None:
        self.outputs = list(outputs)
        self.duties: DutiesFor = duties_of(self.outputs)
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
        self.write(
            tuple(
                output.duty(level, colour, drive, caps) if output.role == role else duty
                for output, duty in zip(self.outputs, self.written)
            )
        )

    def off(self) -> None:
        """Every output at zero, through the same duty and write as a frame."""
        self.write(self.duties(0.0, BLACK, 0.0, NOTHING))
