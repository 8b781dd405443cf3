"""`calmkit run` as systemd runs it: READY=1 once up, WATCHDOG=1 from the loop, STOPPING=1 and
exit 0 on SIGTERM. A real process on mock pins, talking to a notify socket the test opens.

It waits in real time (about two seconds): the watchdog and a signal cannot be faked from outside.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.shell.app import build
from calmkit.shell.runner import Scripted


def test_calmkit_run_notifies_systemd_pings_the_watchdog_and_stops_cleanly(tmp_path):
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(15)
    config = tmp_path / "calmkit.yaml"
    config.write_text(f"journal: {{path: {tmp_path / 'journal.jsonl'}}}\nsound: false\n")
    env = {
        **os.environ,
        "NOTIFY_SOCKET": str(sock_path),
        "WATCHDOG_USEC": "1000000",  # a ping every half second
        "SDL_AUDIODRIVER": "dummy",
        "HOME": str(tmp_path),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "calmkit", "run", "--mock", "--config", str(config)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        received = []
        while not any("READY=1" in m for m in received):
            received.append(sock.recv(4096).decode())
        ready_at = time.monotonic()
        pings = 0
        while pings < 3:  # the idle loop wakes for the watchdog, and only for it
            message = sock.recv(4096).decode()
            pings += message == "WATCHDOG=1"
        assert time.monotonic() - ready_at < 5
        proc.send_signal(signal.SIGTERM)
        stopping = sock.recv(4096).decode()
        while stopping == "WATCHDOG=1":
            stopping = sock.recv(4096).decode()
        assert stopping == "STOPPING=1"
        _out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    assert proc.returncode == 0, err
    assert "Traceback" not in err


class FakeNotifier:
    """Records pings on the virtual clock, as service.Notifier would send them."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.pings: list[float] = []
        self.last = 0.0

    def next_watchdog(self) -> float:
        return self.last + self.interval

    def watchdog_due(self, now: float) -> bool:
        return now >= self.next_watchdog()

    def ping_watchdog(self, now: float) -> None:
        self.pings.append(now)
        self.last = now


def test_the_runner_loop_pings_on_time_when_idle_and_during_a_session():
    clock = FakeClock()
    notifier = FakeNotifier(15.0)
    app = build(
        parse_config("", "t.yaml"), clock=clock, notifier=notifier, sound=False, journal=False
    )
    app.waiter.script.append(Scripted(100.0, lambda: app.runner.start("box")))
    app.waiter.script.append(Scripted(200.0, lambda: app.runner.request_stop("test")))
    app.runner.run()
    assert notifier.pings == [15.0 * k for k in range(1, 14)]
