"""Programs unroll into exact plans; ramps move one way; chains resolve and refuse loops."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calmkit.core.programs import (
    Breathe,
    Program,
    ProgramError,
    Quiet,
    Step,
    Steps,
    block_problems,
    breath_rates,
    chain_order,
    expand,
    step_problems,
)

BOX = Program(
    "box",
    blocks=(
        Steps(
            (Step("inhale", 4), Step("hold", 4), Step("exhale", 4), Step("hold", 4)), total_s=240
        ),
    ),
)


def test_box_is_fifteen_cycles_of_four_second_phases():
    plan = expand("box", {"box": BOX})
    assert len(plan.steps) == 60
    assert [p.phase for p in plan.steps[:4]] == ["inhale", "hold", "exhale", "hold"]
    assert all(p.step.seconds == 4 for p in plan.steps)
    assert [p.start_s for p in plan.steps] == [4.0 * i for i in range(60)]
    assert plan.total_s == 240.0


def test_total_time_rounds_to_the_nearest_whole_cycle():
    block = Steps((Step("inhale", 2), Step("inhale", 1), Step("exhale", 6)), total_s=300)
    plan = expand("sigh", {"sigh": Program("sigh", blocks=(block,))})
    assert len(plan.steps) == 33 * 3  # 300 / 9 = 33.3 cycles -> 33
    assert plan.total_s == 297.0


def test_coherent_rate_splits_each_breath_evenly():
    block = Breathe(rate=5.5, total_s=300)
    plan = expand("c", {"c": Program("c", blocks=(block,))})
    inhales = [p.step.seconds for p in plan.steps if p.phase == "inhale"]
    exhales = [p.step.seconds for p in plan.steps if p.phase == "exhale"]
    assert inhales == pytest.approx([60 / 5.5 / 2] * 27)
    assert exhales == pytest.approx(inhales)
    assert plan.total_s == pytest.approx(27 * 60 / 5.5)


def test_winddown_ramps_from_eleven_to_six_over_eighty_percent_then_holds():
    block = Breathe(rate=11, to_rate=6, ramp=0.8, ratio_in=1, ratio_out=1.5, total_s=480)
    rates = breath_rates(block)
    assert rates[0] == 11
    assert all(a >= b for a, b in pairwise(rates))
    assert rates[-1] == 6
    plan = expand("w", {"w": Program("w", blocks=(block,))})
    first_in, first_out = plan.steps[0].step.seconds, plan.steps[1].step.seconds
    assert first_in + first_out == pytest.approx(60 / 11)
    assert first_out / first_in == pytest.approx(1.5)
    # the ramp is over by 80 % of the time: every breath starting after 384 s is at 6/min
    t = 0.0
    for rate in rates:
        if t >= 0.8 * 480 + 1e-9:
            assert rate == 6
        t += 60 / rate
    assert abs(plan.total_s - 480) < 60 / 6 / 2 + 1e-9


@given(
    st.floats(3, 20),
    st.floats(3, 20),
    st.floats(0, 1),
    st.floats(60, 1800),
)
def test_ramps_are_monotonic_from_start_to_end_rate(start, end, ramp, total):
    rates = breath_rates(Breathe(rate=start, to_rate=end, ramp=ramp, total_s=total))
    lo, hi = min(start, end), max(start, end)
    assert all(lo - 1e-9 <= r <= hi + 1e-9 for r in rates)
    pairs = list(pairwise(rates))
    if end <= start:
        assert all(a >= b - 1e-12 for a, b in pairs)
    else:
        assert all(a <= b + 1e-12 for a, b in pairs)


def test_holds_sit_between_the_breaths():
    block = Breathe(rate=4, hold_in_s=4, hold_out_s=2, cycles=2)
    plan = expand("h", {"h": Program("h", blocks=(block,))})
    assert [p.phase for p in plan.steps] == ["inhale", "hold", "exhale", "hold"] * 2
    assert plan.steps[0].step.seconds == pytest.approx((15 - 6) / 2)
    assert plan.total_s == pytest.approx(30)


def test_chains_run_in_order_and_rounds_repeat():
    lib = {
        "a": Program(
            "a",
            blocks=(Steps((Step("inhale", 1), Step("exhale", 1)), cycles=1),),
            rounds=2,
            then=("b",),
        ),
        "b": Program("b", blocks=(Steps((Step("rest", 3),)),)),
    }
    plan = expand("a", lib)
    assert [(p.program, p.phase) for p in plan.steps] == [
        ("a", "inhale"),
        ("a", "exhale"),
        ("a", "inhale"),
        ("a", "exhale"),
        ("b", "rest"),
    ]
    assert plan.programs == ("a", "b")
    assert plan.total_s == 7


def test_a_looping_chain_names_the_loop():
    lib = {"a": Program("a", then=("b",)), "b": Program("b", then=("a",))}
    with pytest.raises(ProgramError, match=r"the chain loops: a -> b -> a"):
        chain_order("a", lib)
    with pytest.raises(ProgramError, match="no program named 'zz'"):
        chain_order("zz", lib)


def test_quiet_time_rings_bells_and_fades_out_over_the_last_thirty_seconds():
    plan = expand(
        "q", {"q": Program("q", blocks=(Quiet(300, interval_bell_s=120, fade_out_s=30),))}
    )
    assert [(p.phase, p.step.seconds, p.step.sound) for p in plan.steps] == [
        ("quiet", 120, "bell_start"),
        ("quiet", 120, "bell_interval"),
        ("quiet", 30, "bell_interval"),
        ("rest", 30, ""),
    ]
    assert plan.end_sound == "bell_end"
    assert plan.total_s == 300


def test_safety_rules_refuse_long_holds_and_fast_light():
    assert step_problems(Step("hold", 20)) == []
    assert step_problems(Step("hold", 21)) == [
        ("seconds", "a hold of 21 s is too long; holds are at most 20 s")
    ]
    assert step_problems(Step("blink", 0.3)) == [
        (
            "seconds",
            "a blink of 0.3 s would change the light faster than 3 times a second; "
            "make it at least 0.4 s",
        )
    ]
    assert step_problems(Step("blink", 0.4)) == []
    assert step_problems(Step("hold", 0.1)) == []  # a hold does not move the light
    assert step_problems(Step("inhale", 0)) == [("seconds", "an inhale must last more than 0 s")]
    assert step_problems(Step("gasp", 2))[0][0] == "phase"
    assert block_problems(Breathe(rate=30, hold_in_s=1, hold_out_s=1))[0][0] == "rate"
    assert block_problems(Breathe(rate=6, hold_in_s=25))[0] == (
        "hold_in",
        "a hold of 25 s is too long; holds are at most 20 s",
    )


def test_a_chain_of_thousands_expands_without_recursion():
    """chain_order walks its own stack: 5,000 programs in a row is no RecursionError."""
    count = 5000
    lib = {
        f"p{i}": Program(
            f"p{i}",
            blocks=(Steps((Step("rest", 1),)),),
            then=(f"p{i + 1}",) if i + 1 < count else (),
        )
        for i in range(count)
    }
    assert chain_order("p0", lib) == [f"p{i}" for i in range(count)]
    assert expand("p0", lib).total_s == count
    long_loop = {**lib, f"p{count - 1}": Program(f"p{count - 1}", then=("p0",))}
    with pytest.raises(ProgramError, match=r"the chain loops: p0 -> p1 -> .* -> p0"):
        chain_order("p0", long_loop)


def test_a_program_chained_twice_runs_twice():
    lib = {
        "a": Program("a", then=("b", "c")),
        "b": Program("b", then=("c",)),
        "c": Program("c"),
    }
    assert chain_order("a", lib) == ["a", "b", "c", "c"]
