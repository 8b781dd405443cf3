"""Living under systemd: sd_notify (READY, WATCHDOG, STOPPING, STATUS) and stop signals.

Part of the I/O shell, standard library only (no python-systemd, no sdnotify package).

The unit (systemd/calmkit.service) is ``Type=notify`` with ``WatchdogSec=``: systemd passes
``$NOTIFY_SOCKET`` (an AF_UNIX datagram socket, a file path or ``@name`` in the abstract
namespace) and ``$WATCHDOG_USEC``. The runner, not a side thread, sends the watchdog pings from
its own loop, so a hung loop stops pinging and systemd restarts the service::

    notifier = Notifier.from_environ(clock=clock.now)
    ...devices up...
    notifier.ready("idle")
    while running:
        deadline = min(frame_deadline, notifier.next_watchdog() or inf)   # None: no watchdog
        wait for a button edge until the deadline
        now = clock.now()
        if notifier.watchdog_due(now):
            notifier.ping_watchdog(now)
    notifier.stopping()
    notifier.close()

Outside systemd (no ``$NOTIFY_SOCKET``) every method is a cheap no-op. A send that fails (the
socket is gone) is logged once as a warning and never raised: the appliance keeps running.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Mapping
from types import FrameType

log = logging.getLogger(__name__)

__all__ = ["Notifier", "install_stop_signals", "running_under_systemd"]


class Notifier:
    """sd_notify for ``Type=notify``: READY=1, WATCHDOG=1, STOPPING=1, STATUS=..."""

    def __init__(
        self,
        address: str | bytes | None,
        watchdog_interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``address``: a socket path, or bytes starting with NUL for the abstract namespace;
        None disables everything. ``watchdog_interval``: seconds between pings (half of
        ``WatchdogSec``), None for no watchdog. ``clock``: monotonic seconds, the same scale as
        the ``now`` values later passed in."""
        self._address = address
        self._clock = clock
        self._watchdog_interval = (
            watchdog_interval if address is not None and watchdog_interval else None
        )
        self._sock: socket.socket | None = None
        self._warned = False
        self._closed = False
        # systemd arms the watchdog when the service starts: count from now.
        self._last_ping = clock()

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Notifier:
        """Read ``NOTIFY_SOCKET``, ``WATCHDOG_USEC`` and ``WATCHDOG_PID`` (default: os.environ).

        The watchdog is on only when ``WATCHDOG_USEC`` is a positive integer and
        ``WATCHDOG_PID`` is absent or names this process (otherwise the pings are meant for
        another process, the one systemd started, and this one must not send them)."""
        env = os.environ if environ is None else environ
        address = _parse_address(env.get("NOTIFY_SOCKET", ""))
        interval = None
        if address is not None:
            interval = _parse_watchdog(env.get("WATCHDOG_USEC"), env.get("WATCHDOG_PID"))
        return cls(address, interval, clock)

    @property
    def enabled(self) -> bool:
        """True when there is a notify socket to talk to."""
        return self._address is not None and not self._closed

    @property
    def watchdog_interval(self) -> float | None:
        """Seconds between pings: half of ``WATCHDOG_USEC``; None when there is no watchdog."""
        return self._watchdog_interval

    def ready(self, status: str = "") -> None:
        """Tell systemd the devices are up (``READY=1``); also counts as a watchdog ping."""
        if not self.enabled:
            return
        fields = ["READY=1"]
        if status:
            fields.append(_status_field(status))
        if self._watchdog_interval is not None:
            fields.append("WATCHDOG=1")
            self._last_ping = self._clock()
        self._send(fields)

    def status(self, text: str) -> None:
        """One line shown by ``systemctl status calmkit`` (newlines become spaces)."""
        if self.enabled:
            self._send([_status_field(text)])

    def stopping(self) -> None:
        """Tell systemd calmkit is shutting down on purpose (``STOPPING=1``)."""
        if self.enabled:
            self._send(["STOPPING=1"])

    def watchdog_due(self, now: float) -> bool:
        """True when half the watchdog period has passed since the last ping."""
        deadline = self.next_watchdog()
        return deadline is not None and now >= deadline

    def next_watchdog(self) -> float | None:
        """When the next ping is due, on the clock given; None when there is no watchdog.

        The runner uses it as a wake-up deadline, so that even an idle runner that would
        otherwise block with no timeout wakes up to ping."""
        if self._watchdog_interval is None or self._closed:
            return None
        return self._last_ping + self._watchdog_interval

    def ping_watchdog(self, now: float) -> None:
        """Send ``WATCHDOG=1`` and remember ``now`` as the time of the last ping."""
        if self._watchdog_interval is None or self._closed:
            return
        self._last_ping = now
        self._send(["WATCHDOG=1"])

    def close(self) -> None:
        """Close the socket; every later call is a no-op. Safe to call twice."""
        self._closed = True
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> Notifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Notifier(address={self._address!r}, watchdog_interval={self._watchdog_interval!r}, "
            f"enabled={self.enabled})"
        )

    def _send(self, fields: list[str]) -> None:
        assert self._address is not None
        message = "\n".join(fields).encode("utf-8", "replace")
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                # Never block the runner's loop: a full queue on systemd's side (it reads its
                # socket promptly, so: never in practice) is a failed send, not a frozen light.
                self._sock.setblocking(False)
            self._sock.sendto(message, self._address)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning(
                    "systemd's notify socket %s cannot be reached (%s); carrying on without it",
                    _show_address(self._address),
                    exc.strerror or exc,
                )
            else:
                log.debug("sd_notify %r failed: %s", fields, exc)


