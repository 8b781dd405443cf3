"""A single-colour LED on one PWM pin (gpiozero's PWMLED): kind ``led``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from calmkit.devices.claim import claim
from calmkit.devices.output import DeviceSpec, Role, level_of, light_scale, read_duty

if TYPE_CHECKING:
    from calmkit.cues import Caps, Colour


class GpioLed:
    """The lamp: a perceptual level under the brightness cap, then gamma, as PWM duty."""

    role = Role.LIGHT
    channels = 1

    def __init__(self, spec: DeviceSpec, factory: Any, what: str = "the light") -> None:
        from gpiozero import PWMLED

        (pin,) = spec.pins
        self.gamma = spec.gamma
        self.device = claim(
            what,
            spec.key,
            pin,
            lambda: PWMLED(pin, active_high=spec.active_high, pin_factory=factory),
        )
        self.pins: tuple[Any, ...] = (self.device.pin,)
        self._pin = self.device.pin
        self._high = bool(self.device.active_high)

    def duty(self, level: float, colour: Colour, drive: float, caps: Caps) -> tuple[float, ...]:
        return (light_scale(level, caps.brightness) ** self.gamma,)

    def write(self, duty: tuple[float, ...]) -> None:
        """Straight to the pin's duty, as PWMLED.value would put it there, for a third of the
        cost: duty() has clamped the value already (gpiozero's range check) and calmkit never
        blinks through gpiozero (its blink bookkeeping); active_high is mapped the same way
        (``1 - value``). test_devices proves the pins end up the same."""
        value = duty[0]
        self._pin.state = value if self._high else 1.0 - value

    def shown(self) -> tuple[float, ...]:
        return (level_of(read_duty(self.device), self.gamma),)

    def off(self) -> None:
        self.device.off()

    def close(self) -> None:
        try:
            self.off()
        finally:
            self.device.close()
