"""app.build, the one place a calmkit is put together: what it wires, on mock pins, and that it
lets every pin go again whether it succeeds or fails."""

from datetime import datetime

import pytest
from gpiozero import LED
from gpiozero.pins.mock import MockFactory, MockPWMPin

import calmkit.shell.app
import calmkit.shell.runner
import calmkit.shell.waiters
from calmkit.config import parse_config
from calmkit.core.clock import FakeClock, MonotonicClock, ScaledClock
from calmkit.core.cues import Caps
from calmkit.devices.hardware import PinChoice
from calmkit.shell.app import build, caps_for, flow_settings
from calmkit.shell.journal import Journal
from calmkit.shell.waiters import QueueWaiter, Scripted, VirtualWaiter
from helpers import MIDNIGHT, NOON

BOX = "default_program: box\n"


@pytest.fixture
def factory():
    return MockFactory(pin_class=MockPWMPin)


def pins(factory):
    return PinChoice(factory, True)


def test_a_virtual_box_is_on_mock_pins_with_no_sound_and_no_journal():
    config = parse_config("sound: {enabled: true}\njournal: {enabled: true}\n")
    app = build(config, clock=FakeClock())
    assert app.pins.mock and app.audio is None and app.journal is None
    assert isinstance(app.waiter, VirtualWaiter)
    factory = app.pins.factory
    assert app.devices.light_pins == [factory.pin(18)]
    assert app.devices.button_pin is factory.pin(17)
    assert app.devices.motor_pin is factory.pin(13)
    # the motor is driven under the comfort limit (shell.comfort), the lamp as it is
    assert [getattr(o, "output", o) for o in app.runner.outputs] == app.devices.outputs
    assert app.runner.clock is app.clock
    app.close()


def test_the_devices_follow_the_configs_pins_and_gamma(factory):
    config = parse_config(
        "hardware: {light: {red: 12, green: 16, blue: 19}, button: 5, second_button: 6,"
        " vibration: null}\nlight: {gamma: 1.8}\n"
    )
    app = build(config, clock=FakeClock(), pins=pins(factory))
    devices = app.devices
    assert devices.rgb and devices.gamma == 1.8 and devices.motor_pin is None
    assert devices.light_pins == [factory.pin(p) for p in (12, 16, 19)]
    assert [b.pins[0] for b in devices.buttons] == [factory.pin(5), factory.pin(6)]
    app.close()


def test_the_button_pin_is_wired_to_the_runner_and_a_press_starts_the_default_program(factory):
    events = []
    app = build(parse_config(BOX), clock=FakeClock(), pins=pins(factory), on_event=events.append)
    button = factory.pin(17)
    app.waiter.add(1.0, button.drive_low)
    app.waiter.add(1.1, button.drive_high)
    app.waiter.add(3.0, lambda: app.runner.request_stop("test"))
    lit = []
    app.waiter.add(2.9, lambda: lit.append(app.devices.shown().light[0]))
    app.runner.run()
    starts = [e for e in events if e.kind == "session_start"]
    assert [e.data["program"] for e in starts] == ["box"]
    assert lit[0] > 0  # the session drives the lamp through the same devices
    app.close()


def test_play_runs_its_one_program_from_the_start_and_the_run_ends_with_it(factory):
    events = []
    app = build(
        parse_config(""),
        clock=FakeClock(),
        pins=pins(factory),
        program="box",
        on_event=events.append,
    )
    assert app.runner.run() == "finished"  # a single program: the runner stops after it
    starts = [(e.t, e.data["program"]) for e in events if e.kind == "session_start"]
    assert starts == [(0.0, "box")]
    assert [e.data["status"] for e in events if e.kind == "session_end"] == ["completed"]
    assert factory.pin(18).state == 0  # off again at the end
    app.close()


def test_a_script_handed_to_build_plays_on_the_virtual_clock(factory):
    events = []
    script = [
        Scripted(1.0, lambda: factory.pin(17).drive_low()),
        Scripted(1.1, lambda: factory.pin(17).drive_high()),
        Scripted(30.0, lambda: app.runner.request_stop("test")),
    ]
    app = build(
        parse_config(BOX),
        clock=FakeClock(),
        pins=pins(factory),
        script=script,
        on_event=events.append,
    )
    assert app.runner.run() == "test"
    starts = [e.t for e in events if e.kind == "session_start"]
    assert starts == [pytest.approx(1.5)]  # the press, confirmed double_s after its release
    app.close()


def test_a_journal_handed_in_recovers_a_cut_off_session_and_says_so(tmp_path, factory):
    crashed = Journal(tmp_path / "journal.db")
    crashed.checkpoint({"start": "2026-03-02T03:10:00+00:00", "programs": ["calm"]})
    journal = Journal(tmp_path / "journal.db")  # the next start, after the crash
    app = build(parse_config(""), clock=FakeClock(), pins=pins(factory), journal=journal)
    assert app.journal is journal
    assert app.notes == [
        "The session started 2026-03-02T03:10:00+00:00 was cut off and is journaled as interrupted."
    ]
    assert [r["status"] for r in journal.read()] == ["interrupted"]
    app.close()


def test_the_pin_choice_note_is_passed_on(factory):
    choice = PinChoice(factory, True, "No GPIO on this machine: running on simulated (mock) pins.")
    app = build(parse_config(""), clock=FakeClock(), pins=choice)
    assert app.notes == [choice.note] and app.pins is choice
    app.close()


def test_closing_the_app_lets_its_pins_go(factory):
    app = build(parse_config(""), clock=FakeClock(), pins=pins(factory))
    app.devices.set_light(1.0, (1.0, 1.0, 1.0), 1.0)
    app.close()
    for pin in (18, 17, 13):
        LED(pin, pin_factory=factory).close()  # free again
    assert factory.pin(18).state == 0


