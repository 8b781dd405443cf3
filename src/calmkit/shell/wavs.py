"""Samples in and out of WAV files with the standard library alone (wave, array, math).

Every packaged sound and every voice pack is mono, 16-bit, 22050 Hz: the mixer's own format
(shell/audio.py), so nothing is converted when a sound loads. Spoken prompts, whoever says them
(espeak-ng, Piper, a person), are shaped the same way here: rumble off, the silence around the
words trimmed, a fade in and out (no click), the peak at VOICE_DB.
"""

from __future__ import annotations

import array
import math
import os
import struct
import sys
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from calmkit.config.files import open_regular

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


#: What a recording may be, from its header, before a sample is read: rates outside these are a
#: damaged header (0 Hz, 4 GHz) or no voice recording (1 Hz); more channels are no microphone.
MIN_RATE = 8000
MAX_RATE = 384000
MAX_CHANNELS = 8
#: The most samples (all channels) read at all: 20 s of 48 kHz stereo (a minute of it took 4 s
#: and 500 MB on the build machine; a Pi Zero 2 W has 512 MB).
MAX_SAMPLES = 20 * 48000 * 2
_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


class Unusable(ValueError):
    """A WAV that was read and is refused for what it holds (no converter can help); ``fix``
    says what to do about it."""

    def __init__(self, why: str, fix: str) -> None:
        super().__init__(why)
        self.fix = fix


@dataclass(frozen=True)
class Header:
    """What a WAV's header says, and where its samples are (``size``: what the file has of them)."""

    format: int  # 1: integer PCM, 3: floating point; others (compressed) are not read here
    channels: int
    rate: int
    width: int  # bytes a sample
    offset: int
    size: int

    @property
    def frames(self) -> int:
        return self.size // (self.channels * self.width) if self.channels and self.width else 0

    @property
    def seconds(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def read_header(stream: BinaryIO) -> Header:
    """The RIFF/WAVE header of ``stream``; ValueError when it is not one."""
    end = os.fstat(stream.fileno()).st_size
    riff = stream.read(12)
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:] != b"WAVE":
        raise ValueError("it has no RIFF/WAVE header")
    fmt: tuple[int, int, int, int] | None = None
    while True:
        chunk = stream.read(8)
        if len(chunk) < 8:
            raise ValueError("it ends early" if fmt else "it has no format chunk")
        kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if kind == b"fmt ":
            body = stream.read(size + (size & 1))
            if len(body) < 16:
                raise ValueError("its format chunk is cut short")
            tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == _EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack("<H", body[24:26])[0]  # the sub-format GUID's first field
            width = align // channels if channels and align >= channels else (bits + 7) // 8
            if width == 0:
                raise ValueError("its header says a sample has no bytes")
            fmt = (tag, channels, rate, width)
        elif kind == b"data":
            if fmt is None:
                raise ValueError("its samples come before its format")
            offset = stream.tell()
            return Header(*fmt, offset=offset, size=max(0, min(size, end - offset)))
        else:
            stream.seek(size + (size & 1), os.SEEK_CUR)


def check_header(header: Header, max_s: float | None = None) -> None:
    """Unusable when the header describes no recording of a voice (before a sample is read)."""
    if not MIN_RATE <= header.rate <= MAX_RATE:
        raise Unusable(
            f"its header says a sample rate of {header.rate} Hz, and a recording has "
            f"{MIN_RATE} to {MAX_RATE} Hz (44100 or 48000 usually)",
            "export it again as a WAV at 44100 Hz",
        )
    if not 1 <= header.channels <= MAX_CHANNELS:
        raise Unusable(
            f"its header says {header.channels} channels, and a recording has 1 to {MAX_CHANNELS}",
            "export it again as mono (or stereo)",
        )
    if max_s is not None and header.seconds > max_s:
        raise Unusable(
            f"it lasts {header.seconds:.0f} s, longer than the {max_s:g} s a prompt may last",
            "cut it to the words and the breath around them",
        )
    if header.frames * header.channels > MAX_SAMPLES:
        raise Unusable(
            f"it holds too many samples to read ({header.seconds:.1f} s at {header.rate} Hz, "
            f"{header.channels} channels)",
            "export it again as mono at 44100 Hz",
        )


def read_wav(path: Path, max_s: float | None = None, *, follow_links: bool = True) -> list[float]:
    """A PCM or floating-point WAV -> mono floats at RATE (downmixed, resampled).

    Only a regular file is opened (never a FIFO, which would hang; with ``follow_links`` False,
    never a link), and the header is checked before a sample is read (check_header: its rate,
    channels, and a length over ``max_s``). Raises Unusable for a recording that is refused,
    ValueError for a file this module cannot read (a compressed WAV: sox may), OSError.
    """
    flags = os.O_RDONLY | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(open_regular(path, flags), "rb") as stream:
        header = read_header(stream)
        check_header(header, max_s)
        stream.seek(header.offset)
        raw = stream.read(header.frames * header.channels * header.width)
    raw = raw[: len(raw) - len(raw) % (header.channels * header.width)]  # cut short meanwhile
    values = _values(raw, header)
    if not all(map(math.isfinite, values)):
        raise Unusable(
            "it holds samples that are not numbers (NaN or infinite): the file is damaged",
            "export it again from the program that recorded it",
        )
    channels, rate = header.channels, header.rate
    mono = [sum(values[i : i + channels]) / channels for i in range(0, len(values), channels)]
    if rate > RATE:  # a 44.1 or 48 kHz recording: nothing above the new Nyquist may fold back
        for _ in range(2):  # fourth order: -24 dB an octave
            mono = _lowpass(mono, 0.45 * RATE, rate=rate)
    return resample(mono, rate, RATE) if rate != RATE else mono


def _values(raw: bytes, header: Header) -> Sequence[float]:
    """The samples of every channel, interleaved, as floats (full scale = 1.0)."""
    width = header.width
    if header.format == _FLOAT and width in (4, 8):
        floats = array.array("f" if width == 4 else "d", raw)
        if sys.byteorder == "big":
            floats.byteswap()
        return floats
    if header.format != _PCM:
        raise ValueError(f"its sample format {header.format} is not plain PCM")
    if width == 1:
        return [(b - 128) / 128.0 for b in raw]
    if width in (2, 4):
        ints = array.array("h" if width == 2 else "i", raw)
        if sys.byteorder == "big":
            ints.byteswap()
        scale = float(2 ** (8 * width - 1))
        return [v / scale for v in ints]
    if width == 3:
        return [
            int.from_bytes(raw[i : i + 3], "little", signed=True) / 8388608.0
            for i in range(0, len(raw) - 2, 3)
        ]
    raise ValueError(f"{8 * width}-bit samples are not supported")


def resample(samples: Sequence[float], src: int, dst: int) -> list[float]:
    """Linear interpolation (read_wav low-passes first when the rate goes down)."""
    if src <= 0 or dst <= 0:
        raise ValueError(f"a sample rate of {src if src <= 0 else dst} Hz")
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
    """A WAV's length from its header (0 for a header with no rate)."""
    with os.fdopen(open_regular(path, os.O_RDONLY), "rb") as stream:
        return read_header(stream).seconds


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
    if not math.isfinite(peak):
        raise ValueError("it holds samples that are not numbers")
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
