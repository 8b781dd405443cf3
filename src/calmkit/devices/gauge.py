"""A MAX17048 fuel gauge on I2C (the wearable's battery), read through SparkFun's maintained
``sparkfun-qwiic-max1704x`` library.

Why that library: it is pure Python on smbus2 (through ``sparkfun-qwiic-i2c``), so it installs
and imports on a Pi and here, and it takes the I2C driver it is handed (``i2c_driver=``), so
the simulated bus (simbus.py) plugs in under it as it does under the haptic's library.
Adafruit's ``adafruit-circuitpython-max1704x`` needs Blinka, whose board detection refuses a
machine that is not a board; ``max17048-smbus`` always opens its own bus, so no simulated one
can be put under it.

The gauge is not a light or a motor: it is read (``reading()``), once a minute by the battery
chore. A gauge that is missing or stops answering is said once in the log and reads None; it
never stops the box.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from calmkit.devices.simbus import MAX17048_ADDRESS, Max17048, bus_of

log = logging.getLogger("calmkit.devices.gauge")

I2C_BUS = 1


@dataclass(frozen=True)
class Reading:
    """One reading: the state of charge (percent) and the cell's voltage."""

    percent: float
    volts: float


def open_i2c_bus() -> Any:
    """The Pi's I2C bus 1 (smbus2); OSError when it is off or not this user's to open."""
    import smbus2

    return smbus2.SMBus(I2C_BUS)


class QwiicBus:
    """The three calls qwiic_max1704x makes on its ``i2c_driver`` (qwiic_i2c's I2CDriver), on
    any smbus2-like bus: a real ``smbus2.SMBus`` or the simulated one."""

    def __init__(self, bus: Any) -> None:
        self.bus = bus

    def isDeviceConnected(self, address: int) -> bool:
        try:
            self.bus.write_quick(address)
        except OSError:
            return False
        return True

    def read_block(self, address: int, register: int, length: int) -> list[int]:
        return list(self.bus.read_i2c_block_data(address, register, length))

    def write_block(self, address: int, register: int, data: list[int]) -> None:
        self.bus.write_i2c_block_data(address, register, list(data))


class Gauge:
    """A MAX17048 at ``address``; on mock pins, the mock factory's simulated one; on ``bus``
    when one is handed in (the doctor's)."""

    def __init__(
        self, address: int = MAX17048_ADDRESS, factory: Any = None, bus: Any = None
    ) -> None:
        self.address = address
        self.problem: str | None = None  # why it does not read, said once
        self._bus: Any = None
        self._own_bus = False
        self._chip: Any = None
        from gpiozero.pins.mock import MockFactory

        self.simulated: Max17048 | None = None  # the simulated chip, on mock pins
        if bus is not None:
            self._bus = bus
        elif isinstance(factory, MockFactory):
            self.simulated = bus_of(factory).fit_max17048(address)
            self._bus = bus_of(factory)
        else:
            self._open_real()
        if self._bus is not None:
            import qwiic_max1704x  # type: ignore[import-untyped]

            self._chip = qwiic_max1704x.QwiicMAX1704X(
                address,
                QwiicBus(self._bus),
                qwiic_max1704x.QwiicMAX1704X.kDeviceTypeMAX17048,
            )

    def _open_real(self) -> None:
        try:
            import smbus2

            self._bus, self._own_bus = smbus2.SMBus(I2C_BUS), True
        except FileNotFoundError:
            self._said(
                f"no I2C bus {I2C_BUS} (/dev/i2c-{I2C_BUS}): turn I2C on with "
                f"`sudo raspi-config nonint do_i2c 0` and reboot"
            )
        except OSError as error:
            self._said(
                f"cannot open I2C bus {I2C_BUS} ({error}): add this user to the i2c group "
                f"(sudo usermod -aG i2c $USER) and log in again"
            )

    def _said(self, problem: str) -> None:
        if self.problem is None:
            log.warning(
                "battery gauge (MAX17048 at 0x%02X): %s; calmkit goes on without the battery level",
                self.address,
                problem,
            )
        self.problem = problem

    def version(self) -> int | None:
        """The VERSION register (0x001_ on a MAX17048/49), or None when it does not answer."""
        if self._chip is None:
            return None
        try:
            return int(self._chip.get_version())
        except OSError as error:
            self._not_answering(error)
            return None

    def connected(self) -> bool:
        """Whether a MAX17048 acknowledges at the address and reads as one (VERSION 0x001_)."""
        if self._chip is None:
            return False
        try:
            return bool(self._chip.is_connected())
        except OSError:
            return False

    def reading(self) -> Reading | None:
        """The charge and voltage now, or None (said once) when the gauge does not answer."""
        if self._chip is None:
            return None
        try:
            percent = float(self._chip.get_soc())
            volts = float(self._chip.get_voltage())
        except OSError as error:
            self._not_answering(error)
            return None
        if self.problem is not None:
            log.info("battery gauge at 0x%02X answers again", self.address)
            self.problem = None
        return Reading(min(100.0, max(0.0, percent)), volts)

    def _not_answering(self, error: OSError) -> None:
        self._said(
            f"it does not answer ({error}); check its wiring (SDA to GPIO 2, SCL to GPIO 3, "
            f"VIN, GND, the cell on its BAT pins) with `i2cdetect -y 1`"
        )

    def close(self) -> None:
        if self._own_bus and self._bus is not None:
            self._bus.close()
        self._bus = self._chip = None
