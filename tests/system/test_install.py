"""systemd/install.sh and uninstall.sh: shellcheck-clean, and run against a scratch root.

Nothing here touches the machine: the scripts run with --root (files under tmp_path; apt, the
user, the venv and systemctl start are printed and skipped) or with --dry-run behind stand-in
commands that record any call that would have changed something.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "systemd" / "install.sh"
UNINSTALL = REPO / "systemd" / "uninstall.sh"
UNIT_REL = "etc/systemd/system/calmkit.service"
WANTS_REL = "etc/systemd/system/multi-user.target.wants/calmkit.service"
CONFIG_REL = "etc/calmkit/calmkit.yaml"
STATE_REL = "var/lib/calmkit"

BASH = shutil.which("bash")
SHELLCHECK = shutil.which("shellcheck")
SYSTEMCTL = shutil.which("systemctl")

pytestmark = pytest.mark.skipif(BASH is None, reason="no bash on this machine")


def sh(script: Path, *args: str, env: dict[str, str] | None = None, check: bool = True):
    assert BASH is not None
    result = subprocess.run(
        [BASH, str(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under root with its kind, mode and content (or link target)."""
    out: dict[str, tuple] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        st = path.lstat()
        if path.is_symlink():
            out[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            out[rel] = ("dir", oct(st.st_mode & 0o7777))
        else:
            out[rel] = ("file", oct(st.st_mode & 0o7777), path.read_bytes())
    return out


@pytest.mark.skipif(
    SHELLCHECK is None,
    reason="shellcheck is not installed (apt-get install shellcheck; .ci/run does it as root)",
)
@pytest.mark.parametrize("script", [INSTALL, UNINSTALL], ids=lambda p: p.name)
def test_shellcheck_clean(script):
    assert SHELLCHECK is not None
    result = subprocess.run(
        [SHELLCHECK, "--severity=style", "--shell=bash", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", [INSTALL, UNINSTALL], ids=lambda p: p.name)
def test_scripts_are_strict_executable_bash(script):
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert os.access(script, os.X_OK)
    sh(script, "--help")
    bad = sh(script, "--no-such-option", check=False)
    assert bad.returncode == 2
    assert "unknown option" in bad.stderr


def test_install_lays_out_the_unit_and_config(tmp_path):
    out = sh(INSTALL, "--root", str(tmp_path)).stdout
    assert (tmp_path / UNIT_REL).read_bytes() == (REPO / "systemd" / "calmkit.service").read_bytes()
    assert (tmp_path / CONFIG_REL).read_bytes() == (REPO / "config" / "calmkit.yaml").read_bytes()
    assert oct((tmp_path / UNIT_REL).stat().st_mode & 0o777) == "0o644"
    assert oct((tmp_path / CONFIG_REL).stat().st_mode & 0o777) == "0o644"
    # The machine itself is left alone: shown, not done.
    for step in ("apt-get install", "useradd --system", "-m venv --system-site-packages"):
        assert any(step in line and "skipped under --root" in line for line in out.splitlines())
    assert not (tmp_path / "opt").exists()
    assert not (tmp_path / "usr").exists()


@pytest.mark.skipif(SYSTEMCTL is None, reason="no systemctl here to enable the unit with --root")
def test_install_enables_the_unit_under_the_root(tmp_path):
    sh(INSTALL, "--root", str(tmp_path))
    link = tmp_path / WANTS_REL
    assert link.is_symlink()
    assert os.readlink(link) == "/" + UNIT_REL


def test_install_never_overwrites_an_existing_config(tmp_path):
    config = tmp_path / CONFIG_REL
    config.parent.mkdir(parents=True)
    config.write_text("light:\n  brightness: 0.2   # mine\n")
    config.chmod(0o640)
    out = sh(INSTALL, "--root", str(tmp_path)).stdout
    assert config.read_text() == "light:\n  brightness: 0.2   # mine\n"
    assert oct(config.stat().st_mode & 0o777) == "0o640"
    assert "kept the one already there" in out


def test_install_is_idempotent(tmp_path):
    sh(INSTALL, "--root", str(tmp_path))
    first = snapshot(tmp_path)
    sh(INSTALL, "--root", str(tmp_path))
    assert snapshot(tmp_path) == first
    assert UNIT_REL in first
    assert CONFIG_REL in first


def test_install_refreshes_a_changed_unit(tmp_path):
    sh(INSTALL, "--root", str(tmp_path))
    (tmp_path / UNIT_REL).write_text("[Service]\nExecStart=/bin/false\n")
    sh(INSTALL, "--root", str(tmp_path))
    assert (tmp_path / UNIT_REL).read_bytes() == (REPO / "systemd" / "calmkit.service").read_bytes()


def test_destdir_works_like_root(tmp_path):
    sh(INSTALL, env={"DESTDIR": str(tmp_path)})
    assert (tmp_path / UNIT_REL).is_file()
    assert (tmp_path / CONFIG_REL).is_file()


def test_dry_run_under_a_root_creates_nothing(tmp_path):
    root = tmp_path / "root"
    out = sh(INSTALL, "--root", str(root), "--dry-run").stdout
    assert not root.exists()
    assert f"install -m 0644 {REPO}/systemd/calmkit.service {root}/{UNIT_REL}" in out


def test_uninstall_keeps_the_journal_and_config_unless_purge(tmp_path):
    sh(INSTALL, "--root", str(tmp_path))
    journal = tmp_path / STATE_REL / "journal.jsonl"
    journal.parent.mkdir(parents=True)
    journal.write_text('{"program": "calm", "status": "completed"}\n')
    (tmp_path / "opt/calmkit/venv/bin").mkdir(parents=True)  # as a real install leaves it

    out = sh(UNINSTALL, "--root", str(tmp_path)).stdout
    assert not (tmp_path / UNIT_REL).exists()
    assert not (tmp_path / WANTS_REL).is_symlink()
    assert not (tmp_path / "opt/calmkit").exists()
    assert journal.read_text() == '{"program": "calm", "status": "completed"}\n'
    assert (tmp_path / CONFIG_REL).is_file()
    assert "skipped under --root: userdel calmkit" in out
    assert "--purge" in out

    # Again: nothing left to do, and still fine.
    sh(UNINSTALL, "--root", str(tmp_path))
    assert journal.is_file()

    sh(UNINSTALL, "--root", str(tmp_path), "--purge")
    assert not (tmp_path / STATE_REL).exists()
    assert not (tmp_path / "etc/calmkit").exists()


def test_install_after_uninstall_keeps_the_old_config(tmp_path):
    sh(INSTALL, "--root", str(tmp_path))
    (tmp_path / CONFIG_REL).write_text("sound:\n  enabled: false\n")
    sh(UNINSTALL, "--root", str(tmp_path))
    sh(INSTALL, "--root", str(tmp_path))
    assert (tmp_path / CONFIG_REL).read_text() == "sound:\n  enabled: false\n"
    assert (tmp_path / UNIT_REL).is_file()


# Commands that change a machine. Under --dry-run none may run: stand-ins first on PATH record
# any call (and do nothing) so that a broken dry run cannot touch the machine running the tests.
GUARDED = [
    "apt-get",
    "groupadd",
    "useradd",
    "usermod",
    "userdel",
    "systemctl",
    "install",
    "mkdir",
    "rm",
    "tar",
]


@pytest.fixture
def guarded_path(tmp_path):
    bin_dir = tmp_path / "guard"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    for name in GUARDED:
        stub = bin_dir / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{calls}"\n')
        stub.chmod(0o755)
    # python3 -m venv is guarded too; python3 -c (the version check) runs for real.
    real_python = shutil.which("python3") or "/usr/bin/python3"
    py = bin_dir / "python3"
    py.write_text(
        f'#!/bin/sh\nif [ "$1" = "-c" ]; then exec "{real_python}" "$@"; fi\n'
        f'echo "python3 $*" >> "{calls}"\n'
    )
    py.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}, calls


def test_install_dry_run_on_the_machine_shows_every_step_and_does_nothing(guarded_path):
    env, calls = guarded_path
    out = sh(INSTALL, "--dry-run", env=env).stdout
    assert not calls.exists(), calls.read_text()
    for step in (
        "-m venv --system-site-packages /opt/calmkit/venv",
        "/opt/calmkit/venv/bin/python -m pip install",
        "/etc/systemd/system/calmkit.service",
        "systemctl enable calmkit.service",
    ):
        assert step in out, step
    # A new user is created, or an existing one already has its groups (on the machine running
    # the tests, either can be true).
    assert "useradd --system" in out or "calmkit' in groups" in out
    assert "Dry run: nothing was changed." in out


def test_uninstall_dry_run_on_the_machine_does_nothing(guarded_path):
    env, calls = guarded_path
    out = sh(UNINSTALL, "--dry-run", "--purge", env=env).stdout
    assert not calls.exists(), calls.read_text()
    assert "Dry run: nothing was changed." in out
