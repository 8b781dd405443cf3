"""A vibration motor on one PWM pin (gpiozero's PWMOutputDevice): kind ``motor``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from calmkit.devices.claim import claim
from calmkit.devices.output import DeviceSpec, Role, motor_scale, read_duty

if TYPE_CHECKING:
    from calmkit.cues import Caps, Colour


class Motor:
    """The drive under the vibration cap, as PWM duty (no gamma: skin feels it roughly so)."""

    role = Role.MOTOR
    channels = 1

    def __init__(self, spec: DeviceSpec, factory: Any) -> None:
        from gpiozero import PWMOutputDevice

        (pin,) = spec.pins
        self.device = claim(
            "the vibration motor",
            spec.key,
            pin,
            lambda: PWMOutputDevice(pin, active_high=spec.active_high, pin_factory=factory),
        )
        self.pins: tuple[Any, ...] = (self.device.pin,)
        self._pin = self.device.pin
        self._high = bool(self.device.active_high)

    def duty(self, level: float, colour: Colour, drive: float, caps: Caps) -> tuple[float, ...]:
        return (motor_scale(drive, caps.vibration),)

    def write(self, duty: tuple[float, ...]) -> None:
        """Straight to the pin's duty: see GpioLed.write."""
        value = duty[0]
        self._pin.state = value if self._high else 1.0 - value

    def shown(self) -> tuple[float, ...]:
        return (read_duty(self.device),)

    def off(self) -> None:
        self.device.off()

    def close(self) -> None:
        try:
            self.off()
        finally:
            self.device.close()
