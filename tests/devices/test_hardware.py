"""Devices on gpiozero's mock pins: gamma, caps, RGB, and one-line errors for pin trouble."""

import errno

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from calmkit.config import HardwareConfig, RGBPins
from calmkit.core.errors import HardwareError
from calmkit.devices.hardware import Devices, choose_pins, has_gpio

HW = HardwareConfig(pins="mock", light=18, button=17, second_button=None, vibration=13)


@pytest.fixture
def factory():
    return MockFactory(pin_class=MockPWMPin)


def test_light_goes_through_the_cap_then_gamma(factory):
    devices = Devices(HW, factory, gamma=2.2)
    devices.set_light(0.5, (1, 1, 1), cap=1.0)
    assert factory.pin(18).state == pytest.approx(0.5**2.2)
    devices.set_light(1.0, (1, 1, 1), cap=0.3)
    assert factory.pin(18).state == pytest.approx(0.3**2.2)
    devices.set_motor(1.0, cap=0.5)
    assert factory.pin(13).state == pytest.approx(0.5)
    devices.off()
    assert factory.pin(18).state == 0 and factory.pin(13).state == 0
    devices.close()


def test_an_unchanged_frame_writes_nothing(factory):
    devices = Devices(HW, factory)
    for _ in range(10):
        devices.set_light(0.4, (1, 1, 1), cap=1.0)
    assert len(factory.pin(18).states) == 2  # the initial state and one write


def test_duties_written_straight_to_the_pins_read_back_through_gpiozero(factory):
    devices = Devices(HW, factory, gamma=2.2)
    devices.write(devices.light_duty(0.5, (1, 1, 1), 1.0), devices.motor_duty(1.0, 0.7))
    assert devices.lights[0].device.value == pytest.approx(0.5**2.2)  # what gpiozero itself reads
    assert devices.motor.device.value == pytest.approx(0.7)
    devices.write(devices.light_duty(2.0, (1, 1, 1), -1.0), devices.motor_duty(-3.0, 1.0))
    # clamped, never refused
    assert devices.lights[0].device.value == 0 and devices.motor.device.value == 0
    devices.close()
    assert factory.pin(18).state == 0 and factory.pin(13).state == 0  # closing leaves them off


def test_rgb_light_takes_the_phase_colour(factory):
    hw = HardwareConfig(
        pins="mock", light=RGBPins(12, 16, 19), button=17, second_button=27, vibration=None
    )
    devices = Devices(hw, factory, gamma=1.0)
    devices.set_light(1.0, (1.0, 0.5, 0.0), cap=0.5)
    assert [factory.pin(p).state for p in (12, 16, 19)] == pytest.approx([0.5, 0.25, 0.0])
    assert devices.motor_pin is None
    devices.set_motor(1.0, 1.0)  # no motor fitted: nothing happens
    devices.close()


def test_both_buttons_report_edges(factory):
    hw = HardwareConfig(pins="mock", light=18, button=17, second_button=27, vibration=None)
    devices = Devices(hw, factory)
    edges = []
    devices.on_edge(edges.append)
    factory.pin(17).drive_low()
    factory.pin(17).drive_high()
    factory.pin(27).drive_low()
    assert edges == [True, False, True]
    devices.close()


def test_a_pin_already_in_use_names_the_pin_and_the_fix(factory):
    from gpiozero import LED

    other = LED(17, pin_factory=factory)  # another program holds the button pin
    with pytest.raises(HardwareError) as caught:
        Devices(HW, factory)
    assert str(caught.value) == (
        "GPIO17 (the button) is already in use by another program; stop it (another calmkit?) "
        "or choose another pin for hardware.button in the config"
    )
    assert caught.value.exit_code == 3
    # the light claimed before the failure was released again
    LED(18, pin_factory=factory).close()
    other.close()


class RefusedPin(MockPWMPin):
    def __init__(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", "/dev/gpiochip0")


def test_permission_denied_on_the_gpio_chip_says_to_join_the_gpio_group(monkeypatch):
    monkeypatch.setenv("USER", "pi")
    with pytest.raises(HardwareError) as caught:
        Devices(HW, MockFactory(pin_class=RefusedPin))
    assert str(caught.value) == (
        "no permission to use GPIO18 (the light); add this user to the gpio group: "
        "sudo usermod -aG gpio pi, then log in again"
    )


def test_no_gpio_chip_means_mock_pins_with_a_note(tmp_path):
    assert not has_gpio(tmp_path)
    choice = choose_pins("auto", tmp_path)
    assert choice.mock and "mock" in choice.note
    with pytest.raises(HardwareError, match="no GPIO chip found"):
        choose_pins("real", tmp_path)
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "gpiochip0").touch()
    assert has_gpio(tmp_path)


def test_a_gpio_chip_this_user_cannot_open_names_the_gpio_group(tmp_path, monkeypatch):
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "gpiochip0").touch()
    monkeypatch.setattr("calmkit.devices.hardware._usable", lambda chip: False)
    monkeypatch.setenv("USER", "pi")
    with pytest.raises(HardwareError) as caught:
        choose_pins("auto", tmp_path)
    assert str(caught.value) == (
        f"no permission to use {tmp_path}/dev/gpiochip0; add this user to the gpio group: "
        "sudo usermod -aG gpio pi, then log in again"
    )
