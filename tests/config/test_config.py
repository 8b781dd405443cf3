"""Config: packaged defaults, layering, the search order, and every problem word for word."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from calmkit import config as config_module
from calmkit.config import (
    Config,
    NightConfig,
    OutputConfig,
    RGBPins,
    find_config_file,
    load_config,
    parse_config,
)
from calmkit.config.paths import default_config_path
from calmkit.core.cues import in_window
from calmkit.core.errors import ConfigError, Problem
from calmkit.core.programs import MAX_PROGRAM_S, Breathe, Quiet, Steps, breath_rates, expand
from calmkit.core.settings import KINDS, OutputKind

CASES = Path(__file__).parent / "config_cases"


def night_active(night: NightConfig, at: datetime.time) -> bool:
    """Whether ``at`` is in the night window (21:00-07:00 wraps midnight; start == end: never)."""
    return in_window(night.start, night.end, at)


def problems(text: str | bytes, name: str = "t.yaml") -> list[str]:
    """The problem lines a text gives, as `calmkit check` prints them."""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, name)
    return [str(problem) for problem in caught.value.problems]


@pytest.fixture(scope="module")
def defaults() -> Config:
    return parse_config("")


# --- the packaged defaults ------------------------------------------------------------------


def test_packaged_defaults_load_clean(defaults: Config) -> None:
    assert defaults.default_program == "calm"
    assert defaults.menu[:3] == ("calm", "sigh", "box")
    assert "478" in defaults.menu
    assert defaults.hardware.pins == "auto"
    assert defaults.hardware.light == 18
    assert defaults.hardware.second_button is None
    assert defaults.light.fps == 50
    assert defaults.night.start == datetime.time(21, 0)
    assert defaults.night.end == datetime.time(7, 0)
    assert defaults.journal.enabled and defaults.journal.path is None
    assert defaults.reach_out.message.startswith("You have reached for calm a lot today.")
    assert "\n" not in defaults.reach_out.message
    assert list(defaults.programs) == [
        "calm",
        "box",
        "478",
        "coherent",
        "sigh",
        "winddown",
        "winddown20",
        "blink",
        "press",
        "ground",
        "quiet",
    ]


def test_load_config_without_a_user_file_is_the_defaults(tmp_path: Path) -> None:
    loaded = load_config(env={}, home=tmp_path, system=tmp_path / "none.yaml")
    assert loaded == dataclasses.replace(parse_config(""), sources=(default_config_path(),))


def test_config_is_frozen_and_programs_read_only(defaults: Config) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        defaults.light = defaults.light  # type: ignore[misc]
    with pytest.raises(TypeError):
        defaults.programs["box"] = defaults.programs["calm"]  # type: ignore[index]


def phases(name: str, library: Config) -> list[tuple[str, float]]:
    return [(p.phase, round(p.step.seconds, 6)) for p in expand(name, library.programs).steps]


def test_box_is_15_cycles_of_4_second_phases(defaults: Config) -> None:
    plan = expand("box", defaults.programs)
    assert phases("box", defaults) == [("inhale", 4), ("hold", 4), ("exhale", 4), ("hold", 4)] * 15
    assert plan.total_s == 240


def test_478_is_4_cycles(defaults: Config) -> None:
    assert phases("478", defaults) == [("inhale", 4), ("hold", 7), ("exhale", 8)] * 4
    assert defaults.programs["478"].description.startswith("In 4 · hold 7 · out 8")


def test_coherent_is_5_5_a_minute_in_as_long_as_out(defaults: Config) -> None:
    plan = expand("coherent", defaults.programs)
    period = 60 / 5.5
    assert [p.phase for p in plan.steps] == ["inhale", "exhale"] * 27
    assert all(p.step.seconds == pytest.approx(period / 2) for p in plan.steps)
    assert abs(plan.total_s - 300) < period / 2


def test_sigh_is_2_1_6_for_5_minutes(defaults: Config) -> None:
    cycle = [("inhale", 2), ("inhale", 1), ("exhale", 6)]
    assert phases("sigh", defaults) == cycle * 33
    assert expand("sigh", defaults.programs).steps[1].step.label == "top-up"


@pytest.mark.parametrize(("name", "minutes"), [("winddown", 8), ("winddown20", 20)])
def test_winddown_ramps_11_to_6_over_80_percent(defaults: Config, name: str, minutes: int) -> None:
    block = defaults.programs[name].blocks[0]
    assert block == Breathe(
        rate=11, to_rate=6, ramp=0.8, ratio_in=1, ratio_out=1.5, total_s=minutes * 60
    )
    rates = breath_rates(block)
    assert rates[0] == 11 and rates[-1] == 6
    assert all(a >= b for a, b in itertools.pairwise(rates))
    start = 0.0
    for rate in rates:  # every breath after 80 % of the time is at 6
        if start >= 0.8 * minutes * 60:
            assert rate == 6
        start += 60 / rate
    steps = expand(name, defaults.programs).steps
    for inhale, exhale in zip(steps[::2], steps[1::2]):
        assert (inhale.phase, exhale.phase) == ("inhale", "exhale")
        assert exhale.step.seconds == pytest.approx(1.5 * inhale.step.seconds)
    assert abs(expand(name, defaults.programs).total_s - minutes * 60) < 10


def test_blink_is_20_one_second_cues_and_10_s_rest_3_times(defaults: Config) -> None:
    assert phases("blink", defaults) == ([("blink", 1)] * 20 + [("rest", 10)]) * 3
    assert expand("blink", defaults.programs).total_s == 90


def test_press_is_3_per_hand_with_a_switch(defaults: Config) -> None:
    plan = expand("press", defaults.programs)
    assert [(p.phase, p.step.seconds, p.step.label) for p in plan.steps] == (
        [("press", 10, "left hand"), ("release", 5, "")] * 3
        + [("switch", 4, "switch hands")]
        + [("press", 10, "right hand"), ("release", 5, "")] * 3
    )


def test_ground_is_five_prompts_counting_5_to_1(defaults: Config) -> None:
    steps = [p.step for p in expand("ground", defaults.programs).steps]
    assert [(s.phase, s.seconds, s.items, s.label) for s in steps] == [
        ("prompt", 40, 5, "see"),
        ("prompt", 40, 4, "touch"),
        ("prompt", 40, 3, "hear"),
        ("prompt", 40, 2, "smell"),
        ("prompt", 40, 1, "taste"),
    ]
    assert steps[0].sound == "say_ground_see"
    assert defaults.programs["ground"].fallback == ("press",)


def test_quiet_is_5_minutes_with_a_fade(defaults: Config) -> None:
    assert defaults.programs["quiet"].blocks == (Quiet(total_s=300, fade_out_s=30),)
    plan = expand("quiet", defaults.programs)
    assert phases("quiet", defaults) == [("quiet", 270), ("rest", 30)]
    assert plan.end_sound == "bell_end"


def test_calm_is_3_sighs_then_winddown(defaults: Config) -> None:
    calm = defaults.programs["calm"]
    assert calm.then == ("winddown",)
    assert calm.fallback == ("ground", "press")
    assert calm.blocks[0] == Steps(steps=calm.blocks[0].steps, cycles=3)
    assert expand("calm", defaults.programs).programs == ("calm", "winddown")


# --- layering -------------------------------------------------------------------------------


def test_a_setting_merges_over_the_defaults(defaults: Config) -> None:
    cfg = parse_config("light:\n  brightness: 0.4\n")
    assert cfg.light == dataclasses.replace(defaults.light, brightness=0.4)
    assert cfg.sound == defaults.sound
    assert cfg.sources == (default_config_path(), Path("<config>"))


def test_a_program_replaces_the_default_of_its_name_whole(defaults: Config) -> None:
    cfg = parse_config("programs:\n  box:\n    steps: [{inhale: 5}, {exhale: 5}]\n    cycles: 2\n")
    # not the packaged words (the steps changed): plain words from what it is
    assert cfg.programs["box"].description == "Your own steps, 20 s"
    assert cfg.programs["box"].fallback == ()
    assert expand("box", cfg.programs).total_s == 20
    assert list(cfg.programs) == list(defaults.programs)


def test_a_new_program_is_added_after_the_defaults() -> None:
    cfg = parse_config(
        "programs:\n"
        "  478:\n"  # a number as a name, unquoted
        "    steps: [{inhale: 4}, {hold: 7}, {exhale: 8}]\n"
        "    cycles: 2\n"
        "  mine:\n"
        "    then: [478, sigh]\n"
        "menu: [mine, 478]\n"
        "default_program: mine\n"
    )
    assert list(cfg.programs)[-1] == "mine"
    assert cfg.programs["mine"].then == ("478", "sigh")
    assert cfg.menu == ("mine", "478")
    assert expand("mine", cfg.programs).programs == ("478", "sigh")  # mine has no steps itself


@pytest.mark.parametrize("section", ["journal", "sound", "vibration", "reach_out"])
def test_false_is_short_for_enabled_false(section: str) -> None:
    cfg = parse_config(f"{section}: false\n")
    assert getattr(cfg, section).enabled is False
    assert parse_config(f"{section}: true\n") == parse_config("")


def test_yaml_off_and_a_blank_section_are_understood(defaults: Config) -> None:
    assert parse_config("sound: off\n").sound.enabled is False
    assert parse_config("light:\n  # brightness: 0.2\n") == defaults


def test_empty_and_comment_only_files_change_nothing(defaults: Config) -> None:
    for text in ("", "\n\n", "# nothing yet\n", "---\n", "~\n", b"\xef\xbb\xbf"):
        assert parse_config(text) == defaults


def test_unquoted_times_and_ratios_are_read_as_written() -> None:
    cfg = parse_config(
        "night: {start: 22:30, end: 6:45}\n"
        "programs:\n"
        "  slow:\n"
        "    breathe: {rate: 6, ratio: 1:2}\n"
        "    minutes: 1\n"
    )
    assert (cfg.night.start, cfg.night.end) == (datetime.time(22, 30), datetime.time(6, 45))
    block = cfg.programs["slow"].blocks[0]
    assert (block.ratio_in, block.ratio_out) == (1, 2)
    assert parse_config("programs: {s: {breathe: {rate: 6, ratio: 1.5}, cycles: 2}}").programs[
        "s"
    ].blocks[0] == Breathe(rate=6, ratio_in=1, ratio_out=1.5, ramp=0, cycles=2)


def test_yaml_merge_keys_and_aliases_work() -> None:
    cfg = parse_config(
        "programs:\n"
        "  a: &base\n"
        "    steps: [{inhale: 4}, {exhale: 6}]\n"
        "    cycles: 2\n"
        "  b:\n"
        "    <<: *base\n"
        "    cycles: 3\n"
    )
    assert expand("a", cfg.programs).total_s == 20
    assert expand("b", cfg.programs).total_s == 30


def test_steps_repeat_label_and_sound() -> None:
    cfg = parse_config(
        "programs:\n"
        "  p:\n"
        "    steps:\n"
        "      - {press: 3, repeat: 2, label: squeeze, sound: ''}\n"
        "      - release: 2\n"
        "        sound: chime_soft\n"
    )
    steps = [p.step for p in expand("p", cfg.programs).steps]
    assert [(s.phase, s.seconds, s.label, s.sound) for s in steps] == [
        ("press", 3, "squeeze", ""),
        ("press", 3, "squeeze", ""),
        ("release", 2, "", "chime_soft"),
    ]


def test_rgb_light_pins() -> None:
    cfg = parse_config("hardware:\n  light: {red: 12, green: 18, blue: 19}\n")
    assert cfg.hardware.light == RGBPins(12, 18, 19)


def test_outputs_named_by_kind(defaults: Config) -> None:
    assert defaults.hardware.outputs == ()
    cfg = parse_config(
        "hardware:\n"
        "  outputs:\n"
        "    - {kind: led, pin: 22}\n"
        "    - {kind: rgb, pins: {blue: 26, red: 5, green: 6}, active_high: false}\n"
        "    - {kind: motor, pin: 24, active_high: true}\n"
    )
    assert cfg.hardware.outputs == (
        OutputConfig("led", "hardware.outputs[0]", (22,)),
        OutputConfig("rgb", "hardware.outputs[1]", (5, 6, 26), active_high=False),
        OutputConfig("motor", "hardware.outputs[2]", (24,)),
    )
    # the keys that were there mean what they meant
    assert (cfg.hardware.light, cfg.hardware.vibration) == (18, 13)
    assert parse_config("hardware: {outputs: null}\n").hardware.outputs == ()


def test_the_outputs_examples_in_readme_and_in_the_defaults_hold() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in readme.split("```yaml\n")[1:] if "outputs:" in b).split("```")[0]
    assert [o.kind for o in parse_config(block).hardware.outputs] == ["led", "rgb"]
    commented = [
        line.replace("#", " ", 1)
        for line in default_config_path().read_text(encoding="utf-8").splitlines()
        if line.startswith("  #     - {kind:")
    ]
    listed = parse_config("hardware:\n  outputs:\n" + "\n".join(commented)).hardware.outputs
    assert [o.kind for o in listed] == ["led", "rgb", "motor"]


@pytest.fixture
def haptic(monkeypatch: pytest.MonkeyPatch) -> OutputKind:
    """A kind on the I2C bus, as the wearable's DRV2605L will be: an address, no pins."""
    kind = OutputKind("calmkit_test_drivers.drv2605:Haptic", address=0x5A)
    monkeypatch.setitem(KINDS, "haptic", kind)
    return kind


