"""The comfort limit on the outputs that vibrate: each motor-role Output the runner drives is
wrapped, so every write passes core.comfort's guard on the runner's clock before it reaches the
pin or the bus (a write the guard refuses puts 0 there instead)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from calmkit.core.comfort import MARGIN_S, STEADY_S, ComfortGuard
from calmkit.core.cues import Caps, Colour
from calmkit.devices import Output, Role


class Comfortable:
    """An Output that vibrates, under the comfort limit; everything else is passed through."""

    def __init__(self, output: Output, now: Callable[[], float], guard: ComfortGuard) -> None:
        self.output = output
        self.now = now
        self.guard = guard
        self.role = output.role
        self.channels = output.channels

    @property
    def pins(self) -> tuple[Any, ...]:
        return self.output.pins

    def duty(self, level: float, colour: Colour, drive: float, caps: Caps) -> tuple[float, ...]:
        return self.output.duty(level, colour, drive, caps)

    def write(self, duty: tuple[float, ...]) -> None:
        on = any(value > 0 for value in duty)
        if self.guard.allow(self.now(), on):
            self.output.write(duty)
        else:
            self.output.write(tuple(0.0 for _ in duty))

    def shown(self) -> tuple[float, ...]:
        return self.output.shown()

    def off(self) -> None:
        self.guard.allow(self.now(), False)
        self.output.off()

    def close(self) -> None:
        self.guard.allow(self.now(), False)
        self.output.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.output, name)  # a device's own extras (a haptic's bus, its driver)


def comfortable(
    outputs: Sequence[Output], now: Callable[[], float], frame_s: float = MARGIN_S - STEADY_S
) -> list[Output]:
    """The outputs, those that vibrate wrapped in the comfort limit (one guard each); between
    two writes a frame of ``frame_s`` may pass besides a pattern's steady touch."""
    margin = STEADY_S + max(0.0, frame_s)
    return [
        Comfortable(output, now, ComfortGuard(margin)) if output.role == Role.MOTOR else output
        for output in outputs
    ]
