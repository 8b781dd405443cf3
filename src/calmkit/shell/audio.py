"""Sound: the soft cues, bells and spoken prompts, played through pygame's mixer.

This is part of the I/O shell. pygame is imported lazily, inside the methods that need it, so
importing this module costs nothing and sound can be off entirely (eyes-closed, vibration-only
use). Nothing here raises into the session: no audio device, or a missing, empty or corrupt file,
gives ONE warning naming the problem and the fix, then silence where that sound would be, while
light and vibration carry on.

Sounds are named by file stem (``chime_in`` is ``chime_in.wav``). A name is looked up in
``overrides`` first (a file named for one sound, e.g. ``reach_out: sound:``), then in the user's
folder (``sound: dir:`` in the config), then, for a spoken prompt, in the voice pack of the
config's language (shell/voices.py), then in the packaged sounds, so a user's file replaces a
packaged one by name and the packaged English voice says whatever a pack lacks; a broken file is
warned about once and the next one in that order is used. Spoken sounds (names starting ``say_``
or ``name_``, calmkit.core.prompts) are skipped when the voice is off.
"""

from __future__ import annotations

import contextlib
import logging
import os
import wave
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from calmkit.config import paths
from calmkit.core import prompts


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence what C libraries write straight to file descriptor 2 (ALSA's diagnostics): the
    person gets calmkit's one warning instead of a screenful of library noise."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


log = logging.getLogger(__name__)

#: The mixer's format: the packaged files' own, so nothing is converted when they load.
FREQUENCY = 22050
CHANNELS = 1
BUFFER = 512  # frames: 23 ms at 22050 Hz, small enough that a cue lands on its phase

EXTENSIONS = (".wav", ".ogg")

#: Files bigger than this are streamed with pygame.mixer.music rather than decoded into memory
#: (a user's hour of rain, say). Every packaged sound is far smaller (the longest is about 9 s,
#: 0.4 MB) and plays as a Sound: per-sound volume, overlapping cues, no disk read at cue time.
STREAM_BYTES = 8 * 1024 * 1024
#: The length assumed for a file whose length the standard library cannot read (an OGG).
UNMEASURED_S = 3.0

#: Every sound the program uses; all are packaged (sounds/make_sounds.py makes them).
SOUNDS = prompts.SOUNDS

_NO_DEVICE_FIX = (
    "Fix: connect a speaker or USB sound card (check it with `aplay -l`), or set "
    "`sound: enabled: false` in the config to stop this message."
)
_FILE_FIX = "Fix: run `make sounds` or reinstall calmkit"
_NO_ALSA_FIX = "Fix: the ALSA sound library is missing: sudo apt-get install alsa-utils"


is_spoken = prompts.is_spoken


def _pygame() -> Any:
    """Import pygame on first use, without its start-up banner."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    return pygame


class _Streamed:
    """A sound too big to decode into memory: played through pygame.mixer.music."""

    def __init__(self, path: Path) -> None:
        self.path = path


class Audio:
    """Plays calmkit's sounds; every failure is one warning and then silence."""

    def __init__(
        self,
        *,
        enabled: bool,
        volume: float,
        fade_in_ms: int,
        voice: bool,
        user_dir: Path | None = None,
        sounds_dir: Path | None = None,
        warn: Callable[[str], None] = log.warning,
        overrides: Mapping[str, Path | str] | None = None,
        voice_dir: Path | None = None,
        voice_note: str | None = None,
    ) -> None:
        self.enabled = enabled
        self.volume = _clamp(volume)
        self.fade_in_ms = max(0, int(fade_in_ms))
        self.voice = voice
        self.user_dir = Path(user_dir) if user_dir is not None else None
        self.sounds_dir = Path(sounds_dir) if sounds_dir is not None else paths.sounds_dir()
        self.overrides = {n: Path(p).expanduser() for n, p in (overrides or {}).items()}
        # A voice pack (shell/voices.py): spoken prompts only, after the user's folder and
        # before the packaged English ones, which say whatever the pack lacks.
        self.voice_dir = Path(voice_dir) if voice_dir is not None else None
        self.voice_note = voice_note  # said once when the mixer opens: why the pack is not used
        self._warn = warn
        self._mixer: Any = None  # the pygame.mixer module while it is open
        self._owns_mixer = False
        # new -> open or failed (open()); -> closed (close()); open() from closed tries again.
        self._state = "new"
        self._problem: str | None = None  # why the mixer did not open
        self._cache: dict[str, Any] = {}  # name -> Sound, _Streamed, or None (silent)
        self._warned: set[str] = set()

    # -- life cycle --------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._mixer is not None

    @property
    def status(self) -> str:
        """What a face may truthfully say of the sound: "off" (turned off), "no_device" (the
        mixer could not open), else "on" (open, or let go of until the next sound)."""
        if not self.enabled:
            return "off"
        return "no_device" if self._state == "failed" else "on"

    def open(self) -> bool:
        """Start the mixer; False (after one warning) when there is no sound to be had.

        Calling it again is harmless: it returns the first answer without trying again.
        """
        if not self.enabled:
            return False
        if self._state in ("open", "failed"):
            return self.is_open
        self._problem = self._start_mixer()
        self._state = "failed" if self._problem else "open"
        if self._problem is not None:
            self._warn_once("device:", self._problem)
        elif self.voice_note and self.voice:
            self._warn_once("voice:", self.voice_note)
        return self.is_open

    def _start_mixer(self) -> str | None:
        try:
            pygame = _pygame()
        except ImportError as exc:
            return (
                f"sound is off: pygame is not installed ({exc}). Light and vibration carry on. "
                "Fix: pip install pygame-ce"
            )
        try:
            if pygame.mixer.get_init() is None:
                # The mixer alone: pygame.init() would start every subsystem (and the display).
                with _quiet_stderr():  # ALSA prints its own lines when there is no card
                    pygame.mixer.init(
                        frequency=FREQUENCY, size=-16, channels=CHANNELS, buffer=BUFFER
                    )
                self._owns_mixer = True
        except pygame.error as exc:
            return (
                f"sound is off: no audio device ({exc}). Light and vibration carry on. "
                + (_NO_DEVICE_FIX, _NO_ALSA_FIX)["libasound" in str(exc)]
            )
        self._mixer = pygame.mixer
        return None

    def busy(self) -> bool:
        """Whether anything is still playing."""
        mixer = self._mixer
        if mixer is None:
            return False
        try:
            return bool(mixer.get_busy() or mixer.music.get_busy())
        except Exception:  # a mixer in trouble is not playing anything worth waiting for
            return False

    def suspend(self) -> None:
        """Let go of the sound card while the box waits, so no audio thread wakes for nothing;
        the next play() opens it again (a sound's fade-in hides the few ms that takes)."""
        if self._mixer is None or not self._owns_mixer:
            return
        self.close()
        self._state = "new"

    def close(self) -> None:
        """Stop everything and release the device; play() is silent until open() again."""
        mixer = self._mixer
        self._mixer = None
        self._cache.clear()
        self._state = "closed"
        if mixer is None:
            return
        try:
            mixer.stop()
            mixer.music.stop()
            if self._owns_mixer:
                mixer.quit()
        except Exception as exc:  # closing must never take the program down
            log.debug("closing the mixer: %s", exc)
        self._owns_mixer = False

    # -- playing -----------------------------------------------------------------------------

    def play(self, name: str, volume_cap: float = 1.0) -> None:
        """Play ``name`` with a fade-in at min(volume, volume_cap). Never raises.

        An empty name is silence (a step may ask for none).
        """
        if not self.enabled or not name or (is_spoken(name) and not self.voice):
            return
        if self._state == "new":  # the first sound opens the mixer if nobody else has
            self.open()
        if self._mixer is None:
            return
        if name.startswith("name_") and not any(_is_file(p) for p in self._candidates(name)):
            name = "tick"  # a program of the user's own has no spoken name: a soft tick instead
        try:
            sound = self._load(name)
            if sound is None:
                return
            level = min(self.volume, _clamp(volume_cap))
            if isinstance(sound, _Streamed):
                music = self._mixer.music
                music.load(str(sound.path))
                music.set_volume(level)
                music.play(fade_ms=self.fade_in_ms)
                return
            # The fade never takes more than a quarter of the sound, so a 0.15 s tick is still
            # heard with a long fade-in setting. Sound volume is set before play(): the channel
            # starts at full and the sound's own volume applies from its first sample.
            fade = min(self.fade_in_ms, int(sound.get_length() * 1000 / 4))
            sound.set_volume(level)
            sound.play(fade_ms=fade)
        except Exception as exc:
            self._cache[name] = None
            self._warn_once(f"play:{name}", f"sound {name!r} could not be played ({exc}).")

    def stop(self, fade_ms: int = 300) -> None:
        """Fade out everything playing."""
        if self._mixer is None:
            return
        try:
            if fade_ms > 0:
                self._mixer.fadeout(int(fade_ms))
                self._mixer.music.fadeout(int(fade_ms))
            else:
                self._mixer.stop()
                self._mixer.music.stop()
        except Exception as exc:
            log.debug("stopping sound: %s", exc)

    # -- lengths, for the order of sounds (soundorder.py) -------------------------------------

    def length(self, name: str) -> float:
        """How long ``name`` sounds when play() plays it, in seconds; 0.0 for silence.

        Read from the file with the standard library, without the mixer, so a virtual run
        (--fast) knows its sounds' lengths too. It finds the file as play() does, passing over
        broken ones; a file that `wave` cannot measure (an OGG, a float WAV) has the length of
        the next one that it can (the packaged sound of that name), else UNMEASURED_S.
        """
        if not self.enabled or not name or (is_spoken(name) and not self.voice):
            return 0.0
        if not _valid_name(name):
            return 0.0
        if name.startswith("name_") and not any(_is_file(p) for p in self._candidates(name)):
            name = "tick"
        found = [p for p in self._candidates(name) if _is_file(p) and _check_wav(p) is None]
        measured = (_wav_seconds(p) for p in found)
        return next((s for s in measured if s is not None), UNMEASURED_S if found else 0.0)

    def lengths(self, names: Iterable[str]) -> dict[str, float]:
        """Every sound's length (see length()): the data the order of sounds is decided on."""
        return {name: self.length(name) for name in dict.fromkeys(names)}

    # -- finding and loading files -----------------------------------------------------------

    def _candidates(self, name: str) -> list[Path]:
        """Where ``name`` may be, in the order they are tried."""
        pack = self.voice_dir if is_spoken(name) else None
        folders = [d for d in (self.user_dir, pack, self.sounds_dir) if d is not None]
        own = [self.overrides[name]] if name in self.overrides else []
        return own + [d / f"{name}{ext}" for d in folders for ext in EXTENSIONS]

    def _load(self, name: str) -> Any:
        if name in self._cache:
            return self._cache[name]
        sound = None
        if not _valid_name(name):
            self._warn_once(
                f"name:{name}", f"sound name {name!r} is not a plain file name; it will be silent."
            )
        else:
            sound = self._load_first(name)
        self._cache[name] = sound
        return sound

    def _load_first(self, name: str) -> Any:
        override = self.overrides.get(name)
        if override is not None and not _is_file(override):
            self._warn_once(
                f"file:{override}",
                f"sound file {override} (for {name!r}) does not exist; using the usual "
                f"{name}.wav instead. Fix: correct the path in the config.",
            )
        found = [p for p in self._candidates(name) if _is_file(p)]
        if not found:
            where = " or ".join(str(d) for d in (self.user_dir, self.sounds_dir) if d)
            self._warn_once(
                f"name:{name}",
                f"sound {name!r} not found (no {name}.wav in {where}); it will be silent. "
                + (
                    f"{_FILE_FIX}."
                    if name in SOUNDS
                    else f"Fix: put a {name}.wav in your sound folder (`sound: dir:`)."
                ),
            )
            return None
        for index, path in enumerate(found):
            sound, problem = self._load_file(path)
            if problem is None:
                return sound
            fallback = found[index + 1] if index + 1 < len(found) else None
            then = f"using {fallback} instead" if fallback else f"{name!r} will be silent"
            self._warn_once(
                f"file:{path}", f"sound file {path} {problem}; {then}. Fix: replace or remove it."
            )
        return None

    def _load_file(self, path: Path) -> tuple[Any, str | None]:
        try:
            size = path.stat().st_size
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror or exc})"
        if size == 0:
            return None, "is empty"
        if size > STREAM_BYTES:
            return _Streamed(path), None
        try:
            sound = self._mixer.Sound(str(path))
        except Exception as exc:  # pygame.error for a corrupt file, OSError for an unreadable one
            return None, f"cannot be played ({exc})"
        if sound.get_length() <= 0:
            return None, "holds no audio"
        return sound, None

    def _warn_once(self, key: str, message: str) -> None:
        if key in self._warned:
            return
        self._warned.add(key)
        try:
            self._warn(message)
        except Exception:  # a broken warn hook must not stop a session
            log.warning("%s", message)

    # -- for `calmkit doctor` ----------------------------------------------------------------

    def available(self) -> list[str]:
        """The names of the sounds found in the user's folder and the packaged one."""
        names: set[str] = set()
        for folder in (self.user_dir, self.sounds_dir):
            if folder is not None and folder.is_dir():
                names.update(p.stem for p in folder.iterdir() if p.suffix.lower() in EXTENSIONS)
        return sorted(names)

    def check(self) -> list[str]:
        """Every problem with the sound files, one line each with its fix; [] when all is well.

        Every sound the program uses must be found, and every file that could play for it (an
        override, the user's, the packaged one) must load, as must any other file in the user's
        folder. With the mixer open (call open() first) pygame loads each file; without it
        (sound off, or no device) WAVs are read with the standard library. The device itself is
        open()'s business, not this: a missing device is not repeated here.
        """
        problems: list[str] = []
        if not self.sounds_dir.is_dir():
            problems.append(f"the packaged sound folder {self.sounds_dir} is missing. {_FILE_FIX}.")
        if self.user_dir is not None and not self.user_dir.is_dir():
            problems.append(
                f"the sound folder {self.user_dir} does not exist. Fix: create it, or set "
                "`sound: dir:` to a folder that does (or to null)."
            )
        for name, path in self.overrides.items():
            if not _is_file(path):
                problems.append(
                    f"sound file {path} (for {name!r}) does not exist. Fix: correct the path in "
                    "the config."
                )

        to_check: list[Path] = []
        for name in SOUNDS:
            found = [p for p in self._candidates(name) if _is_file(p)]
            if not found:
                problems.append(f"sound {name!r} is missing (no {name}.wav). {_FILE_FIX}.")
            to_check.extend(p for p in found if p not in to_check)
        if self.user_dir is not None and self.user_dir.is_dir():
            for path in sorted(self.user_dir.iterdir()):
                if path.suffix.lower() in EXTENSIONS and path not in to_check:
                    to_check.append(path)

        for path in to_check:
            # pygame's verdict when the mixer is up (it plays more kinds of WAV than `wave`
            # reads), else the standard library's.
            problem = self._load_file(path)[1] if self.is_open else _check_wav(path)
            if problem is not None:
                problems.append(f"sound file {path} {problem}. Fix: replace or remove it.")
        return problems


