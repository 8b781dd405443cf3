"""Make calmkit's own sounds: soft chimes and bells, and spoken prompts.

    python sounds/make_sounds.py [--out DIR] [--tones-only]

Every file is mono, 16-bit, 22050 Hz WAV. The tones are synthesised here with the standard library
alone (math, wave, array), so they come out the same, byte for byte, on every run. The spoken
prompts are made with espeak-ng at a slow, calm rate, then filtered, trimmed, faded and normalised
here; espeak-ng is needed only to regenerate them, never by calmkit itself. Without espeak-ng this
script says so, keeps the spoken files already in the folder and still writes the tones.

Everything is meant for someone lying in bed at night: slow attacks (no click), exponential decays,
low and warm pitches, nothing bright above about 2 kHz, peaks well below full scale.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from calmkit.shell import texts
from calmkit.shell.render import speak_espeak
from calmkit.shell.wavs import RATE, normalise, shape_speech, write_wav

HERE = Path(__file__).resolve().parent

# Levels in dBFS (0 = full scale). Chimes and bells about -12, the small ticks softer still. The
# voice (VOICE_DB, -14 dBFS peak: calmkit.shell.wavs) comes out about as loud to the ear.
CHIME_DB = -12.0
BELL_DB = -12.0
SOFT_DB = -18.0
TICK_DB = -20.0
INTERVAL_DB = -16.0

# The packaged prompts: the English words (src/calmkit/shell/spoken/en.toml) in espeak-ng's
# en+f3 voice, at the rate and pitch every espeak-ng pack has (calmkit.shell.render).
ENGLISH = texts.load("en")
SPOKEN: dict[str, str] = dict(ENGLISH.prompts)


# --------------------------------------------------------------------------------------------
# Tones


@dataclass(frozen=True)
class Partial:
    """One component of a tone: a frequency ratio to the fundamental, a relative amplitude, the
    time constant of its exponential decay, and an optional beat (the slow wobble of a singing
    bowl: the partial is split in two, ``beat_hz`` apart)."""

    ratio: float
    amp: float
    tau: float
    beat_hz: float = 0.0


def _smoothstep(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


def _envelope(n: int, attack_s: float, release_s: float) -> list[float]:
    """A raised-cosine rise (zero slope at the start: no click) and fall to exactly 0."""
    attack = max(1, round(attack_s * RATE))
    release = max(1, round(release_s * RATE))
    env = [1.0] * n
    for i in range(min(attack, n)):
        env[i] = 0.5 - 0.5 * math.cos(math.pi * i / attack)
    for k in range(min(release, n)):
        i = n - 1 - k
        env[i] *= 0.5 - 0.5 * math.cos(math.pi * k / release)
    return env


def tone(
    seconds: float,
    partials: Sequence[Partial],
    *,
    f0: float | Callable[[float], float],
    attack_s: float,
    release_s: float,
) -> list[float]:
    """A sum of decaying partials over a fundamental that may glide (``f0`` a function of time).

    Phase is accumulated sample by sample so a glide stays continuous. The result is unscaled.
    """
    n = round(seconds * RATE)
    freq = f0 if callable(f0) else (lambda _t, f=f0: f)
    out = [0.0] * n
    for p_index, p in enumerate(partials):
        offsets = (-p.beat_hz / 2.0, p.beat_hz / 2.0) if p.beat_hz else (0.0,)
        amp = p.amp / len(offsets)
        for o_index, offset in enumerate(offsets):
            # A fixed, different starting phase for each component: deterministic, and the
            # components do not all pile up on the first sample.
            phase = 0.7 * p_index + 1.9 * o_index
            decay = math.exp(-1.0 / (p.tau * RATE))
            level = amp
            for i in range(n):
                out[i] += level * math.sin(phase)
                phase += 2.0 * math.pi * (freq(i / RATE) * p.ratio + offset) / RATE
                level *= decay
    env = _envelope(n, attack_s, release_s)
    return [s * e for s, e in zip(out, env, strict=True)]


def _glide(start_hz: float, end_hz: float, glide_s: float) -> Callable[[float], float]:
    """A smooth glide (even on a log scale, eased at both ends), then steady."""
    ratio = end_hz / start_hz
    return lambda t: start_hz * ratio ** _smoothstep(t / glide_s)


# A soft mallet on a warm bar: a strong fundamental, a quiet octave, a touch of an inharmonic mode.
_CHIME = (
    Partial(1.0, 1.0, 0.45),
    Partial(2.0, 0.16, 0.25),
    Partial(2.76, 0.05, 0.15),
)
# A singing bowl: inharmonic modes, each a beating pair; the high ones fade first.
_BOWL = (
    Partial(1.0, 1.0, 2.4, beat_hz=0.6),
    Partial(2.8, 0.35, 1.3, beat_hz=1.1),
    Partial(5.2, 0.10, 0.7, beat_hz=1.9),
    Partial(8.3, 0.025, 0.35),
)


def tone_specs() -> dict[str, tuple[Callable[[], list[float]], float]]:
    """Each tone's name -> (a function making its samples, its peak in dBFS)."""
    return {
        # Inhale: a soft tone rising a minor third, E4 to G4.
        "chime_in": (
            lambda: tone(0.8, _CHIME, f0=_glide(330.0, 392.0, 0.45), attack_s=0.06, release_s=0.2),
            CHIME_DB,
        ),
        # Exhale: lower and falling a major third, E4 to C4, a little longer.
        "chime_out": (
            lambda: tone(
                1.0,
                tuple(Partial(p.ratio, p.amp, p.tau * 1.3) for p in _CHIME),
                f0=_glide(330.0, 262.0, 0.6),
                attack_s=0.06,
                release_s=0.3,
            ),
            CHIME_DB,
        ),
        # Hold: a short, very soft D4.
        "chime_hold": (
            lambda: tone(
                0.4,
                (Partial(1.0, 1.0, 0.15), Partial(2.0, 0.08, 0.08)),
                f0=294.0,
                attack_s=0.045,
                release_s=0.15,
            ),
            SOFT_DB,
        ),
        # Press / release / count feedback: the softest, shortest blip, A4.
        "tick": (
            lambda: tone(
                0.15,
                (Partial(1.0, 1.0, 0.08), Partial(2.0, 0.05, 0.04)),
                f0=440.0,
                attack_s=0.06,
                release_s=0.07,
            ),
            TICK_DB,
        ),
        # Bowls: start on A3, end lower on G3 and ring longer, the interval bell softer on C4.
        "bell_start": (
            lambda: tone(3.5, _BOWL, f0=220.0, attack_s=0.045, release_s=1.2),
            BELL_DB,
        ),
        "bell_end": (
            lambda: tone(
                4.0,
                tuple(Partial(p.ratio, p.amp, p.tau * 1.15, p.beat_hz) for p in _BOWL),
                f0=196.0,
                attack_s=0.045,
                release_s=1.4,
            ),
            BELL_DB,
        ),
        "bell_interval": (
            lambda: tone(
                2.0,
                tuple(Partial(p.ratio, p.amp, p.tau * 0.6, p.beat_hz) for p in _BOWL[:3]),
                f0=262.0,
                attack_s=0.05,
                release_s=0.8,
            ),
            INTERVAL_DB,
        ),
    }


