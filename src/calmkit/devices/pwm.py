"""What a one-pin PWM output on gpiozero does whatever it drives (the LED and the motor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from calmkit.devices.claim import claim
from calmkit.devices.output import DeviceSpec, Resolution

#: The PWM duty steps calmkit writes to a pin: 10 bits. What gpiozero 2.0's pin factories give
#: at its default 100 Hz, read in their code: lgpio (the default on a Pi 5 and on Bookworm)
#: sends whole percent (``int(value * 100)``: 100 steps); RPi.GPIO and rpi-lgpio take a float
#: percent, timed in microseconds (10 000 steps a 10 ms period); pigpio is set to a range of
#: 10 000, which its 5 us sampling makes 2 000 real steps. 1024 is finer than 8 bits and than
#: the default factory, so the lamp is never coarser than its pin shows, and it leaves the
#: simulators smooth; a finer step than the pin's writes a few values the pin shows alike.
PWM_STEPS = 1024
PWM_RESOLUTION = Resolution(PWM_STEPS)


class PwmOutput:
    """One gpiozero PWM device on one pin; a subclass says what a frame's duty is."""

    channels = 1
    resolution = PWM_RESOLUTION

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
