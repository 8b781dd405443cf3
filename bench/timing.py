"""Timing: phase boundaries of a 10-minute in-5 / out-5 breath at 50 fps, against the ideal.

    python bench/timing.py --impl calmkit|pulse|naive [--seconds 600]

Three ways to pace one PWMLED on gpiozero's mock pins with the real clock:

- calmkit: the whole device (app.build on mock pins) playing the bench program (in 5 s, out 5 s,
  60 breaths) at its configured 50 fps, driven by its runner (absolute deadlines);
- pulse: gpiozero's own ``PWMLED.pulse(fade_in_time=5, fade_out_time=5, n=60)``, as it is
  (its internal ``_blink_device`` steps at fps=25 with ``Event.wait(1/25)`` per step);
- naive: a loop that sets the value from a frame counter, then ``sleep(1/50)``;
- deadline (for reference, the control): the same loop sleeping to absolute deadlines
  (``start + k/50``), the best a bare Python loop does on this machine under its present load.

The light pin's history (``pin.states``: each timestamp is the time since the previous change)
is summed back into absolute times. Each boundary is looked for half a breath after the one before
it (see find_boundaries): a peak is the first change to the highest value there (the end of an
inhale), a trough the first change to the lowest (the end of an exhale). Peak k is due at
``start + 5 + 10k`` s, trough k at ``start + 10 + 10k`` s, where ``start`` is the moment the
bench asked for the breathing to begin: the stamp of the ``runner.start()`` request for calmkit,
just before ``pulse()`` for gpiozero, just before the first frame for the naive loop. (Taking the
first change from 0 as the start instead would shift every error by one frame, 20 or 40 ms, and
hide nothing else; that first change is reported as ``first_change_ms``.)

For calmkit, the pin history is also compared change by change with the same device on a perfect
clock (``against_perfect_clock``): the same config, program and caps run on a FakeClock, where
every write lands at the exact time the runner worked it out for. Since the runner sleeps and
writes the lamp only when one of its 1024 PWM steps changes, the top of a breath is a run of
frames at one step and the peak of the history is no longer the boundary; every change, and the
first change after each phase boundary, against its perfect twin is the timing of the light.

Prints one JSON object: the error of every boundary (|actual - ideal|) as p50, p99 and max in ms,
the signed error of the last boundary (the drift at the end) and the error per minute.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from datetime import datetime
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (
    BENCH_PROGRAM,
    FPS,
    HALF_S,
    bench_config,
    emit,
    history,
    mock_pins,
    sleep_until,
    spread,
    wake_lateness,
)


def run_calmkit(cycles: int) -> tuple[Any, float, float | None, dict[str, Any]]:
    from calmkit.core.clock import MonotonicClock

    config = bench_config(cycles=cycles)
    ended: list[float] = []
    began: list[float] = []
    phases: list[tuple[float, float]] = []  # (monotonic when dispatched, due on the flow's line)

    def on_event(event: Any) -> None:
        if event.kind == "session_end":
            ended.append(time.monotonic())
        elif event.kind == "session_start":
            began.append(event.t)
        elif event.kind == "phase" and event.due is not None:
            phases.append((time.monotonic(), event.due))

    app, pin, start = bench_app(config, MonotonicClock(), on_event)
    lateness = wake_lateness(app.runner.waiter)
    app.runner.run()
    info = {
        "fps": app.config.light.fps,
        "session_started_after_request_ms": (
            (app.flow.origin + began[0] - start) * 1e3 if began else None
        ),
        "frames": app.runner.frames,
        "wake_lateness": spread(lateness),
        # Each phase boundary as the runner handled it (the frame written then carries the new
        # phase's light): its lateness against start + due. Since the runner writes only the
        # frames that change a duty on its 1024 PWM steps, the pin's top step can be reached a
        # frame or two before the boundary (the curve is flat there), so the pin-history figures
        # below read early by up to that; this is the boundary's own timing.
        "phase_boundaries_late": spread(
            [max(0.0, stamp - (app.flow.origin + due)) for stamp, due in phases]
        ),
    }
    app.close()
    # Stop at the session's end: after it the light fades out (0.8 s) by design.
    cut = ended[0] + 0.010 if ended else None
    return pin, start, cut, info


def bench_app(config: Any, clock: Any, on_event: Any) -> tuple[Any, Any, float]:
    """The whole device on mock pins playing the bench program: the app, its light pin, and the
    time of its start request."""
    from calmkit.shell.app import build

    app = build(
        config,
        clock=clock,
        pins=mock_pins(),
        program=BENCH_PROGRAM,
        sound=False,
        journal=False,
        on_event=on_event,
    )
    # build() has just queued the start request, stamped with the clock: that is the start.
    # (A SimpleQueue cannot be peeked: take the request out and put it back, stamp unchanged.)
    request = app.runner.items.get_nowait()
    app.runner.items.put(request)
    if request[0] != "start":
        raise RuntimeError(f"expected build() to queue the start request, found {request!r}")
    return app, app.devices.light_pins[0], request[2]


def perfect_clock_history(cycles: int) -> tuple[list[float], list[float], list[float]]:
    """The same device and program on a perfect clock: its light pin's changes (times from the
    start request, values) and the phase boundaries (from the start), as the runner means them.

    A FakeClock moves only to each deadline, so every write is at the exact time the runner
    worked it out for. gpiozero's mock pins stamp their history with ``time.monotonic``, which
    is pointed at the fake clock for this run.
    """
    import gpiozero.pins.mock as mock

    from calmkit.core.clock import FakeClock

    # the real run's clock says nothing of synchronisation (None): the same caps on both
    clock = FakeClock(wall_start=datetime.now().astimezone(), synced=None)
    boundaries: list[float] = []

    def on_event(event: Any) -> None:
        if event.kind == "phase" and event.due is not None:
            boundaries.append(event.due)

    real_monotonic = mock.monotonic
    mock.monotonic = clock.now
    try:
        app, pin, start = bench_app(bench_config(cycles=cycles), clock, on_event)
        app.runner.run()
        times, values = history(pin)
        app.close()
    finally:
        mock.monotonic = real_monotonic
    # the session's own ending fades the light out (by design): keep the session's changes only
    end = boundaries[-1] + 2 * HALF_S if boundaries else math.inf
    kept = [(t - start, v) for t, v in zip(times, values, strict=True) if t - start <= end]
    return [t for t, _ in kept], [v for _, v in kept], boundaries


def against_perfect_clock(
    real: tuple[list[float], list[float]],
    ideal: tuple[list[float], list[float]],
    boundaries: list[float],
) -> dict[str, Any]:
    """Each pin change of the real run paired with the same change on a perfect clock, in order.

    A sleeping runner writes the lamp only when its PWM step changes, so the top of a breath is
    a run of frames at one step, and the peak of the pin's history is not the boundary: this
    compares every change instead, which is what the light does. A change the real run made
    that the perfect one did not (a frame dropped after a stall writes the frame of now) is
    skipped in both until they agree again, and counted.
    """
    rt, rv = real
    it, iv = ideal
    errors: list[float] = []
    at_boundary: list[float] = []
    far: list[tuple[float, float]] = []  # (time on the perfect clock, signed error in ms)
    last = float("nan")  # the signed error of the last change paired: the drift at the end
    unmatched = 0
    firsts = set()  # the first change at or after each boundary, on the perfect clock
    j = 0
    for b in boundaries:
        while j < len(it) and it[j] < b - 1e-9:
            j += 1
        if j < len(it):
            firsts.add(j)
    i = j = 0
    while i < len(rt) and j < len(it):
        if rv[i] == iv[j]:
            last = rt[i] - it[j]
            error = abs(last)
            errors.append(error)
            if error > 0.005:
                far.append((round(it[j], 3), round((rt[i] - it[j]) * 1e3, 2)))
            if j in firsts:
                at_boundary.append(error)
            i += 1
            j += 1
            continue
        unmatched += 1
        # resync: the nearest later pair that agrees (within a few changes)
        found = next(
            (
                (a, b)
                for step in range(1, 8)
                for a, b in ((i + step, j), (i, j + step), (i + step, j + step))
                if a < len(rt) and b < len(it) and rv[a] == iv[b]
            ),
            None,
        )
        if found is None:
            i, j = i + 1, j + 1
        else:
            i, j = found
    return {
        "changes_real": len(rt),
        "changes_perfect": len(it),
        "unmatched": unmatched,
        "every_change": spread(errors),
        "first_change_after_each_boundary": spread(at_boundary),
        "last_change_error_ms": last * 1e3,
        "off_by_over_5_ms": len(far),
        "first_off_by_over_5_ms": far[:20],
    }


def run_pulse(cycles: int) -> tuple[Any, float, float | None, dict[str, Any]]:
    from gpiozero import PWMLED

    factory = mock_pins().factory
    led = PWMLED(18, pin_factory=factory)
    start = time.monotonic()
    led.pulse(fade_in_time=HALF_S, fade_out_time=HALF_S, n=cycles, background=True)
    thread = led._blink_thread  # what pulse(background=False) would join
    if thread is not None:
        thread.join()
    pin = led.pin
    led.close()
    return pin, start, None, {"fps": 25}


def run_naive(cycles: int) -> tuple[Any, float, float | None, dict[str, Any]]:
    from gpiozero import PWMLED

    factory = mock_pins().factory
    led = PWMLED(18, pin_factory=factory)
    half = int(HALF_S * FPS)
    frames = 2 * half * cycles
    start = time.monotonic()
    for i in range(frames + 1):
        pos = i % (2 * half)
        led.value = pos / half if pos <= half else (2 * half - pos) / half
        time.sleep(1 / FPS)
    pin = led.pin
    led.close()
    return pin, start, None, {"fps": FPS}


def run_deadline(cycles: int) -> tuple[Any, float, float | None, dict[str, Any]]:
    from gpiozero import PWMLED

    factory = mock_pins().factory
    led = PWMLED(18, pin_factory=factory)
    half = int(HALF_S * FPS)
    frames = 2 * half * cycles
    late: list[float] = []
    start = time.monotonic()
    for i in range(frames + 1):
        due = start + i / FPS
        sleep_until(due)
        late.append(time.monotonic() - due)
        pos = i % (2 * half)
        led.value = pos / half if pos <= half else (2 * half - pos) / half
    pin = led.pin
    led.close()
    return pin, start, None, {"fps": FPS, "wake_lateness": spread(late)}


def find_boundaries(
    times: list[float], values: list[float], start: float, count: int, plateau: bool = False
) -> list[float | None]:
    """Times of the first ``count`` boundaries (peak, trough, peak, ...) of a pin's history.

    Each boundary is looked for in a window of one half-breath centred one half-breath after the
    boundary found before it (or after ``start``), so a pacer that drifts is followed, and a
    boundary that is not there (a stall of the machine longer than a breath) is reported missing
    (None) without shifting the ones after it onto the wrong ideal time. In its window a peak is
    the first change to the highest value, a trough the first change to the lowest: the end of an
    inhale, the end of an exhale.
    """
    found: list[float | None] = []
    anchor = start
    i = 0
    n = len(times)
    for j in range(count):
        centre = anchor + HALF_S
        lo, hi = centre - HALF_S / 2, centre + HALF_S / 2
        while i < n and times[i] < lo:
            i += 1
        best: int | None = None
        k = i
        while k < n and times[k] <= hi:
            if k > 0 and (
                best is None
                or (values[k] > values[best] if j % 2 == 0 else values[k] < values[best])
            ):
                best = k
            k += 1
        if best is None or best == 0:
            found.append(None)
            anchor = centre  # carry on from where it should have been
        else:
            at = times[best]
            if plateau:  # the middle of the run at that value: the turn of a symmetric curve
                end = best + 1
                while end < n and values[end] == values[best]:
                    end += 1
                if end < n:
                    at = (times[best] + times[end]) / 2
            found.append(at)
            anchor = at
    return found


def analyse(
    pin: Any, start: float, cut: float | None, cycles: int, plateau: bool = False
) -> dict[str, Any]:
    times, values = history(pin)
    if cut is not None:
        keep = [i for i, t in enumerate(times) if t <= cut]
        times = [times[i] for i in keep]
        values = [values[i] for i in keep]
    found = find_boundaries(times, values, start, 2 * cycles, plateau)
    errors: list[tuple[float, float]] = []  # (ideal time from start, signed error)
    missing: list[float] = []
    for j, t in enumerate(found):
        ideal = HALF_S * (j + 1)
        if t is None:
            missing.append(ideal)
        else:
            errors.append((ideal, t - start - ideal))
    absolute = [abs(e) for _, e in errors]
    end_ideal, end_error = errors[-1] if errors else (float("nan"), float("nan"))
    first_change = next((t for t, v in zip(times, values, strict=True) if v != values[0]), None)
    result: dict[str, Any] = {
        "boundaries_expected": 2 * cycles,
        "missing": missing,
        "changes": len(times) - 1,
        **spread(absolute),
        "end_boundary_s": end_ideal,
        "end_drift_ms": end_error * 1e3,
        "drift_ms_per_min": end_error * 1e3 / (end_ideal / 60.0) if errors else float("nan"),
        "mean_error_ms": sum(e for _, e in errors) / len(errors) * 1e3 if errors else None,
        "first_change_ms": None if first_change is None else (first_change - start) * 1e3,
    }
    if missing:
        result["warning"] = (
            f"{len(missing)} of {2 * cycles} boundaries not found, the first due at "
            f"{missing[0]:.0f} s"
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=("calmkit", "pulse", "naive", "deadline"), required=True)
    parser.add_argument("--seconds", type=float, default=600.0, help="length (whole breaths)")
    args = parser.parse_args()
    cycles = max(1, round(args.seconds / (2 * HALF_S)))
    runner = {
        "calmkit": run_calmkit,
        "pulse": run_pulse,
        "naive": run_naive,
        "deadline": run_deadline,
    }[args.impl]
    load_start = list(os.getloadavg())
    cpu0, wall0 = time.process_time(), time.monotonic()
    pin, start, cut, info = runner(cycles)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    if args.impl == "calmkit":
        times, values = history(pin)
        if cut is not None:
            times, values = zip(*[(t, v) for t, v in zip(times, values) if t <= cut]) or ([], [])
        ideal_t, ideal_v, boundaries = perfect_clock_history(cycles)
        info["against_perfect_clock"] = against_perfect_clock(
            ([t - start for t in times], list(values)), (ideal_t, ideal_v), boundaries
        )
    result = {
        "impl": args.impl,
        "seconds": cycles * 2 * HALF_S,
        "cycles": cycles,
        **info,
        # calmkit writes the lamp on 1024 PWM steps and only when a step changes: the top (and
        # the bottom) of a breath is a run of frames at one step, whose first change comes before
        # the turn; its middle is the turn (the curve is symmetric there)
        **analyse(pin, start, cut, cycles, plateau=args.impl == "calmkit"),
        "wall_s": wall,
        "cpu_s": cpu,
        "loadavg_start": load_start,
    }
    emit(result)


if __name__ == "__main__":
    main()
