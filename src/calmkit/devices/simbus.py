"""A simulated I2C bus with a DRV2605L haptic driver on it, for mock runs and tests.

It is a fake at the bus level, as gpiozero's mock pins are at the pin level: it answers the
smbus2 ``SMBus`` calls a driver library makes, so the real library (Pimoroni's ``drv2605``, on
i2cdevice) runs on top of it unchanged. Each chip is a register file that behaves as its
datasheet says for the registers calmkit uses.

A mock pin factory has one bus (``bus_of``), as it has one set of pins; a test hands it one
on its FakeClock first (``attach``), so the writes are stamped in the test's time.
"""

from __future__ import annotations

import errno
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


def bus_of(factory: Any) -> SimBus:
    """A mock pin factory's simulated I2C bus; made on first asking, stamped with the
    factory's ``ticks`` (the clock its mock pins stamp their states with)."""
    bus = _BUSES.get(factory)
    return bus if bus is not None else attach(factory, SimBus(factory.ticks))