def _check_wav(path: Path) -> str | None:
    """Read a WAV's header and count its frames with the standard library (no device needed)."""
    try:
        if path.stat().st_size == 0:
            return "is empty"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if path.suffix.lower() != ".wav":
        return None
    try:
        with wave.open(str(path), "rb") as w:
            frames = w.getnframes()
            data = w.readframes(min(frames, 1))
    except wave.Error as exc:
        if str(exc).startswith("unknown format"):
            return None  # e.g. float or extensible WAVs: `wave` cannot judge, pygame may play it
        return f"is not a readable WAV ({exc})"
    except (EOFError, OSError) as exc:
        return f"is not a readable WAV ({exc})"
    if frames == 0 or not data:
        return "holds no audio"
    return None


def _wav_seconds(path: Path) -> float | None:
    """A sound file's length; None when `wave` cannot tell (not a WAV it reads)."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (wave.Error, EOFError, OSError, ZeroDivisionError):
        return None


def _valid_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name


def _clamp(value: float) -> float:
    """Into 0..1; NaN becomes 0 (silence), never full volume."""
    value = float(value)
    return min(1.0, max(0.0, value)) if value == value else 0.0


def _is_file(path: Path) -> bool:
    """Whether a sound file is there; a name the system cannot look up (too long) is not."""
    try:
        return path.is_file()
    except OSError:
        return False
