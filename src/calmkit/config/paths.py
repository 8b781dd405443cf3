"""Where the packaged files are: the default config and the sounds.

They live at the top of the repository (config/, sounds/) and ship inside the wheel as the
packages ``calmkit.defaults`` and ``calmkit.sounds``. An editable install does not map those two
folders, so the source tree is the fallback.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[3]


def _packaged(package: str, fallback: str) -> Path:
    # The two folders have no __init__.py (they are data, not code), so they import as namespace
    # packages: their folder is the first of the spec's search locations.
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return _SOURCE_ROOT / fallback


def default_config_path() -> Path:
    """The commented default config that every user file is layered on."""
    return _packaged("calmkit.defaults", "config") / "calmkit.yaml"


def profiles() -> list[str]:
    """The packaged profiles: the config files beside the defaults (``wearable``)."""
    folder = default_config_path().parent
    return sorted(p.stem for p in folder.glob("*.yaml") if p.name != "calmkit.yaml")


def profile_path(name: str) -> Path | None:
    """The packaged profile of that bare name (no folder, no suffix), or None."""
    if not name or "/" in name or "\\" in name or "." in name or name == "calmkit":
        return None
    path = default_config_path().parent / f"{name}.yaml"
    return path if path.is_file() else None


def sounds_dir() -> Path:
    """The folder of the project's own generated WAV files."""
    return _packaged("calmkit.sounds", "sounds")
