"""Run every calmkit benchmark, each in its own process, and write bench/results.md.

    python bench/run_all.py            # everything, about 22 minutes (`make bench`)
    python bench/run_all.py --quick    # shorter durations, a smoke check (about 3 minutes)
    python bench/run_all.py --only timing --only cpu
    python bench/run_all.py --report-only   # rewrite results.md from results.json

Measurements (each a script under bench/ that prints one JSON object):
    timing     10-minute in-5/out-5 breath at 50 fps: calmkit, gpiozero pulse(), a naive loop
               and a control loop, side by side (four processes at once)  bench/timing.py
    cpu        CPU per minute of a session at 50 fps vs bare deadline loops,
               side by side (three processes at once, three rounds)      bench/cpu.py
    idle       CPU per minute of the appliance waiting for a press           bench/cpu.py
    latency    button edge to light change, idle and during a session        bench/latency.py
    startup    process start to ready, and RSS                               bench/startup.py
    journal    start-up and `history` with 100,000 sessions         bench/journal_size.py
    fakeclock  a 20-minute program on the fake clock                         bench/fakeclock.py
    sound      a real session's chimes against its phases (SDL disk driver)  session_audio.py
    soak       the simulator at --speed 20 for 2 clock-hours: memory         bench/soak.py
               and, at the same time, its window             bench/window_soak.py

A full run writes bench/results.json (the raw figures) and bench/results.md (the machine, the
date, the load, and every figure beside its goal); --quick writes bench/results-quick.*
instead, so a smoke check never overwrites the real figures. --only re-runs some measurements
and keeps the others' figures from the last run of the same kind. The exit status is 1 when a
script failed (and, with --strict, when a goal was missed); a missed goal is otherwise reported
in the table, not as a failure of the run.

Sections of bench/results.md written by hand (any ``## `` section whose title is not one this
script writes: GENERATED) are kept, in their order, after the ones it writes.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

Job = tuple[str, list[str]]  # (label, script and arguments)
#: CPU is measured in this many rounds (the median ratio is the figure): on a shared machine one
#: round's CPU per minute varies by up to half from the next, for the bare loop too.
CPU_ROUNDS = 3


def plan(quick: bool) -> dict[str, list[list[Job]]]:
    """Each measurement: groups run one after the other; the jobs of a group run at once."""
    timing_s = "60" if quick else "600"
    window = "15" if quick else "60"
    cpu_window = "5" if quick else "20"
    soak_min = "10" if quick else "120"
    return {
        "timing": [
            [
                (impl, ["timing.py", "--impl", impl, "--seconds", timing_s])
                for impl in ("calmkit", "pulse", "naive", "deadline")
            ]
        ],
        "cpu": [  # side by side, so that all see the same load from the rest of the machine
            [
                (f"{mode}_{round_}", ["cpu.py", "--mode", mode, "--seconds", cpu_window])
                for mode in ("session", "bare", "bare-pin")
            ]
            for round_ in range(1, CPU_ROUNDS + 1)
        ],
        "idle": [
            [("idle", ["cpu.py", "--mode", "idle", "--seconds", window])],
            [("idle_sound", ["cpu.py", "--mode", "idle", "--sound", "--seconds", window])],
            [
                (
                    "idle_sound_after",
                    ["cpu.py", "--mode", "idle", "--sound", "--after-session", "--seconds", window],
                )
            ],
        ],
        "latency": [
            [
                (
                    "latency",
                    [
                        "latency.py",
                        *("--presses", "30" if quick else "200"),
                        *("--pauses", "4" if quick else "20"),
                    ],
                )
            ]
        ],
        "startup": [[("startup", ["startup.py", "--runs", "2" if quick else "5"])]],
        "fakeclock": [[("fakeclock", ["fakeclock.py", "--repeat", "2" if quick else "5"])]],
        "journal": [
            [("journal", ["journal_size.py", "--sessions", "20000" if quick else "100000"])]
        ],
        "sound": [[("session_audio", ["session_audio.py"])]],
        "wakeups": [[("wakeups", ["wakeups.py", "--seconds", "15" if quick else "60"])]],
        "soak": [  # the device alone and the simulator's window (bench/window_soak.py), at once
            [
                ("soak", ["soak.py", "--clock-minutes", soak_min, "--speed", "20"]),
                ("window", ["window_soak.py", "--clock-minutes", soak_min, "--speed", "20"]),
            ]
        ],
    }


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SDL_AUDIODRIVER", "dummy")
    env.setdefault("SDL_VIDEODRIVER", "dummy")
    env["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def run_group(jobs: list[Job]) -> dict[str, Any]:
    """Start every job of a group, wait for all; each result is its last stdout line's JSON."""
    started = [
        (
            label,
            subprocess.Popen(
                [sys.executable, str(BENCH / argv[0]), *argv[1:]],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=child_env(),
                cwd=ROOT,
            ),
            " ".join(argv),
        )
        for label, argv in jobs
    ]
    results: dict[str, Any] = {}
    for label, child, command in started:
        out, err = child.communicate()
        lines = [line for line in out.splitlines() if line.strip()]
        try:
            if child.returncode != 0 or not lines:
                raise ValueError(f"exit status {child.returncode}")
            results[label] = json.loads(lines[-1])
        except ValueError as error:
            tail = " | ".join(err.strip().splitlines()[-3:])
            results[label] = {"error": f"{command}: {error}: {tail}"}
    return results


