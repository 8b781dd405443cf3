"""sd_notify against real AF_UNIX datagram sockets the tests bind, on a fake clock (no sleeps)."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import socket
import uuid
from pathlib import Path

import pytest

from calmkit.shell.service import Notifier, install_stop_signals, running_under_systemd


class Ticker:
    """A clock callable that moves only when told."""

    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def notify_socket(tmp_path: Path):
    """A datagram socket bound to a path, standing in for systemd's /run/systemd/notify."""
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    yield path, sock
    sock.close()


def received(sock: socket.socket) -> list[str]:
    """Every datagram waiting on the socket, decoded."""
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recv(4096).decode())
    except BlockingIOError:
        return out  # nothing more waiting
    finally:
        sock.settimeout(2)


def env(path: Path | str, **extra: str) -> dict[str, str]:
    return {"NOTIFY_SOCKET": str(path), **extra}


def test_ready_status_stopping_reach_a_path_socket(notify_socket):
    path, sock = notify_socket
    n = Notifier.from_environ(env(path))
    assert n.enabled
    assert n.watchdog_interval is None
    n.ready()
    n.ready("idle, calm selected")
    n.status("running calm\n3 min left")
    n.stopping()
    n.close()
    assert received(sock) == [
        "READY=1",
        "READY=1\nSTATUS=idle, calm selected",
        "STATUS=running calm 3 min left",
        "STOPPING=1",
    ]


def test_abstract_namespace_socket():
    name = f"calmkit-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(2)
    try:
        clock = Ticker()
        with Notifier.from_environ(env("@" + name, WATCHDOG_USEC="20000000"), clock=clock) as n:
            n.ready("up")
            clock.t += 10
            n.ping_watchdog(clock.t)
            n.stopping()
        assert sock.recv(4096) == b"READY=1\nSTATUS=up\nWATCHDOG=1"
        assert sock.recv(4096) == b"WATCHDOG=1"
        assert sock.recv(4096) == b"STOPPING=1"
    finally:
        sock.close()


def test_watchdog_pings_every_half_period_on_the_fake_clock(notify_socket):
    path, sock = notify_socket
    clock = Ticker(100.0)
    n = Notifier.from_environ(env(path, WATCHDOG_USEC="30000000"), clock=clock)
    assert n.watchdog_interval == 15.0
    # Armed when the notifier is made: the first ping is due half a period later.
    assert n.next_watchdog() == 115.0
    assert not n.watchdog_due(114.999)
    assert n.watchdog_due(115.0)
    assert received(sock) == []  # asking never sends

    n.ping_watchdog(115.2)
    assert n.next_watchdog() == pytest.approx(130.2)
    assert not n.watchdog_due(130.1)
    assert n.watchdog_due(130.2)

    # A runner loop: wake at next_watchdog(), ping when due, for 5 simulated minutes.
    assert received(sock) == ["WATCHDOG=1"]
    pings = []
    t = 115.2
    while t < 415:
        t = n.next_watchdog()
        assert n.watchdog_due(t)
        n.ping_watchdog(t)
        assert received(sock) == ["WATCHDOG=1"]
        pings.append(t)
    assert len(pings) == 20
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(pings)}
    assert gaps == {15.0}


def test_ready_counts_as_a_ping(notify_socket):
    path, sock = notify_socket
    clock = Ticker(0.0)
    n = Notifier.from_environ(env(path, WATCHDOG_USEC="4000000"), clock=clock)
    clock.t = 1.5
    n.ready()
    assert n.next_watchdog() == 3.5
    assert received(sock) == ["READY=1\nWATCHDOG=1"]


def test_watchdog_pid_of_this_process_keeps_pings(notify_socket):
    path, _ = notify_socket
    n = Notifier.from_environ(env(path, WATCHDOG_USEC="2000000", WATCHDOG_PID=str(os.getpid())))
    assert n.watchdog_interval == 1.0


def test_watchdog_pid_mismatch_disables_pings(notify_socket):
    path, sock = notify_socket
    other = str(os.getpid() + 1)
    n = Notifier.from_environ(env(path, WATCHDOG_USEC="2000000", WATCHDOG_PID=other))
    assert n.enabled  # READY and STOPPING still go out
    assert n.watchdog_interval is None
    assert n.next_watchdog() is None
    assert not n.watchdog_due(1e9)
    n.ping_watchdog(1e9)
    n.ready()
    assert received(sock) == ["READY=1"]


