"""A simulated I2C bus with a DRV2605L haptic driver and a MAX17048 fuel gauge on it, for mock
runs and tests.

It is a fake at the bus level, as gpiozero's mock pins are at the pin level: it answers the
smbus2 ``SMBus`` calls a driver library makes, so the real library (Pimoroni's ``drv2605``, on
i2cdevice) runs on top of it unchanged. Each chip is a register file that behaves as its
datasheet says for the registers calmkit uses.

A mock pin factory has one bus (``bus_of``), as it has one set of pins; a test hands it one
on its FakeClock first (``attach``), so the writes are stamped in the test's time.
"""

from __future__ import annotations

import errno
import itertools
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol
from weakref import WeakKeyDictionary

#: A DRV2605L's 7-bit I2C address (datasheet SLOS854: fixed in the chip).
DRV2605L_ADDRESS = 0x5A
#: DEVICE_ID in STATUS bits 7-5 for a DRV2605L (SLOS854, register 0x00; a DRV2605 reads 3).
DRV2605L_ID = 7

# The registers of SLOS854's register map that the model gives behaviour to.
STATUS = 0x00
MODE = 0x01
RTP_INPUT = 0x02
LIBRARY_SEL = 0x03
WAVEFORM_SEQ = 0x04  # 0x04..0x0B: eight sequencer slots
GO = 0x0C
CONTROL2 = 0x1C
CONTROL3 = 0x1D

MODE_RESET = 0x80  # DEV_RESET
MODE_STANDBY = 0x40
MODE_BITS = 0x07
MODE_INTERNAL_TRIGGER = 0
MODE_RTP = 5
RTP_UNSIGNED = 0x08  # CONTROL3's DATA_FORMAT_RTP
BIDIRECTIONAL = 0x80  # CONTROL2's BIDIR_INPUT

#: The power-on values of SLOS854's register map (registers not named here start at 0).
DEFAULTS = {
    STATUS: DRV2605L_ID << 5,
    MODE: MODE_STANDBY,
    LIBRARY_SEL: 0x01,
    WAVEFORM_SEQ: 0x01,
    0x11: 0x05,
    0x12: 0x19,
    0x13: 0xFF,
    0x14: 0x19,
    0x15: 0xFF,
    0x16: 0x3E,
    0x17: 0x8C,
    0x18: 0x0C,
    0x19: 0x6C,
    0x1A: 0x36,
    0x1B: 0x93,
    0x1C: 0xF5,
    CONTROL3: 0xA0,
    0x1E: 0x20,
    0x1F: 0x80,
    0x20: 0x33,
}
REGISTERS = 0x23  # 0x00..0x22

#: How many RTP writes a chip keeps (about seven minutes of changes at 50 a second).
HISTORY = 20_000


class Rtp(NamedTuple):
    """One write of the RTP input register: when (on the bus's clock) and the byte."""

    time: float
    value: int


class Chip(Protocol):
    """A device on the simulated bus: a register file."""

    def read(self, register: int, length: int) -> list[int]: ...

    def write(self, register: int, values: Sequence[int]) -> None: ...


