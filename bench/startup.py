"""Start-up: from process start to ready (devices up, runner waiting for a press), and its RSS.

    python bench/startup.py [--runs 5]

Each run spawns a fresh ``python -c`` (the venv's interpreter, no -X flags) that imports
calmkit.shell.app, reads the default config (with a journal in a temporary folder, as ``calmkit
run`` opens one), builds the device on mock pins with sound on (SDL_AUDIODRIVER=dummy: pygame's
mixer is opened with SDL's dummy driver; calmkit may let it go again until the first sound), starts
the runner's thread, and prints "ready". The parent times from just before the spawn to reading that
line (interpreter start-up included), then reads the child's peak RSS (ru_maxrss) and current RSS
(VmRSS). Reported: the median and the worst run.
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
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import ROOT, emit

CHILD = r"""
import sys, time
t_main = time.perf_counter()
import resource, threading
from calmkit.shell.app import build
from calmkit.config import parse_config
from calmkit.devices.hardware import mock_factory, PinChoice
t_import = time.perf_counter()
config = parse_config("journal: {path: %r}\n", "startup.yaml")
app = build(config, pins=PinChoice(mock_factory(), True), sound=True)
thread = threading.Thread(target=app.runner.run, name="runner", daemon=True)
thread.start()
t_ready = time.perf_counter()
print("ready", flush=True)
def vmrss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
import json
info = {
    "import_s": t_import - t_main,
    "build_s": t_ready - t_import,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "vmrss_mb": vmrss(),
    "audio_open": bool(app.audio is not None and app.audio.is_open),
    "audio_state": getattr(app.audio, "_state", None),
    "pygame_loaded": "pygame" in sys.modules,
    "threads": threading.active_count(),
}
print(json.dumps(info), flush=True)
app.runner.request_stop("bench over")
thread.join()
app.close()
"""


def one_run(journal: str) -> dict[str, Any]:
    env = dict(os.environ)
    env.setdefault("SDL_AUDIODRIVER", "dummy")
    env.setdefault("SDL_VIDEODRIVER", "dummy")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    code = CHILD % journal
    with tempfile.TemporaryFile("w+") as errors:
        t0 = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
            cwd=tempfile.gettempdir(),
        )
        assert child.stdout is not None
        line = child.stdout.readline()
        ready = time.perf_counter() - t0
        # read the rest through the same buffered file (communicate() would bypass its buffer)
        rest = child.stdout.read()
        child.wait(timeout=60)
        errors.seek(0)
        err = errors.read()
    if line.strip() != "ready" or child.returncode != 0 or not rest.strip():
        raise RuntimeError(f"start-up child failed ({child.returncode}): {line}{rest}{err}")
    info = json.loads(rest.strip().splitlines()[-1])
    return {"ready_s": ready, **info, "stderr": err.strip()[:300]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load_start = list(os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        journal = os.path.join(tmp, "journal.jsonl")
        one_run(journal)  # warm the disk cache: a box starts from a warm-ish cache too
        runs = [one_run(journal) for _ in range(args.runs)]
    ready = [r["ready_s"] for r in runs]
    rss = [r["maxrss_mb"] for r in runs]
    emit(
        {
            "runs": len(runs),
            "ready_s_median": statistics.median(ready),
            "ready_s_max": max(ready),
            "ready_s_min": min(ready),
            "import_s_median": statistics.median(r["import_s"] for r in runs),
            "build_s_median": statistics.median(r["build_s"] for r in runs),
            "maxrss_mb_median": statistics.median(rss),
            "maxrss_mb_max": max(rss),
            "vmrss_mb_median": statistics.median(r["vmrss_mb"] for r in runs),
            "audio_open": all(r["audio_open"] for r in runs),
            "audio_state": runs[-1].get("audio_state"),
            "pygame_loaded": all(r["pygame_loaded"] for r in runs),
            "threads": runs[-1]["threads"],
            "child_stderr": runs[-1]["stderr"],
            "loadavg_start": load_start,
        }
    )


if __name__ == "__main__":
    main()
