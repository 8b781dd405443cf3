"""`calmkit voices import DIR`: a person's own recordings checked, converted, normalised and
installed; what is missing listed with its words; each corrupt file one message."""

from __future__ import annotations

import array
import math
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from calmkit.core.errors import CalmkitError, UsageError
from calmkit.core.prompts import SPOKEN
from calmkit.shell import recordings, texts, voices, wavs

SOX = shutil.which("sox")


def record(path: Path, seconds=1.0, level=0.5, rate=44100, channels=2, width=2, silence=0.4):
    """A 'recording': a voice-like tone between stretches of room silence."""
    n, quiet = int(seconds * rate), int(silence * rate)
    tone = [
        level * math.sin(2 * math.pi * 220 * i / rate) * math.sin(math.pi * i / n) for i in range(n)
    ]
    mono = [0.0] * quiet + tone + [0.0] * quiet
    frames = [v for v in mono for _ in range(channels)]
    if width == 2:
        data = array.array("h", (round(v * 32767) for v in frames))
        if sys.byteorder == "big":
            data.byteswap()
        raw = data.tobytes()
    else:  # 24-bit
        raw = b"".join(round(v * 8388607).to_bytes(3, "little", signed=True) for v in frames)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)
    return path


def peak_db(path: Path) -> float:
    return wavs.peak_dbfs(wavs.read_wav(path))


