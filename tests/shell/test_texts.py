"""The words of the prompts: every language file has every prompt, and nothing else."""

from __future__ import annotations

import pytest

from calmkit.config import load_config
from calmkit.core.errors import UsageError
from calmkit.core.prompts import SPOKEN
from calmkit.shell import texts

LANGUAGES = texts.languages()


def test_at_least_english_german_french_and_spanish_have_words():
    assert {"en", "de", "fr", "es"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_file_has_every_prompt_and_no_other(language):
    assert texts.problems(language) == []
    words = texts.load(language)
    assert list(words.prompts) == list(SPOKEN)
    assert words.language == language
    assert words.version >= 1


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_each_translation_says_something_else_than_english(language):
    english = texts.load("en").prompts
    words = texts.load(language).prompts
    assert len([n for n in SPOKEN if words[n] == english[n]]) <= 2  # a loan word or two
    assert texts.load(language).digest != texts.load("en").digest


def test_problems_name_a_missing_an_unknown_and_a_broken_prompt(tmp_path):
    words = {n: '"x"' for n in SPOKEN if n != "say_paused"}
    words["say_pausd"] = '"x"'
    words["name_box"] = '"""two\nlines"""'
    body = "\n".join(f"{n} = {w}" for n, w in words.items())
    head = 'language = "xx"\nname = "X"\nversion = 1\nespeak_voice = "xx"\n'
    (tmp_path / "xx.toml").write_text(f"{head}[prompts]\n{body}\n")
    assert texts.problems("xx", tmp_path) == [
        "xx: no words for say_paused",
        "xx: say_pausd is not a prompt",
        "xx: name_box has a line break",
    ]


def test_the_english_reach_out_words_are_the_configs_default_message():
    assert texts.load("en").prompts["say_reach_out"] == load_config(None).reach_out.message


def test_a_regional_variant_uses_its_languages_words():
    assert texts.load("de-AT").prompts == texts.load("de").prompts


@pytest.mark.parametrize("language", ["it", "../en", "EN"])
def test_a_language_without_words_names_those_there_are(language):
    with pytest.raises(UsageError) as caught:
        texts.load(language)
    assert "de, en, es, fr" in str(caught.value)
    assert "calmkit voices import" in str(caught.value)


def test_a_broken_file_is_one_clear_error(tmp_path):
    (tmp_path / "xx.toml").write_text("this is = = not toml")
    with pytest.raises(UsageError, match="cannot be read"):
        texts.load("xx", tmp_path)


def test_the_wheel_ships_the_words():
    import tomllib
    from pathlib import Path

    setup = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["tool"]
    assert "calmkit.shell.spoken" in setup["setuptools"]["packages"]
    assert setup["setuptools"]["package-data"]["calmkit.shell.spoken"] == ["*.toml"]
    assert texts.TEXTS_DIR.name == "spoken" and texts.TEXTS_DIR.parent.name == "shell"
