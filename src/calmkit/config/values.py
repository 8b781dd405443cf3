"""Checks of single values (numbers, seconds, names, pins, paths, times, ratios), as plain
functions: each takes the node, its key path and its limits, and returns the value or the
Problem with it. _Values records the problems and checks the shapes (mappings, required keys)
that the checks of sections and programs build on."""

from __future__ import annotations

import datetime
import difflib
import math
import os
import re
from pathlib import Path
from typing import Any

from calmkit.config.nodes import FILE_KEY, _describe, _join, _Node, _Unreadable
from calmkit.config.settings import (
    MAX_ADDRESS,
    MAX_NAME,
    MAX_PIN,
    MAX_RATIO,
    MAX_STEP_S,
    MIN_ADDRESS,
    MIN_PIN,
)
from calmkit.core.errors import Problem
from calmkit.core.programs import RESOLUTION_S
from calmkit.core.prompts import LANGUAGE, PACK_NAME
from calmkit.core.settings import KINDS

_BAD: Any = object()  # a value already reported; the Config is never built when one is seen
#: What a check returns for a value already reported as the file was read (an unreadable one).
_REPORTED = Problem("", 0, "", "reported already")

_TOP_KEYS = (
    "language",
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
    "adaptive",
    "safety_plan",
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


def fail(node: _Node, path: str, message: str) -> Problem:
    """The problem with a value, located at its node (_REPORTED if it was reported already)."""
    if isinstance(node.value, _Unreadable):
        return _REPORTED
    return Problem(node.file, max(1, node.line), path or FILE_KEY, message)


class _Values:
    """Records every problem and checks the shapes of mappings; the checks of sections and
    programs build on it."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self.problems: list[Problem] = []

    def problem(self, node: _Node, path: str, message: str) -> None:
        self.take(fail(node, path, message))

    def take(self, checked: Any) -> Any:
        """A check's value, or _BAD once the Problem it returned is recorded."""
        if not isinstance(checked, Problem):
            return checked
        if checked is not _REPORTED:
            self.problems.append(checked)
        return _BAD

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

    def names(self, node: _Node, path: str) -> tuple[list[tuple[str, _Node, str]], bool]:
        """Program names (a single name is a list of one) with their nodes, and whether all were
        names; the good ones come back either way, so unknown ones can still be reported."""
        if node.value is None:
            return [], True
        if not isinstance(node.value, list):
            single = self.take(name(node, path))
            return ([], False) if single is _BAD else ([(single, node, path)], True)
        out: list[tuple[str, _Node, str]] = []
        ok = True
        for index, item in enumerate(node.value):
            item_path = f"{path}[{index}]"
            value = self.take(name(item, item_path))
            if value is _BAD:
                ok = False
            else:
                out.append((value, item, item_path))
        return out, ok


# --- the checks of single values: each returns the value, or the Problem with it ------------


def number(
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
    """A finite number within the range (``above``: strictly above ``low``)."""
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
    bad = fail(node, path, f"{expected}, got {_describe(node)}")
    if not _is_number(value):
        return bad
    if isinstance(value, float) and not math.isfinite(value):
        return bad
    if isinstance(value, int) and abs(value) > 10**15:  # float() of a 400-digit int raises
        return bad
    if (low is not None and (value <= low if above else value < low)) or (
        high is not None and value > high
    ):
        return bad
    if whole:
        if isinstance(value, float) and not value.is_integer():
            return bad
        return int(value)
    return float(value)


def seconds(node: _Node, path: str, *, zero: bool = False, high: float = MAX_STEP_S) -> Any:
    """Seconds given to a tenth: above 0 (or from 0 with ``zero``) and at most ``high``."""
    value = number(node, path, 0.0, high, above=not zero, noun="seconds")
    if isinstance(value, Problem):
        return value
    tenths = value / RESOLUTION_S
    if abs(tenths - round(tenths)) > 1e-6:
        return fail(node, path, "give seconds to a tenth (0.1 s)")
    return value


def boolean(node: _Node, path: str) -> Any:
    if isinstance(node.value, bool):
        return node.value
    return fail(node, path, f"expected true or false, got {_describe(node)}")


def text(node: _Node, path: str) -> Any:
    """Text; a number written where text goes is taken as written ("478")."""
    value = node.value
    if isinstance(value, str):
        return value
    if _is_number(value) and node.raw is not None:
        return node.raw
    return fail(node, path, f"expected text, got {_describe(node)}")


def name(node: _Node, path: str) -> Any:
    """A program's name as text: ``478`` unquoted is the program "478"."""
    value = node.value
    if isinstance(value, str) or (_is_number(value) and node.raw is not None):
        return value if isinstance(value, str) else node.raw
    return fail(node, path, f"expected a program name, got {_describe(node)}")


def pin(node: _Node, path: str, *, optional: bool = False) -> Any:
    if optional and node.value is None:
        return None
    tail = " (or null)" if optional else ""
    return number(node, path, MIN_PIN, MAX_PIN, whole=True, noun="a GPIO pin", tail=tail)


def file_path(node: _Node, path: str, home: Path | None) -> Any:
    """A file or folder: ``~`` is home; a relative path starts at the config file's folder."""
    value = node.value
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        return fail(node, path, f"expected a path or null, got {_describe(node)}")
    if "\0" in value:
        return fail(node, path, "a path cannot hold a NUL character")
    result = Path(value)
    if value == "~" or value.startswith("~/"):
        if home is None:
            try:
                home = Path.home()
            except (RuntimeError, KeyError):
                return fail(node, path, "cannot find the home folder to expand '~'")
        result = home / value[2:] if value != "~" else home
    elif value.startswith("~"):
        try:
            result = result.expanduser()
        except (RuntimeError, KeyError):
            return fail(node, path, f"cannot expand {value.split('/')[0]!r}: no such user")
    if not result.is_absolute():
        result = Path(os.path.abspath(Path(node.file).parent / result))
    return result


def time(node: _Node, path: str) -> Any:
    """A time "HH:MM"; unquoted 21:00 (a base-60 number in YAML 1.1) is taken as written."""
    written = node.raw if node.raw is not None else node.value
    match = _TIME.fullmatch(written) if isinstance(written, str) else None
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2))
        if hours < 24 and minutes < 60:
            return datetime.time(hours, minutes)
    return fail(node, path, f'expected a time as "HH:MM" (24-hour), got {_describe(node)}')


