"""A DRV2605L haptic driver on I2C (the wearable's vibration): kind ``haptic``.

It is driven through Pimoroni's ``drv2605`` library (on i2cdevice and smbus2): pure Python, so
it installs and imports on a Pi and on any machine, and it takes the bus it is handed, so the
simulated bus (simbus.py) plugs in under it. The motor drive under the vibration cap is the
amplitude of real-time playback (RTP), an 8-bit value; the chip rests in standby when off.

The bus: I2C bus 1 (smbus2) on real pins; under gpiozero's mock pins, the mock factory's
simulated bus (``simbus.bus_of``), with a DRV2605L wired at the configured address.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from drv2605 import DRV2605  # type: ignore[import-untyped]

from calmkit.core.errors import HardwareError
from calmkit.devices.output import TOUCH_PER_SECOND, DeviceSpec, Resolution, Role, motor_scale
from calmkit.devices.simbus import DRV2605L_ADDRESS, DRV2605L_ID, bus_of

if TYPE_CHECKING:
    from calmkit.core.cues import Caps, Colour

log = logging.getLogger("calmkit.devices.hardware")

#: RTP's resolution: the amplitude is one byte (unsigned data format, SLOS854 CONTROL3).
FULL = 255
#: The Pi's I2C bus on GPIO 2 and 3.
I2C_BUS = 1


class Driver(DRV2605):
    """The library's driver with what its 1.0.0 lacks, through its own register map: it talks
    to the address it is given (it always used 0x5A), reads the device id, sets standby
    (MODE bit 6) and the unidirectional RTP input (CONTROL2 bit 7, BIDIR_INPUT = 0: 0 is
    still and 255 is full)."""

    def __init__(self, address: int, bus: Any) -> None:
        super().__init__(i2c_addr=address, i2c_dev=bus)
        self._drv2605._i2c_address = address  # 1.0.0 keeps i2c_addr but talks to 0x5A

    def device_id(self) -> int:
        return int(self._drv2605.get("STATUS").device_id)

    def set_standby(self, standby: bool) -> None:
        self._drv2605.set("MODE", standby=standby)

    def set_actuator(self, actuator: str) -> None:
        """An LRA or an ERM: FEEDBACK_CONTROL's N_ERM_LRA bit (SLOS854 register 0x1A, bit 7)
        through the library, and the matching waveform library (register 0x03: 6 for an LRA,
        TS2200 library A for an ERM), set here as 1.0.0's set_library() ignores its argument.
        Both run closed loop: an ERM powers on open loop (CONTROL3 0x1D, ERM_OPEN_LOOP bit 5 =
        1), where the unidirectional input does not apply and an unsigned RTP 0 is full reverse
        drive, not stillness (SLOS854 CONTROL2 BIDIR_INPUT: unidirectional "should only be used
        for closed-loop operation"; TI's DRV260x register header's RTP table)."""
        self.set_feedback_mode("LRA" if actuator == "lra" else "ERM")
        self._drv2605.set("LIBRARY_SELECTION", library="LRA" if actuator == "lra" else "TS2200 A")
        self._drv2605.set("CONTROL3", erm_open_loop="Closed Loop", lra_open_loop="Auto-resonance")

    def status(self) -> tuple[int, bool, bool]:
        """STATUS (register 0x00): the device id, and the over-temperature (OVER_TEMP, bit 1)
        and over-current (OC_DETECT, bit 0) flags."""
        status = self._drv2605.get("STATUS")
        return int(status.device_id), bool(status.over_temp), bool(status.over_current)

    def set_unidirectional(self) -> None:
        self._drv2605.set("CONTROL2", bidir_input=False)

    def amplitude(self) -> float:
        """What it plays now, read back from the chip: RTP input in RTP mode, out of standby."""
        mode = self._drv2605.get("MODE")
        if mode.standby or mode.mode != "Real-time Playback":
            return 0.0
        return int(self._drv2605.get("REALTIME_PLAYBACK").input) / FULL


class Haptic:
    """The motor drive under the vibration cap, as the DRV2605L's RTP amplitude."""

    role = Role.MOTOR
    channels = 1
    pins: tuple[Any, ...] = ()  # on the I2C bus: no pins of its own
    resolution = Resolution(FULL, TOUCH_PER_SECOND)  # one RTP byte, as often as a finger feels

    def __init__(self, spec: DeviceSpec, factory: Any) -> None:
        self.key = spec.key
        self.address = DRV2605L_ADDRESS if spec.address is None else spec.address
        self.bus, self._own_bus = _bus_for(spec, self.address, factory)
        self._lock = threading.Lock()  # the frames write, the simulators read back
        self._value: int | None = None  # the byte last written (None: unknown)
        self._standby = True
        self._closed = False
        self._failed = False
        self.actuator = spec.option("actuator", "lra")
        try:
            self.driver = Driver(self.address, self.bus)
            self._check()
            self.driver.set_actuator(self.actuator)
            self.driver.set_unidirectional()
            self.driver.set_realtime_data_format("Unsigned")
            self.driver.set_mode("Real-time Playback")
            self.off()
        except OSError as error:
            self._let_go()
            raise HardwareError(
                f"{self.key}: the DRV2605L at 0x{self.address:02X} does not answer ({error}); "
                f"check its wiring (SDA to GPIO 2, SCL to GPIO 3, VIN to 3.3 V, GND) and the "
                f"address, with `i2cdetect -y 1`"
            ) from error
        except BaseException:
            self._let_go()
            raise

    def _check(self) -> None:
        found = self.driver.device_id()
        if found != DRV2605L_ID:
            raise HardwareError(
                f"{self.key}: the chip at 0x{self.address:02X} is not a DRV2605L (its device id "
                f"is {found}, a DRV2605L's is {DRV2605L_ID}); check the address and the wiring"
            )

    def duty(self, level: float, colour: Colour, drive: float, caps: Caps) -> tuple[float, ...]:
        return (motor_scale(drive, caps.vibration),)

    def write(self, duty: tuple[float, ...]) -> None:
        """The amplitude as one RTP byte, written only when the byte changes (still in standby
        is 0 already); out of standby first. A bus error is said once and the frame goes on."""
        value = round(duty[0] * FULL)
        if value == self._value or self._closed:
            return
        try:
            with self._lock:
                if self._standby:
                    self.driver.set_standby(False)
                    self._standby = False
                self.driver.set_realtime_input(value)
            self._value = value
        except OSError as error:
            self._value = None
            if not self._failed:
                self._failed = True
                log.warning("%s: the DRV2605L stopped answering (%s)", self.key, error)

    def shown(self) -> tuple[float, ...]:
        if self._closed:
            return (0.0,)
        try:
            with self._lock:
                return (self.driver.amplitude(),)
        except OSError:
            return (0.0,)

    def off(self) -> None:
        """Still: RTP 0, then standby (where the chip draws least)."""
        if self._closed:
            return
        with self._lock:
            self.driver.set_realtime_input(0)
            self.driver.set_standby(True)
        self._value, self._standby = 0, True  # the next amplitude above 0 wakes it

    def close(self) -> None:
        if self._closed:
            return
        try:
            self.off()
        finally:
            self._closed = True
            self._let_go()

    def _let_go(self) -> None:
        if self._own_bus:
            self.bus.close()


def _bus_for(spec: DeviceSpec, address: int, factory: Any) -> tuple[Any, bool]:
    """The bus and whether this device opened it (and so closes it): under mock pins, the mock
    factory's simulated bus with the chip wired at ``address``; else I2C bus 1."""
    from gpiozero.pins.mock import MockFactory

    if isinstance(factory, MockFactory):
        bus = bus_of(factory)
        bus.fit_drv2605l(address)
        return bus, False
    import smbus2

    try:
        return smbus2.SMBus(I2C_BUS), True
    except FileNotFoundError as error:
        raise HardwareError(
            f"{spec.key}: this machine has no I2C bus {I2C_BUS} (/dev/i2c-{I2C_BUS}); turn I2C "
            f"on with `sudo raspi-config nonint do_i2c 0` and reboot"
        ) from error
    except OSError as error:
        raise HardwareError(
            f"{spec.key}: cannot open I2C bus {I2C_BUS} ({error}); add this user to the i2c "
            f"group (sudo usermod -aG i2c $USER) and log in again"
        ) from error
