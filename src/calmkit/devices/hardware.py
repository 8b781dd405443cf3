"""The box: which pins to use, and its devices (calmkit.devices) as one thing to drive.

Every device gets the pin factory passed in: gpiozero's default (lgpio on a Pi 5 / Bookworm) on
real pins, ``MockFactory(pin_class=MockPWMPin)`` for simulation and tests; nothing is patched.
Devices is a thin composite over the outputs and buttons the config fits: the runner takes its
``outputs`` list and drives each Output itself (shell.outputs.OutputRow); Devices reads back
what they show, wires the buttons, closes everything, and keeps a light-and-motor way to set
them by hand (set_light, set_motor, light_duty, motor_duty, write) for tools and tests.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calmkit.core.cues import Caps, Colour
from calmkit.core.errors import HardwareError
from calmkit.devices import EdgeCallback, Input, Output, Role, close_all, fit, specs_for
from calmkit.devices.output import motor_scale

if TYPE_CHECKING:  # the settings dataclasses only: the box needs no YAML
    from calmkit.core.settings import HardwareConfig

log = logging.getLogger("calmkit.devices.hardware")


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


@dataclass(frozen=True)
class Shown:
    """What the box shows now, read back from its devices (for the simulators)."""

    light: tuple[float, ...]  # each light channel's perceptual level (gamma undone)
    motor: float | None  # the motor's drive; None when none is fitted
    pressed: bool  # the (first) button is down


class Devices:
    """The outputs and inputs of one calmkit box."""

    def __init__(self, config: HardwareConfig, factory: Any, gamma: float = 2.2) -> None:
        self._take(*fit(specs_for(config, gamma), factory), gamma=gamma)

    @classmethod
    def of(cls, outputs: list[Output], buttons: list[Input], gamma: float = 2.2) -> Devices:
        """A box of devices built already (``calmkit.devices.fit``), of any kinds."""
        devices = cls.__new__(cls)
        devices._take(outputs, buttons, gamma=gamma)
        return devices

    def _take(self, outputs: list[Output], buttons: list[Input], gamma: float) -> None:
        self.gamma = gamma
        self._closed = False
        self.outputs = outputs
        self.buttons = buttons
        self.lights = [o for o in outputs if o.role == Role.LIGHT]
        self.motors = [o for o in outputs if o.role == Role.MOTOR]
        self.motor = self.motors[0] if self.motors else None
        self.rgb = any(o.channels == 3 for o in self.lights)
        # the frame path: one light (the usual) takes the whole duty tuple, several their slices
        self._one_light = self.lights[0] if len(self.lights) == 1 else None
        self._light_slices: list[tuple[Output, int, int]] = []
        start = 0
        for light in self.lights:
            self._light_slices.append((light, start, start + light.channels))
            start += light.channels
        self._light_value: tuple[float, ...] = ()  # nothing written yet
        self._motor_value = 0.0
        self._light_cap: float | None = None
        self._light_caps = Caps(1.0, 1.0, 1.0)
        self._motor_cap: float | None = None
        self._motor_caps = Caps(1.0, 1.0, 1.0)

    # --- outputs ------------------------------------------------------------------------------

    def light_duty(self, level: float, colour: Colour, cap: float) -> tuple[float, ...]:
        """PWM duty for a perceptual level under a cap: one value, or red, green and blue."""
        if cap != self._light_cap:  # caps change rarely: no Caps built per frame
            self._light_cap, self._light_caps = cap, Caps(cap, 1.0, 1.0)
        if self._one_light is not None:
            return self._one_light.duty(level, colour, 0.0, self._light_caps)
        duty: tuple[float, ...] = ()
        for light in self.lights:
            duty += light.duty(level, colour, 0.0, self._light_caps)
        return duty

    def motor_duty(self, drive: float, cap: float) -> float:
        if self.motor is None:
            return motor_scale(drive, cap)
        if cap != self._motor_cap:
            self._motor_cap, self._motor_caps = cap, Caps(1.0, 1.0, cap)
        return self.motor.duty(0.0, (0.0, 0.0, 0.0), drive, self._motor_caps)[0]

    def write(self, light: tuple[float, ...], motor: float) -> None:
        """Put duties worked out by light_duty() and motor_duty() on the devices.

        Runs every frame, so it does the least: an unchanged value costs no write, and each
        output puts its duty straight on its pins (see PwmOutput.write).
        """
        if light != self._light_value:
            if self._one_light is not None:
                self._one_light.write(light)
            else:
                for output, start, stop in self._light_slices:
                    output.write(light[start:stop])
            self._light_value = light
        if motor != self._motor_value:
            duty = (motor,)
            for output in self.motors:
                output.write(duty)
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

    def shown(self) -> Shown:
        """What the devices show now, read back through them (from any thread)."""
        light: tuple[float, ...] = ()
        for output in self.lights:
            light += output.shown()
        motor = self.motor.shown()[0] if self.motor is not None else None
        pressed = self.buttons[0].pressed() if self.buttons else False
        return Shown(light, motor, pressed)

    # --- inputs -------------------------------------------------------------------------------

    def on_edge(self, callback: EdgeCallback) -> None:
        """Call ``callback(pressed)`` on every edge of any button (from gpiozero's thread)."""
        for button in self.buttons:
            button.on_edge(callback)

    @property
    def light_pins(self) -> list[Any]:
        """The light's pins: one, or red, green and blue."""
        return [pin for light in self.lights for pin in light.pins]

    @property
    def button_pin(self) -> Any:
        """The first button's pin: what the simulators drive for a press."""
        return self.buttons[0].pins[0]

    @property
    def motor_pin(self) -> Any:
        """The motor's GPIO pin, or None: no motor, or one on the I2C bus (a haptic driver)."""
        return None if self.motor is None or not self.motor.pins else self.motor.pins[0]

    def clear_history(self) -> None:
        """Mock pins keep every state change: a long simulated run must drop them."""
        devices: list[Output | Input] = [*self.outputs, *self.buttons]
        for device in devices:
            for pin in device.pins:
                if pin is not None and hasattr(pin, "clear_states"):
                    pin.clear_states()

    def close(self) -> None:
        if self._closed:
            return
        close_all([*self.outputs, *self.buttons])
        self._closed = True
