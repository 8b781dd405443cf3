"""A vibration motor on one PWM pin (gpiozero's PWMOutputDevice): kind ``motor``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from calmkit.devices.output import DeviceSpec, Role, motor_scale, read_duty
from calmkit.devices.pwm import PwmOutput

if TYPE_CHECKING:
    from calmkit.core.cues import Caps, Colour


class Motor(PwmOutput):
    """The drive under the vibration cap, as PWM duty (no gamma)."""

    role = Role.MOTOR

    def __init__(self, spec: DeviceSpec, factory: Any) -> None:
        from gpiozero import PWMOutputDevice

        super().__init__(spec, factory, PWMOutputDevice, "the vibration motor")

    def duty(self, level: float, colour: Colour, drive: float, caps: Caps) -> tuple[float, ...]:
        return (motor_scale(drive, caps.vibration),)

    def shown(self) -> tuple[float, ...]:
        return (read_duty(self.device),)
