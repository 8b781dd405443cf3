"""What the journal says helped, read for the report and for adaptive, without reading it whole.

Adaptive's counts come from one aggregate query over the most recent RECENT episodes (found
through the index on the start, newest first): SQLite groups them by what they tried, what was
left with "not helping", the answer and night or day, so a start with 100,000 sessions reads a
thousand rows and gets a few dozen back, never the whole journal (the design: a 512 MB Pi). The
report streams the records one at a time into core.insights.Report.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping
from datetime import datetime, time
from typing import Any

from calmkit.core.adaptive import Learner
from calmkit.core.insights import QUIET, Report
from calmkit.shell.journal import Journal, start_time

#: Adaptive counts the most recent episodes only: what helps now, and a start that reads at most
#: this many rows (newest first, through the index on the start) however long the journal is.
RECENT = 1000
#: Adaptive's counts, grouped in SQLite. ``:start`` and ``:end`` are the night window in minutes
#: after midnight; an episode whose clock was unsynced (or has no start) counts as night.
COUNTS_SQL = f"""
SELECT tried, not_helping, first, quiet, helped, night, COUNT(*) FROM (
    SELECT
        json_extract(record, '$.tried') AS tried,
        json_extract(record, '$.not_helping') AS not_helping,
        json_extract(record, '$.programs[0]') AS first,
        instr(json_extract(record, '$.programs'), '"{QUIET}"') > 0 AS quiet,
        json_extract(record, '$.helped') AS helped,
        CASE
            WHEN t IS NULL OR json_extract(record, '$.clock') = 'unsynced' THEN 1
            WHEN :start < :end THEN minute >= :start AND minute < :end
            WHEN :start > :end THEN minute >= :start OR minute < :end
            ELSE 0
        END AS night
    FROM (
        SELECT record, t,
            CAST(strftime('%H', t, 'unixepoch', 'localtime') AS INTEGER) * 60
            + CAST(strftime('%M', t, 'unixepoch', 'localtime') AS INTEGER) AS minute
        FROM episodes WHERE inflight = 0 AND demo = 0 ORDER BY t DESC LIMIT :recent
    )
)
GROUP BY tried, not_helping, first, quiet, helped, night
"""


def _list(text: Any) -> list[str] | None:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def fill(learner: Learner, journal: Journal, night_start: time, night_end: time) -> Learner:
    """Count the journal's episodes into ``learner``, through one aggregate query."""
    params = {"start": _minutes(night_start), "end": _minutes(night_end), "recent": RECENT}
    for tried, left, first, quiet, helped, night, n in journal.query(COUNTS_SQL, params):
        record: dict[str, Any] = {"helped": helped}
        names = _list(tried)
        if names:
            record["tried"] = names
        else:
            record["programs"] = ([first] if isinstance(first, str) else []) + (
                [QUIET] if quiet else []
            )
        gone = _list(left)
        if gone:
            record["not_helping"] = gone
        learner.add(record, bool(night), int(n))
    return learner


def local_records(
    journal: Journal, since: datetime | None = None
) -> Iterator[tuple[Mapping[str, Any], datetime | None]]:
    """(record, its start in local time) in start order, one at a time."""
    for record in journal.stream(since):
        started = start_time(record)
        local = None
        if started is not None:
            try:
                local = started.astimezone()
            except (ValueError, OverflowError, OSError):
                local = None
        yield record, local


def report(
    journal: Journal, since: datetime | None, reach_out_sessions: int, within_hours: float
) -> Report:
    """The report's figures from the journal (from ``since``; None: all of it)."""
    folded = Report(reach_out_sessions=reach_out_sessions, reach_out_within_h=within_hours)
    for record, local in local_records(journal, since):
        folded.add(record, local)
    return folded


def open_journal(config: Any) -> Journal:
    """The configured journal, for reading (Journal.odd_file() says when it is not a file)."""
    from calmkit.shell.app import journal_path

    return Journal(journal_path(config))


def suggestion(config: Any, rng: random.Random | None = None) -> str:
    """`calmkit suggest`: what a press would start now, and why, in one line."""
    from calmkit.core.clock import MonotonicClock
    from calmkit.core.flow import Flow
    from calmkit.shell import timesync
    from calmkit.shell.app import flow_settings

    flow = Flow(config.programs, MonotonicClock(timesync.synchronised), flow_settings(config))
    if not config.adaptive.enabled:
        return (
            f"{flow.why_selected()} (adaptive is off: `adaptive: enabled: true` in the config "
            "lets a press follow what helped)"
        )
    journal = open_journal(config) if config.journal.enabled else None
    flow.use_learner(learner_for(flow, journal, rng))
    return flow.why_selected()


def learner_for(flow: Any, journal: Journal | None, rng: random.Random | None = None) -> Learner:
    """A flow's learner, filled from the journal (empty without one)."""
    learner = flow.new_learner(rng or random.Random())
    if journal is not None:
        fill(learner, journal, flow.settings.night_start, flow.settings.night_end)
    return learner
