"""README's promises are the code's numbers: the safety rules and the exit statuses.

The "One button" table is checked against the flow's own table in tests/core/test_flow.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from calmkit.core import errors, safety
from calmkit.core.programs import MAX_HOLD_S
from calmkit.faces.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


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
    line = " ".join(_section("Commands").split("Exit status:")[1].split("\n\n")[0].split())
    return {int(code): what for code, what in re.findall(r"(\d+) ([^;.]+)", line)}


def test_readme_names_every_exit_status_the_command_uses():
    statuses = _exit_statuses()
    assert statuses[errors.UsageError.exit_code] == statuses[errors.ConfigError.exit_code]
    assert "config" in statuses[errors.ConfigError.exit_code]
    assert "hardware" in statuses[errors.HardwareError.exit_code]
    assert set(statuses) == {0, 1, 2, 3, 130}


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["programs"], 0),
        (["play", "nosuchprogram", "--fast"], 2),
        (["frobnicate"], 2),
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
