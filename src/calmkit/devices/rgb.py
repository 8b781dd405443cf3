"""An RGB LED, one PWM pin per colour (three gpiozero PWMLEDs, so each reads back): kind ``rgb``."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from calmkit.devices.claim import claim
from calmkit.devices.output import DeviceSpec, Role, level_of, light_scale, read_duty
from calmkit.devices.pwm import PWM_RESOLUTION

if TYPE_CHECKING:
    from calmkit.core.cues import Caps, Colour

COLOURS = ("red", "green", "blue")


class RgbLed:
    """The lamp in the phase's colour: each channel is the level times its colour, then gamma."""

    role = Role.LIGHT
    channels = 3
    resolution = PWM_RESOLUTION  # each colour's pin

    def __init__(self, spec: DeviceSpec, factory: Any) -> None:
        from gpiozero import PWMLED

        self.gamma = spec.gamma
        self.devices: list[Any] = []
        try:
            for colour, pin in zip(COLOURS, spec.pins, strict=True):
                build = functools.partial(
                    PWMLED, pin, active_high=spec.active_high, pin_factory=factory
                )
                self.devices.append(claim(f"the {colour} light", spec.key, pin, build))
        except BaseException:
            self.close()  # the colours claimed before the failure are let go
            raise
        self.pins: tuple[Any, ...] = tuple(led.pin for led in self.devices)
        self._high = all(led.active_high for led in self.devices)

    def duty(self, level: float, colour: Colour, drive: float, caps: Caps) -> tuple[float, ...]:
        scaled = light_scale(level, caps.brightness)
        gamma = self.gamma
        return tuple((scaled * min(1.0, max(0.0, c))) ** gamma for c in colour)

    def write(self, duty: tuple[float, ...]) -> None:
        """Straight to the pins' duty: see PwmOutput.write."""
        if self._high:
            for pin, value in zip(self.pins, duty):
                pin.state = value
        else:
            for pin, value in zip(self.pins, duty):
                pin.state = 1.0 - value

    def shown(self) -> tuple[float, ...]:
        return tuple(level_of(read_duty(led), self.gamma) for led in self.devices)

    def off(self) -> None:
        for led in self.devices:
            led.off()

    def close(self) -> None:
        for led in reversed(self.devices):
            try:
                led.off()
            finally:
                led.close()
