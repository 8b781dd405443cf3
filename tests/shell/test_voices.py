"""Voice packs: where they are, which one speaks, and the fall back to the packaged English voice
(with a note, never silence) when the config's pack is missing or incomplete."""

from __future__ import annotations

import math
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from calmkit.core.prompts import SPOKEN
from calmkit.shell import texts, voices, wavs
from calmkit.shell.audio import Audio

PACKAGED = Path(__file__).resolve().parents[2] / "sounds"


def a_tone(seconds: float = 0.5, hz: float = 300.0) -> list[float]:
    return [
        0.3 * math.sin(2 * math.pi * hz * i / wavs.RATE) for i in range(int(seconds * wavs.RATE))
    ]


def make_pack(
    base: Path, name: str, language: str, engine: str = "espeak-ng", names=SPOKEN, **extra
) -> Path:
    folder = base / name
    folder.mkdir(parents=True)
    for prompt in names:
        wavs.write_wav(folder / f"{prompt}.wav", a_tone())
    fields = {"language": language, "engine": engine, "voice": "v"}
    fields.update(extra)
    voices.write_manifest(folder, **fields)
    return folder


def test_packs_live_in_the_services_state_folder_then_the_users_data_folder(tmp_path):
    env = {"STATE_DIRECTORY": "/var/lib/calmkit:/other", "XDG_DATA_HOME": "/data"}
    assert voices.pack_dirs(env) == [Path("/var/lib/calmkit/voices"), Path("/data/calmkit/voices")]
    assert voices.pack_dirs({}, home=tmp_path) == [tmp_path / ".local/share/calmkit/voices"]


def test_installed_reads_each_manifest_and_names_a_folder_that_is_not_a_pack(tmp_path):
    make_pack(tmp_path, "de-espeak-ng", "de", names=SPOKEN[:3])
    (tmp_path / "junk").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / voices.MANIFEST).write_text("{not json")
    (tmp_path / ".de-espeak-ng.x1").mkdir()  # a render under way: not listed
    packs, odd = voices.installed([tmp_path])
    assert [p.name for p in packs] == ["de-espeak-ng"]
    assert packs[0].missing() == list(SPOKEN[3:])
    assert "lacks 20 of 23" in packs[0].describe()
    assert len(odd) == 2
    assert any("junk is not a voice pack: no pack.json" in line for line in odd)
    assert any("broken is not a voice pack: its pack.json cannot be read" in line for line in odd)


def test_english_with_no_pack_is_the_packaged_voice_and_no_note(tmp_path):
    assert voices.choose(None, None, [tmp_path]) == voices.Choice(None)
    assert voices.choose("en", None, [tmp_path / "nowhere"]) == voices.Choice(None)


def test_a_language_with_no_pack_falls_back_to_english_with_a_note(tmp_path):
    choice = voices.choose("de", None, [tmp_path])
    assert choice.pack is None and choice.folder is None
    assert "no voice pack for the language 'de'" in choice.note
    assert "packaged English voice speaks instead" in choice.note
    assert "calmkit voices render --language de" in choice.note


def test_a_language_calmkit_has_no_words_for_suggests_recording_it(tmp_path):
    note = voices.choose("it", None, [tmp_path]).note
    assert "calmkit voices import DIR --language it" in note
    assert "render" not in note


def test_the_pack_for_the_language_speaks(tmp_path):
    make_pack(tmp_path, "fr-espeak-ng", "fr")
    folder = make_pack(tmp_path, "de-espeak-ng", "de")
    assert voices.choose("de", None, [tmp_path]) == voices.Choice(voices.read_pack(folder))


def test_own_recordings_come_before_piper_before_espeak_and_complete_before_incomplete(tmp_path):
    make_pack(tmp_path, "de-espeak-ng", "de")
    make_pack(tmp_path, "de-piper-x", "de", engine="piper")
    make_pack(tmp_path, "de-own", "de", engine="own", names=SPOKEN[:2])
    assert voices.choose("de", None, [tmp_path]).pack.name == "de-piper-x"
    make_pack(tmp_path, "de-mum", "de", engine="own")
    assert voices.choose("de", None, [tmp_path]).pack.name == "de-mum"
    assert voices.choose("de-AT", None, [tmp_path]).pack.name == "de-mum"  # the base language


def test_an_incomplete_pack_speaks_what_it_has_and_says_what_it_lacks(tmp_path):
    make_pack(tmp_path, "de-own", "de", engine="own", names=SPOKEN[1:])
    choice = voices.choose("de", None, [tmp_path])
    assert choice.pack.name == "de-own"
    assert "lacks 1 of 23 prompts (say_ground_see)" in choice.note
    assert "packaged English voice says those" in choice.note


def test_a_named_pack_that_is_not_installed_falls_back_with_a_note(tmp_path):
    make_pack(tmp_path, "de-espeak-ng", "de")
    choice = voices.choose("de", "de-mum", [tmp_path])
    assert choice.pack is None
    assert "'de-mum' (sound.voice_pack) is not installed (installed: de-espeak-ng)" in choice.note
    assert voices.choose("en", "de-espeak-ng", [tmp_path]).pack.name == "de-espeak-ng"