def test_an_i2c_kind_takes_an_address_with_its_default(haptic: OutputKind) -> None:
    cfg = parse_config(
        "hardware:\n  outputs:\n    - {kind: haptic}\n    - {kind: haptic, address: 0x5B}\n"
    )
    assert [(o.kind, o.pins, o.address) for o in cfg.hardware.outputs] == [
        ("haptic", (), 0x5A),
        ("haptic", (), 0x5B),
    ]
    assert problems(
        "hardware:\n  outputs:\n    - {kind: haptic, address: 0x80}\n"
        "    - {kind: haptic, adress: 0x5A, pin: 2}\n    - {kind: haptics}\n"
    ) == [
        "t.yaml:3: hardware.outputs[0].address: expected an I2C address from 0x08 to 0x77, "
        "like 0x5A, got 0x80",
        "t.yaml:4: hardware.outputs[1].adress: unknown key 'adress'; did you mean 'address'?",
        "t.yaml:4: hardware.outputs[1].pin: unknown key 'pin'",
        "t.yaml:5: hardware.outputs[2].kind: unknown kind 'haptics'; did you mean 'haptic'?",
    ]


def test_two_chips_on_one_address_and_a_pin_on_the_i2c_bus_are_refused(haptic: OutputKind) -> None:
    assert problems(
        "hardware:\n  button: 3\n  outputs:\n    - {kind: haptic}\n"
        "    - {kind: haptic, address: 0x5A}\n"
    ) == [
        "t.yaml:4: hardware.outputs[0]: pin 3 (the I2C bus's SCL) is also used by hardware.button",
        "t.yaml:5: hardware.outputs[1].address: address 0x5A is also used by hardware.outputs[0]",
    ]


