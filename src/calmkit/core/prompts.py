"""The names of every sound calmkit plays: the one list that the code, the packaged sound files,
the spoken texts of every language (shell/spoken/<language>.toml), the voice packs and the tests
share. A sound is named by its file stem (``chime_in`` is ``chime_in.wav``).

Tones are made once by sounds/make_sounds.py and are the same in every language. Spoken prompts
(``say_*``, ``name_*``) have words, one file of them per language, and a voice pack holds one
recording of each.
"""

from __future__ import annotations

import re

#: The chimes, bells and the tick: no words.
TONES: tuple[str, ...] = (
    "chime_in",
    "chime_out",
    "chime_hold",
    "tick",
    "bell_start",
    "bell_end",
    "bell_interval",
)

#: The prompts said in words, in the order a person meets them in README's list.
SPOKEN: tuple[str, ...] = (
    "say_ground_see",
    "say_ground_touch",
    "say_ground_hear",
    "say_ground_smell",
    "say_ground_taste",
    "say_switch_hands",
    "say_press",
    "say_release",
    "say_quiet_offer",
    "say_did_it_help",
    "say_reach_out",
    "say_paused",
    "name_calm",
    "name_box",
    "name_478",
    "name_coherent",
    "name_sigh",
    "name_winddown",
    "name_winddown20",
    "name_blink",
    "name_press",
    "name_ground",
    "name_quiet",
)

#: Every sound the program uses; all are packaged.
SOUNDS: tuple[str, ...] = TONES + SPOKEN

SPOKEN_PREFIXES = ("say_", "name_")


def is_spoken(name: str) -> bool:
    """Whether ``name`` is a prompt in words (also a user's own ``say_*`` / ``name_*`` file)."""
    return name.startswith(SPOKEN_PREFIXES)


#: A language as the config, a text file or a pack names it: "de", "pt-BR", "yue".
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
#: A voice pack's folder name, which is also the value of `sound.voice_pack`.
PACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
