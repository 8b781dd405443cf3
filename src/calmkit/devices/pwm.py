"""What a one-pin PWM output on gpiozero does whatever it drives (the LED and the motor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from calmkit.devices.claim import claim
from calmkit.devices.output import DeviceSpec


class PwmOutput:
    """One gpiozero PWM device on one pin; a subclass says what a frame's duty is."""

    channels = 1

    def __init__(
        self, spec: DeviceSpec, factory: Any, device_class: Callable[..., Any], what: str
    ) -> None:
        (pin,) = spec.pins
        self.device = claim(
            what,
            spec.key,
            pin,
            lambda: device_class(pin, active_high=spec.active_high, pin_factory=factory),
        )
        self.pins: tuple[Any, ...] = (self.device.pin,)
        self._pin = self.device.pin
        self._high = bool(self.device.active_high)

    def write(self, duty: tuple[float, ...]) -> None:
        """Straight to the pin's duty, as gpiozero's ``value`` would put it there, for a third of
        the cost: duty() has clamped the value already (gpiozero's range check) and calmkit
        never blinks through gpiozero (its blink bookkeeping); active_high is mapped the same
        way (``1 - value``). test_devices proves the pins end up the same."""
        value = duty[0]
        self._pin.state = value if self._high else 1.0 - value

    def off(self) -> None:
        self.device.off()

    def close(self) -> None:
        try:
            self.off()
        finally:
            self.device.close()