@pytest.mark.parametrize("usec", ["", "0", "-5", "soon"])
def test_no_usable_watchdog_usec_means_no_watchdog(notify_socket, usec):
    path, _ = notify_socket
    n = Notifier.from_environ(env(path, WATCHDOG_USEC=usec))
    assert n.watchdog_interval is None
    assert n.next_watchdog() is None


def test_without_notify_socket_everything_is_a_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    for n in (
        Notifier.from_environ({}),
        Notifier.from_environ({"WATCHDOG_USEC": "1000000"}),
        Notifier.from_environ(),
    ):
        assert not n.enabled
        assert n.watchdog_interval is None
        assert n.next_watchdog() is None
        assert not n.watchdog_due(1e12)
        n.ready("x")
        n.status("x")
        n.ping_watchdog(5.0)
        n.stopping()
        n.close()
        assert n._sock is None  # never even opened a socket


def test_unusable_notify_socket_value_is_ignored_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="calmkit.shell.service"):
        n = Notifier.from_environ({"NOTIFY_SOCKET": "vsock:2:1234"})
    assert not n.enabled
    assert "NOTIFY_SOCKET" in caplog.text


def test_socket_gone_warns_once_and_never_raises(notify_socket, caplog):
    path, sock = notify_socket
    clock = Ticker()
    n = Notifier.from_environ(env(path, WATCHDOG_USEC="2000000"), clock=clock)
    n.ready()
    assert received(sock) == ["READY=1\nWATCHDOG=1"]
    sock.close()
    path.unlink()
    with caplog.at_level(logging.WARNING, logger="calmkit.shell.service"):
        for _ in range(5):
            clock.t += 1
            n.ping_watchdog(clock.t)
            n.status("still here")
        n.stopping()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage()
    # Still counting: the loop keeps its rhythm even while nobody listens.
    assert n.next_watchdog() == clock.t + 1
    n.close()


def test_a_full_socket_queue_never_blocks_the_loop(notify_socket, caplog):
    path, sock = notify_socket
    n = Notifier.from_environ(env(path, WATCHDOG_USEC="2000000"))
    with caplog.at_level(logging.WARNING, logger="calmkit.shell.service"):
        for i in range(1000):  # nobody reads: the kernel queue fills after a few datagrams
            n.ping_watchdog(float(i))
    assert len(caplog.records) == 1
    assert 0 < len(received(sock)) < 1000
    n.close()


def test_socket_that_never_existed_warns_once(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="calmkit.shell.service"):
        n = Notifier.from_environ(env(tmp_path / "nobody-here"))
        n.ready()
        n.stopping()
    assert len(caplog.records) == 1


def test_close_is_idempotent_and_silences(notify_socket):
    path, sock = notify_socket
    n = Notifier.from_environ(env(path, WATCHDOG_USEC="2000000"))
    n.ready()
    n.close()
    n.close()
    assert not n.enabled
    assert n.next_watchdog() is None
    n.ping_watchdog(1e9)
    n.stopping()
    assert received(sock) == ["READY=1\nWATCHDOG=1"]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"INVOCATION_ID": "4c1f0a8e5b2d4e7f9a3b6c8d0e1f2a3b"}, True),
        ({"NOTIFY_SOCKET": "/run/systemd/notify"}, True),
        ({"INVOCATION_ID": "", "NOTIFY_SOCKET": ""}, False),
    ],
)
def test_running_under_systemd(environ, expected):
    assert running_under_systemd(environ) is expected


def test_stop_signals_call_back_with_the_name_and_restore():
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    got: list[str] = []
    restore = install_stop_signals(got.append)
    try:
        signal.raise_signal(signal.SIGTERM)
        signal.raise_signal(signal.SIGINT)  # no KeyboardInterrupt: only the callback runs
    finally:
        restore()
    assert got == ["SIGTERM", "SIGINT"]
    assert {s: signal.getsignal(s) for s in before} == before
