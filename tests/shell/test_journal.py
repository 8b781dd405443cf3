"""The journal keeps every session: through power cuts, crashes, full disks and odd old lines."""

import json
import os
import shutil
import sqlite3
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmkit.shell import journal as journal_module
from calmkit.shell.journal import (
    Journal,
    day_bounds,
    default_path,
    episode_note,
    format_history,
    recent_starts,
    summarise,
    to_csv,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


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


class Refusing:
    """Wraps the journal's connect so that every new connection refuses writes, until fixed.

    ``how``: "full" (SQLite's full-disk error on every write), "read-only"
    (query_only, as a file that cannot be written), or "locked" (another process holds the lock).
    """

    def __init__(self, monkeypatch, how: str) -> None:
        self.how = how
        self.on = True
        self.holder: sqlite3.Connection | None = None
        real = journal_module._connect
        monkeypatch.setattr(journal_module, "LOCK_WAIT_S", 0.0)

        def connect(path):
            db = real(path)
            if self.on and how == "full":
                return FullDisk(db, self)
            if self.on and how == "read-only":
                db.execute("PRAGMA query_only = ON")
            elif self.on and how == "locked" and self.holder is None:
                self.holder = sqlite3.connect(path, isolation_level=None)
                self.holder.execute("BEGIN EXCLUSIVE")
            return db

        monkeypatch.setattr(journal_module, "_connect", connect)

    def fix(self) -> None:
        self.on = False
        if self.holder is not None:
            self.holder.execute("ROLLBACK")
            self.holder.close()


class FullDisk:
    """A connection whose writes fail as SQLite's do on a full disk (SQLITE_FULL)."""

    def __init__(self, db: sqlite3.Connection, disk: "Refusing") -> None:
        self.db = db
        self.disk = disk

    def execute(self, sql, *args):
        if self.disk.on and sql.split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "CREATE"):
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)

    def executemany(self, sql, *args):
        if self.disk.on:
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.executemany(sql, *args)

    def executescript(self, sql):
        if (
            self.disk.on
            and not self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'episodes'"
            ).fetchone()
        ):
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.executescript(sql)

    def close(self):
        self.db.close()


REASONS = {
    "full": "database or disk is full",
    "read-only": "attempt to write a readonly database",
    "locked": "database is locked",
}


def on_disk(path: Path) -> list[dict]:
    """What a fresh process would read back."""
    return Journal(path, warn=lambda message: None).read()


# --- storage ------------------------------------------------------------------------------------


