"""tests/system/boot/systemtest.py: the pieces that read what the booted container says.

The system test itself needs root and a network (`make systemtest`); these run everywhere.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).resolve().parent / "boot" / "systemtest.py"


@pytest.fixture(scope="module")
def st():
    spec = importlib.util.spec_from_file_location("calmkit_systemtest", DRIVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_parse_show(st):
    text = "ActiveState=active\nStatusText=waiting for a press\nExecMainStatus=0\nnoise\n"
    assert st.parse_show(text) == {
        "ActiveState": "active",
        "StatusText": "waiting for a press",
        "ExecMainStatus": "0",
    }
    assert st.parse_show("Environment=A=1 B=2\n") == {"Environment": "A=1 B=2"}


def test_seconds_between(st):
    assert st.seconds_between("1000000", "1670000") == pytest.approx(0.67)
    assert st.seconds_between("0", "1670000") is None  # never reached
    assert st.seconds_between("2000000", "1000000") is None
    assert st.seconds_between("", "1") is None


FAULT = """calmkit.service: Watchdog timeout (limit 30s)!
calmkit.service: Killing process 104 (calmkit) with signal SIGABRT.
Fatal Python error: Aborted

Current thread 0x00007f3c (most recent call first):
  File "/usr/lib/python3.11/threading.py", line 324 in wait
  File "/opt/calmkit/venv/lib/python3.11/site-packages/calmkit/shell/runner.py", line 301 in run
calmkit.service: Main process exited, code=dumped, status=6/ABRT
"""


def test_python_stack_needs_the_header_and_a_calmkit_frame(st):
    assert st.python_stack(FAULT)
    assert not st.python_stack("calmkit.service: Main process exited, code=dumped, status=6/ABRT")
    without_calmkit = "\n".join(line for line in FAULT.splitlines() if "calmkit/shell" not in line)
    assert not st.python_stack(without_calmkit)


def test_located_error(st):
    text = (
        "Starting calmkit.service ...\n"
        "/etc/calmkit/calmkit.yaml:2: light.brightness: expected a number from 0 to 1, got 7\n"
        "calmkit.service: Main process exited, code=exited, status=2/INVALIDARGUMENT\n"
    )
    assert st.located_error(text) == (
        "/etc/calmkit/calmkit.yaml:2: light.brightness: expected a number from 0 to 1, got 7"
    )
    assert st.located_error("calmkit: the config is broken\n") is None
    assert st.located_error("/tmp/other.yaml:2: light.brightness: bad\n") is None


def test_episode_statuses_skip_what_is_not_a_record(st):
    rows = [json.dumps({"status": "completed"}), "not json", json.dumps({"x": 1}), '{"status": 3}']
    rows.append(json.dumps({"status": "stopped"}))
    assert st.episode_statuses(rows) == ["completed", "stopped"]


def test_probe_result(st):
    line = "127.0.0.1:9=timed_out /dev/net/tun=EPERM\n"
    assert st.probe_result(line) == {"127.0.0.1:9": "timed_out", "/dev/net/tun": "EPERM"}


def test_summary_and_lines(st):
    ok = st.Check("1", "active after boot", True, "0.67 s")
    bad = st.Check("3", "watchdog", False, "silent")
    assert ok.line() == "PASS  1 active after boot: 0.67 s"
    assert bad.line().startswith("FAIL  3 watchdog")
    assert st.summary([ok]) == (0, "all 1 checks passed")
    status, verdict = st.summary([ok, bad])
    assert status == 1 and "1 of 2" in verdict and "3" in verdict


def test_boot_enforces_bpf_and_needs_no_registration(st, tmp_path):
    cmd = st.boot_command(tmp_path)
    assert "--register=no" in cmd and "--keep-unit" in cmd and "--boot" in cmd
    assert "--capability=CAP_BPF,CAP_NET_ADMIN" in cmd
    assert "--system-call-filter=bpf" in cmd
    assert "--private-network" in cmd


def test_not_root_is_a_skip_not_a_failure(st, monkeypatch, capsys):
    monkeypatch.setattr(st.os, "geteuid", lambda: 1000)
    assert st.main([]) == st.CANNOT_RUN
    assert "SKIP" in capsys.readouterr().out


def test_group_name_reads_the_trees_group_file(st, tmp_path):
    groups = tmp_path / "group"
    groups.write_text("root:x:0:\naudio:x:29:calmkit\ncalmkit:x:999:\n")
    assert st.group_name(groups, 999) == "calmkit"
    assert st.group_name(groups, 29) == "audio"
    assert st.group_name(groups, 4242) == "4242"
