"""The devices on their pins: light, button(s), vibration motor, through gpiozero.

Every device gets the pin factory passed in: gpiozero's default (lgpio on a Pi 5 / Bookworm) on
real pins, ``MockFactory(pin_class=MockPWMPin)`` for simulation and tests; nothing is patched.
The button is read as a plain DigitalInputDevice (a gpiozero Button starts a thread that polls
for holds); its callbacks only hand the edge on, and gestures.py decides what it meant.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calmkit.config import HardwareConfig, RGBPins
from calmkit.cues import Colour
from calmkit.errors import HardwareError

log = logging.getLogger("calmkit.hardware")

EdgeCallback = Callable[[bool], None]


@dataclass(frozen=True)
class PinChoice:
    """The pin factory to use and why, so the command line can tell the person."""

    factory: Any
    mock: bool
    note: str = ""


def has_gpio(root: Path = Path("/")) -> bool:
    """Whether this machine has GPIO chips calmkit can drive (a Raspberry Pi or alike)."""
    return any((root / "dev").glob("gpiochip*"))


def mock_factory() -> Any:
    from gpiozero.pins.mock import MockFactory, MockPWMPin

    return MockFactory(pin_class=MockPWMPin)


def choose_pins(mode: str, root: Path = Path("/")) -> PinChoice:
    """Real pins when asked for (or found, with ``auto``), else gpiozero's mock pins."""
    if mode == "mock":
        return PinChoice(mock_factory(), True)
    if not has_gpio(root):
        if mode == "real":
            raise HardwareError(
                "no GPIO chip found on this machine (/dev/gpiochip*); run calmkit on a "
                "Raspberry Pi, or use --sim to try it on mock pins"
            )
        return PinChoice(
            mock_factory(), True, "No GPIO on this machine: running on simulated (mock) pins."
        )
    refused = [chip for chip in sorted((root / "dev").glob("gpiochip*")) if not _usable(chip)]
    if refused:
        raise HardwareError(
            f"no permission to use {refused[0]}; add this user to the gpio group: "
            f"sudo usermod -aG gpio {os.environ.get('USER', 'USER')}, then log in again"
        )
    from gpiozero import Device

    try:
        with warnings.catch_warnings():  # gpiozero warns for each backend it falls back from
            warnings.simplefilter("ignore")
            Device.ensure_pin_factory()
        factory = Device.pin_factory
    except Exception as error:  # gpiozero raises several kinds here; all mean "no usable backend"
        raise HardwareError(
            f"could not open the GPIO pins ({error}); install the pin library "
            f"(sudo apt install python3-lgpio) and check `calmkit doctor`"
        ) from error
    return PinChoice(factory, False)


def _usable(chip: Path) -> bool:
    return os.access(chip, os.R_OK | os.W_OK)


def _claim(what: str, key: str, pin: int, build: Callable[[], Any]) -> Any:
    """Build one device, turning gpiozero's failures into a one-line message with the fix."""
    from gpiozero.exc import GPIOPinInUse, GPIOZeroError, PinInvalidPin

    try:
        return build()
    except GPIOPinInUse as error:
        raise HardwareError(
            f"GPIO{pin} ({what}) is already in use by another program; stop it "
            f"(another calmkit?) or choose another pin for {key} in the config"
        ) from error
    except PermissionError as error:
        raise HardwareError(
            f"no permission to use GPIO{pin} ({what}); add this user to the gpio group: "
            f"sudo usermod -aG gpio {os.environ.get('USER', 'USER')}, then log in again"
        ) from error
    except PinInvalidPin as error:
        raise HardwareError(f"GPIO{pin} ({what}) is not a usable pin: check {key}") from error
    except (GPIOZeroError, OSError) as error:
        text = str(error)
        if "ermission" in text:
            raise HardwareError(
                f"no permission to use GPIO{pin} ({what}); add this user to the gpio group: "
                f"sudo usermod -aG gpio {os.environ.get('USER', 'USER')}, then log in again"
            ) from error
        raise HardwareError(f"could not set up GPIO{pin} ({what}) for {key}: {text}") from error


