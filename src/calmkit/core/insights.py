"""What the journal says helped: each episode's answer credited to its programs, and the report's
figures folded in one record at a time (100,000 sessions never sit in memory at once).

Credit: the program the person stayed with (the last one tried that was not quiet time and not
left with "not helping") gets the episode's answer to "did that help?"; a program left with
"not helping" counts as a "no" for it. Episodes written before calmkit kept ``tried`` and
``not_helping`` credit their answer to the first program they ran.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from calmkit.core.episode import NO, REACH_OUT_MIN_S, UNKNOWN, YES

#: The program a quiet offer starts (as flow.QUIET_PROGRAM; the flow imports this module).
QUIET = "quiet"
#: The longest a journal line may claim (as the journal's own limit): more counts as nothing.
MAX_RECORD_S = 24 * 3600.0
#: The length buckets of the report, in minutes: [low, high).
LENGTH_BINS: tuple[tuple[float, float], ...] = (
    (0, 1),
    (1, 3),
    (3, 5),
    (5, 10),
    (10, 20),
    (20, 24 * 60),
)
#: How many reach-out moments the report lists (the count covers them all).
REACH_OUT_SHOWN = 10
#: Where each answer is counted in Report.tallies.
PARTS = {YES: 0, NO: 1, UNKNOWN: 2}
#: Below this many episodes the report says it is too early to see a pattern.
FEW = 5


@dataclass(frozen=True)
class Counts:
    """How a program went: yes / no / no answer, as counts."""

    yes: int = 0
    no: int = 0
    unknown: int = 0

    @property
    def tried(self) -> int:
        return self.yes + self.no + self.unknown

    def plus(self, answer: str, n: int = 1) -> Counts:
        if answer == YES:
            return Counts(self.yes + n, self.no, self.unknown)
        if answer == NO:
            return Counts(self.yes, self.no + n, self.unknown)
        return Counts(self.yes, self.no, self.unknown + n)


def seconds(value: Any) -> float:
    """A length from a record: a finite number from 0 to a day, anything else 0."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            return 0.0
        return number if 0.0 <= number <= MAX_RECORD_S else 0.0
    return 0.0


