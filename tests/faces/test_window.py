"""The simulator window: drawn from the mock pins, pressing through the button's mock pin."""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import signal
import threading
import time

import pygame
import pytest

from calmkit.config import parse_config
from calmkit.core.flow_table import Mode, hint
from calmkit.faces.launch import RunSettings
from calmkit.faces.sim import window
from calmkit.faces.sim.window import (
    BACKGROUND,
    DEFAULT_SIZE,
    STRIP_MAX_SAMPLES,
    Layout,
    LevelStrip,
    ViewState,
    Window,
    draw,
)
from calmkit.faces.words import KEYS, words_for
from helpers import MIDNIGHT, rig

#: box: in 4 (0-4 s), hold 4 at the top, out 4 (8-12 s), hold 4 at the floor (12-16 s).
PEAK_T, TROUGH_T = 6.0, 14.0


def brightness(surface, point):
    r, g, b, *_ = surface.get_at(point)
    return r + g + b


def snapshots(times, yaml_text="", program="box", **kw):
    """Run ``program`` on the fake clock; at each time, read the view and draw it."""
    r = rig(yaml_text, **kw)
    strip = LevelStrip()
    taken = {}

    def take(t):
        view = ViewState.read(r.app, strip)
        surface = pygame.Surface(DEFAULT_SIZE)
        layout = draw(surface, view)
        taken[t] = (view, surface, layout)

    for t in times:
        r.at(t, lambda t=t: take(t))
    r.at(max(times) + 1, lambda: r.app.runner.request_stop("test"))
    r.app.runner.start(program)
    r.run()
    return r, taken


def test_the_lamp_is_brighter_at_an_inhale_peak_than_at_an_exhale_trough(tmp_path):
    _, shots = snapshots([PEAK_T, TROUGH_T])
    peak_view, peak, layout = shots[PEAK_T]
    trough_view, trough, _ = shots[TROUGH_T]
    pygame.image.save(peak, str(tmp_path / "peak.png"))
    pygame.image.save(trough, str(tmp_path / "trough.png"))
    assert (tmp_path / "peak.png").stat().st_size > 0
    # read back from the pin: gamma undone, the perceptual level cues.py asked for
    assert peak_view.level == pytest.approx(1.0)
    assert trough_view.level == pytest.approx((1 / 1024) ** (1 / 2.2))  # one PWM step: 0.03
    assert peak_view.phase == "hold" and trough_view.phase == "hold"
    cx, cy = layout.lamp
    centre = [(cx + dx, cy + dy) for dx in (-3, 0, 3) for dy in (-3, 0, 3)]
    bright = sum(brightness(peak, p) for p in centre)
    dim = sum(brightness(trough, p) for p in centre)
    assert bright > 4 * dim
    assert bright > 9 * 300  # a clearly lit lamp ...
    assert max(max(peak.get_at(p)[:3]) for p in centre) < 250  # ... that never glares white


def test_the_glow_follows_the_inhale_as_it_rises():
    _, shots = snapshots([1.0, 2.0, 3.0])
    levels = [shots[t][0].level for t in (1.0, 2.0, 3.0)]
    assert levels == sorted(levels) and levels[0] < levels[-1]
    pixels = [brightness(shots[t][1], shots[t][2].lamp) for t in (1.0, 2.0, 3.0)]
    assert pixels == sorted(pixels) and pixels[0] < pixels[-1]


