"""The settings that are pure values (pins, levels, times), as frozen dataclasses, and the kinds
of output a config can name.

They live in the core so that the devices hold their settings without the YAML stack that reads
them (calmkit.config). The settings that name files (sound, journal, reach-out, and the whole
Config with its sources) stay in calmkit.config.settings: the core names no files.

``KINDS`` is the one table of output kinds: the config checks a ``hardware.outputs`` entry
against its row, and calmkit.devices builds the device from the same row. Adding an output device
is one new file in calmkit/devices/ with its class, and one row here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# --- the kinds of output --------------------------------------------------------------------


@dataclass(frozen=True)
class OutputKind:
    """How one kind of output is wired, and where its class is.

    ``builder`` is "module:Class"; calmkit.devices imports it only when a box is built, so that
    checking a config never loads a driver. ``pins`` names its GPIO pins: one pin is written
    ``pin: 22``, several ``pins: {red: 12, green: 16, blue: 19}``, and such a kind also takes
    ``active_high``. A chip on the I2C bus has no pins but an ``address``: this is its default
    (a chip's address is mostly fixed), and the config may give another.
    """

    builder: str
    pins: tuple[str, ...] = ()
    address: int | None = None
    #: words the entry may set beside its wiring: key -> the words it takes (the first is the
    #: default), e.g. the haptic's ``actuator: lra`` or ``erm``
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        if bool(self.pins) == (self.address is not None):
            raise ValueError("an output kind has GPIO pins or an I2C address, not both")

    def keys(self) -> tuple[str, ...]:
        """The keys an entry of this kind takes (``kind`` first)."""
        extra = tuple(key for key, _ in self.options)
        if self.address is not None:
            return ("kind", "address", *extra)
        return ("kind", "pin" if len(self.pins) == 1 else "pins", "active_high", *extra)


#: kind -> how it is wired and which class drives it (see calmkit.devices.kinds).
KINDS: dict[str, OutputKind] = {
    "led": OutputKind("calmkit.devices.led:GpioLed", pins=("pin",)),
    "rgb": OutputKind("calmkit.devices.rgb:RgbLed", pins=("red", "green", "blue")),
    "motor": OutputKind("calmkit.devices.motor:Motor", pins=("pin",)),
    "haptic": OutputKind(
        "calmkit.devices.haptic:Haptic",
        address=0x5A,
        # the motor the DRV2605L drives: a linear resonant actuator or an eccentric mass
        options=(("actuator", ("lra", "erm")),),
    ),
}

#: The GPIO (BCM) pins of a Raspberry Pi's I2C bus 1 (SDA, SCL), taken once any I2C chip is used.
I2C_PINS = (2, 3)

# --- the settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RGBPins:
    """A common-cathode RGB LED's three PWM pins."""

    red: int
    green: int
    blue: int


@dataclass(frozen=True)
class OutputConfig:
    """One entry of ``hardware.outputs``: a device named by its kind (a row of KINDS).

    ``key`` is where the config names it ("hardware.outputs[0]"), for messages with the fix;
    ``pins`` are in the order the kind names them.
    """

    kind: str
    key: str
    pins: tuple[int, ...] = ()
    address: int | None = None
    active_high: bool = True
    options: tuple[tuple[str, str], ...] = ()  # the kind's options, as written or default


@dataclass(frozen=True)
class HardwareConfig:
    """GPIO (BCM) pins; ``pins`` is "auto" (real pins on a Pi, mock elsewhere) or "mock".

    ``outputs`` are the devices named by kind, fitted after light, buttons and vibration.
    """

    pins: str
    light: int | RGBPins | None  # None: no lamp (a wearable)
    button: int
    second_button: int | None
    vibration: int | None
    outputs: tuple[OutputConfig, ...] = ()
    #: a MAX17048 fuel gauge's I2C address (a wearable's battery); None: no battery
    battery: int | None = None


@dataclass(frozen=True)
class LightConfig:
    brightness: float
    floor: float
    gamma: float
    fps: int


@dataclass(frozen=True)
class VibrationConfig:
    enabled: bool
    strength: float


@dataclass(frozen=True)
class NightConfig:
    """The night window (it may wrap midnight) and the caps on light, sound and motor in it."""

    start: datetime.time
    end: datetime.time
    brightness: float
    volume: float
    vibration: float


@dataclass(frozen=True)
class GestureConfig:
    hold_s: float
    double_s: float
    debounce_s: float


@dataclass(frozen=True)
class FlowConfig:
    quiet_offer_s: float
    helped_s: float
    pause_limit_s: float
    quiet_time: bool  # quiet time offered after a session and as the last "not helping"
