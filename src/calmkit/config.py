"""Config: YAML files -> frozen dataclasses, every problem located as ``FILE:LINE: key: message``.

The packaged defaults (config/calmkit.yaml) are read first and the person's file is laid over
them: settings sections merge key by key, a program of the same name is replaced whole. The file
is composed with PyYAML's SafeLoader into nodes, so every value keeps its file and line, and then
checked in one pass that collects every problem before raising one ConfigError. Nothing a file
holds (binary, huge numbers, alias bombs, loops) may raise anything else: a bedside device must
never show a traceback at 3 a.m.

Pure core: no gpiozero, no pygame, no threads, no sleeping. The only I/O is reading the files.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import math
import os
import re
import stat
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from calmkit.cues import in_window
from calmkit.errors import ConfigError, Problem
from calmkit.paths import default_config_path
from calmkit.programs import (
    MAX_CHAIN,
    MAX_PROGRAM_S,
    PHASES,
    RESOLUTION_S,
    Block,
    Breathe,
    Program,
    Quiet,
    Step,
    Steps,
    block_problems,
    chain_order,
    expand,
    expand_block,
    step_problems,
)
from calmkit.safety import breaches, switch_hold_breach

__all__ = [
    "ENV_VAR",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "SYSTEM_CONFIG",
    "Config",
    "FlowConfig",
    "GestureConfig",
    "HardwareConfig",
    "JournalConfig",
    "LightConfig",
    "NightConfig",
    "RGBPins",
    "ReachOutConfig",
    "SoundConfig",
    "VibrationConfig",
    "find_config_file",
    "load_config",
    "night_active",
    "parse_config",
]

#: The environment variable that names a config file (after --config, before the home file).
ENV_VAR = "CALMKIT_CONFIG"
#: The system-wide file, last in the search order.
SYSTEM_CONFIG = Path("/etc/calmkit/calmkit.yaml")
#: A config file is a few kilobytes; anything over this is refused unread.
MAX_FILE_BYTES = 1 << 20
#: Values in one document once aliases are expanded: stops "billion laughs" alias bombs.
MAX_NODES = 100_000
#: Nesting deeper than this is no config calmkit reads (and recursive aliases end here).
MAX_DEPTH = 32

#: GPIO (BCM) numbers on a Raspberry Pi's 40-pin header.
MIN_PIN, MAX_PIN = 0, 27
#: Breathing rates calmkit paces, in breaths a minute: faster than 30 is hyperventilating.
MIN_RATE, MAX_RATE = 1.0, 30.0
#: The in:out ratio stays between 4:1 and 1:4.
MAX_RATIO = 4.0
#: Counts (cycles, rounds, repeat) are whole numbers up to this.
MAX_COUNT = 10_000
#: Most items a grounding prompt counts.
MAX_ITEMS = 100
#: Most seconds a step may last (before the program limit applies).
MAX_STEP_S = MAX_PROGRAM_S
#: The key path given for problems with the file as a whole (not YAML, too big, not a mapping).
FILE_KEY = "(file)"
#: A program's name is typed on the command line: at most this many characters.
MAX_NAME = 64
#: YAML (PyYAML) reads a key of at most this many characters.
MAX_YAML_KEY = 1024

# --- the settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RGBPins:
    """A common-cathode RGB LED's three PWM pins."""

    red: int
    green: int
    blue: int


@dataclass(frozen=True)
class HardwareConfig:
    """GPIO (BCM) pins; ``pins`` is "auto" (real pins on a Pi, mock elsewhere) or "mock"."""

    pins: str
    light: int | RGBPins
    button: int
    second_button: int | None
    vibration: int | None


@dataclass(frozen=True)
class LightConfig:
    brightness: float
    floor: float
    gamma: float
    fps: int


@dataclass(frozen=True)
class SoundConfig:
    enabled: bool
    volume: float
    fade_in_ms: int
    voice: bool
    dir: Path | None


@dataclass(frozen=True)
class VibrationConfig:
    enabled: bool
    strength: float


@dataclass(frozen=True)
class NightConfig:
    """The night window (it may wrap midnight) and the caps on light, sound and motor in it."""

    start: datetime.time
    end: datetime.time
    brightness: float
    volume: float
    vibration: float


@dataclass(frozen=True)
class GestureConfig:
    hold_s: float
    double_s: float
    debounce_s: float


@dataclass(frozen=True)
class FlowConfig:
    quiet_offer_s: float
    helped_s: float
    pause_limit_s: float


@dataclass(frozen=True)
class JournalConfig:
    enabled: bool
    path: Path | None


@dataclass(frozen=True)
class ReachOutConfig:
    enabled: bool
    sessions: int
    within_hours: float
    message: str
    sound: Path | None


@dataclass(frozen=True)
class Config:
    """Everything calmkit reads from its config files, checked.

    ``programs`` is a read-only mapping in file order (defaults first, then new ones);
    ``sources`` the files layered, defaults first.
    """

    default_program: str
    menu: tuple[str, ...]
    hardware: HardwareConfig
    light: LightConfig
    sound: SoundConfig
    vibration: VibrationConfig
    night: NightConfig
    gestures: GestureConfig
    flow: FlowConfig
    journal: JournalConfig
    reach_out: ReachOutConfig
    programs: Mapping[str, Program]
    sources: tuple[Path, ...]


def night_active(night: NightConfig, at: datetime.time) -> bool:
    """Whether ``at`` falls in the night window; 21:00-07:00 wraps midnight, start == end: never."""
    return in_window(night.start, night.end, at)


# --- finding and reading files --------------------------------------------------------------


def _exists(path: Path) -> bool:
    """Whether a path exists; a permission error counts as existing, so reading it says why."""
    try:
        return path.exists()
    except OSError:
        return True
    except ValueError:  # a NUL in the name: nothing by that name can exist
        return False


def find_config_file(
    explicit: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    *,
    system: Path | None = None,
) -> Path | None:
    """The person's config file: --config, $CALMKIT_CONFIG, ~/.config, /etc; the first that exists.

    A file named on purpose (--config or the variable) that is missing is an error, not a silent
    fall back to another file: the person would think their settings were in force.
    """
    if explicit is not None:
        path = Path(explicit)
        if not _exists(path):
            raise ConfigError([Problem(str(path), 1, "--config", "no such file")])
        return path
    environ = os.environ if env is None else env
    named = environ.get(ENV_VAR, "")
    if named:
        path = Path(named)
        if not _exists(path):
            raise ConfigError([Problem(str(path), 1, f"${ENV_VAR}", "no such file")])
        return path
    if home is None:
        try:
            home = Path.home()
        except (RuntimeError, KeyError):
            home = None
    candidates = [] if home is None else [home / ".config" / "calmkit" / "calmkit.yaml"]
    candidates.append(SYSTEM_CONFIG if system is None else system)
    for path in candidates:
        if _exists(path):
            return path
    return None


