"""What the core tells the faces: an event, and the names of its kinds.

The kinds are an enum of ``str`` so ``--events`` prints them as the plain words they are, and
every module that emits or reads them uses the names, never a hand-written literal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """Every kind of event a session, the flow or the runner reports."""

    SESSION_START = "session_start"
    PHASE = "phase"
    PAUSE = "pause"
    RESUME = "resume"
    ITEM = "item"
    SESSION_END = "session_end"
    NOT_HELPING = "not_helping"
    STATE = "state"
    SELECTED = "selected"
    EPISODE_END = "episode_end"
    REACH_OUT = "reach_out"
    SOUND = "sound"
    MUTE = "mute"
    SAFETY_PLAN = "safety_plan"
    BATTERY = "battery"


@dataclass(frozen=True)
class Event:
    """Something that happened in a session, ``t`` seconds after it started.

    ``t`` is measured on the session's clock when the event is handled, so on the real clock it
    shows any lateness honestly; ``due`` is when it was scheduled.
    """

    kind: EventKind
    t: float
    due: float | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``--events`` prints: t to the millisecond, then the kind's fields."""
        return {"t": round(self.t, 3), "event": self.kind, **self.data}
