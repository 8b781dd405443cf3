"""The MAX17048 fuel gauge: SparkFun's qwiic_max1704x library on the simulated I2C bus, the
chip's model checked against the datasheet's register map (19-6171, Table 2)."""

from __future__ import annotations

import logging

import pytest
import smbus2

from calmkit.core.clock import FakeClock
from calmkit.devices import gauge as gauge_module
from calmkit.devices.gauge import Gauge, QwiicBus
from calmkit.devices.hardware import mock_factory
from calmkit.devices.simbus import (
    CMD,
    CONFIG,
    CRATE,
    GAUGE_MODE,
    GAUGE_STATUS,
    HIBRT,
    IDLE_DRAIN_PER_H,
    MAX17048_ADDRESS,
    SESSION_DRAIN_PER_H,
    SOC,
    VALRT,
    VCELL,
    VERSION,
    VRESET_ID,
    SimBus,
    attach,
    cell_volts,
)


def wired(percent=80.0):
    clock = FakeClock()
    factory = mock_factory()
    bus = attach(factory, SimBus(clock.now))
    gauge = Gauge(MAX17048_ADDRESS, factory)
    gauge.simulated.percent = percent
    return clock, bus, gauge


def word(bus, register):
    high, low = bus.read_i2c_block_data(0x36, register, 2)
    return high << 8 | low


def test_the_register_map_is_the_datasheets():
    # Table 2: VCELL 02h, SOC 04h, MODE 06h, VERSION 08h, HIBRT 0Ah, CONFIG 0Ch, VALRT 14h,
    # CRATE 16h, VRESET/ID 18h, STATUS 1Ah, CMD FEh; the address 6Ch/6Dh (7-bit 36h)
    assert (MAX17048_ADDRESS, VCELL, SOC, GAUGE_MODE, VERSION) == (0x36, 0x02, 0x04, 0x06, 0x08)
    assert (HIBRT, CONFIG, VALRT, CRATE, VRESET_ID, GAUGE_STATUS, CMD) == (
        0x0A, 0x0C, 0x14, 0x16, 0x18, 0x1A, 0xFE
    )  # fmt: skip
    _clock, bus, _gauge = wired(50.0)
    # the power-on values: MODE 0000h, VERSION 001_h, HIBRT 8030h, CONFIG 971Ch, VALRT 00FFh,
    # VRESET 96h, STATUS with RI (reset indicator, bit 8) set
    assert word(bus, GAUGE_MODE) == 0x0000 and word(bus, VERSION) & 0xFFF0 == 0x0010
    assert word(bus, HIBRT) == 0x8030 and word(bus, CONFIG) == 0x971C
    assert word(bus, VALRT) == 0x00FF and word(bus, VRESET_ID) >> 8 == 0x96
    assert word(bus, GAUGE_STATUS) & 0x0100
    # SOC: 1/256 % a bit (the high byte whole percent); VCELL: 78.125 uV a bit
    assert word(bus, SOC) == 50 * 256
    assert word(bus, VCELL) * 78.125e-6 == pytest.approx(cell_volts(50.0), abs=1e-4)
    # CRATE: 0.208 %/h a bit, signed: discharging reads negative
    crate = word(bus, CRATE)
    assert (crate - 0x10000 if crate & 0x8000 else crate) * 0.208 == pytest.approx(
        -IDLE_DRAIN_PER_H, abs=0.21
    )


def test_writes_reach_the_writable_registers_and_cmd_resets_as_at_power_on():
    _clock, bus, _gauge = wired()
    bus.write_i2c_block_data(0x36, CONFIG, [0x97, 0x00])
    bus.write_i2c_block_data(0x36, GAUGE_MODE, [0x20, 0x00])  # EnSleep
    bus.write_i2c_block_data(0x36, VERSION, [0xAB, 0xCD])  # read-only: ignored
    assert word(bus, CONFIG) == 0x9700 and word(bus, GAUGE_MODE) == 0x2000
    assert word(bus, VERSION) == 0x0012
    bus.write_i2c_block_data(0x36, CMD, [0x54, 0x00])
    assert word(bus, CONFIG) == 0x971C and word(bus, GAUGE_MODE) == 0


def test_the_library_reads_charge_voltage_and_version_through_the_bus():
    _clock, _bus, gauge = wired(42.5)
    assert gauge.connected() and gauge.version() == 0x0012
    reading = gauge.reading()
    assert reading.percent == pytest.approx(42.5, abs=1 / 256)
    assert reading.volts == pytest.approx(cell_volts(42.5), abs=1e-3)


def test_the_cell_drains_over_the_clock_faster_while_the_haptic_plays():
    clock, bus, gauge = wired(80.0)
    clock.advance(3600)
    assert gauge.reading().percent == pytest.approx(80.0 - IDLE_DRAIN_PER_H, abs=0.01)
    haptic = bus.fit_drv2605l()
    haptic.registers[1] = 0x05  # out of standby, in RTP: a session
    clock.advance(3600)
    assert gauge.reading().percent == pytest.approx(
        80.0 - IDLE_DRAIN_PER_H - SESSION_DRAIN_PER_H, abs=0.01
    )
    assert SESSION_DRAIN_PER_H > IDLE_DRAIN_PER_H
    clock.advance(100 * 3600)
    assert gauge.reading().percent == 0.0  # empty, never below
    gauge.simulated.charging = True
    clock.advance(3600)
    assert gauge.reading().percent > 0


def test_the_lipo_curve_rises_with_the_charge():
    volts = [cell_volts(p) for p in range(0, 101, 5)]
    assert volts == sorted(volts) and volts[0] == 3.3 and volts[-1] == 4.2


def test_a_gauge_that_stops_answering_is_said_once_and_reads_none(caplog):
    _clock, _bus, gauge = wired()
    gauge.simulated.answering = False
    with caplog.at_level(logging.WARNING, "calmkit"):
        assert gauge.reading() is None
        assert gauge.reading() is None
        assert gauge.version() is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "i2cdetect -y 1" in warnings[0].getMessage()
    gauge.simulated.answering = True
    assert gauge.reading() is not None and gauge.problem is None


def test_no_gauge_at_the_address_is_not_a_crash():
    clock = FakeClock()
    factory = mock_factory()
    bus = attach(factory, SimBus(clock.now))
    gauge = Gauge(MAX17048_ADDRESS, factory)
    del bus.chips[0x36]
    assert not gauge.connected() and gauge.reading() is None and gauge.problem


def test_on_a_machine_without_i2c_it_says_how_to_turn_it_on(monkeypatch, caplog):
    def no_bus(number):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(smbus2, "SMBus", no_bus)
    with caplog.at_level(logging.WARNING, "calmkit"):
        gauge = Gauge(MAX17048_ADDRESS, object())  # real pins
    assert gauge.reading() is None and "raspi-config nonint do_i2c 0" in caplog.text

    def refused(number):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(smbus2, "SMBus", refused)
    assert "i2c group" in Gauge(MAX17048_ADDRESS, object()).problem

    opened = SimBus(lambda: 0.0)
    opened.fit_max17048()
    monkeypatch.setattr(smbus2, "SMBus", lambda number: opened)
    real = Gauge(MAX17048_ADDRESS, object())
    assert real.reading() is not None
    real.close()
    assert opened.closed


def test_the_qwiic_adapter_probes_with_a_quick_write():
    bus = SimBus(lambda: 0.0)
    bus.fit_max17048()
    adapter = QwiicBus(bus)
    assert adapter.isDeviceConnected(0x36) and not adapter.isDeviceConnected(0x37)
    assert gauge_module.I2C_BUS == 1
