"""`calmkit doctor`: check this box, one line per check, each failure with its fix.

It claims the pins and opens the audio device for a moment, so run it while the service is
stopped (`sudo systemctl stop calmkit`), or it will find the pins busy and say so.
"""

from __future__ import annotations

import grp
import os
import pwd
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calmkit.core.errors import CalmkitError

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    level: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.level != FAIL


def _config(explicit: Path | None) -> tuple[Check, Any]:
    from calmkit.config import load_config

    try:
        config = load_config(explicit)
    except CalmkitError as error:
        # every problem, one a line under the first: the person fixes them all in one go
        lines = str(error).splitlines() or [type(error).__name__]
        lines.append("run `calmkit check` for all, again after each fix")
        return Check("config", FAIL, "\n    ".join(lines)), None
    files = ", ".join(str(s) for s in config.sources[1:]) or "packaged defaults only"
    return Check("config", OK, f"valid ({files})"), config


def _pins(config: Any, root: Path) -> Check:
    from calmkit.devices.hardware import Devices, choose_pins, has_gpio

    if not has_gpio(root):
        return Check("pins", WARN, "no GPIO chip here: calmkit will run on simulated pins")
    try:
        choice = choose_pins("auto", root)
        devices = Devices(config.hardware, choice.factory, config.light.gamma)
    except CalmkitError as error:
        return Check("pins", FAIL, str(error))
    devices.close()
    hw = config.hardware
    light = "none" if hw.light is None else hw.light  # a wearable has no lamp
    return Check("pins", OK, f"claimed light {light}, button {hw.button}, motor {hw.vibration}")


def _audio(config: Any) -> list[Check]:
    from calmkit.shell.app import audio_for

    if not config.sound.enabled:
        return [Check("audio", OK, "sound is off in the config (light and vibration only)")]
    problems: list[str] = []
    audio = audio_for(config, problems.append)
    try:
        opened = audio.open()
        device = (
            Check("audio device", OK, "opens")
            if opened
            else Check(
                "audio device",
                FAIL,
                problems[0] if problems else "cannot open the audio device: check `aplay -l`",
            )
        )
        sounds = audio.check()
    finally:
        audio.close()
    if not sounds:
        return [device, Check("sound files", OK, f"{len(audio.available())} sounds load")]
    more = f" (+{len(sounds) - 1} more)" if len(sounds) > 1 else ""
    return [device, Check("sound files", FAIL, sounds[0] + more)]


def _voice(config: Any) -> Check:
    """Which voice speaks the prompts: the config's pack, or the packaged English one and why."""
    from calmkit.shell import voices

    if not config.sound.enabled or not config.sound.voice:
        return Check("voice", OK, "spoken prompts are off in the config")
    choice = voices.choose_for(config)
    if choice.note is not None:
        return Check("voice", WARN, choice.note)
    if choice.pack is None:
        return Check("voice", OK, "the packaged English voice")
    from calmkit.shell.render import answer_waits, too_long

    # the pack's prompts against your programs' steps and the waits for an answer
    long = too_long(choice.pack.lengths, config.programs, answer_waits(config.flow))
    if long:
        more = f" (+{len(long) - 1} more)" if len(long) > 1 else ""
        return Check("voice", WARN, f"voice pack {choice.pack.name}: {long[0]}{more}")
    return Check("voice", OK, f"voice pack {choice.pack.describe()} in {choice.pack.folder.parent}")


def _journal(config: Any) -> Check:
    """Writable for real: a row is written to the journal and taken out again."""
    from calmkit.shell.app import journal_path
    from calmkit.shell.journal import Journal

    if not config.journal.enabled:
        return Check("journal", OK, "turned off in the config")
    journal = Journal(journal_path(config), warn=lambda message: None)
    odd = journal.odd_file()  # never opened: a FIFO would hang the doctor
    if odd is not None:
        return Check("journal", FAIL, odd)
    if journal.holds_other_file():  # the doctor only looks: the file is the person's to move
        return Check(
            "journal",
            FAIL,
            f"{journal.path} is not a calmkit journal (not an SQLite file): `calmkit run` would "
            f"keep it aside as {journal.path.name}.not-a-journal and start a new one; if it is a "
            f"file of yours, point journal.path somewhere else",
        )
    problem = journal.probe()
    journal.close()
    if problem is not None:
        return Check(
            "journal",
            FAIL,
            f"cannot write to {journal.path} ({problem}); {journal.fix()}",
        )
    return Check("journal", OK, f"{journal.path} is writable (a test row written and removed)")


