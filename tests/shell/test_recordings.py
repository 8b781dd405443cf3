"""`calmkit voices import DIR`: a person's own recordings checked, converted, normalised and
installed; what is missing listed with its words; each corrupt file one message."""

from __future__ import annotations

import array
import math
import os
import shutil
import struct
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def raw_wav(path: Path, rate=22050, channels=1, width=2, data=None, fmt=1, frames=22050):
    """A WAV written byte by byte: a header may say anything (a rate of 0 Hz, 64 channels)."""
    if data is None:
        tone = (round(12000 * math.sin(i / 5)) for i in range(frames * channels))
        data = array.array("h", tone).tobytes() if width == 2 else bytes(frames * channels)
    align = channels * width
    fmt_chunk = struct.pack(
        "<HHIIHH", fmt, channels, rate, (rate * align) % 2**32, align, 8 * width
    )
    body = b"WAVEfmt " + struct.pack("<I", 16) + fmt_chunk + b"data"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body) + 4 + len(data)) + body)
    with path.open("ab") as out:
        out.write(struct.pack("<I", len(data)) + data)
    return path


def problem_for(done, name: str) -> str:
    (line,) = [p for p in done.problems if p.startswith(f"{name}:")]
    return line


@pytest.mark.parametrize("rate", [0, 1, 7999, 384001, 4_000_000_000])
def test_a_header_with_a_sample_rate_no_recording_has_is_a_bad_file(tmp_path, rate):
    """A rate of 0 was `internal error (ZeroDivisionError)`; 4 GHz was 'almost silent'; 1 Hz was
    installed."""
    source = tmp_path / "mine"
    source.mkdir()
    raw_wav(source / "say_paused.wav", rate=rate, frames=4000)
    record(source / "say_release.wav")
    done = recordings.import_recordings(source, into=tmp_path / "packs", use_sox=False)
    assert done.installed == ["say_release"]
    assert problem_for(done, "say_paused.wav") == (
        f"say_paused.wav: cannot be used: its header says a sample rate of {rate} Hz, and a "
        "recording has 8000 to 384000 Hz (44100 or 48000 usually). Fix: export it again as a "
        "WAV at 44100 Hz."
    )
    # with sox there, it is still refused (not handed on to be converted)
    done = recordings.import_recordings(source, into=tmp_path / "packs2")
    assert "sample rate of" in problem_for(done, "say_paused.wav")


def test_no_sample_rate_is_never_divided_by():
    with pytest.raises(ValueError, match="a sample rate of 0 Hz"):
        wavs.resample([0.1, 0.2], 0, wavs.RATE)