def src_fingerprint() -> str:
    """A short hash of src/calmkit's files: others edit src/ while benchmarks run."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "calmkit").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


#: A wait of the control loop that woke this late means the machine stalled (another process, the
#: host of this VM): the timing run then measures the machine, not the pacers, and is repeated.
STALL_MS = 100.0
#: How many times a disturbed timing run is tried in all.
TIMING_ATTEMPTS = 3


def disturbance(name: str, results: dict[str, Any]) -> str | None:
    """Why a measurement's run says nothing about calmkit (None: it was undisturbed)."""
    if name != "timing":
        return None
    late = results.get("deadline", {}).get("wake_lateness", {}).get("max_ms")
    if late is not None and late > STALL_MS:
        return f"the control loop woke {late / 1e3:.2f} s late once: the machine stalled"
    return None


def run_measurement(name: str, groups: list[list[Job]]) -> dict[str, Any]:
    load = list(os.getloadavg())
    src = src_fingerprint()
    t0 = time.monotonic()
    disturbed: list[dict[str, Any]] = []
    for attempt in range(1, (TIMING_ATTEMPTS if name == "timing" else 1) + 1):
        print(f"[bench] {name} (attempt {attempt}) ...", file=sys.stderr, flush=True)
        results: dict[str, Any] = {}
        for group in groups:
            results.update(run_group(group))
        why = disturbance(name, results)
        if why is None:
            break
        print(f"[bench] {name}: {why}", file=sys.stderr, flush=True)
        disturbed.append({"attempt": attempt, "why": why, "loadavg": list(os.getloadavg())})
    return {
        "disturbed_attempts": disturbed,
        "disturbed": disturbance(name, results),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "seconds": time.monotonic() - t0,
        "loadavg_start": load,
        "loadavg_end": list(os.getloadavg()),
        "src": src,
        "src_end": src_fingerprint(),
        "results": results,
    }


# --- the table -------------------------------------------------------------------------------

Row = tuple[str, str, str, bool | None]


