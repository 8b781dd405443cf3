"""The settings table, as data (Mopidy style): each section's dataclass, and for each key the
check its value gets, with its limits. The defaults themselves are in config/calmkit.yaml, where
a person can read them; a key added here needs its line there too.

A check is called as ``check(checker, node, path)`` and returns the value, or _BAD once the
problem is recorded: most wrap one of the value functions in values.py, the hardware's wiring
is checked in wiring.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from calmkit.config import values as check
from calmkit.config import wiring
from calmkit.config.nodes import _Node
from calmkit.config.settings import JournalConfig, ReachOutConfig, SoundConfig
from calmkit.config.values import _BAD
from calmkit.core.adaptive import AdaptiveConfig
from calmkit.core.safety_plan import STEPS, SafetyPlan
from calmkit.core.settings import (
    FlowConfig,
    GestureConfig,
    HardwareConfig,
    LightConfig,
    NightConfig,
    VibrationConfig,
)

Check = Callable[[Any, _Node, str], Any]


@dataclass(frozen=True)
class Ranged:
    """A number from ``low`` to ``high`` (``above``: strictly above ``low``; ``whole``: an int)."""

    low: float
    high: float
    whole: bool = False
    above: bool = False

    def __call__(self, checker: Any, node: _Node, path: str) -> Any:
        return checker.take(
            check.number(node, path, self.low, self.high, whole=self.whole, above=self.above)
        )


@dataclass(frozen=True)
class Choice:
    """One of a few words."""

    options: tuple[str, ...]

    def __call__(self, checker: Any, node: _Node, path: str) -> Any:
        return checker.take(check.choice(node, path, self.options))


@dataclass(frozen=True)
class Value:
    """A value checked by one of the value functions (boolean, text, time, pin)."""

    function: Callable[[_Node, str], Any]

    def __call__(self, checker: Any, node: _Node, path: str) -> Any:
        return checker.take(self.function(node, path))


@dataclass(frozen=True)
class FilePath:
    """A file or folder, ``~`` expanded to the checker's home."""

    def __call__(self, checker: Any, node: _Node, path: str) -> Any:
        return checker.take(check.file_path(node, path, checker.home))


@dataclass(frozen=True)
class Texts:
    """Lines of the person's own text: a list, one text (a list of one), or null (none)."""

    def __call__(self, checker: Any, node: _Node, path: str) -> Any:
        if node.value is None:
            return ()
        if not isinstance(node.value, list):
            line = checker.take(check.text(node, path))
            return _BAD if line is _BAD else (line,)
        lines = [
            checker.take(check.text(item, f"{path}[{index}]"))
            for index, item in enumerate(node.value)
        ]
        return _BAD if _BAD in lines else tuple(lines)


LEVEL = Ranged(0, 1)
BOOLEAN = Value(check.boolean)
PATH = FilePath()
TIME = Value(check.time)
PIN = Value(check.pin)
OPTIONAL_PIN = Value(functools.partial(check.pin, optional=True))

#: The languages calmkit's words on screen come in (faces/locale has their catalogs).
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es")
#: Top-level keys that are single values, not sections: key -> check.
TOP: dict[str, Check] = {"language": Choice(LANGUAGES)}

#: section -> (its dataclass, key -> check), in the order they are checked.
SECTIONS: dict[str, tuple[type, dict[str, Check]]] = {
    "hardware": (
        HardwareConfig,
        {
            "pins": Choice(("auto", "mock")),
            "light": wiring.light_pins,
            "button": PIN,
            "second_button": OPTIONAL_PIN,
            "vibration": OPTIONAL_PIN,
            "outputs": wiring.outputs,
            "battery": wiring.battery,
        },
    ),
    "light": (
        LightConfig,
        {
            "brightness": LEVEL,
            "floor": LEVEL,
            "gamma": Ranged(1, 3),
            "fps": Ranged(1, 120, whole=True),
        },
    ),
    "sound": (
        SoundConfig,
        {
            "enabled": BOOLEAN,
            "volume": LEVEL,
            "fade_in_ms": Ranged(0, 10_000, whole=True),
            "voice": BOOLEAN,
            "dir": PATH,
            "language": Value(check.language),
            "voice_pack": Value(check.pack_name),
        },
    ),
    "vibration": (VibrationConfig, {"enabled": BOOLEAN, "strength": LEVEL}),
    "night": (
        NightConfig,
        {"start": TIME, "end": TIME, "brightness": LEVEL, "volume": LEVEL, "vibration": LEVEL},
    ),
    "gestures": (
        GestureConfig,
        {"hold_s": Ranged(0.3, 10), "double_s": Ranged(0.1, 1.5), "debounce_s": Ranged(0, 0.2)},
    ),
    "flow": (
        FlowConfig,
        {
            "quiet_offer_s": Ranged(0, 600),
            "helped_s": Ranged(0, 600),
            "pause_limit_s": Ranged(10, 3600),
            "quiet_time": BOOLEAN,
        },
    ),
    "journal": (JournalConfig, {"enabled": BOOLEAN, "path": PATH}),
    "reach_out": (
        ReachOutConfig,
        {
            "enabled": BOOLEAN,
            "sessions": Ranged(1, 100, whole=True),
            "within_hours": Ranged(0, 168, above=True),
            "message": Value(check.text),
            "sound": PATH,
        },
    ),
    "adaptive": (
        AdaptiveConfig,
        {
            "enabled": BOOLEAN,
            "first_episodes": Ranged(0, 1000, whole=True),
            "explore": Ranged(0, 1),
        },
    ),
    "safety_plan": (SafetyPlan, dict.fromkeys(STEPS, Texts())),
}