#: What a path that is not a regular file is, for the message that refuses it.
_NOT_A_FILE = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a file; give a config file"),
    (stat.S_ISSOCK, "is a socket, not a file; give a config file"),
    (stat.S_ISCHR, "is a device, not a file; give a config file"),
    (stat.S_ISBLK, "is a device, not a file; give a config file"),
)


def _not_a_file(mode: int) -> str | None:
    """Why a file of this mode cannot be a config (None: it is a regular file)."""
    if stat.S_ISREG(mode):
        return None
    for test, reason in _NOT_A_FILE:
        if test(mode):
            return reason
    return "is not a regular file"


def _read_bytes(path: Path) -> bytes:
    """A file's bytes, at most one more than the limit (so a huge file is never read whole).

    Only a regular file is read: a FIFO would block the read (and `calmkit check`) for ever, a
    device may never end. It is looked at first, then opened without blocking and looked at
    again through the open file, so it cannot be swapped for a FIFO in between.
    """

    def refused(reason: str) -> ConfigError:
        return ConfigError([Problem(str(path), 1, FILE_KEY, reason)])

    try:
        reason = _not_a_file(os.stat(path).st_mode)
        if reason is not None:
            raise refused(reason)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            reason = _not_a_file(os.fstat(fd).st_mode)
            if reason is not None:
                raise refused(reason)
            os.set_blocking(fd, True)
            with os.fdopen(fd, "rb") as stream:
                fd = -1
                return stream.read(MAX_FILE_BYTES + 1)
        finally:
            if fd >= 0:
                os.close(fd)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise refused(f"cannot read: {reason}") from None


def load_config(
    explicit: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    *,
    system: Path | None = None,
) -> Config:
    """The packaged defaults with the person's file (if any is found) laid over them."""
    found = find_config_file(explicit, env, home, system=system)
    if found is None:
        return _build(None, home)
    user = _parse_tree(_read_bytes(found), str(found), layer=1)
    return _build(user, home)


def parse_config(
    text: str | bytes, filename: str = "<config>", *, home: Path | None = None
) -> Config:
    """``text`` laid over the packaged defaults, as if read from ``filename`` (for tests)."""
    return _build(_parse_tree(text, filename, layer=1), home)


# --- YAML to located nodes ------------------------------------------------------------------


class _Node:
    """A value with where it was written: the file, the line (1-based) and which layer."""

    __slots__ = ("file", "layer", "line", "raw", "value")

    def __init__(self, value: Any, file: str, line: int, layer: int, raw: str | None = None):
        self.value = value
        self.file = file
        self.line = line
        self.layer = layer
        #: The text of a plain (unquoted) scalar, as written: "21:00", "1:1.5", "1e400".
        self.raw = raw


@dataclass
class _Tree:
    """A parsed file: its root (None for an empty file) and the problems found reading it."""

    file: str
    root: _Node | None
    problems: list[Problem]
    fatal: bool = False


class _Refused(Exception):
    """The document is too big or too deep to read at all."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
#: Scalar tags read as yaml.safe_load reads them; others (!!set, !!python/...) are refused.
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("null", "bool", "int", "float", "str", "binary", "timestamp")
)
#: YAML 1.2 floats that PyYAML (YAML 1.1) reads as text: 1e3, 1e400, 5E-1.
_FLOAT_12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SCALAR = SafeConstructor()
_TOO_DEEP = f"nests too deep; a config nests at most {MAX_DEPTH} levels"


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar node's Python value, as yaml.safe_load would give it (but raising ValueError)."""
    construct = SafeConstructor.yaml_constructors.get(node.tag)
    if construct is None or node.tag not in _SCALAR_TAGS:
        raise ValueError(f"unsupported YAML tag {node.tag!r}")
    try:
        value = construct(_SCALAR, node)
    except (ValueError, TypeError, OverflowError, ArithmeticError, yaml.YAMLError):
        if node.tag in _NUMBER_TAGS:
            raise ValueError("this number is too long to read") from None
        raise ValueError(f"cannot read this value as {node.tag.rsplit(':', 1)[-1]}") from None
    if (
        isinstance(value, str)
        and node.style is None
        and node.tag == "tag:yaml.org,2002:str"
        and _FLOAT_12.fullmatch(value)
    ):
        return float(value)
    return value


def _yaml_problem(file: str, text: str, exc: Exception) -> Problem:
    """A YAML syntax error as a Problem on the line PyYAML points at."""
    line = 1
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line = mark.line + 1
            too_long = _long_key(text, mark)
            if too_long:
                return Problem(file, line, FILE_KEY, too_long)
        what = exc.problem or "cannot be read"
        if exc.context and what.startswith("but "):
            what = f"{exc.context} {what}"
        elif exc.context:
            what = f"{what} ({exc.context})"
    elif isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(0, exc.position)) + 1
        what = f"unreadable character #x{exc.character:04x}"
    elif isinstance(exc, RecursionError):
        return Problem(file, 1, FILE_KEY, _TOO_DEEP)
    else:
        what = "cannot be read"
    what = " ".join(what.split())
    return Problem(file, max(1, line), FILE_KEY, f"not valid YAML: {what}")


def _long_key(text: str, mark: yaml.Mark) -> str:
    """Why a key is refused when PyYAML's error is really its key length limit ("" if not).

    PyYAML reads a key of at most 1024 characters and otherwise says only that the YAML is
    wrong ("mapping values are not allowed here") at the colon after it.
    """
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines):
        return ""
    before = lines[mark.line][: mark.column + 1]
    colon = before.rfind(":")
    if colon < 0:
        return ""
    key = re.split(r"[:{\[,]", before[:colon])[-1].strip().lstrip("-? ").strip("\"'")
    if len(key) <= MAX_YAML_KEY:
        return ""
    return (
        f"a key of {len(key)} characters is too long: YAML reads keys of at most "
        f"{MAX_YAML_KEY} characters, and a program name is at most {MAX_NAME}"
    )


def _decode(data: str | bytes, file: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text from bytes, refusing huge, binary and undecodable files with a clear reason."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        return None, Problem(
            file, 1, FILE_KEY, "the file is over 1 MiB; a calmkit config is a few kilobytes"
        )
    if isinstance(data, bytes):
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None, Problem(file, 1, FILE_KEY, "the file is UTF-16 text; save it as UTF-8")
        nul = data.find(b"\0")
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            return None, Problem(
                file, line, FILE_KEY, "the file holds binary data (a NUL byte); a config is text"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            byte = data[exc.start]
            return None, Problem(
                file,
                line,
                FILE_KEY,
                f"not UTF-8 text (byte 0x{byte:02x} cannot be read); save the file as UTF-8",
            )
        return text, None
    if "\0" in data:
        line = data.count("\n", 0, data.index("\0")) + 1
        return None, Problem(
            file, line, FILE_KEY, "the file holds binary data (a NUL byte); a config is text"
        )
    return data.removeprefix("\ufeff"), None


def _parse_tree(data: str | bytes, file: str, layer: int) -> _Tree:
    """Read one file into located nodes; a file that cannot be read at all is ``fatal``."""
    text, problem = _decode(data, file)
    if text is None:
        assert problem is not None
        return _Tree(file, None, [problem], fatal=True)
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError) as exc:
        return _Tree(file, None, [_yaml_problem(file, text, exc)], fatal=True)
    if document is None:
        return _Tree(file, None, [])
    builder = _Builder(file, layer)
    try:
        root = builder.build(document)
    except _Refused as exc:
        return _Tree(file, None, [Problem(file, exc.line, FILE_KEY, exc.message)], fatal=True)
    if root.value is None:
        return _Tree(file, None, builder.problems)
    if isinstance(root.value, _Unreadable):
        return _Tree(file, None, builder.problems, fatal=True)
    if not isinstance(root.value, dict):
        builder.problems.append(
            Problem(
                file,
                root.line,
                FILE_KEY,
                f"expected a mapping of settings (key: value) at the top, got {_describe(root)}",
            )
        )
        return _Tree(file, None, builder.problems, fatal=True)
    return _Tree(file, root, builder.problems)