def ms(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def spread_text(s: dict[str, Any], digits: int = 2) -> str:
    return f"{ms(s['p50_ms'], digits)} / {ms(s['p99_ms'], digits)} / {ms(s['max_ms'], digits)} ms"


def rows_timing(r: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    names = {
        "calmkit": "calmkit runner (50 fps, deadlines)",
        "pulse": "gpiozero PWMLED.pulse() (its 25 fps)",
        "naive": "naive set + sleep(1/50) loop",
        "deadline": "control: bare loop sleeping to absolute deadlines (50 fps)",
    }
    for impl in ("calmkit", "pulse", "naive", "deadline"):
        x = r.get(impl, {})
        if "error" in x:
            rows.append((f"Timing, {names[impl]}", "ERROR: " + x["error"], "", False))
            continue
        minutes = x["seconds"] / 60
        expected = x.get("boundaries_expected", x["n"])
        boundaries = f"{x['n']} of {expected} boundaries over {minutes:.0f} min"
        perfect = x.get("against_perfect_clock")
        if impl == "calmkit" and perfect is not None:
            # the lamp is written on its PWM steps only when one changes: its peak is no longer
            # the boundary, so the pin is compared with the same device on a perfect clock
            first = perfect["first_change_after_each_boundary"]
            rows.append(
                (
                    f"Timing, {names[impl]}: first change after each boundary against a perfect "
                    f"clock, p50 / p99 / max ({first['n']} boundaries over {minutes:.0f} min)",
                    spread_text(first, 3),
                    "p99 < 2 ms",
                    first["p99_ms"] < 2.0,
                )
            )
            rows.append(
                (
                    f"Timing, {names[impl]}: every change of the lamp against a perfect clock "
                    f"({perfect['every_change']['n']} changes; "
                    f"{perfect['off_by_over_5_ms']} off by over 5 ms)",
                    spread_text(perfect["every_change"], 3),
                    "(for reference)",
                    None,
                )
            )
            rows.append(
                (
                    f"Timing, {names[impl]}: drift at the end (the last change's error)",
                    f"{perfect['last_change_error_ms']:+.3f} ms",
                    "< 2 ms",
                    abs(perfect["last_change_error_ms"]) < 2.0,
                )
            )
        elif impl == "calmkit":
            rows.append(
                (
                    f"Timing, {names[impl]}: boundary error p50 / p99 / max ({boundaries})",
                    spread_text(x, 3),
                    "p99 < 2 ms",
                    x["p99_ms"] < 2.0,
                )
            )
            rows.append(
                (
                    f"Timing, {names[impl]}: drift at the end (last boundary's error)",
                    f"{x['end_drift_ms']:+.3f} ms",
                    "< 2 ms",
                    abs(x["end_drift_ms"]) < 2.0,
                )
            )
        else:
            digits = 3 if impl == "deadline" else 1
            rows.append(
                (
                    f"Timing, {names[impl]}: boundary error p50 / p99 / max ({boundaries})",
                    spread_text(x, digits),
                    "(for reference)",
                    None,
                )
            )
            rows.append(
                (
                    f"Timing, {names[impl]}: drift at the end",
                    f"{x['end_drift_ms']:+.{digits}f} ms ({x['drift_ms_per_min']:+.1f} ms/min)",
                    "(for reference)",
                    None,
                )
            )
        if "wake_lateness" in x:
            rows.append(
                (
                    f"Timing, {names[impl]}: how late its waits woke after their deadlines "
                    f"({x['wake_lateness']['n']} waits; the OS's share of the error)",
                    spread_text(x["wake_lateness"], 3),
                    "(for reference)",
                    None,
                )
            )
    calm, pulse = r.get("calmkit", {}), r.get("pulse", {})
    if "end_drift_ms" in calm and "end_drift_ms" in pulse:
        drift = calm.get("against_perfect_clock", {}).get("last_change_error_ms")
        drift = calm["end_drift_ms"] if drift is None else drift
        ratio = abs(pulse["end_drift_ms"]) / max(abs(drift), 1e-6)
        rows.append(
            (
                "Timing: pulse() end drift / calmkit end drift",
                f"{ratio:.0f} x",
                "> 1000",
                ratio > 1000,
            )
        )
    return rows


def rows_cpu(r: dict[str, Any]) -> list[Row]:
    errors = [x["error"] for x in r.values() if "error" in x]
    if errors or "session_1" not in r:
        what = errors[0] if errors else "no rounds (an older results.json: re-run --only cpu)"
        return [("CPU per minute of session", "ERROR: " + what, "", False)]
    rounds = sorted({label.rsplit("_", 1)[1] for label in r}, key=int)

    def per_min(mode: str) -> list[float]:
        return [r[f"{mode}_{n}"]["cpu_s_per_min"] for n in rounds]

    session, bare, pin = per_min("session"), per_min("bare"), per_min("bare-pin")
    ratios = [s / b for s, b in zip(session, bare, strict=True)]
    pin_ratios = [s / p for s, p in zip(session, pin, strict=True)]
    ratio = statistics.median(ratios)

    def listed(values: list[float], unit: str = "") -> str:
        return ", ".join(f"{v:.{3 if not unit else 2}f}{unit}" for v in values)

    fps = statistics.median(r[f"session_{n}"]["frames_per_s"] for n in rounds)
    window = r["session_1"]["window_s"]
    each = f"{len(rounds)} rounds of {window:.0f} s side by side"
    return [
        (
            f"CPU per minute, calmkit session at 50 fps ({fps:.1f} frames/s; {each})",
            listed(session) + " s/min",
            "(for the ratio)",
            None,
        ),
        (
            "CPU per minute, bare deadline loop setting the PWMLED's value (50/s)",
            listed(bare) + " s/min",
            "(for the ratio)",
            None,
        ),
        (
            "CPU per minute, bare deadline loop writing the pin's duty itself (50/s)",
            listed(pin) + " s/min",
            "(for reference)",
            None,
        ),
        (
            "CPU: calmkit session / bare loop, median of the rounds (each round)",
            f"{ratio:.2f} x ({listed(ratios, ' x')})",
            "<= 1.3 x",
            ratio <= 1.3,
        ),
        (
            "CPU: calmkit session / bare loop writing the pin (each round)",
            f"{statistics.median(pin_ratios):.2f} x ({listed(pin_ratios, ' x')})",
            "(for reference)",
            None,
        ),
    ]


def rows_idle(r: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for key, what in (
        ("idle", "sound off"),
        ("idle_sound", "sound on (SDL dummy driver), since start-up"),
        ("idle_sound_after", "sound on (SDL dummy driver), after a session"),
    ):
        x = r.get(key, {})
        if "error" in x:
            rows.append(
                (f"Idle CPU per minute ({what})", "ERROR: " + x["error"], "< 0.01 s/min", False)
            )
            continue
        rows.append(
            (
                f"Idle CPU per minute, appliance waiting for a press ({what}; "
                f"{x['window_s']:.0f} s, {x['frames']} frames drawn, {x['threads']} Python "
                f"threads, {x['os_threads']} OS threads)",
                f"{x['cpu_s_per_min']:.4f} s/min",
                "< 0.01 s/min",
                x["cpu_s_per_min"] < 0.01,
            )
        )
    return rows


def rows_wakeups(r: dict[str, Any]) -> list[Row]:
    x = r.get("wakeups", {})
    if "error" in x:
        return [("Runner wakeups, old and new", "ERROR: " + x["error"], "", False)]

    def side(key: str) -> str:
        run = x.get(key)
        if run is None:
            return "-"
        return (
            f"{run['wakeups_per_min']:.1f} wakeups/min, {run['cpu_s_per_min']:.3f} CPU s/min, "
            f"waits late p99 {ms(run['wake_lateness'].get('p99_ms'))}"
        )

    rows: list[Row] = []
    for scenario, what, goal, passed in (
        ("idle", "idle, waiting for a press", "0 wakeups", x["idle_new"]["wakeups"] == 0),
        (
            "idle_chore",
            "idle with a once-a-minute chore",
            "1 a minute",
            x["idle_chore_new"]["wakeups_per_min"] <= 1.5,
        ),
        (
            "box",
            f"haptic-only box ({x['box_new']['rtp_writes_per_min']:.1f} RTP writes/min)",
            "<= 1.2 x the writes",
            x.get("box_within_1_2x"),
        ),
        (
            "coherent",
            "lamp's coherent (same distinct duties: "
            f"{'yes' if x.get('coherent_same_smoothness') else 'NO'})",
            "fewer than old, same smoothness",
            bool(x.get("coherent_fewer_wakeups") and x.get("coherent_same_smoothness")),
        ),
    ):
        rows.append(
            (
                f"Runner wakeups, {what}, {x['seconds']:.0f} s: old {side(scenario + '_old')}",
                "new " + side(scenario + "_new"),
                goal,
                passed,
            )
        )
    late = [
        run["wake_lateness"].get("p99_ms") or 0.0
        for key, run in x.items()
        if key.endswith("_new") and isinstance(run, dict)
    ]
    rows.append(
        (
            "Runner wakeups: waits late, p99 (new, worst scenario)",
            ms(max(late)),
            "< 2 ms",
            max(late) < 2.0,
        )
    )
    return rows


def rows_latency(r: dict[str, Any]) -> list[Row]:
    x = r.get("latency", {})
    if "error" in x:
        return [("Button to light", "ERROR: " + x["error"], "p99 < 20 ms", False)]
    idle = x["idle"]
    double_ms = x["double_s"] * 1e3
    rows: list[Row] = [
        (
            f"Button to light, idle: edge to first light change ({idle['n']} presses, "
            f"p50 / p99 / max)",
            spread_text(idle, 2),
            "p99 < 20 ms",
            idle["p99_ms"] < 20 and idle["missed"] == 0,
        )
    ]
    for key, what in (("pause", "pause"), ("resume", "resume")):
        s, extra = x[key], x[f"{key}_less_double"]
        rows.append(
            (
                f"Press to {what} during a session: release edge to the {what} frame "
                f"({s['n']}; = double_s {double_ms:.0f} ms by design + the rest)",
                f"{spread_text(s, 1)}; less double_s: {spread_text(extra, 2)}",
                "double_s + p99 < 20 ms",
                extra["p99_ms"] < 20,
            )
        )
    return rows


def rows_startup(r: dict[str, Any]) -> list[Row]:
    x = r.get("startup", {})
    if "error" in x:
        return [("Start-up", "ERROR: " + x["error"], "< 0.5 s, < 40 MB", False)]
    state = x.get("audio_state")
    if x["audio_open"]:
        sound = "sound on, mixer open"
    elif state == "new" and x["pygame_loaded"]:
        sound = "sound on: mixer opened, then let go until the first sound"
    else:
        sound = f"sound NOT open (audio state {state!r})"
    return [
        (
            f"Start-up: process start to ready ({sound}, median of {x['runs']}; import "
            f"{x['import_s_median']:.2f} s + build {x['build_s_median']:.2f} s)",
            f"{x['ready_s_median']:.3f} s (worst {x['ready_s_max']:.3f} s)",
            "< 0.5 s",
            x["ready_s_median"] < 0.5,
        ),
        (
            "Start-up: peak RSS at ready (ru_maxrss)",
            f"{x['maxrss_mb_max']:.1f} MB",
            "< 40 MB",
            x["maxrss_mb_max"] < 40,
        ),
    ]


def rows_journal(r: dict[str, Any]) -> list[Row]:
    x = r.get("journal", {})
    if "error" in x:
        return [("Journal size", "ERROR: " + x["error"], "< 0.5 s; < 1 s, < 60 MB", False)]
    n = f"{x['sessions']:,} sessions"
    ready, empty = x["ready_s"], x["empty_ready_s"]
    return [
        (
            f"Journal, {n}: start-up to ready (median of {x['runs']}; the same with an empty "
            f"journal: {empty['median']:.3f} s)",
            f"{ready['median']:.3f} s (worst {ready['max']:.3f} s); "
            f"{x['ready_maxrss_mb']['max']:.1f} MB",
            "< 0.5 s, independent of the journal's size",
            ready["max"] < 0.5,
        ),
        (
            f"Journal, {n}: `calmkit history` (last 7 days): time; peak RSS",
            f"{x['history_s']['median']:.3f} s (worst {x['history_s']['max']:.3f} s); "
            f"{x['history_maxrss_mb']['max']:.1f} MB",
            "< 1 s, < 60 MB",
            x["history_s"]["max"] < 1 and x["history_maxrss_mb"]["max"] < 60,
        ),
        (
            f"Journal, {n}: `calmkit history --csv` (every session, {x['csv_lines'] - 1:,} "
            f"rows): time; peak RSS",
            f"{x['csv_s']['median']:.2f} s; {x['csv_maxrss_mb']['max']:.1f} MB",
            "(for reference)",
            None,
        ),
        (
            f"Journal, {n}: first start, migrating the old JSON Lines journal "
            f"({x['old_jsonl_mb']:.1f} MB -> {x['db_mb']:.1f} MB of SQLite), once",
            f"{x['migrate_ready_s']:.2f} s to ready; {x['migrate_maxrss_mb']:.1f} MB",
            "(for reference)",
            None,
        ),
    ]


def rows_fakeclock(r: dict[str, Any]) -> list[Row]:
    x = r.get("fakeclock", {})
    if "error" in x:
        return [("Fake clock", "ERROR: " + x["error"], "< 0.5 s", False)]
    minutes = x["planned_s"] / 60
    rows: list[Row] = []
    for key, what in (
        ("events", "events only (Session walked to the end)"),
        ("levels", "light level sampled at 50 fps (Session + LightTrack, no pins)"),
        ("runner", "full virtual device at 50 fps (runner, flow, mock pins, on_frame)"),
    ):
        s = x[key]
        rows.append(
            (
                f"Fake clock, {x['program']} ({minutes:.0f} min), {what}: best (median; CPU)",
                f"{s['best_s']:.3f} s ({s['median_s']:.3f} s; {s['cpu_median_s']:.3f} s)",
                "< 0.5 s",
                s["best_s"] < 0.5,
            )
        )
    return rows


def rows_sound(r: dict[str, Any]) -> list[Row]:
    x = r.get("session_audio", {})
    if "error" in x:
        return [("Chimes at the phase starts", "ERROR: " + x["error"], "", False)]
    return [
        (
            f"Chimes at the phase starts: a real `box` session through SDL's disk driver, each "
            f"chime's first sample after its phase began ({x['phases']} phases, "
            f"{x['onsets']} onsets; min .. max)",
            f"{x['min_ms']:.1f} .. {x['max_ms']:.1f} ms",
            f"(for reference: one mixer buffer is {x['buffer_ms']:.1f} ms)",
            None if x["phases"] == x["onsets"] else False,
        )
    ]


def rows_soak(r: dict[str, Any]) -> list[Row]:
    x = r.get("soak", {})
    if "error" in x:
        return [("Simulator soak", "ERROR: " + x["error"], "", False)]
    if "rss_first_real_min_mb" not in x:
        return [("Simulator soak", "an older results.json: re-run --only soak", "", False)]
    growth = x["rss_growth_after_first_real_min_mb"]
    return [
        (
            f"Simulator soak at --speed {x['speed']:.0f}, {x['clock_minutes']:.0f} clock-min "
            f"({x['sessions']} sessions): RSS after the first real minute (= "
            f"{x['speed']:.0f} clock-min) -> at the end (after the first clock-minute: "
            f"{x['rss_first_min_mb']:.2f} MB; highest after the first real minute "
            f"{x['rss_max_after_first_real_min_mb']:.2f} MB)",
            f"{x['rss_first_real_min_mb']:.2f} -> {x['rss_end_mb']:.2f} MB ({growth:+.2f} MB)",
            f"no higher (within {x['tolerance_mb']:.1f} MB: pages)",
            growth <= x["tolerance_mb"],
        ),
        (
            "Simulator soak: threads after the first clock-minute -> at the end",
            f"{x['threads_first_min']} -> {x['threads_end']}",
            "no more",
            x["threads_end"] <= x["threads_first_min"],
        ),
        *rows_window(r.get("window"), x["tolerance_mb"]),
    ]


def rows_window(w: dict[str, Any] | None, tolerance_mb: float) -> list[Row]:
    """bench/window_soak.py (the simulator window's own soak), run beside soak.py."""
    if w is None:
        return []
    if "error" in w:
        return [("Simulator window soak", "ERROR: " + w["error"], "", False)]
    if "rss_first_real_minute_mb" not in w:
        return [("Simulator window soak", "an older results.json: re-run --only soak", "", False)]
    growth = w["rss_end_mb"] - w["rss_first_real_minute_mb"]
    return [
        (
            f"Simulator window soak (bench/window_soak.py: pygame window, SDL dummy video) at "
            f"--speed {w['speed']:.0f}, {w['clock_minutes']:.0f} clock-min ({w['sessions']} "
            f"sessions, {w['window_frames']} window frames, {w['threads_end']} threads at the "
            f"end): RSS after the first real minute -> at the end (after the first clock-minute: "
            f"{w['rss_first_minute_mb']:.2f} MB, while the 30-second light strip still fills; "
            f"highest after the first real minute {w['rss_max_after_first_real_minute_mb']:.2f} "
            f"MB)",
            f"{w['rss_first_real_minute_mb']:.2f} -> {w['rss_end_mb']:.2f} MB ({growth:+.2f} MB)",
            f"no higher (within {tolerance_mb:.1f} MB: pages)",
            growth <= tolerance_mb,
        )
    ]


TABLES: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "timing": rows_timing,
    "cpu": rows_cpu,
    "idle": rows_idle,
    "latency": rows_latency,
    "startup": rows_startup,
    "fakeclock": rows_fakeclock,
    "journal": rows_journal,
    "sound": rows_sound,
    "soak": rows_soak,
    "wakeups": rows_wakeups,
}
#: The ``## `` sections write_report writes; any other in results.md was written by hand.
GENERATED = ("Machine", "Figures", "How each figure is measured", "Details")


def hand_written(text: str) -> list[str]:
    """The sections of a results.md not written here (see GENERATED), as they are."""
    kept: list[str] = []
    keep = False
    for line in text.splitlines():
        if line.startswith("## "):
            keep = line[3:].strip() not in GENERATED
        if keep:
            kept.append(line)
    return kept


def verdict(passed: bool | None) -> str:
    return "-" if passed is None else ("pass" if passed else "FAIL")


def src_label(m: dict[str, Any]) -> str:
    """The src/calmkit fingerprint a measurement ran on ('a -> b' when it changed meanwhile)."""
    start, end = m.get("src", "?"), m.get("src_end", "?")
    return start if start == end else f"{start} -> {end} (changed during the run)"


def table(measurements: dict[str, Any]) -> list[str]:
    lines = [
        "| measurement | figure | measured | goal | result | load at start | src |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in TABLES:
        if name not in measurements:
            continue
        m = measurements[name]
        load = f"{m['loadavg_start'][0]:.2f}"
        src = src_label(m)
        rows = TABLES[name](m["results"])
        if m.get("disturbed"):
            rows = [(f"RUN DISTURBED, re-run it: {m['disturbed']}", "", "", None)] + [
                (figure, value, goal, None) for figure, value, goal, _ in rows
            ]
        for figure, value, goal, passed in rows:
            lines.append(
                f"| {name} | {figure} | {value} | {goal} | {verdict(passed)} | {load} | {src} |"
            )
    return lines


# --- the machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("model name", "Model", "Hardware")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return head + (" (with uncommitted changes in src/)" if dirty else "")
    except OSError:
        return "unknown"


def machine() -> dict[str, Any]:
    u = platform.uname()
    return {
        "uname": f"{u.system} {u.release} {u.version} {u.machine}",
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0] + f" ({sys.executable})",
        "gpiozero": version("gpiozero"),
        "pygame-ce": version("pygame-ce"),
        "calmkit": git_commit(),
        "src/calmkit fingerprint now": src_fingerprint(),
    }


# --- the report ------------------------------------------------------------------------------

NOTES = """\
## How each figure is measured

"load at start" is the 1-minute load average when the measurement began (other work shared the
machine); "src" is a short sha256 of src/calmkit/*.py when it began (others edit src/ while
benchmarks run; a measurement during which src/ changed says so). Each figure comes from its own
process, so it measured the code as it was when that process started.

- **timing** (bench/timing.py): the three pacers, and a control (a bare loop sleeping to
  absolute deadlines: the best plain Python does on this machine under its load at that moment),
  run at the same time in four processes, each on
  its own gpiozero MockFactory(pin_class=MockPWMPin) with the real clock, for 60 breaths of in 5 s
  / out 5 s. The light pin's history (each PinState timestamp is the time since the previous
  change) is summed into absolute times. Each boundary is looked for half a breath after the one
  found before it, within a window of half a breath: a peak is the first change to the highest
  value there, a trough the first change to the lowest; a window with no change counts the
  boundary as missing (it does not shift the later ones). calmkit's lamp is written on its 1024
  PWM steps only when one changes, so its peak is no longer the boundary: its pin history is
  compared change by change with the same device on a FakeClock (a perfect clock), and its
  boundary error is the first change after each phase boundary. If the control loop ever woke
  more than 100 ms late, the machine stalled during the run (this shared VM once stalled for
  38 s): the run is repeated, up to 3 attempts, and a run still disturbed is marked so in the
  table.
  Ideal: peak k at start + 5 + 10k s, trough k at start + 10 + 10k s, where start is when the
  bench asked for the breathing (calmkit: the stamp of the `runner.start()` request; pulse(): just
  before the call; naive: just before its first frame). Error = actual - ideal; p50 / p99 / max of
  |error| over all 120 boundaries; "drift at the end" is the signed error of the last boundary.
  calmkit's trace is cut 10 ms after its session ends (the light then fades out by design).
  pulse() is gpiozero's own, as shipped: `_blink_device` writes a value then `Event.wait(1/25)`,
  so every step's overhead adds up.
- **cpu** (bench/cpu.py): `time.process_time()` of the whole process (every thread) over the
  window, after a settling second; calmkit and the bare loop run at the same time in two
  processes, so both see the same load (CPU time per wake grows with the machine's load).
  calmkit: app.build(program=bench, sound off, journal off) on mock pins, runner in a thread.
  Bare: one thread that sleeps to `origin + k/50` and sets a PWMLED's value; bare-pin: the same
  writing `led.pin.state` (the way calmkit's Devices.write sets a duty), the floor for any pacer.
  The three run at once, in 3 rounds of 20 s; the figure is the median of the rounds' ratios
  (one round's CPU per minute varies by up to half from the next here, the bare loop's too).
  calmkit works the light of the coming second out in one go and at each frame only writes the
  next duty (runner._draw), which is why it can cost less than the bare loop. Idle: app.build()
  with no program, runner.run() in a thread, nothing pressed; "after a session": a 2-second
  program played through the whole flow first, then measured once the box is idle again (plus
  the runner's AUDIO_IDLE_S, after which it lets the sound card go).
- **latency** (bench/latency.py): the bench thread drives the button's mock pin low (gpiozero
  calls calmkit's callback on that thread, as its callback thread would on a Pi); the light pin's
  `_change_state` is wrapped to stamp the change, so nothing polls. Idle: the faint "heard you"
  glow; every press gets a freshly built idle appliance (a press in idle starts a session once the
  double-press window passes). Session: a press pauses only once no second press can follow
  (gestures.double_s), so the pause frame comes double_s after the release by design.
- **startup** (bench/startup.py): wall time in the parent from spawning `python -c` (import
  calmkit.shell.app, default config with a journal in a temp folder, build on mock pins with sound
  on through SDL's dummy audio driver, runner thread started) to reading its "ready" line.
- **fakeclock** (bench/fakeclock.py): wall time (perf_counter) in a warm process, best of 5 (3 for
  the runner); CPU time beside it, since other processes share the machine.
- **journal** (bench/journal_size.py): an old JSON Lines journal of 100,000 sessions (one
  every 15 minutes up to now) is migrated by a first start; then, each in a fresh process,
  start-up to ready as in **startup** (with that journal, and with an empty one), `calmkit
  history` and `calmkit history --csv` (to /dev/null): wall time from the spawn, peak RSS from
  the child's ru_maxrss (os.wait4).
- **sound** (bench/session_audio.py): `calmkit play box` as the box runs it (runner, flow and
  Audio) for 16.5 s in real time, with SDL_AUDIODRIVER=disk writing the mix to a file and fade-in
  set to 0 so that a chime's onset is its first sample; each onset is placed in time by when the
  file grew and compared with when the runner emitted the phase.
- **soak** (bench/soak.py): app.build(speed=20, clear_history=True, no sound, journal in a temp
  folder) on a ScaledClock; a driver thread presses the button's mock pin in real time to run
  sessions back to back (accepting quiet time every other time, answering "did that help?",
  pausing now and then). VmRSS from /proc/self/status every real second, into arrays made at
  full size beforehand (an earlier version kept a growing list of samples and reported its own
  growth). Beside it, in its own process at the same time, bench/window_soak.py runs the window
  code itself (SDL's dummy video driver) the same way. The goal, "no higher at the end than
  after its first minute", is read as the first minute of real time (20 clock-minutes at --speed
  20: in the first clock-minute, 3 real seconds, the window's 30-second light strip is still
  filling), within 0.1 MB (RSS moves in 4 KB pages as the allocators settle). The curves are
  under Details.
"""


def details(measurements: dict[str, Any]) -> list[str]:
    out = ["## Details", ""]
    for name, m in measurements.items():
        out.append(
            f"- **{name}**: finished {m['date']}, took {m['seconds']:.0f} s, load average "
            f"{' / '.join(f'{x:.2f}' for x in m['loadavg_start'])} at start, "
            f"{' / '.join(f'{x:.2f}' for x in m['loadavg_end'])} at the end (1 / 5 / 15 min); "
            f"src/calmkit {src_label(m)}."
        )
        r = m["results"]
        if name == "timing":
            for impl, x in r.items():
                if "error" in x:
                    continue
                extra = ""
                if impl == "calmkit":
                    extra = (
                        f", session began {ms(x.get('session_started_after_request_ms'), 3)} ms "
                        f"after the request, {x.get('frames')} frames drawn"
                    )
                if "boundaries_expected" not in x:  # an older results file: re-run it
                    continue
                found = x["boundaries_expected"] - len(x["missing"])
                out.append(
                    f"  - {impl}: {found} of {x['boundaries_expected']} boundaries found "
                    f"({x['changes']} pin changes); mean error {ms(x['mean_error_ms'], 3)} ms; "
                    f"first change from 0 at {ms(x['first_change_ms'], 2)} ms; CPU "
                    f"{x['cpu_s']:.2f} s over {x['wall_s']:.0f} s{extra}"
                    + (f"; WARNING {x['warning']}" if "warning" in x else "")
                )
        elif name in ("cpu", "idle"):
            for label, x in r.items():
                if "error" not in x:
                    out.append(
                        f"  - {label}: {x['cpu_s']:.4f} s CPU in {x['window_s']:.1f} s "
                        f"(user {x['user_s']:.2f} s, system {x['system_s']:.2f} s), "
                        f"{x['frames']} frames, RSS {x['rss_mb']:.1f} MB"
                    )
        elif name == "startup" and "error" not in r.get("startup", {}):
            x = r["startup"]
            out.append(
                f"  - ready: min {x['ready_s_min']:.3f} s, median {x['ready_s_median']:.3f} s, "
                f"max {x['ready_s_max']:.3f} s; VmRSS at ready {x['vmrss_mb_median']:.1f} MB; "
                f"threads {x['threads']}; pygame loaded: {x['pygame_loaded']}"
                + (f"; child stderr: `{x['child_stderr']}`" if x["child_stderr"] else "")
            )
        elif name == "fakeclock" and "error" not in r.get("fakeclock", {}):
            x = r["fakeclock"]
            out.append(
                f"  - {x['events']['count']} events; {x['levels']['count']} level samples; "
                f"{x['runner']['count']} runner frames"
            )
        elif name == "soak" and "error" not in r.get("soak", {}):
            x = r["soak"]
            curve = ", ".join(f"{t:g} min {v:.2f} MB" for t, v in x["rss_curve"])
            ten = x["rss_10_min_mb"]
            out.append(
                f"  - {x['real_s']:.0f} real s; {x['sessions']} sessions, {x['episodes']} "
                f"journal lines ({x['journal_lines']} in the file), {x['pauses']} pauses; RSS "
                f"after 10 clock-min {ms(ten)} MB, max {x['rss_max_mb']:.2f} MB; growth after "
                f"10 clock-min {ms(x['rss_growth_after_10_min_mb'])} MB; light pin history at "
                f"most {x['light_states_max']} states; {x['frames']} frames "
                f"({x['frames_per_real_s']:.0f} per real second); CPU {x['cpu_s']:.1f} s "
                f"({100 * x['cpu_share']:.1f} % of a core)"
            )
            out.append(f"  - RSS curve (clock-minutes): {curve}")
            w = r.get("window", {})
            if "rss_curve" in w:
                curve = ", ".join(f"{t:g} min {v:.2f} MB" for t, v in w["rss_curve"])
                out.append(f"  - window RSS curve (clock-minutes): {curve}")
    return out


def loads(values: list[float]) -> str:
    return " / ".join(f"{x:.2f}" for x in values)


def write_report(
    path: Path, measurements: dict[str, Any], info: dict[str, Any], quick: bool
) -> str:
    kind = (
        "QUICK smoke run (shortened durations; not the figures to quote)" if quick else "full run"
    )
    command = "python bench/run_all.py" + (" --quick" if quick else "")
    complete = info.get("complete_run")
    if info.get("only"):
        only = " ".join(f"--only {name}" for name in info["only"])
        when = (
            f"The last run of everything ({command}) was {complete['date']} and took "
            f"{complete['seconds'] / 60:.1f} min; "
            if complete
            else ""
        )
        origin = (
            f"{when}this file was last updated by `{command} {only}`, {info['date']} "
            f"({info['seconds'] / 60:.1f} min). Each measurement's own date, load and src are "
            f"in the table and under Details."
        )
    else:
        origin = (
            f"Written by `{command}` ({kind}), {info['date']}; the run took "
            f"{info['seconds'] / 60:.1f} min."
        )
    lines = [
        "# calmkit benchmarks",
        "",
        origin,
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in info["machine"].items()),
        f"- load average at the start of the run: {loads(info['loadavg_start'])}"
        f" (1 / 5 / 15 min; other processes were sharing the {info['machine']['cores']} cores)",
        f"- load average at the end: {loads(info['loadavg_end'])}",
        "",
        "## Figures",
        "",
        *table(measurements),
        "",
        NOTES,
        *details(measurements),
        "",
    ]
    kept = hand_written(path.read_text()) if path.exists() else []
    text = "\n".join([*lines, *kept, ""] if kept else lines)
    path.write_text(text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter durations (a smoke check)")
    parser.add_argument(
        "--only",
        action="append",
        choices=list(plan(False)),
        metavar="NAME",
        help="run only this measurement (repeatable): " + ", ".join(plan(False)),
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the .md from the .json, run nothing"
    )
    args = parser.parse_args()
    stem = "results-quick" if args.quick else "results"
    json_path, md_path = BENCH / f"{stem}.json", BENCH / f"{stem}.md"
    if args.report_only:
        saved = json.loads(json_path.read_text())
        write_report(md_path, saved["measurements"], saved["run"], args.quick)
        print("\n".join(table(saved["measurements"])))
        return 0
    measurements: dict[str, Any] = {}
    complete: dict[str, Any] | None = None  # the last run of every measurement at once
    if args.only and json_path.exists():
        previous = json.loads(json_path.read_text())
        measurements = previous.get("measurements", {})
        complete = previous.get("complete_run")
    t0 = time.monotonic()
    load_start = list(os.getloadavg())
    ran = []
    for name, groups in plan(args.quick).items():
        if args.only and name not in args.only:
            continue
        measurements[name] = run_measurement(name, groups)
        ran.append(name)
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "seconds": time.monotonic() - t0,
        "loadavg_start": load_start,
        "loadavg_end": list(os.getloadavg()),
        "machine": machine(),
        "only": args.only,
    }
    if not args.only:
        complete = {"date": info["date"], "seconds": info["seconds"]}
    info["complete_run"] = complete
    ordered = {name: measurements[name] for name in TABLES if name in measurements}
    json_path.write_text(
        json.dumps({"run": info, "complete_run": complete, "measurements": ordered}, indent=1)
        + "\n"
    )
    write_report(md_path, ordered, info, args.quick)
    print("\n".join(table(ordered)))
    print(f"\nwritten: {md_path.relative_to(ROOT)} ({info['seconds'] / 60:.1f} min)")
    missed = [
        figure
        for name in ordered
        for figure, _, _, passed in TABLES[name](ordered[name]["results"])
        if passed is False or ordered[name].get("disturbed")
    ]
    errors = [  # of this run's measurements (--only keeps older ones, errors and all)
        label for name in ran for label, x in ordered[name]["results"].items() if "error" in x
    ]
    if errors:
        print(f"errors in: {', '.join(errors)}", file=sys.stderr)
        return 1
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
