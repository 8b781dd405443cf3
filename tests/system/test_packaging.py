"""An installed (not editable) calmkit finds its packaged config and sounds.

pyproject.toml ships config/ as ``calmkit.defaults`` and sounds/ as ``calmkit.sounds``; an
installed wheel lays them out inside the package. Both halves are checked here without running
pip (slow, and it would need the network): the mapping in pyproject.toml, and paths.py finding
the files in that layout.
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_ships_config_and_sounds_inside_the_package():
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setup["package-dir"]["calmkit.defaults"] == "config"
    assert setup["package-dir"]["calmkit.sounds"] == "sounds"
    assert {"calmkit.defaults", "calmkit.sounds"} <= set(setup["packages"])
    data = setup["package-data"]
    assert data["calmkit.defaults"] == ["*.yaml"] and data["calmkit.sounds"] == ["*.wav"]


def test_an_installed_layout_finds_its_defaults_and_sounds(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(ROOT / "src" / "calmkit", site / "calmkit")
    shutil.copytree(ROOT / "config", site / "calmkit" / "defaults")
    shutil.copytree(ROOT / "sounds", site / "calmkit" / "sounds")
    code = (
        "from calmkit.config.paths import default_config_path, sounds_dir\n"
        "print(default_config_path())\n"
        "print(len(list(sounds_dir().glob('*.wav'))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n" + code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    config_path, sounds = proc.stdout.split()
    assert Path(config_path) == site / "calmkit" / "defaults" / "calmkit.yaml"
    assert int(sounds) == len(list((ROOT / "sounds").glob("*.wav"))) > 20
