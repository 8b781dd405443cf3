"""Claiming a GPIO pin for a device, with gpiozero's failures as one line naming the fix."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from calmkit.core.errors import HardwareError

T = TypeVar("T")


def claim(what: str, key: str, pin: int, build: Callable[[], T]) -> T:
    """Build one device, turning gpiozero's failures into a one-line message with the fix."""
    from gpiozero.exc import GPIOPinInUse, GPIOZeroError, PinInvalidPin

    try:
        return build()
    except GPIOPinInUse as error:
        raise HardwareError(
            f"GPIO{pin} ({what}) is already in use by another program; stop it "
            f"(another calmkit?) or choose another pin for {key} in the config"
        ) from error
    except PermissionError as error:
        raise HardwareError(_no_permission(pin, what)) from error
    except PinInvalidPin as error:
        raise HardwareError(f"GPIO{pin} ({what}) is not a usable pin: check {key}") from error
    except (GPIOZeroError, OSError) as error:
        text = str(error)
        if "ermission" in text:
            raise HardwareError(_no_permission(pin, what)) from error
        raise HardwareError(f"could not set up GPIO{pin} ({what}) for {key}: {text}") from error


def _no_permission(pin: int, what: str) -> str:
    return (
        f"no permission to use GPIO{pin} ({what}); add this user to the gpio group: "
        f"sudo usermod -aG gpio {os.environ.get('USER', 'USER')}, then log in again"
    )