def choice(node: _Node, path: str, options: tuple[str, ...]) -> Any:
    if isinstance(node.value, str) and node.value in options:
        return node.value
    shown = " or ".join(repr(option) for option in options)
    return fail(node, path, f"expected {shown}, got {_describe(node)}")


def sound_name(node: _Node, path: str) -> Any:
    """A packaged or own sound by name (its WAV file without .wav); "" is silence."""
    value = node.value
    if value is None:
        return None
    if isinstance(value, str) and _SOUND_NAME.fullmatch(value):
        if len(value) > MAX_NAME:  # a file name: the system refuses long ones
            return fail(node, path, f"a sound name is at most {MAX_NAME} characters")
        return value
    return fail(
        node,
        path,
        f'expected a sound name like bell_start (a WAV file without .wav), or "" for '
        f"silence, got {_describe(node)}",
    )


def language(node: _Node, path: str) -> Any:
    """A language code ("de", "pt-BR") or null (follow the top-level `language`, else English)."""
    value = node.value
    if value is None or (isinstance(value, str) and LANGUAGE.fullmatch(value)):
        return value
    return fail(
        node, path, f"expected a language code like en, de or pt-BR, or null, got {_describe(node)}"
    )


def pack_name(node: _Node, path: str) -> Any:
    """A voice pack's name as `calmkit voices` lists it, or null (the best for the language)."""
    value = node.value
    if value is None or (isinstance(value, str) and PACK_NAME.fullmatch(value)):
        return value
    return fail(
        node,
        path,
        "expected a voice pack's name as `calmkit voices` lists it (letters, digits, . _ + -), "
        f"or null, got {_describe(node)}",
    )


def ratio(node: _Node, path: str) -> Any:
    """An in:out ratio: "1:1.5", or a number N meaning 1:N (unquoted 1:1.5 read as written)."""
    value = node.value
    parts: tuple[float, float] | None = None
    written = node.raw if node.raw is not None and ":" in node.raw else value
    if isinstance(written, str):
        match = _RATIO.fullmatch(written)
        if match:
            try:
                parts = (float(match.group(1)), float(match.group(2)))
            except ValueError:
                parts = None
    elif _is_number(value) and not (isinstance(value, float) and not math.isfinite(value)):
        parts = (1.0, float(value))
    if parts is None or not all(math.isfinite(part) and part > 0 for part in parts):
        return fail(
            node,
            path,
            f'expected an in:out ratio like "1:1.5", or a number N for 1:N, got {_describe(node)}',
        )
    if not 1 / MAX_RATIO <= parts[1] / parts[0] <= MAX_RATIO:
        return fail(node, path, f"an in:out ratio runs from 4:1 to 1:4, got {_describe(node)}")
    return parts


def kind(node: _Node, path: str) -> Any:
    """The kind of an output: a row of the kinds table (calmkit.core.settings.KINDS)."""
    value = node.value
    known = ", ".join(KINDS)
    if not isinstance(value, str):
        return fail(node, path, f"expected a kind of output ({known}), got {_describe(node)}")
    if value in KINDS:
        return value
    close = difflib.get_close_matches(value, list(KINDS), n=1)
    if close:
        return fail(node, path, f"unknown kind {value!r}; did you mean {close[0]!r}?")
    return fail(node, path, f"unknown kind {value!r}; the kinds are {known}")


def address(node: _Node, path: str) -> Any:
    """A chip's 7-bit I2C address, written like 0x5A."""
    value = node.value
    if (
        _is_number(value)
        and not (isinstance(value, float) and not value.is_integer())
        and MIN_ADDRESS <= value <= MAX_ADDRESS
    ):
        return int(value)
    return fail(
        node,
        path,
        f"expected an I2C address from 0x{MIN_ADDRESS:02X} to 0x{MAX_ADDRESS:02X}, like 0x5A, "
        f"got {_describe(node)}",
    )
