"""README's promises are the code's numbers: the safety rules and the exit statuses.

The "One button" table is checked against the flow's own table in tests/core/test_flow.py.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from calmkit.config import parse_config
from calmkit.core import errors, safety
from calmkit.core.durations import clock_text
from calmkit.core.programs import MAX_HOLD_S, expand
from calmkit.faces.cli import EXIT_STATUSES, main

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "calmkit"
README = (ROOT / "README.md").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT))


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def test_the_safety_rules_readme_states_are_the_ones_the_check_applies():
    words = " ".join(_section("Your own settings and programs").split())
    assert f"a breath held over {MAX_HOLD_S:g} s in a row" in words
    assert f"more than {safety.MAX_FLASHES} flashes in any second" in words
    assert f"by {safety.FLASH_CHANGE:.0%} of full or more" in words.replace("10 %", "10%")
    assert f"the motor on for over {safety.MAX_BUZZ_S:g} s in one go" in words
    assert f"a {safety.BREATH_GAP_S:g} s step of another kind" in words


def _exit_statuses() -> dict[int, str]:
    table = _section("Commands").split("Exit status")[1].split("\n\n")[1]
    rows = [line.strip("|").split("|") for line in table.splitlines()[2:]]
    return {int(code): what.strip() for code, what in rows}


def test_readme_names_every_exit_status_the_command_uses():
    statuses = _exit_statuses()
    assert statuses == EXIT_STATUSES  # the table is the code's, word for word
    assert statuses[errors.UsageError.exit_code] == statuses[errors.ConfigError.exit_code]
    assert "config" in statuses[errors.ConfigError.exit_code]
    assert "hardware" in statuses[errors.HardwareError.exit_code]
    assert "`doctor` found a check that failed" in statuses[1]


def test_every_status_the_code_can_exit_with_is_in_the_table():
    """Every `return N` in the command line and every error's exit_code, found by walking the
    code: a status added later without a row in README fails here."""
    source = ast.parse((SRC / "faces" / "cli.py").read_text(encoding="utf-8"))
    returned = {
        node.value.value
        for node in ast.walk(source)
        if isinstance(node, ast.Return)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, int)
    }
    for node in ast.walk(source):  # `return 1 if failed else 0`
        if isinstance(node, ast.Return) and isinstance(node.value, ast.IfExp):
            returned |= {
                branch.value
                for branch in (node.value.body, node.value.orelse)
                if isinstance(branch, ast.Constant) and isinstance(branch.value, int)
            }
    codes = {
        cls.exit_code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.CalmkitError)
    }
    assert {0, 1, 2, 130} <= returned
    assert returned | codes <= set(EXIT_STATUSES)


def test_the_menu_readme_gives_is_the_default_menu_and_blink_is_opt_in():
    words = " ".join(_section("Your own settings and programs").split())
    defaults = parse_config("", "defaults")
    assert f"The default menu is `{', '.join(defaults.menu)}`." in words
    assert "blink" not in defaults.menu and "`blink` is opt-in" in words
    assert f"A single press starts `default_program` (`{defaults.default_program}`)" in words
    assert "opt-in: not in the default menu" in README  # the table of quick fixes agrees


def test_every_packaged_sound_is_in_the_recordings_table_with_its_words():
    from sounds.make_sounds import SPOKEN  # the words each recording says

    table = _section("Your own settings and programs").split("### Your own recordings")[1]
    for path in sorted((ROOT / "sounds").glob("*.wav")):
        if path.stem.startswith("name_"):
            words = SPOKEN[path.stem]
            assert f'"{words}"' in table, path.stem
            continue
        assert path.stem in table, path.stem
        if path.stem in SPOKEN:
            assert f'"{SPOKEN[path.stem]}"' in " ".join(table.split()), path.stem


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["programs"], 0),
        (["play", "nosuchprogram", "--fast"], 2),
        (["frobnicate"], 2),
        (["play", "box", "--fast", "--sim"], 2),
        (["preview", "box", "-o", "/nonexistent-folder/x.png"], 1),
    ],
)
def test_the_command_exits_with_the_status_readme_gives(
    argv, status, capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CALMKIT_CONFIG", raising=False)
    try:
        code = main(argv)
    except SystemExit as done:  # argparse refuses an unknown command itself
        code = done.code
    assert code == status
    assert status in _exit_statuses()


def test_the_bill_of_materials_wires_the_pins_the_defaults_use():
    table = _section("Install on a Raspberry Pi").split("### What to buy")[1]
    rows = {
        line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ")
    }
    hardware = parse_config("", "defaults").hardware
    assert f"GPIO{hardware.light} → resistor → LED" in rows["light"]
    assert f"GPIO{hardware.button} → button → GND" in rows["button"]
    assert f"GPIO{hardware.vibration} → 1 kΩ → base" in rows["vibration (optional)"]
    # the I2S amplifier takes the light's pin: README says to move the light, and where
    amp = rows["sound, one of"]
    assert "BCLK → GPIO18, LRC → GPIO19, DIN → GPIO21" in amp
    assert hardware.light == 18 and "move the light: `hardware: {light: 12}`" in amp


def test_readme_says_how_to_reach_calmkit_after_make_and_on_the_pi():
    words = " ".join(_section("Try it").split())
    assert ".venv/bin/calmkit programs" in words and "source .venv/bin/activate" in words
    install = (ROOT / "systemd" / "install.sh").read_text(encoding="utf-8")
    assert "readonly LINK=/usr/local/bin/calmkit" in install
    assert "links `/usr/local/bin/calmkit` to the venv's `calmkit`" in " ".join(README.split())
    # "a setuptools note about "Editable installation" ... is hidden"
    assert "is harmless, and is hidden" in words
    assert 'PYTHONWARNINGS="ignore:Editable installation"' in (ROOT / "Makefile").read_text()


def _program_table() -> dict[str, str]:
    """README's "quick fixes" table: each program named in its first column, with its length."""
    table = _section("The quick fixes").split("\n\n")[1]
    lengths: dict[str, str] = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        names = re.findall(r"`([^`]+)`", cells[0])
        figures = cells[-1].removeprefix("up to ").split(" / ")
        assert len(names) == len(figures), line
        lengths.update(zip(names, figures, strict=True))
    return lengths


def test_readmes_program_lengths_are_the_expanded_plans():
    config = parse_config("", "defaults")
    table = _program_table()
    assert set(table) == set(config.programs)
    real = {name: clock_text(expand(name, config.programs).total_s) for name in table}
    assert table == real


def test_a_description_gives_a_length_only_as_the_program_lasts():
    """ "5 minutes" only when it lasts 5:00; "about 5 minutes" within half a minute."""
    config = parse_config("", "defaults")
    for name, program in config.programs.items():
        total = expand(name, config.programs).total_s
        for about, minutes in re.findall(r"(about )?(\d+) minutes", program.description):
            if about:
                assert abs(total - 60 * int(minutes)) < 30, name
            else:
                assert total == 60 * int(minutes), name
