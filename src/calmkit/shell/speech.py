"""A voice for the person's own words (their safety plan): espeak-ng renders them to a WAV in a
private folder, which then plays through the ordered sound channel like any other voice.

No voice engine, or one that fails: None, and the faces show the text instead; the device never
plays anything that pretends to be it.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger("calmkit.shell.speech")

#: The sound name the flow asks for when it reads the safety plan.
SAFETY_PLAN_SOUND = "say_safety_plan"
#: espeak-ng's words a minute: slow and plain.
WORDS_PER_MINUTE = 140
#: Rendering a page of text takes well under a second; a voice engine that hangs is given up.
RENDER_TIMEOUT_S = 20.0


def engine() -> str | None:
    """The voice engine's path, or None when none is installed."""
    return shutil.which("espeak-ng")


def private_folder() -> Path:
    """A folder only this user can read: $RUNTIME_DIRECTORY under systemd, else a temp one."""
    base = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0] or os.environ.get(
        "XDG_RUNTIME_DIR"
    )
    return Path(tempfile.mkdtemp(prefix="calmkit-voice-", dir=base or None))  # mode 0700


def remove(wav: Path) -> None:
    """The rendered voice and its private folder, gone (the person's words are not left lying)."""
    shutil.rmtree(wav.parent, ignore_errors=True)


def render(text: str, folder: Path, name: str = SAFETY_PLAN_SOUND) -> Path | None:
    """``text`` spoken into ``folder/name.wav`` (private, 0600); None when it cannot be."""
    program = engine()
    if program is None or not text.strip():
        return None
    out = folder / f"{name}.wav"
    try:
        subprocess.run(
            [program, "-s", str(WORDS_PER_MINUTE), "-w", str(out), "--stdin"],
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=RENDER_TIMEOUT_S,
            check=True,
        )
        os.chmod(out, 0o600)
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("the voice engine could not read %s (%s): shown instead", name, error)
        return None
    return out if out.is_file() and out.stat().st_size > 44 else None  # 44: a WAV header alone
