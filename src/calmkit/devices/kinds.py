"""The registry of device kinds, and the hardware settings as a list of devices.

The output kinds are one table, calmkit.core.settings.KINDS: the config checks an entry of
``hardware.outputs`` against its row, and OUTPUT_KINDS here builds the device from the same row.
Adding an output device is one new file here with its class (an Output, see output.py) and one
row there. Everything else (the runner's frames, the simulators' read-back, closing, clearing
the mock pins' history) goes through the interface.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from calmkit.core.errors import HardwareError
from calmkit.core.settings import KINDS, HardwareConfig, OutputKind
from calmkit.devices.button import Button
from calmkit.devices.output import DeviceSpec, Input, Output

log = logging.getLogger("calmkit.devices.hardware")

Build = Callable[[DeviceSpec, Any], Output]


class KindClasses(Mapping[str, Build]):
    """kind -> the class that builds it from its spec and a pin factory, as the kinds table
    names it; a kind's module is imported when a device of that kind is first asked for."""

    def __init__(self, kinds: Mapping[str, OutputKind]) -> None:
        self._kinds = kinds

    def __getitem__(self, name: str) -> Build:
        module, _, attribute = self._kinds[name].builder.partition(":")
        built: Build = getattr(importlib.import_module(module), attribute)
        return built

    def __contains__(self, name: object) -> bool:
        return name in self._kinds  # without importing the kind's module

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)


#: kind -> the class that builds it from its spec and a gpiozero pin factory.
OUTPUT_KINDS: Mapping[str, Build] = KindClasses(KINDS)
INPUT_KINDS: dict[str, Callable[[DeviceSpec, Any], Input]] = {
    "button": Button,
}


def specs_for(hardware: HardwareConfig, gamma: float = 2.2) -> list[DeviceSpec]:
    """The devices the ``hardware:`` settings fit, in the order their pins are claimed: the
    light, the buttons, the vibration motor, then each output named by kind."""
    light = hardware.light
    specs = []
    if isinstance(light, int):
        specs.append(DeviceSpec("led", "hardware.light", (light,), gamma=gamma))
    elif light is not None:
        specs.append(
            DeviceSpec("rgb", "hardware.light", (light.red, light.green, light.blue), gamma=gamma)
        )
    specs.append(DeviceSpec("button", "hardware.button", (hardware.button,)))
    if hardware.second_button is not None:
        specs.append(DeviceSpec("button", "hardware.second_button", (hardware.second_button,)))
    if hardware.vibration is not None:
        specs.append(DeviceSpec("motor", "hardware.vibration", (hardware.vibration,)))
    for output in hardware.outputs:
        specs.append(
            DeviceSpec(
                output.kind,
                output.key,
                output.pins,
                gamma=gamma,
                active_high=output.active_high,
                address=output.address,
                options=output.options,
            )
        )
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
                output = _build(outputs, spec, factory)
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


def _build(outputs: Mapping[str, Build], spec: DeviceSpec, factory: Any) -> Output:
    try:
        build = outputs[spec.kind]
    except ImportError as error:  # a driver library that is not installed
        raise HardwareError(
            f"{spec.key}: calmkit cannot load the {spec.kind!r} device ({error}); install what "
            f"it needs, or take it out of the config"
        ) from error
    return build(spec, factory)


def close_all(devices: Iterable[Output | Input]) -> None:
    """Close in reverse order; one failing never stops the rest from closing."""
    for device in reversed(list(devices)):
        try:
            device.close()
        except Exception:
            log.debug("closing %r failed", device, exc_info=True)
