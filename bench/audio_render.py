"""Do the chimes land on the phase starts? Render cues through SDL's disk audio driver and look.

    python bench/audio_render.py

A schedule of cues (a breath: in, hold, out, hold, in, then a tick) is played through
calmkit.shell.audio.Audio, each play() called on an absolute deadline from the start, in real time
(about 11 s). SDL's disk driver writes what a sound card would have been given to a raw file;
afterwards each cue's onset is found in that file and set against its scheduled time.

Tying the file's frames to the clock. The disk driver paces itself by sleeping a whole number of
milliseconds per buffer, so on a busy machine its stream runs fast or slow against real time by a
percent or two, unevenly (a real sound card runs on its own crystal). A single average rate
would smear that over the cues, so while rendering a watcher thread polls the file's size every
half millisecond and notes the wall time at which each new block of frames reached the file. A
frame's wall time is interpolated between the two blocks around it: that is when the mixer
produced it, the moment a sound card would have been handed it.

"offset" is that moment for a cue's first frame minus its scheduled time. The mixer starts a new
sound at the first buffer it mixes after play(), so the offset is expected within one buffer
period (512 frames, 23.2 ms; the disk driver's sleeps stretch it a little on a busy machine); on a
real card the device's own output latency is added, the same for every cue. Nothing may
accumulate from cue to cue.

Each cue's samples are also compared with its WAV file (volume 1, no fade: the mixer's output is
then the file's samples exactly), which shows the cue came out whole and unaltered.
"""

from __future__ import annotations

import array
import bisect
import itertools
import os
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

SCHEDULE: list[tuple[float, str]] = [
    (0.0, "chime_in"),
    (3.0, "chime_hold"),
    (4.0, "chime_out"),
    (7.0, "chime_hold"),
    (8.0, "chime_in"),
    (10.0, "tick"),
]
LEAD_IN_S = 0.5  # let the device settle before the first cue
TAIL_S = 1.0  # the last cue plays out before the device closes
SILENCE_S = 0.3  # an onset is the first sound after at least this much digital silence
BUFFER = 512  # frames per mixer buffer (calmkit.shell.audio.BUFFER)


def sleep_until(deadline: float) -> None:
    """Sleep to within 2 ms, then spin: play() is called as close to the deadline as we can."""
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return
        if left > 0.002:
            time.sleep(left - 0.002)


