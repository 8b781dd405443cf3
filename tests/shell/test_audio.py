"""audio.Audio on SDL's dummy driver: plays, caps, overrides, and every failure is one warning."""

from __future__ import annotations

import array
import os
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import pytest

from calmkit.shell import audio as audio_module
from calmkit.shell.audio import Audio

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
pygame = pytest.importorskip("pygame")

PACKAGED = Path(__file__).resolve().parents[2] / "sounds"


@pytest.fixture(autouse=True)
def dummy_driver(monkeypatch):
    """Every test starts and ends with the mixer down, on SDL's dummy (silent) driver."""
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    pygame.mixer.quit()
    yield
    pygame.mixer.quit()


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def make(warnings, tmp_path):
    made: list[Audio] = []

    def make(**kwargs) -> Audio:
        options = {
            "enabled": True,
            "volume": 0.6,
            "fade_in_ms": 400,
            "voice": True,
            "sounds_dir": PACKAGED,
            "warn": warnings.append,
        }
        options.update(kwargs)
        a = Audio(**options)
        made.append(a)
        return a

    yield make
    for a in made:
        a.close()


def write_wav(path: Path, seconds: float, level: float = 0.1) -> Path:
    n = round(seconds * 22050)
    data = array.array("h", (round(level * 32767 * ((i % 50) / 25 - 1)) for i in range(n)))
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(data.tobytes())
    return path


def playing() -> list[tuple[pygame.mixer.Channel, pygame.mixer.Sound]]:
    """The busy channels and their sounds (the dummy driver consumes audio in real time, so a
    sound of a second or so is still playing right after play())."""
    out = []
    if pygame.mixer.get_init() is None:
        return out
    for i in range(pygame.mixer.get_num_channels()):
        channel = pygame.mixer.Channel(i)
        if channel.get_busy():
            out.append((channel, channel.get_sound()))
    return out


# -- playing ---------------------------------------------------------------------------------


def test_plays_a_packaged_sound_on_the_mixer_alone(make, warnings):
    a = make()
    assert a.open() is True
    assert pygame.mixer.get_init()[0] == 22050
    a.play("chime_out")
    ((_channel, sound),) = playing()
    assert sound.get_length() == pytest.approx(1.0, abs=0.01)
    assert not pygame.display.get_init()  # pygame.init() was not called
    assert warnings == []


def test_open_twice_is_harmless_and_play_opens_when_nobody_did(make, warnings):
    a = make()
    assert a.open() and a.open()
    b_warnings: list[str] = []
    a.close()
    b = make(warn=b_warnings.append)
    b.play("chime_in")  # never opened: the first sound opens the mixer
    assert b.is_open and len(playing()) == 1
    assert warnings == b_warnings == []


def test_volume_is_capped_by_the_night_cap(make):
    a = make(volume=0.6)
    a.play("chime_out", volume_cap=0.3)
    ((channel, sound),) = playing()
    # the cap is on the sound itself; the channel's own volume is the fade-in's ramp, which
    # SDL moves on its audio thread, so it is not read here
    assert sound.get_volume() == pytest.approx(0.3, abs=1 / 128)
    assert channel.get_sound() is sound
    a.stop(fade_ms=0)
    a.play("chime_out", volume_cap=1.0)  # a cap above the volume never raises it
    ((_channel, sound),) = playing()
    assert sound.get_volume() == pytest.approx(0.6, abs=1 / 128)


def test_stop_fades_then_silences(make):
    a = make()
    a.play("bell_end")
    a.stop(fade_ms=0)
    assert playing() == []
    a.play("bell_end")
    a.stop()  # a fade: still busy now, silent 300 ms later; nothing raises
    a.close()
    a.play("bell_end")  # after close: silent, no error
    assert pygame.mixer.get_init() is None


def test_voice_off_skips_spoken_sounds_without_looking_for_them(make, warnings):
    a = make(voice=False)
    a.play("say_paused")
    a.play("name_calm")
    a.play("say_not_a_file")
    assert playing() == []
    assert warnings == []
    a.play("chime_in")
    assert len(playing()) == 1


def test_user_dir_overrides_a_packaged_sound_by_name(make, tmp_path, warnings):
    write_wav(tmp_path / "chime_in.wav", 0.5)
    a = make(user_dir=tmp_path)
    a.play("chime_in")
    ((_channel, sound),) = playing()
    assert sound.get_length() == pytest.approx(0.5, abs=0.01)  # the packaged one is 0.8 s
    a.play("chime_out")  # not overridden: the packaged file
    assert sorted(round(s.get_length(), 1) for _c, s in playing()) == [0.5, 1.0]
    assert warnings == []


def test_an_override_file_plays_for_its_name(make, tmp_path, warnings):
    mine = write_wav(tmp_path / "my voice.wav", 0.5)
    a = make(overrides={"say_reach_out": mine})
    a.play("say_reach_out")
    ((_channel, sound),) = playing()
    assert sound.get_length() == pytest.approx(0.5, abs=0.01)
    assert warnings == []