class _Builder:
    """Turns composed YAML nodes into _Nodes, counting values so alias bombs stop early."""

    def __init__(self, file: str, layer: int) -> None:
        self.file = file
        self.layer = layer
        self.count = 0
        self.top_line = 1  # the top-level entry being read: where an alias bomb is reported
        self.problems: list[Problem] = []

    def _problem(self, line: int, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, path or FILE_KEY, message))

    def build(self, node: yaml.Node) -> _Node:
        return self._build(node, node.start_mark.line + 1, "", 0)

    def _build(self, node: yaml.Node, line: int, path: str, depth: int) -> _Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Refused(
                self.top_line,
                f"the document holds more than {MAX_NODES} values (counting what aliases "
                f"repeat); calmkit refuses it",
            )
        if depth > MAX_DEPTH:
            raise _Refused(line, _TOO_DEEP)
        if isinstance(node, yaml.ScalarNode):
            try:
                value = _scalar(node)
            except ValueError as exc:
                self._problem(line, path, str(exc))
                value = _Unreadable()
            if isinstance(value, str) and _SURROGATES.search(value):
                value = _paired(value)
                if _surrogate(value):
                    self._problem(line, path, _surrogate(value))
                    value = _Unreadable()
            raw = node.value if node.style is None else None
            return _Node(value, self.file, line, self.layer, raw)
        if node.tag not in (_MAP_TAG, _SEQ_TAG):
            self._problem(line, path, f"unsupported YAML tag {node.tag!r}")
            return _Node(_Unreadable(), self.file, line, self.layer)
        if isinstance(node, yaml.SequenceNode):
            items = [
                self._build(item, item.start_mark.line + 1, f"{path}[{index}]", depth + 1)
                for index, item in enumerate(node.value)
            ]
            return _Node(items, self.file, line, self.layer)
        assert isinstance(node, yaml.MappingNode)
        return _Node(self._mapping(node, path, depth), self.file, line, self.layer)

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, _Node]:
        """Entries by key; explicit keys win over ``<<`` merges, a repeated key is a problem."""
        if depth > MAX_DEPTH:  # a merge of a mapping into itself
            raise _Refused(node.start_mark.line + 1, _TOO_DEEP)
        entries: dict[str, _Node] = {}
        first_line: dict[str, int] = {}
        merges: list[tuple[yaml.Node, int]] = []
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                merges.append((value_node, line))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(line, path, "a key must be a plain name, not a list or mapping")
                continue
            key = _paired(key_node.value)
            if _surrogate(key):
                self._problem(line, path, f"a key {_surrogate(key)}")
                continue
            child = _join(path, key)
            if key in entries:
                self._problem(
                    line, child, f"duplicate key {key!r} (first on line {first_line[key]})"
                )
                continue
            first_line[key] = line
            if depth == 0:
                self.top_line = line
            entries[key] = self._build(value_node, line, child, depth + 1)
        for merge_node, line in merges:
            sources = (
                merge_node.value if isinstance(merge_node, yaml.SequenceNode) else [merge_node]
            )
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self._problem(line, _join(path, "<<"), "a merge (<<) takes a mapping")
                    continue
                for key, value in self._mapping(source, path, depth + 1).items():
                    entries.setdefault(key, value)
        return entries


_SURROGATES = re.compile("[\ud800-\udfff]")


def _paired(text: str) -> str:
    """Text with its surrogate pairs (YAML's "\\ud83d\\ude00" for one emoji) made characters."""
    if not _SURROGATES.search(text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:  # a lone half: _surrogate says so
        return text


def _surrogate(text: str) -> str:
    """Why text with a lone surrogate (a "\\ud800" escape) cannot be used, or "" if it has none.

    Such a code point is half of a UTF-16 pair, not a character: no terminal, file or speaker
    can take it, and printing it would stop calmkit mid-session.
    """
    found = _SURROGATES.search(text)
    if found is None:
        return ""
    return (
        f"holds U+{ord(found.group()):04X}, half of a UTF-16 pair and no character (an escape "
        f"like \\ud800 in quotes); write the character itself"
    )


class _Unreadable:
    """A scalar PyYAML could not construct (already reported); fails every type check."""

    def __repr__(self) -> str:
        return "an unreadable value"


_PLAIN_KEY = re.compile(r"[\w-]+")


def _join(path: str, key: str) -> str:
    """``path.key``, with a key that is not a plain name quoted so the path stays one line."""
    shown = key if _PLAIN_KEY.fullmatch(key) else repr(key)
    return f"{path}.{shown}" if path else shown


def _describe(node: _Node) -> str:
    """A value as a problem message shows it: "text 'abc'", "a list", "true", "1e400"."""
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if node.raw is not None and len(node.raw) <= 40:
            return node.raw
        return _show_number(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, _Unreadable):
        return "an unreadable value"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, datetime.datetime):
        return "a date and time"
    if isinstance(value, datetime.date):
        return "a date"
    return f"a {type(value).__name__}"


def _show_number(value: float) -> str:
    """A number for a message; never fails, however big."""
    if isinstance(value, int):
        text = str(value) if abs(value) < 10**30 else "a huge number"
        return text
    return f"{value:g}"


# --- layering -------------------------------------------------------------------------------

#: Sections where ``section: false`` (or true) is short for ``section: {enabled: false}``.
_SHORTHAND = frozenset({"sound", "vibration", "journal", "reach_out"})


