"""The private journal: one row per episode in an SQLite file (standard library), crash-safe.

Why SQLite and not JSON Lines: a start must not read the whole journal (100,000 sessions on a
512 MB Pi), and SQLite's index on the start time answers "the last 24 hours" and "the last 7
days" without reading the rest; WAL with synchronous=FULL makes every write survive a power cut.

- Each row keeps the record's full JSON (fields other parts add are never lost), beside the few
  columns the queries need: the start as epoch seconds (indexed), the active seconds, a demo mark.
- The episode in flight is a row too (``inflight = 1``), checkpointed while it runs; its final
  record replaces it in the same row, so the checkpoint lasts until the record is really written.
  At the next start a row left in flight by a process that is gone is kept as "interrupted".
- When the database refuses a write (a full disk, a read-only or locked file, a folder where the
  file should be), the records stay in memory, are copied to a side file (``.unsaved``) when
  that can be written, and are written at the next checkpoint, the next episode or the next start.
- An old JSON Lines journal (``journal.jsonl``) is migrated on first use and renamed, never
  deleted. Odd lines (naive times, missing fields, wrong types, garbage) are read as best they can.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import logging
import math
import os
import sqlite3
import stat
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, cast

from calmkit.config.files import NotARegularFile, open_regular, refuse_odd_file
from calmkit.core.episode import REACH_OUT_MIN_S
from calmkit.core.insights import Counts, add_outcomes

log = logging.getLogger("calmkit.shell.journal")

FIELDS = (
    "start",
    "programs",
    "planned_s",
    "actual_s",
    "status",
    "pauses",
    "items",
    "squeeze_s",
    "helped",
    "battery_start",
    "battery_end",
)
#: How long a write waits for another process holding the database (the light must not stall).
LOCK_WAIT_S = 0.25
SQLITE_HEADER = b"SQLite format 3\x00"
#: A line of an old journal longer than this is skipped unread (a record is a few hundred bytes).
MAX_LINE_BYTES = 1 << 20
#: The side file is read whole; one larger than this is not calmkit's and is left where it is.
MAX_ASIDE_BYTES = 64 << 20
SCHEMA = """
CREATE TABLE IF NOT EXISTS episodes (
    id INTEGER PRIMARY KEY,
    key TEXT UNIQUE,
    t REAL,
    actual_s REAL,
    demo INTEGER NOT NULL DEFAULT 0,
    inflight INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    record TEXT NOT NULL,
    battery_start REAL,
    battery_end REAL
);
CREATE INDEX IF NOT EXISTS episodes_by_start ON episodes (t);
CREATE INDEX IF NOT EXISTS episodes_in_flight ON episodes (inflight) WHERE inflight = 1;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
"""
UPSERT = """
INSERT INTO episodes (key, t, actual_s, demo, inflight, owner, record, battery_start, battery_end)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET t = excluded.t, actual_s = excluded.actual_s,
    demo = excluded.demo, inflight = excluded.inflight, owner = excluded.owner,
    record = excluded.record, battery_start = excluded.battery_start,
    battery_end = excluded.battery_end
