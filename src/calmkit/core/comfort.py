"""Comfort: the vibration is on at most 40 % of any 10 s, and never on for long in one go.

Skin numbs under a constant buzz, and a motor that keeps going at 3 a.m. is no comfort. Where
safety.py checks a plan's light before it runs, this guards what is really written to a motor
or a haptic driver, as it is written, whatever made it (a built-in program, a custom one, fast
presses in grounding, a battery notice): a program cannot be written that breaks it.

The guard is asked at every write whether the vibration may be on. Between two writes the
amplitude stays as written, for at most ``margin_s`` while on (the longest steady touch of a
pattern, see haptics.longest_steady_s, and a frame's length): so it lets a write turn or keep
the vibration on only if, even held for ``margin_s`` more, no 10 s window would hold more than
4 s of vibration and no stretch more than MAX_ON_S. When it says no, the device gets 0 and
rests (REST_S at least after a stretch it cut).

Pure core: standard library only; time is handed in.
"""

from __future__ import annotations

from collections import deque

#: At most MAX_SHARE of any WINDOW_S has the vibration on.
MAX_SHARE = 0.4
WINDOW_S = 10.0
#: The longest one stretch of vibration may last, and the rest after a stretch cut short.
MAX_ON_S = 2.5
REST_S = 0.5
#: The longest a pattern holds one amplitude while on (the hold's soft long code, haptics.CODES).
STEADY_S = 0.6
#: The default margin: that, and a frame at 10 a second (the runner's frames are faster; app.build
#: gives the guard the frame of the configured light.fps).
MARGIN_S = STEADY_S + 0.1


class ComfortGuard:
    """The vibration's stretches in the last WINDOW_S, and whether it may be on now."""

    def __init__(
        self,
        margin_s: float = MARGIN_S,
        share: float = MAX_SHARE,
        window_s: float = WINDOW_S,
        max_on_s: float = MAX_ON_S,
    ) -> None:
        self.margin_s = margin_s
        self.budget_s = share * window_s
        self.window_s = window_s
        self.max_on_s = max_on_s
        self._done: deque[tuple[float, float]] = deque()  # finished stretches (start, end)
        self._on_since: float | None = None
        self._rest_until = float("-inf")
        self.cuts = 0  # how many times it said no to a vibration that was asked for

    def used(self, now: float) -> float:
        """Seconds of vibration in the WINDOW_S up to ``now``, the stretch under way included."""
        since = now - self.window_s
        while self._done and self._done[0][1] <= since:
            self._done.popleft()
        used = sum(end - max(start, since) for start, end in self._done)
        if self._on_since is not None:
            used += now - max(self._on_since, since)
        return used

    def allow(self, now: float, on: bool) -> bool:
        """Whether the vibration may be ``on`` from ``now`` (until the next write); a write of
        nothing is always allowed, and ends the stretch under way."""
        if not on:
            self._stop(now)
            return True
        running = self._on_since is not None
        stretch = now - self._on_since if self._on_since is not None else 0.0
        fits = (
            self.used(now) + self.margin_s <= self.budget_s + 1e-9
            and stretch + self.margin_s <= self.max_on_s + 1e-9
            and (running or now >= self._rest_until)
        )
        if not fits:
            self.cuts += 1
            if running:
                self._stop(now)
                self._rest_until = now + REST_S
            return False
        if not running:
            self._on_since = now
        return True

    def _stop(self, now: float) -> None:
        if self._on_since is not None:
            self._done.append((self._on_since, now))
            self._on_since = None


def on_share(stretches: list[tuple[float, float]], window_s: float = WINDOW_S) -> float:
    """The most vibration in any window of ``window_s``, as seconds, over stretches (start,
    end) in order: the check of the rule on what a device received. The worst window ends
    where a stretch ends, so only those ends are tried."""
    worst = 0.0
    for _, end in stretches:
        since = end - window_s
        held = sum(min(e, end) - max(s, since) for s, e in stretches if e > since and s < end)
        worst = max(worst, held)
    return worst
