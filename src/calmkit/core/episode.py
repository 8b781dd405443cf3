"""Episodes: what one press set going, as one journal line, and when reach-out speaks.

An *episode* is the program, any "not helping" fallbacks, quiet time, and the answer to "did that
help?". The flow builds it in an ``EpisodeDraft`` while its sessions run and finishes it into an
``Episode`` when the person answers (or does not). Reach-out counts the episodes of the last hours
and speaks once, when their number reaches the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from calmkit.core.session import COMPLETED, Session

#: The answers to "did that help?" (no answer: unknown).
YES, NO, UNKNOWN = "yes", "no", "unknown"
#: Episodes shorter than this (active seconds) are accidental starts: they do not count towards
#: reach-out.
REACH_OUT_MIN_S = 10.0


@dataclass(frozen=True)
class Episode:
    """One journal line: what a press set going, and how it went."""

    started: datetime
    programs: tuple[str, ...]
    planned_s: float
    actual_s: float
    status: str
    pauses: int = 0
    items: int = 0
    squeeze_s: float = 0.0
    helped: str = UNKNOWN
    #: "unsynced" when the wall clock was not known to be right as it started (no RTC, no NTP)
    clock: str | None = None
    #: the programs started, in order (a chain is its first), and those left with "not helping"
    tried: tuple[str, ...] = ()
    not_helping: tuple[str, ...] = ()
    #: the battery's level (percent) as it started and ended; None: no gauge, or no reading
    battery_start: float | None = None
    battery_end: float | None = None

    def to_record(self) -> dict[str, Any]:
        clock = {"clock": self.clock} if self.clock else {}
        paths = {"tried": list(self.tried)} if self.tried else {}
        if self.not_helping:
            paths["not_helping"] = list(self.not_helping)
        battery = {
            name: round(value, 1)
            for name, value in (
                ("battery_start", self.battery_start),
                ("battery_end", self.battery_end),
            )
            if value is not None
        }
        return {
            "start": self.started.isoformat(timespec="seconds"),
            "programs": list(self.programs),
            "planned_s": round(self.planned_s, 1),
            "actual_s": round(self.actual_s, 1),
            "status": self.status,
            "pauses": self.pauses,
            "items": self.items,
            "squeeze_s": round(self.squeeze_s, 1),
            "helped": self.helped,
            **clock,
            **paths,
            **battery,
        }


@dataclass
class EpisodeDraft:
    """The episode being built while its sessions run."""

    started: datetime
    #: Episode.clock: "unsynced" when the wall clock was not known to be right at the start
    clock: str | None = None
    programs: list[str] = field(default_factory=list)
    planned_s: float = 0.0
    actual_s: float = 0.0
    status: str = COMPLETED
    pauses: int = 0
    items: int = 0
    squeeze_s: float = 0.0
    tried: list[str] = field(default_factory=list)
    not_helping: list[str] = field(default_factory=list)
    battery_start: float | None = None
    battery_end: float | None = None

    def add(self, session: Session) -> None:
        """Close a session into the episode: the programs that ran, its times and counts."""
        for planned in session.plan.steps[: session.index + 1]:  # only programs that ran
            if planned.program not in self.programs[-1:]:
                self.programs.append(planned.program)
        self.planned_s += session.plan.total_s
        self.actual_s += session.active_s()
        self.pauses += session.pauses
        self.items += session.items_counted
        self.status = session.status or COMPLETED

    def add_squeeze(self, began: float, ended: float) -> None:
        """A squeeze held from clock time ``began`` to ``ended`` (never negative)."""
        self.squeeze_s += max(0.0, ended - began)

    def finish(self, helped: str) -> Episode:
        return Episode(
            self.started,
            tuple(self.programs),
            self.planned_s,
            self.actual_s,
            self.status,
            self.pauses,
            self.items,
            self.squeeze_s,
            helped,
            self.clock,
            tuple(self.tried),
            tuple(self.not_helping),
            self.battery_start,
            self.battery_end,
        )

    def interrupted(self, session: Session | None) -> Episode:
        """The episode as the journal would keep it if the power went now (the draft is kept)."""
        snapshot = replace(
            self,
            programs=list(self.programs),
            tried=list(self.tried),
            not_helping=list(self.not_helping),
        )
        if session is not None:
            snapshot.add(session)
        snapshot.status = "interrupted"
        return snapshot.finish(UNKNOWN)


def reach_out_due(
    starts: Sequence[datetime], now: datetime, sessions: int, within_hours: float
) -> bool:
    """Whether sessions have piled up: at least ``sessions`` started within the last hours.

    Starts after ``now`` (the wall clock was set back) are not counted.
    """
    since = now - timedelta(hours=within_hours)
    return sum(1 for s in starts if since <= s <= now) >= sessions


def reach_out_crossed(
    before: Sequence[datetime], latest: datetime, now: datetime, sessions: int, within_hours: float
) -> bool:
    """Whether the episode that started at ``latest`` is the one that reaches the threshold.

    Reach-out speaks once, when the count crosses it, not after every session from then on;
    ``before`` are the other counted starts.
    """
    return reach_out_due([*before, latest], now, sessions, within_hours) and not reach_out_due(
        before, now, sessions, within_hours
    )


@dataclass(frozen=True)
class Tally:
    """The starts reach-out keeps after an episode, and whether that episode crossed the line."""

    starts: tuple[datetime, ...]
    crossed: bool


def tally(
    starts: Sequence[datetime],
    episode: Episode,
    now: datetime,
    sessions: int,
    within_hours: float,
    demo: bool = False,
) -> Tally:
    """Count ``episode`` towards reach-out, unless it is a demo or an accidental start.

    Only the starts within the window are kept, so what the flow carries stays small.
    """
    counts = not demo and episode.actual_s >= REACH_OUT_MIN_S
    since = now - timedelta(hours=within_hours)
    before = [s for s in starts if s >= since]
    kept = (*before, episode.started) if counts else tuple(before)
    crossed = counts and reach_out_crossed(before, episode.started, now, sessions, within_hours)
    return Tally(kept, crossed)
