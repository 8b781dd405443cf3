"""Lengths of time as a person reads them: one module, so that every face says a time alike.

Three formats, because a person reads three kinds of time, and each has one rounding rule:

- ``clock_text``: a point in a session or a length, "0:04", "8:24", "1:02:03" (the program list,
  the terminal's plain lines, a program's length, the preview's axis and title).
  **Rounded to the nearest second, a half up.** A phase that starts 3 ms late at 4 s says 0:04.
- ``countdown_text``: the time left in a step, "12 s" under a minute, then "1:05". **Rounded up
  to the next whole second.** A countdown says "1 s" until the phase changes and never "0 s"
  while time is left, as a kitchen timer does.
- ``elapsed_text``: how far a running session has come, "0:05 of 4:00". **Rounded down**, so that
  beside a countdown it always adds up: 5.6 s in, a hold ending at 8 s says "0:05" and "3 s".

All first forgive float noise below a microsecond (a sum of step lengths such as 0.1 + 0.2 lands a
hair off the second it means), and all show nothing below zero.
"""

from __future__ import annotations

import math

#: Float noise below this (seconds) is forgiven before rounding.
NOISE_S = 1e-6


def clock_text(seconds: float) -> str:
    """m:ss, or h:mm:ss from an hour on; rounded to the nearest second, a half up."""
    return _clock(math.floor(seconds + 0.5 + NOISE_S))


def elapsed_text(seconds: float) -> str:
    """m:ss of a running session; rounded down, so elapsed + countdown_text(left) add up."""
    return _clock(math.floor(seconds + NOISE_S))


def countdown_text(seconds: float) -> str:
    """The time left: "12 s" under a minute, else m:ss (h:mm:ss); rounded up to whole seconds."""
    whole = max(0, math.ceil(seconds - NOISE_S))
    return f"{whole} s" if whole < 60 else _clock(whole)


def _clock(whole: int) -> str:
    hours, rest = divmod(max(0, whole), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
