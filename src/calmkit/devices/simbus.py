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

# Where each DRV2605L fact below comes from (each checked against at least two of these where
# two could be found; where they disagree, the comment says so):
#   [TI]    TI's register pages in its document viewer: the DRV2605L's own (SLOS854D), e.g.
#           ti.com/document-viewer/DRV2605L/datasheet/control1-address-0x1b-slos8545015, and the
#           same SLOS854-derived pages of its siblings: DRV2604 (SLOS824C)
#           .../DRV2604/datasheet/status-address-0x00-slos854330 (STATUS, the device ids), and
#           DRV2605 (SLOS825E) .../DRV2605/datasheet/address-0x03-slos8547592 (LIBRARY_SEL);
#   [TIH]   TI's "DRV260x Header File for Register Defines" (12/21/2012), as carried in
#           Jewelbots/arduino-library .../ble-nrf51822-master/source/DRV2605.h: the register
#           addresses, bits and the RTP data table by loop, BIDIR_INPUT and DATA_FORMAT_RTP;
#   [PIM]   Pimoroni's drv2605 1.0.0 (pimoroni/drv2605-python, library/drv2605/__init__.py): its
#           i2cdevice register map (tests/devices/test_haptic.py compares it with this one);
#   [ADA]   adafruit/Adafruit_CircuitPython_DRV2605, adafruit_drv2605.py (register constants);
#   [LNX]   Linux drivers/input/misc/drv260x.c, drv260x_reg_defs (power-on values);
#           SMFSW/arm_i2c_drivers DRV2605L.h (power-on values in its register enum's comments);
#           e2e.ti.com threads 1174173 (a DRV2605L's register dump) and 417442 (a DRV2605's).

#: A DRV2605L's 7-bit I2C address, fixed in the chip ([PIM] DRV2605_ADDR, [ADA] _DRV2605_ADDR).
DRV2605L_ADDRESS = 0x5A
#: DEVICE_ID in STATUS bits 7-5: 7 for a DRV2605L, 3 for a DRV2605, 4 a DRV2604, 6 a DRV2604L
#: ([TI] STATUS, address 0x00).
DRV2605L_ID = 7

# The registers of SLOS854's register map that the model gives behaviour to ([TI], [TIH], [PIM]).
STATUS = 0x00
MODE = 0x01
RTP_INPUT = 0x02
LIBRARY_SEL = 0x03
WAVEFORM_SEQ = 0x04  # 0x04..0x0B: eight sequencer slots (WAV_FRM_SEQ1..8)
GO = 0x0C
FEEDBACK = 0x1A
CONTROL2 = 0x1C
CONTROL3 = 0x1D

# STATUS bits ([TI] STATUS): DIAG_RESULT 3, FB_STS 2, OVER_TEMP 1, OC_DETECT 0. The first
# three clear when STATUS is read ([TI]: "The flag clears upon read"; drv2605-async's StatusReg
# docs on docs.rs quote the same for OVER_TEMP and FB_STS); OC_DETECT latches.
DIAG_RESULT = 0x08
FB_STS = 0x04
OVER_TEMP = 0x02
OC_DETECT = 0x01
MODE_RESET = 0x80  # MODE's DEV_RESET
MODE_STANDBY = 0x40  # MODE's STANDBY
MODE_BITS = 0x07  # MODE[2:0]
MODE_INTERNAL_TRIGGER = 0
MODE_RTP = 5
N_ERM_LRA = 0x80  # FEEDBACK_CONTROL bit 7: 0 ERM, 1 LRA
BIDIRECTIONAL = 0x80  # CONTROL2's BIDIR_INPUT (1, the default: bidirectional)
ERM_OPEN_LOOP = 0x20  # CONTROL3 bit 5 (1, the default: an ERM runs open loop)
RTP_UNSIGNED = 0x08  # CONTROL3's DATA_FORMAT_RTP (0, the default: signed)
LRA_OPEN_LOOP = 0x01  # CONTROL3 bit 0 (0, the default: an LRA runs closed loop, auto-resonance)

