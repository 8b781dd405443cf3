"""Journal size: start-up and `calmkit history` with a journal of many sessions.

    python bench/journal_size.py [--sessions 100000] [--runs 3]

Writes an old-format JSON Lines journal of N sessions (one every ~15 minutes up to now, so the
last days hold about a hundred), then, each in a fresh process:

- the first start, which migrates it into SQLite (for reference: it happens once);
- start-up to ready (bench/startup.py's child: import, build with sound on, runner thread
  started) with that journal, and with an empty one beside it: start-up must not depend on the
  journal's size;
- `calmkit history` (the last 7 days) and `calmkit history --csv` (everything, to /dev/null).

Wall time is measured in the parent from the spawn to the end (or to "ready"); peak RSS is the
child's ru_maxrss (os.wait4). Reported: the median of the runs and the worst.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, emit
from startup import one_run


def write_old_journal(path: Path, sessions: int) -> None:
    now = datetime.now().astimezone().replace(microsecond=0)
    step = timedelta(minutes=15)
    with open(path, "w", encoding="utf-8") as out:
        for k in range(sessions):
            start = now - step * (sessions - k)
            record = {
                "start": start.isoformat(),
                "programs": ["calm", "winddown"] if k % 3 else ["ground"],
                "planned_s": 504.0,
                "actual_s": 300.0 + k % 200,
                "status": "completed",
                "pauses": k % 2,
                "items": 0,
                "squeeze_s": 0.0,
                "helped": ("yes", "no", "unknown")[k % 3],
            }
            out.write(json.dumps(record) + "\n")


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.setdefault("SDL_AUDIODRIVER", "dummy")
    e.setdefault("SDL_VIDEODRIVER", "dummy")
    e["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), e.get("PYTHONPATH")]))
    return e


def timed(argv: list[str], cwd: str) -> dict[str, float]:
    """Run a child to its end: wall time and peak RSS."""
    t0 = time.perf_counter()
    child = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env(), cwd=cwd
    )
    _, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{argv} failed ({child.returncode}): {err[:300]}")
    return {"s": took, "maxrss_mb": usage.ru_maxrss / 1024}


def summary(runs: list[dict[str, float]], key: str) -> dict[str, float]:
    values = [r[key] for r in runs]
    return {"median": statistics.median(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_start = list(os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = folder / "journal.jsonl"
        write_old_journal(old, args.sessions)
        old_mb = old.stat().st_size / 1e6
        database = folder / "journal.db"
        config = folder / "calmkit.yaml"
        config.write_text(f"journal: {{path: '{database}'}}\n")

        t0 = time.perf_counter()
        first = one_run(str(database))  # the first start: migrates the old journal
        migrate_s = time.perf_counter() - t0
        if old.exists() or not (folder / "journal.jsonl.migrated").exists():
            raise RuntimeError("the old journal was not migrated")
        db_mb = database.stat().st_size / 1e6

        ready = [one_run(str(database)) for _ in range(args.runs)]
        empty = [one_run(str(folder / "empty" / "journal.db")) for _ in range(args.runs)]
        calmkit = [sys.executable, "-m", "calmkit"]
        history = [
            timed([*calmkit, "history", "--config", str(config)], tmp) for _ in range(args.runs)
        ]
        csv_runs = [
            timed([*calmkit, "history", "--csv", "--config", str(config)], tmp)
            for _ in range(max(1, args.runs - 1))
        ]
        counted = subprocess.run(
            [*calmkit, "history", "--csv", "--config", str(config)],
            capture_output=True,
            text=True,
            env=env(),
            check=True,
        ).stdout.count("\n")
    emit(
        {
            "sessions": args.sessions,
            "runs": args.runs,
            "old_jsonl_mb": old_mb,
            "db_mb": db_mb,
            "migrate_ready_s": first["ready_s"],
            "migrate_total_s": migrate_s,
            "migrate_maxrss_mb": first["maxrss_mb"],
            "ready_s": summary(ready, "ready_s"),
            "ready_maxrss_mb": summary(ready, "maxrss_mb"),
            "empty_ready_s": summary(empty, "ready_s"),
            "empty_maxrss_mb": summary(empty, "maxrss_mb"),
            "history_s": summary(history, "s"),
            "history_maxrss_mb": summary(history, "maxrss_mb"),
            "csv_s": summary(csv_runs, "s"),
            "csv_maxrss_mb": summary(csv_runs, "maxrss_mb"),
            "csv_lines": counted,
            "loadavg_start": load_start,
        }
    )


if __name__ == "__main__":
    main()