def test_a_pack_made_from_older_words_is_used_with_a_note(tmp_path):
    make_pack(tmp_path, "de-espeak-ng", "de", texts_hash="0000")
    choice = voices.choose("de", None, [tmp_path])
    assert choice.pack.name == "de-espeak-ng"
    assert "older words" in choice.note
    make_pack(tmp_path, "fr-espeak-ng", "fr", texts_hash=texts.load("fr").digest)
    assert voices.choose("fr", None, [tmp_path]).note is None


def config(language=None, voice_pack=None, **top):
    sound = SimpleNamespace(language=language, voice_pack=voice_pack, enabled=True, voice=True)
    return SimpleNamespace(sound=sound, **top)


def test_sound_language_null_follows_the_top_level_language_else_english(tmp_path):
    make_pack(tmp_path, "de-espeak-ng", "de")
    make_pack(tmp_path, "fr-espeak-ng", "fr")
    assert voices.choose_for(config(), [tmp_path]).pack is None
    assert voices.choose_for(config(language="fr"), [tmp_path]).pack.name == "fr-espeak-ng"
    top = SimpleNamespace(sound=config().sound, language="de")
    assert voices.choose_for(top, [tmp_path]).pack.name == "de-espeak-ng"
    top_and_sound = SimpleNamespace(sound=config(language="fr").sound, language="de")
    assert voices.choose_for(top_and_sound, [tmp_path]).pack.name == "fr-espeak-ng"


# -- Audio with a pack ------------------------------------------------------------------------

pygame = pytest.importorskip("pygame")


@pytest.fixture
def dummy_driver(monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    pygame.mixer.quit()
    yield
    pygame.mixer.quit()


def test_audio_finds_spoken_prompts_in_the_pack_and_the_rest_in_the_packaged_sounds(tmp_path):
    folder = make_pack(tmp_path, "de-own", "de", engine="own", names=["say_paused"])
    wavs.write_wav(folder / "chime_in.wav", a_tone(5.0))  # a tone in a pack is never used
    sound = Audio(
        enabled=True, volume=0.5, fade_in_ms=0, voice=True, sounds_dir=PACKAGED, voice_dir=folder
    )
    assert sound.length("say_paused") == pytest.approx(0.5, abs=1e-3)
    assert sound.length("say_release") == pytest.approx(wavs.seconds(PACKAGED / "say_release.wav"))
    assert sound.length("chime_in") == pytest.approx(wavs.seconds(PACKAGED / "chime_in.wav"))
    assert sound.check() == []


def test_the_users_own_folder_still_wins_over_the_pack(tmp_path):
    folder = make_pack(tmp_path, "de-own", "de", engine="own", names=["say_paused"])
    mine = tmp_path / "mine"
    mine.mkdir()
    wavs.write_wav(mine / "say_paused.wav", a_tone(1.25))
    sound = Audio(
        enabled=True,
        volume=0.5,
        fade_in_ms=0,
        voice=True,
        sounds_dir=PACKAGED,
        voice_dir=folder,
        user_dir=mine,
    )
    assert sound.length("say_paused") == pytest.approx(1.25, abs=1e-3)


def test_the_fall_back_note_is_said_once_when_the_sound_opens(dummy_driver):
    said: list[str] = []
    sound = Audio(
        enabled=True,
        volume=0.5,
        fade_in_ms=0,
        voice=True,
        sounds_dir=PACKAGED,
        warn=said.append,
        voice_note="no voice pack for de",
    )
    try:
        assert sound.open()
        sound.play("say_paused")
        sound.open()
    finally:
        sound.close()
    assert said == ["no voice pack for de"]


def test_with_the_voice_off_the_note_is_not_said(dummy_driver):
    said: list[str] = []
    sound = Audio(
        enabled=True,
        volume=0.5,
        fade_in_ms=0,
        voice=False,
        sounds_dir=PACKAGED,
        warn=said.append,
        voice_note="no voice pack for de",
    )
    try:
        sound.open()
    finally:
        sound.close()
    assert said == []


def test_the_app_gives_audio_the_configs_pack_and_its_note(tmp_path, monkeypatch):
    from calmkit.config import load_config
    from calmkit.shell.app import audio_for

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    user = tmp_path / "calmkit.yaml"
    user.write_text("sound: {language: de}\n")
    sound = audio_for(load_config(user), warn=lambda _m: None)
    assert sound.voice_dir is None
    assert "no voice pack for the language 'de'" in sound.voice_note
    folder = make_pack(tmp_path / "calmkit" / "voices", "de-espeak-ng", "de")
    sound = audio_for(load_config(user), warn=lambda _m: None)
    assert sound.voice_dir == folder and sound.voice_note is None


def test_a_manifest_that_is_a_fifo_is_named_never_opened(tmp_path):
    """Opened, a FIFO would hang `calmkit voices` and the box's start for ever."""
    folder = tmp_path / "odd"
    folder.mkdir()
    os.mkfifo(folder / voices.MANIFEST)
    packs, problems = voices.installed([tmp_path])
    assert packs == []
    assert problems == [
        f"{folder} is not a voice pack: its pack.json is a named pipe (FIFO), not a file. "
        "Fix: remove it."
    ]
