"""The voice's config keys: `sound.language` and `sound.voice_pack`, beside `sound.voice`."""

from __future__ import annotations

import pytest

from calmkit.config import parse_config
from calmkit.core.errors import ConfigError


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "t.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_the_defaults_follow_the_top_level_language_with_the_best_pack():
    sound = parse_config("").sound
    assert (sound.voice, sound.language, sound.voice_pack) == (True, None, None)


@pytest.mark.parametrize("code", ["de", "pt-BR", "yue", "es-419"])
def test_a_language_code_is_taken(code):
    assert parse_config(f"sound: {{language: {code}}}").sound.language == code


def test_a_pack_name_is_taken():
    assert parse_config("sound: {voice_pack: de-piper-thorsten+1}").sound.voice_pack == (
        "de-piper-thorsten+1"
    )


def test_a_language_name_or_a_path_as_the_pack_is_one_located_problem_each():
    assert problems("sound:\n  language: German\n  voice_pack: ../../etc\n") == [
        "t.yaml:2: sound.language: expected a language code like en, de or pt-BR, or null, "
        "got text 'German'",
        "t.yaml:3: sound.voice_pack: expected a voice pack's name as `calmkit voices` lists it "
        "(letters, digits, . _ + -), or null, got text '../../etc'",
    ]
    assert problems("sound: {language: 7}") == [
        "t.yaml:1: sound.language: expected a language code like en, de or pt-BR, or null, got 7"
    ]