def test_the_window_is_dark_and_has_no_white(tmp_path):
    _, shots = snapshots([PEAK_T])
    _, surface, _ = shots[PEAK_T]
    w, h = surface.get_size()
    assert surface.get_at((1, h // 2))[:3] == BACKGROUND
    assert surface.get_at((w - 2, h - 2))[:3] == BACKGROUND
    # no pixel near white anywhere (text is grey-amber, the lamp warm and below full)
    whitest = max(min(surface.get_at((x, y))[:3]) for x in range(0, w, 3) for y in range(0, h, 3))
    assert whitest < 200
    # and mostly dark: the average is far below mid-grey even with the lamp at its peak
    mean = pygame.transform.average_color(surface)
    assert sum(mean[:3]) / 3 < 40


def test_the_view_says_the_phase_the_seconds_left_and_the_program():
    _, shots = snapshots([1.0, 9.0])
    early, late = shots[1.0][0], shots[9.0][0]
    assert (early.state, early.program, early.phase) == ("running", "box", "inhale")
    assert early.remaining == pytest.approx(3.0)
    assert early.total == pytest.approx(240.0)
    assert (late.phase, late.remaining) == ("exhale", pytest.approx(3.0))
    assert early.headline() == "Breathe in"
    assert not early.muted


def test_at_night_the_window_shows_the_capped_lamp_and_says_why():
    _, shots = snapshots([PEAK_T], wall=MIDNIGHT)
    view = shots[PEAK_T][0]
    assert view.level == pytest.approx(0.3, abs=0.002)  # what the pin outputs (its steps)
    assert view.night_cap == pytest.approx(0.3)
    _, day = snapshots([PEAK_T])
    assert day[PEAK_T][0].night_cap is None
    night_px = brightness(shots[PEAK_T][1], shots[PEAK_T][2].lamp)
    day_px = brightness(day[PEAK_T][1], day[PEAK_T][2].lamp)
    assert night_px < day_px / 2


def test_an_rgb_lamp_is_drawn_in_the_colour_of_its_three_pins():
    yaml_text = "hardware: {light: {red: 12, green: 18, blue: 19}}"
    _, shots = snapshots([PEAK_T], yaml_text)
    view, surface, layout = shots[PEAK_T]
    assert view.rgb and len(view.light) == 3
    red, green, blue = view.light
    assert red == pytest.approx(1.0) and red > green > blue  # a warm colour, no blue
    r, g, b, *_ = surface.get_at(layout.lamp)
    assert r > g > b


def test_the_motor_ring_trembles_only_while_its_pin_is_on():
    # the inhale starts with a 0.15 s pulse; at 2 s the motor is off
    _, shots = snapshots([0.1, 2.0])
    on, off = shots[0.1][0], shots[2.0][0]
    assert on.motor > 0 and off.motor == 0
    quiet = pygame.Surface(DEFAULT_SIZE)
    draw(quiet, off)
    shaking = []
    for k in range(3):
        surface = pygame.Surface(DEFAULT_SIZE)
        draw(surface, ViewState(**{**on.__dict__, "now": on.now + k / 30}))
        shaking.append(pygame.image.tobytes(surface, "RGB"))
    assert len(set(shaking)) > 1  # the ring moves from frame to frame


def test_no_motor_fitted_no_ring():
    _, shots = snapshots([0.1], "hardware: {vibration: null}")
    assert shots[0.1][0].motor is None


def test_the_strip_is_bounded_in_time_and_in_samples():
    strip = LevelStrip(span_s=30.0)
    for k in range(100_000):
        strip.add(k / 1000, 0.5)  # a thousand samples a second, far above any frame rate
    assert len(strip) <= STRIP_MAX_SAMPLES
    strip = LevelStrip(span_s=30.0)
    for k in range(3000):
        strip.add(k * 0.1, 0.5)  # ten a second for five minutes
    assert len(strip) <= 301
    assert strip.samples[-1][0] - strip.samples[0][0] <= 30.0


def test_the_window_keeps_its_strip_while_it_runs():
    r = rig()
    win = Window(r.app, pygame.Surface(DEFAULT_SIZE))
    for k in range(1, 120):
        r.at(k * 0.5, win.frame)  # a minute of frames, drawn as the window loop would
    r.at(61, lambda: r.app.runner.request_stop("test"))
    r.app.runner.start("box")
    r.run()
    times = [t for t, _ in win.strip.samples]
    assert times[-1] - times[0] <= 30.0
    assert 55 <= len(times) <= 62
    assert max(level for _, level in win.strip.samples) == pytest.approx(1.0)


def key(kind, which):
    return pygame.event.Event(kind, key=which, mod=0, unicode="", scancode=0)


def test_space_drives_the_button_pin_low_and_high():
    r = rig()
    win = Window(r.app, pygame.Surface(DEFAULT_SIZE))
    pin = r.button_pin
    assert pin.state
    win.handle(key(pygame.KEYDOWN, pygame.K_SPACE))
    assert not pin.state
    assert ViewState.read(r.app).button_down
    win.handle(key(pygame.KEYUP, pygame.K_SPACE))
    assert pin.state
    # the edges went on the runner's queue, with the times of the drives
    items = []
    while not r.app.runner.items.empty():
        items.append(r.app.runner.items.get_nowait())
    assert [(kind, value) for kind, value, _ in items] == [("edge", True), ("edge", False)]


def test_a_click_on_the_button_presses_it_and_elsewhere_does_not():
    r = rig()
    win = Window(r.app, pygame.Surface(DEFAULT_SIZE))
    pin = r.button_pin
    elsewhere = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(5, 5))
    win.handle(elsewhere)
    assert pin.state
    down = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=win.layout.button)
    up = pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=win.layout.button)
    win.handle(down)
    assert not pin.state
    # space held as well: the button stays down until both let go
    win.handle(key(pygame.KEYDOWN, pygame.K_SPACE))
    win.handle(up)
    assert not pin.state
    win.handle(key(pygame.KEYUP, pygame.K_SPACE))
    assert pin.state


