"""The limits every value is held to, and the settings that name files (sound, journal,
reach-out) with the Config that holds them all; the settings that are pure values are in
calmkit.core.settings, so the devices need no YAML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from calmkit.core.adaptive import OFF, AdaptiveConfig
from calmkit.core.programs import MAX_PROGRAM_S, Program
from calmkit.core.safety_plan import NO_PLAN, SafetyPlan
from calmkit.core.settings import (
    FlowConfig,
    GestureConfig,
    HardwareConfig,
    LightConfig,
    NightConfig,
    VibrationConfig,
)

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
#: The 7-bit addresses a chip on the I2C bus may have (below and above are reserved).
MIN_ADDRESS, MAX_ADDRESS = 0x08, 0x77
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
class SoundConfig:
    enabled: bool
    volume: float
    fade_in_ms: int
    voice: bool
    dir: Path | None
    language: str | None = None  # the voice's language; None: the top-level `language`, or en
    voice_pack: str | None = None  # a voice pack by name; None: the best one for the language


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
    adaptive: AdaptiveConfig = OFF
    safety_plan: SafetyPlan = NO_PLAN
    #: The language of the words on screen (faces/words.py); English where one has no words.
    language: str = "en"
