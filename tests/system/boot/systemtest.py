#!/usr/bin/env python3
"""The system test: calmkit installed into a Debian bookworm tree and booted under a real systemd.

    sudo make systemtest            (or: sudo python3 tests/system/boot/systemtest.py)

1. tree.sh unpacks a debootstrapped bookworm tree (cached as a tarball after the first run);
2. systemd/wheelhouse.sh gathers the pinned Python packages on this machine;
3. systemd/install.sh --wheelhouse runs INSIDE the tree (systemd-nspawn, no running systemd:
   the image-build path), so the container itself needs no network;
4. systemd-nspawn boots the tree (systemd as PID 1, BPF allowed so that DevicePolicy= and
   IPAddressDeny= are enforced) and every check runs from outside through nsenter, printing one
   PASS/FAIL line with its figure.

Standard library only (it runs with the machine's python3, as root). Exit status: 0 every check
passed, 1 a check failed, 3 Debian's package archive or PyPI could not be reached (skipped), 4
this machine cannot run it (not root, no systemd-nspawn or debootstrap).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
CONFIG = "/etc/calmkit/calmkit.yaml"
JOURNAL = "/var/lib/calmkit/journal.db"
FIFO = "/run/calmkit/button"
UNIT = "calmkit.service"
WATCHDOG_S = 30.0  # the unit's WatchdogSec=
TIMEOUT_STOP_S = 5.0  # the unit's TimeoutStopSec=
REBOOT_STATUS = 133  # systemd-nspawn's exit status when the container asked for a reboot
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
UNREACHABLE, CANNOT_RUN = 3, 4

# A located config error, as calmkit prints it: FILE:LINE: key: message
LOCATED = re.compile(re.escape(CONFIG) + r":\d+: [\w.\[\]-]+: \S")
# faulthandler's dump on SIGABRT: the header and at least one frame of calmkit's own code.
FAULT_HEADER = re.compile(r"Fatal Python error: Aborted")
FAULT_FRAME = re.compile(r'File "[^"]*/calmkit/[^"]+", line \d+ in \w+')
BROKEN_CONFIG = "light:\n  brightness: 7\n"
# Run with the container's python3: "what: outcome" for a connect and a device nspawn provides.
# Loopback only: nothing here ever sends to an address off this machine.
PROBE = """
import errno, socket
out = []
for host, port in (("127.0.0.1", 9),):
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect((host, port))
        out.append(f"{host}:{port}=connected")
    except OSError as e:
        out.append(f"{host}:{port}=" + (errno.errorcode.get(e.errno) or str(e).replace(" ", "_")))
try:
    open("/dev/net/tun", "rb").close()
    out.append("/dev/net/tun=opened")
except OSError as e:
    out.append("/dev/net/tun=" + (errno.errorcode.get(e.errno) or str(e).replace(" ", "_")))
print(" ".join(out))
"""


# ---- pure helpers (tests/system/test_systemtest_driver.py) -------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    number: str
    name: str
    ok: bool
    figure: str

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'} {self.number:>2} {self.name}: {self.figure}"


def parse_show(text: str) -> dict[str, str]:
    """``systemctl show -p A -p B`` output (KEY=VALUE lines) as a dict."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key] = value
    return out


def seconds_between(start_usec: str, end_usec: str) -> float | None:
    """Seconds between two monotonic timestamps in µs (None when either is unset, 0)."""
    try:
        start, end = int(start_usec), int(end_usec)
    except ValueError:
        return None
    if start <= 0 or end <= 0 or end < start:
        return None
    return (end - start) / 1e6


def python_stack(journal: str) -> bool:
    """Whether the journal text holds faulthandler's dump with a frame in calmkit's code."""
    return bool(FAULT_HEADER.search(journal) and FAULT_FRAME.search(journal))


def located_error(journal: str) -> str | None:
    """The first ``FILE:LINE: key: message`` line naming the installed config, if any."""
    for line in journal.splitlines():
        match = LOCATED.search(line)
        if match:
            return line[match.start() :].strip()
    return None


def episode_statuses(records: list[str]) -> list[str]:
    """The status of each journal row's record (JSON), in order; rows without one are skipped."""
    out = []
    for text in records:
        with contextlib.suppress(ValueError, TypeError):
            status = json.loads(text).get("status")
            if isinstance(status, str):
                out.append(status)
    return out


