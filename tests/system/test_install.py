"""systemd/install.sh and uninstall.sh: shellcheck-clean, and run against a scratch root.

Nothing here touches the machine: the scripts run with --root (files under tmp_path; apt, the
user, the venv and systemctl start are printed and skipped) or with --dry-run behind stand-in
commands that record any call that would have changed something.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "systemd" / "install.sh"
UNINSTALL = REPO / "systemd" / "uninstall.sh"
CONSTRAINTS = REPO / "systemd" / "constraints.txt"
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


# Every shell script the install and the system test run.
SCRIPTS = [
    INSTALL,
    UNINSTALL,
    REPO / "systemd" / "wheelhouse.sh",
    REPO / "tests" / "system" / "boot" / "tree.sh",
    REPO / "tests" / "system" / "boot" / "arm64.sh",
    REPO / ".ci" / "run",
]


@pytest.mark.skipif(
    SHELLCHECK is None,
    reason="shellcheck is not installed (apt-get install shellcheck; .ci/run does it as root)",
)
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
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
    # It can hold a personal reach-out message: not for every user to read.
    assert oct((tmp_path / CONFIG_REL).stat().st_mode & 0o777) == "0o640"
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
    # Asking systemctl its version changes nothing (install.sh picks the back-off drop-in by it).
    (bin_dir / "systemctl").write_text(
        f'#!/bin/sh\n[ "$1" = "--version" ] && echo "systemd 252" && exit 0\n'
        f'echo "systemctl $*" >> "{calls}"\n'
    )
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
        "ln -s /opt/calmkit/venv/bin/calmkit /usr/local/bin/calmkit",
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


# ---- what booting it for real found (issue 13) -----------------------------------------------


def test_python_version_agrees_with_pyproject():
    import re
    import tomllib

    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=" + re.search(r"readonly PYTHON_MIN=(\S+)", INSTALL.read_text())[1]


def test_install_refuses_an_old_python(guarded_path, tmp_path):
    env, _calls = guarded_path
    old = tmp_path / "guard" / "python3"
    old.write_text('#!/bin/sh\nif [ "$1" = "-c" ]; then exit 1; fi\necho "Python 3.10.12"\n')
    result = sh(INSTALL, "--dry-run", "--no-apt", env=env, check=False)
    assert result.returncode == 1
    assert "calmkit needs Python 3.11 or newer; python3 here is Python 3.10.12" in result.stderr


@pytest.mark.parametrize("script", [INSTALL, UNINSTALL], ids=lambda p: p.name)
@pytest.mark.parametrize("root", ["", "/", "//", "/.", "/tmp/.."])
def test_a_root_that_is_the_machine_is_refused(script, root, guarded_path):
    env, calls = guarded_path
    result = sh(script, "--root", root, env=env, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "leave" in result.stderr and "--root" in result.stderr
    assert result.stdout == ""
    assert not calls.exists()
    result = sh(script, f"--root={root}", env=env, check=False)
    assert result.returncode == 2


@pytest.mark.parametrize("script", [INSTALL, UNINSTALL], ids=lambda p: p.name)
def test_destdir_slash_is_refused(script, guarded_path):
    env, calls = guarded_path
    result = sh(script, env={**env, "DESTDIR": "/"}, check=False)
    assert result.returncode == 2
    assert not calls.exists()


def test_root_does_not_claim_a_bootable_tree():
    text = INSTALL.read_text()
    assert "image builds)" not in text
    assert "does NOT make a bootable tree" in text


def test_constraints_pin_every_dependency_exactly():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    wanted = {re.split(r"[<>=!~ ]", d)[0].lower() for d in project["project"]["dependencies"]}
    wanted |= {re.split(r"[<>=!~ ]", d)[0].lower() for d in project["build-system"]["requires"]}
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version, f"not an exact pin: {line!r}"
            pins[name.lower()] = version
    assert wanted <= set(pins), wanted - set(pins)


def test_pip_installs_with_the_constraints_and_the_wheelhouse(guarded_path, tmp_path):
    env, calls = guarded_path
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    out = sh(INSTALL, "--dry-run", "--no-apt", "--wheelhouse", str(wheels), env=env).stdout
    pip = next(line for line in out.splitlines() if "-m pip install" in line)
    assert f"PIP_CONSTRAINT={CONSTRAINTS}" in pip
    assert f"--constraint {CONSTRAINTS}" in pip
    assert f"--no-index --find-links {wheels}" in pip
    assert not calls.exists()
    plain = sh(INSTALL, "--dry-run", "--no-apt", env=env).stdout
    pip = next(line for line in plain.splitlines() if "-m pip install" in line)
    assert "--no-index" not in pip and f"--constraint {CONSTRAINTS}" in pip


def test_a_missing_wheelhouse_is_a_usage_error(tmp_path):
    result = sh(INSTALL, "--dry-run", "--wheelhouse", str(tmp_path / "none"), check=False)
    assert result.returncode == 2
    assert "no such directory" in result.stderr


def fake_apt(tmp_path: Path, installed: set[str], known: set[str], fail_first: bool = False):
    """Stand-ins for dpkg-query, apt-cache and apt-get: which packages are there and known."""
    bin_dir = tmp_path / "apt"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    inst = " ".join(sorted(installed))
    knows = " ".join(sorted(known))
    (bin_dir / "dpkg-query").write_text(
        f'#!/bin/sh\nfor p in {inst}; do [ "$p" = "$3" ] && printf "install ok installed" '
        "&& exit 0; done\nexit 1\n"
    )
    (bin_dir / "apt-cache").write_text(
        f'#!/bin/sh\nfor p in {knows}; do [ "$p" = "$2" ] && printf "$p:\\n  Installed: '
        '(none)\\n  Candidate: 1.0\\n" && exit 0; done\nexit 0\n'
    )
    marker = tmp_path / "failed-once"
    fail = f"[ -e {marker} ] || {{ touch {marker}; exit 100; }}" if fail_first else ":"
    (bin_dir / "apt-get").write_text(
        f'#!/bin/sh\necho "apt-get $*" >> {log}\ncase "$1" in install) {fail};; esac\nexit 0\n'
    )
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir, log


def apt_step(tmp_path: Path, bin_dir: Path) -> subprocess.CompletedProcess[str]:
    # Step 1 alone (the script up to step 2), for real against the stand-ins.
    script = tmp_path / "install-step1.sh"
    text = INSTALL.read_text()
    step1 = text[: text.index("# ---- 2. the service user")]
    step1 = step1.replace("SRC=$(cd ", f"SRC={REPO} #", 1)
    step1 = step1.replace("((EUID != 0))", "false", 1)  # the stand-ins need no root
    script.write_text(step1 + "exit 0\n")
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    assert BASH is not None
    return subprocess.run(
        [BASH, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def run_as_root_step1(tmp_path, installed, known, fail_first=False):
    bin_dir, log = fake_apt(tmp_path, installed, known, fail_first)
    result = apt_step(tmp_path, bin_dir)
    return result, (log.read_text().splitlines() if log.exists() else [])


def test_apt_does_no_update_when_only_lgpio_is_missing(tmp_path):
    result, calls = run_as_root_step1(
        tmp_path,
        installed={"python3-venv", "alsa-utils", "espeak-ng"},
        known={"python3-venv", "alsa-utils", "espeak-ng"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls == []
    assert "no python3-lgpio in the package lists" in result.stderr


def test_apt_installs_alsa_utils_when_missing_without_an_update(tmp_path):
    result, calls = run_as_root_step1(
        tmp_path,
        installed={"python3-venv", "espeak-ng"},
        known={"python3-venv", "alsa-utils", "espeak-ng", "python3-lgpio"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls == [
        "apt-get install -y --no-install-recommends alsa-utils",
        "apt-get install -y --no-install-recommends python3-lgpio",
    ]


def test_apt_updates_once_when_an_install_fails(tmp_path):
    result, calls = run_as_root_step1(
        tmp_path,
        installed=set(),
        known={"python3-venv", "alsa-utils", "espeak-ng"},
        fail_first=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls == [
        "apt-get install -y --no-install-recommends python3-venv alsa-utils espeak-ng",
        "apt-get update",
        "apt-get install -y --no-install-recommends python3-venv alsa-utils espeak-ng",
    ]


def test_apt_says_all_there_and_runs_nothing(tmp_path):
    result, calls = run_as_root_step1(
        tmp_path,
        installed={"python3-venv", "alsa-utils", "espeak-ng", "python3-lgpio"},
        known=set(),
    )
    assert result.returncode == 0
    assert calls == []
    assert "already installed" in result.stdout


@pytest.mark.parametrize(("version", "dropin"), [("252 (252.39-1~deb12u1)", False), ("256", True)])
def test_backoff_dropin_only_where_systemd_knows_the_keys(tmp_path, version, dropin):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text(
        f'#!/bin/sh\n[ "$1" = "--version" ] && echo "systemd {version}"\nexit 0\n'
    )
    (bin_dir / "systemctl").chmod(0o755)
    root = tmp_path / "root"
    sh(INSTALL, "--root", str(root), env={"PATH": f"{bin_dir}:{os.environ['PATH']}"})
    conf = root / "etc/systemd/system/calmkit.service.d/backoff.conf"
    assert conf.is_file() is dropin
    if dropin:
        assert conf.read_bytes() == (REPO / "systemd" / "backoff.conf").read_bytes()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_is_strict_and_executable(script):
    assert script.read_text().startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in script.read_text()
    assert os.access(script, os.X_OK)


def test_wheelhouse_refuses_an_unknown_arch(tmp_path):
    wheelhouse = REPO / "systemd" / "wheelhouse.sh"
    result = sh(wheelhouse, "--arch", "sparc", str(tmp_path), check=False)
    assert result.returncode == 2
    assert "amd64 or arm64" in result.stderr
    assert sh(wheelhouse, check=False).returncode == 2  # no DIR


def test_an_old_world_readable_config_is_kept_but_closed_to_others(tmp_path):
    config = tmp_path / CONFIG_REL
    config.parent.mkdir(parents=True)
    config.write_text("reach_out:\n  message: call Sam\n")
    config.chmod(0o644)  # as install.sh left it before
    out = sh(INSTALL, "--root", str(tmp_path)).stdout
    assert config.read_text() == "reach_out:\n  message: call Sam\n"
    assert oct(config.stat().st_mode & 0o777) == "0o640"
    assert f"chmod o= {config}" in out
    assert "chgrp" not in out  # under --root the owner is the caller's business


def i2c_step(tmp_path: Path, *, device: bool, raspi_config: bool, boot_config: str | None):
    """The I2C part of step 2 alone, for real, against a made-up device, boot config and
    raspi-config (a stand-in that notes how it was called)."""
    text = INSTALL.read_text()
    head = text[: text.index("# ---- checks")]
    block = text[text.index("# ---- 2b. the I2C bus") : text.index("# ---- 3. the venv")]
    dev = tmp_path / "i2c-1"
    if device:
        dev.touch()
    boot = tmp_path / "config.txt"
    if boot_config is not None:
        boot.write_text(boot_config)
    head = head.replace("readonly I2C_DEVICE=/dev/i2c-1", f"readonly I2C_DEVICE={dev}")
    head = head.replace(
        "readonly BOOT_CONFIG=/boot/firmware/config.txt", f"readonly BOOT_CONFIG={boot}"
    )
    head = head.replace("SRC=$(cd ", f"SRC={REPO} #", 1)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "raspi.log"
    if raspi_config:
        tool = bin_dir / "raspi-config"
        tool.write_text(f'#!/bin/sh\necho "raspi-config $*" >> {log}\n')
        tool.chmod(0o755)
    script = tmp_path / "i2c.sh"
    script.write_text(head + block + "exit 0\n")
    assert BASH is not None
    result = subprocess.run(
        [BASH, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    calls = log.read_text().splitlines() if log.exists() else []
    return result.stdout, calls, boot.read_text() if boot.exists() else None


def test_install_turns_i2c_on_with_raspi_config_where_there_is_one(tmp_path):
    out, calls, _boot = i2c_step(tmp_path, device=False, raspi_config=True, boot_config="")
    assert calls == ["raspi-config nonint do_i2c 0"]
    assert "I2C: turned on with raspi-config" in out


def test_install_turns_i2c_on_in_config_txt_without_raspi_config_once(tmp_path):
    (tmp_path / "first").mkdir()
    out, calls, boot = i2c_step(
        tmp_path / "first", device=False, raspi_config=False, boot_config="a=1\n"
    )
    assert calls == [] and boot == "a=1\ndtparam=i2c_arm=on\n"
    assert "dtparam=i2c_arm=on added to" in out and "next reboot" in out
    (tmp_path / "again").mkdir()
    out, _calls, boot = i2c_step(
        tmp_path / "again", device=False, raspi_config=False, boot_config=boot
    )
    assert boot == "a=1\ndtparam=i2c_arm=on\n" and "is in" in out and "already" in out


def test_install_leaves_i2c_alone_when_it_is_on_or_not_a_pi(tmp_path):
    (tmp_path / "on").mkdir()
    out, calls, _boot = i2c_step(tmp_path / "on", device=True, raspi_config=True, boot_config="")
    assert calls == [] and "I2C: on already" in out
    (tmp_path / "laptop").mkdir()
    out, calls, boot = i2c_step(
        tmp_path / "laptop", device=False, raspi_config=False, boot_config=None
    )
    assert calls == [] and boot is None and "left as it is" in out


def test_the_service_may_open_the_i2c_bus():
    unit = (REPO / "systemd" / "calmkit.service").read_text()
    assert "SupplementaryGroups=gpio audio i2c" in unit and "DeviceAllow=char-i2c rw" in unit
    assert "readonly GROUPS_NEEDED=(gpio audio i2c)" in INSTALL.read_text()


def test_calmkit_is_linked_onto_path_and_uninstall_removes_only_that_link(tmp_path):
    """README said `calmkit doctor` after install, but the venv's calmkit was not on PATH."""
    out = sh(INSTALL, "--root", str(tmp_path)).stdout
    assert "skipped under --root: ln -s /opt/calmkit/venv/bin/calmkit /usr/local/bin/calmkit" in out
    link = tmp_path / "usr/local/bin/calmkit"
    link.parent.mkdir(parents=True)
    link.symlink_to("/opt/calmkit/venv/bin/calmkit")  # as the install inside the tree makes it
    assert "already links to the venv" in sh(INSTALL, "--root", str(tmp_path)).stdout
    sh(UNINSTALL, "--root", str(tmp_path))
    assert not link.is_symlink()
    # Someone else's calmkit there is left alone, by both.
    link.write_text("#!/bin/sh\n")
    assert "is something else: kept" in sh(INSTALL, "--root", str(tmp_path)).stderr
    sh(UNINSTALL, "--root", str(tmp_path))
    assert link.read_text() == "#!/bin/sh\n"