def test_one_row_per_session_private_to_its_owner_with_every_field_kept(tmp_path):
    journal = Journal(tmp_path / "state" / "journal.db")
    assert journal.append(record())
    assert journal.append(record(helped="no", clock="unsynced", extra={"a": [1, 2]}))
    assert [r["helped"] for r in on_disk(journal.path)] == ["yes", "no"]
    assert on_disk(journal.path)[1]["clock"] == "unsynced"  # a field another part adds is kept
    assert on_disk(journal.path)[1]["extra"] == {"a": [1, 2]}
    for name in ("journal.db", "journal.db-wal", "journal.db-shm"):
        assert stat.S_IMODE((journal.path.parent / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700
    db = sqlite3.connect(journal.path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    indexes = {row[1] for row in db.execute("PRAGMA index_list(episodes)")}
    assert "episodes_by_start" in indexes


def test_the_checkpoint_is_a_row_that_the_final_record_replaces(tmp_path):
    journal = Journal(tmp_path / "journal.db")
    journal.checkpoint(record(status="interrupted", actual_s=30))
    journal.checkpoint(record(status="interrupted", actual_s=60))
    assert on_disk(journal.path) == [record(status="interrupted", actual_s=60)]
    assert Journal(journal.path).in_flight() == [record(status="interrupted", actual_s=60)]
    journal.append(record())
    assert on_disk(journal.path) == [record()]
    assert Journal(journal.path).in_flight() == []


def test_a_crash_leaves_the_checkpoint_which_the_next_start_keeps_as_interrupted_once(tmp_path):
    journal = Journal(tmp_path / "journal.db")
    journal.checkpoint(record(status="interrupted", actual_s=60))
    again = Journal(tmp_path / "journal.db")  # the next start, after the crash
    assert again.recover() == [record(status="interrupted", actual_s=60)]
    assert again.read() == [record(status="interrupted", actual_s=60)]
    assert again.in_flight() == []
    assert Journal(tmp_path / "journal.db").recover() == []  # once only


def test_another_live_calmkits_episode_in_flight_is_not_taken_for_a_crash(tmp_path, monkeypatch):
    journal = Journal(tmp_path / "journal.db")
    journal.checkpoint(record(status="interrupted"))
    db = sqlite3.connect(journal.path)
    owner = f"{journal_module.BOOT_ID} {os.getppid()} sometoken"  # a process that is alive
    db.execute("UPDATE episodes SET owner = ?", (owner,))
    db.commit()
    assert Journal(journal.path).recover() == []
    assert len(Journal(journal.path).in_flight()) == 1


# --- writes that are refused --------------------------------------------------------------------


@pytest.mark.parametrize("how", ["full", "read-only", "locked"])
def test_a_refused_write_warns_once_keeps_the_sessions_and_writes_them_later(
    tmp_path, monkeypatch, how
):
    Journal(tmp_path / "journal.db").append(record(helped="unknown", start="2026-03-01T10:00"))
    disk = Refusing(monkeypatch, how)
    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    assert not journal.append(record(helped="no"))
    assert not journal.append(record(helped="yes"))
    assert len(warnings) == 1
    assert warnings[0].startswith("journal: could not save this session (")
    assert REASONS[how] in warnings[0] and "it is kept in memory and in " in warnings[0]
    assert "will be saved when" in warnings[0]
    assert journal.problem == REASONS[how]
    assert [r["helped"] for r in journal.read()][-2:] == ["no", "yes"]  # shown, from memory
    assert journal.inflight_path.exists()  # and kept on disk beside it, for after a crash
    disk.fix()
    assert journal.append(record(helped="maybe"))
    assert [r["helped"] for r in on_disk(journal.path)] == ["unknown", "no", "yes", "maybe"]
    assert journal.problem is None and not journal.inflight_path.exists()


def test_a_final_record_refused_keeps_its_checkpoint_and_is_saved_at_the_next_start(
    tmp_path, monkeypatch
):
    """The bug: the checkpoint was deleted although the final line was never written."""
    journal = Journal(tmp_path / "journal.db", warn=lambda message: None)
    journal.checkpoint(record(status="interrupted", actual_s=60))
    disk = Refusing(monkeypatch, "full")
    journal._close()  # the disk fills up during the session
    assert not journal.append(record(helped="yes"))
    assert journal.problem is not None
    assert episode_note(journal, "yes").startswith("could not save this session (database or")
    # the process dies here; the checkpoint is still in the database, the final record beside it
    rows = sqlite3.connect(journal.path).execute("SELECT record FROM episodes WHERE inflight = 1")
    assert [json.loads(text)["status"] for (text,) in rows] == ["interrupted"]
    assert Journal(journal.path).in_flight() == [record(helped="yes")]
    assert Journal(journal.path).read() == [record(helped="yes")]  # history shows the real one
    disk.fix()
    again = Journal(tmp_path / "journal.db")
    again.recover()
    # ... and the final record, kept beside it, is what the next start saves: exactly once
    assert on_disk(journal.path) == [record(helped="yes")]
    assert again.in_flight() == [] and not again.inflight_path.exists()


def test_held_back_records_are_written_at_the_next_checkpoint(tmp_path, monkeypatch):
    disk = Refusing(monkeypatch, "read-only")
    journal = Journal(tmp_path / "journal.db", warn=lambda message: None)
    assert not journal.append(record(helped="no"))
    disk.fix()
    journal.checkpoint(record(status="interrupted", start="2026-03-03T01:00:00+00:00"))
    assert [r["helped"] for r in on_disk(journal.path)] == [
        "no",
        "yes",
    ]  # the held-back one, then the checkpoint


def test_a_folder_where_the_file_should_be_keeps_the_sessions_beside_it(tmp_path):
    (tmp_path / "journal.db").mkdir()
    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    journal.checkpoint(record(status="interrupted"))
    assert not journal.append(record())
    assert len(warnings) == 1 and "Is a directory" in warnings[0]
    assert journal.read() == [record()]
    (tmp_path / "journal.db").rmdir()  # the person fixes it; the next start saves the session
    again = Journal(tmp_path / "journal.db")
    again.recover()
    assert on_disk(journal.path) == [record()]


def test_a_parent_that_is_a_file_keeps_the_sessions_in_memory(tmp_path):
    (tmp_path / "state").write_text("a file where the folder should be")
    warnings = []
    journal = Journal(tmp_path / "state" / "journal.db", warn=warnings.append)
    assert not journal.append(record())
    assert "in memory while calmkit runs" in warnings[0]
    assert journal.read() == [record()]


def test_a_damaged_side_file_is_left_where_it_is_with_a_warning(tmp_path):
    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    journal.inflight_path.write_text("{not json")
    assert journal.recover() == []
    assert "unreadable" in warnings[0]
    assert journal.inflight_path.read_text() == "{not json"


def test_the_probe_really_writes_and_leaves_nothing(tmp_path, monkeypatch):
    journal = Journal(tmp_path / "journal.db")
    assert journal.probe() is None
    assert journal.read() == []
    Refusing(monkeypatch, "full")
    assert Journal(tmp_path / "journal.db").probe() == "database or disk is full"


# --- the old JSON Lines journal -----------------------------------------------------------------


def old_journal(path: Path, lines: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_text(text + '{"start": "2026-03-03T01:00:00+00:00", "progr')  # torn by a power cut


def test_an_old_json_lines_journal_migrates_once_and_is_kept_renamed(tmp_path):
    old = tmp_path / "journal.jsonl"
    odd = {"start": "2026-03-02T08:00:00", "helped": 3, "programs": "calm", "mine": [1]}
    old_journal(old, [record(), "not json", odd, record(helped="no")])
    (tmp_path / "journal.jsonl.inflight").write_text(json.dumps(record(status="interrupted")))
    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    assert journal.read() == [record(), odd, record(helped="no"), record(status="interrupted")]
    assert not old.exists() and (tmp_path / "journal.jsonl.migrated").exists()
    assert "2 unreadable line(s)" in warnings[0]  # "not json" and the torn last line
    # a crash after the copy but before the rename: the next start copies nothing twice
    shutil.copy2(tmp_path / "journal.jsonl.migrated", old)
    assert len(on_disk(tmp_path / "journal.db")) == 4
    assert not old.exists()


def test_a_configured_jsonl_path_means_the_database_beside_it(tmp_path):
    old_journal(tmp_path / "j.jsonl", [record()])
    journal = Journal(tmp_path / "j.jsonl")
    assert journal.path == tmp_path / "j.db"
    assert journal.read() == [record()]


def test_a_json_lines_journal_at_the_configured_path_itself_is_migrated(tmp_path):
    old_journal(tmp_path / "my-journal", [record()])
    journal = Journal(tmp_path / "my-journal")
    assert journal.read() == [record()]
    assert (tmp_path / "my-journal.old.jsonl.migrated").exists()


def test_default_path_follows_systemd_then_xdg(tmp_path):
    assert default_path({"STATE_DIRECTORY": "/var/lib/calmkit"}) == Path(
        "/var/lib/calmkit/journal.db"
    )
    assert default_path({"XDG_STATE_HOME": "/x"}) == Path("/x/calmkit/journal.db")
    assert default_path({}, home=tmp_path) == tmp_path / ".local/state/calmkit/journal.db"


# --- history, csv, reach-out --------------------------------------------------------------------


def test_history_counts_sessions_minutes_and_what_helped_without_demos():
    records = [
        record("2026-03-02T08:00:00+00:00", actual_s=300, programs=["box"], helped="yes"),
        record(
            "2026-03-02T22:00:00+00:00", actual_s=600, programs=["calm", "winddown"], helped="no"
        ),
        record("2026-03-02T21:00:00+00:00", actual_s=900, demo=True),  # a --speed demo
        record("2026-02-20T22:00:00+00:00"),  # too old for the last 7 days
        {"start": "garbage"},
    ]
    rows = summarise(records, date(2026, 3, 2))
    assert len(rows) == 7
    today = rows[-1]
    assert (today.sessions, today.minutes, today.helped) == (2, 15.0, ("box",))
    text = format_history(rows)
    assert "Mon 02 Mar" in text and "2 sessions in the last 7 days." in text


def test_history_reads_only_its_days_through_the_index(tmp_path):
    journal = Journal(tmp_path / "journal.db")
    for day in range(1, 29):
        journal.append(record(f"2026-02-{day:02d}T12:00:00+00:00"))
    found = journal.between(*day_bounds(date(2026, 2, 28), 7))
    assert [r["start"][:10] for r in found] == [f"2026-02-{d}" for d in range(22, 29)]


def test_csv_exports_every_session_and_every_field():
    text = to_csv([record(), record(programs=["calm", "ground"], helped="no", demo=True)])
    lines = text.splitlines()
    assert lines[0] == (
        "start,programs,planned_s,actual_s,status,pauses,items,squeeze_s,helped,"
        "battery_start,battery_end,demo"
    )
    assert lines[2].startswith("2026-03-02T23:10:00+00:00,calm ground,504.0")
    assert lines[2].endswith(",no,,,True")  # a box: no battery
    assert len(lines) == 3


def test_reach_out_counts_neither_demos_nor_accidental_starts(tmp_path):
    journal = Journal(tmp_path / "journal.db")
    now = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    journal.append(record("2026-03-02T20:00:00+00:00"))
    journal.append(record("2026-03-02T21:00:00+00:00", actual_s=4.0))  # an accidental start
    journal.append(record("2026-03-02T22:00:00+00:00", demo=True))
    journal.append(record("2026-03-01T20:00:00+00:00"))  # more than 24 h ago
    journal.append(record("2036-03-02T20:00:00+00:00"))  # written while the clock was ahead
    assert journal.recent_starts(now, 24) == [now.replace(hour=20, minute=0)]
    assert recent_starts([{"start": None}, {"actual_s": 50}]) == []


def test_a_time_without_an_offset_is_read_as_local_time():
    (started,) = recent_starts([record("2026-03-02T23:10:00")])
    assert started == datetime(2026, 3, 2, 23, 10).astimezone()


@pytest.mark.parametrize("jump", [timedelta(days=3650), timedelta(days=-3650), timedelta(days=1)])
def test_history_and_reach_out_survive_a_wall_clock_jump(tmp_path, jump):
    journal = Journal(tmp_path / "journal.db")
    base = datetime(2026, 3, 2, 22, 0).astimezone()
    for hours in range(4):
        journal.append(record((base + timedelta(hours=hours)).isoformat()))
    now = base + timedelta(hours=4) + jump
    starts = journal.recent_starts(now, 24)
    assert starts == []  # sessions "in the future" or long past count for nothing
    rows = summarise(journal.between(*day_bounds(now.date(), 7)), now.date())
    assert sum(row.sessions for row in rows) == (4 if jump == timedelta(days=1) else 0)


# --- fuzz: odd records never break recovery, history, csv or reach-out --------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
ODD_TIMES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.text(max_size=30),
    JSON,
)
ODD_RECORD = st.fixed_dictionaries(
    {},
    optional={
        "start": ODD_TIMES,
        "programs": JSON | st.lists(st.text(max_size=6), max_size=3),
        "actual_s": JSON,
        "status": JSON,
        "helped": st.sampled_from(["yes", "no", "unknown"]) | JSON,
        "demo": JSON,
    },
)
ODD_LINE = st.one_of(
    ODD_RECORD.map(lambda r: json.dumps(r)),
    JSON.map(json.dumps),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.text(max_size=40),
)


@FUZZ
@given(lines=st.lists(ODD_LINE, max_size=8), checkpoint=st.one_of(st.none(), ODD_LINE))
def test_random_journal_lines_never_break_migration_history_csv_or_reach_out(
    tmp_path_factory, lines, checkpoint
):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "journal.jsonl").write_text(
        "\n".join(line.replace("\n", " ") for line in lines), "utf-8", "surrogatepass"
    )
    if checkpoint is not None:
        (folder / "journal.jsonl.inflight").write_text(checkpoint, "utf-8", "surrogatepass")
    journal = Journal(folder / "journal.db", warn=lambda message: None)
    journal.recover()
    records = journal.read()
    today = date(2026, 3, 2)
    format_history(summarise(journal.between(*day_bounds(today, 7)), today))
    format_history(summarise(records, today))
    to_csv(records)
    journal.recent_starts(datetime(2026, 3, 2, 12, 0).astimezone(), 24)
    readable = sum(1 for line in lines if journal_module._parse_line(line.replace("\n", " ")))
    assert len(records) >= readable  # every readable object came across


@FUZZ
@given(records=st.lists(ODD_RECORD, max_size=6))
def test_random_records_written_and_recovered_never_break_anything(tmp_path_factory, records):
    folder = tmp_path_factory.mktemp("fuzz")
    journal = Journal(folder / "journal.db", warn=lambda message: None)
    for odd in records:
        journal.checkpoint(odd)
        journal.append(odd)
    journal.checkpoint(records[0] if records else {})
    again = Journal(folder / "journal.db", warn=lambda message: None)
    again.recover()
    assert len(again.read()) == len(records) + 1
    now = datetime(2026, 3, 2, 12, 0).astimezone()
    again.recent_starts(now, 24)
    summarise(again.read(), now.date())
    to_csv(again.read())


def test_history_and_csv_read_odd_old_lines_without_breaking(tmp_path, capsys):
    from calmkit.faces.cli import main

    old_journal(
        tmp_path / "journal.jsonl",
        [
            record("2026-03-02T08:00:00"),  # no UTC offset
            record(programs=["\ud800 lone surrogate"], actual_s="long", helped=None),
            {"start": 12, "programs": None},
            [1, 2, 3],
            "\x00 garbage",
            record(actual_s=10**400),
            record(demo=True),
        ],
    )
    config = tmp_path / "calmkit.yaml"
    config.write_text(f"journal: {{path: '{tmp_path / 'journal.db'}'}}\n")
    assert main(["history", "--config", str(config), "--days", "3650"]) == 0
    out = capsys.readouterr().out
    assert "3 sessions in the last 3650 days." in out  # 3 with a start, and not the demo
    assert "(1 demo run at --speed not counted)" in out
    assert main(["history", "--csv", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 6 and "\\ud800 lone surrogate" in out


def test_a_journal_opened_on_one_thread_is_written_from_the_runners(tmp_path):
    import threading

    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    Journal(journal.path).append(record(helped="no"))
    journal.recover()  # build() does this on the main thread ...
    assert len(journal.read()) == 1
    done = []
    runner = threading.Thread(target=lambda: done.append(journal.append(record())))
    runner.start()  # ... and the runner writes from its own
    runner.join()
    assert done == [True] and warnings == []


def test_an_old_journal_that_cannot_be_copied_in_yet_does_not_stop_new_sessions(
    tmp_path, monkeypatch
):
    old_journal(tmp_path / "journal.jsonl", [record(helped="no")])
    real = Journal._migrate

    def refuse(self, db, old):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Journal, "_migrate", refuse)
    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    assert journal.append(record(helped="yes"))
    assert len(warnings) == 1 and "copied at the next start" in warnings[0]
    assert (tmp_path / "journal.jsonl").exists()
    monkeypatch.setattr(Journal, "_migrate", real)
    helped = sorted(r["helped"] for r in Journal(tmp_path / "journal.db").read())
    assert helped == ["no", "yes"]  # the next start copied it in


@FUZZ
@given(
    aside=st.one_of(
        st.binary(max_size=60),
        st.lists(st.fixed_dictionaries({"key": JSON, "record": ODD_RECORD | JSON})).map(json.dumps),
    ),
    row=ODD_LINE,
)
def test_a_random_side_file_and_checkpoint_row_never_break_recovery(tmp_path_factory, aside, row):
    folder = tmp_path_factory.mktemp("fuzz")
    journal = Journal(folder / "journal.db", warn=lambda message: None)
    journal.checkpoint({"start": "2026-03-02T10:00:00+00:00"})
    db = sqlite3.connect(journal.path)
    db.execute("UPDATE episodes SET record = ?, owner = 'gone'", (row.encode("utf-8", "replace"),))
    db.commit()
    db.close()
    data = aside if isinstance(aside, bytes) else aside.encode("utf-8", "surrogatepass")
    journal.inflight_path.write_bytes(data)
    again = Journal(folder / "journal.db", warn=lambda message: None)
    again.recover()
    records = again.read()
    summarise(records, date(2026, 3, 2))
    to_csv(records)
    again.recent_starts(datetime(2026, 3, 2, 12, 0).astimezone(), 24)
    assert again.in_flight() == [] or again.problem is None


# --- journal files that are not files: refused before they are opened -------------------------


@pytest.fixture
def no_hang():
    """An in-process test that would block on a FIFO fails after 5 s instead (SIGALRM)."""
    import signal

    def fail(signum, frame):
        pytest.fail("blocked on a FIFO")  # not an OSError: nothing may catch it

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(5)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def told(path, kind="a named pipe (FIFO)"):
    return f"journal: {path} is {kind}, not a file: remove it or set journal.path"


def test_a_fifo_journal_keeps_the_session_in_memory_and_the_side_file_and_says_so_once(
    tmp_path, no_hang
):
    os.mkfifo(tmp_path / "journal.db")
    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    journal.recover()
    assert journal.checkpoint(record(status="running")) is False
    assert journal.append(record()) is False
    assert journal.flush() is False
    assert len(warnings) == 1 and warnings[0].startswith(told(tmp_path / "journal.db"))
    assert journal.odd_file() == told(tmp_path / "journal.db").removeprefix("journal: ")
    assert journal.read() == [record()]
    assert json.loads((tmp_path / "journal.db.unsaved").read_text())[0]["record"] == record()
    assert stat.S_ISFIFO(os.stat(tmp_path / "journal.db").st_mode)
    assert journal.probe() == "is a named pipe (FIFO), not a file"


def test_a_fifo_side_file_is_neither_read_nor_replaced(tmp_path, no_hang):
    aside = tmp_path / "journal.db.unsaved"
    os.mkfifo(aside)
    (tmp_path / "journal.db").mkdir()  # the database refuses: the side file would be written
    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    assert journal.recover() == []
    assert journal.append(record()) is False
    assert journal.read() == [record()]  # in memory
    assert stat.S_ISFIFO(os.stat(aside).st_mode) and not journal.aside
    assert warnings.count(told(aside)) == 1


def test_a_fifo_tmp_side_file_is_never_opened_for_writing(tmp_path, no_hang):
    os.mkfifo(tmp_path / "journal.db.unsaved.tmp")
    (tmp_path / "journal.db").mkdir()
    journal = Journal(tmp_path / "journal.db", warn=lambda message: None)
    assert journal.append(record()) is False
    assert not journal.aside and journal.read() == [record()]


@pytest.mark.parametrize(
    "name", ["journal.jsonl", "journal.db.old.jsonl", "journal.jsonl.inflight"]
)
def test_an_old_journal_that_is_a_device_is_not_read(tmp_path, name):
    """/dev/zero never ends: reading it for the migration took 3.6 GB in 9 s."""
    if name.endswith(".inflight"):
        (tmp_path / "journal.jsonl").write_text(json.dumps(record()) + "\n")
    (tmp_path / name).symlink_to("/dev/zero")
    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    assert journal.append(record(start="2026-03-03T23:10:00+00:00")) is True
    assert warnings == [told(tmp_path / name, "a device")]
    assert (tmp_path / name).is_symlink()


def test_an_old_journal_is_read_line_by_line_and_a_huge_line_is_skipped_unread(
    tmp_path, monkeypatch
):
    limit = len(json.dumps(record())) + 10
    long = json.dumps(record(note="x" * 5 * limit))
    later = json.dumps(record(start="2026-03-04T23:10:00+00:00"))
    lines = [json.dumps(record()), long, long + long, later]
    (tmp_path / "journal.jsonl").write_text("\n".join(lines) + "\n" + "y" * 10 * limit)
    seen = []
    real = journal_module._bounded_lines

    def watched(handle):
        for line in real(handle, limit):
            seen.append(len(line or b""))
            yield line

    monkeypatch.setattr(journal_module, "_bounded_lines", watched)
    warnings = []
    journal = Journal(tmp_path / "journal.db", warn=warnings.append)
    assert [r["start"][:10] for r in journal.read()] == ["2026-03-02", "2026-03-04"]
    assert len(seen) == 5 and max(seen) <= limit  # never a whole long line in memory
    assert "3 unreadable line(s)" in warnings[0]


def test_a_device_as_the_journal_gets_no_side_file_beside_it(tmp_path, monkeypatch):
    """As root, `journal: {path: /dev/null}` made /dev/null.unsaved: never beside a device."""
    made = []
    real_open = journal_module.open_regular

    def watched(path, *args, **kwargs):
        if str(path).startswith("/dev/null."):  # recorded, never made for real
            made.append(path)
            raise PermissionError(13, "not in a test")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(journal_module, "open_regular", watched)
    warnings = []
    journal = Journal(Path("/dev/null"), warn=warnings.append)
    assert journal.append(record()) is False
    assert journal.read() == [record()]
    assert not journal.aside and made == []
    assert warnings[0].startswith(
        "journal: /dev/null is a device, not a file: set journal.path to a file (never remove"
    )


# --- a file at the journal's path that is not a calmkit journal --------------------------------


def test_random_bytes_at_the_journal_path_are_kept_private_and_a_new_journal_starts(tmp_path):
    path = tmp_path / "journal.db"
    path.write_bytes(bytes(range(256)) * 40)
    path.chmod(0o644)
    warnings = []
    journal = Journal(path, warn=warnings.append)
    assert journal.append(record()) is True and journal.read() == [record()]
    kept = tmp_path / "journal.db.not-a-journal"
    assert warnings == [
        f"journal: {path} is not a calmkit journal (not an SQLite file): it was kept as {kept} "
        "and a new journal started"
    ]
    assert kept.read_bytes() == bytes(range(256)) * 40
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert not (tmp_path / "journal.db.old.jsonl.migrated").exists()


def test_an_old_json_lines_journal_at_the_path_is_kept_private(tmp_path):
    old_journal(tmp_path / "journal.db", [record()])
    (tmp_path / "journal.db").chmod(0o644)
    assert Journal(tmp_path / "journal.db").read() == [record()]
    migrated = tmp_path / "journal.db.old.jsonl.migrated"
    assert stat.S_IMODE(migrated.stat().st_mode) == 0o600


@pytest.mark.parametrize("kind", ["damaged", "another program's"])
def test_a_database_calmkit_cannot_use_says_to_move_it_away(tmp_path, kind):
    path = tmp_path / "journal.db"
    if kind == "damaged":
        path.write_bytes(journal_module.SQLITE_HEADER + b"\x01" * 5000)
    else:
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE episodes (a)")
        other.commit()
        other.close()
    warnings = []
    journal = Journal(path, warn=warnings.append)
    assert journal.append(record()) is False and journal.read() == [record()]
    assert len(warnings) == 1 and "free some space" not in warnings[0]
    assert "move the file away and calmkit starts a new journal" in warnings[0]
    assert journal.probe() is not None and journal.fix().startswith("move it away")


def test_an_old_line_claiming_an_impossible_length_counts_as_nothing():
    """`"actual_s": 1e308` printed a minutes figure hundreds of digits long; -5 was taken as is."""
    from datetime import date

    from calmkit.shell.journal import summarise

    day = "2026-03-02T22:00:00+00:00"
    records = [
        {"start": day, "actual_s": 1e308, "helped": "yes", "programs": ["calm"]},
        {"start": day, "actual_s": -5, "helped": "no", "programs": ["box"]},
        {"start": day, "actual_s": 120, "helped": "yes", "programs": ["sigh"]},
    ]
    (row,) = [r for r in summarise(records, date(2026, 3, 3)) if r.sessions]
    assert row.sessions == 3 and row.minutes == 2.0
