"""A real session's chimes, rendered through SDL's disk audio driver: do they land on the phases?

`calmkit play box` (the runner, the flow, the Audio the box uses) runs 16 s in real time with
SDL_AUDIODRIVER=disk writing the mix to a file. Each phase event's time is noted as the runner
emits it; each chime's onset is found in the file and placed in time by when the file grew (the
disk driver's pace is not exactly real time: see audio_render.py). Prints one line per phase:
the onset's delay after the phase began, then one JSON object (for bench/run_all.py). Fade-in is
set to 0 here so the onset is the chime's first sample; the product fades every sound in over
0.4 s.

    python bench/session_audio.py --end

renders the end of a one-cycle box in the whole one-button flow instead (about 24 s): the end
bell, then the spoken quiet offer. The mix is written as a WAV and measured with sox (`stat`
over the bell's window and over the voice's window, against each file alone: equal RMS means
nothing else sounded in that window), and sample by sample: the voice's first sample against
the bell's last.
"""

from __future__ import annotations

import array
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit
from audio_render import SILENCE_S, Watcher, find_onsets, wall_time_of, wav_samples

RUN_S = 16.5  # box: inhale 0, hold 4, exhale 8, hold 12


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        raw_path = Path(tmp) / "session.raw"
        os.environ["SDL_AUDIODRIVER"] = "disk"
        os.environ["SDL_DISKAUDIOFILE"] = str(raw_path)
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        from calmkit.config import parse_config
        from calmkit.devices.hardware import PinChoice, mock_factory
        from calmkit.shell.app import build

        config = parse_config(
            "sound: {fade_in_ms: 0, volume: 1.0}\nnight: {start: '00:00', end: '00:00'}\n",
            "bench.yaml",
        )
        phases: list[tuple[str, float]] = []

        def on_event(event) -> None:
            if event.kind == "phase":
                phases.append((event.data["phase"], time.perf_counter()))

        from calmkit.core.clock import MonotonicClock

        app = build(
            config,
            clock=MonotonicClock(lambda: True),  # a trusted clock: day caps, volume 1
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


END_RUN_S = 24.0  # box once (16 s), the end bell (4 s), the quiet offer (2.5 s), a margin
END_CONFIG = """
sound: {fade_in_ms: 0, volume: 1.0}
night: {start: '00:00', end: '00:00'}
programs:
  box:
    steps: [{inhale: 4}, {hold: 4}, {exhale: 4}, {hold: 4}]
    cycles: 1
"""


def sox_rms(wav: Path, start_s: float | None = None, length_s: float | None = None) -> float:
    """sox's RMS amplitude of a file, or of a window of it."""
    trim = [] if start_s is None else ["trim", f"{start_s:.6f}", f"{length_s:.6f}"]
    out = subprocess.run(
        ["sox", str(wav), "-n", *trim, "stat"], capture_output=True, text=True, check=True
    ).stderr
    line = next(x for x in out.splitlines() if x.startswith("RMS     amplitude"))
    return float(line.split(":")[1])


def end_sounds() -> int:
    """The end bell, then the quiet offer's voice: rendered, then measured for any overlap."""
    if shutil.which("sox") is None:
        print("sox is not installed (apt-get install sox)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        raw_path = Path(tmp) / "end.raw"
        os.environ["SDL_AUDIODRIVER"] = "disk"
        os.environ["SDL_DISKAUDIOFILE"] = str(raw_path)
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        from calmkit.config import parse_config
        from calmkit.core.clock import MonotonicClock
        from calmkit.devices.hardware import PinChoice, mock_factory
        from calmkit.shell.app import build

        config = parse_config(END_CONFIG, "bench.yaml")
        sounds: list[dict] = []

        def on_event(event) -> None:
            if event.kind == "sound":
                sounds.append(event.to_dict())

        app = build(
            config,
            clock=MonotonicClock(lambda: True),
            pins=PinChoice(mock_factory(), True),
            journal=False,
            on_event=on_event,
        )
        app.audio.open()
        import pygame

        freq, _fmt, channels = pygame.mixer.get_init()
        app.runner.start("box")
        threading.Timer(END_RUN_S, app.runner.request_stop, ("bench over",)).start()
        app.runner.run()
        app.close()
        data = array.array("h", raw_path.read_bytes())
        mono = data[::channels]
        wav_path = Path(tmp) / "end.wav"
        with wave.open(str(wav_path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(freq)
            w.writeframes(mono.tobytes())
        sounds_dir = app.audio.sounds_dir
        bell, voice = (
            wav_samples(sounds_dir / f"{n}.wav") for n in ("bell_end", "say_quiet_offer")
        )
        # the bell is the first sound after the last hold's chime (12 s) and its silence
        heard = find_onsets(mono, round(SILENCE_S * freq))[-1]
        onset = heard - next(i for i, s in enumerate(bell) if s != 0)  # the file's frame 0
        n = len(bell)
        residual = max(abs(a - b) for a, b in zip(mono[onset : onset + n], bell, strict=True))
        after = next(i for i in range(onset + n, len(mono)) if mono[i] != 0)
        voice_first = next(i for i, s in enumerate(voice) if s != 0)
        gap_ms = (after - voice_first - (onset + n)) * 1000 / freq
        t_bell, t_voice = onset / freq, (after - voice_first) / freq
        rms = {
            "bell window": (
                sox_rms(wav_path, t_bell, n / freq),
                sox_rms(sounds_dir / "bell_end.wav"),
            ),
            "voice window": (
                sox_rms(wav_path, t_voice, len(voice) / freq),
                sox_rms(sounds_dir / "say_quiet_offer.wav"),
            ),
        }
    print(
        "sound events:",
        ", ".join(f"{s['name']} at {s['t']:.3f} s ({s['length_s']} s)" for s in sounds),
    )
    print(
        f"end bell heard from {t_bell:.3f} s for {n / freq:.3f} s; its samples in the mix differ "
        f"from the file's by at most {residual} (0: nothing else sounded)"
    )
    print(f"the voice's first sample comes {gap_ms:+.1f} ms after the bell's last")
    for window, (mix, alone) in rms.items():
        print(f"sox RMS, {window}: mix {mix:.6f}, the file alone {alone:.6f}")
    emit({"bell_residual": residual, "gap_ms": gap_ms, "rms": rms, "sounds": sounds})
    return 0 if residual == 0 and gap_ms >= 0 else 1


if __name__ == "__main__":
    sys.exit(end_sounds() if sys.argv[1:] == ["--end"] else main())
