"""The settings calmkit reads, as frozen dataclasses, and the limits every value is held to."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from calmkit.core.programs import MAX_PROGRAM_S, Program

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
