"""The DRV2605L haptic driver (kind ``haptic``): Pimoroni's drv2605 library on the simulated I2C
bus, driven by a whole session on the fake clock and read back from the chip's registers."""

from __future__ import annotations

import bisect
import logging
import math

import pytest
import smbus2
from drv2605 import PlayWaveform, WaitMillis
from tests.helpers import MIDNIGHT, NOON

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.core.cues import Caps
from calmkit.core.errors import HardwareError
from calmkit.core.haptics import HapticTrack
from calmkit.devices import fit, specs_for
from calmkit.devices.haptic import Driver, Haptic
from calmkit.devices.hardware import PinChoice, mock_factory
from calmkit.devices.output import TOUCH_PER_SECOND, DeviceSpec
from calmkit.devices.simbus import (
    BIDIRECTIONAL,
    CONTROL2,
    CONTROL3,
    DEFAULTS,
    DIAG_RESULT,
    DRV2605L_ADDRESS,
    DRV2605L_ID,
    ERM_OPEN_LOOP,
    FB_STS,
    FEEDBACK,
    GO,
    LIBRARY_SEL,
    LRA_OPEN_LOOP,
    MODE,
    MODE_RESET,
    MODE_RTP,
    MODE_STANDBY,
    N_ERM_LRA,
    OC_DETECT,
    OVER_TEMP,
    REGISTERS,
    RTP_INPUT,
    RTP_UNSIGNED,
    STATUS,
    WAVEFORM_SEQ,
    Drv2605L,
    SimBus,
    attach,
    bus_of,
)
from calmkit.shell.app import build
from calmkit.shell.outputs import on_step

HAPTIC = "hardware:\n  vibration: null\n  outputs: [{kind: haptic}]\n"
FPS = 50
#: How many frames a paced write may lag (devices.haptic's 25 updates a second at 50 fps).
PACE_FRAMES = math.ceil(FPS / TOUCH_PER_SECOND)
STRENGTH = 0.7  # vibration.strength by day


def held(chip):
    """The RTP byte the chip held at a time (the last write at or before it), as a function."""
    times = [write.time for write in chip.rtp]
    values = [write.value for write in chip.rtp]

    def at(t):
        k = bisect.bisect_right(times, t + 1e-9)
        return values[k - 1] if k else 0

    return at


def felt(app, chip, cap):
    """Check the bytes the chip held against haptics.HapticTrack frame by frame: at the middle
    of every frame of every step that ran, the byte is drive * cap on the chip's 255 steps,
    the drive being the pattern's at that frame's start or within the write pace before it (a
    touch's edge may fall on either side of a frame's start by a rounding: those frames are
    left out). Returns how many were checked."""
    phases = [e for e in app.flow_events if e.kind == "phase"]
    byte_at = held(chip)
    checked = 0
    for event, after in zip(phases, [*phases[1:], None]):
        plan = app.plan
        index = event.data["index"]
        track = HapticTrack(plan)
        end = after.t if after is not None else event.t + event.data["duration_s"]
        edges = [e for touch in track.steps[index] for e in (touch.on, touch.off)]
        k = 0
        while event.t + (k + 1) / FPS <= end + 1e-9:
            t = k / FPS
            if all(abs(t - edge) > 1e-6 for edge in edges):
                # the chip takes a new byte at most TOUCH_PER_SECOND times a second (a finger
                # cannot tell it from smoother): the byte held is the pattern's at this frame
                # or at one of the frames before it within that pace
                # (on its 255 steps as the runner writes it: a faint touch is one step, not 0)
                wants = {
                    round(on_step(track.drive(index, max(0.0, t - j / FPS)) * cap, 255) * 255)
                    for j in range(PACE_FRAMES + 1)
                }
                held_now = byte_at(event.t + t + 0.5 / FPS)
                assert held_now in wants, (plan.program, index, t, held_now, wants)
                checked += 1
            k += 1
    return checked