"""
#: Columns added since the first journals, and their types: added to an older file on opening.
ADDED_COLUMNS = (("battery_start", "REAL"), ("battery_end", "REAL"))


def add_columns(db: sqlite3.Connection) -> None:
    """Bring a journal made by an older calmkit up to the columns this one writes (a battery's
    level at a session's start and end). Its rows keep NULL there: they had no battery. A file
    that cannot be written is read as it is (history never writes)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(episodes)")}
    for name, kind in ADDED_COLUMNS:
        if name not in have:
            with contextlib.suppress(sqlite3.OperationalError):  # read-only: read as it is
                db.execute(f"ALTER TABLE episodes ADD COLUMN {name} {kind}")


def default_path(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """$STATE_DIRECTORY under systemd, else $XDG_STATE_HOME or ~/.local/state, /calmkit."""
    env = os.environ if environ is None else environ
    state_dir = env.get("STATE_DIRECTORY", "").split(":")[0]
    if state_dir:
        return Path(state_dir) / "journal.db"
    base = env.get("XDG_STATE_HOME") or str((home or Path.home()) / ".local" / "state")
    return Path(base) / "calmkit" / "journal.db"


def database_path(path: Path) -> Path:
    """A configured ``journal.jsonl`` (the old format) now means the database beside it."""
    path = Path(path)
    return path.with_suffix(".db") if path.suffix == ".jsonl" else path


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


BOOT_ID = _boot_id()


def _connect(path: Path) -> sqlite3.Connection:
    """Open the database (tests wrap this to make it refuse writes).

    Opened by build() on one thread and written by the runner's on another, never at once.
    """
    return sqlite3.connect(path, timeout=LOCK_WAIT_S, isolation_level=None, check_same_thread=False)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error) or type(error).__name__


class NotAJournal(OSError):
    """The file at the journal's path is not a calmkit journal; a read leaves it alone."""


class Journal:
    """The episodes of this box; see the module text for the guarantees."""

    def __init__(
        self, path: Path, warn: Callable[[str], None] | None = None, demo: bool = False
    ) -> None:
        self.path = database_path(Path(path))
        self.legacy = self.path.with_suffix(".jsonl")
        self.inflight_path = self.path.with_name(self.path.name + ".unsaved")
        self.demo = demo
        self._warn = warn or log.warning
        self._db: sqlite3.Connection | None = None
        self._pending: dict[str, dict[str, Any]] = {}  # final records not yet in the database
        self._checkpoint: tuple[str, dict[str, Any]] | None = None  # the episode in flight
        self._checkpoint_saved = False
        self._key: str | None = None
        self._demo_start: str | None = None
        self._owner = f"{BOOT_ID} {os.getpid()} {uuid.uuid4().hex}"
        self.problem: str | None = None  # why the last write was refused (None: all written)
        self.aside = False  # the unsaved records are in the side file too
        self._odd: str | None = None  # the journal file is not a file: what to tell the person
        self._foreign = False  # the journal file is damaged or another program's database
        self._migration_failed = False  # tried once a process: it reads the whole old file
        self._told: set[Path] = set()  # files not regular, already named to the person

    # --- the database -------------------------------------------------------------------------

    def _open(self, create: bool = True) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if self.path.is_dir():  # (never blocks; told as a refused write always was)
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(self.path))
        refuse_odd_file(self.path)
        if not create and self.holds_other_file():  # a read never moves a person's file
            raise NotAJournal(errno.EINVAL, "not a calmkit journal; left as it is")
        self._set_aside_foreign_file()  # (a read still copies in calmkit's own old journal)
        legacy = [p for p in self._legacy_files() if p.exists() and self._regular(p)]
        if not create and not self.path.exists() and not legacy:
            return None
        _make_folder(self.path.parent)
        if not self.path.exists():  # created private, before SQLite (a read-only one is read)
            os.close(open_regular(self.path, os.O_WRONLY | os.O_CREAT))
        db = _connect(self.path)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            add_columns(db)
        except BaseException:
            db.close()
            raise
        self._db = db
        for old in legacy if not self._migration_failed else []:
            try:
                self._migrate(db, old)
            except (sqlite3.Error, OSError) as error:  # new sessions are still written
                self._migration_failed = True
                self._warn(
                    f"journal: could not copy the old journal {old} in yet ({_reason(error)}); "
                    f"it is kept as it is and copied at the next start"
                )
        return db

    def odd_file(self) -> str | None:
        """What is wrong when a journal file exists but is not a regular file (None: none is).

        Only looked at, never opened: a FIFO would block the open for ever, a device never ends.
        """
        for path in (self.path, *self._legacy_files(), self.inflight_path):
            try:
                refuse_odd_file(path)
            except NotARegularFile as error:
                if error.kind != "a folder":  # a folder is told as a refused write
                    return _odd_text(error)
            except (OSError, ValueError):
                continue
        return None

    def _regular(self, path: Path) -> bool:
        """Whether a journal file may be opened; one that is not a file is named once, not read."""
        try:
            refuse_odd_file(path)
        except NotARegularFile as error:
            if path not in self._told:
                self._told.add(path)
                self._warn(f"journal: {_odd_text(error)}")
            return False
        except (OSError, ValueError):
            pass
        return True

    def _legacy_files(self) -> list[Path]:
        return [self.legacy, self.path.with_name(self.path.name + ".old.jsonl")]

    def _head(self) -> bytes:
        """The first bytes of the file at the journal's path (b"": none there, or empty)."""
        try:
            with os.fdopen(open_regular(self.path, os.O_RDONLY), "rb") as handle:
                return handle.read(len(SQLITE_HEADER))
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return b""

    def holds_other_file(self) -> bool:
        """Whether a file is at the journal's path that is neither an SQLite database nor an
        old calmkit JSON Lines journal (which calmkit copies in): another program's, or the
        person's own. Never blocks: anything but a regular file counts as no."""
        try:
            head = self._head()
        except OSError:
            return False
        return bool(head) and head != SQLITE_HEADER and head.lstrip()[:1] != b"{"

    def _set_aside_foreign_file(self) -> None:
        """A JSON Lines journal at the configured path itself is moved aside and migrated; any
        other file there (not SQLite, not JSON) is kept aside, private, and a new journal starts."""
        head = self._head()
        if not head or head == SQLITE_HEADER:
            return
        if head.lstrip()[:1] == b"{":
            os.replace(self.path, self._legacy_files()[1])
            os.chmod(self._legacy_files()[1], 0o600)
            return
        kept = self.path.with_name(self.path.name + ".not-a-journal")
        for n in range(1, 1000):
            if not os.path.lexists(kept):
                break
            kept = self.path.with_name(f"{self.path.name}.not-a-journal.{n}")
        os.replace(self.path, kept)
        os.chmod(kept, 0o600)
        self._warn(
            f"journal: {self.path} is not a calmkit journal (not an SQLite file): it was kept "
            f"as {kept} and a new journal started"
        )

    def _close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def close(self) -> None:
        self.flush()
        self._close()

    def _migrate(self, db: sqlite3.Connection, old: Path) -> None:
        """Copy an old JSON Lines journal (and its checkpoint) in, once; keep the file renamed."""
        info = old.stat()
        marker = (f"migrated:{old.name}", f"{info.st_size}:{info.st_mtime_ns}")
        done = db.execute("SELECT value FROM meta WHERE name = ?", marker[:1]).fetchone()
        if done is None or done[0] != marker[1]:
            skipped = 0
            db.execute("BEGIN IMMEDIATE")
            try:
                with os.fdopen(open_regular(old, os.O_RDONLY), "rb") as handle:
                    for line in _bounded_lines(handle):
                        record = None if line is None else _parse_line(line)
                        if record is None:
                            skipped += line is None or line.strip() != b""
                            continue
                        db.execute(UPSERT, self._row(None, record, inflight=False))
                checkpoint = old.with_name(old.name + ".inflight")
                if checkpoint.exists() and self._regular(checkpoint):
                    with os.fdopen(open_regular(checkpoint, os.O_RDONLY), "rb") as handle:
                        record = _parse_line(handle.read(MAX_LINE_BYTES + 1))
                    if record is not None:
                        record["status"] = "interrupted"
                        db.execute(UPSERT, self._row(None, record, inflight=False))
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", marker)
                db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
            if skipped:
                self._warn(
                    f"journal: {skipped} unreadable line(s) of {old} were not copied into "
                    f"{self.path}; they stay in {old}.migrated"
                )
        checkpoint = old.with_name(old.name + ".inflight")
        if checkpoint.exists() and self._regular(checkpoint):
            os.replace(checkpoint, checkpoint.with_name(checkpoint.name + ".migrated"))
        os.replace(old, old.with_name(old.name + ".migrated"))
        log.info("journal: %s migrated into %s", old, self.path)

    def _row(self, key: str | None, record: Mapping[str, Any], inflight: bool) -> tuple[Any, ...]:
        started = start_time(record)
        return (
            key,
            _epoch(started),
            _number(record.get("actual_s")),
            1 if record.get("demo") is True else 0,
            1 if inflight else 0,
            self._owner if inflight else None,
            json.dumps(record, default=str),  # ASCII: even a lone surrogate is stored safely
            _level(record.get("battery_start")),
            _level(record.get("battery_end")),
        )

    # --- writing ------------------------------------------------------------------------------

    def _stamp(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A demo (``--speed``) episode is kept at the real time it started, marked as a demo."""
        record = dict(record)
        if self.demo:
            if self._demo_start is None:
                self._demo_start = datetime.now().astimezone().isoformat(timespec="seconds")
            record["start"] = self._demo_start
            record["demo"] = True
        return record

    def checkpoint(self, record: Mapping[str, Any]) -> bool:
        """Save the episode in flight, so a crash leaves it recoverable as interrupted."""
        if self._key is None:
            self._key = uuid.uuid4().hex
        self._checkpoint = (self._key, self._stamp(record))
        self._checkpoint_saved = False
        return self._store()

    def append(self, record: Mapping[str, Any]) -> bool:
        """Write an episode's final record (over its checkpoint); False when it is held back."""
        key = self._key or uuid.uuid4().hex
        self._pending[key] = self._stamp(record)
        self._key = self._demo_start = None
        self._checkpoint = None
        return self._store()

    @property
    def pending(self) -> int:
        """How many finished episodes wait in memory for the disk."""
        return len(self._pending)

    def flush(self) -> bool:
        """Write whatever is held back; False while the database still refuses."""
        return self._store()

    def _store(self) -> bool:
        rows = [self._row(key, record, inflight=False) for key, record in self._pending.items()]
        if self._checkpoint is not None and not self._checkpoint_saved:
            rows.append(self._row(*self._checkpoint, inflight=True))
        if not rows:
            return True
        if self.problem is not None:
            self._close()  # a fresh connection sees a file made writable again
        try:
            db = self._open()
            assert db is not None
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(UPSERT, rows)
                db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError) as error:
            self._close()  # opened afresh next time: the folder or the file may be fixed by then
            self._refused(error)
            return False
        self._pending.clear()
        self._checkpoint_saved = True
        if self.problem is not None:
            log.info("journal: %s is writable again; held-back sessions saved", self.path)
            self.problem = None
        if self.aside:
            with contextlib.suppress(OSError):
                self.inflight_path.unlink()
            self.aside = False
        return True

    def _refused(self, error: BaseException) -> None:
        first = self.problem is None
        self.problem = _reason(error)
        self._odd = _odd_text(error) if isinstance(error, NotARegularFile) else None
        self._foreign = _foreign(error)
        self.aside = self._write_aside()
        if first:
            self._warn(f"journal: {self.unsaved_text()}")

    def unsaved_text(self) -> str:
        """What the person is told while sessions wait to be saved."""
        where = "in memory while calmkit runs"
        if self.aside:
            where = f"in memory and in {self.inflight_path}"
        if self._odd is not None:
            return f"{self._odd}; this session is kept {where}"
        if self._foreign:
            return (
                f"could not save this session: {self.path} is damaged or not a calmkit journal "
                f"({self.problem}); it is kept {where}: move the file away and calmkit starts "
                f"a new journal, or set journal.path"
            )
        return (
            f"could not save this session ({self.problem}: {self.path}); it is kept {where} and "
            f"will be saved when the journal can be written again (calmkit tries at every "
            f"checkpoint, after every session and at the next start): free some space, fix the "
            f"file's or folder's owner and permissions, or set journal.path"
        )

    def _write_aside(self) -> bool:
        """Copy what the database refused to the side file, so a crash does not lose it."""
        entries = [{"key": k, "record": r} for k, r in self._pending.items()]
        if self._checkpoint is not None:
            entries.append({"key": self._checkpoint[0], "record": self._checkpoint[1]})
        tmp = self.inflight_path.with_name(self.inflight_path.name + ".tmp")
        if not self._regular(self.inflight_path) or _is_device(self.path):
            return False  # never beside a device: /dev/null.unsaved is no place for a session
        try:
            _make_folder(self.path.parent)
            fd = open_regular(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            try:
                data = json.dumps(entries, default=str).encode("ascii")
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.inflight_path)
        except OSError:
            return False
        return True

    def probe(self) -> str | None:
        """Really write a row and take it out again (for `calmkit doctor`); None when it works."""
        try:
            db = self._open()
            assert db is not None
            for sql in (
                "INSERT INTO meta VALUES ('doctor', 'probe')",
                "DELETE FROM meta WHERE name = 'doctor'",
            ):
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.execute(sql)
                    db.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                    raise
        except (sqlite3.Error, OSError) as error:
            self._close()
            self._foreign = _foreign(error)
            return _reason(error)
        return None

    def fix(self) -> str:
        """What the person can do about the last refused write or probe."""
        if self._foreign:
            return "move it away (calmkit starts a new journal) or set journal.path"
        return "free some space, fix its owner or permissions, or set journal.path"

    def recover(self) -> list[dict[str, Any]]:
        """At start: episodes a crash left in flight are kept as interrupted, and whatever an
        earlier run could not write (its side file) is written now. Returns the interrupted."""
        interrupted: list[dict[str, Any]] = []
        for entry in self._read_aside():
            self._pending.setdefault(entry["key"], entry["record"])
            if entry["record"].get("status") == "interrupted":
                interrupted.append(entry["record"])
        if self._pending:
            self.aside = True  # the side file stays until these are written
        try:
            db = self._open(create=bool(self._pending))
            rows = (
                []
                if db is None
                else db.execute(
                    "SELECT key, owner, record FROM episodes WHERE inflight = 1"
                ).fetchall()
            )
        except (sqlite3.Error, OSError) as error:
            self._close()
            self._refused(error)
            return interrupted
        for key, owner, text in rows:
            if key in self._pending or not self._owner_gone(owner):
                continue  # its final record was set aside; or another calmkit's, still running
            record = _parse_line(text) or {"status": "interrupted"}
            record["status"] = "interrupted"
            self._pending.setdefault(key, record)
            interrupted.append(record)
        self._store()
        return interrupted

    def _read_aside(self) -> list[dict[str, Any]]:
        if not self._regular(self.inflight_path):
            return []
        try:
            with os.fdopen(open_regular(self.inflight_path, os.O_RDONLY), "rb") as handle:
                data = handle.read(MAX_ASIDE_BYTES + 1)
            if len(data) > MAX_ASIDE_BYTES:
                raise ValueError("too large")
            entries = json.loads(data)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except (OSError, ValueError, RecursionError):
            self._warn(f"journal: {self.inflight_path} was unreadable and is left where it is")
            return []
        if not isinstance(entries, list):
            return []
        return [
            e
            for e in entries
            if isinstance(e, dict)
            and isinstance(e.get("key"), str)
            and isinstance(e.get("record"), dict)
        ]

    def _owner_gone(self, owner: Any) -> bool:
        boot, pid, token = ([*str(owner).split(), "", "", ""])[:3]
        if boot != BOOT_ID or not pid.isdigit():
            return True
        if int(pid) == os.getpid():
            return token != self._owner.split()[2]
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return _zombie(int(pid))

    # --- reading ------------------------------------------------------------------------------

    def _held(self) -> dict[str, dict[str, Any]]:
        """Records not in the database yet: this process's, and an earlier one's side file."""
        held = {e["key"]: e["record"] for e in (self._read_aside() if not self._pending else [])}
        return {**held, **self._pending}

    def _select(
        self,
        where: str = "",
        params: tuple[Any, ...] = (),
        skip: Iterable[str] = (),
        order: str = "id",
    ) -> Iterator[dict[str, Any]]:
        skip = set(skip)
        try:
            db = self._open(create=False)
            if db is not None:
                cursor = db.execute(
                    f"SELECT key, record FROM episodes {where} ORDER BY {order}", params
                )
                for key, text in cursor:
                    record = _parse_line(text)
                    if record is not None and key not in skip:
                        yield record
        except (sqlite3.Error, OSError) as error:
            self._close()
            if self.problem is None:  # (a refused write has already been told)
                self.problem = _reason(error)
                if isinstance(error, NotARegularFile):
                    self._warn(f"journal: {_odd_text(error)}")
                else:
                    self._warn(f"journal: cannot read {self.path} ({self.problem})")

    def in_flight(self) -> list[dict[str, Any]]:
        """What is not safely journaled yet: checkpoints in the database, and the side file."""
        aside = self._read_aside()
        rows = list(self._select("WHERE inflight = 1", skip=[e["key"] for e in aside]))
        return rows + [e["record"] for e in aside]

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record, oldest first, then those not written yet (held back, or set aside)."""
        held = self._held()
        yield from self._select(skip=held)
        yield from list(held.values())

    def read(self) -> list[dict[str, Any]]:
        return list(self.records())

    def between(self, first: datetime, last: datetime) -> list[dict[str, Any]]:
        """Records that started in [first, last), found through the index on the start."""
        since, until = first.timestamp(), last.timestamp()
        held = self._held()
        found = list(self._select("WHERE t >= ? AND t < ?", (since, until), skip=held))
        return found + [r for r in held.values() if _within(_epoch(start_time(r)), since, until)]

    def stream(self, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Finished records in start order (from ``since``), read one at a time, then those not
        written yet: the report folds 100,000 of them without holding them."""
        held = self._held()
        where, params = "WHERE inflight = 0", cast(tuple[Any, ...], ())
        if since is not None:
            where, params = "WHERE inflight = 0 AND t >= ?", (since.timestamp(),)
        yield from self._select(where, params, skip=held, order="t")  # the index: no sort
        first = None if since is None else since.timestamp()
        for record in list(held.values()):
            started = _epoch(start_time(record))
            if first is None or (started is not None and started >= first):
                yield record

    def query(self, sql: str, params: Mapping[str, Any] | tuple[Any, ...] = ()) -> list[Any]:
        """The rows of a read-only aggregate query (adaptive's counts): [] when there is no
        journal yet or it cannot be read (told once, as a read is)."""
        try:
            db = self._open(create=False)
            return [] if db is None else db.execute(sql, params).fetchall()
        except (sqlite3.Error, OSError) as error:
            self._close()
            if self.problem is None:
                self.problem = _reason(error)
                self._warn(f"journal: cannot read {self.path} ({self.problem})")
            return []

    def recent_starts(self, now: datetime, hours: float) -> list[datetime]:
        """Starts that count towards reach-out in the hours up to now (no demos, no short)."""
        first = now - timedelta(hours=max(0.0, hours))
        return recent_starts(self.between(first, now + timedelta(seconds=1)))


