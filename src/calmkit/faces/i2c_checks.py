"""The doctor's checks of the I2C bus and the chips on it (a wearable's haptic driver and fuel
gauge): the bus is on and this user may open it, the DRV2605L answers and reports no fault, the
MAX17048 answers and reads a level. Each failure says its fix.

They run only when the config names a chip on the bus (an output of kind ``haptic``, or
``hardware.battery``); ``open_bus`` gives the bus (smbus2 on I2C bus 1; a test's simulated one).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from calmkit.core.battery import LOW_PERCENT, VERY_LOW_PERCENT

OK, WARN, FAIL = "ok", "warn", "fail"
I2C_DEVICE = "dev/i2c-1"
TURN_ON = (
    "turn I2C on: sudo raspi-config nonint do_i2c 0 (or dtparam=i2c_arm=on in "
    "/boot/firmware/config.txt), then reboot"
)
WIRING = (
    "SDA to GPIO 2, SCL to GPIO 3, VIN to 3.3 V, GND; see which addresses answer: i2cdetect -y 1"
)

Result = tuple[str, str, str]  # name, level, detail (the doctor makes its Check of each)


def uses_i2c(config: Any) -> bool:
    hardware = config.hardware
    return hardware.battery is not None or any(o.address is not None for o in hardware.outputs)


def open_smbus() -> Any:
    from calmkit.devices.gauge import open_i2c_bus

    return open_i2c_bus()


def i2c_checks(
    config: Any, root: Path = Path("/"), open_bus: Callable[[], Any] = open_smbus
) -> list[Result]:
    """The bus, then each chip the config names on it."""
    if not uses_i2c(config):
        return []
    device = root / I2C_DEVICE
    if not device.exists():
        if not any((root / "dev").glob("gpiochip*")):
            return [("i2c", WARN, "no I2C bus here: calmkit will use its simulated bus")]
        return [("i2c", FAIL, f"/{I2C_DEVICE} is missing: {TURN_ON}")]
    try:
        os.close(os.open(device, os.O_RDWR))
        bus = open_bus()
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM):
            user = os.environ.get("USER", "USER")
            return [
                (
                    "i2c",
                    FAIL,
                    f"no permission to open /{I2C_DEVICE}: sudo usermod -aG i2c {user}, "
                    f"then log in again",
                )
            ]
        return [("i2c", FAIL, f"cannot open /{I2C_DEVICE} ({error}): {TURN_ON}")]
    results: list[Result] = [("i2c", OK, f"/{I2C_DEVICE} opens")]
    try:
        for output in config.hardware.outputs:
            if output.kind == "haptic":
                results.append(haptic_check(bus, output.address))
        if config.hardware.battery is not None:
            results.append(gauge_check(bus, config.hardware.battery))
    finally:
        bus.close()
    return results


def haptic_check(bus: Any, address: int) -> Result:
    """The DRV2605L's STATUS: its device id, and the over-temperature and over-current flags."""
    from calmkit.devices.haptic import Driver
    from calmkit.devices.simbus import DRV2605L_ID

    name = f"haptic 0x{address:02X}"
    try:
        found, hot, overcurrent = Driver(address, bus).status()
    except OSError as error:
        return (name, FAIL, f"the DRV2605L does not answer ({error}): check its wiring, {WIRING}")
    if found != DRV2605L_ID:
        return (
            name,
            FAIL,
            f"the chip there is not a DRV2605L (device id {found}, a DRV2605L's is "
            f"{DRV2605L_ID}): check the address",
        )
    if hot or overcurrent:
        what = " and ".join(
            word for word, on in (("over-temperature", hot), ("over-current", overcurrent)) if on
        )
        return (
            name,
            FAIL,
            f"the DRV2605L reports {what}: check the motor for a short and its leads, and that "
            f"the actuator setting (lra or erm) is the motor fitted",
        )
    return (name, OK, "a DRV2605L answers (device id 7, no over-temperature, no over-current)")


def gauge_check(bus: Any, address: int) -> Result:
    """The MAX17048 answers as one and reads a level."""
    from calmkit.devices.gauge import Gauge

    name = f"battery 0x{address:02X}"
    gauge = Gauge(address, bus=bus)
    if not gauge.connected():
        return (name, FAIL, f"no MAX17048 answers: check its wiring and the cell, {WIRING}")
    reading = gauge.reading()
    if reading is None:
        return (name, FAIL, f"the MAX17048 does not read: {gauge.problem}")
    level = f"{reading.percent:.0f} % ({reading.volts:.2f} V)"
    if reading.percent < VERY_LOW_PERCENT:
        return (name, WARN, f"{level}: very low, only short programs start; charge it")
    if reading.percent < LOW_PERCENT:
        return (name, WARN, f"{level}: low, charge it soon")
    return (name, OK, level)
