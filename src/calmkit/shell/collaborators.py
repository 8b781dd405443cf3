"""What the runner calls on its collaborators: the sound, the journal and systemd's notifier.

Each is a Protocol of exactly the calls the runner (and its chores) make, so that a test's
stand-in, or a new kind of sound or store, knows what it must offer: shell.audio.Audio,
shell.journal.Journal and shell.service.Notifier are the real ones. Every one is optional
(None): a virtual run has no sound, ``--fast`` no journal, a box outside systemd no notifier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class SoundCard(Protocol):
    """The sound card's side (shell.audio.Audio)."""

    def play(self, name: str, volume_cap: float = 1.0) -> None:
        """Start ``name`` at most at ``volume_cap``, fading in; never raises."""

    def stop(self) -> None:
        """Fade out everything playing."""

    def busy(self) -> bool:
        """Whether anything is still playing."""

    def suspend(self) -> None:
        """Let go of the sound card until the next play()."""


class EpisodeStore(Protocol):
    """The journal's side (shell.journal.Journal): what one episode leaves behind."""

    def checkpoint(self, record: Mapping[str, Any]) -> bool:
        """Save the episode in flight (a crash leaves it recoverable)."""

    def append(self, record: Mapping[str, Any]) -> bool:
        """Write an episode's final record, over its checkpoint."""

    def flush(self) -> bool:
        """Write whatever a full disk held back."""


class Watchdog(Protocol):
    """systemd's watchdog (shell.service.Notifier), pinged on the runner's clock."""

    def next_watchdog(self) -> float | None:
        """When the next ping is due; None when there is no watchdog."""

    def watchdog_due(self, now: float) -> bool: ...

    def ping_watchdog(self, now: float) -> None: ...