def episode_note(journal: Journal | None, helped: str, virtual: bool = False) -> str:
    """The line shown when an episode ends: whether it was really saved, and where not why."""
    if journal is None:
        why = "a virtual run is not saved" if virtual else "the journal is off in the config"
        return f"not journaled ({why}): helped {helped}"
    if journal.problem is not None:
        return f"{journal.unsaved_text()}. Helped: {helped}"
    if journal.demo:
        return f"journaled as a demo (kept out of history and reach-out): helped {helped}"
    return f"journaled: helped {helped}"


def _make_folder(folder: Path) -> None:
    """The journal's folder, private when calmkit makes it; a file in its place is named so."""
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def _odd_text(error: NotARegularFile) -> str:
    """The one line that names a journal file that is not a file, and how to fix it."""
    fix = "remove it or set journal.path"
    if error.kind == "a device" and not os.path.islink(error.filename):
        fix = "set journal.path to a file (never remove a device)"
    return f"{error.filename} is {error.kind}, not a file: {fix}"


def _foreign(error: BaseException) -> bool:
    """A database calmkit cannot use as it is (damaged, or another program's): no space or
    permission fixes it; moving it away does."""
    if isinstance(error, sqlite3.OperationalError):
        return "no such column" in str(error) or "has no column" in str(error)
    names = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
    name = str(getattr(error, "sqlite_errorname", ""))
    return isinstance(error, sqlite3.DatabaseError) and name.startswith(names)