class Devices:
    """The outputs and inputs of one calmkit box."""

    def __init__(self, config: HardwareConfig, factory: Any, gamma: float = 2.2) -> None:
        from gpiozero import PWMLED, DigitalInputDevice, PWMOutputDevice

        self.gamma = gamma
        self._closed = False
        self._devices: list[Any] = []
        self.rgb = isinstance(config.light, RGBPins)
        try:
            # an RGB light is three PWM LEDs (one per colour), so each pin can be read back
            self.lights: list[Any] = []
            light_pins = (
                [
                    ("red", config.light.red),
                    ("green", config.light.green),
                    ("blue", config.light.blue),
                ]
                if isinstance(config.light, RGBPins)
                else [("", config.light)]
            )
            for colour, pin in light_pins:
                what = f"the {colour} light" if colour else "the light"
                led = _claim(
                    what, "hardware.light", pin, lambda pin=pin: PWMLED(pin, pin_factory=factory)
                )
                self.lights.append(led)
                self._devices.append(led)
            self.buttons = []
            for key, pin in (
                ("hardware.button", config.button),
                ("hardware.second_button", config.second_button),
            ):
                if pin is None:
                    continue
                button = _claim(
                    "the button",
                    key,
                    pin,
                    lambda pin=pin: DigitalInputDevice(
                        pin, pull_up=True, bounce_time=None, pin_factory=factory
                    ),
                )
                self.buttons.append(button)
                self._devices.append(button)
            self.motor: Any = None
            if config.vibration is not None:
                pin = config.vibration
                self.motor = _claim(
                    "the vibration motor",
                    "hardware.vibration",
                    pin,
                    lambda: PWMOutputDevice(pin, pin_factory=factory),
                )
                self._devices.append(self.motor)
        except HardwareError:
            self.close()
            raise
        self._light_value: Any = None
        self._motor_value = 0.0
        # write() sets the pins' duty directly: see there
        self._light_pins = [led.pin for led in self.lights]
        self._motor_pins = [] if self.motor is None else [self.motor.pin]

    # --- outputs ------------------------------------------------------------------------------

    def light_duty(self, level: float, colour: Colour, cap: float) -> tuple[float, ...]:
        """PWM duty for a perceptual level under a cap: one value, or red, green and blue."""
        scaled = (0.0 if level < 0.0 else 1.0 if level > 1.0 else level) * (
            0.0 if cap < 0.0 else 1.0 if cap > 1.0 else cap
        )
        if self.rgb:
            return tuple((scaled * min(1.0, max(0.0, c))) ** self.gamma for c in colour)
        return (scaled**self.gamma,)

    def motor_duty(self, drive: float, cap: float) -> float:
        return min(1.0, max(0.0, drive)) * min(1.0, max(0.0, cap))

    def write(self, light: tuple[float, ...], motor: float) -> None:
        """Put duties worked out by light_duty() and motor_duty() on the pins.

        Runs every frame, so it does the least: an unchanged value costs no write, and a value
        goes straight to the pin's duty (gpiozero's ``Pin.state``), which is all a PWMLED's
        ``value`` does after its range check (the duties here are clamped already) and its
        blink bookkeeping (calmkit never blinks through gpiozero): a third of the calls.
        """
        if light != self._light_value:
            for pin, value in zip(self._light_pins, light):
                pin.state = value
            self._light_value = light
        if motor != self._motor_value:
            for pin in self._motor_pins:
                pin.state = motor
            self._motor_value = motor

    def set_light(self, level: float, colour: Colour, cap: float) -> None:
        self.write(self.light_duty(level, colour, cap), self._motor_value)

    def set_motor(self, drive: float, cap: float) -> None:
        if self.motor is not None:
            self.write(self._light_value, self.motor_duty(drive, cap))

    def off(self) -> None:
        """Light and motor off (on the way out, and whenever something went wrong)."""
        if self._closed:
            return
        self.set_light(0.0, (0.0, 0.0, 0.0), 0.0)
        self.set_motor(0.0, 0.0)

    # --- inputs -------------------------------------------------------------------------------

    def on_edge(self, callback: EdgeCallback) -> None:
        """Call ``callback(pressed)`` on every edge of any button (from gpiozero's thread)."""
        for button in self.buttons:
            button.when_activated = lambda callback=callback: callback(True)
            button.when_deactivated = lambda callback=callback: callback(False)

    @property
    def light_pins(self) -> list[Any]:
        """The light's pins: one, or red, green and blue."""
        return [led.pin for led in self.lights]

    @property
    def button_pin(self) -> Any:
        return self.buttons[0].pin

    @property
    def motor_pin(self) -> Any:
        return None if self.motor is None else self.motor.pin

    def clear_history(self) -> None:
        """Mock pins keep every state change: a long simulated run must drop them."""
        for pin in [*self.light_pins, self.motor_pin, *(b.pin for b in self.buttons)]:
            if pin is not None and hasattr(pin, "clear_states"):
                pin.clear_states()

    def close(self) -> None:
        if self._closed:
            return
        for device in reversed(self._devices):
            try:
                if hasattr(device, "value") and device not in getattr(self, "buttons", []):
                    device.off()
                device.close()
            except Exception:  # closing must never stop the rest from closing
                log.debug("closing %r failed", device, exc_info=True)
        self._closed = True