def test_an_output_kind_has_pins_or_an_address() -> None:
    with pytest.raises(ValueError, match="pins or an I2C address"):
        OutputKind("m:C")
    with pytest.raises(ValueError, match="pins or an I2C address"):
        OutputKind("m:C", pins=("pin",), address=0x5A)


def test_paths_expand_home_and_start_at_the_config_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cfg = parse_config(
        "sound: {dir: ~/wavs}\njournal: {path: logs/j.jsonl}\nreach_out: {sound: /abs/me.wav}\n",
        str(tmp_path / "etc" / "calmkit.yaml"),
        home=home,
    )
    assert cfg.sound.dir == home / "wavs"
    assert cfg.journal.path == tmp_path / "etc" / "logs" / "j.jsonl"
    assert cfg.reach_out.sound == Path("/abs/me.wav")


# --- the search order -----------------------------------------------------------------------


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """A config file at every place calmkit looks, each setting a different brightness."""
    home = tmp_path / "home"
    spots = {
        "explicit": tmp_path / "given.yaml",
        "env": tmp_path / "from-env.yaml",
        "home": home / ".config" / "calmkit" / "calmkit.yaml",
        "system": tmp_path / "etc" / "calmkit.yaml",
    }
    for index, path in enumerate(spots.values()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"light: {{brightness: 0.{index + 1}}}\n")
    spots["home_dir"] = home
    return spots


def test_search_order_explicit_env_home_system(places: dict[str, Path]) -> None:
    home, system = places["home_dir"], places["system"]
    env = {"CALMKIT_CONFIG": str(places["env"])}
    assert find_config_file(places["explicit"], env, home, system=system) == places["explicit"]
    assert find_config_file(None, env, home, system=system) == places["env"]
    assert find_config_file(None, {}, home, system=system) == places["home"]
    assert find_config_file(None, {"CALMKIT_CONFIG": ""}, home, system=system) == places["home"]
    places["home"].unlink()
    assert find_config_file(None, {}, home, system=system) == system
    system.unlink()
    assert find_config_file(None, {}, home, system=system) is None


def test_load_config_lays_the_found_file_over_the_defaults(places: dict[str, Path]) -> None:
    home, system = places["home_dir"], places["system"]
    env = {"CALMKIT_CONFIG": str(places["env"])}
    assert load_config(places["explicit"], env, home, system=system).light.brightness == 0.1
    loaded = load_config(None, env, home, system=system)
    assert loaded.light.brightness == 0.2
    assert loaded.sources == (default_config_path(), places["env"])
    assert load_config(None, {}, home, system=system).light.brightness == 0.3


def test_a_named_file_that_is_missing_is_an_error_not_a_fallback(places: dict[str, Path]) -> None:
    home, system = places["home_dir"], places["system"]
    with pytest.raises(ConfigError) as caught:
        find_config_file(places["home_dir"] / "nope.yaml", {}, home, system=system)
    assert str(caught.value) == f"{home / 'nope.yaml'}: --config: no such file"
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"CALMKIT_CONFIG": "/no/such.yaml"}, home, system=system)
    assert str(caught.value) == "/no/such.yaml: $CALMKIT_CONFIG: no such file"


def test_a_folder_or_a_huge_file_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {}, tmp_path)
    assert str(caught.value) == f"{tmp_path}:1: (file): is a folder, not a file"
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"# " + b"x" * (1 << 20) + b"\n")
    with pytest.raises(ConfigError) as caught:
        load_config(huge, {}, tmp_path)
    assert str(caught.value) == (
        f"{huge}:1: (file): the file is over 1 MiB; a calmkit config is a few kilobytes"
    )


