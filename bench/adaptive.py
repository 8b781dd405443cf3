"""Adaptive: how many episodes until a press starts what helps this person.

    python bench/adaptive.py [--people 400] [--episodes 200] [--seed 1]

Synthetic people, each with three programs: one helps 80 % of the time, two help 30 %; the
default (the first menu entry, started for the first ``first_episodes``) is one of the 30 % ones,
and which of the other two is the best differs from person to person. Every episode asks
core.adaptive.Learner (the code the device runs) what to start, and the person answers "did that
help?" yes with that program's chance, else no. All at night (one time-of-day bucket).

Reported: the first episode from which at least 80 % of people start the best program (and stay
at or above it), the share that started it and the share of episodes that helped, against always
starting the default (which never starts the best one: 30 % helped).
"""

from __future__ import annotations

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import emit
from calmkit.core.adaptive import AdaptiveConfig, Learner

MENU = ("calm", "sigh", "box")
GOOD, POOR = 0.8, 0.3


def simulate(people: int, episodes: int, seed: int, settings: AdaptiveConfig) -> dict:
    best_share = [0] * episodes
    helped_share = [0] * episodes
    master = random.Random(seed)
    for _ in range(people):
        best = master.choice(MENU[1:])  # the default, calm, is a poor one
        chance = {name: GOOD if name == best else POOR for name in MENU}
        learner = Learner(settings, MENU[0], MENU, random.Random(master.random()))
        for k in range(episodes):
            name = learner.choose(night=True).program
            helped = master.random() < chance[name]
            learner.add({"tried": [name], "helped": "yes" if helped else "no"}, night=True)
            best_share[k] += name == best
            helped_share[k] += helped
    shares = [n / people for n in best_share]
    reached = next(
        (k + 1 for k in range(episodes) if all(s >= 0.8 for s in shares[k:])),
        None,
    )
    marks = [settings.first_episodes, 20, 30, 50, 100, episodes]
    return {
        "episodes_to_80pc_best": reached,
        "best_started_at": {
            m: round(shares[m - 1], 3) for m in sorted(set(marks)) if m <= episodes
        },
        "helped_share_all_episodes": round(sum(helped_share) / (people * episodes), 3),
        "helped_share_last_50": round(sum(helped_share[-50:]) / (people * min(50, episodes)), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = {"bench": "adaptive", "people": args.people, "episodes": args.episodes}
    for explore in (0.2, 1.0):
        settings = AdaptiveConfig(True, first_episodes=10, explore=explore)
        figures = simulate(args.people, args.episodes, args.seed, settings)
        result[f"adaptive explore={explore:g}"] = figures
        print(f"adaptive (first 10 fixed, explore {explore:g}): {figures}")
    fixed = AdaptiveConfig(False)
    figures = simulate(args.people, args.episodes, args.seed, fixed)
    result["always the default"] = figures
    print(f"always the default: {figures}")
    emit(result)


if __name__ == "__main__":
    main()