def run_felt(wall, program, cap, script=()):
    from calmkit.core.programs import expand

    events = []
    config = parse_config(HAPTIC, "test.yaml")
    clock = FakeClock(wall_start=wall)
    factory = mock_factory()
    bus = attach(factory, SimBus(clock.now))
    app = build(
        config,
        clock=clock,
        pins=PinChoice(factory, True),
        program=program,
        journal=False,
        on_event=events.append,
    )
    for t, action in script:
        app.waiter.add(t, lambda action=action: action(app))
    assert app.runner.run() == "finished"
    app.flow_events = events
    app.plan = expand(program, config.programs)  # a phase's index is into its whole plan
    chip = bus.chips[0x5A]
    return app, chip, felt(app, chip, cap)


def test_a_box_session_read_back_from_the_bus_is_its_felt_breath():
    app, chip, checked = run_felt(NOON, "box", STRENGTH)
    assert checked > 0.9 * 240 * FPS  # nearly every frame of its 4 minutes
    first = [w for w in chip.rtp if w.time < 16.0]
    inhale_taps = sorted({w.value for w in first if 0.5 < w.time < 4.0 and w.value})
    assert len(inhale_taps) == 5 and inhale_taps == sorted(inhale_taps)  # taps that rise
    assert chip.amplitude() == 0.0 and app.devices.shown().motor == 0.0
    app.close()
    assert chip.standby() and chip.registers[RTP_INPUT] == 0


BUILT_IN = [
    "calm",
    "sigh",
    "box",
    "478",
    "coherent",
    "winddown",
    "ground",
    "press",
    "blink",
    "quiet",
]


@pytest.mark.parametrize("program", BUILT_IN)
def test_every_built_in_program_read_back_from_the_bus_follows_its_pattern(program):
    _app, _chip, checked = run_felt(NOON, program, STRENGTH)
    assert checked > 0


def test_grounding_counted_by_presses_is_felt_as_a_soft_double_tap_per_prompt():
    presses = [(t, lambda app: app.devices.button_pin.drive_low()) for t in (3, 5, 7, 9, 11)]
    releases = [(t + 0.1, lambda app: app.devices.button_pin.drive_high()) for t, _ in presses]
    app, chip, checked = run_felt(NOON, "ground", STRENGTH, script=presses + releases)
    prompts = [e.t for e in app.flow_events if e.kind == "phase"]
    assert prompts[1] < 12  # the five presses finished "see" early
    taps = [w for w in chip.rtp if w.value and prompts[1] <= w.time < prompts[1] + 1]
    assert len(taps) == 2 and {w.value for w in taps} == {round(0.4 * STRENGTH * 255)}
    assert checked > 0


def test_the_night_cap_scales_the_amplitude():
    _app, chip, checked = run_felt(MIDNIGHT, "box", 0.5)  # night.vibration: 0.5
    assert checked > 0.9 * 240 * FPS
    assert 0.9 * 0.5 * 255 < max(w.value for w in chip.rtp) <= round(0.5 * 255)


def test_the_config_names_it_and_it_is_built_on_the_mock_factorys_simulated_bus():
    cfg = parse_config("hardware:\n  outputs: [{kind: haptic}, {kind: haptic, address: 0x5B}]\n")
    specs = specs_for(cfg.hardware)
    assert [(s.kind, s.address) for s in specs[-2:]] == [("haptic", 0x5A), ("haptic", 0x5B)]
    factory = mock_factory()
    outputs, _buttons = fit(specs, factory)
    first, second = outputs[-2:]
    assert isinstance(first, Haptic) and isinstance(second, Haptic)
    bus = bus_of(factory)
    assert first.bus is bus and second.bus is bus and set(bus.chips) == {0x5A, 0x5B}
    second.write((1.0,))
    assert bus.chips[0x5B].amplitude() == 1.0 and bus.chips[0x5A].amplitude() == 0.0
    for output in outputs:
        output.close()
    assert not bus.closed  # the factory's bus: no one device closes it


def haptic_on(bus, address=0x5A, options=()):
    factory = mock_factory()
    attach(factory, bus)
    spec = DeviceSpec("haptic", "hardware.outputs[0]", (), address=address, options=options)
    return Haptic(spec, factory)