def test_64_channels_a_nan_float_wav_and_a_blip_are_refused_with_the_reason(tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    raw_wav(source / "say_press.wav", channels=64, width=1, frames=2000)  # was a 1.4 ms prompt
    nan = array.array("f", [float("nan")] * 22050)
    raw_wav(source / "say_release.wav", width=4, fmt=3, data=nan.tobytes())  # was a buzz
    inf = array.array("d", [0.1, float("inf")] * 11025)
    raw_wav(source / "say_paused.wav", width=8, fmt=3, data=inf.tobytes())
    raw_wav(source / "name_box.wav", frames=30)  # 1.4 ms
    floats = array.array("f", (0.3 * math.sin(i / 5) for i in range(22050)))
    raw_wav(source / "name_calm.wav", width=4, fmt=3, data=floats.tobytes())  # a good float WAV
    done = recordings.import_recordings(source, into=tmp_path / "packs")
    assert done.installed == ["name_calm"]
    assert peak_db(done.pack.folder / "name_calm.wav") == pytest.approx(wavs.VOICE_DB, abs=0.1)
    assert problem_for(done, "say_press.wav").endswith(
        "its header says 64 channels, and a recording has 1 to 8. Fix: export it again as mono "
        "(or stereo)."
    )
    for name in ("say_release.wav", "say_paused.wav"):
        assert problem_for(done, name) == (
            f"{name}: cannot be used: it holds samples that are not numbers (NaN or infinite): "
            "the file is damaged. Fix: export it again from the program that recorded it."
        )
    assert "it lasts only 1 ms, too short for words" in problem_for(done, "name_box.wav")


def test_a_recording_far_too_long_is_refused_from_its_header_before_it_is_read(
    tmp_path, monkeypatch
):
    """A 600 s reach-out became a 26 MB prompt with only a note."""
    source = tmp_path / "mine"
    source.mkdir()
    path = raw_wav(source / "say_reach_out.wav", frames=100)
    declared = 600 * wavs.RATE * 2
    data = path.read_bytes()
    path.write_bytes(data[:-204] + struct.pack("<I", declared))
    os.truncate(path, len(data) - 200 + declared)  # sparse: 26 MB that are never written
    record(source / "say_paused.wav")
    read: list[int] = []
    values = wavs._values
    monkeypatch.setattr(
        wavs, "_values", lambda raw, header: read.append(len(raw)) or values(raw, header)
    )
    done = recordings.import_recordings(source, into=tmp_path / "packs", use_sox=False)
    assert done.installed == ["say_paused"]
    assert problem_for(done, "say_reach_out.wav") == (
        "say_reach_out.wav: cannot be used: it lasts 600 s, longer than the 20 s a prompt may "
        "last. Fix: cut it to the words and the breath around them."
    )
    assert read and max(read) < 1_000_000  # only the short one's samples were read


@pytest.mark.skipif(SOX is None, reason="sox is not installed (sudo apt install sox; .ci/run does)")
def test_a_converted_recording_over_the_limit_is_refused_too(tmp_path, monkeypatch):
    monkeypatch.setattr(recordings, "MAX_S", 2.0)  # speed: 20 s in the product
    source = tmp_path / "mine"
    source.mkdir()
    wav = record(tmp_path / "raw.wav", seconds=3.0, silence=0)
    subprocess.run([SOX, str(wav), str(source / "say_reach_out.flac")], check=True)
    done = recordings.import_recordings(source, into=tmp_path / "packs")
    assert done.pack is None
    assert "it lasts over 2 s, longer than a prompt may last" in done.problems[0]


def test_a_huge_file_in_another_format_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(recordings, "MAX_ENCODED_BYTES", 1000)
    source = tmp_path / "mine"
    source.mkdir()
    (source / "say_paused.mp3").write_bytes(b"ID3" + bytes(2000))
    done = recordings.import_recordings(
        source, into=tmp_path / "packs", sox="/nonexistent/sox", use_sox=True
    )
    (problem,) = done.problems  # sox was never run: it would say it cannot read it
    assert problem.startswith("say_paused.mp3: cannot be used: it is over 0 MiB, far more than")


def test_a_link_a_folder_and_a_fifo_named_like_prompts_are_one_line_each_never_read(tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    secret = record(tmp_path / "secret.wav")  # stands for /etc/shadow: a file not theirs to give
    (source / "say_ground_hear.wav").symlink_to(secret)
    (source / "say_paused.wav").mkdir()
    os.mkfifo(source / "say_did_it_help.wav")  # opened, it would hang the import for ever
    record(source / "say_release.wav")
    done = recordings.import_recordings(source, into=tmp_path / "packs")
    assert done.installed == ["say_release"]
    assert done.problems == [
        "say_did_it_help.wav: is a named pipe (FIFO), not a recording. Fix: put the recording "
        "itself here under this name",
        f"say_ground_hear.wav: is a link (to {secret}), and only a recording itself is read. "
        "Fix: copy the recording itself into the folder under this name",
        "say_paused.wav: is a folder, not a recording. Fix: put the recording itself here under "
        "this name",
    ]
    assert {"say_ground_hear", "say_paused", "say_did_it_help"} <= set(dict(done.missing))


def test_a_link_swapped_in_after_the_look_is_still_not_followed(tmp_path):
    target = record(tmp_path / "secret.wav")
    link = tmp_path / "say_paused.wav"
    link.symlink_to(target)
    with pytest.raises(OSError):
        wavs.read_wav(link, follow_links=False)
    with pytest.raises(OSError):
        recordings._converted(link, lambda p: [])


def rendered_pack(base: Path, name: str, language: str, engine: str) -> Path:
    folder = base / name
    folder.mkdir(parents=True)
    wavs.write_wav(folder / "say_paused.wav", [0.1] * 2000)
    voices.write_manifest(folder, language=language, engine=engine, voice="de+f3")
    return folder


def test_recordings_never_go_into_a_rendered_pack_or_one_of_another_language(tmp_path):
    """`--name de-espeak-ng` replaced files in the German espeak-ng pack, which still said
    de/espeak-ng and was listed as complete."""
    source = tmp_path / "mine"
    source.mkdir()
    record(source / "say_paused.wav")
    packs = tmp_path / "packs"
    german = rendered_pack(packs, "de-espeak-ng", "de", "espeak-ng")
    before = (german / "say_paused.wav").read_bytes()
    with pytest.raises(UsageError) as refused:
        recordings.import_recordings(source, name="de-espeak-ng", into=packs)
    assert str(refused.value) == (
        "--name de-espeak-ng is the voice pack de-espeak-ng (de; made by espeak-ng, de+f3): your "
        "recordings would replace its files while its pack.json still says espeak-ng made them. "
        "Fix: choose another --name, e.g. --name en-own"
    )
    assert (german / "say_paused.wav").read_bytes() == before
    rendered_pack(packs, "mum", "de", "own")
    with pytest.raises(UsageError, match=r"\(de; own recordings\), not en\. Fix: choose another"):
        recordings.import_recordings(source, name="mum", into=packs)
    assert recordings.import_recordings(source, name="mum", language="de", into=packs).installed
    (packs / "odd").mkdir()
    (packs / "odd" / "keep.wav").write_bytes(b"someone's")
    with pytest.raises(UsageError, match=r"odd is there and is not a voice pack \(no pack.json\)"):
        recordings.import_recordings(source, name="odd", into=packs)
    assert (packs / "odd" / "keep.wav").read_bytes() == b"someone's"


def test_a_link_in_the_pack_imported_into_is_not_kept_and_is_listed_as_missing(tmp_path):
    source = tmp_path / "mine"
    source.mkdir()
    record(source / "say_paused.wav")
    recordings.import_recordings(source, name="mum", into=tmp_path / "packs")
    pack = tmp_path / "packs" / "mum"
    (pack / "say_release.wav").symlink_to(record(tmp_path / "elsewhere.wav"))
    record(source / "say_press.wav")
    done = recordings.import_recordings(source, name="mum", into=tmp_path / "packs")
    assert "say_release" in dict(done.missing)
    assert not (pack / "say_release.wav").exists()
    assert {p.name for p in pack.iterdir()} == {"pack.json", "say_paused.wav", "say_press.wav"}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    tag=st.sampled_from([0, 1, 2, 3, 0xFFFE, 7]),
    channels=st.sampled_from([0, 1, 2, 8, 9, 64]),
    rate=st.sampled_from([0, 1, 8000, 22050, 44100, 384000, 2**32 - 1]),
    align=st.sampled_from([0, 1, 2, 3, 4, 8, 16, 64, 301]),
    bits=st.sampled_from([0, 8, 16, 24, 32, 64, 7]),
    declared=st.integers(0, 2**32 - 1),
    data=st.binary(max_size=600),
)
def test_any_header_is_read_or_refused_never_an_internal_error(
    tmp_path_factory, tag, channels, rate, align, bits, declared, data
):
    path = tmp_path_factory.mktemp("fuzz") / "say_paused.wav"
    fmt = struct.pack("<HHIIHH", tag, channels, rate, 0, align, bits)
    body = b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", declared)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body) + len(data)) + body + data)
    try:
        samples = wavs.read_wav(path, recordings.MAX_S)
    except ValueError:  # Unusable too: each is one line in the import's report
        return
    assert all(math.isfinite(s) for s in samples)


def test_more_samples_than_a_minute_of_48_khz_stereo_are_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(wavs, "MAX_SAMPLES", 48000)
    source = tmp_path / "mine"
    source.mkdir()
    raw_wav(source / "say_paused.wav", rate=96000, channels=2, frames=30000)  # 0.3 s
    monkeypatch.setattr(wavs, "_values", lambda raw, header: pytest.fail("it was read"))
    done = recordings.import_recordings(source, into=tmp_path / "packs", use_sox=False)
    assert problem_for(done, "say_paused.wav") == (
        "say_paused.wav: cannot be used: it holds too many samples to read (0.3 s at 96000 Hz, 2 "
        "channels). Fix: export it again as mono at 44100 Hz."
    )
