"""Checks of single values (numbers, seconds, names, pins, paths, times), each reporting a
located problem and returning _BAD when the value cannot be used."""

from __future__ import annotations

import datetime
import difflib
import math
import os
import re
from pathlib import Path
from typing import Any

from calmkit.config.nodes import FILE_KEY, _describe, _join, _Node, _Unreadable
from calmkit.config.settings import MAX_PIN, MAX_STEP_S, MIN_PIN
from calmkit.core.errors import Problem
from calmkit.core.programs import RESOLUTION_S

_BAD: Any = object()  # a value already reported; the Config is never built when one is seen

_TOP_KEYS = (
    "default_program",
    "menu",
    "hardware",
    "light",
    "sound",
    "vibration",
    "night",
    "gestures",
    "flow",
    "journal",
    "reach_out",
    "programs",
)
_PROGRAM_KEYS = (
    "description",
    "steps",
    "breathe",
    "quiet",
    "blocks",
    "cycles",
    "minutes",
    "seconds",
    "rounds",
    "then",
    "fallback",
)
_KINDS = ("steps", "breathe", "quiet")
_TIMINGS = ("cycles", "minutes", "seconds")
_BLOCK_KEYS = _KINDS + _TIMINGS
_STEP_KEYS = ("label", "items", "sound", "repeat")
_BREATHE_KEYS = ("rate", "to_rate", "ramp", "ratio", "hold_in", "hold_out")
_QUIET_KEYS = ("minutes", "interval_bell_minutes", "fade_out")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_RATIO = re.compile(r"\s*([^:\s]+)\s*:\s*([^:\s]+)\s*")
_SOUND_NAME = re.compile(r"[\w-]*")
_PROGRAM_NAME = re.compile(r"[\w-]+")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fmt(limit: float) -> str:
    return f"{limit:g}"