def test_it_plays_rtp_unsigned_one_way_and_writes_only_a_changed_byte():
    bus = SimBus(lambda: 0.0)
    haptic = haptic_on(bus)
    chip = bus.chips[0x5A]
    assert chip.mode() == 5 and chip.standby()  # RTP, resting until something is felt
    assert chip.registers[CONTROL3] & 0x08 and not chip.registers[CONTROL2] & 0x80
    assert [w.value for w in chip.rtp] == [0]  # off() as it was set up
    haptic.write((0.0,))
    assert chip.standby() and len(chip.rtp) == 1  # still is still: nothing written
    haptic.write(haptic.duty(0.0, (0.0, 0.0, 0.0), 1.0, Caps(1.0, 1.0, 0.4)))
    haptic.write((0.4,))
    haptic.write((0.4001,))  # the same byte
    assert [w.value for w in chip.rtp] == [0, 102] and not chip.standby()
    assert haptic.shown() == pytest.approx((0.4,), abs=1 / 255)


def test_off_leaves_it_at_zero_in_standby_and_the_next_amplitude_wakes_it():
    bus = SimBus(lambda: 0.0)
    haptic = haptic_on(bus)
    chip = bus.chips[0x5A]
    haptic.write((0.8,))
    haptic.off()
    assert chip.registers[RTP_INPUT] == 0 and chip.standby() and haptic.shown() == (0.0,)
    haptic.write((0.8,))
    assert chip.amplitude() == pytest.approx(0.8, abs=1 / 255) and not chip.standby()
    haptic.close()
    assert chip.standby() and chip.amplitude() == 0.0 and haptic.shown() == (0.0,)
    haptic.write((1.0,))  # closed: nothing more reaches the chip
    assert chip.registers[RTP_INPUT] == 0


def test_shown_is_read_back_from_the_chip():
    bus = SimBus(lambda: 0.0)
    haptic = haptic_on(bus)
    haptic.write((1.0,))
    bus.chips[0x5A].registers[MODE] |= 0x40  # the chip went to standby behind calmkit's back
    assert haptic.shown() == (0.0,)


class Recording(SimBus):
    """A bus that notes every smbus2 call made on it."""

    def __init__(self, clock):
        super().__init__(clock)
        self.calls = []

    def read_i2c_block_data(self, i2c_addr, register, length, force=None):
        self.calls.append(("read", i2c_addr, register))
        return super().read_i2c_block_data(i2c_addr, register, length, force)

    def write_i2c_block_data(self, i2c_addr, register, data, force=None):
        self.calls.append(("write", i2c_addr, register))
        super().write_i2c_block_data(i2c_addr, register, data, force)

    def write_byte_data(self, i2c_addr, register, value, force=None):
        raise AssertionError("the library writes blocks (i2cdevice): this is not its call")


def test_the_library_drives_the_registers_at_the_configured_address():
    bus = Recording(lambda: 0.0)
    haptic = haptic_on(bus, address=0x5B)
    haptic.write((0.5,))
    assert set(bus.chips) == {0x5B}  # nothing was asked of 0x5A, where the library defaults
    assert {address for _, address, _ in bus.calls} == {0x5B}
    assert ("read", 0x5B, STATUS) in bus.calls  # the device id, read first
    assert bus.calls[-1] == ("write", 0x5B, RTP_INPUT)
    assert bus.chips[0x5B].amplitude() == pytest.approx(0.5, abs=1 / 255)


def test_the_bus_model_answers_the_device_id_and_its_registers_as_the_datasheet_says():
    bus = SimBus(lambda: 0.0)
    chip = bus.fit_drv2605l()
    assert bus.read_byte_data(0x5A, STATUS) == 0xE0 and bus.read_byte_data(0x5A, MODE) == 0x40
    driver = Driver(0x5A, bus)
    assert driver.device_id() == 7
    bus.write_byte_data(0x5A, STATUS, 0)
    assert driver.device_id() == 7  # read-only
    driver.set_mode("Real-time Playback")
    driver.set_standby(False)
    driver.set_realtime_input(0x40)
    assert chip.amplitude() == pytest.approx(0x40 / 0x7F)  # ERM open loop, signed: 0x7F full
    driver.set_mode("Internal Trigger")
    assert chip.amplitude() == 0.0
    driver.set_sequence(PlayWaveform(47), WaitMillis(100), PlayWaveform(47))
    driver.go()
    assert chip.played == [(47, 0x8A, 47)] and not driver.busy()
    bus.write_byte_data(0x5A, MODE, 0x80)  # DEV_RESET: every register back to its default
    assert chip.registers[:4] == [0xE0, 0x40, 0, 1] and bus.read_byte_data(0x5A, MODE) == 0x40
    with pytest.raises(OSError):
        bus.read_byte_data(0x5B, STATUS)  # nothing answers there
    with pytest.raises(OSError):
        bus.read_i2c_block_data(0x5A, 0x22, 2)  # past the register map


