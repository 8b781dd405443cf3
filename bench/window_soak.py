"""The simulator window for hours at --speed 20: does memory stay flat? (issue 4)

Runs the real window code (pygame, SDL's dummy video driver: the same drawing, no screen) with the
runner on its own thread, exactly as `calmkit run --sim --speed 20` does, and presses the space
bar through the Window's own handler every so often to start sessions back to back. Reports RSS
after the first clock-minute and at the end. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clock-minutes", type=float, default=120.0)
    parser.add_argument("--speed", type=float, default=20.0)
    args = parser.parse_args()

    from calmkit.app import build
    from calmkit.config import parse_config
    from calmkit.hardware import PinChoice, mock_factory
    from calmkit.sim.window import Window, _pygame, open_window

    config = parse_config("flow: {quiet_offer_s: 5, helped_s: 5}", "bench.yaml")
    app = build(
        config,
        pins=PinChoice(mock_factory(), True),
        speed=args.speed,
        sound=False,
        journal=False,
        clear_history=True,
    )
    pg = _pygame()
    window = Window(app, open_window(pg))
    worker = threading.Thread(target=app.runner.run, name="calmkit-runner", daemon=True)
    real_s = args.clock_minutes * 60 / args.speed
    samples: dict[str, float] = {}
    sessions = [0]

    def finger() -> None:
        began = time.monotonic()
        while time.monotonic() - began < real_s:
            if app.flow.state == "idle":
                window.press("space")
                time.sleep(0.1)
                window.release("space")
                sessions[0] += 1
            if "first" not in samples and time.monotonic() - began >= 60 / args.speed:
                samples["first"] = rss_mb()
            time.sleep(0.5)
        samples["end"] = rss_mb()
        samples["threads"] = threading.active_count()
        app.runner.request_stop("bench over")

    worker.start()
    threading.Thread(target=finger, daemon=True).start()
    began = time.monotonic()
    window.loop(worker)
    app.close()
    print(
        json.dumps(
            {
                "clock_minutes": args.clock_minutes,
                "speed": args.speed,
                "real_s": round(time.monotonic() - began, 1),
                "sessions": sessions[0],
                "rss_first_minute_mb": round(samples.get("first", 0.0), 2),
                "rss_end_mb": round(samples.get("end", 0.0), 2),
                "window_frames": window.drawn,
                "threads_end": samples.get("threads"),
            }
        )
    )


if __name__ == "__main__":
    main()