def _is_device(path: Path) -> bool:
    with contextlib.suppress(OSError, ValueError):
        mode = os.stat(path).st_mode
        return stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
    return False


def _bounded_lines(handle: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """The lines of a file one at a time, never more than the limit in memory: a longer line
    is skipped unread (None), so a huge file or one without newlines streams through."""
    while line := handle.readline(limit + 1):
        if len(line) <= limit:
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = handle.readline(limit)
        yield None


def _within(t: float | None, since: float, until: float) -> bool:
    return t is not None and since <= t < until


def _zombie(pid: int) -> bool:
    """A process that has died but was not reaped yet still answers kill(pid, 0)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def _parse_line(line: bytes | str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def start_time(record: Mapping[str, Any]) -> datetime | None:
    """When an episode started, as an aware time; a time without an offset is taken as local."""
    value = record.get("start")
    if not isinstance(value, str):
        return None
    try:
        started = datetime.fromisoformat(value)
        return started if started.tzinfo is not None else started.astimezone()
    except (ValueError, OverflowError, OSError):
        return None


def _epoch(started: datetime | None) -> float | None:
    if started is None:
        return None
    try:
        return started.timestamp()
    except (ValueError, OverflowError, OSError):
        return None


def counts_for_reach_out(record: Mapping[str, Any]) -> bool:
    """Demos and accidental starts (under REACH_OUT_MIN_S) do not count."""
    return record.get("demo") is not True and _number(record.get("actual_s")) >= REACH_OUT_MIN_S


def recent_starts(records: Iterable[Mapping[str, Any]]) -> list[datetime]:
    """Start times of the episodes that count towards reach-out."""
    starts = []
    for record in records:
        started = start_time(record)
        if started is not None and counts_for_reach_out(record):
            starts.append(started)
    return starts


@dataclass(frozen=True)
class Day:
    """One row of `calmkit history`."""

    day: date
    sessions: int
    minutes: float
    helped: tuple[str, ...]


def day_bounds(today: date, days: int) -> tuple[datetime, datetime]:
    """The local midnights that open the first day and close today."""
    first = today - timedelta(days=days - 1)
    return (
        datetime.combine(first, time()).astimezone(),
        datetime.combine(today + timedelta(days=1), time()).astimezone(),
    )


def summarise(records: Iterable[Mapping[str, Any]], today: date, days: int = 7) -> list[Day]:
    """Sessions a day, minutes, and which programs were said to help, for the last ``days``.

    Demos (``--speed`` runs) are left out; times are shown in the local time zone.
    """
    first = today - timedelta(days=days - 1)
    buckets: dict[date, list[Mapping[str, Any]]] = {first + timedelta(d): [] for d in range(days)}
    for record in records:
        started = start_time(record)
        if started is None or record.get("demo") is True:
            continue
        with contextlib.suppress(ValueError, OverflowError, OSError):
            local = started.astimezone().date()
            if local in buckets:
                buckets[local].append(record)
    rows = []
    for day, items in buckets.items():
        minutes = sum(_number(r.get("actual_s")) for r in items) / 60.0
        helped: list[str] = []
        for record in items:
            if record.get("helped") == "yes":
                names = record.get("programs")
                for name in names if isinstance(names, list) else []:
                    if isinstance(name, str) and name not in helped:
                        helped.append(name)
        rows.append(Day(day, len(items), minutes, tuple(helped)))
    return rows


#: The longest a session can be (a program is at most 4 hours with its chain, and quiet time and
#: the pauses add to it): an old line claiming more, or less than nothing, counts as nothing.
MAX_RECORD_S = 24 * 3600.0


def _number(value: Any) -> float:
    """A number of seconds from a record, or 0 for anything else (text, null, inf, 10**400, 1e308,
    a negative length)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):
            number = float(value)
            return number if math.isfinite(number) and 0.0 <= number <= MAX_RECORD_S else 0.0
    return 0.0


