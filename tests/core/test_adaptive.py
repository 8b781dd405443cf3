"""Adaptive: Thompson sampling on what helped, bounded, night and day apart, seeded."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from calmkit.core.adaptive import NIGHT, AdaptiveConfig, Learner

ON = AdaptiveConfig(True, first_episodes=3, explore=0.2)
MENU = ("calm", "sigh", "box", "quiet")


def learner(settings=ON, seed=1, menu=MENU):
    return Learner(settings, "calm", menu, random.Random(seed))


def feed(learner, name, helped, n, night=NIGHT):
    learner.add({"tried": [name], "helped": helped}, night, n)


def test_the_first_episodes_start_the_fixed_program():
    it = learner()
    feed(it, "sigh", "yes", 2)
    choice = it.choose(NIGHT)
    assert choice.program == "calm"
    assert choice.reason.startswith("calm: the first 3 sessions start it (2 so far)")
    feed(it, "sigh", "yes", 1)
    assert it.choose(NIGHT).program == "sigh"


def test_off_means_the_default_whatever_helped():
    it = learner(AdaptiveConfig(False))
    feed(it, "sigh", "yes", 50)
    assert {it.choose(NIGHT).program for _ in range(50)} == {"calm"}


def test_what_helped_at_night_is_started_at_night_and_said_why():
    it = learner()
    feed(it, "sigh", "yes", 7)
    feed(it, "sigh", "no", 2)
    feed(it, "box", "yes", 1)
    feed(it, "box", "no", 3)
    feed(it, "box", "yes", 9, night=False)  # by day box is the one
    picks = [it.choose(True).program for _ in range(200)]
    assert picks.count("sigh") >= 160
    assert it.choose(True).reason in (
        "sigh: helped 7 of 9 times at night",
        *(
            f"{n}: {s}; trying it now and then"
            for n, s in (
                ("box", "helped 1 of 4 times at night"),
                ("calm", "not tried at night yet"),
            )
        ),
    )
    by_day = [it.choose(False).program for _ in range(200)]
    assert by_day.count("box") >= 160


def test_never_a_program_left_out_of_the_menu_nor_quiet_time():
    it = learner(AdaptiveConfig(True, 0, 1.0), menu=("calm", "box", "quiet"))
    feed(it, "sigh", "yes", 100)  # helped, but not in the menu
    feed(it, "quiet", "yes", 100)
    assert {it.choose(NIGHT).program for _ in range(300)} <= {"calm", "box"}


def test_exploration_is_bounded_by_the_setting():
    for explore, most in ((0.0, 0), (0.2, 0.2 * 2000 * 1.15)):
        it = learner(AdaptiveConfig(True, 0, explore), seed=3, menu=("calm", "sigh"))
        feed(it, "sigh", "yes", 3)
        feed(it, "sigh", "no", 2)
        feed(it, "calm", "yes", 2)
        feed(it, "calm", "no", 2)  # close: plain Thompson sampling would try calm often
        others = sum(it.choose(NIGHT).program != "sigh" for _ in range(2000))
        assert others <= most
    plain = learner(AdaptiveConfig(True, 0, 1.0), seed=3, menu=("calm", "sigh"))
    feed(plain, "sigh", "yes", 3)
    feed(plain, "sigh", "no", 2)
    feed(plain, "calm", "yes", 2)
    feed(plain, "calm", "no", 2)
    assert sum(plain.choose(NIGHT).program != "sigh" for _ in range(2000)) > 0.2 * 2000 * 1.15


def test_the_same_seed_gives_the_same_choices():
    def run(seed):
        it = learner(AdaptiveConfig(True, 0, 1.0), seed=seed)
        return [it.choose(NIGHT).program for _ in range(50)]

    assert run(5) == run(5)
    assert len(set(run(5))) > 1


def test_fallbacks_are_ordered_by_what_helped_ties_keep_their_order():
    it = learner()
    assert it.order(("ground", "press"), NIGHT) == ("ground", "press")  # too early to learn
    feed(it, "press", "yes", 5)
    feed(it, "ground", "no", 5)
    assert it.order(("ground", "press"), NIGHT) == ("press", "ground")
    assert it.order(("ground", "press"), False) == ("ground", "press")  # nothing by day


def test_demos_teach_nothing():
    it = learner()
    it.add({"tried": ["sigh"], "helped": "yes", "demo": True}, NIGHT, 10)
    assert it.episodes == 0 and it.stats("sigh", NIGHT).tried == 0


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    menu=st.lists(st.sampled_from(["calm", "sigh", "box", "quiet", "ground"]), max_size=5),
    answers=st.lists(
        st.tuples(
            st.sampled_from(["calm", "sigh", "box", "quiet", "press", "ground"]),
            st.sampled_from(["yes", "no", "unknown"]),
            st.booleans(),
        ),
        max_size=40,
    ),
    first=st.integers(0, 5),
    explore=st.floats(0, 1),
    seed=st.integers(0, 2**16),
)
def test_a_choice_is_always_the_default_or_a_menu_program(menu, answers, first, explore, seed):
    it = Learner(AdaptiveConfig(True, first, explore), "calm", tuple(menu), random.Random(seed))
    for name, helped, night in answers:
        it.add({"tried": [name], "helped": helped}, night)
    allowed = {m for m in menu if m != "quiet"} or {"calm"}
    for night in (True, False):
        choice = it.choose(night)
        assert choice.program in allowed | {"calm"} and choice.reason.startswith(choice.program)
        assert set(it.order(("press", "ground"), night)) == {"press", "ground"}