def plan_file_problem(config: Any) -> str | None:
    """A safety plan in a file others can read: what to do (0640 and 0600 are private)."""
    if config.safety_plan.empty:
        return None
    for source in config.sources[1:]:  # the packaged defaults hold no plan
        try:
            mode = os.stat(source).st_mode
        except OSError:
            continue
        if mode & 0o007:
            return (
                f"{source} holds your safety plan and other users can read it: chmod 600 {source}"
            )
    return None


def _plan(config: Any) -> Check:
    problem = plan_file_problem(config)
    if problem is not None:
        return Check("safety plan", WARN, problem)
    if config.safety_plan.empty:
        return Check("safety plan", OK, 'none kept (see README, "A safety plan")')
    from calmkit.shell import speech

    voice = "read aloud by espeak-ng" if speech.engine() else "shown (no espeak-ng to read it)"
    return Check("safety plan", OK, f"kept in a private file; a 4 s hold in idle: {voice}")


def _i2c(config: Any, root: Path, open_bus: Callable[[], Any] | None) -> list[Check]:
    """The I2C bus and its chips, for a config that names any (faces/i2c_checks.py)."""
    from calmkit.faces.i2c_checks import i2c_checks, open_smbus

    return [Check(*found) for found in i2c_checks(config, root, open_bus or open_smbus)]


def _groups(root: Path, user_groups: Callable[[], set[str]], config: Any = None) -> Check:
    """The groups whose devices calmkit opens: gpio and audio, and i2c for a config with a
    chip on the I2C bus (a haptic driver or a battery gauge), as the service's
    SupplementaryGroups= has them."""
    from calmkit.devices.hardware import has_gpio
    from calmkit.faces.i2c_checks import uses_i2c

    if not has_gpio(root):
        return Check("groups", OK, "not needed without GPIO")
    wanted = {"gpio", "audio"} | ({"i2c"} if config is not None and uses_i2c(config) else set())
    missing = sorted(wanted - user_groups())
    if missing:
        user = pwd.getpwuid(os.getuid()).pw_name
        return Check(
            "groups",
            FAIL,
            f"{user} is not in {' and '.join(missing)}: sudo usermod -aG "
            f"{','.join(missing)} {user}, then log in again",
        )
    return Check("groups", OK, f"in {' and '.join(sorted(wanted))}")


def _current_groups() -> set[str]:
    names = set()
    for gid in os.getgroups():
        try:
            names.add(grp.getgrgid(gid).gr_name)
        except KeyError:
            continue
    return names


def _watchdog(environ: Mapping[str, str]) -> Check:
    if not (environ.get("INVOCATION_ID") or environ.get("NOTIFY_SOCKET")):
        return Check("watchdog", OK, "not running under systemd")
    if not environ.get("WATCHDOG_USEC"):
        return Check(
            "watchdog", FAIL, "running under systemd with no watchdog: set WatchdogSec= in the unit"
        )
    return Check("watchdog", OK, f"every {int(environ['WATCHDOG_USEC']) / 1e6:g} s")


def _clock(synced: bool | None) -> Check:
    """The wall clock: untrusted, the night caps hold all day (see calmkit.shell.timesync)."""
    if synced is True:
        return Check("clock", OK, "synchronised")
    state = "not synchronised" if synced is False else "of unknown accuracy"
    return Check(
        "clock",
        WARN,
        f"the system clock is {state}: the night caps apply at any hour and the journal marks "
        "times as unsynced, until it syncs (a network with NTP, or an RTC module)",
    )


def run_checks(
    explicit: Path | None = None,
    *,
    root: Path = Path("/"),
    environ: Mapping[str, str] | None = None,
    user_groups: Callable[[], set[str]] = _current_groups,
    clock_synced: Callable[[], bool | None] | None = None,
    open_bus: Callable[[], Any] | None = None,
) -> list[Check]:
    env = os.environ if environ is None else environ
    config_check, config = _config(explicit)
    checks = [config_check]
    if config is not None:
        checks.append(_pins(config, root))
        checks.extend(_audio(config))
        checks.append(_voice(config))
        checks.append(_journal(config))
        checks.append(_plan(config))
        checks.extend(_i2c(config, root, open_bus))
    checks.append(_groups(root, user_groups, config))
    checks.append(_watchdog(env))
    if clock_synced is None:
        from calmkit.shell.timesync import synchronised

        clock_synced = synchronised
    checks.append(_clock(clock_synced()))
    return checks