def test_a_chip_that_is_not_a_drv2605l_is_refused_by_its_device_id():
    bus = SimBus(lambda: 0.0)
    bus.fit_drv2605l().registers[STATUS] = 3 << 5  # a DRV2605, not the L
    with pytest.raises(HardwareError) as caught:
        haptic_on(bus)
    assert str(caught.value) == (
        "hardware.outputs[0]: the chip at 0x5A is not a DRV2605L (its device id is 3, a "
        "DRV2605L's is 7); check the address and the wiring"
    )


def test_on_real_pins_it_opens_i2c_bus_1_and_says_what_to_do_when_it_cannot(monkeypatch):
    spec = DeviceSpec("haptic", "hardware.outputs[0]", (), address=0x5A)
    empty = SimBus(lambda: 0.0)
    opened = []
    monkeypatch.setattr(smbus2, "SMBus", lambda bus: opened.append(bus) or empty)
    with pytest.raises(HardwareError) as caught:
        Haptic(spec, object())  # not a mock factory: real pins
    assert opened == [1] and empty.closed
    assert str(caught.value).startswith(
        "hardware.outputs[0]: the DRV2605L at 0x5A does not answer ([Errno 121] no device "
        "answers at 0x5A); check its wiring"
    )

    def no_bus(bus):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(smbus2, "SMBus", no_bus)
    with pytest.raises(HardwareError) as caught:
        Haptic(spec, object())
    assert "sudo raspi-config nonint do_i2c 0" in str(caught.value)

    wired = SimBus(lambda: 0.0)
    wired.fit_drv2605l()
    monkeypatch.setattr(smbus2, "SMBus", lambda bus: wired)
    Haptic(spec, object()).close()
    assert wired.closed  # the bus it opened, it closes


def test_a_chip_that_stops_answering_mid_session_is_said_once_and_nothing_falls_over(caplog):
    bus = SimBus(lambda: 0.0)
    haptic = haptic_on(bus)
    chip = bus.chips.pop(0x5A)
    with caplog.at_level(logging.WARNING):
        haptic.write((0.5,))
        haptic.write((0.6,))
    assert len(caplog.records) == 1 and "stopped answering" in caplog.text
    assert haptic.shown() == (0.0,)
    bus.chips[0x5A] = chip  # back: the next changed amplitude reaches it
    haptic.write((0.6,))
    assert chip.amplitude() == pytest.approx(0.6, abs=1 / 255)


def test_the_rtp_history_is_bounded_for_long_runs():
    chip = Drv2605L(lambda: 0.0)
    assert chip.rtp.maxlen is not None and chip.rtp.maxlen >= 10_000


def test_a_haptic_as_the_only_motor_has_no_pin_and_reads_back_through_the_interface():
    """`Devices.motor_pin` raised IndexError when the first motor was a chip on the I2C bus."""
    config = parse_config(HAPTIC, "test.yaml")
    factory = mock_factory()
    attach(factory, SimBus(FakeClock().now))
    app = build(config, clock=FakeClock(), pins=PinChoice(factory, True), journal=False)
    try:
        assert app.devices.motor_pin is None
        assert app.devices.motor is not None and app.devices.motor.pins == ()
    finally:
        app.close()


@pytest.mark.parametrize(("actuator", "feedback", "library"), [("lra", 0x80, 6), ("erm", 0, 1)])
def test_the_actuator_sets_the_feedback_mode_and_the_library(actuator, feedback, library):
    """FEEDBACK_CONTROL's N_ERM_LRA (register 0x1A, bit 7) and LIBRARY_SEL (0x03) as SLOS854
    says for an LRA (library 6) or an ERM (TS2200 library A)."""
    bus = SimBus(lambda: 0.0)
    haptic = haptic_on(bus, options=(("actuator", actuator),))
    chip = bus.chips[0x5A]
    assert chip.registers[0x1A] & 0x80 == feedback and chip.registers[0x03] & 0x07 == library
    assert haptic.actuator == actuator