def test_problems_in_a_loaded_file_name_that_file(tmp_path: Path) -> None:
    path = tmp_path / "calmkit.yaml"
    path.write_text("light:\n  fps: 0\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, {}, tmp_path)
    assert caught.value.problems == (
        Problem(str(path), 2, "light.fps", "expected a whole number from 1 to 120, got 0"),
    )
    assert caught.value.exit_code == 2


# --- night ----------------------------------------------------------------------------------


def night(start: str, end: str) -> NightConfig:
    h1, m1 = map(int, start.split(":"))
    h2, m2 = map(int, end.split(":"))
    return NightConfig(datetime.time(h1, m1), datetime.time(h2, m2), 0.3, 0.3, 0.5)


@pytest.mark.parametrize(
    ("start", "end", "at", "active"),
    [
        ("21:00", "07:00", "21:00", True),
        ("21:00", "07:00", "23:59", True),
        ("21:00", "07:00", "00:00", True),
        ("21:00", "07:00", "06:59", True),
        ("21:00", "07:00", "07:00", False),
        ("21:00", "07:00", "12:00", False),
        ("21:00", "07:00", "20:59", False),
        ("01:00", "05:00", "03:00", True),
        ("01:00", "05:00", "05:00", False),
        ("01:00", "05:00", "00:30", False),
        ("22:00", "22:00", "22:00", False),
        ("22:00", "22:00", "03:00", False),
    ],
)
def test_night_window(start: str, end: str, at: str, active: bool) -> None:
    hours, minutes = map(int, at.split(":"))
    assert night_active(night(start, end), datetime.time(hours, minutes)) is active


# --- every problem, word for word -----------------------------------------------------------

ERRORS = [
    pytest.param(
        "light:\n  brightnes: 0.5\n",
        ["t.yaml:2: light.brightnes: unknown key 'brightnes'; did you mean 'brightness'?"],
        id="unknown-key-with-hint",
    ),
    pytest.param(
        "colour: warm\n",
        ["t.yaml:1: colour: unknown key 'colour'"],
        id="unknown-key-no-hint",
    ),
    pytest.param(
        "light:\n  gamma: [\n",
        [
            "t.yaml:3: (file): not valid YAML: expected the node content, but found "
            "'<stream end>' (while parsing a flow node)"
        ],
        id="not-yaml",
    ),
    pytest.param(
        "- light\n- sound\n",
        ["t.yaml:1: (file): expected a mapping of settings (key: value) at the top, got a list"],
        id="top-level-list",
    ),
    pytest.param(
        "just some words\n",
        [
            "t.yaml:1: (file): expected a mapping of settings (key: value) at the top, "
            "got text 'just some words'"
        ],
        id="top-level-text",
    ),
    pytest.param(
        b"light:\n  fps: 30\x00\n",
        ["t.yaml:2: (file): the file holds binary data (a NUL byte); a config is text"],
        id="nul-byte",
    ),
    pytest.param(
        b"# caf\xe9\nlight: {}\n",
        ["t.yaml:1: (file): not UTF-8 text (byte 0xe9 cannot be read); save the file as UTF-8"],
        id="latin-1",
    ),
    pytest.param(
        "light:\n  brightness: 1e400\n  floor: .nan\n  gamma: .inf\n",
        [
            "t.yaml:2: light.brightness: expected a number from 0 to 1, got 1e400",
            "t.yaml:3: light.floor: expected a number from 0 to 1, got .nan",
            "t.yaml:4: light.gamma: expected a number from 1 to 3, got .inf",
        ],
        id="huge-numbers",
    ),
    pytest.param(
        "light:\n  fps: 1" + "0" * 5000 + "\n",
        ["t.yaml:2: light.fps: this number is too long to read"],
        id="number-too-long",
    ),
    pytest.param(
        "light:\n  fps: 99999999999999999999999\n",
        ["t.yaml:2: light.fps: expected a whole number from 1 to 120, got 99999999999999999999999"],
        id="huge-int",
    ),
    pytest.param(
        "light:\n  brightness: true\n  fps: '50'\n  gamma: [2]\n",
        [
            "t.yaml:2: light.brightness: expected a number from 0 to 1, got true",
            "t.yaml:3: light.fps: expected a whole number from 1 to 120, got text '50'",
            "t.yaml:4: light.gamma: expected a number from 1 to 3, got a list",
        ],
        id="wrong-types",
    ),
    pytest.param(
        "light:\n  fps: 24.5\n",
        ["t.yaml:2: light.fps: expected a whole number from 1 to 120, got 24.5"],
        id="not-whole",
    ),
    pytest.param(
        "light:\n  brightness: 0.5\n  brightness: 0.6\n",
        ["t.yaml:3: light.brightness: duplicate key 'brightness' (first on line 2)"],
        id="duplicate-key",
    ),
    pytest.param(
        "sound:\n  enabled: maybe\n  volume: -0.1\n  fade_in_ms: 20000\n  dir: 5\n",
        [
            "t.yaml:2: sound.enabled: expected true or false, got text 'maybe'",
            "t.yaml:3: sound.volume: expected a number from 0 to 1, got -0.1",
            "t.yaml:4: sound.fade_in_ms: expected a whole number from 0 to 10000, got 20000",
            "t.yaml:5: sound.dir: expected a path or null, got 5",
        ],
        id="sound",
    ),
    pytest.param(
        "night:\n  start: 25:00\n  end: '7'\n  brightness: 2\n",
        [
            't.yaml:2: night.start: expected a time as "HH:MM" (24-hour), got 25:00',
            "t.yaml:3: night.end: expected a time as \"HH:MM\" (24-hour), got text '7'",
            "t.yaml:4: night.brightness: expected a number from 0 to 1, got 2",
        ],
        id="night",
    ),
    pytest.param(
        "gestures: {hold_s: 0.2, double_s: 2, debounce_s: 0.5}\n",
        [
            "t.yaml:1: gestures.hold_s: expected a number from 0.3 to 10, got 0.2",
            "t.yaml:1: gestures.double_s: expected a number from 0.1 to 1.5, got 2",
            "t.yaml:1: gestures.debounce_s: expected a number from 0 to 0.2, got 0.5",
        ],
        id="gestures",
    ),
    pytest.param(
        "hardware:\n  pins: gpio\n  button: 40\n  second_button: -1\n",
        [
            "t.yaml:2: hardware.pins: expected 'auto' or 'mock', got text 'gpio'",
            "t.yaml:3: hardware.button: expected a GPIO pin from 0 to 27, got 40",
            "t.yaml:4: hardware.second_button: expected a GPIO pin from 0 to 27 (or null), got -1",
        ],
        id="pins",
    ),
    pytest.param(
        "hardware:\n  light: {red: 12, green: 13, blue: 19}\n",
        ["t.yaml:2: hardware.light.green: pin 13 is also used by hardware.vibration"],
        id="pin-clash-with-a-default",
    ),
    pytest.param(
        "hardware:\n  button: 18\n",
        ["t.yaml:2: hardware.button: pin 18 is also used by hardware.light"],
        id="pin-clash",
    ),
    pytest.param(
        "light: {brightness: 0.2, floor: 0.5}\n",
        ["t.yaml:1: light.floor: the floor (0.5) is above the brightness (0.2)"],
        id="floor-above-brightness",
    ),
    pytest.param(
        "programs:\n  box:\n    steps: [{inhal: 4}, {hold: 4}]\n",
        ["t.yaml:3: programs.box.steps[0].inhal: unknown phase 'inhal'; did you mean 'inhale'?"],
        id="unknown-phase",
    ),
    pytest.param(
        "programs:\n  box:\n    steps: [{breathe_in: 4}]\n",
        [
            "t.yaml:3: programs.box.steps[0].breathe_in: unknown phase 'breathe_in'; phases are "
            "inhale, hold, exhale, blink, press, release, switch, prompt, quiet, rest"
        ],
        id="unknown-phase-no-hint",
    ),
    pytest.param(
        "programs:\n  box:\n    steps:\n"
        "      - {inhale: 4, lable: in}\n"
        "      - {inhale: 2, exhale: 2}\n",
        [
            "t.yaml:4: programs.box.steps[0].lable: unknown key 'lable'; did you mean 'label'?",
            "t.yaml:5: programs.box.steps[1].exhale: a step has one phase; this one already has "
            "inhale",
        ],
        id="step-keys",
    ),
    pytest.param(
        "programs:\n  box:\n    steps:\n      - inhale: 0.25\n      - exhale: 0\n      - hold: 25\n"
        "      - blink: 0.3\n      - rest: -1\n",
        [
            "t.yaml:4: programs.box.steps[0].inhale: give seconds to a tenth (0.1 s)",
            "t.yaml:5: programs.box.steps[1].exhale: expected seconds above 0 and at most 14400, "
            "got 0",
            "t.yaml:6: programs.box.steps[2].hold: a hold of 25 s is too long; holds are at most "
            "20 s",
            "t.yaml:7: programs.box.steps[3].blink: a blink of 0.3 s would change the light "
            "faster than 3 times a second; make it at least 0.4 s",
            "t.yaml:8: programs.box.steps[4].rest: expected seconds above 0 and at most 14400, "
            "got -1",
        ],
        id="step-seconds",
    ),
    pytest.param(
        "programs:\n  box:\n    steps: [{inhale: 4, items: 3}, {prompt: 20, items: 1000}]\n",
        [
            "t.yaml:3: programs.box.steps[0].items: only a prompt counts items",
            "t.yaml:3: programs.box.steps[1].items: expected a whole number from 0 to 100, "
            "got 1000",
        ],
        id="items",
    ),
    pytest.param(
        "programs:\n  box:\n    steps: [{inhale: 4, sound: ../../etc/passwd}]\n",
        [
            "t.yaml:3: programs.box.steps[0].sound: expected a sound name like bell_start (a WAV "
            "file without .wav), or \"\" for silence, got text '../../etc/passwd'"
        ],
        id="sound-name",
    ),
    pytest.param(
        "programs:\n  winddown:\n    then: [calm]\n    steps: [{inhale: 4}]\n",
        ["t.yaml:3: programs.winddown.then[0]: the chain loops: calm -> winddown -> calm"],
        id="chain-loop",
    ),
    pytest.param(
        "programs:\n  me:\n    then: [me]\n",
        ["t.yaml:3: programs.me.then[0]: the chain loops: me -> me"],
        id="chain-loops-on-itself",
    ),
    pytest.param(
        "default_program: windown\nmenu: [calm, boxx, 478, calm]\n"
        "programs:\n  x:\n    then: sigg\n    fallback: [zzz]\n",
        [
            "t.yaml:1: default_program: no program named 'windown'; did you mean 'winddown'?",
            "t.yaml:2: menu[1]: no program named 'boxx'; did you mean 'box'?",
            "t.yaml:2: menu[3]: 'calm' is in the menu twice",
            "t.yaml:5: programs.x.then: no program named 'sigg'; did you mean 'sigh'?",
            "t.yaml:6: programs.x.fallback[0]: no program named 'zzz'",
        ],
        id="unknown-programs",
    ),
    pytest.param(
        "programs:\n  nothing:\n    description: lasts no time\n  empty:\n    blocks: []\n",
        [
            "t.yaml:2: programs.nothing: this program lasts 0 s; give it steps, breathe, quiet, "
            "blocks or then",
            "t.yaml:4: programs.empty: this program lasts 0 s; give it steps, breathe, quiet, "
            "blocks or then",
        ],
        id="zero-seconds",
    ),
    pytest.param(
        "programs:\n  long:\n    steps: [{prompt: 40}]\n    cycles: 400\n",
        ["t.yaml:2: programs.long: this program lasts 266.7 min; a program lasts at most 240 min"],
        id="too-long",
    ),
    pytest.param(
        "programs:\n  a:\n    steps: [{quiet: 7200}]\n  b:\n    then: [a, a, a]\n",
        [
            "t.yaml:5: programs.b.then: with its chain this program lasts 360 min; a program "
            "with its chain lasts at most 240 min"
        ],
        id="chain-too-long",
    ),
    pytest.param(
        "programs:\n  x:\n    breathe: {rate: 40, to_rate: 0, ratio: 1:9, hold_in: 0.25}\n",
        [
            "t.yaml:3: programs.x.breathe: say how long: cycles, minutes or seconds beside it",
            "t.yaml:3: programs.x.breathe.rate: expected a number from 1 to 30, got 40",
            "t.yaml:3: programs.x.breathe.to_rate: expected a number from 1 to 30, got 0",
            "t.yaml:3: programs.x.breathe.ratio: an in:out ratio runs from 4:1 to 1:4, got 1:9",
            "t.yaml:3: programs.x.breathe.hold_in: give seconds to a tenth (0.1 s)",
        ],
        id="breathe-ranges",
    ),
    pytest.param(
        "programs:\n  x:\n    breathe:\n      rate: 20\n      hold_in: 1.5\n      hold_out: 1.5\n"
        "    minutes: 1\n",
        [
            "t.yaml:4: programs.x.breathe.rate: at 20 breaths a minute the holds leave no time "
            "to breathe; slow the rate or shorten the holds"
        ],
        id="breathe-no-time",
    ),
    pytest.param(
        "programs:\n  x:\n    breathe: {rate: 6, ratio: fast, ramp: 0.5}\n    cycles: 2\n"
        "    minutes: 3\n",
        [
            "t.yaml:3: programs.x.breathe.ramp: a ramp needs to_rate, the rate to end at",
            't.yaml:3: programs.x.breathe.ratio: expected an in:out ratio like "1:1.5", or a '
            "number N for 1:N, got text 'fast'",
            "t.yaml:5: programs.x.minutes: give one of cycles, minutes or seconds; this block "
            "already has cycles",
        ],
        id="breathe-shape",
    ),
    pytest.param(
        "programs:\n  x:\n    breathe: {to_rate: 6}\n    seconds: 60\n",
        ["t.yaml:3: programs.x.breathe: missing key 'rate'"],
        id="breathe-missing-rate",
    ),
    pytest.param(
        "programs:\n  q:\n    quiet: {minutes: 5, interval_bell_minutes: 0.5, fade_out: 200}\n"
        "    cycles: 2\n",
        [
            "t.yaml:3: programs.q.quiet.interval_bell_minutes: interval bells ring at most once "
            "a minute; give 0 (none) or 1 or more",
            "t.yaml:3: programs.q.quiet.fade_out: a fade of 200 s is longer than half the quiet "
            "time (150 s)",
            "t.yaml:4: programs.q.cycles: quiet time takes its length from quiet.minutes",
        ],
        id="quiet",
    ),
    pytest.param(
        "programs:\n  x:\n    steps: [{inhale: 4}]\n    breathe: {rate: 6}\n    blocks: []\n",
        [
            "t.yaml:3: programs.x.steps: give either blocks or steps beside them, not both",
            "t.yaml:4: programs.x.breathe: give either blocks or breathe beside them, not both",
        ],
        id="blocks-and-inline",
    ),
    pytest.param(
        "programs:\n  x:\n    blocks:\n      - {steps: [{rest: 2}], breathe: {rate: 6}}\n"
        "      - {cycles: 3}\n      - 7\n",
        [
            "t.yaml:4: programs.x.blocks[0].breathe: a block has one of steps, breathe or quiet; "
            "this one already has steps",
            "t.yaml:5: programs.x.blocks[1]: a block needs steps, breathe or quiet",
            "t.yaml:6: programs.x.blocks[2]: expected a mapping, got 7",
        ],
        id="blocks",
    ),
    pytest.param(
        "programs:\n  'two words':\n    steps: [{rest: 1}]\n  ok:\n    rounds: 0\n"
        "    steps: inhale\n",
        [
            "t.yaml:2: programs.'two words': a program name is letters, digits, - and _ (it is "
            "typed on the command line)",
            "t.yaml:5: programs.ok.rounds: expected a whole number from 1 to 10000, got 0",
            "t.yaml:6: programs.ok.steps: expected a list of steps, got text 'inhale'",
        ],
        id="program-shape",
    ),
    pytest.param(
        "a: &a [*a]\n",
        ["t.yaml:1: (file): nests too deep; a config nests at most 32 levels"],
        id="recursive-alias",
    ),
    pytest.param(
        "light: !!python/object/apply:os.system [echo hi]\n",
        ["t.yaml:1: light: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"],
        id="python-tag",
    ),
    pytest.param(
        "reach_out:\n  sessions: 0\n  within_hours: 0\n  message: [hi]\n",
        [
            "t.yaml:2: reach_out.sessions: expected a whole number from 1 to 100, got 0",
            "t.yaml:3: reach_out.within_hours: expected a number above 0 and at most 168, got 0",
            "t.yaml:4: reach_out.message: expected text, got a list",
        ],
        id="reach-out",
    ),
    pytest.param(
        "journal: {enabled: no, path: ''}\nflow: {helped_s: 601}\nvibration: 0.5\n",
        [
            "t.yaml:1: journal.path: expected a path or null, got text ''",
            "t.yaml:2: flow.helped_s: expected a number from 0 to 600, got 601",
            "t.yaml:3: vibration: expected a mapping, got 0.5",
        ],
        id="sections",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS)
def test_problem_messages(text: str | bytes, expected: list[str]) -> None:
    assert problems(text) == expected


def test_every_problem_is_reported_together_in_line_order() -> None:
    lines = problems(
        "light:\n"
        "  brightness: 2\n"
        "  fps: fast\n"
        "sound:\n"
        "  volum: 0.5\n"
        "programs:\n"
        "  box:\n"
        "    steps: [{inhale: 4}, {hold: 30}]\n"
        "    then: [nope]\n"
        "default_program: calmm\n"
    )
    assert lines == [
        "t.yaml:2: light.brightness: expected a number from 0 to 1, got 2",
        "t.yaml:3: light.fps: expected a whole number from 1 to 120, got text 'fast'",
        "t.yaml:5: sound.volum: unknown key 'volum'; did you mean 'volume'?",
        "t.yaml:8: programs.box.steps[1].hold: a hold of 30 s is too long; holds are at most 20 s",
        "t.yaml:9: programs.box.then[0]: no program named 'nope'",
        "t.yaml:10: default_program: no program named 'calmm'; did you mean 'calm'?",
    ]


def test_a_step_problem_and_a_whole_program_problem_show_at_once() -> None:
    """A step that breaks a step rule no longer hides the rules of the whole program: the
    holds are checked with the step as its message asks it to be, and each problem is said
    once, where it is."""
    lines = problems(
        "programs:\n"
        "  mine:\n"
        "    steps:\n"
        "      - {inhale: 0.1}\n"
        "      - {hold: 12}\n"
        "      - {hold: 10}\n"
        "      - {exhale: 4}\n"
        "  fine:\n"
        "    steps: [{blink: 0.2}, {hold: 10}, {exhale: 4}]\n"
    )
    assert lines == [
        "t.yaml:2: programs.mine: a breath hold of 22 s from 0:00.4 (hold 12 s, hold 10 s); a "
        "breath is held at most 20 s in a row: put a breath between the holds or shorten them",
        "t.yaml:4: programs.mine.steps[0].inhale: an inhale of 0.1 s would change the light "
        "faster than 3 times a second; make it at least 0.4 s",
        "t.yaml:9: programs.fine.steps[0].blink: a blink of 0.2 s would change the light faster "
        "than 3 times a second; make it at least 0.4 s",
    ]


def test_a_hold_too_long_is_said_once_not_again_as_holds_in_a_row() -> None:
    assert problems("programs:\n  mine:\n    steps: [{hold: 12}, {hold: 25}, {exhale: 4}]\n") == [
        "t.yaml:3: programs.mine.steps[1].hold: a hold of 25 s is too long; holds are at most 20 s"
    ]


def test_a_persons_program_without_a_description_is_described_plainly() -> None:
    cfg = parse_config(
        "programs:\n"
        "  quiet:\n    quiet: {minutes: 2}\n"
        "  mine:\n    breathe: {rate: 6}\n    minutes: 1\n    then: [quiet]\n"
        "  said:\n    description: my words\n    steps: [{inhale: 4}]\n"
    )
    assert cfg.programs["quiet"].description == "Quiet time, 2 minutes"
    assert cfg.programs["mine"].description == "Paced breathing, 1 minute, then quiet"
    assert cfg.programs["said"].description == "my words"
    assert cfg.programs["box"].description.startswith("Box breathing")  # packaged: its own


def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    assert problems("\n".join(lines)) == [  # a4 is the first to pass the limit
        "t.yaml:5: (file): the document holds more than 100000 values (counting what aliases "
        "repeat); calmkit refuses it"
    ]


def test_deep_nesting_is_refused() -> None:
    expected = ["t.yaml:1: (file): nests too deep; a config nests at most 32 levels"]
    assert problems("x: " + "[" * 40 + "]" * 40) == expected
    assert problems("[" * 5000) == expected  # deeper than PyYAML's own recursion can go


def test_a_huge_text_is_refused_unparsed() -> None:
    assert problems("#" * (1 << 20) + "\n") == [
        "t.yaml:1: (file): the file is over 1 MiB; a calmkit config is a few kilobytes"
    ]


def test_the_program_limit_is_the_programs_module_limit() -> None:
    assert MAX_PROGRAM_S == 4 * 3600
    assert config_module.MAX_FILE_BYTES == 1 << 20


# --- the corpus of broken files -------------------------------------------------------------


def corpus() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def test_the_corpus_has_at_least_30_cases() -> None:
    assert len(corpus()) >= 30
    for case in corpus():
        assert case.with_suffix(".expected").is_file(), case.name


@pytest.mark.parametrize("case", corpus(), ids=lambda path: path.stem)
def test_corpus_case(case: Path) -> None:
    """Each broken file gives exactly the lines in its .expected file (file shown by name)."""
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert problems(case.read_bytes(), case.name) == expected


# --- long chains ----------------------------------------------------------------------------------


def chain_file(count: int) -> str:
    lines = ["programs:"]
    for i in range(count):
        lines.append(f"  c{i}:\n    steps: [{{rest: 1}}]")
        if i + 1 < count:
            lines.append(f"    then: [c{i + 1}]")
    return "\n".join(lines) + "\n"


def test_a_chain_of_a_hundred_programs_is_fine() -> None:
    config = parse_config(chain_file(100))
    assert expand("c0", config.programs).total_s == 100


def test_a_chain_over_the_limit_is_refused_where_it_crosses_it() -> None:
    found = problems(chain_file(1000))
    assert found == [
        "t.yaml:2701: programs.c899.then: this chain runs 101 programs; a chain runs at most 100"
    ]


@pytest.mark.parametrize("command", ["check", "programs", "play"])
def test_a_long_chain_is_a_config_problem_in_every_command(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from calmkit.faces.cli import main

    path = tmp_path / "long.yaml"
    path.write_text(chain_file(1200), encoding="utf-8")
    argv = [command, "--config", str(path)]
    if command == "play":
        argv[1:1] = ["c0", "--fast"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "a chain runs at most 100" in err
    assert "RecursionError" not in err and "internal error" not in err


# --- one mistake, one message, in the person's file ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("programs: 5\n", "t.yaml:1: programs: expected a mapping of programs, got 5"),
        ("programs: [calm]\n", "t.yaml:1: programs: expected a mapping of programs, got a list"),
        ("light: 3\n", "t.yaml:1: light: expected a mapping, got 3"),
        ("hardware: text\n", "t.yaml:1: hardware: expected a mapping, got text 'text'"),
        ("sound: 5\n", "t.yaml:1: sound: expected a mapping, got 5"),
        ("night: [1, 2]\n", "t.yaml:1: night: expected a mapping, got a list"),
    ],
)
def test_an_unusable_section_is_one_problem_on_the_persons_line(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_the_packaged_programs_stay_when_the_persons_programs_are_unusable() -> None:
    """Nothing is blamed on the defaults: menu and default_program still find their programs."""
    found = problems("programs: 5\nmenu: [calm, nope]\n")
    assert found == [
        "t.yaml:1: programs: expected a mapping of programs, got 5",
        "t.yaml:2: menu[1]: no program named 'nope'",
    ]


def test_a_brightness_below_the_floor_is_the_persons_line() -> None:
    assert problems("light:\n  brightness: 0.01\n") == [
        "t.yaml:2: light.brightness: the floor (0.03) is above the brightness (0.01)"
    ]


def test_a_packaged_chain_is_never_blamed_for_the_persons_program() -> None:
    """calm chains winddown; a winddown of the person's that breaks a rule is theirs."""
    found = problems("programs:\n  winddown:\n    steps: [{hold: 12}, {hold: 9}]\n")
    assert len(found) == 1 and found[0].startswith("t.yaml:2: programs.winddown: a breath hold")


def test_doctor_shows_every_config_problem(tmp_path: Path) -> None:
    from calmkit.faces.doctor import run_checks

    path = tmp_path / "bad.yaml"
    path.write_text("programs: 5\nlight: {fps: 0}\nmenu: []\n", encoding="utf-8")
    check = run_checks(path, root=tmp_path, environ={})[0]
    assert check.name == "config" and not check.ok
    assert check.detail.splitlines() == [
        f"{path}:1: programs: expected a mapping of programs, got 5",
        f"    {path}:2: light.fps: expected a whole number from 1 to 120, got 0",
        f"    {path}:3: menu: the menu needs at least one program",
        "    run `calmkit check` for all, again after each fix",
    ]


# --- no hang, no crash, whatever the input ----------------------------------------------------


def run_cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, with a timeout: a FIFO read would block for ever."""
    environ = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    environ.pop("CALMKIT_CONFIG", None)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "calmkit", *argv],
        capture_output=True,
        text=True,
        timeout=10,
        env=environ,
    )


FIFO_MESSAGE = "(file): is a named pipe (FIFO), not a file; give a config file"


@pytest.fixture
def no_hang():
    """In-process tests that could block on a FIFO fail after 5 s instead (SIGALRM)."""

    def fail(signum: int, frame: object) -> None:
        pytest.fail("blocked on the FIFO")  # not an OSError: nothing may catch it

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(5)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "argv",
    [["check"], ["play", "box", "--fast"], ["programs"]],
    ids=["check", "play", "programs"],
)
def test_a_fifo_named_with_config_is_refused_at_once(tmp_path: Path, argv: list[str]) -> None:
    fifo = tmp_path / "calmkit.yaml"
    os.mkfifo(fifo)
    done = run_cli(*argv, "--config", str(fifo))
    assert done.returncode == 2
    assert done.stderr.strip() == f"{fifo}:1: {FIFO_MESSAGE}"


def test_a_fifo_in_the_variable_or_the_home_folder_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "env.yaml"
    os.mkfifo(fifo)
    done = run_cli("check", env={"CALMKIT_CONFIG": str(fifo)})
    assert (done.returncode, done.stderr.strip()) == (2, f"{fifo}:1: {FIFO_MESSAGE}")
    home = tmp_path / "home"
    (home / ".config" / "calmkit").mkdir(parents=True)
    os.mkfifo(home / ".config" / "calmkit" / "calmkit.yaml")
    done = run_cli("check", env={"HOME": str(home)})
    assert done.returncode == 2 and FIFO_MESSAGE in done.stderr


def test_doctor_refuses_a_fifo_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "calmkit.yaml"
    os.mkfifo(fifo)
    done = run_cli("doctor", "--config", str(fifo))
    assert done.returncode == 1
    assert "FAIL config" in done.stdout and FIFO_MESSAGE in done.stdout


def test_a_fifo_is_never_opened_for_reading(tmp_path: Path, monkeypatch, no_hang) -> None:
    """Looked at first: a FIFO that would block (no writer) is refused before any open()."""
    fifo = tmp_path / "calmkit.yaml"
    os.mkfifo(fifo)
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(
        os, "open", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k)
    )
    with pytest.raises(ConfigError) as caught:
        load_config(fifo)
    assert str(caught.value) == f"{fifo}:1: {FIFO_MESSAGE}"
    assert str(fifo) not in [str(p) for p in opened]


def test_a_file_swapped_for_a_fifo_after_the_look_is_still_refused(
    tmp_path: Path, monkeypatch, no_hang
) -> None:
    """The race: stat saw a file, open finds a FIFO; opened without blocking, fstat refuses it."""
    fifo = tmp_path / "calmkit.yaml"
    os.mkfifo(fifo)
    real_stat = os.stat
    regular = real_stat(default_config_path())
    monkeypatch.setattr(
        os,
        "stat",
        lambda path, *a, **k: regular if Path(path) == fifo else real_stat(path, *a, **k),
    )
    with pytest.raises(ConfigError) as caught:
        load_config(fifo)
    assert str(caught.value) == f"{fifo}:1: {FIFO_MESSAGE}"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a folder, not a file"),
        (
            lambda p: socket.socket(socket.AF_UNIX).bind(str(p)),
            "is a socket, not a file; give a config file",
        ),
    ],
    ids=["folder", "socket"],
)
def test_other_kinds_of_file_are_refused(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "calmkit.yaml"
    make(path)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}:1: (file): {message}"


def test_a_device_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config("/dev/null")
    assert str(caught.value) == "/dev/null:1: (file): is a device, not a file; give a config file"


SURROGATE = (
    "holds U+D800, half of a UTF-16 pair and no character (an escape like \\ud800 in quotes); "
    "write the character itself"
)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            'programs:\n  x:\n    description: "a \\ud800"\n    steps: [{inhale: 2}]\n',
            "3: programs.x.description",
        ),
        (
            'programs:\n  x:\n    steps: [{inhale: 2, label: "\\ud800"}]\n',
            "3: programs.x.steps[0].label",
        ),
        ('reach_out:\n  message: "call \\ud800 someone"\n', "2: reach_out.message"),
        ('journal:\n  path: "/tmp/\\ud800"\n', "2: journal.path"),
        ('menu: ["\\ud800"]\n', "1: menu[0]"),
    ],
    ids=["description", "label", "reach-out", "path", "menu"],
)
def test_a_lone_surrogate_is_a_located_problem(text: str, where: str) -> None:
    assert problems(text) == [f"t.yaml:{where}: {SURROGATE}"]


def test_a_surrogate_pair_written_as_escapes_is_the_character() -> None:
    config = parse_config(
        'programs:\n  x:\n    description: "\\ud83d\\ude00"\n    steps: [{inhale: 2}]\n'
    )
    assert config.programs["x"].description == "\U0001f600"


def test_a_lone_surrogate_never_reaches_play(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from calmkit.faces.cli import main

    path = tmp_path / "s.yaml"
    path.write_text(
        'programs:\n  x:\n    steps: [{inhale: 2, label: "l\\ud800"}]\n', encoding="utf-8"
    )
    assert main(["play", "x", "--fast", "--events", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"{path}:3: programs.x.steps[0].label: {SURROGATE}"


def test_a_very_long_program_name_says_so() -> None:
    assert problems(f"programs:\n  {'k' * 5000}:\n    steps: [{{inhale: 2}}]\n") == [
        "t.yaml:2: (file): a key of 5000 characters is too long: YAML reads keys of at most "
        "1024 characters, and a program name is at most 64"
    ]
    assert problems(f"programs:\n  {'k' * 100}:\n    steps: [{{inhale: 2}}]\n") == [
        "t.yaml:2: programs.'kkkkkkkkkkkkkkkkkkkk...': a program name of 100 characters is too "
        "long; a program name is at most 64 characters (it is typed on the command line)"
    ]
    assert (
        "k" * 64 in parse_config(f"programs:\n  {'k' * 64}:\n    steps: [{{inhale: 2}}]\n").programs
    )


def test_a_sound_name_too_long_for_a_file_is_one_located_problem():
    """Found by the fuzz test: a 5,000-character sound name made `play` an internal error."""
    name = "k" * 5000
    text = f"programs:\n  x:\n    steps: [{{inhale: 4, sound: {name}}}, {{exhale: 4}}]\n"
    with pytest.raises(ConfigError) as refused:
        parse_config(text, "mine.yaml")
    assert [str(p) for p in refused.value.problems] == [
        "mine.yaml:3: programs.x.steps[0].sound: a sound name is at most 64 characters"
    ]


def test_a_config_link_to_nothing_or_a_loop_is_said_not_skipped(tmp_path):
    """A broken link at ~/.config/calmkit/calmkit.yaml must not drop the settings unsaid."""
    mine = tmp_path / ".config" / "calmkit" / "calmkit.yaml"
    mine.parent.mkdir(parents=True)
    mine.symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(ConfigError) as refused:
        load_config(home=tmp_path, env={})
    (problem,) = refused.value.problems
    assert problem.file == str(mine)
    assert f"is a link to {tmp_path / 'gone.yaml'}, which cannot be read" in problem.message
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    with pytest.raises(ConfigError) as refused:
        load_config(loop, env={})
    assert "a loop of links" in refused.value.problems[0].message


@pytest.mark.parametrize("escape", ["\\0", "\\x1b[31m", "\\x07", "\\x7f"])
def test_a_control_character_in_text_is_a_located_problem(escape):
    text = f'programs:\n  s:\n    description: "calm {escape} down"\n    steps: [{{inhale: 4}}]\n'
    with pytest.raises(ConfigError) as refused:
        parse_config(text, "mine.yaml")
    (problem,) = refused.value.problems
    assert (problem.line, problem.key) == (3, "programs.s.description")
    assert "control character" in problem.message


def test_tabs_and_newlines_in_text_are_fine():
    config = parse_config('reach_out: {message: "Call Sam.\\tOr Alex.\\nYou matter."}\n')
    assert config.reach_out.message == "Call Sam.\tOr Alex.\nYou matter."


def test_the_wearable_profile_is_reached_by_its_path_and_by_its_bare_name(tmp_path):
    from calmkit.config import load_config
    from calmkit.config.paths import default_config_path, profile_path, profiles

    by_path = load_config(default_config_path().parent / "wearable.yaml", env={}, home=tmp_path)
    by_name = load_config("wearable", env={}, home=tmp_path)
    assert by_name.hardware == by_path.hardware
    hardware = by_name.hardware
    assert hardware.light is None and hardware.vibration is None and hardware.battery == 0x36
    assert [(o.kind, o.address, o.options) for o in hardware.outputs] == [
        ("haptic", 0x5A, (("actuator", "lra"),))
    ]
    assert not by_name.sound.enabled and by_name.vibration.enabled
    assert "wearable" in profiles() and profile_path("calmkit") is None
    assert profile_path("../wearable") is None and profile_path("wearable.yaml") is None
    with pytest.raises(ConfigError) as caught:
        load_config("wristband", env={}, home=tmp_path)
    assert str(caught.value) == (
        "wristband: --config: no such file (nor a packaged profile: wearable)"
    )


def test_the_battery_the_haptics_actuator_and_no_lamp_are_checked():
    config = parse_config(
        "hardware:\n  light: null\n  battery: 0x36\n  outputs: [{kind: haptic, actuator: erm}]\n"
    )
    assert config.hardware.light is None and config.hardware.battery == 0x36
    assert config.hardware.outputs[0].options == (("actuator", "erm"),)
    assert parse_config("").hardware.battery is None  # a box has none
    with pytest.raises(ConfigError) as caught:
        parse_config("hardware:\n  battery: 0x5A\n  outputs: [{kind: haptic, actuator: piezo}]\n")
    text = str(caught.value)
    assert "hardware.outputs[0].actuator" in text and "'lra' or 'erm'" in text
    with pytest.raises(ConfigError) as caught:
        parse_config("hardware:\n  battery: 0x5A\n  outputs: [{kind: haptic}]\n")
    assert "address 0x5A is also used by" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        parse_config("hardware:\n  battery: 300\n")
    assert "hardware.battery" in str(caught.value) and "I2C address" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        parse_config("hardware:\n  button: 2\n  battery: 0x36\n")
    assert "I2C bus's SDA" in str(caught.value)


def test_programs_of_your_own_join_the_menu_unless_you_give_one() -> None:
    """A custom program was unreachable from the button: it was in no menu."""
    own = "programs:\n  slow: {breathe: {rate: 6}, minutes: 5}\n  mine: {steps: [{quiet: 60}]}\n"
    menu = parse_config(own, "t.yaml").menu
    defaults = parse_config("", "defaults").menu
    assert menu == (*defaults, "slow", "mine")
    given = parse_config(own + "menu: [mine, calm]\n", "t.yaml").menu
    assert given == ("mine", "calm")  # a menu of your own is kept as written
    override = parse_config("programs:\n  box: {steps: [{inhale: 4}, {exhale: 4}]}\n", "t.yaml")
    assert override.menu == defaults  # a packaged program changed stays where it was


def test_blink_is_opt_in_and_the_long_wind_down_is_in_the_default_menu() -> None:
    defaults = parse_config("", "defaults")
    assert "blink" not in defaults.menu and "blink" in defaults.programs
    assert "winddown20" in defaults.menu
    assert "blink" in parse_config("menu: [calm, blink]\n", "t.yaml").menu


def test_the_wearables_menu_has_only_programs_that_can_be_felt(tmp_path):
    """No lamp and no sound on the wrist: a program of quiet time alone (the lamp's steady
    light, bells) gives nothing to feel, so it is not in the wearable's menu."""
    wearable = load_config("wearable", env={}, home=tmp_path)
    assert wearable.hardware.light is None and not wearable.sound.enabled
    felt = {"inhale", "exhale", "hold", "press", "release", "switch", "prompt"}
    for name in wearable.menu:
        phases = {step.phase for step in expand(name, wearable.programs).steps}
        assert phases & felt, name
    assert "quiet" not in wearable.menu
    assert set(wearable.menu) == set(parse_config("").menu) - {"quiet"}  # the rest as packaged


def test_the_wearable_turns_quiet_time_off_and_the_box_keeps_it():
    assert load_config("wearable", env={}).flow.quiet_time is False
    assert parse_config("").flow.quiet_time is True
