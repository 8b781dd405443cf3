"""The "no audio device" hint names the real cause when the ALSA library itself is missing.

A fresh Debian image has no libasound: pygame's mixer then fails with "Failed loading
libasound.so.2", and "connect a speaker" would send the person the wrong way.
"""

from __future__ import annotations

import pygame
import pytest

from calmkit.shell.audio import Audio


@pytest.fixture
def failing_mixer(monkeypatch):
    def fail_with(message: str) -> None:
        def init(*args, **kwargs):
            raise pygame.error(message)

        monkeypatch.setattr(pygame.mixer, "get_init", lambda: None)
        monkeypatch.setattr(pygame.mixer, "init", init)

    return fail_with


def warning_for(message: str, failing_mixer) -> str:
    failing_mixer(message)
    warnings: list[str] = []
    audio = Audio(enabled=True, volume=0.5, fade_in_ms=400, voice=True, warn=warnings.append)
    assert audio.open() is False
    assert len(warnings) == 1
    return warnings[0]


def test_missing_libasound_says_install_alsa_utils(failing_mixer):
    text = warning_for(
        "ALSA: Failed loading libasound.so.2: libasound.so.2: cannot open shared object file",
        failing_mixer,
    )
    assert text.startswith("sound is off: no audio device (ALSA: Failed loading libasound.so.2")
    assert "apt-get install alsa-utils" in text
    assert "connect a speaker" not in text


def test_no_card_still_says_connect_a_speaker(failing_mixer):
    text = warning_for("ALSA: Couldn't open audio device: No such file or directory", failing_mixer)
    assert "connect a speaker" in text
    assert "alsa-utils" not in text
