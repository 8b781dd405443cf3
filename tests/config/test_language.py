"""The top-level `language:` key: the words on screen (faces/words.py)."""

from __future__ import annotations

import pytest

from calmkit.config import parse_config
from calmkit.config.table import LANGUAGES
from calmkit.core.errors import ConfigError
from calmkit.faces.words import LANGUAGES as WORD_LANGUAGES


def test_the_default_is_english_and_each_language_is_taken():
    assert parse_config("", "defaults").language == "en"
    for language in LANGUAGES:
        assert parse_config(f"language: {language}\n", "x.yaml").language == language
    assert WORD_LANGUAGES == LANGUAGES


def test_an_unknown_language_is_refused_on_its_line():
    with pytest.raises(ConfigError) as caught:
        parse_config("menu: [calm]\nlanguage: klingon\n", "x.yaml")
    assert "x.yaml:2: language:" in str(caught.value) and "'de'" in str(caught.value)
