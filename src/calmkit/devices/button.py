"""A push button to ground on one pin, pulled up: kind ``button``.

Read as a plain DigitalInputDevice (a gpiozero Button starts a thread that polls for holds); its
callbacks only hand the edge on, and gestures.py decides what it meant. The mock pins do not
debounce either: gestures.py does that on the clock.
"""

from __future__ import annotations

from typing import Any

from calmkit.devices.claim import claim
from calmkit.devices.output import DeviceSpec, EdgeCallback


class Button:
    """One button; ``pin`` is what the simulators drive (``drive_low()`` is a press)."""

    def __init__(self, spec: DeviceSpec, factory: Any) -> None:
        from gpiozero import DigitalInputDevice

        (pin,) = spec.pins
        self.device = claim(
            "the button",
            spec.key,
            pin,
            lambda: DigitalInputDevice(pin, pull_up=True, bounce_time=None, pin_factory=factory),
        )
        self.pin = self.device.pin
        self.pins: tuple[Any, ...] = (self.pin,)

    def on_edge(self, callback: EdgeCallback) -> None:
        self.device.when_activated = lambda: callback(True)
        self.device.when_deactivated = lambda: callback(False)

    def pressed(self) -> bool:
        from gpiozero.exc import GPIOZeroError

        try:
            return bool(self.device.value)  # pulled up: gpiozero reads a low pin as 1
        except GPIOZeroError:  # closed
            return False

    def close(self) -> None:
        self.device.close()