def test_losing_focus_lets_the_button_go():
    r = rig()
    win = Window(r.app, pygame.Surface(DEFAULT_SIZE))
    win.handle(key(pygame.KEYDOWN, pygame.K_SPACE))
    assert not r.button_pin.state
    win.handle(pygame.event.Event(pygame.WINDOWFOCUSLOST))
    assert r.button_pin.state


def test_space_press_and_hold_go_through_the_real_gestures():
    """A short press starts the selected program; a hold in it is "not helping"."""
    r = rig()
    win = Window(r.app, pygame.Surface(DEFAULT_SIZE))
    r.at(1.0, lambda: win.handle(key(pygame.KEYDOWN, pygame.K_SPACE)))
    r.at(1.1, lambda: win.handle(key(pygame.KEYUP, pygame.K_SPACE)))
    r.at(5.0, lambda: win.handle(key(pygame.KEYDOWN, pygame.K_SPACE)))
    r.at(7.0, lambda: win.handle(key(pygame.KEYUP, pygame.K_SPACE)))
    r.at(8.0, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert [e.data["program"] for e in r.kinds("session_start")] == ["calm", "ground"]
    assert r.kinds("not_helping")


def test_m_mutes_and_q_asks_to_stop():
    r = rig()
    win = Window(r.app, pygame.Surface(DEFAULT_SIZE))
    win.handle(key(pygame.KEYDOWN, pygame.K_m))
    win.handle(key(pygame.KEYDOWN, pygame.K_q))
    assert win.closing
    assert r.run() == "quit"
    assert r.app.runner.muted
    assert [e.data["muted"] for e in r.kinds("mute")] == [True]


def test_g_shows_and_hides_the_light_chart_and_the_key_help_says_so():
    r = rig()
    win = Window(r.app, pygame.Surface(DEFAULT_SIZE))
    assert not win.frame().chart
    win.handle(key(pygame.KEYDOWN, pygame.K_g))
    assert win.frame().chart
    win.handle(key(pygame.KEYDOWN, pygame.K_g))
    assert not win.frame().chart
    assert "g: light chart" in words_for("en")(KEYS)


def test_closing_the_window_asks_to_stop_and_lets_go_of_the_button():
    r = rig()
    win = Window(r.app, pygame.Surface(DEFAULT_SIZE))
    win.handle(key(pygame.KEYDOWN, pygame.K_SPACE))
    win.handle(pygame.event.Event(pygame.QUIT))
    assert win.closing and r.button_pin.state
    assert r.run() == "quit"


def test_a_signal_only_sets_a_flag():
    r = rig()
    win = Window(r.app, pygame.Surface(DEFAULT_SIZE))
    win.on_signal("SIGTERM")
    assert win.signalled == "SIGTERM" and r.app.runner.items.empty()


def test_the_layout_fits_small_and_wide_windows():
    for size in [(240, 320), DEFAULT_SIZE, (1280, 720), (400, 1000)]:
        layout = Layout.for_size(size)
        w, h = size
        cx, cy = layout.lamp
        assert layout.ring_r < cy < layout.button[1] - layout.button_r
        assert cx + layout.ring_r <= w and layout.strip[1] + layout.strip[3] < h
        assert layout.on_button(layout.button) and not layout.on_button((0, 0))
        surface = pygame.Surface(size)
        draw(surface, ViewState())  # idle, nothing to read: still draws


def test_idle_view_names_the_program_a_press_would_start():
    r = rig()
    view = ViewState.read(r.app)
    assert (view.state, view.program, view.number) == ("idle", "calm", 1)
    assert view.headline() == "calm" and view.level == 0
    assert view.subline() == "Three cyclic sighs, then a slowing wind-down"
    assert view.details() == "8:24 long · program 1 of 10"


def test_display_problem_without_a_display(monkeypatch):
    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(window.sys, "platform", "linux")
    problem = window.display_problem()
    assert problem and "DISPLAY" in problem and "\n" not in problem


def test_display_problem_with_a_broken_display(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "no-such-driver")
    problem = window.display_problem()
    assert problem and problem.startswith("no window can be opened")


def test_display_is_possible_with_the_dummy_driver(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    assert window.display_problem() is None


SHORT = """
journal: false
sound: false
programs:
  tiny:
    description: one short breath
    steps: [{inhale: 2}, {exhale: 2}]
    cycles: 1
"""


def sim_settings(program=None, speed=1.0):
    return RunSettings(program=program, speed=speed, mute=True, window=True)


def test_the_window_is_dark_from_its_first_frame():
    surface = window.open_window(pygame)
    try:
        assert surface.get_size() == DEFAULT_SIZE
        assert surface.get_at((0, 0))[:3] == BACKGROUND
        assert surface.get_at((DEFAULT_SIZE[0] // 2, DEFAULT_SIZE[1] // 2))[:3] == BACKGROUND
    finally:
        pygame.display.quit()


def test_run_window_plays_a_program_and_closes_when_it_ends():
    config = parse_config(SHORT, "test.yaml")
    seen = []
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    started = time.monotonic()
    assert window.run_window(config, sim_settings("tiny", speed=8.0), seen.append) == 0
    assert time.monotonic() - started < 10
    kinds = [e.kind for e in seen]
    assert "session_start" in kinds and "session_end" in kinds
    assert not pygame.display.get_init()  # the window has gone
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_run_window_quits_on_q():
    config = parse_config(SHORT, "test.yaml")
    seen = []

    def press_q():
        # a real window on its own thread: look for it as it opens (an Event's wait, not a sleep)
        opened = threading.Event()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if pygame.display.get_init() and pygame.display.get_surface() is not None:
                opened.wait(0.2)
                pygame.event.post(key(pygame.KEYDOWN, pygame.K_q))
                return
            opened.wait(0.02)

    helper = threading.Thread(target=press_q, daemon=True)
    helper.start()
    started = time.monotonic()
    assert window.run_window(config, sim_settings(), seen.append) == 0
    helper.join(1)
    assert time.monotonic() - started < 8
    assert not pygame.display.get_init()


def test_display_problem_when_sdl_falls_back_to_an_invisible_driver(monkeypatch):
    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.setenv("DISPLAY", ":4242")
    monkeypatch.setattr(pygame.display, "get_init", lambda: True)
    monkeypatch.setattr(pygame.display, "init", lambda: None)
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "offscreen")
    assert "offscreen" in window.display_problem()
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "x11")
    assert window.display_problem() is None


def test_the_hint_says_what_the_button_does_in_each_mode_from_the_flow_table():
    assert ViewState(mode=Mode.SESSION).hint().startswith("press: pause")
    prompt = ViewState(mode=Mode.PROMPT, hint_values=(("next", "try press"),)).hint()
    assert prompt.startswith("press: one thing named") and "double" not in prompt
    assert "hold, let go: not helping, try thumb press" in prompt and "keep holding: stop" in prompt
    assert "squeeze" in ViewState(mode=Mode.SQUEEZE).hint()
    assert ViewState(mode=Mode.PAUSED).hint().startswith("press: go on")
    assert ViewState(mode=Mode.ASK_HELPED).hint() == "press: yes · hold: no · wait: skip"
    assert (
        ViewState(mode=Mode.IDLE, hint_values=(("program", "box"),))
        .hint()
        .startswith("press: start box breathing")
    )


def test_an_idle_hold_shows_the_selected_program_in_the_window():
    r = rig("menu: [calm, box, ground]\n")
    seen = {}

    def look(name):
        seen[name] = ViewState.read(r.app)

    r.at(0.5, lambda: look("before"))
    r.at(1.0, r.button_pin.drive_low)
    r.at(2.6, lambda: look("held"))  # the hold fell due at 2.5
    r.at(3.0, r.button_pin.drive_high)
    r.at(3.2, lambda: r.app.runner.request_stop("test"))
    r.run()
    assert seen["before"].headline() == "calm"
    held = seen["held"]
    assert held.showing_menu and held.headline() == "calm"
    assert held.details() == "8:24 long · program 1 of 3"


@pytest.mark.parametrize(
    ("program", "at", "mode"),
    [
        (None, 1.0, Mode.IDLE),
        ("box", 3.0, Mode.SESSION),
        ("ground", 3.0, Mode.PROMPT),
        ("478", 80.6, Mode.ASK_HELPED),  # 478 ends at 76; a hold then: no quiet time
    ],
)
def test_the_window_shows_the_flows_own_hint(tmp_path, program, at, mode):
    r = rig()
    taken = {}

    def take():
        view = ViewState.read(r.app)
        surface = pygame.Surface(DEFAULT_SIZE)
        draw(surface, view)
        pygame.image.save(surface, str(tmp_path / f"{mode}.png"))
        taken["view"] = view

    if mode == Mode.ASK_HELPED:
        r.at(78.0, r.button_pin.drive_low)  # on the quiet offer: hold for "no thanks"
        r.at(80.0, r.button_pin.drive_high)
    r.at(at, take)
    r.at(at + 0.1, lambda: r.app.runner.request_stop("test"))
    if program is not None:
        r.app.runner.start(program)
    r.run()
    view = taken["view"]
    assert view.mode == mode
    named = {k: plain_names(v) for k, v in view.hint_values}  # the flow says ids, the window names
    english = hint(mode, named).replace("double:", "double press:")
    assert view.hint() == english and view.hint()
    if mode in (Mode.SESSION, Mode.PROMPT):
        assert view.title() == plain_names(program) != program


def plain_names(value: str) -> str:
    """A hint value with the packaged programs' ids as their plain English names."""
    names = {"box": "box breathing", "ground": "grounding", "press": "thumb press"}
    for name, plain in names.items():
        value = value if value not in (name, f"try {name}") else value.replace(name, plain)
    return value


def when_the_window_opens(action):
    """Run ``action`` on a helper thread once the window is up (an Event's wait, not a sleep)."""

    def watch():
        opened = threading.Event()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if pygame.display.get_init() and pygame.display.get_surface() is not None:
                opened.wait(0.2)
                action()
                return
            opened.wait(0.02)

    helper = threading.Thread(target=watch, daemon=True)
    helper.start()
    return helper


def test_a_stop_signal_closes_the_window_and_the_session_ends_stopped():
    config = parse_config(SHORT, "test.yaml")
    seen = []
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    helper = when_the_window_opens(lambda: os.kill(os.getpid(), signal.SIGTERM))
    started = time.monotonic()
    settings = RunSettings(program="tiny", speed=0.2, mute=True)  # 20 s of real time
    assert window.run_window(config, settings, seen.append) == 0
    helper.join(1)
    assert time.monotonic() - started < 8
    (end,) = [e for e in seen if e.kind == "session_end"]
    assert end.data["status"] == "stopped"
    assert not pygame.display.get_init()
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_a_runner_that_fails_closes_the_window_and_the_error_reaches_the_caller(monkeypatch):
    from calmkit.shell.runner import Runner

    def broken(self):
        raise RuntimeError("the runner broke")

    monkeypatch.setattr(Runner, "run", broken)
    config = parse_config(SHORT, "test.yaml")
    with pytest.raises(RuntimeError, match="the runner broke"):
        window.run_window(config, sim_settings("tiny"))
    assert not pygame.display.get_init()


def test_a_programs_length_at_idle_is_its_own_librarys_even_for_the_same_name():
    from calmkit.faces.sim.view import program_length

    short = parse_config("programs:\n  g:\n    steps: [{inhale: 2}]\n", "a.yaml").programs
    long = parse_config("programs:\n  g:\n    steps: [{inhale: 7}]\n", "b.yaml").programs
    assert (program_length(short, "g"), program_length(long, "g")) == (2.0, 7.0)
    assert program_length(short, "g") == 2.0 and program_length(short, "nothing") is None