def test_recordings_are_converted_normalised_and_installed(tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    record(source / "say_paused.wav", level=0.9)  # stereo, 44.1 kHz
    record(source / "SAY_RELEASE.wav", level=0.05, rate=48000, channels=1, width=3)  # 24-bit
    done = recordings.import_recordings(source, into=tmp_path / "packs")
    assert done.problems == []
    assert done.installed == ["say_paused", "say_release"]
    pack = done.pack
    assert (pack.name, pack.language, pack.engine) == ("en-own", "en", "own")
    for name in done.installed:
        path = pack.folder / f"{name}.wav"
        assert wavs.is_packaged_format(path)
        assert peak_db(path) == pytest.approx(wavs.VOICE_DB, abs=0.1)
        assert wavs.seconds(path) < 1.3  # the room's silence around the words is trimmed
        first = wavs.read_wav(path)[: wavs.RATE // 100]
        assert abs(first[0]) < 0.001 and max(abs(s) for s in first) < 0.5 * 10 ** (-14 / 20)


def test_what_is_missing_is_listed_with_the_words_to_say(tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    record(source / "say_paused.wav")
    done = recordings.import_recordings(source, language="de", into=tmp_path / "packs")
    words = texts.load("de").prompts
    assert [n for n, _ in done.missing] == [n for n in SPOKEN if n != "say_paused"]
    assert (
        dict(done.missing)["say_switch_hands"] == words["say_switch_hands"] == "Wechsle die Hand."
    )
    assert done.pack.name == "de-own"


def test_a_language_without_words_lists_the_english_ones(tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    done = recordings.import_recordings(source, language="it", into=tmp_path / "packs")
    assert done.pack is None
    assert dict(done.missing)["say_paused"] == "Paused."


def test_each_corrupt_or_odd_file_is_one_message_and_the_rest_is_installed(tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    record(source / "say_paused.wav")
    (source / "say_release.wav").write_bytes(b"RIFF\x00\x00not a wave at all")
    (source / "say_press.wav").write_bytes(b"")
    record(source / "say_quiet_offer.wav", level=0.0001)  # the microphone was off
    record(source / "say_pasued.wav")  # a typo
    record(source / "name_box.wav")
    record(tmp_path / "extra.wav")
    shutil.copy(tmp_path / "extra.wav", source / "name_box.WAV.wav")  # an odd name too
    (source / "notes.txt").write_text("not a recording: passed over")
    done = recordings.import_recordings(source, into=tmp_path / "packs", use_sox=False)
    assert done.installed == ["name_box", "say_paused"]
    problems = "\n".join(done.problems)
    assert len(done.problems) == 5, problems
    assert "say_release.wav: cannot be used: it is not a WAV that can be read" in problems
    assert "say_press.wav: cannot be used: it is empty" in problems
    assert "say_quiet_offer.wav: cannot be used: it is almost silent" in problems
    assert (
        "say_pasued.wav: no prompt is called 'say_pasued'. Did you mean say_paused.wav?" in problems
    )
    assert "name_box.WAV.wav: no prompt is called" in problems
    assert "Traceback" not in problems
    assert "say_release" in dict(done.missing)


def test_a_second_recording_of_a_prompt_is_said_and_the_first_kept(tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    record(source / "say_paused.wav", seconds=0.5)
    record(source / "say_paused.flac")  # a WAV under another name: sorted first
    done = recordings.import_recordings(source, into=tmp_path / "packs", use_sox=False)
    assert done.problems == [
        "say_paused.wav: a second recording of say_paused (say_paused.flac is used)"
    ]
    assert done.pack.lengths["say_paused"] > 0.7  # the 1 s one in the .flac


def test_quiet_clipped_and_long_recordings_are_used_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(recordings, "LONG_S", 2.5)  # speed: 30 s in the product
    source = tmp_path / "mine"
    source.mkdir()
    record(source / "say_paused.wav", level=0.02)
    record(source / "say_release.wav", level=1.0)
    record(source / "say_reach_out.wav", seconds=3.2, rate=8000, channels=1, silence=0)
    done = recordings.import_recordings(source, into=tmp_path / "packs")
    notes = "\n".join(done.notes)
    assert "say_paused.wav: very quiet (peak -34 dBFS)" in notes
    assert "say_release.wav: it reaches full scale" in notes
    assert "say_reach_out.wav: 3 s long" in notes
    assert done.installed == ["say_paused", "say_reach_out", "say_release"]


def test_importing_into_an_existing_pack_keeps_what_it_had(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    record(first / "say_paused.wav")
    record(first / "say_release.wav", seconds=0.5)
    record(second / "say_release.wav", seconds=2.0)
    record(second / "say_press.wav")
    recordings.import_recordings(first, name="mum", into=tmp_path / "packs")
    done = recordings.import_recordings(second, name="mum", into=tmp_path / "packs")
    pack = voices.read_pack(tmp_path / "packs" / "mum")
    assert {"say_paused", "say_release", "say_press"} <= {p.stem for p in pack.folder.glob("*.wav")}
    assert pack.lengths["say_release"] > 1.5  # the new recording replaced the old
    assert "say_paused" not in dict(done.missing)


@pytest.mark.skipif(SOX is None, reason="sox is not installed (sudo apt install sox; .ci/run does)")
def test_other_formats_are_converted_with_sox(tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    wav = record(tmp_path / "raw.wav")
    subprocess.run([SOX, str(wav), str(source / "say_paused.flac")], check=True)
    (source / "say_release.ogg").write_bytes(b"OggS broken")
    done = recordings.import_recordings(source, into=tmp_path / "packs")
    assert done.installed == ["say_paused"]
    assert peak_db(done.pack.folder / "say_paused.wav") == pytest.approx(wavs.VOICE_DB, abs=0.1)
    (problem,) = done.problems
    assert problem.startswith("say_release.ogg: cannot be used: sox cannot read it")


def test_without_sox_pygames_mixer_converts(tmp_path, monkeypatch):
    pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    source = tmp_path / "mine"
    source.mkdir()
    record(source / "say_paused.ogg.tmp")
    (source / "say_paused.ogg.tmp").rename(source / "say_paused.ogg")  # a WAV that pygame reads
    (source / "say_release.mp3").write_bytes(b"ID3 nothing")
    done = recordings.import_recordings(source, into=tmp_path / "packs", use_sox=False)
    assert done.installed == ["say_paused"]
    assert peak_db(done.pack.folder / "say_paused.wav") == pytest.approx(wavs.VOICE_DB, abs=0.1)
    (problem,) = done.problems
    assert problem.startswith("say_release.mp3: cannot be used: it cannot be decoded")


def test_a_bad_folder_language_or_name_is_one_clear_error(tmp_path):
    with pytest.raises(CalmkitError, match="cannot read the folder"):
        recordings.import_recordings(tmp_path / "none", into=tmp_path)
    with pytest.raises(UsageError, match="--language takes a code"):
        recordings.import_recordings(tmp_path, language="German", into=tmp_path)
    with pytest.raises(UsageError, match="not a pack name"):
        recordings.import_recordings(tmp_path, name="../x", into=tmp_path)


def test_a_48_khz_recording_does_not_fold_its_highs_back_into_the_voice(tmp_path):
    """A 15 kHz whistle cannot be kept at 22050 Hz; without a low-pass first it would come back
    as a 7 kHz one (22050 - 15000)."""
    rate, n = 48000, 48000
    high = [0.5 * math.sin(2 * math.pi * 15000 * i / rate) for i in range(n)]
    path = tmp_path / "high.wav"
    data = array.array("h", (round(v * 32767) for v in high))
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    left = wavs.read_wav(path)
    assert wavs.peak_dbfs(left[wavs.RATE // 10 :]) < wavs.peak_dbfs(high) - 18  # 24 dB measured
