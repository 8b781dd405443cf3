"""The safety plan's voice: espeak-ng into a private WAV, or nothing (and then it is shown)."""

import shutil
import stat
from pathlib import Path

import pytest

from calmkit.config import parse_config
from calmkit.shell import app, speech

PLAN = "safety_plan: {people: [Alex 0770], crisis_line: [Samaritans 116 123]}\n"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng here")
def test_espeak_reads_the_plan_into_a_private_wav(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    folder = speech.private_folder()
    assert folder.parent == tmp_path and stat.S_IMODE(folder.stat().st_mode) == 0o700
    wav = speech.render("People I can ask for help. Alex.", folder)
    assert wav is not None and wav.read_bytes()[:4] == b"RIFF"
    assert stat.S_IMODE(wav.stat().st_mode) == 0o600


def test_no_voice_engine_means_no_voice_and_the_flow_says_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    assert speech.render("anything", tmp_path) is None
    config = parse_config(PLAN)
    assert app.safety_plan_voice(config) is None


def test_a_failing_engine_is_a_warning_and_no_voice(tmp_path, monkeypatch):
    monkeypatch.setattr(speech.shutil, "which", lambda name: "/bin/false")
    assert speech.render("anything", tmp_path) is None


def test_no_plan_or_no_voice_setting_renders_nothing(monkeypatch):
    called = []
    monkeypatch.setattr(speech, "render", lambda *a, **k: called.append(a) or Path("x.wav"))
    assert app.safety_plan_voice(parse_config("")) is None
    assert app.safety_plan_voice(parse_config(PLAN + "sound: {voice: false}\n")) is None
    assert not called


def test_the_flow_gets_the_plan_and_reach_out_offers_it():
    settings = app.flow_settings(parse_config(PLAN))
    assert settings.safety_plan.startswith("People I can ask for help. Alex 0770.")
    offer = "Your safety plan is on the box: keep holding the button for 4 s when it is idle."
    assert settings.reach_out_message.endswith(offer)
    slow = app.flow_settings(parse_config(PLAN + "gestures: {hold_s: 3}\n"))
    assert "keep holding the button for 8 s" in slow.reach_out_message
    plain = app.flow_settings(parse_config(""))
    assert plain.safety_plan == "" and "safety plan" not in plain.reach_out_message


def test_the_rendered_voice_joins_the_ordered_sound_line(tmp_path):
    wav = tmp_path / "say_safety_plan.wav"
    shutil.copy(Path(app.__file__).parents[3] / "sounds" / "tick.wav", wav)
    config = parse_config(PLAN)
    audio = app.audio_for(config, lambda m: None, wav)
    line = app.sound_line(config, audio)
    assert line.lengths[speech.SAFETY_PLAN_SOUND] > 0
    assert (
        speech.SAFETY_PLAN_SOUND not in app.sound_line(config, app.audio_for(config, print)).lengths
    )


def test_a_box_with_no_voice_for_the_plan_never_claims_to_read_it():
    from helpers import rig

    box = rig(PLAN)  # a virtual run renders no voice
    assert box.app.flow.settings.safety_plan.startswith("People I can ask for help")
    assert box.app.flow.settings.safety_plan_spoken is False


def test_the_rendered_plan_is_removed_when_the_box_closes(tmp_path, monkeypatch):
    from calmkit.devices.hardware import PinChoice, mock_factory

    folder = tmp_path / "voice"
    folder.mkdir()
    wav = folder / "say_safety_plan.wav"
    shutil.copy(Path(app.__file__).parents[3] / "sounds" / "tick.wav", wav)
    monkeypatch.setattr(app, "safety_plan_voice", lambda config: wav)
    box = app.build(parse_config(PLAN + "journal: false\n"), pins=PinChoice(mock_factory(), True))
    assert box.voice == wav and box.flow.settings.safety_plan_spoken
    assert box.runner.sounds.length(speech.SAFETY_PLAN_SOUND) > 0
    box.close()
    assert not folder.exists()


OWN_MESSAGE = "reach_out: {message: 'Call Alex, or text Sam. You matter.'}\n"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng here")
def test_a_reach_out_message_of_the_persons_own_is_said_in_its_own_words(tmp_path, monkeypatch):
    """A voice pack speaks the packaged message; a message of the person's own is read aloud
    itself, so the box never says other words than it shows."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    config = parse_config(OWN_MESSAGE)
    wav = app.reach_out_voice(config)
    assert wav is not None and wav.name == "say_reach_out.wav" and wav.parent.parent == tmp_path
    assert stat.S_IMODE(wav.stat().st_mode) == 0o600
    assert app.audio_for(config, print, reach_voice=wav).overrides["say_reach_out"] == wav
    speech.remove(wav)
    assert not wav.parent.exists()


def test_the_packaged_message_or_a_recording_of_it_needs_no_rendered_voice(monkeypatch):
    rendered: list[str] = []
    monkeypatch.setattr(speech, "engine", lambda: "/usr/bin/espeak-ng")
    monkeypatch.setattr(speech, "render", lambda text, folder, name: rendered.append(text))
    assert app.reach_out_voice(parse_config("")) is None  # every pack speaks it
    recorded = parse_config(OWN_MESSAGE[:-2] + ", sound: /tmp/mine.wav}\n")
    assert app.reach_out_voice(recorded) is None  # the person's recording says it
    assert app.reach_out_voice(parse_config(OWN_MESSAGE + "sound: {voice: false}\n")) is None
    assert rendered == []
    app.reach_out_voice(parse_config(OWN_MESSAGE))
    assert rendered == ["Call Alex, or text Sam. You matter."]


def test_no_voice_engine_means_the_own_message_is_shown_not_said(monkeypatch):
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    assert app.reach_out_voice(parse_config(OWN_MESSAGE)) is None
