"""What every device of the box is to the rest of calmkit: an Output (a light, a motor) or an
Input (a button), described by a DeviceSpec and built by its kind (see kinds.py).

An Output turns one frame (perceptual light level, colour, motor drive, the caps of the moment)
into its own duties, puts them on the device, and reads back what the device shows, so the
simulators draw the real device and never reach for its pins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from calmkit.core.cues import Caps, Colour

EdgeCallback = Callable[[bool], None]


class Role(StrEnum):
    """Which part of a frame an output shows (the simulators draw each role in its place)."""

    LIGHT = "light"
    MOTOR = "motor"


@dataclass(frozen=True)
class DeviceSpec:
    """One device as the config fits it: its kind, the config key that names it (for messages
    with the fix), its GPIO pins (or, for a chip on the I2C bus, its address), and how it is
    wired."""

    kind: str
    key: str
    pins: tuple[int, ...]
    gamma: float = 2.2  # a light's: perceptual level to PWM duty
    active_high: bool = True  # False: the device is on when its pin is low
    address: int | None = None  # an I2C chip's 7-bit address (then it has no pins)
    options: tuple[tuple[str, str], ...] = ()  # the kind's options (the haptic's actuator)

    def option(self, key: str, default: str) -> str:
        return dict(self.options).get(key, default)


#: Updates a second a finger can feel on a vibration: more feel no smoother (a haptic's cap).
TOUCH_PER_SECOND = 25.0


@dataclass(frozen=True)
class Resolution:
    """How finely an output's written value moves: the runner wakes only when a frame would
    change it by at least one step (shell/frames.py), and at most ``per_second`` times a second
    of real time (None: as often as the frames, light.fps).

    ``steps``: the written value is ``round(duty * steps) / steps``; a device whose value is
    not a step of this grid is never written a value it cannot show.
    """

    steps: int
    per_second: float | None = None

    def __post_init__(self) -> None:
        if self.steps < 1 or (self.per_second is not None and self.per_second <= 0):
            raise ValueError(f"a resolution needs steps >= 1 and per_second > 0: {self}")


class Output(Protocol):
    """A device that shows frames: a light or a motor."""

    #: How finely its value moves (see Resolution); one of another kind without it is written
    #: every change, as finely as a float.
    resolution: Resolution

    @property
    def role(self) -> Role: ...

    @property
    def channels(self) -> int:
        """How many duties it takes a frame (an RGB LED: 3)."""
        ...

    @property
    def pins(self) -> tuple[Any, ...]:
        """The pins it drives (none for a bus device): their history is cleared in long runs."""
        ...

    def duty(self, level: float, colour: Colour, drive: float, caps: Caps) -> tuple[float, ...]:
        """Its duties (0..1 each) for a frame: what write() then puts on the device."""
        ...

    def write(self, duty: tuple[float, ...]) -> None:
        """Put duties from duty() on the device (every frame that changes: keep it cheap)."""
        ...

    def shown(self) -> tuple[float, ...]:
        """What the device shows now, read back from it in the frame's terms: a light's level
        per channel (gamma undone), a motor's drive. Nothing (zeros) once closed."""
        ...

    def off(self) -> None: ...

    def close(self) -> None:
        """Off, then let the device go (it must not stay lit or buzzing)."""
        ...


class Input(Protocol):
    """A device a person works: today a button."""

    @property
    def pins(self) -> tuple[Any, ...]: ...

    def on_edge(self, callback: EdgeCallback) -> None:
        """Call ``callback(pressed)`` on every edge (from gpiozero's thread)."""
        ...

    def pressed(self) -> bool:
        """Whether it is held down now, read back from the device."""
        ...

    def close(self) -> None: ...


def light_scale(level: float, cap: float) -> float:
    """A perceptual level under the brightness cap, both clamped to 0..1."""
    return (0.0 if level < 0.0 else 1.0 if level > 1.0 else level) * (
        0.0 if cap < 0.0 else 1.0 if cap > 1.0 else cap
    )


def motor_scale(drive: float, cap: float) -> float:
    """A motor drive under the vibration cap, both clamped to 0..1."""
    return min(1.0, max(0.0, drive)) * min(1.0, max(0.0, cap))


def level_of(duty: float, gamma: float) -> float:
    """The perceptual level a light's duty shows (its gamma undone)."""
    return duty ** (1.0 / gamma) if duty > 0 else 0.0


def read_duty(device: Any) -> float:
    """A gpiozero output's value read through gpiozero (which maps active_high back), 0 once
    it is closed: the read-back the simulators draw, independent of the write shortcut."""
    from gpiozero.exc import GPIOZeroError

    try:
        value = device.value
    except GPIOZeroError:  # closed, maybe on another thread just now
        return 0.0
    return float(value) if value is not None else 0.0