def test_a_missing_override_warns_once_and_the_packaged_file_plays(make, tmp_path, warnings):
    a = make(overrides={"say_reach_out": tmp_path / "gone.wav"})
    a.play("say_reach_out")
    a.play("say_reach_out")
    assert len(warnings) == 1 and "gone.wav" in warnings[0]
    assert len(playing()) == 2


def test_an_empty_name_is_silence(make, warnings):
    a = make()
    a.play("")
    assert playing() == [] and warnings == []


def test_a_long_file_is_streamed(make, tmp_path, monkeypatch):
    write_wav(tmp_path / "rain.wav", 2.0)
    monkeypatch.setattr(audio_module, "STREAM_BYTES", 1000)
    a = make(user_dir=tmp_path, volume=0.5)
    a.play("rain", volume_cap=0.2)
    assert pygame.mixer.music.get_busy()
    assert pygame.mixer.music.get_volume() == pytest.approx(0.2, abs=1 / 128)
    assert playing() == []


# -- failures: one warning, then silence -----------------------------------------------------


def test_a_missing_sound_warns_once_naming_it(make, warnings):
    a = make()
    for _ in range(3):
        a.play("chime_nowhere")
    assert len(warnings) == 1
    assert "chime_nowhere.wav" in warnings[0] and "sound folder" in warnings[0]
    assert playing() == []


def test_a_missing_packaged_sound_says_how_to_restore_it(make, tmp_path, warnings):
    a = make(sounds_dir=tmp_path)
    a.play("chime_in")
    assert len(warnings) == 1 and "make sounds" in warnings[0]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt garbage garbage garbage", "cannot be played"),
        (b"this is not a sound at all" * 10, "cannot be played"),
    ],
    ids=["empty", "corrupt-header", "not-a-wav"],
)
def test_an_empty_or_corrupt_file_warns_once_and_is_silent(
    make, tmp_path, warnings, content, words
):
    path = tmp_path / "mine.wav"
    path.write_bytes(content)
    a = make(user_dir=tmp_path)
    a.play("mine")
    a.play("mine")
    assert len(warnings) == 1
    assert str(path) in warnings[0] and words in warnings[0]
    assert playing() == []


def test_a_wav_with_no_frames_is_silent_with_one_warning(make, tmp_path, warnings):
    path = write_wav(tmp_path / "mine.wav", 0.0)
    a = make(user_dir=tmp_path)
    a.play("mine")
    a.play("mine")
    assert len(warnings) == 1 and str(path) in warnings[0]


def test_a_broken_user_file_falls_back_to_the_packaged_one(make, tmp_path, warnings):
    (tmp_path / "chime_in.wav").write_bytes(b"")
    a = make(user_dir=tmp_path)
    a.play("chime_in")
    a.play("chime_in")
    assert len(warnings) == 1
    assert "is empty" in warnings[0] and str(PACKAGED / "chime_in.wav") in warnings[0]
    assert len(playing()) == 2  # the packaged chime, twice


def test_a_name_that_is_a_path_is_refused(make, warnings):
    a = make()
    a.play("../sounds/chime_in")
    assert len(warnings) == 1 and playing() == []


def test_no_audio_device_is_one_warning_then_silence(make, warnings, monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "calmkit-no-such-driver")
    a = make()
    assert a.open() is False
    assert a.open() is False
    for name in ("chime_in", "chime_missing", "say_paused"):
        a.play(name)
    a.stop()
    a.close()
    assert len(warnings) == 1
    assert "no audio device" in warnings[0] and "calmkit-no-such-driver" in warnings[0]
    assert "Fix:" in warnings[0]
    assert pygame.mixer.get_init() is None


