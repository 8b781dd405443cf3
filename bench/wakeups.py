"""Wakeups: how often the runner wakes, today's main runner beside this one, at real speed.

    python bench/wakeups.py [--seconds 60] [--only idle|box|coherent|idle_chore]
    python bench/wakeups.py --child SCENARIO --src DIR --seconds S   (one run, in its own process)

For each scenario the runner runs in the main thread on the real clock and gpiozero's mock pins
for ``--seconds``, and the main thread's voluntary context switches
(``/proc/thread-self/status``, ``voluntary_ctxt_switches``: each is a wait that slept) and its
CPU time (``time.thread_time``) are read before and after. The old runner is calmkit's ``src``
at OLD_COMMIT (the main branch before the runner slept), copied out with ``git archive`` into a
temporary directory at bench time and imported from there in a process of its own; the new one
is this checkout's.

- idle: a box waiting for a press (no chores due): the goal is 0 wakeups.
- idle_chore (new only): idle with a chore once a minute (the wearable's battery read): one.
- wearable_idle (new only): the packaged wearable profile (config/wearable.yaml: the DRV2605L
  and the MAX17048 on the simulated I2C bus, no lamp) waiting for a press: its battery read once
  a minute, and 0 wakeups between the reads.
- box: a haptic-only `box` session (the DRV2605L on the simulated I2C bus, the only output):
  the goal is wakeups at most 1.2 x the RTP writes (each a distinct value: the chip's driver
  writes only a changed byte), the physical minimum.
- coherent: the lamp's `coherent` session (lamp and motor): fewer wakeups than the old runner,
  at the same smoothness: the sequence of distinct lamp duties written (on the lamp's
  resolution, devices.pwm.PWM_STEPS) must be the same.

Timing: every wait that ran to its deadline is timed against it (its lateness, p99 < 2 ms),
and so is each phase boundary (the flow's tick against its deadline).

Prints one JSON object (the last line), as every bench script does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, emit, spread, wake_lateness

#: The main branch before this change: the runner drawing every frame at light.fps.
OLD_COMMIT = "0a6f1e4"
SCENARIOS = ("idle", "idle_chore", "wearable_idle", "box", "coherent")
#: Scenarios the old runner cannot run (no chores to add, no battery gauge).
NEW_ONLY = ("idle_chore", "wearable_idle")
HAPTIC_YAML = "hardware:\n  vibration: null\n  outputs: [{kind: haptic}]\n"
#: The lamp's resolution the smoothness is compared on (devices/pwm.py: PWM_STEPS).
LAMP_STEPS = 1024


def thread_status() -> dict[str, int]:
    fields = {}
    with open("/proc/thread-self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key.endswith("ctxt_switches"):
                fields[key] = int(value)
    return fields


def on_step(duty: float) -> int:
    step = round(duty * LAMP_STEPS)
    return step if step or duty <= 0.0 else 1


# --- one run, in its own process (--child) ------------------------------------------------------


def child(scenario: str, src: str, seconds: float) -> dict[str, Any]:
    sys.path.insert(0, src)  # before any calmkit import: the runner under test
    from gpiozero.pins.mock import MockFactory, MockPWMPin

    import calmkit
    from calmkit.config import parse_config
    from calmkit.core.clock import MonotonicClock
    from calmkit.devices import Role
    from calmkit.devices.hardware import PinChoice
    from calmkit.shell.app import build
    from calmkit.shell.runner import Runner

    if not str(Path(calmkit.__file__).resolve()).startswith(str(Path(src).resolve())):
        raise RuntimeError(f"calmkit came from {calmkit.__file__}, not {src}")
    clock = MonotonicClock()
    factory = MockFactory(pin_class=MockPWMPin)
    program = {"box": "box", "coherent": "coherent"}.get(scenario)
    text = {"box": HAPTIC_YAML, "wearable_idle": (ROOT / "config" / "wearable.yaml").read_text()}
    config = parse_config(text.get(scenario, ""), "bench.yaml")
    app = build(
        config,
        clock=clock,
        pins=PinChoice(factory, True),
        program=program,
        sound=False,
        journal=False,
    )
    runner = app.runner
    writes: list[float] = []
    if scenario == "box":  # the haptic alone drives the session: a runner of its own for it
        haptic = next(o for o in app.devices.outputs if o.role == Role.MOTOR)
        runner = Runner(app.flow, [haptic], clock, caps=app.runner.caps, fps=app.runner.fps)
        runner.items = app.runner.items  # build() queued the start on it
        runner.waiter.items = runner.items
        driver = haptic.driver
        inner_rtp = driver.set_realtime_input

        def set_realtime_input(value: int) -> Any:
            writes.append(value)
            return inner_rtp(value)

        driver.set_realtime_input = set_realtime_input
    if scenario == "idle_chore":
        if not hasattr(runner.chores, "add"):
            raise RuntimeError("this runner has no Chores.add")

        class Minute:
            due: float | None = clock.now() + 60.0

            def run(self, now: float) -> None:
                self.due = now + 60.0

        runner.chores.add(Minute())
    reads: list[float] = []
    if scenario == "wearable_idle":
        battery = runner.chores.battery
        if battery is None:
            raise RuntimeError("the wearable profile reads no battery gauge")
        inner_read = battery.gauge.reading

        def reading() -> Any:
            reads.append(time.monotonic())
            return inner_read()

        battery.gauge.reading = reading
    late = wake_lateness(runner.waiter)
    boundaries: list[float] = []
    flow = app.flow
    inner_tick = flow.tick

    def tick() -> Any:
        due = flow.next_deadline()
        if due is not None:
            boundaries.append(max(0.0, time.monotonic() - due))
        return inner_tick()

    flow.tick = tick
    timer = threading.Timer(seconds, lambda: runner.request_stop("bench"))
    timer.daemon = True
    before, cpu0, wall0 = thread_status(), time.thread_time(), time.monotonic()
    timer.start()
    runner.run()
    after, cpu, wall = thread_status(), time.thread_time() - cpu0, time.monotonic() - wall0
    lamp: list[int] = []
    if scenario == "coherent":
        for state in app.devices.light_pins[0].states:
            step = on_step(float(state.state))
            if not lamp or lamp[-1] != step:
                lamp.append(step)
    app.close()
    wakeups = after["voluntary_ctxt_switches"] - before["voluntary_ctxt_switches"]
    minutes = wall / 60.0
    return {
        "scenario": scenario,
        "wall_s": wall,
        "wakeups": wakeups,
        "wakeups_per_min": wakeups / minutes,
        "involuntary": after["nonvoluntary_ctxt_switches"] - before["nonvoluntary_ctxt_switches"],
        "cpu_s_per_min": cpu / minutes,
        "frames": runner.frames,
        "waits_to_deadline": len(late),
        "wake_lateness": spread(late),
        "boundary_lateness": spread(boundaries),
        "battery_reads": len(reads),
        "rtp_writes": len(writes),
        "rtp_distinct_values": len(set(writes)),
        "rtp_writes_per_min": len(writes) / minutes,
        "lamp_steps": lamp,
    }


# --- the driver: both runners, each scenario in its own process ---------------------------------


def old_src(into: Path) -> Path:
    """calmkit's src at OLD_COMMIT, copied out with git archive (never committed)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", OLD_COMMIT, "src", "config", "sounds"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def run_child(scenario: str, src: Path, seconds: float) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            scenario,
            "--src",
            str(src),
            "--seconds",
            str(seconds),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "SDL_AUDIODRIVER": "dummy", "SDL_VIDEODRIVER": "dummy"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--only", choices=SCENARIOS)
    parser.add_argument("--child", choices=SCENARIOS)
    parser.add_argument("--src")
    args = parser.parse_args()
    if args.child:
        emit(child(args.child, args.src, args.seconds))
        return
    load_start = list(os.getloadavg())
    result: dict[str, Any] = {"seconds": args.seconds, "old_commit": OLD_COMMIT}
    with tempfile.TemporaryDirectory(prefix="calmkit-old-") as tmp:
        runners = {"old": old_src(Path(tmp)), "new": ROOT / "src"}
        for scenario in [args.only] if args.only else SCENARIOS:
            for name, src in runners.items():
                if scenario in NEW_ONLY and name == "old":
                    continue  # the old runner has no way to add a chore, nor a gauge
                run = run_child(scenario, src, args.seconds)
                result[f"{scenario}_{name}"] = run
    if "coherent_new" in result:
        old, new = result["coherent_old"], result["coherent_new"]
        result["coherent_same_smoothness"] = old.pop("lamp_steps") == new.pop("lamp_steps")
        result["coherent_fewer_wakeups"] = new["wakeups"] < old["wakeups"]
    if "box_new" in result:
        box = result["box_new"]
        result["box_within_1_2x"] = box["wakeups"] <= 1.2 * box["rtp_writes"]
    for run in result.values():
        if isinstance(run, dict):
            run.pop("lamp_steps", None)
    result["loadavg_start"] = load_start
    emit(result)


if __name__ == "__main__":
    main()
