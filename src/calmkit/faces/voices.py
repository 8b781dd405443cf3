"""`calmkit voices`: the voice packs installed and the engines there are; `voices render` speaks
every prompt of a language with an engine; `voices import DIR` installs a person's own
recordings. The work is in shell/render.py, shell/recordings.py and shell/voices.py; this module
only asks and prints.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from calmkit.core.prompts import SPOKEN


def add_arguments(voices: argparse.ArgumentParser, config: argparse.ArgumentParser) -> None:
    """The `voices` command's own actions (its parser is made in cli.py)."""
    from calmkit.shell.render import ENGINES

    actions = voices.add_subparsers(
        dest="voices_action",
        metavar="ACTION",
        help="render, import or words; with none, list the packs and the engines",
    )
    render = actions.add_parser(
        "render", parents=[config], help="speak every prompt of a language with a voice engine"
    )
    render.add_argument("--language", required=True, help="e.g. de (see `calmkit voices`)")
    render.add_argument(
        "--engine",
        choices=ENGINES,
        default="espeak-ng",
        help="espeak-ng (small, robotic, 100+ languages; the default) or piper (natural)",
    )
    render.add_argument(
        "--voice",
        metavar="NAME|FILE",
        help="espeak-ng: a voice such as de+f3; piper: a model FILE.onnx, or joe (English)",
    )
    render.add_argument("--name", help="the pack's name (default: LANGUAGE-ENGINE[-VOICE])")
    render.add_argument("--into", type=Path, metavar="DIR", help="the folder of packs to write")
    words = actions.add_parser(
        "words", help="the prompts' file names and their words, to record your own"
    )
    words.add_argument("--language", default="en", help="e.g. de (default en)")
    own = actions.add_parser(
        "import", parents=[config], help="install your own recordings of the prompts as a pack"
    )
    own.add_argument("folder", type=Path, metavar="DIR", help="a folder of say_*.wav, name_*.wav")
    own.add_argument("--language", default="en", help="the language you spoke (default en)")
    own.add_argument(
        "--name",
        help="the pack's name (default: LANGUAGE-own); an existing pack of your own "
        "recordings in that language keeps the ones not given again",
    )
    own.add_argument("--into", type=Path, metavar="DIR", help="the folder of packs to write")


def voice_note(config: Any) -> str | None:
    """What `calmkit check` says about the voice: None when the config's choice is there."""
    from calmkit.shell import voices

    if not config.sound.enabled or not config.sound.voice:
        return None
    return voices.choose_for(config).note


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "voices_action", None)
    if action == "render":
        return _render(args)
    if action == "import":
        return _import(args)
    if action == "words":
        print(prompt_table(args.language))
        return 0
    return _list(args)


def prompt_table(language: str = "en") -> str:
    """Every prompt's file name and words as a Markdown table (README's list is this)."""
    from calmkit.shell import texts

    words = texts.load(language).prompts
    rows = [f"| `{name}.wav` | {words[name]} |" for name in SPOKEN]
    return "\n".join(["| file | words |", "|---|---|", *rows])


def _config(args: argparse.Namespace) -> Any:
    from calmkit.config import load_config

    return load_config(getattr(args, "config", None))


def _list(args: argparse.Namespace) -> int:
    from calmkit.shell import render, texts, voices

    config = _config(args)
    dirs = voices.pack_dirs()
    packs, odd = voices.installed(dirs)
    choice = voices.choose_for(config, dirs)
    print(f"Voice packs (looked for in {', '.join(str(d) for d in dirs)}):")
    for pack in packs:
        speaking = (
            "   <- speaks" if choice.pack is not None and choice.pack.name == pack.name else ""
        )
        print(f"  {pack.describe()}{speaking}")
    if not packs:
        print("  none: the packaged English voice speaks")
    for line in odd:
        print(f"  note: {line}")
    if choice.note:
        print(f"note: {choice.note}")
    print("Engines:")
    for engine in render.engines():
        print(f"  {engine.name:<10} {engine.program or engine.why_not}")
    print(f"Languages with words: {', '.join(texts.languages())}")
    print("Make one: calmkit voices render --language de   (or: calmkit voices import DIR)")
    return 0


def _size(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*.wav")) / (1024 * 1024)


def _render(args: argparse.Namespace) -> int:
    from calmkit.shell import render, texts

    config = _config(args)
    words = texts.load(args.language)
    print(f"rendering {len(SPOKEN)} prompts in {words.name} with {args.engine} ...", flush=True)
    started = time.monotonic()
    done = render.render(
        args.language,
        args.engine,
        args.voice,
        into=args.into,
        name=args.name,
        programs=config.programs,
        waits=render.answer_waits(config.flow),
    )
    took = time.monotonic() - started
    pack = done.pack
    speech = sum(pack.lengths.values())
    print(
        f"wrote voice pack {pack.name} to {pack.folder}: {len(pack.lengths)} prompts, "
        f"{speech:.1f} s of speech, {_size(pack.folder):.2f} MiB, in {took:.1f} s"
    )
    for line in done.too_long:
        print(f"note: {line}")
    print(f"Use it: sound: {{language: {words.language}}}  (or sound: {{voice_pack: {pack.name}}})")
    return 0


def _import(args: argparse.Namespace) -> int:
    from calmkit.shell import recordings

    done = recordings.import_recordings(
        args.folder, language=args.language, name=args.name, into=args.into
    )
    for line in done.problems:
        print(f"problem: {line}")
    for line in done.notes:
        print(f"note: {line}")
    if done.pack is None:
        print(f"nothing installed: no recording in {args.folder} could be used.")
    else:
        print(
            f"installed {len(done.installed)} recordings as voice pack {done.pack.name} "
            f"in {done.pack.folder}"
        )
    if done.missing:
        print(
            f"Still to record ({len(done.missing)}; until then the packaged English voice says "
            "them): name each file as shown, e.g. say_paused.wav"
        )
        width = max(len(name) for name, _ in done.missing)
        for name, words in done.missing:
            print(f"  {name:<{width}}  {words}")
    if done.pack is not None:
        print(f"Use it: sound: {{voice_pack: {done.pack.name}}}")
    return 1 if done.problems or done.pack is None else 0