#: SLOS854's power-on register values of a DRV2605L, 0x00..0x22, written out here apart from the
#: model's own table (simbus.py names the sources: TI's register pages, Linux's drv260x.c, a
#: DRV2605L's dump on e2e.ti.com).
POWER_ON = [
    0xE0, 0x40, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00,  # STATUS, MODE, RTP, LIBRARY, SEQ1..4
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  # SEQ5..8, GO, ODT, SPT, SNT
    0x00, 0x05, 0x19, 0xFF, 0x19, 0xFF, 0x3E, 0x8C,  # BRT, ATH x5, RATED_VOLTAGE, OD_CLAMP
    0x0C, 0x6C, 0x36, 0x93, 0xF5, 0xA0, 0x20, 0x80,  # A_CAL x2, FEEDBACK, CONTROL1..5
    0x33, 0x00, 0x00,  # LRA_OPEN_LOOP_PERIOD, VBAT, LRA_PERIOD
]  # fmt: skip


def test_the_register_map_is_the_datasheets():
    """Addresses, bits and power-on values as SLOS854 gives them, read over the bus; and the
    addresses and bit masks the model uses are those of the library that drives the chip."""
    assert (DRV2605L_ADDRESS, DRV2605L_ID) == (0x5A, 7)
    assert (STATUS, MODE, RTP_INPUT, LIBRARY_SEL, WAVEFORM_SEQ, GO) == (0, 1, 2, 3, 4, 0x0C)
    assert (FEEDBACK, CONTROL2, CONTROL3, REGISTERS) == (0x1A, 0x1C, 0x1D, 0x23)
    assert (MODE_RESET, MODE_STANDBY, MODE_RTP, N_ERM_LRA) == (0x80, 0x40, 5, 0x80)
    assert (BIDIRECTIONAL, ERM_OPEN_LOOP, RTP_UNSIGNED, LRA_OPEN_LOOP) == (0x80, 0x20, 8, 1)
    bus = SimBus(lambda: 0.0)
    bus.fit_drv2605l()
    assert bus.read_i2c_block_data(0x5A, 0, REGISTERS) == POWER_ON
    assert [DEFAULTS.get(r, 0) for r in range(REGISTERS)] == POWER_ON
    registers = Driver(0x5A, bus)._drv2605.registers  # Pimoroni's i2cdevice map
    for name, address in [("STATUS", STATUS), ("MODE", MODE), ("REALTIME_PLAYBACK", RTP_INPUT),
                          ("LIBRARY_SELECTION", LIBRARY_SEL), ("WAVEFORM_SEQUENCER", WAVEFORM_SEQ),
                          ("GO", GO), ("FEEDBACK_CONTROL", FEEDBACK), ("CONTROL2", CONTROL2),
                          ("CONTROL3", CONTROL3)]:  # fmt: skip
        assert registers[name].address == address, name
    fields = {(r, f): field.mask for r in registers for f, field in registers[r].fields.items()}
    assert fields[("STATUS", "device_id")] == 0b111 << 5
    status = [fields[("STATUS", f)] for f in ("diagnostic", "over_temp", "over_current")]
    assert status == [DIAG_RESULT, OVER_TEMP, OC_DETECT] == [0x08, 0x02, 0x01]
    assert fields[("MODE", "reset")] == MODE_RESET and fields[("MODE", "standby")] == MODE_STANDBY
    assert fields[("FEEDBACK_CONTROL", "mode")] == N_ERM_LRA
    assert fields[("CONTROL2", "bidir_input")] == BIDIRECTIONAL
    assert fields[("CONTROL3", "erm_open_loop")] == ERM_OPEN_LOOP
    assert fields[("CONTROL3", "data_format_rtp")] == RTP_UNSIGNED
    assert fields[("CONTROL3", "lra_open_loop")] == LRA_OPEN_LOOP


ERM, LRA = 0x00, N_ERM_LRA
OPEN_ERM, CLOSED_ERM, CLOSED_LRA, OPEN_LRA = 0xA0, 0x80, 0xA0, 0xA1  # CONTROL3 (noise gate 4 %)
BOTH, ONE = 0xF5, 0x75  # CONTROL2: bidirectional (its power-on value), unidirectional