class Drv2605L:
    """The DRV2605L's registers (SLOS854's register map): read-only STATUS with its device id,
    MODE with reset and standby, the RTP input, library select, the waveform sequencer and GO.

    ``amplitude()`` is the size of what it drives now (0..1): the RTP input in RTP mode out of
    standby, read in the data format of CONTROL3 and the input mode of CONTROL2 (unidirectional:
    0 is still; bidirectional unsigned: 0x80 is still). A GO in internal-trigger mode plays
    the sequencer at once (the model keeps no waveform time): it is noted in ``played`` and GO
    reads back 0.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.registers = [0] * REGISTERS
        self.rtp: deque[Rtp] = deque(maxlen=HISTORY)
        self.played: list[tuple[int, ...]] = []
        self._reset()

    def _reset(self) -> None:
        self.registers = [DEFAULTS.get(register, 0) for register in range(REGISTERS)]

    def read(self, register: int, length: int) -> list[int]:
        _inside(register, length)
        return self.registers[register : register + length]

    def write(self, register: int, values: Sequence[int]) -> None:
        _inside(register, len(values))
        for offset, value in enumerate(values):
            self._put(register + offset, value & 0xFF)

    def _put(self, register: int, value: int) -> None:
        if register == STATUS:
            return  # read-only
        if register == MODE and value & MODE_RESET:
            self._reset()  # the reset is over by the next read: DEV_RESET reads back 0
            return
        self.registers[register] = value
        if register == RTP_INPUT:
            self.rtp.append(Rtp(self.clock(), value))
        elif register == GO and value & 1 and self.mode() == MODE_INTERNAL_TRIGGER:
            sequence = self.registers[WAVEFORM_SEQ : WAVEFORM_SEQ + 8]
            self.played.append(tuple(sequence[: sequence.index(0)] if 0 in sequence else sequence))
            self.registers[GO] = 0

    def mode(self) -> int:
        return self.registers[MODE] & MODE_BITS

    def standby(self) -> bool:
        return bool(self.registers[MODE] & MODE_STANDBY)

    def amplitude(self) -> float:
        if self.standby() or self.mode() != MODE_RTP:
            return 0.0
        value = self.registers[RTP_INPUT]
        both_ways = bool(self.registers[CONTROL2] & BIDIRECTIONAL)
        if self.registers[CONTROL3] & RTP_UNSIGNED:
            drive = (value - 0x80) / 0x7F if both_ways else value / 0xFF
        else:  # two's complement
            drive = (value if value < 0x80 else value - 0x100) / 0x7F
        if not both_ways:
            drive = max(0.0, drive)  # one way only: a negative value drives nothing
        return min(1.0, abs(drive))


#: A MAX17048's 7-bit I2C address (datasheet 19-6171, "I2C Bus Interface": 0x6C write, 0x6D
#: read, i.e. 0x36).
MAX17048_ADDRESS = 0x36
# Its 16-bit registers (datasheet "Register Summary", Table 2), each two bytes, MSB first.
VCELL = 0x02  # R: cell voltage, 78.125 uV a bit
SOC = 0x04  # R: state of charge, 1/256 % a bit (the high byte is whole percent)
GAUGE_MODE = 0x06  # W: Quick-Start (bit 14), EnSleep (bit 13), HibStat (bit 12, read only)
VERSION = 0x08  # R: 0x001_ (the low nibble is the die's revision)
HIBRT = 0x0A
CONFIG = 0x0C
VALRT = 0x14
CRATE = 0x16  # R: charge rate, 0.208 %/h a bit, signed (negative: discharging)
VRESET_ID = 0x18
GAUGE_STATUS = 0x1A
CMD = 0xFE  # W: 0x5400 resets the chip as at power-on
MAX17048_VERSION = 0x0012
#: The power-on values of the registers calmkit does not compute (Table 2's "POR" column).
GAUGE_DEFAULTS = {
    GAUGE_MODE: 0x0000,
    VERSION: MAX17048_VERSION,
    HIBRT: 0x8030,
    CONFIG: 0x971C,
    VALRT: 0x00FF,
    VRESET_ID: 0x9600,
    GAUGE_STATUS: 0x0100,  # RI: reset indicator set at power-on
}
GAUGE_BYTES = 0x100
VOLTS_PER_BIT = 78.125e-6
#: The simulated drain, in percent an hour, of a 1000 mAh cell on a Pi Zero 2 W tuned for low
#: power: idle, and while a session drives the haptic (bench/results.md, "Battery hours", has
#: the figures and where they come from).
IDLE_DRAIN_PER_H = 12.0
SESSION_DRAIN_PER_H = 15.0
#: A LiPo cell's resting voltage against its charge (a typical curve): (percent, volts).
LIPO_CURVE = (
    (0.0, 3.3),
    (5.0, 3.5),
    (10.0, 3.6),
    (20.0, 3.7),
    (50.0, 3.8),
    (80.0, 4.0),
    (100.0, 4.2),
)


def cell_volts(percent: float) -> float:
    """The resting voltage of a LiPo cell at ``percent`` charge (LIPO_CURVE, interpolated)."""
    percent = min(100.0, max(0.0, percent))
    for (p0, v0), (p1, v1) in itertools.pairwise(LIPO_CURVE):
        if percent <= p1:
            return v0 + (v1 - v0) * (percent - p0) / (p1 - p0)
    return LIPO_CURVE[-1][1]


class Max17048:
    """The MAX17048's registers (datasheet 19-6171, Table 2): VCELL and SOC follow a simulated
    cell that drains over the bus's time (faster while ``busy()``: a session), CRATE its rate,
    MODE, VERSION and the rest hold their power-on values; STATUS, CONFIG, HIBRT, VALRT are
    writable, CMD 0x5400 resets. Set ``percent`` to start from another charge, or ``charging``
    to charge at ``charge_per_h``."""

    def __init__(
        self, clock: Callable[[], float], busy: Callable[[], bool], percent: float = 80.0
    ) -> None:
        self.clock = clock
        self.busy = busy
        self._percent = percent
        self._since = clock()
        self.charging = False
        self.charge_per_h = 50.0
        self.answering = True  # False: it stops acknowledging (a loose wire)
        self.words = {register: value for register, value in GAUGE_DEFAULTS.items()}

    @property
    def percent(self) -> float:
        self._drain()
        return self._percent

    @percent.setter
    def percent(self, value: float) -> None:
        self._drain()
        self._percent = min(100.0, max(0.0, value))

    def rate_per_h(self) -> float:
        if self.charging:
            return self.charge_per_h
        return -(SESSION_DRAIN_PER_H if self.busy() else IDLE_DRAIN_PER_H)

    def _drain(self) -> None:
        now = self.clock()
        hours = max(0.0, now - self._since) / 3600.0
        self._since = now
        self._percent = min(100.0, max(0.0, self._percent + self.rate_per_h() * hours))

    def _word(self, register: int) -> int:
        if register == VCELL:
            return min(0xFFFF, round(cell_volts(self.percent) / VOLTS_PER_BIT))
        if register == SOC:
            return min(0xFFFF, round(self.percent * 256))
        if register == CRATE:
            return round(self.rate_per_h() / 0.208) & 0xFFFF
        return self.words.get(register, 0)

    def read(self, register: int, length: int) -> list[int]:
        if not self.answering:
            raise OSError(errno.EREMOTEIO, "the MAX17048 does not acknowledge")
        if register < 0 or register + length > GAUGE_BYTES:
            raise OSError(errno.EIO, f"register 0x{register:02X}+{length} is past the chip's map")
        out = []
        for address in range(register, register + length):
            word = self._word(address & ~1)
            out.append(word >> 8 if address % 2 == 0 else word & 0xFF)
        return out

    def write(self, register: int, values: Sequence[int]) -> None:
        if not self.answering:
            raise OSError(errno.EREMOTEIO, "the MAX17048 does not acknowledge")
        if register % 2 or len(values) % 2:
            return  # a register is written whole, MSB first
        for offset in range(0, len(values), 2):
            address, word = register + offset, (values[offset] << 8) | values[offset + 1]
            if address == CMD and word == 0x5400:
                self.words = dict(GAUGE_DEFAULTS)
            elif address in (GAUGE_MODE, HIBRT, CONFIG, VALRT, GAUGE_STATUS):
                self.words[address] = word & (0xEFFF if address == GAUGE_MODE else 0xFFFF)


def _inside(register: int, length: int) -> None:
    if register < 0 or register + length > REGISTERS:
        raise OSError(errno.EIO, f"register 0x{register:02X}+{length} is past the chip's map")


class SimBus:
    """The smbus2 ``SMBus`` calls, answered by the chips at their addresses; an address with
    no chip fails as Linux's i2c-dev does when nothing acknowledges (EREMOTEIO)."""

    def __init__(self, clock: Callable[[], float], chips: dict[int, Chip] | None = None) -> None:
        self.clock = clock
        self.chips: dict[int, Chip] = dict(chips or {})
        self.closed = False

    def fit_max17048(self, address: int = MAX17048_ADDRESS) -> Max17048:
        """The MAX17048 at ``address``, wired on first asking; it drains faster while a haptic
        driver on the bus is awake (a session)."""
        chip = self.chips.get(address)
        if not isinstance(chip, Max17048):
            chip = self.chips[address] = Max17048(self.clock, self._busy)
        return chip

    def _busy(self) -> bool:
        return any(isinstance(c, Drv2605L) and not c.standby() for c in self.chips.values())

    def write_quick(self, i2c_addr: int, force: bool | None = None) -> None:
        """A quick write: only whether anything acknowledges (i2cdetect, qwiic's probe)."""
        self._chip(i2c_addr)

    def fit_drv2605l(self, address: int = DRV2605L_ADDRESS) -> Drv2605L:
        """The DRV2605L at ``address``, wired on first asking (the one the config names)."""
        chip = self.chips.get(address)
        if not isinstance(chip, Drv2605L):
            chip = self.chips[address] = Drv2605L(self.clock)
        return chip

    def _chip(self, address: int) -> Chip:
        if self.closed:
            raise OSError(errno.EBADF, "the I2C bus is closed")
        try:
            return self.chips[address]
        except KeyError:
            raise OSError(errno.EREMOTEIO, f"no device answers at 0x{address:02X}") from None

    def read_byte_data(self, i2c_addr: int, register: int, force: bool | None = None) -> int:
        return self._chip(i2c_addr).read(register, 1)[0]

    def write_byte_data(
        self, i2c_addr: int, register: int, value: int, force: bool | None = None
    ) -> None:
        self._chip(i2c_addr).write(register, [value])

    def read_i2c_block_data(
        self, i2c_addr: int, register: int, length: int, force: bool | None = None
    ) -> list[int]:
        return self._chip(i2c_addr).read(register, length)

    def write_i2c_block_data(
        self, i2c_addr: int, register: int, data: Sequence[int], force: bool | None = None
    ) -> None:
        self._chip(i2c_addr).write(register, list(data))

    def close(self) -> None:
        self.closed = True


_BUSES: WeakKeyDictionary[Any, SimBus] = WeakKeyDictionary()


def attach(factory: Any, bus: SimBus) -> SimBus:
    """Make ``bus`` the simulated I2C bus of a mock pin factory (before its devices are built)."""
    _BUSES[factory] = bus
    return bus


def on_clock(factory: Any, clock: Callable[[], float]) -> SimBus:
    """The factory's bus, made on ``clock`` (the runner's: a --fast run's virtual time) unless a
    test attached one already."""
    bus = _BUSES.get(factory)
    return bus if bus is not None else attach(factory, SimBus(clock))


def bus_of(factory: Any) -> SimBus:
    """A mock pin factory's simulated I2C bus; made on first asking, stamped with the
    factory's ``ticks`` (the clock its mock pins stamp their states with)."""
    bus = _BUSES.get(factory)
    return bus if bus is not None else attach(factory, SimBus(factory.ticks))
