"""`calmkit voices import DIR`: a person's own recordings of the prompts, checked and installed as
a voice pack.

Each file is named for its prompt (``say_paused.wav``; the names and their words are in README's
"record a voice you love" and in `calmkit voices import --help`). Every file is read (WAV with
the standard library; any other format, or a WAV it cannot read, through sox when sox is there,
else through pygame's mixer), shaped like the packaged prompts (rumble off, the silence around
the words trimmed, a fade in, the peak at -14 dBFS) and written as mono 16-bit 22050 Hz. A file
that cannot be read is one line saying so, never a traceback; the prompts not recorded are
listed with the words to say.
"""

from __future__ import annotations

import difflib
import os
import shutil
import stat
import subprocess
import tempfile
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from calmkit import __version__
from calmkit.config.files import NotARegularFile, odd_kind, open_regular
from calmkit.core.errors import CalmkitError, UsageError
from calmkit.core.prompts import LANGUAGE, PACK_NAME, SPOKEN
from calmkit.shell import texts, voices, wavs

EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".m4a", ".opus", ".aif", ".aiff")
#: Below this peak a recording is mostly the microphone's hiss: refused.
SILENT_DB = -50.0
#: Below this it is very quiet: raised, with a note (its hiss is raised too).
QUIET_DB = -30.0
#: At this peak it has probably clipped (a distorted, crackling voice).
CLIPPED_DB = -0.1
LONG_S = 15.0
#: The longest a recording may last: the longest prompt (say_reach_out) takes about 10 s. It
#: also bounds the memory an import takes (about 170 MB for 20 s of 48 kHz stereo, read as
#: Python floats): a Pi Zero 2 W has 512 MB.
MAX_S = 20.0
#: The shortest: "Paused." takes about half a second.
MIN_S = 0.2
#: The most of a compressed recording (not a WAV) that is read.
MAX_ENCODED_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Imported:
    pack: voices.Pack | None  # None: nothing could be installed
    installed: list[str]
    missing: list[tuple[str, str]]  # (prompt, the words to say)
    problems: list[str]  # one line per file that could not be used
    notes: list[str]  # one line per file used with a remark (quiet, clipped, long)


Reader = Callable[[Path], list[float]]


def _sox_reader(sox: str) -> Reader:
    def read(path: Path) -> list[float]:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "converted.wav"
            command = [sox, str(path), "-b", "16", "-c", "1", "-r", str(wavs.RATE), str(out)]
            command += ["trim", "0", f"{MAX_S + 1:g}"]  # never more written than is refused
            try:
                subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
            except subprocess.CalledProcessError as exc:
                said = (exc.stderr or "").strip().splitlines()
                why = said[-1].split("': ")[-1] if said else "no reason given"  # not the path
                raise ValueError(f"sox cannot read it ({why})") from None
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ValueError(f"sox cannot read it ({exc})") from None
            return _not_too_long(wavs.read_wav(out))

    return read


def _not_too_long(samples: list[float]) -> list[float]:
    """A converted recording (cut at just over MAX_S): Unusable when it lasts over MAX_S."""
    if len(samples) > MAX_S * wavs.RATE:
        raise wavs.Unusable(
            f"it lasts over {MAX_S:g} s, longer than a prompt may last",
            "cut it to the words and the breath around them",
        )
    return samples


def _pygame_read(path: Path) -> list[float]:
    """Through pygame's mixer, opened in the packaged format (on SDL's silent driver when no
    mixer is open: nothing is played)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame
    except ImportError:
        raise ValueError(
            "it is not a WAV and neither sox nor pygame is here to convert it"
        ) from None
    opened_here = pygame.mixer.get_init() is None
    saved = os.environ.get("SDL_AUDIODRIVER")
    try:
        if opened_here:
            os.environ["SDL_AUDIODRIVER"] = "dummy"
            pygame.mixer.init(frequency=wavs.RATE, size=-16, channels=1)
        frequency, size, channels = pygame.mixer.get_init() or (wavs.RATE, -16, 1)
        raw = pygame.mixer.Sound(str(path)).get_raw()
    except pygame.error as exc:
        raise ValueError(f"it cannot be decoded ({exc})") from None
    finally:
        if opened_here:
            pygame.mixer.quit()
            if saved is None:
                os.environ.pop("SDL_AUDIODRIVER", None)
            else:
                os.environ["SDL_AUDIODRIVER"] = saved
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "converted.wav"
        with wave.open(str(out), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(abs(size) // 8)
            w.setframerate(frequency)
            w.writeframes(raw)
        return _not_too_long(wavs.read_wav(out))


def _read(path: Path, convert: Reader | None) -> list[float]:
    """The samples of a recording; ValueError saying why it cannot be read (Unusable: why it
    is refused). Only the regular file itself is opened, never a link, a FIFO or a device."""
    if os.lstat(path).st_size == 0:
        raise ValueError("it is empty")
    if path.suffix.lower() != ".wav":
        return _converted(path, convert or _pygame_read)
    try:
        return wavs.read_wav(path, MAX_S, follow_links=False)
    except wavs.Unusable:
        raise
    except (EOFError, ValueError) as exc:
        problem = ValueError(f"it is not a WAV that can be read ({exc or 'it ends early'})")
    if convert is None:  # pygame would refuse what calmkit cannot read but sox might
        raise problem
    try:
        return _converted(path, convert)  # a compressed WAV, say
    except wavs.Unusable:
        raise
    except ValueError:
        raise problem from None


def _converted(path: Path, convert: Reader) -> list[float]:
    """A recording in another format, copied (at most MAX_ENCODED_BYTES: a huge file is refused
    unread) from the regular file itself to a private copy that the converter reads."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(open_regular(path, flags), "rb") as stream:
        data = stream.read(MAX_ENCODED_BYTES + 1)
    if len(data) > MAX_ENCODED_BYTES:
        raise wavs.Unusable(
            f"it is over {MAX_ENCODED_BYTES // 2**20} MiB, far more than a prompt of "
            f"{MAX_S:g} s needs",
            "cut it to the words, or export it as a WAV",
        )
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / f"recording{path.suffix.lower()}"
        copy.write_bytes(data)
        del data
        return convert(copy)