def _names(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def tried(record: Mapping[str, Any]) -> list[str]:
    """The programs an episode ran, as started (a chain is its first program), in order."""
    names = _names(record.get("tried"))
    if names:
        return names
    programs = _names(record.get("programs"))
    return programs[:1] + ([QUIET] if QUIET in programs[1:] else [])


def left(record: Mapping[str, Any]) -> list[str]:
    """The programs the person left with "not helping"."""
    return _names(record.get("not_helping"))


def answer(record: Mapping[str, Any]) -> str:
    value = record.get("helped")
    return value if value in (YES, NO) else UNKNOWN


def outcomes(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(program, yes / no / unknown) for each program this episode gives credit to."""
    return credit(tried(record), left(record), answer(record))


def credit(names: Sequence[str], gone: Sequence[str], said: str) -> list[tuple[str, str]]:
    """outcomes() from what an episode tried, what it left and its answer."""
    out = [(name, NO) for name in dict.fromkeys(gone) if name != QUIET]
    stayed = [n for n in names if n != QUIET and n not in gone]
    if stayed:
        out.append((stayed[-1], said))
    return out


def add_outcomes(
    into: dict[str, Counts], record: Mapping[str, Any], n: int = 1
) -> dict[str, Counts]:
    """Count ``record``'s credit (``n`` times: an aggregate row stands for n episodes) in place."""
    for name, said in outcomes(record):
        into[name] = into.get(name, Counts()).plus(said, n)
    return into


def helped_text(name: str, counts: Counts) -> str:
    """ "sigh helped 7 of 9 times" (with how many were not answered)."""
    times = "time" if counts.tried == 1 else "times"
    text = f"{name} helped {counts.yes} of {counts.tried} {times}"
    if counts.unknown:
        text += f" ({counts.unknown} not answered)"
    return text


@dataclass
class Report:
    """The report's figures, folded in by add(); the sentences come from sentences()."""

    reach_out_sessions: int = 4
    reach_out_within_h: float = 24.0
    episodes: int = 0
    demos: int = 0
    undated: int = 0
    minutes: float = 0.0
    first: date | None = None
    last: date | None = None
    weeks: Counter[date] = field(default_factory=Counter)
    #: [weekday 0 = Monday][hour]
    heat: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    #: program -> [yes, no, unknown] (counted in lists: a frozen Counts per record is slow)
    tallies: dict[str, list[int]] = field(default_factory=dict)
    answers: Counter[str] = field(default_factory=Counter)
    lengths: list[int] = field(default_factory=lambda: [0] * len(LENGTH_BINS))
    paths: Counter[str] = field(default_factory=Counter)
    quiet: int = 0
    reach_outs: int = 0
    reach_out_moments: deque[datetime] = field(
        default_factory=lambda: deque(maxlen=REACH_OUT_SHOWN)
    )
    _window: deque[datetime] = field(default_factory=deque)

    def add(self, record: Mapping[str, Any], local: datetime | None) -> None:
        """One record, with its start in local time (None: the record has no readable start).

        Records come oldest first (reach-out moments are replayed in order).
        """
        if record.get("demo") is True:
            self.demos += 1
            return
        if local is None:
            self.undated += 1
            return
        self.episodes += 1
        length = seconds(record.get("actual_s"))
        self.minutes += length / 60.0
        day = local.date()
        self.first = day if self.first is None or day < self.first else self.first
        self.last = day if self.last is None or day > self.last else self.last
        self.weeks[day - timedelta(days=day.weekday())] += 1
        self.heat[local.weekday()][local.hour] += 1
        names = tried(record)
        gone = left(record)
        said = answer(record)
        for name, part in credit(names, gone, said):
            tally = self.tallies.setdefault(name, [0, 0, 0])
            tally[PARTS[part]] += 1
        self.answers[said] += 1
        for index, (low, high) in enumerate(LENGTH_BINS):
            if low <= length / 60.0 < high:
                self.lengths[index] += 1
                break
        if gone:  # the path "not helping" took; "end" when the last one was left too
            ended = names[-1:] == gone[-1:]
            self.paths[" → ".join([*names, "end"] if ended else names)] += 1
        if QUIET in names:
            self.quiet += 1
        self._reach_out(local, length)

    def _reach_out(self, local: datetime, length: float) -> None:
        """Replay reach-out's rule: a moment is when the count within the hours reaches it."""
        if length < REACH_OUT_MIN_S:
            return
        since = local - timedelta(hours=self.reach_out_within_h)
        while self._window and self._window[0] < since:
            self._window.popleft()
        self._window.append(local)
        if len(self._window) == self.reach_out_sessions:
            self.reach_outs += 1
            self.reach_out_moments.append(local)

    @property
    def programs(self) -> dict[str, Counts]:
        """Per program: yes / no / no answer."""
        return {name: Counts(*tally) for name, tally in self.tallies.items()}

    @property
    def hours(self) -> list[int]:
        return [sum(day[hour] for day in self.heat) for hour in range(24)]

    def sentences(self) -> list[str]:
        """The plain sentences at the top of the report, from the person's own data."""
        if self.episodes == 0:
            return ["There are no sessions in the journal for this period yet."]
        out = [
            f"{self.episodes} session{'s' if self.episodes != 1 else ''} from "
            f"{_day(self.first)} to {_day(self.last)}, {self.minutes:.0f} minutes in all."
        ]
        if self.episodes < FEW:
            out.append("That is too few to see a pattern yet.")
        busiest = busiest_hours(self.hours)
        if busiest is not None and self.episodes >= FEW:
            first_hour, span, share = busiest
            out.append(
                f"Most sessions ({share:.0%}) were between {first_hour:02d}:00 and "
                f"{(first_hour + span) % 24:02d}:00."
            )
        elif self.episodes >= FEW:
            hours = self.hours
            peak = max(range(24), key=lambda h: (hours[h], -h))
            out.append(
                f"Sessions were spread through the day; the most began between {peak:02d}:00 "
                f"and {(peak + 1) % 24:02d}:00."
            )
        ranked = sorted(self.programs.items(), key=lambda kv: (-kv[1].tried, kv[0]))[:4]
        if ranked:
            parts = [helped_text(name, counts) for name, counts in ranked]
            out.append("; ".join(parts) + ".")
        if self.paths:
            total = sum(self.paths.values())
            out.append(
                f'"Not helping" moved on to another program {total} '
                f"time{'s' if total != 1 else ''}; the most common path: "
                f"{self.paths.most_common(1)[0][0]}."
            )
        if self.quiet:
            out.append(f"Quiet time was taken after {self.quiet} of {self.episodes} sessions.")
        if self.reach_outs:
            times = "Once" if self.reach_outs == 1 else f"{self.reach_outs} times"
            out.append(
                f"{times} sessions piled up "
                f"({self.reach_out_sessions} within {self.reach_out_within_h:g} hours): a moment "
                "to talk to someone you trust, or a doctor or counsellor."
            )
        return out


def _day(day: date | None) -> str:
    return "?" if day is None else day.strftime("%d %b %Y").lstrip("0")


def busiest_hours(hours: Sequence[int], most: int = 6) -> tuple[int, int, float] | None:
    """The shortest run of hours (wrapping midnight, at most ``most``) holding over half the
    sessions: (first hour, how many hours, share); None when no such run exists."""
    total = sum(hours)
    if total == 0:
        return None
    for span in range(1, most + 1):
        best = max(range(24), key=lambda h: (sum(hours[(h + k) % 24] for k in range(span)), -h))
        count = sum(hours[(best + k) % 24] for k in range(span))
        if count * 2 > total:
            return best, span, count / total
    return None


def fold(records: Iterable[tuple[Mapping[str, Any], datetime | None]], **settings: Any) -> Report:
    """A Report of (record, local start) pairs, oldest first."""
    report = Report(**settings)
    for record, local in records:
        report.add(record, local)
    return report
