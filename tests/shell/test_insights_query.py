"""Reading what helped from the journal: adaptive's aggregate query, the report's stream."""

import random
from datetime import datetime, time, timedelta

import pytest

from calmkit.core.adaptive import AdaptiveConfig, Learner
from calmkit.shell import insights
from calmkit.shell.insights import fill, report
from calmkit.shell.journal import Journal

NIGHT = (time(21, 0), time(7, 0))
MENU = ("calm", "sigh", "box", "ground")


def rec(start, tried, helped, left=(), **more):
    record = {
        "start": start.isoformat(timespec="seconds"),
        "programs": list(tried),
        "actual_s": 120.0,
        "helped": helped,
        "tried": list(tried),
    }
    if left:
        record["not_helping"] = list(left)
    return record | more


def learner():
    return Learner(AdaptiveConfig(True), "calm", MENU, random.Random(0))


@pytest.fixture
def records():
    base = datetime(2026, 3, 1, 12, 0).astimezone()
    rng = random.Random(4)
    out = []
    for k in range(300):
        start = base + timedelta(hours=7 * k, minutes=13 * k)
        first = rng.choice(MENU[:3])
        left = [first] if rng.random() < 0.3 else []
        tried = [first, "ground"] if left else [first]
        if rng.random() < 0.3:
            tried.append("quiet")
        out.append(rec(start, tried, rng.choice(["yes", "no", "unknown"]), left))
    out.append({"start": base.isoformat(), "programs": ["box", "quiet"], "helped": "yes"})  # old
    out.append(rec(base, ["sigh"], "yes", clock="unsynced"))  # unsynced: counts as night
    out.append(rec(base, ["sigh"], "yes", demo=True))  # a demo: nothing
    return out


def written(tmp_path, records):
    journal = Journal(tmp_path / "j.db", warn=lambda m: None)
    for record in records:
        journal.append(record)
    return journal


def test_the_aggregate_query_counts_what_the_records_say(tmp_path, records):
    journal = written(tmp_path, records)
    from_db = fill(learner(), Journal(journal.path), *NIGHT)
    by_hand = learner()
    for record in records:
        started = datetime.fromisoformat(record["start"]).astimezone().time()
        night = record.get("clock") == "unsynced" or started >= NIGHT[0] or started < NIGHT[1]
        by_hand.add(record, night)
    assert from_db.episodes == by_hand.episodes == len(records) - 1
    assert from_db.counts == by_hand.counts
    assert from_db.stats("box", True).tried + from_db.stats("box", False).tried > 0


def test_the_query_never_reads_the_journal_record_by_record(tmp_path, records, monkeypatch):
    journal = written(tmp_path, records)

    def refuse(*args, **kw):
        raise AssertionError("adaptive read the whole journal")

    monkeypatch.setattr(Journal, "_select", refuse)
    assert fill(learner(), Journal(journal.path), *NIGHT).episodes == len(records) - 1


def test_the_query_counts_only_the_most_recent_episodes(tmp_path, records, monkeypatch):
    journal = written(tmp_path, records)
    monkeypatch.setattr(insights, "RECENT", 10)
    newest = sorted(records[:-1], key=lambda r: r["start"])[-10:]
    counted = fill(learner(), Journal(journal.path), *NIGHT)
    assert counted.episodes == 10
    by_hand = learner()
    for record in newest:
        started = datetime.fromisoformat(record["start"]).astimezone().time()
        by_hand.add(record, record.get("clock") == "unsynced" or not time(7) <= started < time(21))
    assert counted.counts == by_hand.counts


def test_no_journal_yet_counts_nothing_and_creates_nothing(tmp_path):
    path = tmp_path / "none" / "j.db"
    assert fill(learner(), Journal(path), *NIGHT).episodes == 0
    assert not path.exists()


def test_the_report_streams_records_in_start_order_from_a_day(tmp_path, records):
    journal = written(tmp_path, list(reversed(records)))
    seen = [r["start"] for r in Journal(journal.path).stream()]
    assert seen == sorted(seen)
    since = datetime(2026, 3, 20).astimezone()
    later = list(Journal(journal.path).stream(since))
    assert later and all(datetime.fromisoformat(r["start"]) >= since for r in later)
    folded = report(Journal(journal.path), None, 4, 24)
    assert folded.episodes == len(records) - 1 and folded.demos == 1


def test_a_built_box_with_adaptive_on_follows_the_journal(tmp_path):
    from helpers import MIDNIGHT, rig

    journal = Journal(tmp_path / "j.db", warn=lambda m: None)
    night = MIDNIGHT.replace(hour=23) - timedelta(days=1)
    for k in range(12):
        journal.append(rec(night + timedelta(minutes=k), ["box"], "yes"))
    journal.append(rec(night, ["calm"], "no"))
    on = "adaptive: {enabled: true, first_episodes: 5, explore: 0}\n"
    box = rig(on, wall=MIDNIGHT, journal=journal)
    assert box.app.flow.selected == "box"
    assert box.app.flow.why_selected() == "box: helped 12 of 12 times at night"
    off = rig("", wall=MIDNIGHT, journal=journal)
    assert off.app.flow.learner is None and off.app.flow.selected == "calm"