def group_name(group_file: Path, gid: int) -> str:
    """The name of a group in a tree's /etc/group (the host's may differ), or the number."""
    for line in group_file.read_text().splitlines():
        fields = line.split(":")
        if len(fields) > 2 and fields[2] == str(gid):
            return fields[0]
    return str(gid)


def probe_result(text: str) -> dict[str, str]:
    """PROBE's line as {what: outcome}."""
    words = text.split()
    return dict(w.split("=", 1) for w in words if "=" in w)


def summary(checks: list[Check]) -> tuple[int, str]:
    failed = [c for c in checks if not c.ok]
    if failed:
        return (
            1,
            f"FAILED: {len(failed)} of {len(checks)} checks "
            f"({', '.join(c.number for c in failed)})",
        )
    return 0, f"all {len(checks)} checks passed"


# ---- the container ------------------------------------------------------------------------------


def nspawn_base(tree: Path) -> list[str]:
    # systemd is not PID 1 on a CI machine: no registration with machined, no scope of its own.
    return ["systemd-nspawn", "--quiet", "--register=no", "--keep-unit", "-D", str(tree)]


def boot_command(tree: Path) -> list[str]:
    return [
        *nspawn_base(tree),
        "--boot",
        # BPF: without it systemd silently skips DevicePolicy= and IPAddressDeny=.
        "--capability=CAP_BPF,CAP_NET_ADMIN",
        "--system-call-filter=bpf",
        "--console=read-only",
        "--private-network",
    ]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def container_init(pid: int) -> int | None:
    """The descendant of nspawn that is PID 1 in its own PID namespace."""
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("NSpid:") and len(line.split()) > 2 and line.split()[-1] == "1":
                    return child
    return None