@pytest.mark.parametrize(
    ("feedback", "control2", "control3", "value", "size"),
    [
        # open loop (the ERM's power-on loop): BIDIR_INPUT does not apply
        (ERM, BOTH, OPEN_ERM, 0x7F, 1.0),  # signed: 0x7F full forward
        (ERM, ONE, OPEN_ERM, 0x00, 0.0),  # signed: 0x00 still
        (ERM, ONE, OPEN_ERM, 0x81, 1.0),  # signed: 0x81 full reverse (braking)
        (ERM, ONE, OPEN_ERM | RTP_UNSIGNED, 0x80, 0.0),  # unsigned: 0x80 still
        (ERM, ONE, OPEN_ERM | RTP_UNSIGNED, 0x00, 1.0),  # unsigned: 0x00 full reverse
        (LRA, ONE, OPEN_LRA | RTP_UNSIGNED, 0xFF, 1.0),
        # closed loop, unidirectional: 0x00 still to 0xFF full, whatever the data format
        (ERM, ONE, CLOSED_ERM, 0xFF, 1.0),
        (ERM, ONE, CLOSED_ERM, 0x80, 0x80 / 0xFF),
        (LRA, ONE, CLOSED_LRA | RTP_UNSIGNED, 0x00, 0.0),
        (LRA, ONE, CLOSED_LRA | RTP_UNSIGNED, 0xC0, 0xC0 / 0xFF),
        # closed loop, bidirectional: mid-scale to full; below it, braking (no drive)
        (LRA, BOTH, CLOSED_LRA, 0x7F, 1.0),
        (LRA, BOTH, CLOSED_LRA, 0xC0, 0.0),  # signed -64: braking
        (LRA, BOTH, CLOSED_LRA | RTP_UNSIGNED, 0xFF, 1.0),
        (LRA, BOTH, CLOSED_LRA | RTP_UNSIGNED, 0x40, 0.0),
    ],
)
def test_rtp_is_read_as_the_loop_the_input_mode_and_the_data_format_say(
    feedback, control2, control3, value, size
):
    """TI's DRV260x register header, its RTP table (simbus.py's [TIH])."""
    chip = Drv2605L(lambda: 0.0)
    for register, byte in [(FEEDBACK, 0x36 | feedback), (CONTROL2, control2),
                           (CONTROL3, control3), (MODE, MODE_RTP), (RTP_INPUT, value)]:  # fmt: skip
        chip.write(register, [byte])
    assert chip.amplitude() == pytest.approx(size, abs=1e-9)
    chip.write(MODE, [MODE_STANDBY | MODE_RTP])
    assert chip.amplitude() == 0.0  # in standby nothing is driven


@pytest.mark.parametrize("actuator", ["lra", "erm"])
def test_either_actuator_runs_closed_loop_so_a_zero_between_touches_is_still(actuator):
    """An ERM powers on open loop, where the unsigned 0 calmkit writes between two touches is
    full reverse drive: the haptic closes the loop for both."""
    bus = SimBus(lambda: 0.0)
    haptic = haptic_on(bus, options=(("actuator", actuator),))
    chip = bus.chips[0x5A]
    assert not chip.open_loop()
    assert chip.registers[CONTROL3] & (ERM_OPEN_LOOP | LRA_OPEN_LOOP) == 0
    haptic.write((0.6,))
    assert chip.amplitude() == pytest.approx(0.6, abs=1 / 255)
    haptic.write((0.0,))
    assert not chip.standby() and chip.registers[RTP_INPUT] == 0 and chip.amplitude() == 0.0


def test_status_flags_clear_when_read_but_an_over_current_latches():
    """SLOS854 STATUS: DIAG_RESULT, FB_STS and OVER_TEMP clear upon read; OC_DETECT latches."""
    bus = SimBus(lambda: 0.0)
    chip = bus.fit_drv2605l()
    chip.registers[STATUS] |= DIAG_RESULT | FB_STS | OVER_TEMP | OC_DETECT
    assert bus.read_byte_data(0x5A, STATUS) == 0xE0 | 0x0F
    assert bus.read_byte_data(0x5A, STATUS) == 0xE0 | OC_DETECT
    assert Driver(0x5A, bus).status() == (7, False, True)
