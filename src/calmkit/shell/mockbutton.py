"""The mock button pressed from outside: a FIFO for the system test, on mock pins only.

On a machine with no GPIO (a container, a test box) ``calmkit run`` under systemd runs on
gpiozero's mock pins, and nobody can press its button. With mock pins, and only then, app.build
opens
the FIFO ``$RUNTIME_DIRECTORY/button`` (systemd sets the variable for the unit's
RuntimeDirectory=, /run/calmkit): mode 0600, owned by the service user, in a 0700 directory, so
only that user (and root) can open it. Each line written to it is one edge of the button:
``down`` presses it, ``up`` lets it go::

    echo down > /run/calmkit/button; sleep 0.2; echo up > /run/calmkit/button

Real pins never listen: on a Pi the button is the button. Nothing here can stop the service: a
FIFO that cannot be made is one warning, and the service runs on without it.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from calmkit.core.clock import Clock, FakeClock
from calmkit.devices.hardware import PinChoice

log = logging.getLogger(__name__)

FIFO_NAME = "button"


def fifo_path(
    pins: PinChoice,
    clock: Clock,
    program: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path | None:
    """Where the FIFO goes, or None when there must be none: real pins, virtual time, one
    program (``calmkit play``), or no RuntimeDirectory from systemd."""
    env = os.environ if environ is None else environ
    runtime = env.get("RUNTIME_DIRECTORY", "")
    if not pins.mock or isinstance(clock, FakeClock) or program is not None or not runtime:
        return None
    return Path(runtime.split(":")[0]) / FIFO_NAME


def handle(line: str, pin: Any) -> bool:
    """Apply one line to the mock pin; False for a line that is neither ``down`` nor ``up``."""
    word = line.strip()
    if word == "down":
        pin.drive_low()  # the button pulls its pin to ground
    elif word == "up":
        pin.drive_high()
    else:
        return False
    return True


def listen(
    pins: PinChoice,
    clock: Clock,
    button_pin: Any,
    program: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path | None:
    """Open the FIFO and drive the mock button from it in a daemon thread; returns its path."""
    path = fifo_path(pins, clock, program, environ)
    if path is None:
        return None
    try:
        path.unlink(missing_ok=True)  # one left by a run that was killed
        os.mkfifo(path, 0o600)
        # Read and write: the open never blocks, and no writer closing it ends the reads.
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        log.warning("mock button: no FIFO at %s (%s); the button cannot be pressed", path, exc)
        return None
    info = os.fstat(fd)
    if not stat.S_ISFIFO(info.st_mode) or info.st_uid != os.geteuid():
        os.close(fd)
        log.warning("mock button: %s is not this user's FIFO; not listening", path)
        return None
    os.fchmod(fd, 0o600)
    threading.Thread(target=_serve, args=(fd, button_pin), name="mockbutton", daemon=True).start()
    log.info("mock pins: the button listens on %s (write 'down' or 'up' lines)", path)
    return path


def _serve(fd: int, pin: Any) -> None:
    with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as fifo:
        for line in fifo:
            if not handle(line, pin):
                log.warning("mock button: %r is neither 'down' nor 'up'", line.strip()[:40])