def wait_for(predicate: Callable[[], object], timeout: float, step: float = 0.2) -> object:
    """Poll until predicate() is truthy (returned) or timeout seconds pass (the last value)."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= end:
            return value
        time.sleep(step)


@dataclass
class Container:
    tree: Path
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    init: int | None = None

    def boot(self) -> None:
        env = {**os.environ, "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY": "1"}
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            boot_command(self.tree), stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env
        )
        out.close()
        found = wait_for(lambda: self.proc.poll() is None and container_init(self.proc.pid), 30)
        if not found:
            raise RuntimeError(f"the container did not come up (see {self.log})")
        self.init = int(found)
        # The manager answers once it is up; then wait for the boot to settle.
        wait_for(
            lambda: (
                self.run("systemctl", "is-system-running").stdout.strip() not in ("", "offline")
            ),
            60,
        )

    def run(self, *cmd: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        assert self.init is not None
        enter = ["nsenter", "-t", str(self.init), "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w"]
        env = ["env", "-i", f"PATH={PATH}", "LANG=C.UTF-8", "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0"]
        try:
            return subprocess.run(
                [*enter, *env, *cmd], capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            return subprocess.CompletedProcess(exc.cmd, 124, "", f"timed out after {timeout} s")

    def show(self, *props: str, unit: str = UNIT) -> dict[str, str]:
        args = [f"-p{p}" for p in props]
        target = [unit] if unit else []
        return parse_show(self.run("systemctl", "show", *args, *target).stdout)

    def journal(self, since: str = "") -> str:
        args = ["journalctl", "-b", "-u", UNIT, "--no-pager", "-o", "cat"]
        if since:
            args += ["--since", since]
        return self.run(*args).stdout

    def signal(self, pid: int, name: str) -> None:
        """A plain kill from inside the container (the shell's: minbase has no procps)."""
        self.run("sh", "-c", f"kill -{name} {pid}")

    def main_pid(self) -> int:
        return int(self.show("MainPID").get("MainPID", "0") or 0)

    def wait_exit(self, timeout: float) -> int | None:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def halt(self) -> int | None:
        """Power the container off (our own nspawn only: stopped by its pid, never by name)."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.run("systemctl", "poweroff", "--no-block")
        status = self.wait_exit(30)
        if status is None:
            self.proc.send_signal(signal.SIGTERM)  # nspawn halts the container
            status = self.wait_exit(15)
        if status is None:
            self.proc.kill()
            status = self.proc.wait()
        return status


# ---- the checks ---------------------------------------------------------------------------------


@dataclass
class Run:
    box: Container
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)  # for bench/results.md

    def record(self, number: str, name: str, ok: bool, figure: str) -> bool:
        check = Check(number, name, bool(ok), figure)
        self.checks.append(check)
        print(check.line(), flush=True)
        return check.ok

    def wait_active(self, timeout: float, other_than: int = 0) -> dict[str, str]:
        props = ("ActiveState", "SubState", "MainPID", "NRestarts", "StatusText", "Result")

        def ready() -> dict[str, str] | None:
            s = self.box.show(*props)
            fresh = s.get("MainPID", "0") not in ("0", str(other_than))
            return s if s.get("ActiveState") == "active" and fresh else None

        return wait_for(ready, timeout) or self.box.show(*props)

    def active_after_boot(self, number: str) -> None:
        s = self.wait_active(60)
        t = self.box.show("ActiveEnterTimestampMonotonic")
        m = self.box.show("UserspaceTimestampMonotonic", unit="")
        to_ready = seconds_between(
            m.get("UserspaceTimestampMonotonic", "0"), t.get("ActiveEnterTimestampMonotonic", "0")
        )
        # From the container's systemd starting (PID 1) to calmkit's READY=1 (Type=notify: the
        # unit becomes active then).
        ready = f"boot to READY {to_ready:.2f} s" if to_ready is not None else "no READY time"
        figure = (
            f"{s.get('ActiveState')}/{s.get('SubState')}, status '{s.get('StatusText', '')}', "
            + ready
        )
        self.record(
            number,
            "active after boot, READY=1 with a status",
            s.get("ActiveState") == "active" and bool(s.get("StatusText")) and to_ready is not None,
            figure,
        )
        if to_ready is not None:
            self.figures[f"boot to READY ({number})"] = f"{to_ready:.2f} s"

    def press(self) -> bool:
        ok = self.box.run("sh", "-c", f"echo down > {FIFO}").returncode == 0
        time.sleep(0.25)
        return ok and self.box.run("sh", "-c", f"echo up > {FIFO}").returncode == 0

    def config_is_private(self, number: str) -> None:
        path = self.box.tree / CONFIG.lstrip("/")
        info = path.stat()
        group = group_name(self.box.tree / "etc/group", info.st_gid)
        mode = oct(info.st_mode & 0o777)
        self.record(
            number,
            "the installed config is 0640 root:calmkit",
            mode == "0o640" and info.st_uid == 0 and group == "calmkit",
            f"{CONFIG} {mode} uid {info.st_uid} group {group}",
        )

    def episodes(self) -> list[str]:
        """Each row of calmkit's journal (read from a copy): its status, or "in flight"."""
        db = self.box.tree / JOURNAL.lstrip("/")
        with tempfile.TemporaryDirectory() as tmp:
            for suffix in ("", "-wal"):
                src = Path(f"{db}{suffix}")
                if src.exists():
                    shutil.copy(src, Path(tmp) / f"journal.db{suffix}")
            if not (Path(tmp) / "journal.db").exists():
                return []
            try:
                with contextlib.closing(sqlite3.connect(Path(tmp) / "journal.db")) as con:
                    rows = con.execute(
                        "SELECT inflight, record FROM episodes ORDER BY id"
                    ).fetchall()
            except sqlite3.Error:  # made, but no table yet: nothing journaled
                return []
        return [
            "in flight" if inflight else status
            for inflight, status in zip(
                [r[0] for r in rows], episode_statuses([r[1] for r in rows]), strict=False
            )
        ]

    def session_started(self, number: str) -> None:
        before = len(self.episodes())
        pressed = self.press()
        rows = wait_for(lambda: self.episodes()[before:], 10)
        self.record(
            number,
            "a press through the mock button's FIFO starts a session",
            pressed and bool(rows),
            f"journal rows after the press: {rows}",
        )

    def no_network_inside(self, number: str, pid: int) -> None:
        """Connect and open a device from inside the service, and from the container for contrast.

        Inside: a process put into the service's cgroup (IPAddressDeny= and DevicePolicy= are BPF
        programs on the cgroup) and its network namespace (PrivateNetwork=). IPAddressDeny= drops
        the packets, so a connect to 127.0.0.1 times out where it would be refused at once.
        """
        cgroup = f"/sys/fs/cgroup/system.slice/{UNIT}/cgroup.procs"
        outside = self.box.run("python3", "-c", PROBE)
        inside = self.box.run(
            # $0 names the script in sh's own error messages; $1 is the probe.
            "sh",
            "-c",
            f'echo $$ > {cgroup} && exec nsenter -t {pid} -n python3 -c "$1"',
            "probe",
            PROBE,
        )
        said = probe_result(inside.stdout)
        seen = probe_result(outside.stdout)
        self.record(
            number + "a",
            "inside the service connect() fails (IPAddressDeny=, PrivateNetwork=)",
            said.get("127.0.0.1:9") in ("timed_out", "EPERM")
            and seen.get("127.0.0.1:9") == "ECONNREFUSED"
            and not [v for v in said.values() if v == "connected"],
            f"inside {said or inside.stderr.strip()}; "
            f"the container itself {seen or outside.stderr.strip()}",
        )
        self.record(
            number + "b",
            "inside the service a closed device is refused (DevicePolicy=closed)",
            said.get("/dev/net/tun") == "EPERM" and seen.get("/dev/net/tun") == "opened",
            f"/dev/net/tun inside {said.get('/dev/net/tun')}, "
            f"in the container {seen.get('/dev/net/tun')}",
        )

    def same_process_past_watchdog(
        self, number: str, pid: int, restarts: str, since: float
    ) -> None:
        time.sleep(max(0.0, since + WATCHDOG_S + 5 - time.monotonic()))
        s = self.box.show("MainPID", "NRestarts", "ActiveState")
        waited = time.monotonic() - since
        self.record(
            number,
            "still the same process past WatchdogSec (the loop pings)",
            s.get("MainPID") == str(pid) and s.get("NRestarts") == restarts,
            f"pid {pid} -> {s.get('MainPID')} after {waited:.0f} s, "
            f"restarts {restarts} -> {s.get('NRestarts')}",
        )

    def stop_is_quick(self, number: str) -> None:
        t0 = time.monotonic()
        result = self.box.run("systemctl", "stop", UNIT, timeout=20)
        took = time.monotonic() - t0
        s = self.box.show("ExecMainStatus", "Result", "ActiveState")
        self.record(
            number,
            "systemctl stop: exit 0 well under TimeoutStopSec",
            result.returncode == 0 and s.get("ExecMainStatus") == "0" and took < TIMEOUT_STOP_S / 2,
            f"{took:.2f} s (limit {TIMEOUT_STOP_S:.0f} s), exit status {s.get('ExecMainStatus')}, "
            f"{s.get('Result')}, {s.get('ActiveState')}",
        )
        self.figures["systemctl stop"] = f"{took:.2f} s"

    def journaled_as_stopped(self, number: str) -> None:
        db = self.box.tree / JOURNAL.lstrip("/")
        mode = oct(db.stat().st_mode & 0o777) if db.exists() else "missing"
        statuses = self.episodes()
        self.record(
            number,
            "a session started by a press, ended by systemctl stop, is journaled as stopped",
            bool(statuses) and statuses[-1] == "stopped",
            f"episodes {statuses}",
        )
        self.record("8c", "the journal file is 0600", mode == "0o600", f"{JOURNAL} {mode}")

    def watchdog_kill(self, number: str) -> None:
        pid = self.box.main_pid()
        since = self.box.run("date", "+%Y-%m-%d %H:%M:%S").stdout.strip()
        t0 = time.monotonic()
        self.box.signal(pid, "STOP")
        s = self.wait_active(WATCHDOG_S + 30, other_than=pid)
        took = time.monotonic() - t0
        text = self.box.journal(since)
        killed = "Watchdog timeout" in text
        stack = python_stack(text)
        self.record(
            number,
            "SIGSTOP: killed by the watchdog with a Python stack, restarted",
            killed and stack and s.get("ActiveState") == "active" and s.get("MainPID") != str(pid),
            f"watchdog {'fired' if killed else 'silent'}, stack {'in' if stack else 'NOT in'} the "
            f"journal, pid {pid} -> {s.get('MainPID')} active again after {took:.1f} s",
        )

    def restarted_after(self, number: str, name: str, signal_name: str) -> None:
        pid = self.box.main_pid()
        t0 = time.monotonic()
        self.box.signal(pid, signal_name)
        s = self.wait_active(30, other_than=pid)
        took = time.monotonic() - t0
        self.record(
            number,
            name,
            s.get("ActiveState") == "active" and s.get("MainPID") not in ("0", str(pid)),
            f"pid {pid} -> {s.get('MainPID')}, active again after {took:.1f} s",
        )

    def broken_config(self, number: str) -> None:
        path = self.box.tree / CONFIG.lstrip("/")
        good = path.read_bytes()
        stat = path.stat()
        try:
            path.write_text(BROKEN_CONFIG)
            os.chown(path, stat.st_uid, stat.st_gid)
            since = self.box.run("date", "+%Y-%m-%d %H:%M:%S").stdout.strip()
            self.box.run("systemctl", "restart", UNIT, timeout=20)
            failed = wait_for(
                lambda: self.box.show("ActiveState").get("ActiveState") == "failed", 20
            )
            first = self.box.show("NRestarts", "ExecMainStatus")
            time.sleep(8)  # longer than RestartSec=: a restart loop would show by now
            later = self.box.show("NRestarts", "ActiveState", "ExecMainStatus")
            located = located_error(self.box.journal(since))
            self.record(
                number,
                "a broken config: exit 2, no restart loop, a located error in the journal",
                bool(failed)
                and later.get("ExecMainStatus") == "2"
                and later.get("NRestarts") == first.get("NRestarts")
                and later.get("ActiveState") == "failed"
                and located is not None,
                f"exit status {later.get('ExecMainStatus')}, {later.get('ActiveState')}, restarts "
                f"{first.get('NRestarts')} -> {later.get('NRestarts')} in 8 s, "
                f"journal: {located!r}",
            )
        finally:
            path.write_bytes(good)
            os.chown(path, stat.st_uid, stat.st_gid)
            os.chmod(path, stat.st_mode & 0o7777)
            self.box.run("systemctl", "reset-failed", UNIT)
            self.box.run("systemctl", "start", UNIT, timeout=30)

    def crash_loop_backs_off(self, number: str) -> None:
        # Only the program is swapped for one that crashes at once (and RestartSec shortened so
        # the test sees many tries quickly); the start limit is the unit's own.
        dropin = self.box.tree / "etc/systemd/system/calmkit.service.d/zz-systemtest-crash.conf"
        dropin.parent.mkdir(parents=True, exist_ok=True)
        dropin.write_text(
            "[Service]\nType=simple\nExecStart=\nExecStart=/bin/sh -c 'exit 1'\nRestartSec=1s\n"
        )
        try:
            self.box.run("systemctl", "daemon-reload")
            self.box.run("systemctl", "restart", UNIT, timeout=20)
            time.sleep(12)
            s = self.box.show("NRestarts", "ActiveState", "SubState", "Result")
            restarts = int(s.get("NRestarts", "0") or 0)
            self.record(
                number,
                "a crash loop keeps trying (no start limit to give up at)",
                restarts >= 6 and s.get("ActiveState") != "failed",
                f"{restarts} restarts in 12 s, still {s.get('ActiveState')}/{s.get('SubState')}",
            )
        finally:
            dropin.unlink()
            self.box.run("systemctl", "daemon-reload")
            self.box.run("systemctl", "reset-failed", UNIT)
            self.box.run("systemctl", "restart", UNIT, timeout=30)
            self.wait_active(30)

    def reboot(self, number: str) -> None:
        self.box.run("systemctl", "reboot", "--no-block")
        status = self.box.wait_exit(60)
        ok = status == REBOOT_STATUS
        if ok:
            self.box.boot()
        s = self.wait_active(60) if ok else {}
        self.record(
            number,
            "reboot: active again",
            ok and s.get("ActiveState") == "active",
            f"nspawn exit {status} (reboot is {REBOOT_STATUS}), booted again: "
            f"{s.get('ActiveState', 'not booted')}",
        )


def run_checks(r: Run) -> None:
    box = r.box
    box.boot()
    r.active_after_boot("1")
    first = box.show("MainPID", "NRestarts")
    pid, restarts, since = (
        int(first.get("MainPID", "0")),
        first.get("NRestarts", ""),
        time.monotonic(),
    )
    r.session_started("9a")
    r.no_network_inside("8", pid)
    r.same_process_past_watchdog("2", pid, restarts, since)
    r.stop_is_quick("5")
    r.journaled_as_stopped("9")
    box.run("systemctl", "start", UNIT, timeout=30)
    r.wait_active(30)
    r.watchdog_kill("3")
    r.restarted_after("4", "SIGKILL: restarted", "KILL")
    r.restarted_after("4b", "a stray SIGTERM (not systemctl): restarted", "TERM")
    r.broken_config("6")
    r.crash_loop_backs_off("6b")
    r.reboot("7")
    r.active_after_boot("7b")
    print("figures: " + ", ".join(f"{k} {v}" for k, v in r.figures.items()), flush=True)


# ---- building and installing --------------------------------------------------------------------


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    print(f"-- {name} ...", flush=True)
    t0 = time.monotonic()
    yield
    print(f"-- {name}: {time.monotonic() - t0:.1f} s", flush=True)


def cannot_run() -> str | None:
    if os.geteuid() != 0:
        return "the system test needs root (debootstrap, systemd-nspawn): sudo make systemtest"
    for tool, package in (
        ("debootstrap", "debootstrap"),
        ("systemd-nspawn", "systemd-container"),
        ("nsenter", "util-linux"),
    ):
        if shutil.which(tool) is None:
            return f"no {tool} here: apt-get install {package}"
    return None


def install(tree: Path, wheelhouse: Path) -> subprocess.CompletedProcess[str]:
    """install.sh inside the tree, as an image build runs it: no systemd running, no network."""
    return subprocess.run(
        [
            *nspawn_base(tree),
            "--private-network",
            f"--bind-ro={REPO}:/src/calmkit",
            f"--bind-ro={wheelhouse}:/src/wheelhouse",
            "bash",
            "/src/calmkit/systemd/install.sh",
            "--wheelhouse",
            "/src/wheelhouse",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


def du(path: Path) -> str:
    return subprocess.run(["du", "-sxh", str(path)], capture_output=True, text=True).stdout.split()[
        0
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--python", default=sys.executable, help="python with pip for the wheels")
    args = parser.parse_args(argv)
    problem = cannot_run()
    if problem:
        print(f"systemtest: SKIP: {problem}", flush=True)
        return CANNOT_RUN
    t_start = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="calmkit-systemtest-", dir="/var/tmp"))
    tree, wheelhouse, log = work / "tree", work / "wheelhouse", work / "boot.log"
    box = Container(tree, log)
    report = Run(box)
    checks = report.checks
    try:
        with stage("tree"):
            made = subprocess.run([str(HERE / "tree.sh"), str(tree)])
            if made.returncode == UNREACHABLE:
                print("systemtest: SKIP: Debian's package archive could not be reached", flush=True)
                return UNREACHABLE
            if made.returncode != 0:
                print("systemtest: FAIL: the bookworm tree could not be made", flush=True)
                return 1
        print(f"-- tree size before install: {du(tree)}", flush=True)
        with stage("wheelhouse"):
            wheels = subprocess.run(
                [str(REPO / "systemd/wheelhouse.sh"), str(wheelhouse)],
                env={**os.environ, "PYTHON": args.python},
            )
            if wheels.returncode != 0:
                print(
                    "systemtest: SKIP: the Python packages could not be fetched (PyPI?)", flush=True
                )
                return UNREACHABLE
        t0 = time.monotonic()
        with stage("install.sh inside the tree"):
            result = install(tree, wheelhouse)
        install_s = time.monotonic() - t0
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", flush=True)
        report.record(
            "0",
            "install.sh --wheelhouse inside the tree, no systemd running",
            result.returncode == 0,
            f"exit {result.returncode} in {install_s:.1f} s, tree {du(tree)}",
        )
        if result.returncode != 0:
            return 1
        report.config_is_private("0b")
        run_checks(report)
    except Exception as exc:  # the report must end with a verdict, whatever broke
        report.record("!", "the test itself", False, f"{type(exc).__name__}: {exc}")
    finally:
        halted = box.halt()
        if halted is not None:
            print(f"-- container powered off (nspawn exit {halted})", flush=True)
        if log.exists() and any(not c.ok for c in checks):
            print(
                "-- last lines of the boot log:\n"
                + "\n".join(log.read_text(errors="replace").splitlines()[-40:])
            )
        if args.keep:
            print(f"-- kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    status, verdict = summary(checks)
    print(f"systemtest: {verdict} in {time.monotonic() - t_start:.0f} s", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
