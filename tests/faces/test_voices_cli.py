"""`calmkit voices` as a person meets it: the list, a render, an import, and the notes that
`check` and `doctor` give when the config's voice is not there."""

from __future__ import annotations

import math
import os
import shutil
import struct
import sys
from pathlib import Path

import pytest

from calmkit.core.prompts import SPOKEN
from calmkit.faces.cli import main
from calmkit.faces.doctor import OK, WARN, run_checks
from calmkit.shell import voices, wavs

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    """An empty data folder: the packs go to data/calmkit/voices."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    return tmp_path / "data" / "calmkit" / "voices"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def a_config(tmp_path, text: str) -> Path:
    path = tmp_path / "calmkit.yaml"
    path.write_text(text + f"journal: {{path: {tmp_path / 'journal.db'}}}\n")
    return path


def test_voices_lists_no_packs_the_engines_and_the_languages(capsys, data):
    code, out, err = run(capsys, "voices")
    assert code == 0 and err == ""
    assert f"looked for in {data}" in out
    assert "none: the packaged English voice speaks" in out
    assert "espeak-ng" in out and "piper" in out
    assert "Languages with words: de, en, es, fr" in out


def test_check_and_doctor_note_a_language_with_no_pack_and_the_box_keeps_english(
    capsys, data, tmp_path
):
    path = a_config(tmp_path, "sound: {language: de}\n")
    code, out, _ = run(capsys, "check", "--config", path)
    assert code == 0
    assert (
        "note: no voice pack for the language 'de' is installed; the packaged English voice" in out
    )
    check = {c.name: c for c in run_checks(path, root=tmp_path, environ={})}["voice"]
    assert check.level == WARN and "calmkit voices render --language de" in check.detail


def test_with_no_language_set_check_says_nothing_about_the_voice(capsys, data, tmp_path):
    code, out, _ = run(capsys, "check", "--config", a_config(tmp_path, ""))
    assert code == 0 and "note" not in out
    check = {c.name: c for c in run_checks(a_config(tmp_path, ""), root=tmp_path, environ={})}
    assert check["voice"].level == OK and check["voice"].detail == "the packaged English voice"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_render_then_the_pack_is_listed_and_chosen(capsys, data, tmp_path):
    code, out, err = run(capsys, "voices", "render", "--language", "es")
    assert code == 0, err
    assert f"wrote voice pack es-espeak-ng to {data / 'es-espeak-ng'}: 23 prompts" in out
    assert "Use it: sound: {language: es}" in out
    path = a_config(tmp_path, "sound: {language: es}\n")
    code, out, _ = run(capsys, "voices", "--config", path)
    assert "es-espeak-ng  (es; espeak-ng, es+f3; complete)   <- speaks" in out
    code, out, _ = run(capsys, "check", "--config", path)
    assert "note" not in out
    check = {c.name: c for c in run_checks(path, root=tmp_path, environ={})}["voice"]
    assert check.level == OK and "es-espeak-ng" in check.detail


def test_render_with_an_engine_that_is_not_there_is_one_line_and_exit_1(capsys, data, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CALMKIT_PIPER", raising=False)
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    code, _out, err = run(capsys, "voices", "render", "--language", "de", "--engine", "piper")
    assert code == 1
    assert err.strip().splitlines() == [
        "calmkit: the voice engine piper is not installed. Fix: pip install 'calmkit[piper]' "
        "(or set CALMKIT_PIPER to it)"
    ]


def write(path: Path, seconds: float = 0.6) -> None:
    n = int(seconds * wavs.RATE)
    wavs.write_wav(path, [0.4 * math.sin(i / 7) * math.sin(math.pi * i / n) for i in range(n)])


def test_import_installs_lists_what_to_record_and_names_a_broken_file(capsys, data, tmp_path):
    mine = tmp_path / "mum"
    mine.mkdir()
    for name in SPOKEN[2:]:
        write(mine / f"{name}.wav")
    (mine / "say_ground_touch.wav").write_bytes(b"RIFFjunk")
    code, out, err = run(capsys, "voices", "import", mine, "--name", "mum")
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("problem: say_ground_touch.wav: cannot be used: it is not a WAV")
    assert f"installed {len(SPOKEN) - 2} recordings as voice pack mum in {data / 'mum'}" in out
    assert "  say_ground_see    Name five things you can see." in lines
    assert "  say_ground_touch  Four things you can touch." in lines
    assert "Use it: sound: {voice_pack: mum}" in out
    path = a_config(tmp_path, "sound: {voice_pack: mum}\n")
    _, out, _ = run(capsys, "check", "--config", path)
    assert "note: the voice pack 'mum' lacks 2 of 23 prompts" in out
    # The two missing ones, recorded later, complete it.
    again = tmp_path / "later"
    again.mkdir()
    write(again / "say_ground_see.wav")
    write(again / "say_ground_touch.wav")
    code, out, _ = run(capsys, "voices", "import", again, "--name", "mum")
    assert code == 0 and "Still to record" not in out
    assert voices.read_pack(data / "mum").missing() == []


def test_import_of_a_folder_with_nothing_usable_installs_nothing(capsys, data, tmp_path):
    (tmp_path / "empty").mkdir()
    code, out, _ = run(capsys, "voices", "import", tmp_path / "empty")
    assert code == 1
    assert "nothing installed" in out and f"Still to record ({len(SPOKEN)};" in out
    assert not data.exists()


def test_readmes_list_of_prompts_is_made_from_the_english_words(capsys):
    text = README.read_text(encoding="utf-8")
    block = text[text.index("<!-- prompts: begin -->") : text.index("<!-- prompts: end -->")]
    code, out, _ = run(capsys, "voices", "words")
    assert code == 0
    assert block.splitlines()[1:] == out.strip().splitlines()
    assert "| `say_paused.wav` | Paused. |" in out.splitlines()


def test_words_in_german_for_someone_recording_in_german(capsys):
    code, out, _ = run(capsys, "voices", "words", "--language", "de")
    assert code == 0 and "| `say_switch_hands.wav` | Wechsle die Hand. |" in out


def test_the_voices_help_lists_its_actions(capsys):
    with pytest.raises(SystemExit):
        main(["voices", "--help"])
    out = capsys.readouterr().out
    assert "render" in out and "import" in out


def test_doctor_notes_a_pack_prompt_longer_than_a_step_of_your_own_program(data, tmp_path):
    folder = data / "de-own"
    folder.mkdir(parents=True)
    for name in SPOKEN:
        write(folder / f"{name}.wav", 0.3)
    write(folder / "say_switch_hands.wav", 3.0)
    voices.write_manifest(
        folder, language="de", engine="own", voice="", lengths={"say_switch_hands": 3.0}
    )
    text = (
        "sound: {language: de}\nprograms:\n  quick:\n    description: q\n"
        "    steps: [{press: 5}, {switch: 2}, {press: 5}]\n"
    )
    check = {c.name: c for c in run_checks(a_config(tmp_path, text), root=tmp_path, environ={})}
    assert check["voice"].level == WARN
    assert check["voice"].detail == (
        "voice pack de-own: say_switch_hands lasts 3.0 s, longer than the 2 s switch step it "
        "starts in 'quick': shorten its words or the step"
    )


def test_a_session_in_german_speaks_the_german_pack_and_waits_for_its_length(
    capsys, data, tmp_path
):
    import json

    folder = data / "de-own"
    folder.mkdir(parents=True)
    write(folder / "say_ground_see.wav", 3.0)
    voices.write_manifest(folder, language="de", engine="own", voice="")

    def first_prompt(config: Path) -> dict:
        code, out, _ = run(capsys, "play", "ground", "--fast", "--events", "--config", config)
        assert code == 0
        sounds = [json.loads(line) for line in out.splitlines() if '"sound"' in line]
        return {s["name"]: s["length_s"] for s in sounds}

    german = first_prompt(a_config(tmp_path, "sound: {language: de}\n"))
    assert german["say_ground_see"] == pytest.approx(3.0, abs=0.01)  # the pack's
    packaged = wavs.seconds(Path(__file__).resolve().parents[2] / "sounds/say_ground_touch.wav")
    assert german["say_ground_touch"] == pytest.approx(packaged, abs=0.01)  # it lacks this one
    english = first_prompt(a_config(tmp_path, ""))
    assert english["say_ground_see"] != pytest.approx(3.0, abs=0.01)


def header_only_wav(path: Path, rate: int, channels: int, width: int, data: bytes) -> None:
    fmt = struct.pack("<HHIIHH", 1, channels, rate, 0, channels * width, 8 * width)
    body = b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data))
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body) + len(data)) + body + data)


def test_import_of_the_reviewers_folder_is_one_problem_line_a_file_and_the_good_one_installed(
    capsys, data, tmp_path
):
    mine = tmp_path / "mine"
    mine.mkdir()
    write(mine / "say_paused.wav")
    header_only_wav(mine / "say_release.wav", 0, 1, 2, bytes(4000))  # was a ZeroDivisionError
    header_only_wav(mine / "say_press.wav", 22050, 64, 1, bytes(4000))
    header_only_wav(mine / "name_box.wav", 4_000_000_000, 1, 2, bytes(4000))
    (mine / "name_calm.wav").mkdir()
    os.mkfifo(mine / "name_sigh.wav")
    (mine / "say_ground_hear.wav").symlink_to(tmp_path / "secret")
    code, out, err = run(capsys, "voices", "import", mine)
    assert code == 1 and err == ""
    problems = [line for line in out.splitlines() if line.startswith("problem: ")]
    assert sorted(p.split(":")[1].strip() for p in problems) == [
        "name_box.wav",
        "name_calm.wav",
        "name_sigh.wav",
        "say_ground_hear.wav",
        "say_press.wav",
        "say_release.wav",
    ]
    assert "internal error" not in out and "Traceback" not in out
    assert f"installed 1 recordings as voice pack en-own in {data / 'en-own'}" in out


def test_import_into_an_engines_pack_is_one_line_and_exit_2(capsys, data, tmp_path):
    german = data / "de-espeak-ng"
    german.mkdir(parents=True)
    voices.write_manifest(german, language="de", engine="espeak-ng", voice="de+f3")
    mine = tmp_path / "mine"
    mine.mkdir()
    write(mine / "say_paused.wav")
    code, _out, err = run(capsys, "voices", "import", mine, "--name", "de-espeak-ng")
    assert code == 2 and not (german / "say_paused.wav").exists()
    assert err.startswith("calmkit: --name de-espeak-ng is the voice pack de-espeak-ng (de; made")
    assert len(err.strip().splitlines()) == 1
