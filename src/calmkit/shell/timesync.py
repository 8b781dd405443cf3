"""Whether the wall clock can be trusted: a Pi has no real-time clock, and a bedside box may
never see a network, so its idea of the hour can be wrong for a long time.

Part of the shell. It asks, in order: systemd-timesyncd's flag file (present once it has synced
since boot), then the kernel itself (adjtimex(2), read only, as timedatectl's NTPSynchronized
does: the clock is synchronised when the kernel's estimate of its maximum error is under 16 s
and STA_UNSYNC is not set). ``None`` means it cannot tell (not Linux, no libc): callers treat
that like an unsynchronised clock, so the night caps apply (a dim light is never wrong at night).

Under calmkit.service, ProtectClock=yes blocks adjtimex even for reading (EPERM, so: cannot
tell): there the flag file is what tells, which suits Raspberry Pi OS, where systemd-timesyncd
keeps the time. With another NTP client the service stays on the night caps (the safe side).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

TIMESYNCD_FLAG = Path("/run/systemd/timesync/synchronized")
#: From <linux/timex.h>.
STA_UNSYNC = 0x0040
TIME_ERROR = 5
#: The kernel's ceiling for maxerror (16 s, in microseconds): at it the clock is not synced.
MAXERROR_UNSYNCED_US = 16_000_000


class _Timex(ctypes.Structure):
    """struct timex up to ``status``; the rest of the kernel's struct is padding here."""

    _fields_ = [
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),
        ("esterror", ctypes.c_long),
        ("status", ctypes.c_int),
        ("_rest", ctypes.c_byte * 512),  # larger than the kernel's struct on every ABI
    ]


_libc_adjtimex: list[Callable[..., int] | None] = []  # found once: loading libc costs 2 ms


def _adjtimex() -> Callable[..., int] | None:
    if not _libc_adjtimex:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            _libc_adjtimex.append(libc.adjtimex)
        except (OSError, AttributeError) as exc:
            log.debug("no adjtimex here: %s", exc)
            _libc_adjtimex.append(None)
    return _libc_adjtimex[0]


def kernel_synchronised(adjtimex: Callable[..., int] | None = None) -> bool | None:
    """The kernel's answer (modes = 0: it only reads); None when it cannot be asked."""
    adjtimex = adjtimex or _adjtimex()
    if adjtimex is None:
        return None
    timex = _Timex()
    try:
        state = adjtimex(ctypes.byref(timex))
    except Exception as exc:  # a foreign-function failure is "cannot tell", never a crash
        log.debug("adjtimex failed: %s", exc)
        return None
    if state < 0:
        return None
    if state == TIME_ERROR or timex.status & STA_UNSYNC:
        return False
    return timex.maxerror < MAXERROR_UNSYNCED_US


def synchronised(
    flag: Path = TIMESYNCD_FLAG, kernel: Callable[[], bool | None] = kernel_synchronised
) -> bool | None:
    """True: the wall clock is synchronised; False: it is not; None: no way to tell."""
    try:
        if flag.exists():
            return True
    except OSError:
        pass
    return kernel()


def describe(state: bool | None) -> str:
    """The clock's state in words, for `calmkit doctor` and the journal."""
    if state is True:
        return "synchronised"
    if state is False:
        return "not synchronised"
    return "unknown"
