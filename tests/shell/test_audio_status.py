"""What a face may say of the sound: Audio.status, from what the mixer really did."""

from __future__ import annotations

import pytest

from calmkit.shell.audio import Audio

pygame = pytest.importorskip("pygame")


def audio(enabled: bool = True) -> Audio:
    return Audio(enabled=enabled, volume=0.5, fade_in_ms=0, voice=True, warn=lambda _: None)


def test_sound_turned_off_says_off():
    assert audio(enabled=False).status == "off"


def test_no_audio_device_says_no_device_and_a_working_one_says_on(monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "calmkit-no-such-driver")
    missing = audio()
    assert missing.status == "on"  # not tried yet: nothing known against it
    assert missing.open() is False
    assert missing.status == "no_device"
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    working = audio()
    assert working.open() is True and working.status == "on"
    working.suspend()  # the card let go of until the next sound: still on
    assert working.status == "on"
    working.close()