def _merge(base: _Node, over: _Node) -> _Node:
    """``over`` laid on ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base.value, dict) and isinstance(over.value, dict):
        merged = dict(base.value)
        for key, value in over.value.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return _Node(merged, over.file, over.line, over.layer)
    return over


def _layer(defaults: _Node, user: _Node | None, problems: list[Problem] | None = None) -> _Node:
    """The person's file over the defaults: sections merge, programs replace by name.

    A section of the person's that cannot be a section at all (``programs: 5``) is one problem
    on their line, and the packaged section stays, so nothing else is blamed on the defaults.
    """
    if user is None:
        return defaults
    merged = dict(defaults.value)
    for key, node in user.value.items():
        base = merged.get(key)
        if base is None:
            merged[key] = node
            continue
        if isinstance(base.value, dict):
            if node.value is None:  # "light:" with everything under it commented out
                continue
            if key in _SHORTHAND and isinstance(node.value, bool):
                node = _Node({"enabled": node}, node.file, node.line, node.layer)
            if not isinstance(node.value, dict):
                if problems is not None and not isinstance(node.value, _Unreadable):
                    what = "a mapping of programs" if key == "programs" else "a mapping"
                    problems.append(
                        Problem(
                            node.file,
                            max(1, node.line),
                            key,
                            f"expected {what}, got {_describe(node)}",
                        )
                    )
                continue
            if key == "programs":
                programs = dict(base.value)
                programs.update(node.value)
                merged[key] = _Node(programs, node.file, node.line, node.layer)
                continue
            merged[key] = _merge(base, node)
        else:
            merged[key] = node
    return _Node(merged, user.file, 1, user.layer)


@functools.lru_cache(maxsize=4)
def _defaults_tree(path: Path) -> _Tree:
    """The packaged defaults, read once per process (nodes are never changed after reading)."""
    try:
        data = _read_bytes(path)
    except ConfigError as exc:
        reason = exc.problems[0].message.removeprefix("cannot read: ")
        problem = Problem(str(path), 1, FILE_KEY, f"cannot read the packaged defaults: {reason}")
        return _Tree(str(path), None, [problem], fatal=True)
    return _parse_tree(data, str(path), layer=0)


def _build(user: _Tree | None, home: Path | None) -> Config:
    """Layer, check and build; raise ConfigError with every problem, sorted by file and line."""
    defaults_path = default_config_path()
    defaults = _defaults_tree(defaults_path)
    problems = list(defaults.problems)
    if user is not None:
        problems.extend(user.problems)
    if defaults.fatal or defaults.root is None or (user is not None and user.fatal):
        raise ConfigError(_sorted(problems, defaults.file))
    root = _layer(defaults.root, None if user is None else user.root, problems)
    checker = _Checker(home)
    config_values = checker.config(root)
    problems.extend(checker.problems)
    if problems or config_values is None:
        raise ConfigError(_sorted(problems, defaults.file))
    sources = [defaults_path]
    if user is not None:
        sources.append(Path(user.file))
    return Config(**config_values, sources=tuple(sources))


def _sorted(problems: list[Problem], defaults_file: str) -> list[Problem]:
    """Defaults first (they are bugs), then by line; the order found breaks ties."""
    return sorted(problems, key=lambda p: (p.file != defaults_file, p.file, p.line))


# --- checking -------------------------------------------------------------------------------

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


@dataclass
class _ProgramInfo:
    """What the cross-program checks need: where the program is and whom it names."""

    node: _Node
    path: str
    own_s: float | None  # None: the program's own blocks have problems
    then: list[tuple[str, _Node, str]]
    fallback: list[tuple[str, _Node, str]]
    then_node: _Node | None


class _Checker:
    """One pass over the layered tree that records every problem and builds the values."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self.problems: list[Problem] = []
        #: Programs whose whole chain was read and is within the limits (set by cross_check).
        self.chains_ok: set[str] = set()
        self.infos: dict[str, _ProgramInfo] = {}

    # --- reporting and plumbing ---

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

    # --- scalars ---

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

    # --- sections ---

    def section(
        self,
        root: _Node,
        name: str,
        fields: dict[str, Callable[[_Node, str], Any]],
    ) -> dict[str, Any] | None:
        """A settings section: each field checked by its function, unknown keys reported."""
        node = self.need(root.value, name, root, name)
        if node is None:
            return None
        entries = self.mapping(node, name, tuple(fields))
        if entries is None:
            return None
        values: dict[str, Any] = {}
        for key, check in fields.items():
            child = self.need(entries, key, node, name)
            values[key] = _BAD if child is None else check(child, f"{name}.{key}")
        return None if any(value is _BAD for value in values.values()) else values

    def config(self, root: _Node) -> dict[str, Any] | None:
        """The Config's fields (all but sources), or None when anything was reported."""
        top = self.mapping(root, "", _TOP_KEYS)
        if top is None:
            return None

        def ranged(low: float, high: float, *, whole: bool = False, above: bool = False) -> Any:
            return lambda node, path: self.number(node, path, low, high, whole=whole, above=above)

        level = ranged(0, 1)
        optional_pin = functools.partial(self.pin, optional=True)
        specs: dict[str, tuple[type, dict[str, Callable[[_Node, str], Any]]]] = {
            "hardware": (
                HardwareConfig,
                {
                    "pins": functools.partial(self.choice, options=("auto", "mock")),
                    "light": self.light_pins,
                    "button": self.pin,
                    "second_button": optional_pin,
                    "vibration": optional_pin,
                },
            ),
            "light": (
                LightConfig,
                {
                    "brightness": level,
                    "floor": level,
                    "gamma": ranged(1, 3),
                    "fps": ranged(1, 120, whole=True),
                },
            ),
            "sound": (
                SoundConfig,
                {
                    "enabled": self.boolean,
                    "volume": level,
                    "fade_in_ms": ranged(0, 10_000, whole=True),
                    "voice": self.boolean,
                    "dir": self.path,
                },
            ),
            "vibration": (VibrationConfig, {"enabled": self.boolean, "strength": level}),
            "night": (
                NightConfig,
                {
                    "start": self.time,
                    "end": self.time,
                    "brightness": level,
                    "volume": level,
                    "vibration": level,
                },
            ),
            "gestures": (
                GestureConfig,
                {
                    "hold_s": ranged(0.3, 10),
                    "double_s": ranged(0.1, 1.5),
                    "debounce_s": ranged(0, 0.2),
                },
            ),
            "flow": (
                FlowConfig,
                {
                    "quiet_offer_s": ranged(0, 600),
                    "helped_s": ranged(0, 600),
                    "pause_limit_s": ranged(10, 3600),
                },
            ),
            "journal": (JournalConfig, {"enabled": self.boolean, "path": self.path}),
            "reach_out": (
                ReachOutConfig,
                {
                    "enabled": self.boolean,
                    "sessions": ranged(1, 100, whole=True),
                    "within_hours": ranged(0, 168, above=True),
                    "message": self.text,
                    "sound": self.path,
                },
            ),
        }
        values: dict[str, Any] = {}
        for name, (cls, fields) in specs.items():
            checked = self.section(root, name, fields)
            values[name] = None if checked is None else cls(**checked)
        if values["hardware"] is not None:
            self.pin_clashes(top["hardware"])
        light = values["light"]
        if light is not None and light.floor > light.brightness:
            # on the one the person wrote: lowering the brightness is no mistake in the defaults
            entries = top["light"].value
            key = "brightness" if entries["brightness"].layer > entries["floor"].layer else "floor"
            self.problem(
                entries[key],
                f"light.{key}",
                f"the floor ({light.floor:g}) is above the brightness ({light.brightness:g})",
            )
        programs = self.programs(top, root)
        if programs is not None:
            self.safety(programs, light, top.get("light"))
        values["programs"] = None if programs is None else types.MappingProxyType(programs)
        values["default_program"] = self.program_ref(top, root)
        menu = self.menu(top, root)
        values["menu"] = None if menu is None else tuple(menu)
        if any(value is None or value is _BAD for value in values.values()):
            return None
        return values

    def light_pins(self, node: _Node, path: str) -> Any:
        """One LED's pin, or {red, green, blue} for an RGB LED."""
        if isinstance(node.value, dict):
            entries = self.mapping(node, path, ("red", "green", "blue"))
            assert entries is not None
            pins = {}
            for colour in ("red", "green", "blue"):
                child = self.need(entries, colour, node, path)
                pins[colour] = _BAD if child is None else self.pin(child, f"{path}.{colour}")
            if any(value is _BAD for value in pins.values()):
                return _BAD
            return RGBPins(**pins)
        if _is_number(node.value):
            return self.pin(node, path)
        self.problem(
            node,
            path,
            f"expected a GPIO pin number (0 to 27) or {{red, green, blue}}, got {_describe(node)}",
        )
        return _BAD

    def pin_clashes(self, hardware: _Node) -> None:
        """Two devices on one pin: reported once, where the person most likely wrote it."""
        entries = hardware.value
        used: list[tuple[int, str, _Node]] = []
        for key in ("light", "button", "second_button", "vibration"):
            node = entries.get(key)
            if node is None:
                continue
            if key == "light" and isinstance(node.value, dict):
                for colour in ("red", "green", "blue"):
                    child = node.value.get(colour)
                    if child is not None:
                        used.append((child.value, f"hardware.light.{colour}", child))
            else:
                used.append((node.value, f"hardware.{key}", node))
        seen: dict[int, tuple[str, _Node]] = {}
        for pin, path, node in used:
            if not _is_number(pin) or not float(pin).is_integer():
                continue
            pin = int(pin)
            if pin in seen:
                other_path, other = seen[pin]
                if other.layer > node.layer:
                    self.problem(other, other_path, f"pin {pin} is also used by {path}")
                else:
                    self.problem(node, path, f"pin {pin} is also used by {other_path}")
            else:
                seen[pin] = (path, node)

    # --- programs ---

    def programs(self, top: dict[str, _Node], root: _Node) -> dict[str, Program] | None:
        node = top.get("programs")
        if node is None:
            self.problem(root, "programs", "missing key 'programs'")
            return None
        if not isinstance(node.value, dict):
            self.problem(node, "programs", f"expected a mapping of programs, got {_describe(node)}")
            return None
        programs: dict[str, Program] = {}
        infos: dict[str, _ProgramInfo] = {}
        ok = True
        for name, entry in node.value.items():
            path = _join("programs", name)
            if len(name) > MAX_NAME:
                self.problem(
                    entry,
                    _join("programs", name[:20] + "..."),
                    f"a program name of {len(name)} characters is too long; a program name is "
                    f"at most {MAX_NAME} characters (it is typed on the command line)",
                )
                ok = False
                continue
            if not _PROGRAM_NAME.fullmatch(name):
                self.problem(
                    entry,
                    path,
                    "a program name is letters, digits, - and _ (it is typed on the command line)",
                )
                ok = False
                continue
            program, info = self.program(name, entry, path)
            if info is not None:
                infos[name] = info
            if program is None:
                ok = False
            else:
                programs[name] = program
        self.cross_check(node.value, infos)
        return programs if ok else None

    def program(
        self, name: str, node: _Node, path: str
    ) -> tuple[Program | None, _ProgramInfo | None]:
        """The program, if sound, and what cross-checks need (its names), if they could be read."""
        entries = self.mapping(node, path, _PROGRAM_KEYS)
        if entries is None:
            return None, None
        bad = any(key not in _PROGRAM_KEYS for key in entries)  # reported; say no more of it
        description = ""
        if "description" in entries:
            description = self.text(entries["description"], f"{path}.description")
            bad |= description is _BAD
        rounds = 1
        if "rounds" in entries:
            rounds = self.number(entries["rounds"], f"{path}.rounds", 1, MAX_COUNT, whole=True)
            bad |= rounds is _BAD
        then: list[tuple[str, _Node, str]] = []
        fallback: list[tuple[str, _Node, str]] = []
        names_ok = True
        for key, target in (("then", then), ("fallback", fallback)):
            if key in entries:
                found, found_ok = self.names(entries[key], f"{path}.{key}")
                target.extend(found)
                names_ok &= found_ok
        info = _ProgramInfo(node, path, None, then, fallback, entries.get("then"))
        blocks: list[Block] = []
        if "blocks" in entries:
            for key in _BLOCK_KEYS:
                if key in entries:
                    self.problem(
                        entries[key],
                        f"{path}.{key}",
                        f"give either blocks or {key} beside them, not both",
                    )
                    bad = True
            listed = entries["blocks"]
            if not isinstance(listed.value, list):
                self.problem(listed, f"{path}.blocks", f"expected a list, got {_describe(listed)}")
                bad = True
            else:
                for index, item in enumerate(listed.value):
                    item_path = f"{path}.blocks[{index}]"
                    item_entries = self.mapping(item, item_path, _BLOCK_KEYS)
                    block = None
                    if item_entries is not None and (
                        set(item_entries) <= set(_BLOCK_KEYS)
                        or any(key in item_entries for key in _KINDS)
                    ):
                        block = self.block(item_entries, item, item_path)
                    if block is None:
                        bad = True
                    else:
                        blocks.append(block)
        elif any(key in entries for key in _BLOCK_KEYS):
            block = self.block({k: v for k, v in entries.items() if k in _BLOCK_KEYS}, node, path)
            if block is None:
                bad = True
            else:
                blocks.append(block)
        if bad or not names_ok:
            return None, info
        own_s = rounds * sum(_block_seconds(block) for block in blocks)
        if own_s > MAX_PROGRAM_S:
            self.problem(
                node,
                path,
                f"this program lasts {_minutes(own_s)}; a program lasts at most "
                f"{_minutes(MAX_PROGRAM_S)}",
            )
            return None, info
        if own_s <= 0 and not then:
            self.problem(
                node, path, "this program lasts 0 s; give it steps, breathe, quiet, blocks or then"
            )
            return None, info
        info.own_s = own_s
        program = Program(
            name=name,
            description=description,
            blocks=tuple(blocks),
            rounds=rounds,
            then=tuple(target for target, _, _ in then),
            fallback=tuple(target for target, _, _ in fallback),
        )
        return program, info

    def block(self, entries: dict[str, _Node], node: _Node, path: str) -> Block | None:
        """One block: steps, breathe or quiet, with cycles, minutes or seconds beside it."""
        kinds = [key for key in _KINDS if key in entries]
        timings = [key for key in _TIMINGS if key in entries]
        if not kinds:
            self.problem(node, path, "a block needs steps, breathe or quiet")
            return None
        bad = False
        for extra in kinds[1:]:
            self.problem(
                entries[extra],
                f"{path}.{extra}",
                f"a block has one of steps, breathe or quiet; this one already has {kinds[0]}",
            )
            bad = True
        for extra in timings[1:]:
            self.problem(
                entries[extra],
                f"{path}.{extra}",
                f"give one of cycles, minutes or seconds; this block already has {timings[0]}",
            )
            bad = True
        kind = kinds[0]
        cycles: Any = None
        total_s: Any = None
        if timings:
            timing = timings[0]
            timing_node = entries[timing]
            timing_path = f"{path}.{timing}"
            if kind == "quiet":
                self.problem(
                    timing_node, timing_path, "quiet time takes its length from quiet.minutes"
                )
                bad = True
            elif timing == "cycles":
                cycles = self.number(timing_node, timing_path, 1, MAX_COUNT, whole=True)
            elif timing == "minutes":
                minutes = self.number(timing_node, timing_path, 0, MAX_PROGRAM_S / 60, above=True)
                total_s = _BAD if minutes is _BAD else minutes * 60.0
            else:
                total_s = self.number(timing_node, timing_path, 0, MAX_PROGRAM_S, above=True)
            bad |= cycles is _BAD or total_s is _BAD
        elif kind == "breathe":
            self.problem(
                entries[kind],
                f"{path}.breathe",
                "say how long: cycles, minutes or seconds beside it",
            )
            bad = True
        kind_path = f"{path}.{kind}"
        if kind == "steps":
            steps = self.steps(entries[kind], kind_path)
            if steps is None or bad:
                return None
            return Steps(steps=steps, cycles=cycles, total_s=total_s)
        if kind == "breathe":
            breathe = self.breathe(entries[kind], kind_path, cycles, total_s)
            return None if bad else breathe
        quiet = self.quiet(entries[kind], kind_path)
        return None if bad else quiet

    def steps(self, node: _Node, path: str) -> tuple[Step, ...] | None:
        if not isinstance(node.value, list):
            self.problem(node, path, f"expected a list of steps, got {_describe(node)}")
            return None
        if not node.value:
            self.problem(node, path, "give at least one step, like {inhale: 4}")
            return None
        steps: list[tuple[Step, int]] = []
        ok = True
        for index, item in enumerate(node.value):
            step = self.step(item, f"{path}[{index}]")
            if step is None:
                ok = False
            else:
                steps.append(step)
        if not ok:
            return None
        cycle_s = sum(step.seconds * repeat for step, repeat in steps)
        if cycle_s > MAX_PROGRAM_S:  # checked before the repeats are unrolled into a tuple
            self.problem(
                node,
                path,
                f"these steps last {_minutes(cycle_s)}; a program lasts at most "
                f"{_minutes(MAX_PROGRAM_S)}",
            )
            return None
        return tuple(step for step, repeat in steps for _ in range(repeat))

    def step(self, node: _Node, path: str) -> tuple[Step, int] | None:
        """A one-phase mapping like {inhale: 4, label: top-up}; returns it with its repeat."""
        if not isinstance(node.value, dict):
            self.problem(
                node, path, f"a step is a mapping like {{inhale: 4}}, got {_describe(node)}"
            )
            return None
        entries: dict[str, _Node] = node.value
        phases = [key for key in entries if key in PHASES]
        ok = True
        for key, child in entries.items():
            if key in PHASES or key in _STEP_KEYS:
                continue
            ok = False
            close = difflib.get_close_matches(key, PHASES + _STEP_KEYS, n=1)
            if close and close[0] in _STEP_KEYS:
                self.unknown_key(child, _join(path, key), key, _STEP_KEYS)
            elif close:
                self.problem(
                    child, _join(path, key), f"unknown phase {key!r}; did you mean {close[0]!r}?"
                )
            else:
                self.problem(
                    child,
                    _join(path, key),
                    f"unknown phase {key!r}; phases are {', '.join(PHASES)}",
                )
        if not phases:
            if ok:
                self.problem(node, path, "a step needs a phase and its seconds, like {inhale: 4}")
            return None
        for extra in phases[1:]:
            self.problem(
                entries[extra],
                f"{path}.{extra}",
                f"a step has one phase; this one already has {phases[0]}",
            )
            ok = False
        phase = phases[0]
        phase_path = f"{path}.{phase}"
        seconds = self.seconds(entries[phase], phase_path)
        label: Any = ""
        if "label" in entries:
            label = self.text(entries["label"], f"{path}.label")
        items: Any = 0
        if "items" in entries:
            items = self.number(entries["items"], f"{path}.items", 0, MAX_ITEMS, whole=True)
        sound: Any = None
        if "sound" in entries:
            sound = self.sound_name(entries["sound"], f"{path}.sound")
        repeat: Any = 1
        if "repeat" in entries:
            repeat = self.number(entries["repeat"], f"{path}.repeat", 1, MAX_COUNT, whole=True)
        if not ok or _BAD in (seconds, label, items, sound, repeat):
            return None
        step = Step(phase=phase, seconds=seconds, label=label, items=items, sound=sound)
        problems = step_problems(step)
        for key, message in problems:
            where = {"seconds": phase, "phase": phase}.get(key, key)
            self.problem(entries.get(where, node), f"{path}.{where}", message)
        return None if problems else (step, repeat)

    def sound_name(self, node: _Node, path: str) -> Any:
        """A packaged or own sound by name (its WAV file without .wav); "" is silence."""
        value = node.value
        if value is None:
            return None
        if isinstance(value, str) and _SOUND_NAME.fullmatch(value):
            return value
        self.problem(
            node,
            path,
            f'expected a sound name like bell_start (a WAV file without .wav), or "" for '
            f"silence, got {_describe(node)}",
        )
        return _BAD

    def breathe(self, node: _Node, path: str, cycles: Any, total_s: Any) -> Breathe | None:
        entries = self.mapping(node, path, _BREATHE_KEYS)
        if entries is None:
            return None

        def rate(key: str) -> Any:
            return self.number(entries[key], f"{path}.{key}", MIN_RATE, MAX_RATE)

        rate_node = self.need(entries, "rate", node, path)
        start = _BAD if rate_node is None else rate("rate")
        to_rate = None
        if "to_rate" in entries and entries["to_rate"].value is not None:
            to_rate = rate("to_rate")
        ramp: Any = 1.0 if to_rate is not None else 0.0
        if "ramp" in entries:
            if to_rate is None:
                self.problem(
                    entries["ramp"], f"{path}.ramp", "a ramp needs to_rate, the rate to end at"
                )
                ramp = _BAD
            else:
                ramp = self.number(entries["ramp"], f"{path}.ramp", 0.0, 1.0)
        ratio: Any = (1.0, 1.0)
        if "ratio" in entries:
            ratio = self.ratio(entries["ratio"], f"{path}.ratio")
        holds = {}
        for key in ("hold_in", "hold_out"):
            holds[key] = 0.0
            if key in entries:
                holds[key] = self.seconds(entries[key], f"{path}.{key}", zero=True)
        values = {"rate": start, "to_rate": to_rate, "ratio": ratio, **holds}
        unread = {key for key, value in values.items() if value is _BAD}

        def known(key: str, neutral: Any) -> Any:
            return neutral if key in unread else values[key]

        # block_problems sees neutral stand-ins for what was already reported, and only what
        # rests on readable values is kept: a hold's own length, or the rest once all is read.
        block = Breathe(
            rate=known("rate", MIN_RATE),
            to_rate=known("to_rate", None),
            ramp=0.0 if ramp is _BAD else ramp,
            ratio_in=known("ratio", (1.0, 1.0))[0],
            ratio_out=known("ratio", (1.0, 1.0))[1],
            hold_in_s=known("hold_in", 0.0),
            hold_out_s=known("hold_out", 0.0),
            cycles=None if cycles is _BAD else cycles,
            total_s=None if total_s is _BAD else total_s,
        )
        problems = [
            (key, message)
            for key, message in block_problems(block)
            if (key not in unread if key in holds else not unread)
        ]
        for key, message in problems:
            self.problem(entries.get(key, node), f"{path}.{key}", message)
        if unread or problems or _BAD in (ramp, cycles, total_s):
            return None
        return block

    def ratio(self, node: _Node, path: str) -> Any:
        """An in:out ratio: "1:1.5", or a number N meaning 1:N (unquoted 1:1.5 read as written)."""
        value = node.value
        parts: tuple[float, float] | None = None
        text = node.raw if node.raw is not None and ":" in node.raw else value
        if isinstance(text, str):
            match = _RATIO.fullmatch(text)
            if match:
                try:
                    parts = (float(match.group(1)), float(match.group(2)))
                except ValueError:
                    parts = None
        elif _is_number(value) and not (isinstance(value, float) and not math.isfinite(value)):
            parts = (1.0, float(value))
        if parts is None or not all(math.isfinite(part) and part > 0 for part in parts):
            self.problem(
                node,
                path,
                f'expected an in:out ratio like "1:1.5", or a number N for 1:N, got '
                f"{_describe(node)}",
            )
            return _BAD
        if not 1 / MAX_RATIO <= parts[1] / parts[0] <= MAX_RATIO:
            self.problem(node, path, f"an in:out ratio runs from 4:1 to 1:4, got {_describe(node)}")
            return _BAD
        return parts

    def quiet(self, node: _Node, path: str) -> Quiet | None:
        entries = self.mapping(node, path, _QUIET_KEYS)
        if entries is None:
            return None
        minutes_node = self.need(entries, "minutes", node, path)
        minutes = (
            _BAD
            if minutes_node is None
            else self.number(minutes_node, f"{path}.minutes", 1, MAX_PROGRAM_S / 60)
        )
        interval: Any = 0.0
        if "interval_bell_minutes" in entries:
            interval_node = entries["interval_bell_minutes"]
            interval_path = f"{path}.interval_bell_minutes"
            interval = self.number(interval_node, interval_path, 0, MAX_PROGRAM_S / 60)
            if interval is not _BAD and 0 < interval < 1:
                self.problem(
                    interval_node,
                    interval_path,
                    "interval bells ring at most once a minute; give 0 (none) or 1 or more",
                )
                interval = _BAD
        fade: Any = 30.0
        if "fade_out" in entries:
            fade = self.seconds(entries["fade_out"], f"{path}.fade_out", zero=True)
            if fade is not _BAD and minutes is not _BAD and fade > minutes * 30:
                self.problem(
                    entries["fade_out"],
                    f"{path}.fade_out",
                    f"a fade of {_fmt(fade)} s is longer than half the quiet time "
                    f"({_fmt(minutes * 30)} s)",
                )
                fade = _BAD
        if _BAD in (minutes, interval, fade):
            return None
        return Quiet(total_s=minutes * 60.0, interval_bell_s=interval * 60.0, fade_out_s=fade)

    # --- names across programs ---

    def unknown_program(self, node: _Node, path: str, name: str, known: Mapping[str, Any]) -> None:
        message = f"no program named {name!r}"
        close = difflib.get_close_matches(name, list(known), n=1)
        if close:
            message += f"; did you mean {close[0]!r}?"
        self.problem(node, path, message)

    def cross_check(self, declared: dict[str, _Node], infos: dict[str, _ProgramInfo]) -> None:
        """Names in then / fallback exist; chains do not loop; a chain stays within the limit."""
        for info in infos.values():
            for target, node, path in info.then + info.fallback:
                if target not in declared:
                    self.unknown_program(node, path, target, declared)
        walk = _ChainWalk(infos, self)
        totals = walk.run()
        self.infos = infos
        self.chains_ok = {
            name
            for name in infos
            if (totals.get(name) or math.inf) <= MAX_PROGRAM_S
            and (walk.runs.get(name) or math.inf) <= MAX_CHAIN
        }
        for name, info in infos.items():
            runs = walk.runs.get(name)
            if (
                runs is not None
                and runs > MAX_CHAIN
                and all((walk.runs.get(target) or 0) <= MAX_CHAIN for target, _, _ in info.then)
            ):
                self.problem(
                    info.then_node or info.node,
                    f"{info.path}.then",
                    f"this chain runs {runs} programs; a chain runs at most {MAX_CHAIN}",
                )
        for name, info in infos.items():
            total = totals.get(name)
            if total is None or total <= MAX_PROGRAM_S:
                continue
            children_ok = all(
                (totals.get(target) or 0.0) <= MAX_PROGRAM_S for target, _, _ in info.then
            )
            if children_ok:
                where = info.then_node or info.node
                self.problem(
                    where,
                    f"{info.path}.then" if info.then_node is not None else info.path,
                    f"with its chain this program lasts {_minutes(total)}; a program with its "
                    f"chain lasts at most {_minutes(MAX_PROGRAM_S)}",
                )

    def safety(
        self, programs: Mapping[str, Program], light: LightConfig | None, light_node: _Node | None
    ) -> None:
        """The output rules (safety.py) on every program as it plays, its chain included.

        A breach that starts in a chained program which breaks the same rule on its own is
        reported there only; one that a chain makes (a hold running into the next program's
        hold) is reported at the ``then`` that makes it. A packaged program is never blamed for
        what the person's file did to it: their program in its chain, or their light settings.
        """
        floor, gamma, fps = (
            (0.03, 2.2, 50) if light is None else (light.floor, light.gamma, light.fps)
        )
        packaged_light = (
            light_node is None
            or not isinstance(light_node.value, dict)
            or all(
                key not in light_node.value or light_node.value[key].layer == 0
                for key in ("floor", "gamma", "fps")
            )
        )
        plans = {}
        for name in programs:
            if name not in self.chains_ok:
                continue
            plan = expand(name, programs)
            # the packaged programs as packaged are checked by the tests (test_safety.py): at
            # start-up only what the person's file wrote or changed is checked again
            if packaged_light and all(
                self.infos[program].node.layer == 0 for program in chain_order(name, programs)
            ):
                continue
            plans[name] = plan
        found = {name: breaches(plan, floor, gamma, fps) for name, plan in plans.items()}
        for name, found_here in found.items():
            info = self.infos[name]
            for breach in found_here:
                steps = plans[name].steps
                owner = steps[breach.index].program
                if owner == name == steps[breach.end_index].program:
                    where, path = info.node, info.path
                elif owner != steps[breach.end_index].program or not any(
                    other.rule == breach.rule for other in found.get(owner, ())
                ):
                    where, path = info.then_node or info.node, f"{info.path}.then"
                else:
                    continue
                if where.layer == 0:
                    where, path = self.persons_part(steps, breach, light_node, where, path)
                self.problem(where, path, breach.message)
        self.switch_holds(programs)

    def switch_holds(self, programs: Mapping[str, Program]) -> None:
        """ "Not helping" switches to the next fallback at once, even in a breath hold: the
        program switched to must not open with a hold that makes it too long."""
        reported: set[int] = set()  # one problem a line: the person's ground, not each caller
        for name, info in self.infos.items():
            order = [name, *(target for target, _, _ in info.fallback)]
            for index, (target, node, path) in enumerate(info.fallback):
                current = order[index]
                if not {current, target} <= self.chains_ok:
                    continue
                involved = [self.infos[target], self.infos[current]]
                if node.layer == 0 and all(other.node.layer == 0 for other in involved):
                    continue  # packaged, and checked by the tests
                breach = switch_hold_breach(expand(current, programs), expand(target, programs))
                if breach is None:
                    continue
                where, where_path = node, path
                if node.layer == 0:  # the person's program in a packaged fallback list
                    persons = next(other for other in involved if other.node.layer > 0)
                    where, where_path = persons.node, persons.path
                if id(where) not in reported:
                    reported.add(id(where))
                    self.problem(where, where_path, breach.message)

    def persons_part(
        self,
        steps: tuple[Any, ...],
        breach: Any,
        light_node: _Node | None,
        where: _Node,
        path: str,
    ) -> tuple[_Node, str]:
        """What in the person's file made a packaged program break a rule (else: the defaults,
        where it is a bug of calmkit's own)."""
        for planned in steps[breach.index : breach.end_index + 1]:
            info = self.infos.get(planned.program)
            if info is not None and info.node.layer > 0:
                return info.node, info.path
        if light_node is not None and isinstance(light_node.value, dict):
            for key in ("gamma", "floor", "fps"):
                node = light_node.value.get(key)
                if node is not None and node.layer > 0:
                    return node, f"light.{key}"
        return where, path

    def program_ref(self, top: dict[str, _Node], root: _Node) -> Any:
        """default_program: the name of a program that exists."""
        key = "default_program"
        node = self.need(top, key, root, key)
        if node is None:
            return _BAD
        name = self.name(node, key)
        if name is _BAD:
            return _BAD
        declared = self.declared(top)
        if name not in declared:
            self.unknown_program(node, key, name, declared)
            return _BAD
        return name

    def menu(self, top: dict[str, _Node], root: _Node) -> list[str] | None:
        """The double-press menu: existing programs, each once."""
        node = self.need(top, "menu", root, "menu")
        if node is None:
            return None
        if not isinstance(node.value, list):
            self.problem(node, "menu", f"expected a list of program names, got {_describe(node)}")
            return None
        if not node.value:
            self.problem(node, "menu", "the menu needs at least one program")
            return None
        declared = self.declared(top)
        names: list[str] = []
        ok = True
        for index, item in enumerate(node.value):
            path = f"menu[{index}]"
            name = self.name(item, path)
            if name is _BAD:
                ok = False
            elif name not in declared:
                self.unknown_program(item, path, name, declared)
                ok = False
            elif name in names:
                self.problem(item, path, f"{name!r} is in the menu twice")
                ok = False
            else:
                names.append(name)
        return names if ok else None

    @staticmethod
    def declared(top: dict[str, _Node]) -> dict[str, _Node]:
        node = top.get("programs")
        return node.value if node is not None and isinstance(node.value, dict) else {}