class Watcher(threading.Thread):
    """Notes (wall time, file size) each time the raw file grows."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.points: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        last = -1
        while not self.done.is_set():
            try:
                size = os.stat(self.path).st_size
            except FileNotFoundError:
                size = 0
            if size != last:
                self.points.append((time.perf_counter(), size))
                last = size
            time.sleep(0.0005)


def wall_time_of(frame: int, points: list[tuple[float, int]], frame_bytes: int) -> float:
    """When ``frame`` reached the file, interpolated between the growth points around it."""
    frames = [size // frame_bytes for _t, size in points]
    i = bisect.bisect_left(frames, frame + 1)  # the first point at which the frame was written
    if i == 0 or i >= len(points):
        raise ValueError(f"frame {frame} is outside the watched part of the file")
    (t0, _s0), (t1, _s1) = points[i - 1], points[i]
    f0, f1 = frames[i - 1], frames[i]
    # The block (f0, f1] was written at t1; its frames were mixed at an even pace since t0.
    return t0 + (t1 - t0) * (frame + 1 - f0) / (f1 - f0)


def wav_samples(path: Path) -> array.array:
    with wave.open(str(path), "rb") as w:
        data = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    return data


def find_onsets(samples: array.array, silence_frames: int) -> list[int]:
    onsets, quiet = [], silence_frames
    for i, s in enumerate(samples):
        if s == 0:
            quiet += 1
            continue
        if quiet >= silence_frames:
            onsets.append(i)
        quiet = 0
    return onsets


def render(raw_path: Path) -> dict:
    os.environ["SDL_AUDIODRIVER"] = "disk"
    os.environ["SDL_DISKAUDIOFILE"] = str(raw_path)
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from calmkit.shell.audio import Audio

    warnings: list[str] = []
    a = Audio(enabled=True, volume=1.0, fade_in_ms=0, voice=False, warn=warnings.append)
    watcher = Watcher(raw_path)
    watcher.start()
    t_before = time.perf_counter()
    if not a.open():
        raise SystemExit(f"the mixer did not open: {warnings}")
    t_open = time.perf_counter()
    import pygame

    freq, fmt, channels = pygame.mixer.get_init()
    start = t_open + LEAD_IN_S
    calls = []
    for offset, name in SCHEDULE:
        sleep_until(start + offset)
        t = time.perf_counter()
        a.play(name)
        calls.append((name, start + offset, t))
    sleep_until(start + SCHEDULE[-1][0] + TAIL_S)
    t_close = time.perf_counter()
    a.close()
    watcher.done.set()
    watcher.join()
    if warnings:
        raise SystemExit(f"warnings while rendering: {warnings}")
    return {
        "format": (freq, fmt, channels),
        "open_ms": (t_open - t_before) * 1000,
        "wall": t_close - t_open,
        "calls": calls,
        "points": watcher.points,
        "sounds_dir": a.sounds_dir,
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        raw_path = Path(tmp) / "render.raw"
        run = render(raw_path)
        raw = raw_path.read_bytes()
    sys.stderr.flush()  # SDL's own notice about the disk driver, before the table

    freq, fmt, channels = run["format"]
    if fmt != -16:
        raise SystemExit(f"the mixer opened as format {fmt}; this script reads signed 16-bit")
    data = array.array("h", raw)
    if sys.byteorder == "big":
        data.byteswap()
    mono = data[::channels]
    frame_bytes = 2 * channels
    points = run["points"]
    blocks = [b[1] - a[1] for a, b in itertools.pairwise(points)]
    print(
        f"mixer: {freq} Hz, format {fmt}, {channels} channel(s), opened in {run['open_ms']:.1f} ms"
    )
    print(
        f"disk driver: {len(mono)} frames in {run['wall']:.3f} s of wall time "
        f"({(len(mono) / run['wall'] / freq - 1) * 100:+.2f} % against {freq} Hz); the file grew "
        f"{len(blocks)} times, by {min(blocks) // frame_bytes}..{max(blocks) // frame_bytes} frames"
    )

    onsets = find_onsets(mono, round(SILENCE_S * freq))
    calls = run["calls"]
    if len(onsets) != len(calls):
        print(f"found {len(onsets)} onsets for {len(calls)} cues: {onsets}")
        return 1

    print()
    print(
        f"{'cue':<11} {'scheduled':>9} {'play() late':>11} {'frame':>7} {'offset':>8} "
        f"{'vs 1st cue':>10}  samples"
    )
    offsets = []
    aligned = []
    for (name, deadline, t_call), onset in zip(calls, onsets, strict=True):
        wav = wav_samples(run["sounds_dir"] / f"{name}.wav")
        lead = next(i for i, s in enumerate(wav) if s != 0)  # the file's own first sound
        begin = onset - lead
        exact = channels == 1 and freq == 22050 and mono[begin : begin + len(wav)] == wav
        offset = wall_time_of(begin, points, frame_bytes) - deadline
        offsets.append(offset)
        aligned.append(begin % BUFFER == 0)
        print(
            f"{name:<11} {deadline - calls[0][1]:>8.3f}s {(t_call - deadline) * 1000:>9.3f}ms "
            f"{begin:>7} {offset * 1000:>6.1f}ms {(offset - offsets[0]) * 1000:>8.1f}ms  "
            f"{'exact' if exact else 'DIFFER'}"
        )
    buffer_ms = BUFFER / freq * 1000
    print()
    print(
        f"offsets {min(offsets) * 1000:.1f} .. {max(offsets) * 1000:.1f} ms, spread "
        f"{(max(offsets) - min(offsets)) * 1000:.1f} ms (expected: within one buffer period, "
        f"{buffer_ms:.1f} ms, a little more when a busy machine stretches the disk driver's "
        f"sleeps); every cue starts on a {BUFFER}-frame buffer boundary: "
        f"{'yes' if all(aligned) else 'no'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
