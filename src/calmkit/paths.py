"""Where the packaged files are: the default config and the sounds.

They live at the top of the repository (config/, sounds/) and ship inside the wheel as the
packages ``calmkit.defaults`` and ``calmkit.sounds``. An editable install does not map those two
folders, so the source tree is the fallback.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def _packaged(package: str, fallback: str) -> Path:
    try:
        return Path(str(importlib.resources.files(package)))
    except ModuleNotFoundError:
        return _SOURCE_ROOT / fallback


def default_config_path() -> Path:
    """The commented default config that every user file is layered on."""
    return _packaged("calmkit.defaults", "config") / "calmkit.yaml"


def sounds_dir() -> Path:
    """The folder of the project's own generated WAV files."""
    return _packaged("calmkit.sounds", "sounds")
