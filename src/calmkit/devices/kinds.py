"""The registry of device kinds, and today's hardware settings as a list of devices.

Adding a device is one new file with its class (an Output or an Input, see output.py) and one
row here; the config then names the kind. Everything else (the runner's frames, the simulators'
read-back, closing, clearing the mock pins' history) goes through the interface.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from calmkit.core.errors import HardwareError
from calmkit.devices.button import Button
from calmkit.devices.led import GpioLed
from calmkit.devices.motor import Motor
from calmkit.devices.output import DeviceSpec, Input, Output
from calmkit.devices.rgb import RgbLed

if TYPE_CHECKING:
    from calmkit.config import HardwareConfig

log = logging.getLogger("calmkit.devices.hardware")

#: kind -> the class that builds it from its spec and a gpiozero pin factory.
OUTPUT_KINDS: dict[str, Callable[[DeviceSpec, Any], Output]] = {
    "led": GpioLed,
    "rgb": RgbLed,
    "motor": Motor,
}
INPUT_KINDS: dict[str, Callable[[DeviceSpec, Any], Input]] = {
    "button": Button,
}


def specs_for(hardware: HardwareConfig, gamma: float = 2.2) -> list[DeviceSpec]:
    """The devices today's ``hardware:`` settings fit, in the order their pins are claimed."""
    light = hardware.light
    specs = [
        DeviceSpec("led", "hardware.light", (light,), gamma=gamma)
        if isinstance(light, int)
        else DeviceSpec("rgb", "hardware.light", (light.red, light.green, light.blue), gamma=gamma),
        DeviceSpec("button", "hardware.button", (hardware.button,)),
    ]
    if hardware.second_button is not None:
        specs.append(DeviceSpec("button", "hardware.second_button", (hardware.second_button,)))
    if hardware.vibration is not None:
        specs.append(DeviceSpec("motor", "hardware.vibration", (hardware.vibration,)))
    return specs


def fit(
    specs: Iterable[DeviceSpec],
    factory: Any,
    outputs: Mapping[str, Callable[[DeviceSpec, Any], Output]] = OUTPUT_KINDS,
    inputs: Mapping[str, Callable[[DeviceSpec, Any], Input]] = INPUT_KINDS,
) -> tuple[list[Output], list[Input]]:
    """Build every device, in order; if one fails, the ones built before it are let go."""
    built_outputs: list[Output] = []
    built_inputs: list[Input] = []
    built: list[Output | Input] = []
    try:
        for spec in specs:
            if spec.kind in outputs:
                output = outputs[spec.kind](spec, factory)
                built_outputs.append(output)
                built.append(output)
            elif spec.kind in inputs:
                device = inputs[spec.kind](spec, factory)
                built_inputs.append(device)
                built.append(device)
            else:
                known = ", ".join(sorted([*outputs, *inputs]))
                raise HardwareError(
                    f"{spec.key}: calmkit has no device of kind {spec.kind!r} (it knows {known})"
                )
    except BaseException:
        close_all(built)
        raise
    return built_outputs, built_inputs


def close_all(devices: Iterable[Output | Input]) -> None:
    """Close in reverse order; one failing never stops the rest from closing."""
    for device in reversed(list(devices)):
        try:
            device.close()
        except Exception:
            log.debug("closing %r failed", device, exc_info=True)
