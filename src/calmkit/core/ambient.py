"""The light outside a session: the glow that says "heard you", menu pulses, fades, "did it help?".

In a session the light follows the breath (cues.LightTrack); before and after one it is quiet and
dim, and it never jumps: a stopped session fades from where it was, the quiet offer lets the light
go over its grace time, the question breathes slowly. Levels are perceptual, before the caps and
gamma the hardware applies; times are clock seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The faint glow while the button is down in idle: the device has heard you.
ACK_LEVEL = 0.08
#: Where the light rests while waiting for "did that help?", breathing slowly (every 4 s).
ASK_LEVEL = 0.12
ASK_PERIOD_S = 4.0
#: Program numbers shown as slow pulses, one a second (well under the 3 Hz limit).
MENU_LEVEL = 0.35
MENU_PULSE_S = 1.0
#: Light fading out when a session is stopped or the device goes back to idle.
FADE_S = 1.5


@dataclass(frozen=True)
class Fade:
    """The light going out from ``start`` (a level) over FADE_S, from clock time ``at``."""

    start: float = 0.0
    at: float | None = None  # None: nothing is fading

    def level(self, now: float) -> float:
        if self.at is None:
            return 0.0
        x = (now - self.at) / FADE_S
        return self.start * max(0.0, 1.0 - x) ** 2 if x < 1 else 0.0

    def moving(self, now: float) -> bool:
        return self.at is not None and now < self.at + FADE_S


def offer_level(start: float, elapsed: float, grace_s: float) -> float:
    """The quiet offer: the light the session left goes out over the grace time."""
    x = elapsed / max(grace_s, 1e-9)
    return start * max(0.0, 1.0 - x)


def ask_level(elapsed: float) -> float:
    """While asking "did that help?": a slow breath up to ASK_LEVEL and back, every ASK_PERIOD_S."""
    return ASK_LEVEL * math.sin(math.pi * elapsed / ASK_PERIOD_S) ** 2


def menu_end(shown_at: float, number: int) -> float:
    """When the pulses that show program ``number`` are over (one pulse a number)."""
    return shown_at + number * MENU_PULSE_S


def menu_level(elapsed: float) -> float:
    """The program number's pulses: one soft rise and fall each MENU_PULSE_S."""
    x = (elapsed % MENU_PULSE_S) / MENU_PULSE_S
    return MENU_LEVEL * math.sin(math.pi * x) ** 2
