"""The words of every spoken prompt, one TOML file per language (shell/spoken/<language>.toml).

The prompt names are calmkit.core.prompts.SPOKEN; a language file gives each its words. Voice
packs are rendered from these words (shell/render.py), README's "record a voice you love" list
is made from the English file, and `calmkit voices import` names the words to say for a missing
recording.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from calmkit.core.errors import UsageError
from calmkit.core.prompts import LANGUAGE, SPOKEN

TEXTS_DIR = Path(__file__).resolve().parent / "spoken"


@dataclass(frozen=True)
class Texts:
    """One language's words for every prompt."""

    language: str
    name: str
    version: int
    espeak_voice: str
    prompts: Mapping[str, str]

    @property
    def digest(self) -> str:
        """A short hash of the words: a pack made from other words has another."""
        data = json.dumps(dict(self.prompts), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(data).hexdigest()[:16]


def languages(folder: Path = TEXTS_DIR) -> list[str]:
    """The languages that have words, sorted."""
    return sorted(p.stem for p in folder.glob("*.toml"))


def base_language(language: str) -> str:
    """ "de-AT" -> "de": the file a regional variant falls back on."""
    return language.split("-")[0].lower()


def load(language: str, folder: Path = TEXTS_DIR) -> Texts:
    """The words for ``language`` (a regional variant uses its base language's file).

    UsageError names the languages there are when there is no file for it.
    """
    path = folder / f"{language}.toml"
    if not path.is_file():
        path = folder / f"{base_language(language)}.toml"
    if not LANGUAGE.fullmatch(language) or not path.is_file():
        there = ", ".join(languages(folder))
        raise UsageError(
            f"calmkit has no words for the language {language!r} (it has: {there}). Fix: add "
            f"{folder / (base_language(language) + '.toml')} with the words of every prompt "
            "(copy en.toml), or record them yourself: `calmkit voices import DIR --language "
            f"{language}`."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path} cannot be read ({exc}). Fix: correct or reinstall it.") from None
    prompts = data.get("prompts", {})
    return Texts(
        language=str(data.get("language", path.stem)),
        name=str(data.get("name", path.stem)),
        version=int(data.get("version", 0)),
        espeak_voice=str(data.get("espeak_voice", path.stem)),
        prompts=MappingProxyType({n: str(prompts[n]) for n in SPOKEN if n in prompts}),
    )


def problems(language: str, folder: Path = TEXTS_DIR) -> list[str]:
    """What is wrong with a language file: a prompt missing or empty, a name no prompt has, a
    line break (a renderer speaks one prompt per line)."""
    data = tomllib.loads((folder / f"{language}.toml").read_text(encoding="utf-8"))
    prompts = data.get("prompts", {})
    found = [f"{language}: no words for {n}" for n in SPOKEN if not str(prompts.get(n, "")).strip()]
    found += [f"{language}: {n} is not a prompt" for n in prompts if n not in SPOKEN]
    found += [f"{language}: {n} has a line break" for n, t in prompts.items() if "\n" in str(t)]
    for key in ("language", "name", "version", "espeak_voice"):
        if key not in data:
            found.append(f"{language}: no {key}")
    return found
