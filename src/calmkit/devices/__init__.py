"""The box's devices behind one small interface: outputs (lights, motors) and inputs (buttons).

output.py says what a device is to calmkit, kinds.py which kinds there are; each kind is one
file (led, rgb, motor, button) on gpiozero, with the pin factory passed in.
"""

from calmkit.devices.kinds import INPUT_KINDS, OUTPUT_KINDS, close_all, fit, specs_for
from calmkit.devices.output import DeviceSpec, EdgeCallback, Input, Output, Resolution, Role

__all__ = [
    "INPUT_KINDS",
    "OUTPUT_KINDS",
    "DeviceSpec",
    "EdgeCallback",
    "Input",
    "Output",
    "Resolution",
    "Role",
    "close_all",
    "fit",
    "specs_for",
]
