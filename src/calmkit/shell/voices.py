"""Voice packs: a folder of spoken prompts (one WAV per name in core.prompts.SPOKEN) and a small
manifest, ``pack.json``, saying what they are (language, engine, voice, the version and hash of
the words they were made from).

Packs live in the service's state folder ($STATE_DIRECTORY/voices, /var/lib/calmkit/voices under
systemd) or the user's data folder ($XDG_DATA_HOME or ~/.local/share, /calmkit/voices). They are
made by `calmkit voices render` (shell/render.py) or `calmkit voices import` (shell/recordings.py).

The config picks one (`sound.language`, `sound.voice_pack`); choose() says which, and a note when
it cannot: the packaged English voice then speaks, so the box never goes silent. A pack that lacks
a prompt is used for the prompts it has; Audio finds the rest in the packaged sounds.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from calmkit.config.files import NotARegularFile, open_regular
from calmkit.core.errors import CalmkitError, UsageError
from calmkit.core.prompts import SPOKEN
from calmkit.shell import texts

MANIFEST = "pack.json"
MAX_MANIFEST_BYTES = 64 * 1024
#: Which pack speaks when several have the language: the person's own recordings first, then the
#: natural voice, then the robotic one.
ENGINE_ORDER = ("own", "piper", "espeak-ng")
ENGLISH = "en"


def pack_dirs(environ: Mapping[str, str] | None = None, home: Path | None = None) -> list[Path]:
    """Where packs are looked for, in order: the service's state folder, the user's data one."""
    env = os.environ if environ is None else environ
    found: list[Path] = []
    state = env.get("STATE_DIRECTORY", "").split(":")[0]
    if state:
        found.append(Path(state) / "voices")
    if not env.get("XDG_DATA_HOME") and home is None:
        try:
            home = Path.home()
        except (RuntimeError, KeyError):  # a service user with no home: the state folder only
            return found or [Path("/var/lib/calmkit/voices")]
    data = env.get("XDG_DATA_HOME") or str(Path(home or "/") / ".local" / "share")
    user = Path(data) / "calmkit" / "voices"
    if user not in found:
        found.append(user)
    return found


def slug(text: str) -> str:
    """A voice or file name made fit for a pack's folder name."""
    cleaned = re.sub(r"[^A-Za-z0-9._+-]+", "-", text).strip("-._")
    return cleaned[:40] or "voice"


@dataclass(frozen=True)
class Pack:
    name: str
    folder: Path
    language: str
    engine: str
    voice: str
    texts_version: int | None = None
    texts_hash: str | None = None
    lengths: Mapping[str, float] = field(default_factory=dict)

    def missing(self) -> list[str]:
        """The prompts that have no WAV in the folder."""
        return [n for n in SPOKEN if not (self.folder / f"{n}.wav").is_file()]

    def describe(self) -> str:
        made = f"{self.engine}, {self.voice}" if self.voice else self.engine
        lacking = self.missing()
        state = f"lacks {len(lacking)} of {len(SPOKEN)}" if lacking else "complete"
        return f"{self.name}  ({self.language}; {made}; {state})"


