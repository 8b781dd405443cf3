"""Report speed: `calmkit report` and adaptive's start-up query on a journal of many sessions.

    python bench/report_speed.py [--sessions 100000] [--runs 3]

Writes a synthetic SQLite journal of N sessions (one every ~15 minutes up to now, mixed programs,
answers, "not helping" paths and quiet time), then, each in a fresh process:

- `calmkit report` (the sentences, no charts), `calmkit report -o FILE.pdf`, `-o FILE.png`;
- `calmkit suggest` with adaptive on (one aggregate query over the whole journal);
- for reference, the start-up query alone, timed in this process.

Wall time is measured in the parent from the spawn to the end; peak RSS is the child's ru_maxrss
(the parent stays small: on Linux a child's peak starts from its parent's at the fork).
Reported: the median of the runs and the worst.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, emit

PROGRAMS = ("calm", "sigh", "box", "coherent", "winddown")


def synthetic_record(rng: random.Random, start: datetime) -> dict:
    """One plausible episode: a program, maybe "not helping" on to ground, maybe quiet time."""
    first = rng.choice(PROGRAMS)
    tried, left = [first], []
    if rng.random() < 0.2:
        left.append(first)
        tried.append("ground")
    if rng.random() < 0.3:
        tried.append("quiet")
    helped = rng.choice(("yes", "yes", "no", "unknown"))
    actual = rng.uniform(20, 900)
    record = {
        "start": start.isoformat(timespec="seconds"),
        "programs": tried,
        "planned_s": 600.0,
        "actual_s": round(actual, 1),
        "status": "completed",
        "pauses": 0,
        "items": 0,
        "squeeze_s": 0.0,
        "helped": helped,
        "tried": tried,
    }
    if left:
        record["not_helping"] = left
    return record


def write_journal(path: Path, sessions: int, seed: int = 1) -> None:
    """A journal as calmkit writes it (its schema), filled in one transaction."""
    from calmkit.shell.journal import SCHEMA

    rng = random.Random(seed)
    now = datetime.now().astimezone().replace(microsecond=0)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)

    def rows():  # one at a time: a child's peak RSS starts from its parent's at the fork
        for k in range(sessions):
            start = now - timedelta(minutes=15 * (sessions - k))
            record = synthetic_record(rng, start)
            yield (f"k{k}", start.timestamp(), record["actual_s"], 0, 0, None, json.dumps(record))

    db.executemany(
        "INSERT INTO episodes (key, t, actual_s, demo, inflight, owner, record) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    db.commit()
    db.close()
    os.chmod(path, 0o600)


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child."""
    begin = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - begin
    if status != 0:
        raise SystemExit(f"{argv} failed: {child.stderr.read().decode() if child.stderr else ''}")
    return wall, usage.ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        journal = base / "journal.db"
        made = time.perf_counter()
        write_journal(journal, args.sessions)
        written_s = time.perf_counter() - made
        config = base / "calmkit.yaml"
        config.write_text(f"journal: {{path: {journal}}}\nadaptive: {{enabled: true}}\n")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
        calmkit = [sys.executable, "-m", "calmkit", "--config", str(config)]
        cases = {
            "report (sentences)": ["report"],
            "report -o PDF": ["report", "-o", str(base / "r.pdf")],
            "report -o PNG": ["report", "-o", str(base / "r.png")],
            "suggest (adaptive)": ["suggest"],
        }
        results: dict[str, dict[str, float]] = {}
        for name, tail in cases.items():
            walls, rss = [], []
            for _ in range(args.runs):
                wall, peak = timed([*calmkit[:3], tail[0], *calmkit[3:], *tail[1:]], env)
                walls.append(wall)
                rss.append(peak)
            results[name] = {
                "median_s": round(statistics.median(walls), 3),
                "worst_s": round(max(walls), 3),
                "peak_rss_mb": round(max(rss), 1),
            }
        sys.path.insert(0, str(ROOT / "src"))
        from calmkit.core.adaptive import AdaptiveConfig, Learner
        from calmkit.shell.insights import fill
        from calmkit.shell.journal import Journal

        query = []
        for _ in range(args.runs):
            learner = Learner(AdaptiveConfig(True), "calm", PROGRAMS, random.Random(0))
            begin = time.perf_counter()
            fill(
                learner,
                Journal(journal),
                datetime(2000, 1, 1, 21).time(),
                datetime(2000, 1, 1, 7).time(),
            )
            query.append(time.perf_counter() - begin)
        results["adaptive start-up query (in process)"] = {
            "median_s": round(statistics.median(query), 3),
            "worst_s": round(max(query), 3),
            "episodes_counted": learner.episodes,
        }
    for name, figures in results.items():
        print(f"{name}: {figures}")
    emit(
        {
            "bench": "report_speed",
            "sessions": args.sessions,
            "journal_written_s": round(written_s, 2),
            "results": results,
        }
    )


if __name__ == "__main__":
    main()
