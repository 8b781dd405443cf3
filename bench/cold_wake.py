"""Cold wakes: what touching memory costs right after a sleep, against touching it awake.

    python bench/cold_wake.py [--rounds 4]

Why the runner rehearses a long wait (shell/runner.py, Runner._rehearse): 200 small objects
spread over about 10 MB are touched once awake, and once right after sleeping 20 ms, 0.25 s,
1 s and 5 s. On a Pi the difference is cold caches and a CPU clocked down after idle; on the
bench machine (a virtual machine) it is far larger, and it is what made the sleeping runner's
boundaries late. Prints one JSON object: the microseconds of each touch, per sleep.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import emit

SLEEPS_S = (0.0, 0.02, 0.25, 1.0, 5.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(1)
    objects = [[i] * 50 for i in range(20000)]  # about 10 MB of lists, each on its own
    picked = rng.sample(range(len(objects)), 200)

    def touch() -> int:
        return sum(objects[i][0] for i in picked)

    result: dict[str, object] = {"objects_touched": len(picked), "load_start": os.getloadavg()}
    for sleep_s in SLEEPS_S:
        touches = []
        for _ in range(args.rounds):
            touch()  # warm
            time.sleep(sleep_s)
            start = time.perf_counter()
            touch()
            touches.append(round((time.perf_counter() - start) * 1e6, 1))
        result[f"after_{sleep_s:g}_s_us"] = touches
    emit(result)


if __name__ == "__main__":
    main()