#: The DRV2605L's power-on values (registers not named here start at 0), as [LNX]'s three
#: sources and [TI]'s pages give them, but for two where they disagree: LIBRARY_SEL, 1 in
#: SMFSW's table and on [TI]'s 0x03 page (R/W-1; that datasheet's own summary table says 0),
#: 0 in drv260x.c; CONTROL2, 0xF5 in SMFSW's table and in both chips' dumps on e2e, 0xFA in
#: drv260x.c. (A DRV2605, without the L, differs: STATUS 0x60, 0x16-0x19 0x3F 0x89 0x0D 0x6D.)
DEFAULTS = {
    STATUS: DRV2605L_ID << 5,  # 0xE0
    MODE: MODE_STANDBY,  # 0x40: in standby until told otherwise
    LIBRARY_SEL: 0x01,  # TS2200 library A
    WAVEFORM_SEQ: 0x01,  # strong click, then slot 2 is 0: the end
    0x11: 0x05,  # audio-to-vibe control
    0x12: 0x19,
    0x13: 0xFF,
    0x14: 0x19,
    0x15: 0xFF,
    0x16: 0x3E,  # RATED_VOLTAGE
    0x17: 0x8C,  # OD_CLAMP
    0x18: 0x0C,  # A_CAL_COMP
    0x19: 0x6C,  # A_CAL_BEMF
    FEEDBACK: 0x36,  # ERM, brake factor 4x, loop gain medium, back-EMF gain 2
    0x1B: 0x93,  # CONTROL1: STARTUP_BOOST, DRIVE_TIME 0x13 ([TI] 0x1B page)
    CONTROL2: 0xF5,  # bidirectional, brake stabiliser, sample time 300 us
    CONTROL3: 0xA0,  # noise gate 4 %, ERM open loop, RTP signed, LRA closed loop
    0x1E: 0x20,  # CONTROL4
    0x1F: 0x80,  # CONTROL5
    0x20: 0x33,  # LRA_OPEN_LOOP_PERIOD
}
REGISTERS = 0x23  # 0x00..0x22 (0x21 VBAT, 0x22 LRA_PERIOD: read-only, 0 in the model)

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
    """The DRV2605L's registers (SLOS854's register map): read-only STATUS with its device id
    (its fault flags clear when read, but OC_DETECT), MODE with reset and standby, the RTP
    input, library select, the waveform sequencer and GO.

    ``amplitude()`` is the size of what it drives now (0..1): the RTP input in RTP mode out of
    standby, read as the loop (FEEDBACK's actuator, CONTROL3's open-loop bits), CONTROL2's input
    mode and CONTROL3's data format say (closed loop, unidirectional: 0 is still; open loop,
    unsigned: 0x80 is still and 0 is full reverse). A GO in internal-trigger mode plays
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
        values = self.registers[register : register + length]
        if register == STATUS:
            self.registers[STATUS] &= ~(DIAG_RESULT | FB_STS | OVER_TEMP)
        return values

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

    def open_loop(self) -> bool:
        """Whether the actuator fitted runs open loop: an ERM with ERM_OPEN_LOOP (the power-on
        value), an LRA with LRA_OPEN_LOOP."""
        if self.registers[FEEDBACK] & N_ERM_LRA:
            return bool(self.registers[CONTROL3] & LRA_OPEN_LOOP)
        return bool(self.registers[CONTROL3] & ERM_OPEN_LOOP)

    def amplitude(self) -> float:
        """The size of the drive now (0..1), as [TIH]'s RTP table reads the input:
        open loop (BIDIR_INPUT does not apply): mid-scale is still and below it drives the
        other way (braking, counter-rotation: felt as much), mid-scale being 0x00 signed and
        0x80 unsigned; closed loop, unidirectional: 0x00 still to 0xFF full in either data
        format; closed loop, bidirectional: mid-scale to full, below mid-scale is braking
        (nothing driven)."""
        if self.standby() or self.mode() != MODE_RTP:
            return 0.0
        value = self.registers[RTP_INPUT]
        unsigned = bool(self.registers[CONTROL3] & RTP_UNSIGNED)
        signed = value - 0x80 if unsigned else (value if value < 0x80 else value - 0x100)
        if self.open_loop():
            return min(1.0, abs(signed) / 0x7F)
        if not self.registers[CONTROL2] & BIDIRECTIONAL:
            return value / 0xFF
        return min(1.0, max(0, signed) / 0x7F)


# Where each MAX17048 fact below comes from:
#   [MAX]   Maxim's MAX17048/MAX17049 datasheet (19-6171), Table 2 "Register Summary" (address,
#           16-bit LSb, R/W, default), as reproduced on unit-electronics.github.io/
#           UNIT-LiPo-Charger-Boost-I2C-Monitor/about.html ("MAX1704X Register Summary");
#   [SFE]   SparkFun's sparkfun-qwiic-max1704x 2.0.0 (sparkfun/qwiic_max1704x_py,
#           qwiic_max1704x.py): kReg* addresses, defaults in their comments, VCELL 78.125 uV
#           (5.12 V / 65536), SOC high byte % + low byte / 256, CRATE signed x 0.208, read16's
#           MSB-first byte order, CMD 0x5400 the power-on reset;
#   [ADA]   adafruit/Adafruit_CircuitPython_MAX1704x, adafruit_max1704x.py: the same addresses,
#           ">H" (big-endian) words, VERSION & 0xFFF0 == 0x0010, CRATE ">h" x 0.208, STATUS's
#           RI as bit 0 of its high byte.

#: A MAX17048's 7-bit I2C address ([MAX] 6Ch write / 6Dh read; [ADA] MAX1704X_I2CADDR_DEFAULT).
MAX17048_ADDRESS = 0x36
# Its 16-bit registers, each two bytes, MSB first ([MAX], [SFE], [ADA]).
VCELL = 0x02  # R: cell voltage, 78.125 uV a bit
SOC = 0x04  # R: state of charge, 1/256 % a bit (the high byte is whole percent)
GAUGE_MODE = 0x06  # W: Quick-Start (bit 14), EnSleep (bit 13), HibStat (bit 12, read only)
VERSION = 0x08  # R: 0x001_ (the low nibble is the die's revision)
HIBRT = 0x0A  # R/W: hibernate thresholds, HibThr high byte, ActThr low byte
CONFIG = 0x0C  # R/W: RCOMP high byte; SLEEP, ALSC, ALRT, ATHD low byte
VALRT = 0x14  # R/W: VALRT.MIN high byte, VALRT.MAX low byte (20 mV a bit)
CRATE = 0x16  # R: charge rate, 0.208 %/h a bit, signed (negative: discharging)
VRESET_ID = 0x18  # R/W: VRESET (bits 15-9, 40 mV a bit) and Dis; ID low byte (read only)
GAUGE_STATUS = 0x1A  # R/W: RI (bit 8, reset indicator), VH, VL, VR, HD, SC, EnVR
CMD = 0xFE  # R/W: 0x5400 resets the chip as at power-on
MAX17048_VERSION = 0x0012
#: The power-on values of the registers calmkit does not compute ([MAX]'s default column).
GAUGE_DEFAULTS = {
    GAUGE_MODE: 0x0000,
    VERSION: MAX17048_VERSION,
    HIBRT: 0x8030,
    CONFIG: 0x971C,
    VALRT: 0x00FF,
    VRESET_ID: 0x9600,  # 0x96xx: VRESET 3.0 V, the comparator on; ID 0 here
    GAUGE_STATUS: 0x0100,  # 0x01xx: RI (reset indicator) set at power-on
    CMD: 0xFFFF,
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
    writable (VRESET/ID but its ID byte), CMD 0x5400 resets unacknowledged. Set ``percent`` to
    start from another charge, or ``charging`` to charge at ``charge_per_h``."""

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
                # the chip resets as the last bit is clocked in, so it does not acknowledge
                # ([SFE] reset(), [ADA] reset(): "we NACKed, which is CORRECT!")
                self.words = dict(GAUGE_DEFAULTS)
                raise OSError(errno.EREMOTEIO, "the MAX17048 resets and does not acknowledge")
            elif address in (GAUGE_MODE, HIBRT, CONFIG, VALRT, GAUGE_STATUS):
                self.words[address] = word & (0xEFFF if address == GAUGE_MODE else 0xFFFF)
            elif address == VRESET_ID:  # the ID byte is factory-set: read only
                self.words[address] = (word & 0xFF00) | (self.words[address] & 0x00FF)


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