class _ChainWalk:
    """Depth-first over ``then`` (no recursion: chains may be long): loops and chain lengths."""

    def __init__(self, infos: dict[str, _ProgramInfo], checker: _Checker) -> None:
        self.infos = infos
        self.checker = checker
        self.totals: dict[str, float | None] = {}
        #: How many programs each one's chain runs, itself included (None: unknown, a loop).
        self.runs: dict[str, int | None] = {}

    def run(self) -> dict[str, float | None]:
        for name in self.infos:
            if name not in self.totals:
                self.walk(name)
        return self.totals

    def walk(self, root: str) -> None:
        path: list[str] = [root]
        on_path: dict[str, int] = {root: 0}
        looped: set[str] = set()
        stack: list[Iterator[tuple[str, _Node, str]]] = [iter(self.infos[root].then)]
        while stack:
            current = path[-1]
            edge = next(stack[-1], None)
            if edge is None:
                stack.pop()
                path.pop()
                del on_path[current]
                self.totals[current] = None if current in looped else self.total(current)
                self.runs[current] = None if current in looped else self.count(current)
                continue
            target, node, where = edge
            if target in on_path:
                loop = [*path[on_path[target] :], target]
                self.checker.problem(node, where, f"the chain loops: {' -> '.join(loop)}")
                looped.update(loop)
                continue
            if target in self.totals or target not in self.infos:
                continue
            on_path[target] = len(path)
            path.append(target)
            stack.append(iter(self.infos[target].then))

    def total(self, name: str) -> float | None:
        total = self.infos[name].own_s
        if total is None:
            return None
        for target, _, _ in self.infos[name].then:
            if target not in self.infos:
                return None
            child = self.totals.get(target)
            if child is None:
                return None
            total += child
        return total

    def count(self, name: str) -> int | None:
        runs = 1
        for target, _, _ in self.infos[name].then:
            child = self.runs.get(target)
            if child is None:
                return None
            runs += child
        return runs


def _block_seconds(block: Block) -> float:
    """How long one pass through a block lasts, without unrolling a long cycle count."""
    if isinstance(block, Steps) and block.cycles is not None:
        return sum(step.seconds for step in block.steps) * block.cycles
    return sum(step.seconds for step in expand_block(block))


def _minutes(seconds: float) -> str:
    """A length for a message: "266.7 min", "240 min"."""
    minutes = seconds / 60.0
    if minutes >= 1e6:
        return f"{minutes:.3g} min"
    return f"{minutes:.1f}".removesuffix(".0") + " min"
