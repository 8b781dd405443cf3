"""A single-colour LED on one PWM pin (gpiozero's PWMLED): kind ``led``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from calmkit.devices.output import DeviceSpec, Role, level_of, light_scale, read_duty
from calmkit.devices.pwm import PwmOutput

if TYPE_CHECKING:
    from calmkit.core.cues import Caps, Colour


class GpioLed(PwmOutput):
    """The lamp: a perceptual level under the brightness cap, then gamma, as PWM duty."""

    role = Role.LIGHT

    def __init__(self, spec: DeviceSpec, factory: Any) -> None:
        from gpiozero import PWMLED

        super().__init__(spec, factory, PWMLED, "the light")
        self.gamma = spec.gamma

    def duty(self, level: float, colour: Colour, drive: float, caps: Caps) -> tuple[float, ...]:
        return (light_scale(level, caps.brightness) ** self.gamma,)

    def shown(self) -> tuple[float, ...]:
        return (level_of(read_duty(self.device), self.gamma),)
