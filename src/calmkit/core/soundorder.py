"""The order of sounds: one line on which voices and bells wait their turn, so nothing talks
over anything.

Pure: it knows each sound's length (data, read from the files by the shell) and the clock's time,
and decides when each sound starts; it plays nothing. The runner asks it and plays what it says.

- A voice (``say_*``, ``name_*``) or a bell (any other sound that is not a cue) waits until
  nothing is sounding and every sound asked for before it has had its turn.
- A cue (``chime_*``, ``tick``: the mark of a phase or of a press) is on time or not at all: it
  starts at once when nothing is sounding, goes ahead of the voices still waiting (they wait for
  it), and is left out when a voice or a bell is sounding (the light and the motor still mark the
  phase). So a chime is never cut or covered by speech, and speech never starts over a chime.
- A prompt that asks the person something ("paused", "press once for some quiet time", "did that
  help?", a program's name) and is still waiting when they press is dropped: they have answered.
- A name with no length (no file, the voice off) is silence: nothing is put on the line.

Each sound holds the line GAP_S beyond its end: a sound card starts a sound at its next buffer
after it is asked (23 ms here), so two sounds asked back to back could share a buffer, and the
card's clock is not the system's. Rendered through SDL's disk driver, a voice asked for exactly
at the bell's end began 6 ms before the bell's last sample (bench/session_audio.py --end).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

CUE_PREFIXES = ("chime_",)
CUES = frozenset({"tick"})
#: The pause after each sound before the next may start (see the module text).
GAP_S = 0.1
#: Prompts that a press answers: still waiting when the person presses, they are not said.
ANSWERED_BY_A_PRESS = frozenset({"say_paused", "say_quiet_offer", "say_did_it_help"})


def is_cue(name: str) -> bool:
    """A phase's or a press's mark: on time or not at all."""
    return name in CUES or name.startswith(CUE_PREFIXES)


def answered_by_a_press(name: str) -> bool:
    return name in ANSWERED_BY_A_PRESS or name.startswith("name_")


@dataclass(frozen=True)
class Sound:
    """One sound as it starts: its name, clock time and length in seconds."""

    name: str
    start: float
    length_s: float

    @property
    def end(self) -> float:
        return self.start + self.length_s


class SoundLine:
    """When each sound may start; see the module text."""

    def __init__(self, lengths: Mapping[str, float]) -> None:
        self.lengths = {name: float(s) for name, s in lengths.items() if s > 0}
        self._sounding_until = -math.inf  # the end of the last sound started
        self._waiting: list[str] = []  # voices and bells in turn, not yet started

    def length(self, name: str) -> float:
        return self.lengths.get(name, 0.0)

    def ask(self, name: str, now: float) -> list[Sound]:
        """Ask for ``name`` at ``now``: a cue that starts now, or nothing.

        A voice or a bell only takes its place in the queue: call due() once everything asked
        for at this moment has been asked, so that a cue asked for at the same moment (the tick
        of the press that ended a prompt, before the next prompt's voice) goes first.
        """
        length = self.length(name)
        if length <= 0:
            return []
        if is_cue(name):
            if now < self._sounding_until:
                return []  # something is sounding: a late cue would mark the wrong moment
            return [self._start(name, now, length)]
        self._waiting.append(name)
        return []

    def due(self, now: float) -> list[Sound]:
        """The waiting sounds whose turn has come at ``now``, started."""
        started: list[Sound] = []
        while self._waiting and now >= self._sounding_until:
            name = self._waiting.pop(0)
            started.append(self._start(name, now, self.length(name)))
        return started

    def _start(self, name: str, now: float, length: float) -> Sound:
        sound = Sound(name, now, length)
        self._sounding_until = sound.end + GAP_S
        return sound

    def pressed(self) -> None:
        """The person pressed: prompts still waiting are answered, and not said."""
        self._waiting = [n for n in self._waiting if not answered_by_a_press(n)]

    def clear(self) -> None:
        """Everything stopped (mute, stop): nothing sounds and nothing waits."""
        self._waiting.clear()
        self._sounding_until = -math.inf

    def next_deadline(self) -> float | None:
        """When the next waiting sound starts (None: nothing waits)."""
        return self._sounding_until if self._waiting else None

    def quiet_at(self) -> float | None:
        """When everything asked for so far will have finished (None: nothing ever sounded)."""
        if self._sounding_until == -math.inf and not self._waiting:
            return None
        return self._sounding_until + sum(self.length(n) + GAP_S for n in self._waiting)
