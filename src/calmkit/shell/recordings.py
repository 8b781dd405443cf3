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
import subprocess
import tempfile
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from calmkit import __version__
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
LONG_S = 30.0


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
            try:
                subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
            except subprocess.CalledProcessError as exc:
                said = (exc.stderr or "").strip().splitlines()
                why = said[-1].split("': ")[-1] if said else "no reason given"  # not the path
                raise ValueError(f"sox cannot read it ({why})") from None
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ValueError(f"sox cannot read it ({exc})") from None
            return wavs.read_wav(out)

    return read


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
        return wavs.read_wav(out)


def _read(path: Path, convert: Reader | None) -> list[float]:
    """The samples of a recording; ValueError saying why it cannot be read."""
    if path.stat().st_size == 0:
        raise ValueError("it is empty")
    if path.suffix.lower() != ".wav":
        return (convert or _pygame_read)(path)
    try:
        return wavs.read_wav(path)
    except (wave.Error, EOFError, ValueError) as exc:
        problem = ValueError(f"it is not a WAV that can be read ({exc or 'it ends early'})")
    if convert is None:  # pygame would refuse what `wave` cannot read but sox might
        raise problem
    try:
        return convert(path)  # a float or compressed WAV, say
    except ValueError:
        raise problem from None


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
    try:
        files = sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith("."))
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
        if prompt not in SPOKEN:
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
            level = wavs.peak_dbfs(samples)
            if level < SILENT_DB:
                raise ValueError(f"it is almost silent (peak {level:.0f} dBFS)")
            shaped[prompt] = wavs.shape_speech(samples, None)
        except (ValueError, OSError) as exc:
            problems.append(f"{path.name}: cannot be used: {exc}. Fix: record it again.")
            continue
        seconds = len(shaped[prompt]) / wavs.RATE
        if level < QUIET_DB:
            notes.append(f"{path.name}: very quiet (peak {level:.0f} dBFS); raised, hiss and all")
        if level >= CLIPPED_DB:
            notes.append(f"{path.name}: it reaches full scale, so it may crackle; record softer")
        if seconds > LONG_S:
            notes.append(f"{path.name}: {seconds:.0f} s long; a prompt is best a few seconds")

    base = into if into is not None else voices.pack_dirs()[0]
    existing = _existing(base / pack_name)
    words = _words(language)
    have = set(shaped) | {
        n for n in SPOKEN if existing and (existing.folder / f"{n}.wav").is_file()
    }
    missing = [(n, words.get(n, "")) for n in SPOKEN if n not in have]
    if not shaped:
        return Imported(None, [], missing, problems, notes)

    with voices.building(base, pack_name) as folder:
        lengths: dict[str, float] = dict(existing.lengths) if existing else {}
        if existing is not None:
            for old in existing.folder.glob("*.wav"):
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


def _existing(folder: Path) -> voices.Pack | None:
    try:
        return voices.read_pack(folder)
    except ValueError:
        return None
