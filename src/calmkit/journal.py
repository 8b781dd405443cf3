"""The private journal: one JSON line per episode, appended, flushed and fsynced.

Nothing is ever rewritten in place. A power cut can tear only the last line, which is skipped on
read. An episode in flight is checkpointed to a small side file (written atomically), so after a
crash the next start records it as interrupted. A full or read-only disk never stops a session:
the journal warns once, keeps the lines in memory and writes them when it can.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

log = logging.getLogger("calmkit.journal")

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
)


def default_path(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """$STATE_DIRECTORY under systemd, else $XDG_STATE_HOME or ~/.local/state, /calmkit."""
    env = os.environ if environ is None else environ
    state_dir = env.get("STATE_DIRECTORY", "").split(":")[0]
    if state_dir:
        return Path(state_dir) / "journal.jsonl"
    base = env.get("XDG_STATE_HOME") or str((home or Path.home()) / ".local" / "state")
    return Path(base) / "calmkit" / "journal.jsonl"


class Journal:
    """Appends records to a JSON Lines file; see the module text for the guarantees."""

    def __init__(self, path: Path, warn: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.inflight_path = self.path.with_name(self.path.name + ".inflight")
        self._warn = warn or log.warning
        self._pending: list[dict[str, Any]] = []
        self._warned = False

    # --- writing ------------------------------------------------------------------------------

    def _problem(self, action: str, error: OSError) -> None:
        if not self._warned:
            reason = error.strerror or str(error)
            self._warn(
                f"journal: cannot {action} {self.path} ({reason}); sessions still run and are "
                f"kept in memory until it can be written: free some space or fix the folder's "
                f"permissions"
            )
            self._warned = True

    def append(self, record: Mapping[str, Any]) -> bool:
        """Write one record (and any held back earlier); False when the disk refused."""
        self._pending.append(dict(record))
        return self.flush()

    @property
    def pending(self) -> int:
        """How many records wait in memory for the disk."""
        return len(self._pending)

    def flush(self) -> bool:
        """Write the records held back (by a full or read-only disk); False if still refused."""
        if not self._pending:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if os.fstat(fd).st_size > 0 and not self._ends_with_newline():
                    os.write(fd, b"\n")  # a line torn by a power cut stays a line of its own
                while self._pending:
                    line = json.dumps(self._pending[0], ensure_ascii=False) + "\n"
                    _write_all(fd, line.encode("utf-8"))
                    os.fsync(fd)
                    self._pending.pop(0)
            finally:
                os.close(fd)
        except OSError as error:
            self._problem("write to", error)
            return False
        if self._warned:
            log.info("journal: %s is writable again; held-back sessions written", self.path)
            self._warned = False
        return True

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    def checkpoint(self, record: Mapping[str, Any]) -> None:
        """Save the episode in flight, atomically, so a crash leaves it recoverable."""
        tmp = self.inflight_path.with_name(self.inflight_path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _write_all(fd, json.dumps(dict(record)).encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.inflight_path)
        except OSError as error:
            self._problem("checkpoint to", error)

    def clear_checkpoint(self) -> None:
        with contextlib.suppress(FileNotFoundError, OSError):
            self.inflight_path.unlink()

    def recover(self) -> dict[str, Any] | None:
        """At start: an episode left in flight by a crash is journaled as interrupted."""
        try:
            text = self.inflight_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            self._problem("read", error)
            return None
        try:
            record = json.loads(text)
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except ValueError:
            self._warn(f"journal: {self.inflight_path} was unreadable and is set aside")
            self.clear_checkpoint()
            return None
        record["status"] = "interrupted"
        if self.append(record):
            self.clear_checkpoint()
        return record

    # --- reading ------------------------------------------------------------------------------

    def read(self) -> list[dict[str, Any]]:
        """Every whole record, oldest first; torn or damaged lines are skipped."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return list(self._pending)
        except OSError as error:
            self._problem("read", error)
            return list(self._pending)
        records = []
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                continue
            if isinstance(record, dict):
                records.append(record)
        return records + list(self._pending)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def start_time(record: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(record.get("start")))
    except (TypeError, ValueError):
        return None


def recent_starts(records: Iterable[Mapping[str, Any]]) -> list[datetime]:
    """Start times of journaled episodes, for the reach-out count."""
    return [t for t in map(start_time, records) if t is not None]


@dataclass(frozen=True)
class Day:
    """One row of `calmkit history`."""

    day: date
    sessions: int
    minutes: float
    helped: tuple[str, ...]


def summarise(records: Iterable[Mapping[str, Any]], today: date, days: int = 7) -> list[Day]:
    """Sessions a day, minutes, and which programs were said to help, for the last ``days``."""
    first = today - timedelta(days=days - 1)
    buckets: dict[date, list[Mapping[str, Any]]] = {first + timedelta(d): [] for d in range(days)}
    for record in records:
        started = start_time(record)
        if started is not None and started.date() in buckets:
            buckets[started.date()].append(record)
    rows = []
    for day, items in buckets.items():
        minutes = sum(_number(r.get("actual_s")) for r in items) / 60.0
        helped: list[str] = []
        for record in items:
            if record.get("helped") == "yes":
                for name in record.get("programs") or []:
                    if isinstance(name, str) and name not in helped:
                        helped.append(name)
        rows.append(Day(day, len(items), minutes, tuple(helped)))
    return rows


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def format_history(rows: list[Day]) -> str:
    lines = [f"{'day':<12}{'sessions':>9}{'minutes':>9}  helped"]
    for row in rows:
        helped = ", ".join(row.helped) or "-"
        lines.append(
            f"{row.day.strftime('%a %d %b'):<12}{row.sessions:>9}{row.minutes:>9.1f}  {helped}"
        )
    total = sum(r.sessions for r in rows)
    lines.append(f"{total} session{'s' if total != 1 else ''} in the last {len(rows)} days.")
    return "\n".join(lines)


def to_csv(records: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for record in records:
        row = []
        for name in FIELDS:
            value = record.get(name, "")
            row.append(" ".join(map(str, value)) if isinstance(value, list) else value)
        writer.writerow(row)
    return out.getvalue()