class _Values:
    """Records every problem and checks single values; the checks of sections and programs
    build on it."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self.problems: list[Problem] = []

    def problem(self, node: _Node, path: str, message: str) -> None:
        if isinstance(node.value, _Unreadable):
            return  # reported once already, as the file was read
        self.problems.append(Problem(node.file, max(1, node.line), path or FILE_KEY, message))

    def mapping(self, node: _Node, path: str, known: tuple[str, ...]) -> dict[str, _Node] | None:
        """The node's entries, reporting unknown keys with a "did you mean" when one is close."""
        if not isinstance(node.value, dict):
            self.problem(node, path, f"expected a mapping, got {_describe(node)}")
            return None
        for key, child in node.value.items():
            if key not in known:
                self.unknown_key(child, _join(path, key), key, known)
        return node.value

    def unknown_key(self, node: _Node, path: str, key: str, known: tuple[str, ...]) -> None:
        message = f"unknown key {key!r}"
        close = difflib.get_close_matches(key, known, n=1)
        if close:
            message += f"; did you mean {close[0]!r}?"
        self.problem(node, path, message)

    def need(self, entries: dict[str, _Node], key: str, parent: _Node, path: str) -> _Node | None:
        """A required entry, or a "missing key" problem on the parent's line."""
        node = entries.get(key)
        if node is None:
            self.problem(parent, path, f"missing key {key!r}")
        return node

    def number(
        self,
        node: _Node,
        path: str,
        low: float | None = None,
        high: float | None = None,
        *,
        above: bool = False,
        whole: bool = False,
        noun: str | None = None,
        tail: str = "",
    ) -> Any:
        """A finite number within the range (``above``: strictly above ``low``), or _BAD."""
        if noun is None:
            noun = "a whole number" if whole else "a number"
        if low is not None and high is not None:
            span = (
                f"above {_fmt(low)} and at most {_fmt(high)}"
                if above
                else (f"from {_fmt(low)} to {_fmt(high)}")
            )
        elif low is not None:
            span = f"above {_fmt(low)}" if above else f"of at least {_fmt(low)}"
        else:
            span = ""
        expected = f"expected {noun} {span}".rstrip() + tail
        value = node.value
        bad = f"{expected}, got {_describe(node)}"
        if not _is_number(value):
            self.problem(node, path, bad)
            return _BAD
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(node, path, bad)
            return _BAD
        if isinstance(value, int) and abs(value) > 10**15:  # float() of a 400-digit int raises
            self.problem(node, path, bad)
            return _BAD
        if (low is not None and (value <= low if above else value < low)) or (
            high is not None and value > high
        ):
            self.problem(node, path, bad)
            return _BAD
        if whole:
            if isinstance(value, float) and not value.is_integer():
                self.problem(node, path, bad)
                return _BAD
            return int(value)
        return float(value)

    def seconds(
        self, node: _Node, path: str, *, zero: bool = False, high: float = MAX_STEP_S
    ) -> Any:
        """Seconds given to a tenth: above 0 (or from 0 with ``zero``) and at most ``high``."""
        value = self.number(node, path, 0.0, high, above=not zero, noun="seconds")
        if value is _BAD:
            return _BAD
        tenths = value / RESOLUTION_S
        if abs(tenths - round(tenths)) > 1e-6:
            self.problem(node, path, "give seconds to a tenth (0.1 s)")
            return _BAD
        return value

    def boolean(self, node: _Node, path: str) -> Any:
        if isinstance(node.value, bool):
            return node.value
        self.problem(node, path, f"expected true or false, got {_describe(node)}")
        return _BAD

    def text(self, node: _Node, path: str) -> Any:
        """Text; a number written where text goes is taken as written ("478")."""
        value = node.value
        if isinstance(value, str):
            return value
        if _is_number(value) and node.raw is not None:
            return node.raw
        self.problem(node, path, f"expected text, got {_describe(node)}")
        return _BAD

    def name(self, node: _Node, path: str) -> Any:
        """A program's name as text: ``478`` unquoted is the program "478"."""
        value = node.value
        if isinstance(value, str) or (_is_number(value) and node.raw is not None):
            return value if isinstance(value, str) else node.raw
        self.problem(node, path, f"expected a program name, got {_describe(node)}")
        return _BAD

    def names(self, node: _Node, path: str) -> tuple[list[tuple[str, _Node, str]], bool]:
        """Program names (a single name is a list of one) with their nodes, and whether all were
        names; the good ones come back either way, so unknown ones can still be reported."""
        if node.value is None:
            return [], True
        if not isinstance(node.value, list):
            single = self.name(node, path)
            return ([], False) if single is _BAD else ([(single, node, path)], True)
        out: list[tuple[str, _Node, str]] = []
        ok = True
        for index, item in enumerate(node.value):
            item_path = f"{path}[{index}]"
            value = self.name(item, item_path)
            if value is _BAD:
                ok = False
            else:
                out.append((value, item, item_path))
        return out, ok

    def pin(self, node: _Node, path: str, *, optional: bool = False) -> Any:
        if optional and node.value is None:
            return None
        tail = " (or null)" if optional else ""
        return self.number(node, path, MIN_PIN, MAX_PIN, whole=True, noun="a GPIO pin", tail=tail)

    def path(self, node: _Node, path: str) -> Any:
        """A file or folder: ``~`` is home; a relative path starts at the config file's folder."""
        value = node.value
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(node, path, f"expected a path or null, got {_describe(node)}")
            return _BAD
        if "\0" in value:
            self.problem(node, path, "a path cannot hold a NUL character")
            return _BAD
        result = Path(value)
        if value == "~" or value.startswith("~/"):
            home = self.home
            if home is None:
                try:
                    home = Path.home()
                except (RuntimeError, KeyError):
                    self.problem(node, path, "cannot find the home folder to expand '~'")
                    return _BAD
            result = home / value[2:] if value != "~" else home
        elif value.startswith("~"):
            try:
                result = result.expanduser()
            except (RuntimeError, KeyError):
                self.problem(node, path, f"cannot expand {value.split('/')[0]!r}: no such user")
                return _BAD
        if not result.is_absolute():
            result = Path(os.path.abspath(Path(node.file).parent / result))
        return result

    def time(self, node: _Node, path: str) -> Any:
        """A time "HH:MM"; unquoted 21:00 (a base-60 number in YAML 1.1) is taken as written."""
        text = node.raw if node.raw is not None else node.value
        match = _TIME.fullmatch(text) if isinstance(text, str) else None
        if match:
            hours, minutes = int(match.group(1)), int(match.group(2))
            if hours < 24 and minutes < 60:
                return datetime.time(hours, minutes)
        self.problem(node, path, f'expected a time as "HH:MM" (24-hour), got {_describe(node)}')
        return _BAD

    def choice(self, node: _Node, path: str, options: tuple[str, ...]) -> Any:
        if isinstance(node.value, str) and node.value in options:
            return node.value
        shown = " or ".join(repr(option) for option in options)
        self.problem(node, path, f"expected {shown}, got {_describe(node)}")
        return _BAD
