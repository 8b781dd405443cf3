"""A real session's chimes, rendered through SDL's disk audio driver: do they land on the phases?

`calmkit play box` (the runner, the flow, the Audio the box uses) runs 16 s in real time with
SDL_AUDIODRIVER=disk writing the mix to a file. Each phase event's time is noted as the runner
emits it; each chime's onset is found in the file and placed in time by when the file grew (the
disk driver's pace is not exactly real time: see audio_render.py). Prints one line per phase:
the onset's delay after the phase began, then one JSON object (for bench/run_all.py). Fade-in is
set to 0 here so the onset is the chime's first sample; the product fades every sound in over
0.4 s.
"""

from __future__ import annotations

import array
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit
from audio_render import SILENCE_S, Watcher, find_onsets, wall_time_of

RUN_S = 16.5  # box: inhale 0, hold 4, exhale 8, hold 12


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        raw_path = Path(tmp) / "session.raw"
        os.environ["SDL_AUDIODRIVER"] = "disk"
        os.environ["SDL_DISKAUDIOFILE"] = str(raw_path)
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        from calmkit.app import build
        from calmkit.config import parse_config
        from calmkit.hardware import PinChoice, mock_factory

        config = parse_config(
            "sound: {fade_in_ms: 0, volume: 1.0}\nnight: {start: '00:00', end: '00:00'}\n",
            "bench.yaml",
        )
        phases: list[tuple[str, float]] = []

        def on_event(event) -> None:
            if event.kind == "phase":
                phases.append((event.data["phase"], time.perf_counter()))

        app = build(
            config,
            pins=PinChoice(mock_factory(), True),
            program="box",
            journal=False,
            on_event=on_event,
        )
        watcher = Watcher(raw_path)
        watcher.start()
        app.audio.open()  # the mixer stays open for the whole render (one file)
        import pygame

        freq, _fmt, channels = pygame.mixer.get_init()
        threading.Timer(RUN_S, app.runner.request_stop, ("bench over",)).start()
        app.runner.run()
        app.close()
        watcher.done.set()
        watcher.join()
        data = array.array("h", raw_path.read_bytes())
    mono = data[::channels]
    onsets = find_onsets(mono, round(SILENCE_S * freq))
    print(f"{'phase':<8} {'onset after the phase began':>28}")
    delays = []
    for (phase, began), onset in zip(phases, onsets, strict=False):
        heard = wall_time_of(onset, watcher.points, 2 * channels)
        delays.append((heard - began) * 1000)
        print(f"{phase:<8} {delays[-1]:>25.1f} ms")
    buffer_ms = 512 / freq * 1000
    if delays:
        print(
            f"{len(phases)} phases, {len(onsets)} onsets; delay {min(delays):.1f} .. "
            f"{max(delays):.1f} ms (one mixer buffer is {buffer_ms:.1f} ms)"
        )
    emit(
        {
            "phases": len(phases),
            "onsets": len(onsets),
            "delays_ms": delays,
            "min_ms": min(delays, default=float("nan")),
            "max_ms": max(delays, default=float("nan")),
            "buffer_ms": buffer_ms,
        }
    )
    return 0 if len(onsets) == len(phases) else 1


if __name__ == "__main__":
    sys.exit(main())