def test_mixer_init_raising_is_one_warning(make, warnings, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise pygame.error("ALSA: Couldn't open audio device")

    monkeypatch.setattr(pygame.mixer, "init", refuse)
    a = make()
    a.play("chime_in")  # opens (and fails) on first use
    a.play("chime_out")
    assert not a.is_open
    assert len(warnings) == 1 and "Couldn't open audio device" in warnings[0]


def test_a_failing_play_warns_once_and_never_raises(make, warnings, monkeypatch):
    class Broken(pygame.mixer.Sound):
        def play(self, *_args, **_kwargs):
            raise pygame.error("mixer exploded")

    monkeypatch.setattr(pygame.mixer, "Sound", Broken)
    a = make()
    a.play("chime_in")
    a.play("chime_in")
    assert len(warnings) == 1 and "mixer exploded" in warnings[0]


def test_sound_off_never_touches_the_mixer(make, warnings):
    a = make(enabled=False)
    assert a.open() is False
    a.play("chime_in")
    a.play("chime_missing")
    a.stop()
    a.close()
    assert pygame.mixer.get_init() is None
    assert warnings == []


def test_importing_audio_or_turning_sound_off_never_imports_pygame():
    script = textwrap.dedent(
        """
        import sys
        import calmkit.shell.audio as audio
        after_import = "pygame" in sys.modules
        a = audio.Audio(enabled=False, volume=1.0, fade_in_ms=0, voice=True)
        a.open(); a.play("chime_in"); a.play("say_paused"); a.stop(); a.close()
        a.available()
        print(after_import, "pygame" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "False"]


# -- doctor ----------------------------------------------------------------------------------


def test_available_lists_packaged_and_user_sounds(make, tmp_path):
    write_wav(tmp_path / "my_rain.wav", 0.1)
    names = make(user_dir=tmp_path).available()
    assert set(audio_module.SOUNDS) <= set(names)
    assert "my_rain" in names


@pytest.mark.parametrize("enabled", [True, False], ids=["through-pygame", "stdlib-only"])
def test_check_finds_nothing_wrong_with_the_packaged_sounds(make, enabled):
    a = make(enabled=enabled)
    assert a.open() is enabled
    assert a.check() == []


@pytest.mark.parametrize("enabled", [True, False], ids=["through-pygame", "stdlib-only"])
def test_check_names_every_problem_with_its_fix(make, tmp_path, enabled):
    packaged = tmp_path / "packaged"
    packaged.mkdir()
    for name in audio_module.SOUNDS:
        if name != "bell_end":
            (packaged / f"{name}.wav").write_bytes((PACKAGED / f"{name}.wav").read_bytes())
    (packaged / "tick.wav").write_bytes(b"RIFF garbage")
    user = tmp_path / "user"
    user.mkdir()
    (user / "chime_in.wav").write_bytes(b"")
    a = make(enabled=enabled, sounds_dir=packaged, user_dir=user)
    a.open()
    problems = a.check()
    assert len(problems) == 3, problems
    missing, *files = problems
    assert "'bell_end' is missing" in missing and "make sounds" in missing
    assert any(str(packaged / "tick.wav") in p for p in files)
    assert any(str(user / "chime_in.wav") in p and "empty" in p for p in files)
    assert all("Fix" in p for p in problems)


def test_check_without_a_device_still_reads_the_files_and_leaves_the_device_to_open(
    make, tmp_path, monkeypatch, warnings
):
    monkeypatch.setenv("SDL_AUDIODRIVER", "calmkit-no-such-driver")
    (tmp_path / "mine.wav").write_bytes(b"RIFF garbage")
    a = make(user_dir=tmp_path)
    assert a.open() is False
    problems = a.check()
    assert len(problems) == 1 and str(tmp_path / "mine.wav") in problems[0]
    assert len(warnings) == 1 and "no audio device" in warnings[0]


def test_check_names_a_missing_override(make, tmp_path):
    problems = make(overrides={"say_reach_out": tmp_path / "my_voice.wav"}).check()
    assert len(problems) == 1 and "my_voice.wav" in problems[0] and "Fix" in problems[0]


def test_a_program_without_a_spoken_name_gets_a_soft_tick_and_no_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    warnings: list[str] = []
    audio = Audio(enabled=True, volume=0.5, fade_in_ms=0, voice=True, warn=warnings.append)
    audio.open()
    played: list[str] = []
    original = audio._load

    def load(name):
        played.append(name)
        return original(name)

    monkeypatch.setattr(audio, "_load", load)
    audio.play("name_my_own_program")
    audio.close()
    assert played == ["tick"] and warnings == []


# --- lengths, for the order of sounds --------------------------------------------------------


def test_lengths_are_read_from_the_files_as_play_would_find_them(make, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    write_wav(mine / "bell_end.wav", 1.5)  # the user's own replaces the packaged 4 s bell
    (mine / "chime_in.wav").write_bytes(b"")  # broken: the packaged one plays, so it counts
    (mine / "rain.ogg").write_bytes(b"OggS" + b"\0" * 100)  # `wave` cannot measure an OGG
    a = make(user_dir=mine, overrides={"say_reach_out": write_wav(tmp_path / "me.wav", 2.0)})
    assert a.length("bell_end") == pytest.approx(1.5)
    assert a.length("chime_in") == pytest.approx(0.8)
    assert a.length("say_reach_out") == pytest.approx(2.0)
    assert a.length("rain") == audio_module.UNMEASURED_S
    assert a.length("name_mine") == a.length("tick") == pytest.approx(0.15, abs=1e-3)  # as play()
    assert a.length("no_such_sound") == 0.0 and a.length("") == 0.0 and a.length("../x") == 0.0
    assert not a.is_open  # no mixer needed


def test_spoken_sounds_have_no_length_when_the_voice_is_off(make):
    lengths = make(voice=False).lengths(["say_quiet_offer", "name_box", "bell_end", "bell_end"])
    assert lengths == {"say_quiet_offer": 0.0, "name_box": 0.0, "bell_end": pytest.approx(4.0)}
    assert make(enabled=False).length("bell_end") == 0.0


def test_a_sound_path_the_system_cannot_look_up_counts_as_missing(tmp_path):
    """ENAMETOOLONG from the file system is a missing sound, never an internal error."""
    assert not audio_module._is_file(tmp_path / ("k" * 5000 + ".wav"))
    assert audio_module._is_file(PACKAGED / "tick.wav")
