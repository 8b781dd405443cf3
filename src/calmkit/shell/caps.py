"""The caps a frame is drawn under: the caps wanted, looked up at most once a second, faded to.

The caps wanted (the day's limits, lowered at night and on an untrusted clock: app.caps_for)
change only with the hour, so the runner asks at most once a second, not every frame. What
applies fades to them (core.cues.CapsFade), so the light never steps within a frame; a dark
lamp has nothing to fade and takes new caps at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from calmkit.core.cues import Caps, CapsFade

#: How often the caps wanted are asked for.
LOOKUP_EVERY_S = 1.0


class CapsLookup:
    """``at(t)``: the caps that apply at clock time ``t`` (t never goes back)."""

    def __init__(self, wanted: Callable[[], Caps], dark: Callable[[], bool]) -> None:
        self.wanted = wanted
        self.dark = dark  # whether the lamp shows nothing now: then no fade
        self._fade = CapsFade()
        self._until = -math.inf
        self.fade_at = self._fade.at  # the caps along a fade, without a lookup

    def at(self, now: float) -> Caps:
        if now >= self._until:
            self._fade.aim(self.wanted(), now, at_once=self.dark())
            self._until = now + LOOKUP_EVERY_S
        return self._fade.at(now)

    def fading(self, t: float) -> bool:
        """Whether the caps still move at ``t`` (frames worked out ahead then each ask fade_at)."""
        return self._fade.fading(t)