def write_manifest(folder: Path, **fields: Any) -> None:
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(fields, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(folder / MANIFEST)


@contextlib.contextmanager
def building(base: Path, name: str) -> Iterator[Path]:
    """A hidden folder to make pack ``name`` in, renamed over ``base/name`` when all went
    well: a failed render or import leaves the pack that was there before."""
    try:
        base.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=base))
    except OSError as exc:
        why = "it is not a folder" if isinstance(exc, FileExistsError) else exc.strerror or exc
        raise CalmkitError(
            f"cannot write voice packs to {base} ({why}). Fix: choose a folder "
            "you can write to with --into DIR"
        ) from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    final, old = base / name, base / f".{name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.chmod(0o755)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def read_pack(folder: Path) -> Pack:
    """The pack in ``folder``; ValueError saying why when it is not one."""
    try:
        with os.fdopen(open_regular(folder / MANIFEST, os.O_RDONLY), "rb") as stream:
            text = stream.read(MAX_MANIFEST_BYTES + 1)  # never blocks on a FIFO, never huge
        if len(text) > MAX_MANIFEST_BYTES:
            raise ValueError(f"its {MANIFEST} is over {MAX_MANIFEST_BYTES // 1024} KiB")
        data = json.loads(text.decode("utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        raise ValueError(f"no {MANIFEST}") from None
    except NotARegularFile as exc:
        raise ValueError(f"its {MANIFEST} is {exc.kind}, not a file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"its {MANIFEST} cannot be read ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("language"), str):
        raise ValueError(f"its {MANIFEST} names no language")
    lengths = data.get("lengths")
    if not isinstance(lengths, dict):
        lengths = {}
    version = data.get("texts_version")
    return Pack(
        name=folder.name,
        folder=folder,
        language=data["language"],
        engine=str(data.get("engine", "own")),
        voice=str(data.get("voice", "")),
        texts_version=version if isinstance(version, int) else None,
        texts_hash=str(data["texts_hash"]) if data.get("texts_hash") else None,
        lengths={str(k): float(v) for k, v in lengths.items() if isinstance(v, int | float)},
    )


def replaceable(folder: Path, language: str, *, own: bool, suggest: str) -> Pack | None:
    """The pack in ``folder`` that a render (``own`` False) or an import of recordings (``own``
    True) in ``language`` may replace or add to (None: there is none); UsageError naming the
    pack when it is another kind, of another language, or a folder that is not a pack: the
    person's recordings, or a pack that `calmkit voices` would still call complete, would be
    overwritten. ``suggest``: another --name to offer."""
    if not (folder.exists() or folder.is_symlink()):
        return None
    other = suggest if suggest != folder.name else f"{suggest}-2"
    fix = f"Fix: choose another --name, e.g. --name {other}"
    try:
        pack = read_pack(folder)
    except ValueError as why:
        raise UsageError(
            f"{folder} is there and is not a voice pack ({why}), so it is left as it is. {fix}"
        ) from None
    mine = pack.engine == "own"
    made = "own recordings" if mine else f"made by {pack.engine}, {pack.voice}"
    named = f"--name {pack.name} is the voice pack {pack.name} ({pack.language}; {made})"
    if mine and not own:
        raise UsageError(f"{named}: a render would replace those recordings. {fix}")
    if own and not mine:
        raise UsageError(
            f"{named}: your recordings would replace its files while its {MANIFEST} still says "
            f"{pack.engine} made them. {fix}"
        )
    if pack.language != language:
        raise UsageError(
            f"{named}, not {language}. {fix} (or --language {pack.language} to add to it)"
        )
    return pack


def installed(dirs: Sequence[Path] | None = None) -> tuple[list[Pack], list[str]]:
    """Every pack in the pack folders (the first folder wins a name), and one line per folder
    there that is not a pack."""
    packs: dict[str, Pack] = {}
    problems: list[str] = []
    for base in pack_dirs() if dirs is None else dirs:
        try:
            folders = sorted(p for p in base.iterdir() if p.is_dir())
        except OSError:
            continue
        for folder in folders:
            if folder.name.startswith(".") or folder.name in packs:
                continue  # a render still under way, or a name an earlier folder has
            try:
                packs[folder.name] = read_pack(folder)
            except ValueError as why:
                problems.append(f"{folder} is not a voice pack: {why}. Fix: remove it.")
    return list(packs.values()), problems


def stale(pack: Pack) -> bool:
    """Made from words that have changed since (rendered packs only: own recordings are what
    the person said)."""
    if pack.engine == "own" or pack.texts_hash is None:
        return False
    try:
        words = texts.load(pack.language)
    except UsageError:  # no words in its language (any more): nothing to compare with
        return False
    return words.digest != pack.texts_hash


@dataclass(frozen=True)
class Choice:
    """The pack that speaks (None: the packaged English voice) and a note for the person when
    that is not what the config asked for, or the pack is incomplete."""

    pack: Pack | None
    note: str | None = None

    @property
    def folder(self) -> Path | None:
        return self.pack.folder if self.pack is not None else None


_FALLBACK = "the packaged English voice speaks instead"


def choose(
    language: str | None, pack_name: str | None, dirs: Sequence[Path] | None = None
) -> Choice:
    """The pack for ``language`` (None: English), or the one named ``pack_name``."""
    wanted = language or ENGLISH
    packs, _ = installed(dirs)
    if pack_name:
        named = [p for p in packs if p.name == pack_name]
        if not named:
            have = ", ".join(p.name for p in packs) or "none"
            return Choice(
                None,
                f"the voice pack {pack_name!r} (sound.voice_pack) is not installed (installed: "
                f"{have}); {_FALLBACK}. Fix: `calmkit voices` lists the packs; make one with "
                f"`calmkit voices render --language {wanted}` or `calmkit voices import DIR`.",
            )
        return _checked(named[0])
    fits = [p for p in packs if texts.base_language(p.language) == texts.base_language(wanted)]
    exact = [p for p in fits if p.language == wanted]
    fits = exact or fits
    if not fits:
        if texts.base_language(wanted) == ENGLISH:
            return Choice(None)
        own = f"`calmkit voices import DIR --language {wanted}`"
        fix = (
            f"`calmkit voices render --language {wanted}`, or record your own: {own}"
            if texts.base_language(wanted) in texts.languages()
            else f"record the prompts yourself: {own} (calmkit has no words in {wanted!r} yet)"
        )
        return Choice(
            None,
            f"no voice pack for the language {wanted!r} is installed; {_FALLBACK}. Fix: {fix}.",
        )

    def rank(pack: Pack) -> tuple[bool, int, str]:
        order = ENGINE_ORDER.index(pack.engine) if pack.engine in ENGINE_ORDER else 1
        return (bool(pack.missing()), order, pack.name)

    return _checked(min(fits, key=rank))


def _checked(pack: Pack) -> Choice:
    lacking = pack.missing()
    if lacking:
        shown = ", ".join(lacking[:4]) + (
            f" and {len(lacking) - 4} more" if len(lacking) > 4 else ""
        )
        return Choice(
            pack,
            f"the voice pack {pack.name!r} lacks {len(lacking)} of {len(SPOKEN)} prompts "
            f"({shown}): the packaged English voice says those. Fix: `calmkit voices import "
            f"DIR --name {pack.name}` with the missing recordings, or render the pack again.",
        )
    if stale(pack):
        return Choice(
            pack,
            f"the voice pack {pack.name!r} was made from older words than calmkit's now; it is "
            f"used as it is. Fix: `calmkit voices render --language {pack.language}` again.",
        )
    return Choice(pack)


def choose_for(config: Any, dirs: Sequence[Path] | None = None) -> Choice:
    """The pack the config asks for: ``sound.language``, else the top-level ``language`` (the
    words on screen), else English; ``sound.voice_pack`` names one outright."""
    sound = config.sound
    language = getattr(sound, "language", None) or getattr(config, "language", None)
    return choose(language, getattr(sound, "voice_pack", None), dirs)