def _level(value: Any) -> float | None:
    """A battery level (percent) from a record, or None (no battery, or not a number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return min(100.0, max(0.0, float(value)))
    return None


def battery_line(records: Iterable[Mapping[str, Any]]) -> str | None:
    """What history says of the battery: its level at the end of the latest session that had
    one, and whether that is low; None when no session had a battery."""
    from calmkit.core.battery import LOW_PERCENT, VERY_LOW_PERCENT

    latest: tuple[datetime, float] | None = None
    for record in records:
        level = _level(record.get("battery_end", record.get("battery_start")))
        started = start_time(record)
        if level is None or started is None:
            continue
        if latest is None or started > latest[0]:
            latest = (started, level)
    if latest is None:
        return None
    level = latest[1]
    state = (
        " (very low: only short programs start; charge it)"
        if level < VERY_LOW_PERCENT
        else " (low: charge it soon)"
        if level < LOW_PERCENT
        else ""
    )
    when = latest[0].astimezone().strftime("%a %d %b %H:%M")
    return f"Battery: {level:.0f} % at the end of the last session ({when}){state}."


def format_history(rows: list[Day]) -> str:
    lines = [f"{'day':<12}{'sessions':>9}{'minutes':>9}  helped"]
    for row in rows:
        helped = ", ".join(row.helped) or "-"
        lines.append(
            f"{row.day.strftime('%a %d %b'):<12}{row.sessions:>9}{row.minutes:>9.1f}  {helped}"
        )
    total = sum(r.sessions for r in rows)
    days = "day" if len(rows) == 1 else f"{len(rows)} days"
    lines.append(f"{total} session{'s' if total != 1 else ''} in the last {days}.")
    return "\n".join(lines)


def helped_counts(records: Iterable[Mapping[str, Any]]) -> dict[str, Counts]:
    """Per program, how the period's episodes answered "did that help?" (core/insights credit;
    demos left out)."""
    counts: dict[str, Counts] = {}
    for record in records:
        if record.get("demo") is not True:
            add_outcomes(counts, record)
    return counts


def format_helped(counts: Mapping[str, Counts]) -> str:
    """`calmkit history`'s lines under the table: per program, tried and helped as counts."""
    if not counts:
        return ""
    lines = ["Did it help, per program:"]
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1].tried, kv[0]))
    width = max(len(name) for name, _ in ranked)
    for name, said in ranked:
        lines.append(
            f"  {name:<{width}}  helped {said.yes} of {said.tried}"
            f"  (yes {said.yes} · no {said.no} · no answer {said.unknown})"
        )
    return "\n".join(lines)


def write_csv(records: Callable[[], Iterable[Mapping[str, Any]]], out: IO[str]) -> None:
    """Every record as CSV: the usual fields first, then any other field a record has.

    ``records`` is called twice (once to find the fields, once to write), so a large journal is
    streamed rather than held in memory.
    """
    names = list(FIELDS)
    seen = set(names)
    for record in records():
        for name in record:
            if name not in seen:
                seen.add(name)
                names.append(name)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for record in records():
        row = []
        for name in names:
            value = record.get(name, "")
            if isinstance(value, list):
                value = " ".join(map(str, value))
            elif isinstance(value, dict):
                value = json.dumps(value)
            row.append(value)
        writer.writerow(row)


def to_csv(records: Iterable[Mapping[str, Any]]) -> str:
    import io

    kept = list(records)
    out = io.StringIO()
    write_csv(lambda: kept, out)
    return out.getvalue()