# --------------------------------------------------------------------------------------------
# Speech (the samples' shaping is calmkit.shell.wavs, shared with every voice pack)


def speak(espeak: str, text: str) -> list[float]:
    return shape_speech(speak_espeak(Path(espeak), text, ENGLISH.espeak_voice))


# --------------------------------------------------------------------------------------------


def make_tones(out: Path, names: Sequence[str] | None = None) -> list[Path]:
    written = []
    for name, (make, peak_db) in tone_specs().items():
        if names is not None and name not in names:
            continue
        path = out / f"{name}.wav"
        write_wav(path, normalise(make(), peak_db))
        written.append(path)
    return written


def make_speech(out: Path, espeak: str, names: Sequence[str] | None = None) -> list[Path]:
    written = []
    for name, text in SPOKEN.items():
        if names is not None and name not in names:
            continue
        path = out / f"{name}.wav"
        write_wav(path, speak(espeak, text))
        written.append(path)
    return written


def _describe(path: Path) -> str:
    with wave.open(str(path), "rb") as w:
        seconds = w.getnframes() / w.getframerate()
    return f"  {path.name:<24} {seconds:5.2f} s {path.stat().st_size / 1024:7.1f} KiB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: here)")
    parser.add_argument("--tones-only", action="store_true", help="skip the spoken prompts")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    written = make_tones(out)
    status = 0
    if not args.tones_only:
        espeak = shutil.which("espeak-ng")
        if espeak is None:
            kept = [n for n in SPOKEN if (out / f"{n}.wav").exists()]
            missing = [n for n in SPOKEN if n not in kept]
            print(
                "espeak-ng is not installed, so the spoken prompts were NOT regenerated "
                f"({len(kept)} kept as they were"
                + (f", {len(missing)} missing: {', '.join(missing)}" if missing else "")
                + "). Install it (Debian / Raspberry Pi OS: sudo apt install espeak-ng) and run "
                "this again.",
                file=sys.stderr,
            )
            status = 1 if missing else 0
        else:
            written += make_speech(out, espeak)

    print(f"wrote {len(written)} files to {out}:")
    for path in written:
        print(_describe(path))
    total = sum(p.stat().st_size for p in out.glob("*.wav"))
    print(f"total of all WAVs in {out}: {total / 1024:.1f} KiB")
    return status


if __name__ == "__main__":
    sys.exit(main())
