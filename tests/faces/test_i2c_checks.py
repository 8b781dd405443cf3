"""`calmkit doctor` on a wearable: the I2C bus, the DRV2605L's status and the MAX17048's level,
each failure with its fix (faces/i2c_checks.py), on a simulated bus and a made-up /dev."""

from __future__ import annotations

import errno

import pytest

from calmkit.config import parse_config
from calmkit.devices.simbus import SimBus
from calmkit.faces.doctor import FAIL, OK, WARN, run_checks
from calmkit.faces.i2c_checks import i2c_checks

WEARABLE = "hardware:\n  light: null\n  outputs: [{kind: haptic}]\n  battery: 0x36\n"


def board(tmp_path, i2c=True):
    (tmp_path / "dev").mkdir(exist_ok=True)
    (tmp_path / "dev" / "gpiochip0").touch()
    if i2c:
        (tmp_path / "dev" / "i2c-1").touch()
    return tmp_path


def wired(percent=80.0):
    bus = SimBus(lambda: 0.0)
    bus.fit_drv2605l()
    bus.fit_max17048().percent = percent
    return bus


def checks(tmp_path, bus, yaml=WEARABLE, **kw):
    found = i2c_checks(parse_config(yaml), board(tmp_path, **kw), lambda: bus)
    return {name: (level, detail) for name, level, detail in found}


def test_a_wired_wearable_passes_with_its_level(tmp_path):
    bus = wired(76.4)
    found = checks(tmp_path, bus)
    assert found["i2c"] == (OK, "/dev/i2c-1 opens")
    assert found["haptic 0x5A"][0] == OK and "device id 7" in found["haptic 0x5A"][1]
    assert found["battery 0x36"] == (OK, "76 % (3.98 V)")
    assert bus.closed


def test_i2c_turned_off_says_how_to_turn_it_on(tmp_path):
    found = checks(tmp_path, wired(), i2c=False)
    level, detail = found["i2c"]
    assert level == FAIL and "sudo raspi-config nonint do_i2c 0" in detail
    assert "dtparam=i2c_arm=on" in detail and list(found) == ["i2c"]


def test_no_permission_says_to_join_the_i2c_group(tmp_path):
    def refused():
        raise PermissionError(errno.EACCES, "Permission denied")

    found = i2c_checks(parse_config(WEARABLE), board(tmp_path), refused)
    assert found[0][1] == FAIL and "usermod -aG i2c" in found[0][2]


def test_chips_that_do_not_answer_say_to_check_the_wiring(tmp_path):
    found = checks(tmp_path, SimBus(lambda: 0.0))
    for name in ("haptic 0x5A", "battery 0x36"):
        level, detail = found[name]
        assert level == FAIL and "i2cdetect -y 1" in detail and "GPIO 2" in detail


def test_the_haptics_status_faults_are_read(tmp_path):
    bus = wired()
    bus.chips[0x5A].registers[0] |= 0b11  # OVER_TEMP and OC_DETECT
    level, detail = checks(tmp_path, bus)["haptic 0x5A"]
    assert level == FAIL and "over-temperature and over-current" in detail
    bus = wired()
    bus.chips[0x5A].registers[0] = 3 << 5  # a DRV2605
    level, detail = checks(tmp_path, bus)["haptic 0x5A"]
    assert level == FAIL and "not a DRV2605L (device id 3" in detail


@pytest.mark.parametrize(
    ("percent", "level", "words"), [(12.0, WARN, "low"), (3.0, WARN, "very low")]
)
def test_a_low_battery_is_told(tmp_path, percent, level, words):
    found_level, detail = checks(tmp_path, wired(percent))["battery 0x36"]
    assert found_level == level and f": {words}" in detail and "charge it" in detail


def test_a_box_without_i2c_chips_has_no_i2c_checks(tmp_path):
    assert checks(tmp_path, wired(), yaml="") == {}


def test_off_a_board_it_notes_the_simulated_bus(tmp_path):
    found = i2c_checks(parse_config(WEARABLE), tmp_path, lambda: wired())
    assert found == [("i2c", WARN, "no I2C bus here: calmkit will use its simulated bus")]


def test_the_doctor_runs_them_for_a_wearable_config(tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    path = tmp_path / "wearable.yaml"
    path.write_text(WEARABLE + f"journal: {{path: {tmp_path / 'journal.db'}}}\n")
    found = {c.name: c for c in run_checks(path, root=tmp_path, environ={}, open_bus=wired)}
    assert found["i2c"].level == WARN  # this machine has no /dev here


def test_on_a_pi_the_doctor_claims_a_wearables_pins_and_says_it_has_no_lamp(tmp_path, monkeypatch):
    from calmkit.devices import hardware

    monkeypatch.setattr(
        hardware,
        "choose_pins",
        lambda mode, root: hardware.PinChoice(hardware.mock_factory(), True),
    )
    path = tmp_path / "wearable.yaml"
    path.write_text(WEARABLE + "sound: false\n" + f"journal: {{path: {tmp_path / 'j.db'}}}\n")
    found = {c.name: c for c in run_checks(path, root=board(tmp_path), environ={}, open_bus=wired)}
    assert found["pins"].level == OK and "claimed light none, button 17" in found["pins"].detail
    assert found["i2c"].level == OK and found["haptic 0x5A"].level == OK
    assert found["battery 0x36"].level == OK
