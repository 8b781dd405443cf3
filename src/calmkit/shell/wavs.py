"""Samples in and out of WAV files with the standard library alone (wave, array, math).

Every packaged sound and every voice pack is mono, 16-bit, 22050 Hz: the mixer's own format
(shell/audio.py), so nothing is converted when a sound loads. Spoken prompts, whoever says them
(espeak-ng, Piper, a person), are shaped the same way here: rumble off, the silence around the
words trimmed, a fade in and out (no click), the peak at VOICE_DB.
"""

from __future__ import annotations

import array
import math
import sys
import wave
from collections.abc import Sequence
from pathlib import Path

RATE = 22050
#: The voice is normalised on its peak: a voice's peak sits far above its average, so at -14 dBFS
#: peak it comes out about as loud to the ear as the chimes (-12 dBFS).
VOICE_DB = -14.0
#: The fade every prompt starts with, in seconds: heard as a soft start, never a click.
FADE_IN_S = 0.03
FADE_OUT_S = 0.08
FULL = 32767


def normalise(samples: Sequence[float], peak_db: float) -> list[float]:
    """Scale so the largest sample sits at ``peak_db`` dBFS (full scale = 1.0)."""
    peak = max((abs(s) for s in samples), default=0.0)
    if peak == 0.0:
        return list(samples)
    gain = 10.0 ** (peak_db / 20.0) / peak
    return [s * gain for s in samples]


def to_int16(samples: Sequence[float]) -> array.array[int]:
    return array.array("h", (max(-FULL, min(FULL, round(s * FULL))) for s in samples))


def write_wav(path: Path, samples: Sequence[float]) -> None:
    """Mono 16-bit RATE, written beside and renamed: a half-written file is never left."""
    data = to_int16(samples)
    if sys.byteorder == "big":
        data.byteswap()
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data.tobytes())
    tmp.replace(path)


def read_wav(path: Path) -> list[float]:
    """Any PCM WAV the ``wave`` module reads -> mono floats at RATE (downmixed, resampled).

    Raises wave.Error, EOFError or OSError for a file that is not one, ValueError for a sample
    width it does not know.
    """
    with wave.open(str(path), "rb") as w:
        channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        raw = w.readframes(w.getnframes())
    if width == 1:
        values = [(b - 128) / 128.0 for b in raw]
    elif width in (2, 4):
        ints = array.array("h" if width == 2 else "i", raw)
        if sys.byteorder == "big":
            ints.byteswap()
        scale = float(2 ** (8 * width - 1))
        values = [v / scale for v in ints]
    elif width == 3:
        values = [
            int.from_bytes(raw[i : i + 3], "little", signed=True) / 8388608.0
            for i in range(0, len(raw) - 2, 3)
        ]
    else:
        raise ValueError(f"{8 * width}-bit samples are not supported")
    mono = [sum(values[i : i + channels]) / channels for i in range(0, len(values), channels)]
    if rate > RATE:  # a 44.1 or 48 kHz recording: nothing above the new Nyquist may fold back
        for _ in range(2):  # fourth order: -24 dB an octave
            mono = _lowpass(mono, 0.45 * RATE, rate=rate)
    return resample(mono, rate, RATE) if rate != RATE else mono


def resample(samples: Sequence[float], src: int, dst: int) -> list[float]:
    """Linear interpolation (read_wav low-passes first when the rate goes down)."""
    n = int(len(samples) * dst / src)
    out = []
    for j in range(n):
        x = j * src / dst
        i = int(x)
        frac = x - i
        a = samples[i]
        b = samples[i + 1] if i + 1 < len(samples) else a
        out.append(a + (b - a) * frac)
    return out


def peak_dbfs(samples: Sequence[float]) -> float:
    """The largest sample in dBFS; -inf for silence."""
    peak = max((abs(s) for s in samples), default=0.0)
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def seconds(path: Path) -> float:
    """A WAV's length from its header."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def is_packaged_format(path: Path) -> bool:
    """Mono, 16-bit, RATE, uncompressed: loads into the mixer as it is."""
    with wave.open(str(path), "rb") as w:
        return (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getcomptype()) == (
            1,
            2,
            RATE,
            "NONE",
        )


def _highpass(samples: Sequence[float], hz: float) -> list[float]:
    """First-order high-pass: removes DC and rumble."""
    rc = 1.0 / (2.0 * math.pi * hz)
    a = rc / (rc + 1.0 / RATE)
    out, prev_x, prev_y = [], 0.0, 0.0
    for x in samples:
        prev_y = a * (prev_y + x - prev_x)
        prev_x = x
        out.append(prev_y)
    return out


def _lowpass(
    samples: Sequence[float], hz: float, q: float = 0.7071, rate: int = RATE
) -> list[float]:
    """Second-order Butterworth low-pass (RBJ biquad): takes the hiss off a synthetic voice."""
    w0 = 2.0 * math.pi * hz / rate
    alpha = math.sin(w0) / (2.0 * q)
    cos_w0 = math.cos(w0)
    a0 = 1.0 + alpha
    b0 = b2 = (1.0 - cos_w0) / 2.0 / a0
    b1 = (1.0 - cos_w0) / a0
    a1 = -2.0 * cos_w0 / a0
    a2 = (1.0 - alpha) / a0
    out = []
    x1 = x2 = y1 = y2 = 0.0
    for x in samples:
        y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1, y2, y1 = x1, x, y1, y
        out.append(y)
    return out


def shape_speech(samples: Sequence[float], lowpass_hz: float | None = 3400.0) -> list[float]:
    """Filter, trim the silence around the words, fade in and out, normalise to VOICE_DB.

    ``lowpass_hz`` takes the hiss off espeak-ng; a natural voice (Piper, a person) keeps its
    air with None. Raises ValueError for silence.
    """
    voice = _highpass(samples, 70.0)
    if lowpass_hz is not None:
        voice = _lowpass(voice, lowpass_hz)
    peak = max((abs(s) for s in voice), default=0.0)
    if peak == 0.0:
        raise ValueError("it holds only silence")
    gate = peak * 10.0 ** (-40.0 / 20.0)
    loud = [i for i, s in enumerate(voice) if abs(s) > gate]
    start = max(0, loud[0] - round(0.03 * RATE))
    end = min(len(voice), loud[-1] + round(0.1 * RATE))
    voice = voice[start:end]
    fade_in = round(FADE_IN_S * RATE)
    fade_out = round(FADE_OUT_S * RATE)
    n = len(voice)
    for i in range(min(fade_in, n)):
        voice[i] *= 0.5 - 0.5 * math.cos(math.pi * i / fade_in)
    for k in range(min(fade_out, n)):
        voice[n - 1 - k] *= 0.5 - 0.5 * math.cos(math.pi * k / fade_out)
    return normalise(voice, VOICE_DB)
