"""Config: YAML files -> frozen dataclasses, every problem located as ``FILE:LINE: key: message``.

The packaged defaults (config/calmkit.yaml) are read first and the person's file is laid over
them: settings sections merge key by key, a program of the same name is replaced whole. The file
is composed with PyYAML's SafeLoader into nodes, so every value keeps its file and line, and then
checked in one pass that collects every problem before raising one ConfigError. Nothing a file
holds (binary, huge numbers, alias bombs, loops) may raise anything else: a bedside device must
never show a traceback at 3 a.m.

Pure core: no gpiozero, no pygame, no threads, no sleeping. The only I/O is reading the files.

The package, in the order a file goes through it: ``files`` (find and read a file), ``nodes``
(YAML to located nodes, and the layering), ``settings`` (the limits, and the dataclasses that
name files; the pure ones are calmkit.core.settings), then the checks, each building on the
last: ``values`` (single values, as functions, and the recorder of problems), ``wiring`` (the
hardware's pins and its outputs named by kind), ``blocks`` (a program's blocks), ``library``
(programs, chains, menu), ``rules`` (the safety rules) and ``checker`` (the sections, as
``table`` lists them as data, and the one pass over the tree).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from calmkit.config.checker import _Checker
from calmkit.config.files import _defaults_tree, _read_bytes, find_config_file
from calmkit.config.nodes import _layer, _parse_tree, _Tree
from calmkit.config.paths import default_config_path
from calmkit.config.settings import (
    ENV_VAR,
    MAX_FILE_BYTES,
    MAX_NODES,
    SYSTEM_CONFIG,
    Config,
    JournalConfig,
    ReachOutConfig,
    SoundConfig,
)
from calmkit.core.errors import ConfigError, Problem
from calmkit.core.settings import (
    FlowConfig,
    GestureConfig,
    HardwareConfig,
    LightConfig,
    NightConfig,
    OutputConfig,
    RGBPins,
    VibrationConfig,
)

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
    "OutputConfig",
    "RGBPins",
    "ReachOutConfig",
    "SoundConfig",
    "VibrationConfig",
    "find_config_file",
    "load_config",
    "parse_config",
]


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