def _odd_entry(path: Path) -> str | None:
    """Why a folder entry named like a recording is not one to read (None: it is a file)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return f"cannot be looked at ({exc.strerror or exc})"
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return (
            f"is a link (to {target}), and only a recording itself is read. Fix: copy the "
            "recording itself into the folder under this name"
        )
    kind = odd_kind(mode)
    if kind is not None:
        return f"is {kind}, not a recording. Fix: put the recording itself here under this name"
    return None


def _words(language: str) -> Mapping[str, str]:
    try:
        return texts.load(language).prompts
    except UsageError:
        return texts.load(voices.ENGLISH).prompts


def import_recordings(
    source: Path,
    *,
    language: str = voices.ENGLISH,
    name: str | None = None,
    into: Path | None = None,
    sox: str | None = None,
    use_sox: bool = True,
) -> Imported:
    """Check, convert, normalise and install the recordings in ``source`` as a pack."""
    if not LANGUAGE.fullmatch(language):
        raise UsageError(f"--language takes a code like en, de or pt-BR, not {language!r}")
    pack_name = name or f"{language}-own"
    if not PACK_NAME.fullmatch(pack_name):
        raise UsageError(f"{pack_name!r} is not a pack name: letters, digits and . _ + - only")
    base = into if into is not None else voices.pack_dirs()[0]
    existing = voices.replaceable(base / pack_name, language, own=True, suggest=f"{language}-own")
    try:
        files = sorted(p for p in source.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        raise CalmkitError(f"cannot read the folder {source} ({exc.strerror or exc})") from None
    sox = sox or (shutil.which("sox") if use_sox else None)
    convert = _sox_reader(sox) if sox else None

    problems: list[str] = []
    chosen: dict[str, Path] = {}
    for path in files:
        if path.suffix.lower() not in EXTENSIONS:
            continue
        prompt = path.stem.lower()
        odd = _odd_entry(path)
        if odd is not None:
            problems.append(f"{path.name}: {odd}")
        elif prompt not in SPOKEN:
            close = difflib.get_close_matches(prompt, SPOKEN, n=1)
            hint = f" Did you mean {close[0]}{path.suffix}?" if close else ""
            problems.append(f"{path.name}: no prompt is called {path.stem!r}.{hint}")
        elif prompt in chosen:
            problems.append(
                f"{path.name}: a second recording of {prompt} ({chosen[prompt].name} is used)"
            )
        else:
            chosen[prompt] = path

    shaped: dict[str, list[float]] = {}
    notes: list[str] = []
    for prompt, path in chosen.items():
        try:
            samples = _read(path, convert)
            if len(samples) < MIN_S * wavs.RATE:
                raise wavs.Unusable(
                    f"it lasts only {1000 * len(samples) / wavs.RATE:.0f} ms, too short for words",
                    "record the words again",
                )
            level = wavs.peak_dbfs(samples)
            if level < SILENT_DB:
                raise ValueError(f"it is almost silent (peak {level:.0f} dBFS)")
            shaped[prompt] = wavs.shape_speech(samples, None)
        except wavs.Unusable as exc:
            problems.append(f"{path.name}: cannot be used: {exc}. Fix: {exc.fix}.")
            continue
        except NotARegularFile as exc:  # swapped for a FIFO since it was looked at
            problems.append(f"{path.name}: is {exc.kind}, not a recording.")
            continue
        except (ValueError, OSError) as exc:
            why = getattr(exc, "strerror", None) or exc
            problems.append(f"{path.name}: cannot be used: {why}. Fix: record it again.")
            continue
        seconds = len(shaped[prompt]) / wavs.RATE
        if level < QUIET_DB:
            notes.append(f"{path.name}: very quiet (peak {level:.0f} dBFS); raised, hiss and all")
        if level >= CLIPPED_DB:
            notes.append(f"{path.name}: it reaches full scale, so it may crackle; record softer")
        if seconds > LONG_S:
            notes.append(f"{path.name}: {seconds:.0f} s long; a prompt is best a few seconds")

    words = _words(language)
    have = set(shaped) | {  # a link or a FIFO in the pack is not kept: missing
        n for n in SPOKEN if existing and _odd_entry(existing.folder / f"{n}.wav") is None
    }
    missing = [(n, words.get(n, "")) for n in SPOKEN if n not in have]
    if not shaped:
        return Imported(None, [], missing, problems, notes)

    with voices.building(base, pack_name) as folder:
        lengths: dict[str, float] = dict(existing.lengths) if existing else {}
        if existing is not None:
            for old in existing.folder.glob("*.wav"):
                if _odd_entry(old) is None:  # never a link's target, never a FIFO
                    shutil.copy2(old, folder / old.name)
        for prompt, samples in shaped.items():
            wavs.write_wav(folder / f"{prompt}.wav", samples)
            lengths[prompt] = round(len(samples) / wavs.RATE, 3)
        voices.write_manifest(
            folder,
            language=existing.language if existing else language,
            engine=existing.engine if existing else "own",
            voice=existing.voice if existing else "own recordings",
            texts_version=existing.texts_version if existing else None,
            texts_hash=existing.texts_hash if existing else None,
            calmkit=__version__,
            lengths=lengths,
        )
    return Imported(voices.read_pack(base / pack_name), sorted(shaped), missing, problems, notes)
