"""CPU (process time) per minute: a session at 50 fps, a bare deadline loop, and the idle box.

    python bench/cpu.py --mode session|bare|idle [--seconds 60] [--sound]

- session: the whole device (app.build on mock pins, real clock, no sound, no journal) playing
  the bench program (in 5 / out 5) at 50 fps, its runner in a thread;
- bare: the least a 50 fps light needs: a thread that sleeps to absolute deadlines
  (``origin + k/50``) and sets a PWMLED's value (a triangle from the frame number), same pins;
- bare-pin: the same loop writing the duty to the pin itself (``led.pin.state``, as calmkit's
  Devices.write does), skipping PWMLED.value's checks: the floor for any pacer on these pins;
- idle: the appliance as ``calmkit run`` has it, with no program: build() then runner.run() in a
  thread, waiting for a press (``--sound`` also opens pygame's mixer; set SDL_AUDIODRIVER=dummy
  where there is no sound card); ``--after-session`` first plays a 2-second program through the
  whole flow (quiet offer and question shortened to 1 s each) and waits until the box is idle
  again plus the runner's AUDIO_IDLE_S, then measures: the idle a box spends most nights in.

CPU is ``time.process_time()`` (every thread of the process, user + system) over the measured
window, after a settling second; the result is scaled to seconds of CPU per minute.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (
    BENCH_PROGRAM,
    BENCH_YAML,
    FPS,
    bench_config,
    emit,
    mock_pins,
    os_threads,
    rss_mb,
    threads,
)

SETTLE_S = 1.0
#: After the flow is idle again: its light fade (1.5 s) and a little more.
FADE_MARGIN_S = 2.5


def measure(seconds: float, count: Any) -> dict[str, Any]:
    """Process time and wall time over the next ``seconds``; ``count()`` frames or writes."""
    time.sleep(SETTLE_S)
    ru0 = os.times()
    cpu0, wall0, n0 = time.process_time(), time.monotonic(), count()
    time.sleep(seconds)
    cpu, wall, n = time.process_time() - cpu0, time.monotonic() - wall0, count() - n0
    ru = os.times()
    return {
        "window_s": wall,
        "cpu_s": cpu,
        "cpu_s_per_min": cpu / wall * 60.0,
        "user_s": ru.user - ru0.user,
        "system_s": ru.system - ru0.system,
        "frames": n,
        "frames_per_s": n / wall,
        "threads": threads(),
        "os_threads": os_threads(),
        "rss_mb": rss_mb(),
    }


AFTER_SESSION_YAML = """
flow: {quiet_offer_s: 1, helped_s: 1}
"""
TINY_PROGRAM = "tiny"
TINY_YAML = """
  tiny:
    description: Bench, one breath
    steps: [{inhale: 1}, {exhale: 1}]
    cycles: 1
"""


def run_app(
    seconds: float, program: str | None, sound: bool, after_session: bool = False
) -> dict[str, Any]:
    from calmkit.core.clock import MonotonicClock
    from calmkit.shell.app import build

    try:
        from calmkit.shell.chores import AUDIO_IDLE_S
    except ImportError:  # an older calmkit, measured side by side: the runner had it
        from calmkit.shell.runner import AUDIO_IDLE_S

    config = bench_config()
    if after_session:
        from calmkit.config import parse_config

        config = parse_config(BENCH_YAML + TINY_YAML + AFTER_SESSION_YAML, "bench.yaml")
    idle_again = threading.Event()
    sessions = []

    def on_event(event: Any) -> None:
        if event.kind == "session_start":
            sessions.append(event)
        elif event.kind == "state" and event.data.get("state") == "idle" and sessions:
            idle_again.set()

    app = build(
        config,
        clock=MonotonicClock(),
        pins=mock_pins(),
        program=program,
        sound=sound,
        journal=False,
        on_event=on_event,
    )
    thread = threading.Thread(target=app.runner.run, name="runner")
    thread.start()
    try:
        if after_session:
            app.runner.start(TINY_PROGRAM)
            if not idle_again.wait(30):
                raise RuntimeError("the short session did not come back to idle within 30 s")
            time.sleep(AUDIO_IDLE_S + FADE_MARGIN_S)
        audio_open_before = bool(app.audio is not None and app.audio.is_open)
        result = measure(seconds, lambda: app.runner.frames)
        result["audio_open_at_start"] = audio_open_before
        result["audio_open"] = bool(app.audio is not None and app.audio.is_open)
    finally:
        app.runner.request_stop("bench over")
        thread.join()
        app.close()
    return result


def run_bare(seconds: float, to_pin: bool = False) -> dict[str, Any]:
    from gpiozero import PWMLED

    led = PWMLED(18, pin_factory=mock_pins().factory)
    pin = led.pin
    stop = threading.Event()
    frames = [0]

    def loop() -> None:
        half = int(5 * FPS)
        origin = time.monotonic()
        k = 0
        while not stop.is_set():
            k += 1
            delay = origin + k / FPS - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pos = k % (2 * half)
            value = pos / half if pos <= half else (2 * half - pos) / half
            if to_pin:
                pin.state = value
            else:
                led.value = value
            frames[0] += 1

    thread = threading.Thread(target=loop, name="bare")
    thread.start()
    try:
        return measure(seconds, lambda: frames[0])
    finally:
        stop.set()
        thread.join()
        led.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("session", "bare", "bare-pin", "idle"), required=True)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sound", action="store_true", help="idle: open the mixer too")
    parser.add_argument("--after-session", action="store_true", help="idle: after a session")
    args = parser.parse_args()
    load_start = list(os.getloadavg())
    if args.mode == "session":
        result = run_app(args.seconds, BENCH_PROGRAM, sound=False)
    elif args.mode == "idle":
        result = run_app(args.seconds, None, sound=args.sound, after_session=args.after_session)
    else:
        result = run_bare(args.seconds, to_pin=args.mode == "bare-pin")
    emit(
        {
            "mode": args.mode,
            "sound": args.sound,
            "after_session": args.after_session,
            **result,
            "loadavg_start": load_start,
        }
    )


if __name__ == "__main__":
    main()
