"""The packaged sounds: all there, the right format, soft, small, and what the script makes."""

from __future__ import annotations

import array
import importlib.util
import math
import shutil
import sys
import wave
from pathlib import Path

import pytest

from calmkit.core import prompts
from calmkit.shell import audio, texts, wavs

SOUNDS = Path(__file__).resolve().parents[2] / "sounds"

# The one list of names (calmkit.core.prompts), as the code, the files and the texts share it.
TONES = list(prompts.TONES)
SPOKEN = list(prompts.SPOKEN)
ALL = TONES + SPOKEN

RATE = 22050
FULL = 32767
# The folder's budget. 30 files at 22.05 kHz / 16-bit are 43 KiB per second of audio: about 12 s of
# tones and 44 s of unhurried speech come to about 2.4 MiB.
BUDGET_BYTES = 3 * 1024 * 1024


def load_script():
    """sounds/make_sounds.py as a fresh module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("_make_sounds", SOUNDS / "make_sounds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def read(path: Path) -> tuple:
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        data = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    return params, data


def check_soft(name: str, data: array.array) -> None:
    peak = max(abs(s) for s in data)
    ms = RATE // 1000
    assert peak > 0, f"{name} is silent"
    assert peak <= FULL * 10 ** (-6 / 20), f"{name} peaks above -6 dBFS"
    assert abs(data[0]) <= 0.01 * peak, f"{name} starts with a click"
    assert max(abs(s) for s in data[: 20 * ms]) <= 0.5 * peak, f"{name} starts too suddenly"
    assert max(abs(s) for s in data[-ms:]) <= 0.02 * peak, f"{name} ends with a click"


def highpass_energy_share(data: array.array, hz: float) -> float:
    """Share of the energy above ``hz`` (a second-order Butterworth high-pass)."""
    w0 = 2 * math.pi * hz / RATE
    alpha = math.sin(w0) / (2 * 0.7071)
    c = math.cos(w0)
    a0 = 1 + alpha
    b0, b1, b2 = (1 + c) / 2 / a0, -(1 + c) / a0, (1 + c) / 2 / a0
    a1, a2 = -2 * c / a0, (1 - alpha) / a0
    x1 = x2 = y1 = y2 = 0.0
    high = total = 0.0
    for x in data:
        y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1, y2, y1 = x1, x, y1, y
        high += y * y
        total += x * x
    return high / total


def test_the_script_the_player_and_the_english_words_share_one_list():
    assert list(audio.SOUNDS) == ALL
    script = load_script()
    assert sorted(script.tone_specs()) == sorted(TONES)
    assert list(script.SPOKEN) == SPOKEN
    assert dict(texts.load("en").prompts) == script.SPOKEN  # the words come from en.toml
    assert len(set(ALL)) == len(ALL)
    assert all(prompts.is_spoken(n) for n in SPOKEN)
    assert not any(prompts.is_spoken(n) for n in TONES)


def test_every_sound_the_code_names_is_in_the_one_list():
    """A prompt named in the core or the packaged programs but missing from the list would have
    no words in any language and no file in any pack."""
    from calmkit.config import load_config
    from calmkit.core import cues, soundorder
    from calmkit.core.programs import expand

    named = set(cues.PHASE_SOUNDS.values()) | set(cues.UNSPOKEN) | set(cues.UNSPOKEN.values())
    named |= soundorder.ANSWERED_BY_A_PRESS
    config = load_config(None)
    for program in config.programs:
        plan = expand(program, config.programs)
        named |= {cues.sound_for(plan, i) for i in range(len(plan.steps))}
        named.add(f"name_{program}")
    named.discard(None)
    assert named <= set(ALL), sorted(named - set(ALL))


@pytest.mark.parametrize("name", ALL)
def test_every_sound_is_there_mono_22050_16_bit_and_soft(name):
    path = SOUNDS / f"{name}.wav"
    assert path.is_file(), f"{path} is missing: run `make sounds`"
    params, data = read(path)
    assert (params.nchannels, params.framerate, params.sampwidth) == (1, RATE, 2)
    assert params.comptype == "NONE"
    assert len(data) >= 0.1 * RATE
    check_soft(name, data)


@pytest.mark.parametrize("name", TONES)
def test_tones_are_warm_nothing_bright_above_2_khz(name):
    _params, data = read(SOUNDS / f"{name}.wav")
    assert highpass_energy_share(data, 2500.0) < 0.001


def test_chimes_and_bells_peak_near_minus_12_and_the_ticks_softer():
    def peak_db(name: str) -> float:
        return 20 * math.log10(max(abs(s) for s in read(SOUNDS / f"{name}.wav")[1]) / FULL)

    for name in ("chime_in", "chime_out", "bell_start", "bell_end"):
        assert -13 <= peak_db(name) <= -11, name
    for name in ("chime_hold", "tick", "bell_interval"):
        assert peak_db(name) <= -15, name


def test_the_folder_is_within_budget():
    total = sum(p.stat().st_size for p in SOUNDS.iterdir() if p.is_file())
    assert total < BUDGET_BYTES, f"sounds/ holds {total / 1024:.0f} KiB"


def test_tones_regenerate_as_committed_and_a_missing_espeak_is_said(tmp_path, monkeypatch, capsys):
    script = load_script()
    monkeypatch.setattr(script.shutil, "which", lambda _name: None)
    status = script.main(["--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert "espeak-ng is not installed" in err
    assert status == 1  # the spoken files are missing from tmp_path, not just stale
    assert sorted(p.stem for p in tmp_path.glob("*.wav")) == sorted(TONES)
    for name in TONES:
        new_params, new = read(tmp_path / f"{name}.wav")
        old_params, old = read(SOUNDS / f"{name}.wav")
        assert new_params == old_params, name
        # Same samples (a last-bit difference in a platform's libm may move one by 1 LSB).
        assert max(abs(a - b) for a, b in zip(new, old, strict=True)) <= 1, name


def test_without_espeak_spoken_files_already_there_are_kept(tmp_path, monkeypatch, capsys):
    script = load_script()
    monkeypatch.setattr(script.shutil, "which", lambda _name: None)
    monkeypatch.setattr(script, "tone_specs", lambda: {})  # speed: the tones are tested above
    for name in SPOKEN:
        shutil.copy(SOUNDS / f"{name}.wav", tmp_path)
    assert script.main(["--out", str(tmp_path)]) == 0
    assert f"{len(SPOKEN)} kept" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_prompts_come_out_in_the_packaged_format(tmp_path):
    script = load_script()
    (path,) = script.make_speech(tmp_path, shutil.which("espeak-ng"), names=["say_paused"])
    params, data = read(path)
    assert (params.nchannels, params.framerate, params.sampwidth) == (1, RATE, 2)
    check_soft(path.stem, data)
    peak_db = 20 * math.log10(max(abs(s) for s in data) / FULL)
    assert peak_db == pytest.approx(wavs.VOICE_DB, abs=0.1)
