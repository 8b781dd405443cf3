"""The journal keeps every session through power cuts, crashes and full disks."""

import errno
import json
import os
import stat
from datetime import date, datetime
from pathlib import Path

import pytest

from calmkit.journal import Journal, default_path, format_history, summarise, to_csv


def record(start="2026-03-02T23:10:00+00:00", **kw):
    base = {
        "start": start,
        "programs": ["calm"],
        "planned_s": 504.0,
        "actual_s": 504.0,
        "status": "completed",
        "pauses": 0,
        "items": 0,
        "squeeze_s": 0.0,
        "helped": "yes",
    }
    return {**base, **kw}


def test_one_line_per_session_private_to_its_owner(tmp_path):
    journal = Journal(tmp_path / "state" / "journal.jsonl")
    assert journal.append(record())
    assert journal.append(record(helped="no"))
    lines = journal.path.read_text().splitlines()
    assert [json.loads(line)["helped"] for line in lines] == ["yes", "no"]
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700


def test_a_torn_last_line_is_skipped_and_nothing_before_it_is_lost(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    journal.append(record())
    journal.append(record(helped="no"))
    with open(journal.path, "ab") as handle:
        handle.write(b'{"start": "2026-03-03T01:00:00+00:00", "progr')  # the power went here
    assert [r["helped"] for r in journal.read()] == ["yes", "no"]
    journal.append(record(helped="unknown"))  # the next session starts on a line of its own
    assert [r["helped"] for r in journal.read()] == ["yes", "no", "unknown"]


def test_a_full_disk_warns_once_keeps_the_session_and_writes_it_later(tmp_path, monkeypatch):
    warnings = []
    journal = Journal(tmp_path / "journal.jsonl", warn=warnings.append)
    real_write = os.write
    full = {"on": True}

    def write(fd, data):
        if full["on"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    assert not journal.append(record(helped="no"))
    assert not journal.append(record(helped="yes"))
    assert len(warnings) == 1
    assert "No space left on device" in warnings[0] and str(journal.path) in warnings[0]
    assert [r["helped"] for r in journal.read()] == ["no", "yes"]  # still shown, from memory
    full["on"] = False
    assert journal.append(record(helped="unknown"))
    on_disk = [json.loads(line)["helped"] for line in journal.path.read_text().splitlines()]
    assert on_disk == ["no", "yes", "unknown"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_a_read_only_folder_warns_and_the_session_still_runs(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    warnings = []
    journal = Journal(folder / "journal.jsonl", warn=warnings.append)
    assert not journal.append(record())
    assert "Permission denied" in warnings[0]


def test_a_read_only_folder_as_root_is_simulated_with_erofs(tmp_path, monkeypatch):
    warnings = []
    journal = Journal(tmp_path / "journal.jsonl", warn=warnings.append)

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "open", refuse)
    assert not journal.append(record())
    assert "Read-only file system" in warnings[0]


def test_checkpoint_and_recover_as_interrupted(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    journal.checkpoint(record(status="interrupted", actual_s=60))
    assert journal.inflight_path.exists()
    again = Journal(tmp_path / "journal.jsonl")
    recovered = again.recover()
    assert recovered["status"] == "interrupted"
    assert again.read() == [record(status="interrupted", actual_s=60)]
    assert not again.inflight_path.exists()
    assert again.recover() is None


def test_a_damaged_checkpoint_is_set_aside_with_a_warning(tmp_path):
    warnings = []
    journal = Journal(tmp_path / "journal.jsonl", warn=warnings.append)
    journal.inflight_path.write_text("{not json")
    assert journal.recover() is None
    assert "unreadable" in warnings[0]
    assert not journal.inflight_path.exists()


def test_default_path_follows_systemd_then_xdg(tmp_path):
    assert default_path({"STATE_DIRECTORY": "/var/lib/calmkit"}) == Path(
        "/var/lib/calmkit/journal.jsonl"
    )
    assert default_path({"XDG_STATE_HOME": "/x"}) == Path("/x/calmkit/journal.jsonl")
    assert default_path({}, home=tmp_path) == tmp_path / ".local/state/calmkit/journal.jsonl"


def test_history_counts_sessions_minutes_and_what_helped():
    records = [
        record("2026-03-02T08:00:00+00:00", actual_s=300, programs=["box"], helped="yes"),
        record(
            "2026-03-02T22:00:00+00:00", actual_s=600, programs=["calm", "winddown"], helped="no"
        ),
        record("2026-02-20T22:00:00+00:00"),  # too old for the last 7 days
        {"start": "garbage"},
    ]
    rows = summarise(records, date(2026, 3, 2))
    assert len(rows) == 7
    today = rows[-1]
    assert (today.sessions, today.minutes, today.helped) == (2, 15.0, ("box",))
    text = format_history(rows)
    assert "Mon 02 Mar" in text and "2 sessions in the last 7 days." in text


def test_csv_exports_every_session():
    text = to_csv([record(), record(programs=["calm", "ground"], helped="no")])
    lines = text.splitlines()
    assert lines[0] == "start,programs,planned_s,actual_s,status,pauses,items,squeeze_s,helped"
    assert lines[2].startswith("2026-03-02T23:10:00+00:00,calm ground,504.0")
    assert len(lines) == 3


def test_start_times_read_back_for_the_reach_out_count():
    from calmkit.journal import recent_starts

    assert recent_starts([record(), {"start": None}]) == [
        datetime.fromisoformat("2026-03-02T23:10:00+00:00")
    ]