def _parse_address(value: str) -> str | bytes | None:
    if not value:
        return None
    if value.startswith("@"):
        # The abstract namespace: a leading NUL byte instead of the "@".
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    # vsock:CID:PORT (systemd 253+, for VMs) and anything else: not for a bedside box.
    log.warning("NOTIFY_SOCKET=%r is not a socket path calmkit can use; ignoring it", value)
    return None


def _parse_watchdog(usec: str | None, pid: str | None) -> float | None:
    if not usec:
        return None
    try:
        micros = int(usec)
    except ValueError:
        log.warning("WATCHDOG_USEC=%r is not a number; not pinging the watchdog", usec)
        return None
    if micros <= 0:
        return None
    if pid:
        try:
            if int(pid) != os.getpid():
                return None
        except ValueError:
            return None
    return micros / 2 / 1_000_000


def _status_field(text: str) -> str:
    return "STATUS=" + " ".join(text.split())


def _show_address(address: str | bytes) -> str:
    if isinstance(address, bytes):
        return "@" + address[1:].decode("utf-8", "replace")
    return address


#: Signals that stop calmkit gently: systemctl stop, Ctrl+C, and a closed terminal or SSH
#: session (SIGHUP, whose default would kill the process at once with the lamp on).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def install_stop_signals(on_stop: Callable[[str], None]) -> Callable[[], None]:
    """Route SIGTERM (systemctl stop), SIGINT (Ctrl+C) and SIGHUP (the terminal went away) to
    ``on_stop("SIGTERM")`` etc.

    Call it from the main thread. ``on_stop`` runs inside a Python signal handler, on the main
    thread, between two bytecodes of whatever the main thread was doing (possibly in the middle
    of a ``queue.Queue.get``), so it must only set a flag or put on a queue that is safe to use
    from there: ``queue.SimpleQueue.put`` is (it is reentrant); ``queue.Queue.put`` and
    ``threading.Event.set`` take a lock the interrupted code may already hold, and can deadlock.
    The loop then fades the light, journals the session as stopped and returns (exit status 0).

    Returns a function that puts the previous handlers back.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        on_stop(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)

    return restore


def running_under_systemd(environ: Mapping[str, str] | None = None) -> bool:
    """True when systemd started this process (``$INVOCATION_ID`` or ``$NOTIFY_SOCKET`` set)."""
    env = os.environ if environ is None else environ
    return bool(env.get("INVOCATION_ID") or env.get("NOTIFY_SOCKET"))
