"""calmkit.devices: each Output on gpiozero's mock pins, the composite over them, active-low
wiring, and the read-back the simulators draw from."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from gpiozero import LED, PWMLED, PWMOutputDevice
from gpiozero.pins.mock import MockFactory, MockPWMPin
from hypothesis import given, settings
from hypothesis import strategies as st

from calmkit.config import HardwareConfig, RGBPins, parse_config
from calmkit.core.cues import Caps
from calmkit.core.errors import HardwareError
from calmkit.core.settings import KINDS, OutputKind
from calmkit.devices import INPUT_KINDS, OUTPUT_KINDS, DeviceSpec, Role, fit, specs_for
from calmkit.devices.button import Button
from calmkit.devices.hardware import Devices, Shown
from calmkit.devices.led import GpioLed
from calmkit.devices.motor import Motor
from calmkit.devices.rgb import RgbLed
from calmkit.faces.sim.terminal import StatusLine, level_bar
from calmkit.faces.sim.window import ViewState
from helpers import rig

ROOT = Path(__file__).resolve().parents[2]
WHITE = (1.0, 1.0, 1.0)
FULL = Caps(1.0, 1.0, 1.0)


@pytest.fixture
def factory():
    return MockFactory(pin_class=MockPWMPin)


def led(factory, pin=18, gamma=2.2, active_high=True):
    return GpioLed(DeviceSpec("led", "hardware.light", (pin,), gamma, active_high), factory)


def motor(factory, pin=13, active_high=True):
    return Motor(
        DeviceSpec("motor", "hardware.vibration", (pin,), active_high=active_high), factory
    )


def button(factory, pin=17):
    return Button(DeviceSpec("button", "hardware.button", (pin,)), factory)


# --- each output --------------------------------------------------------------------------------


def test_an_led_is_its_level_under_the_brightness_cap_then_gamma(factory):
    lamp = led(factory, gamma=2.2)
    assert lamp.role == Role.LIGHT and lamp.channels == 1 and lamp.pins == (factory.pin(18),)
    assert lamp.duty(0.5, WHITE, 1.0, Caps(1.0, 0.0, 0.0)) == pytest.approx((0.5**2.2,))
    assert lamp.duty(1.0, WHITE, 0.0, Caps(0.3, 1.0, 1.0)) == pytest.approx((0.3**2.2,))
    assert lamp.duty(2.0, WHITE, 0.0, Caps(-1.0, 1.0, 1.0)) == (0.0,)  # clamped, never refused
    lamp.write(lamp.duty(0.5, WHITE, 0.0, FULL))
    assert factory.pin(18).state == pytest.approx(0.5**2.2)
    assert lamp.shown() == pytest.approx((0.5,))  # the level it shows, gamma undone
    lamp.off()
    assert factory.pin(18).state == 0 and lamp.shown() == (0.0,)
    lamp.write((1.0,))
    lamp.close()
    assert factory.pin(18).state == 0 and lamp.shown() == (0.0,)  # closed: dark, reads nothing


def test_an_rgb_led_takes_the_colour_per_channel(factory):
    spec = DeviceSpec("rgb", "hardware.light", (12, 16, 19), gamma=1.0)
    lamp = RgbLed(spec, factory)
    assert lamp.channels == 3 and lamp.pins == tuple(factory.pin(p) for p in (12, 16, 19))
    duty = lamp.duty(1.0, (1.0, 0.5, 2.0), 0.0, Caps(0.5, 1.0, 1.0))
    assert duty == pytest.approx((0.5, 0.25, 0.5))
    lamp.write(duty)
    assert [factory.pin(p).state for p in (12, 16, 19)] == pytest.approx([0.5, 0.25, 0.5])
    assert lamp.shown() == pytest.approx((0.5, 0.25, 0.5))
    lamp.close()
    assert [factory.pin(p).state for p in (12, 16, 19)] == [0, 0, 0]


def test_an_rgb_led_that_cannot_claim_green_lets_red_go_again(factory):
    other = LED(16, pin_factory=factory)
    with pytest.raises(
        HardwareError, match=r"^GPIO16 \(the green light\) is already in use"
    ) as caught:
        RgbLed(DeviceSpec("rgb", "hardware.light", (12, 16, 19)), factory)
    # red was closed, not left to the garbage collector (the traceback still holds it here)
    PWMLED(12, pin_factory=factory).close()
    assert caught.value.exit_code == 3
    other.close()


def test_a_motor_is_its_drive_under_the_vibration_cap(factory):
    buzz = motor(factory)
    assert buzz.role == Role.MOTOR
    assert buzz.duty(0.0, WHITE, 1.0, Caps(1.0, 1.0, 0.5)) == (0.5,)
    assert buzz.duty(0.0, WHITE, -3.0, FULL) == (0.0,)
    buzz.write((0.7,))
    assert factory.pin(13).state == pytest.approx(0.7) and buzz.shown() == pytest.approx((0.7,))
    buzz.close()
    assert factory.pin(13).state == 0 and buzz.shown() == (0.0,)


def test_a_button_hands_on_its_edges_and_reads_back_pressed(factory):
    knob = button(factory)
    edges = []
    knob.on_edge(edges.append)
    assert not knob.pressed()
    factory.pin(17).drive_low()  # pulled up: a press takes the pin low
    assert knob.pressed()
    factory.pin(17).drive_high()
    assert edges == [True, False] and not knob.pressed()
    knob.close()
    assert not knob.pressed()


# --- active_high and the write shortcut ---------------------------------------------------------

finite = st.floats(-2.0, 3.0, allow_nan=False)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    active_high=st.booleans(),
    level=finite,
    colour=st.tuples(finite, finite, finite),
    drive=finite,
    brightness=finite,
    vibration=finite,
    gamma=st.floats(1.0, 3.0),
)
def test_the_write_shortcut_puts_on_each_pin_what_gpiozeros_value_would(
    active_high, level, colour, drive, brightness, vibration, gamma
):
    """Output.write skips PWMOutputDevice.value (range check, blink bookkeeping, active_high):
    for every duty the outputs work out, a twin device set through gpiozero's public ``value``
    ends with the very same pin state, and gpiozero reads the duty back."""
    ours, theirs = MockFactory(pin_class=MockPWMPin), MockFactory(pin_class=MockPWMPin)
    caps = Caps(brightness, 1.0, vibration)
    for kind, pins, twin_class in (
        ("led", (18,), PWMLED),
        ("rgb", (12, 16, 19), PWMLED),
        ("motor", (13,), PWMOutputDevice),
    ):
        spec = DeviceSpec(kind, f"hardware.{kind}", pins, gamma=gamma, active_high=active_high)
        output = OUTPUT_KINDS[kind](spec, ours)
        duty = output.duty(level, colour, drive, caps)
        output.write(duty)
        for pin, value in zip(pins, duty, strict=True):
            twin = twin_class(pin, active_high=active_high, pin_factory=theirs)
            twin.value = value  # refuses anything outside 0..1
            assert ours.pin(pin).state == theirs.pin(pin).state
            twin.close()
        devices = output.devices if kind == "rgb" else [output.device]
        assert [d.value for d in devices] == pytest.approx(duty)
        output.close()


def test_an_active_low_lamp_and_motor_are_dark_and_still_when_off_and_read_back_right(factory):
    """Wired to light when the pin is low: off is a high pin, and the read-back is the level."""
    lamp, buzz = led(factory, active_high=False), motor(factory, active_high=False)
    assert factory.pin(18).state == 1 and factory.pin(13).state == 1  # built dark and still
    devices = Devices.of([lamp, buzz], [button(factory)])
    devices.set_light(0.5, WHITE, 1.0)
    devices.set_motor(1.0, 0.7)
    assert factory.pin(18).state == pytest.approx(1 - 0.5**2.2)
    assert factory.pin(13).state == pytest.approx(1 - 0.7)
    assert lamp.device.value == pytest.approx(0.5**2.2) and buzz.device.value == pytest.approx(0.7)
    shown = devices.shown()
    assert shown.light == pytest.approx((0.5,)) and shown.motor == pytest.approx(0.7)
    devices.off()
    assert factory.pin(18).state == 1 and factory.pin(13).state == 1
    devices.set_light(1.0, WHITE, 1.0)
    lit = len(factory.pin(18).states)
    devices.close()
    # closing turns it off (the pin high), then gpiozero lets the pin go (an input again)
    assert [s.state for s in factory.pin(18).states[lit:]] == [1, 0]
    assert factory.pin(18).function == "input"


# --- the composite -------------------------------------------------------------------------------


def test_todays_hardware_settings_fit_these_devices_in_claim_order():
    hw = HardwareConfig(
        pins="mock", light=RGBPins(12, 16, 19), button=17, second_button=27, vibration=13
    )
    assert [(s.kind, s.key, s.pins, s.gamma) for s in specs_for(hw, 1.8)] == [
        ("rgb", "hardware.light", (12, 16, 19), 1.8),
        ("button", "hardware.button", (17,), 2.2),
        ("button", "hardware.second_button", (27,), 2.2),
        ("motor", "hardware.vibration", (13,), 2.2),
    ]
    plain = HardwareConfig(pins="mock", light=18, button=17, second_button=None, vibration=None)
    assert [s.kind for s in specs_for(plain)] == ["led", "button"]


class Ring:
    """A new kind of light, for the test: two channels, the level and half of it, no gamma."""

    role = Role.LIGHT
    channels = 2
    pins = ()

    def __init__(self, spec, factory):
        self.written = []
        self.closed = False

    def duty(self, level, colour, drive, caps):
        return (level * caps.brightness, level * caps.brightness / 2)

    def write(self, duty):
        self.written.append(duty)

    def shown(self):
        return self.written[-1] if self.written and not self.closed else (0.0, 0.0)

    def off(self):
        self.write((0.0, 0.0))

    def close(self):
        self.off()
        self.closed = True


def test_a_new_kind_is_a_class_and_a_row_and_the_box_drives_it_beside_the_others(factory):
    kinds = {**OUTPUT_KINDS, "ring": Ring}
    specs = [
        DeviceSpec("led", "hardware.light", (18,), gamma=1.0),
        DeviceSpec("ring", "hardware.ring", ()),
        DeviceSpec("button", "hardware.button", (17,)),
    ]
    outputs, buttons = fit(specs, factory, outputs=kinds)
    devices = Devices.of(outputs, buttons, gamma=1.0)
    ring = outputs[1]
    duty = devices.light_duty(0.8, WHITE, 0.5)
    assert duty == pytest.approx((0.4, 0.4, 0.2))  # the LED's one value, then the ring's two
    devices.write(duty, 0.0)
    assert factory.pin(18).state == pytest.approx(0.4) and ring.written == [duty[1:]]
    assert devices.shown().light == pytest.approx((0.4, 0.4, 0.2))
    assert devices.light_pins == [factory.pin(18)] and not devices.rgb
    devices.close()
    assert ring.closed and devices.shown().light == (0.0, 0.0, 0.0)


class Chip(Ring):
    """A new kind on the I2C bus, for the test (the wearable's haptic driver will be one)."""

    role = Role.MOTOR
    channels = 1

    def __init__(self, spec, factory):
        super().__init__(spec, factory)
        self.spec = spec

    def duty(self, level, colour, drive, caps):
        return (drive * caps.vibration,)


def test_a_new_kind_is_one_class_and_one_row_and_the_config_names_it(monkeypatch, factory):
    """The recipe: a class (here in this file) and a row in the kinds table; then the config
    checks it, specs_for lists it and fit builds it with the registry as it ships."""
    monkeypatch.setitem(KINDS, "ring", OutputKind(f"{__name__}:Ring", pins=("pin",)))
    monkeypatch.setitem(KINDS, "chip", OutputKind(f"{__name__}:Chip", address=0x5A))
    cfg = parse_config(
        "hardware:\n  vibration: null\n  outputs:\n    - {kind: ring, pin: 22}\n"
        "    - {kind: chip, address: 0x5B}\n    - {kind: led, pin: 23, active_high: false}\n"
    )
    specs = specs_for(cfg.hardware, cfg.light.gamma)
    assert [(s.kind, s.key, s.pins, s.address, s.active_high) for s in specs[2:]] == [
        ("ring", "hardware.outputs[0]", (22,), None, True),
        ("chip", "hardware.outputs[1]", (), 0x5B, True),
        ("led", "hardware.outputs[2]", (23,), None, False),
    ]
    assert {"ring", "chip"} <= set(OUTPUT_KINDS) and "chip" in OUTPUT_KINDS
    outputs, buttons = fit(specs, factory)
    lamp, ring, chip, extra = outputs
    assert isinstance(lamp, GpioLed) and isinstance(ring, Ring) and isinstance(chip, Chip)
    assert chip.spec.address == 0x5B
    assert isinstance(extra, GpioLed) and factory.pin(23).state == 1  # active low: dark
    devices = Devices.of(outputs, buttons, gamma=1.0)
    devices.write(devices.light_duty(1.0, WHITE, 1.0), devices.motor_duty(0.5, 1.0))
    assert ring.written == [(1.0, 0.5)] and chip.written == [(0.5,)]
    devices.close()
    assert ring.closed and chip.closed


def test_a_kind_whose_driver_is_not_installed_is_one_line_with_the_fix(monkeypatch, factory):
    monkeypatch.setitem(KINDS, "gauge", OutputKind("calmkit_no_such_driver:Gauge", address=0x36))
    specs = [DeviceSpec("led", "hardware.light", (18,)), DeviceSpec("gauge", "hardware.g", ())]
    with pytest.raises(HardwareError) as caught:
        fit(specs, factory)
    assert str(caught.value) == (
        "hardware.g: calmkit cannot load the 'gauge' device (No module named "
        "'calmkit_no_such_driver'); install what it needs, or take it out of the config"
    )
    PWMLED(18, pin_factory=factory).close()  # the LED built before it was let go


def test_every_output_kind_in_the_table_builds_from_its_row():
    for name, kind in KINDS.items():
        assert callable(OUTPUT_KINDS[name]), name
        assert kind.builder.startswith("calmkit.devices."), name


def test_an_unknown_kind_is_refused_by_name_and_lets_the_claimed_pins_go(factory):
    specs = [DeviceSpec("led", "hardware.light", (18,)), DeviceSpec("gauge", "hardware.gauge", ())]
    with pytest.raises(HardwareError) as caught:
        fit(specs, factory)
    assert str(caught.value) == (
        "hardware.gauge: calmkit has no device of kind 'gauge' "
        "(it knows button, haptic, led, motor, rgb)"
    )
    PWMLED(18, pin_factory=factory).close()  # the LED built before it was let go
    assert set(INPUT_KINDS) == {"button"}


def test_the_box_reads_back_light_motor_and_button(factory):
    hw = HardwareConfig(pins="mock", light=18, button=17, second_button=None, vibration=13)
    devices = Devices(hw, factory, gamma=2.2)
    assert devices.shown() == Shown((0.0,), 0.0, False)
    devices.write(devices.light_duty(0.6, WHITE, 0.5), devices.motor_duty(1.0, 0.4))
    factory.pin(17).drive_low()
    shown = devices.shown()
    assert shown.light == pytest.approx((0.3,)) and shown.motor == pytest.approx(0.4)
    assert shown.pressed
    devices.close()
    assert devices.shown().light == (0.0,) and not devices.shown().pressed


def test_without_a_motor_the_box_reads_back_none_and_clears_every_pins_history(factory):
    hw = HardwareConfig(
        pins="mock", light=RGBPins(12, 16, 19), button=17, second_button=27, vibration=None
    )
    devices = Devices(hw, factory, gamma=1.0)
    assert devices.rgb and devices.shown().motor is None
    for level in (0.2, 0.4, 0.6):
        devices.set_light(level, WHITE, 1.0)
    factory.pin(27).drive_low()
    devices.clear_history()
    assert all(len(factory.pin(p).states) == 1 for p in (12, 16, 19, 17, 27))
    devices.close()


# --- the simulators read through the interface ----------------------------------------------------


def active_low_box(factory):
    return Devices.of(
        [led(factory, active_high=False), motor(factory, active_high=False)],
        [button(factory)],
        gamma=2.2,
    )


def test_the_terminal_draws_the_level_an_active_low_lamp_shows(factory):
    devices = active_low_box(factory)
    devices.set_light(0.5, WHITE, 1.0)
    devices.set_motor(1.0, 1.0)
    r = rig()
    r.app.devices = devices
    line = StatusLine(r.app, tty=True).text()
    assert line.startswith(f"▕{level_bar(0.5)}▏ ≋ ")
    devices.close()


def test_the_window_draws_what_the_devices_show_not_what_their_pins_hold(factory):
    r = rig()
    r.app.devices.close()
    r.app.devices = active_low_box(factory)
    r.app.devices.set_light(0.5, WHITE, 1.0)
    factory.pin(17).drive_low()
    view = ViewState.read(r.app)
    assert view.light == pytest.approx((0.5,)) and view.motor == 0.0 and view.button_down
    r.app.devices.close()


# --- packaging and layering -----------------------------------------------------------------------


def test_the_devices_package_ships_and_needs_no_yaml():
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "calmkit.devices" in packages["packages"]
    code = (
        "import sys, calmkit.devices.hardware, calmkit.devices, calmkit.core.settings\n"
        "from calmkit.devices import specs_for\n"
        "from calmkit.core.settings import HardwareConfig, OutputConfig\n"
        "hw = HardwareConfig('mock', 18, 17, None, None, (OutputConfig('motor', 'k', (5,)),))\n"
        "assert [s.kind for s in specs_for(hw)] == ['led', 'button', 'motor']\n"
        "print(sorted(m for m in ('yaml', 'calmkit.config', 'gpiozero') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_the_devices_take_their_settings_from_the_core_not_the_config():
    """Not even for type hints: the settings dataclasses are calmkit.core.settings."""
    wrong = []
    for path in sorted((ROOT / "src" / "calmkit" / "devices").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "calmkit.config"
            ):
                wrong.append(f"{path.name}:{node.lineno}")
    assert wrong == []
