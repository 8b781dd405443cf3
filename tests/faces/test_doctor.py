"""`calmkit doctor`: one line per check, each failure with its fix."""

from calmkit.faces.doctor import FAIL, OK, WARN, run_checks


def by_name(checks):
    return {c.name: c for c in checks}


def config(tmp_path, text="") -> object:
    path = tmp_path / "calmkit.yaml"
    path.write_text(text or f"journal: {{path: {tmp_path / 'state' / 'journal.jsonl'}}}\n")
    return path


def test_a_laptop_passes_with_a_note_about_mock_pins(tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    checks = by_name(run_checks(config(tmp_path), root=tmp_path, environ={}))
    assert checks["config"].level == OK
    assert checks["pins"].level == WARN and "simulated pins" in checks["pins"].detail
    assert checks["audio device"].level == OK
    assert checks["sound files"].level == OK
    assert checks["journal"].level == OK
    assert checks["watchdog"].detail == "not running under systemd"
    assert all(c.ok for c in checks.values())


def test_a_broken_config_fails_and_points_to_check(tmp_path):
    checks = by_name(
        run_checks(config(tmp_path, "light: {brightness: 7}\n"), root=tmp_path, environ={})
    )
    assert checks["config"].level == FAIL
    assert "run `calmkit check` for all" in checks["config"].detail


def test_an_unwritable_journal_folder_says_what_to_fix(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("")
    text = f"journal: {{path: {blocker / 'journal.jsonl'}}}\nsound: false\n"
    checks = by_name(run_checks(config(tmp_path, text), root=tmp_path, environ={}))
    assert checks["journal"].level == FAIL
    assert "fix its owner or permissions, or set journal.path" in checks["journal"].detail
    assert checks["audio"].level == OK  # sound turned off is fine


def test_on_a_pi_the_groups_are_checked(tmp_path, monkeypatch):
    from calmkit.devices import hardware

    monkeypatch.setattr(
        hardware,
        "choose_pins",
        lambda mode, root: hardware.PinChoice(hardware.mock_factory(), True),
    )
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "gpiochip0").touch()
    checks = run_checks(
        config(tmp_path, "sound: false\n"), root=tmp_path, environ={}, user_groups=lambda: {"audio"}
    )
    assert by_name(checks)["pins"].level == OK  # claimed (on mock pins standing in for real ones)
    groups = by_name(checks)["groups"]
    assert (
        groups.level == FAIL
        and "not in gpio" in groups.detail
        and "usermod -aG gpio" in groups.detail
    )


def test_under_systemd_the_watchdog_must_be_set(tmp_path):
    path = config(tmp_path, "sound: false\n")
    missing = by_name(run_checks(path, root=tmp_path, environ={"INVOCATION_ID": "x"}))
    assert missing["watchdog"].level == FAIL and "WatchdogSec=" in missing["watchdog"].detail
    set_ = by_name(
        run_checks(path, root=tmp_path, environ={"INVOCATION_ID": "x", "WATCHDOG_USEC": "30000000"})
    )
    assert set_["watchdog"].level == OK and set_["watchdog"].detail == "every 30 s"


def test_the_journal_check_really_writes_to_the_journal_and_leaves_nothing(tmp_path):
    from calmkit.shell.journal import Journal

    path = tmp_path / "state" / "journal.db"
    Journal(path).append({"start": "2026-03-02T23:10:00+00:00", "programs": ["calm"]})
    text = f"journal: {{path: {path}}}\nsound: false\n"
    check = by_name(run_checks(config(tmp_path, text), root=tmp_path, environ={}))["journal"]
    assert check.level == OK and "a test row written and removed" in check.detail
    assert Journal(path).read() == [{"start": "2026-03-02T23:10:00+00:00", "programs": ["calm"]}]


def test_a_journal_file_that_refuses_writes_fails_although_its_folder_is_writable(
    tmp_path, monkeypatch
):
    from shell.test_journal import Refusing

    path = tmp_path / "journal.db"
    text = f"journal: {{path: {path}}}\nsound: false\n"
    Refusing(monkeypatch, "read-only")  # a read-only file, or another owner's
    check = by_name(run_checks(config(tmp_path, text), root=tmp_path, environ={}))["journal"]
    assert check.level == FAIL and "attempt to write a readonly database" in check.detail
    assert str(path) in check.detail


def test_a_folder_where_the_journal_file_should_be_fails(tmp_path):
    (tmp_path / "journal.db").mkdir()
    text = f"journal: {{path: {tmp_path / 'journal.db'}}}\nsound: false\n"
    check = by_name(run_checks(config(tmp_path, text), root=tmp_path, environ={}))["journal"]
    assert check.level == FAIL and "Is a directory" in check.detail


def test_a_fifo_where_the_journal_file_should_be_fails_at_once_with_the_fix(tmp_path):
    """Only looked at, never opened: opening a FIFO would hang the doctor for ever."""
    import os

    os.mkfifo(tmp_path / "journal.db")
    text = f"journal: {{path: {tmp_path / 'journal.db'}}}\nsound: false\n"
    check = by_name(run_checks(config(tmp_path, text), root=tmp_path, environ={}))["journal"]
    assert check.level == FAIL
    assert check.detail == (
        f"{tmp_path / 'journal.db'} is a named pipe (FIFO), not a file: remove it or set "
        "journal.path"
    )


def test_a_device_as_the_journal_fails(tmp_path):
    text = "journal: {path: /dev/null}\nsound: false\n"
    check = by_name(run_checks(config(tmp_path, text), root=tmp_path, environ={}))["journal"]
    assert check.level == FAIL and check.detail.startswith("/dev/null is a device, not a file")


def test_a_damaged_journal_fails_with_a_fix_that_can_work(tmp_path):
    (tmp_path / "journal.db").write_bytes(b"SQLite format 3\x00" + b"\x01" * 5000)
    text = f"journal: {{path: {tmp_path / 'journal.db'}}}\nsound: false\n"
    check = by_name(run_checks(config(tmp_path, text), root=tmp_path, environ={}))["journal"]
    assert check.level == FAIL and "free some space" not in check.detail
    assert "move it away (calmkit starts a new journal)" in check.detail


def groups_on_a_pi(tmp_path, monkeypatch, text, groups):
    from calmkit.devices import hardware

    monkeypatch.setattr(
        hardware,
        "choose_pins",
        lambda mode, root: hardware.PinChoice(hardware.mock_factory(), True),
    )
    (tmp_path / "dev").mkdir(exist_ok=True)
    (tmp_path / "dev" / "gpiochip0").touch()
    path = config(tmp_path, text + f"sound: false\njournal: {{path: {tmp_path / 'j.db'}}}\n")
    checks = run_checks(
        path, root=tmp_path, environ={}, user_groups=lambda: groups, open_bus=lambda: None
    )
    return by_name(checks)["groups"]


WEARABLE = "hardware:\n  light: null\n  outputs: [{kind: haptic}]\n  battery: 0x36\n"
BATTERY_ONLY = "hardware:\n  battery: 0x36\n"


def test_a_config_with_i2c_chips_needs_the_i2c_group(tmp_path, monkeypatch):
    """A haptic driver or a battery gauge is opened through /dev/i2c-1, which group i2c owns."""
    for text in (WEARABLE, BATTERY_ONLY):
        groups = groups_on_a_pi(tmp_path, monkeypatch, text, {"gpio", "audio"})
        assert groups.level == FAIL and "is not in i2c" in groups.detail
        assert "usermod -aG i2c " in groups.detail
    groups = groups_on_a_pi(tmp_path, monkeypatch, WEARABLE, {"gpio", "audio", "i2c"})
    assert groups.level == OK and groups.detail == "in audio and gpio and i2c"


def test_a_box_without_i2c_chips_does_not_need_the_i2c_group(tmp_path, monkeypatch):
    groups = groups_on_a_pi(tmp_path, monkeypatch, "", {"gpio", "audio"})
    assert groups.level == OK and groups.detail == "in audio and gpio"