def test_a_failure_after_the_pins_are_claimed_lets_them_go(factory, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("flow could not be built")

    monkeypatch.setattr(calmkit.shell.app, "Flow", broken)
    with pytest.raises(RuntimeError) as caught:
        build(parse_config(""), clock=FakeClock(), pins=pins(factory))
    monkeypatch.undo()
    # closed by build, not by the garbage collector: the traceback still holds the devices here
    build(parse_config(""), clock=FakeClock(), pins=pins(factory)).close()
    assert str(caught.value) == "flow could not be built"


def test_clear_history_is_wired_only_when_asked(factory):
    app = build(parse_config(""), clock=FakeClock(), pins=pins(factory))
    assert app.runner.clear_history is None
    app.close()
    app = build(parse_config(""), clock=FakeClock(), pins=pins(factory), clear_history=True)
    assert app.runner.clear_history == app.devices.clear_history
    app.close()


def test_real_time_at_speed_1_and_scaled_time_above_it(factory):
    config = parse_config("sound: false\n")
    app = build(config, pins=pins(factory), journal=False)
    assert isinstance(app.clock, MonotonicClock) and isinstance(app.waiter, QueueWaiter)
    assert app.runner.fps == 50 and not app.flow.settings.demo
    app.close()
    app = build(config, pins=pins(factory), journal=False, speed=4)
    assert isinstance(app.clock, ScaledClock) and app.clock.speed == 4
    assert app.waiter.clock is app.clock  # it asks the clock how long a deadline really takes
    # the lamp keeps 50 frames a second of real time, the button human timing
    assert app.runner.fps == pytest.approx(12.5)
    gestures = app.runner.gestures
    assert (gestures.hold_s, gestures.double_s) == pytest.approx((1.5 * 4, 0.4 * 4))
    assert app.runner.sound_wait_s == pytest.approx(15.0 * 4)
    assert app.flow.settings.demo  # a demo: kept out of the real sessions
    app.close()


def test_a_clock_handed_in_brings_its_speed_and_a_different_one_is_refused(factory):
    app = build(parse_config(""), clock=FakeClock(speed=4), pins=pins(factory))
    assert app.runner.fps == pytest.approx(12.5) and app.runner.gestures.double_s == 1.6
    assert app.flow.settings.demo
    app.close()
    app = build(parse_config(""), clock=FakeClock(speed=4), pins=pins(factory), speed=4)
    app.close()
    with pytest.raises(ValueError, match="speed=2 was asked for, but the clock runs at 4"):
        build(parse_config(""), clock=FakeClock(speed=4), pins=pins(factory), speed=2)


def test_nothing_but_the_clock_knows_the_speed():
    """The app turns real seconds into clock seconds only by asking the clock (from_real)."""
    import ast
    import inspect

    for module in (calmkit.shell.app, calmkit.shell.runner, calmkit.shell.waiters):
        tree = ast.parse(inspect.getsource(module))
        named = [
            node
            for node in ast.walk(tree)
            if (isinstance(node, ast.Name) and node.id == "speed")
            or (isinstance(node, ast.Attribute) and node.attr == "speed")
        ]
        arithmetic = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.BinOp) and any(n in named for n in ast.walk(node))
        ]
        assert arithmetic == [], (module.__name__, [ast.unparse(a) for a in arithmetic])


def test_caps_are_the_day_settings_by_day_and_the_night_caps_at_night():
    config = parse_config(
        "light: {brightness: 0.8}\nsound: {volume: 0.6}\nvibration: {strength: 0.7}\n"
        "night: {start: '21:00', end: '07:00', brightness: 0.3, volume: 0.2, vibration: 0.5}\n"
    )
    assert caps_for(config, FakeClock(wall_start=NOON))() == Caps(0.8, 0.6, 0.7)
    assert caps_for(config, FakeClock(wall_start=MIDNIGHT))() == Caps(0.3, 0.2, 0.5)


def test_caps_follow_the_clock_into_the_night():
    config = parse_config("night: {start: '21:00', end: '07:00', brightness: 0.3}\n")
    clock = FakeClock(wall_start=datetime(2026, 3, 2, 20, 59, 50).astimezone())
    caps = caps_for(config, clock)
    assert caps().brightness == 1.0
    clock.advance(20)
    assert caps().brightness == 0.3


def test_vibration_turned_off_caps_the_motor_at_nothing():
    config = parse_config("vibration: {enabled: false, strength: 0.9}\n")
    assert caps_for(config, FakeClock(wall_start=NOON))().vibration == 0.0
    assert not flow_settings(config).vibration


def test_flow_settings_carry_the_config():
    config = parse_config(
        "default_program: box\nmenu: [box, calm]\n"
        "flow: {quiet_offer_s: 11, helped_s: 12, pause_limit_s: 130}\n"
        "light: {floor: 0.05}\nsound: {voice: false}\n"
        "reach_out: {enabled: false, sessions: 3, within_hours: 6, message: Call a friend.}\n"
    )
    settings = flow_settings(config)
    assert (settings.default_program, tuple(settings.menu)) == ("box", ("box", "calm"))
    assert (settings.quiet_offer_s, settings.helped_s, settings.pause_limit_s) == (11, 12, 130)
    assert settings.floor == 0.05 and not settings.voice and settings.vibration
    assert not settings.reach_out
    assert (settings.reach_out_sessions, settings.reach_out_within_h) == (3, 6)
    assert settings.reach_out_message == "Call a friend."
