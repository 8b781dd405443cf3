"""frames.next_change: the next frame on the grid whose written values change, and only that."""

import math

import pytest

from calmkit.core.cues import Caps
from calmkit.shell import frames as frames_module
from calmkit.shell.caps import LOOKUP_EVERY_S, CapsLookup
from calmkit.shell.frames import SETTLED, Frame, Next, next_change

FPS = 50
DAY = Caps(1.0, 1.0, 1.0)
NIGHT = Caps(0.3, 0.2, 0.5)
STEPS = 100


def q(x: float) -> float:
    return round(x * STEPS) / STEPS


class Track:
    """A stand-in for Runner._work_out: the light rises by ``rate`` a second on steps of 1/100
    until ``top``; animating until ``end``."""

    def __init__(self, end: float = math.inf, rate: float = 0.1, top: float = 1.0) -> None:
        self.end, self.rate, self.top = end, rate, top
        self.asked: list[tuple[float, Caps]] = []

    def __call__(self, t: float, caps: Caps) -> Frame:
        self.asked.append((t, caps))
        return Frame(((q(min(self.top, t * self.rate) * caps.brightness),),), t < self.end)


def lookup(wanted=DAY, dark=True) -> CapsLookup:
    return CapsLookup(lambda: wanted, lambda: dark)


def scan(work_out, k=0, until=None, written=((0.0,),), since=(0.0,), gaps=(0.0,), caps=None):
    return next_change(k, 0.0, FPS, until, caps or lookup(), work_out, written, since, gaps)


def test_a_frame_is_a_tuple_with_named_fields():
    frame = Frame(((0.5,), (0.2,)), True)
    assert frame.duties == ((0.5,), (0.2,)) and frame.animating
    duties, animating = frame  # the runner unpacks it as cheaply as a tuple
    assert (duties, animating) == (((0.5,), (0.2,)), True) and isinstance(frame, tuple)


def test_the_frames_that_change_nothing_are_skipped():
    # rising 0.1 a second on steps of 0.01 (rounded): a step at 0.05 s, then every 0.1 s
    found = scan(Track(), k=1)
    assert found is not None and found.k == 3  # 0.06 s: the first frame past 0.05
    assert found.frame == Frame(((0.01,),), True)
    again = scan(Track(), k=4, written=found.frame.duties)
    assert again is not None and again.k == 8  # 0.16 s: past 0.15, four frames skipped


def test_every_step_the_grid_shows_is_found_in_order():
    """Stepping from each change to the next finds the same distinct values, at the same
    frames, as drawing every frame would (the same smoothness)."""
    track = Track(rate=0.37)
    every = [track(k / FPS, DAY).duties for k in range(0, 200)]
    changes = [k for k in range(1, 200) if every[k] != every[k - 1]]
    found, written, k = [], every[0], 1
    while (after := scan(Track(rate=0.37), k=k, written=written, until=200 / FPS)) is not None:
        if after.frame is None:  # the caps lookup's horizon: step on from there
            k = after.k
            continue
        found.append(after.k)
        written, k = after.frame.duties, after.k + 1
    assert found == changes and len(changes) < 200


def test_a_steady_level_needs_no_frame_before_the_deadline():
    assert scan(Track(rate=0.0), until=4.0) is None  # a hold: nothing until the flow's deadline
    assert scan(Track(rate=0.0, end=1.0)) is SETTLED  # settled: nothing at all


def test_the_scan_stops_at_the_flows_deadline_and_after_scan_s():
    track = Track(rate=0.0)
    assert scan(track, until=0.1) is None
    assert len(track.asked) == 5  # 0, 0.02 ... 0.08: the flow changes at 0.1
    dark = Track(rate=0.0)
    assert scan(dark) == Next(round(frames_module.SCAN_S * FPS), None)  # step on from there
    assert len(dark.asked) == round(frames_module.SCAN_S * FPS)
    # something shown, which new caps would change: no further than the next caps lookup
    lit = Track(rate=0.0, top=0.5)
    lit.rate = 1e9  # at 0.5 from the first frame
    assert scan(lit, k=1, written=((0.5,),)) == Next(1 + round(LOOKUP_EVERY_S * FPS), None)


def test_a_paced_output_takes_a_change_only_after_its_gap():
    # two outputs: the lamp (no gap) and a haptic (0.04 s, 25 a second)
    def work_out(t: float, caps: Caps) -> Frame:
        return Frame(((0.0,), (q(t),)), True)  # the second rises a step every 0.01 s

    written, since, found = ((0.0,), (0.0,)), (0.0, 0.0), []
    k = 1
    while len(found) < 5:
        after = next_change(k, 0.0, FPS, None, lookup(), work_out, written, since, (0.0, 0.04))
        assert after is not None and after.frame is not None
        t = after.k / FPS
        found.append(t)
        written, since, k = after.frame.duties, (0.0, t), after.k + 1
    assert found == pytest.approx([0.04, 0.08, 0.12, 0.16, 0.2])  # 25 a second, not 50
    assert written == ((0.0,), (0.2,))


def test_a_value_a_paced_output_settles_on_too_soon_is_written_when_its_gap_allows():
    def work_out(t: float, caps: Caps) -> Frame:
        return Frame(((0.5,),), False)  # settled at once on a new value

    after = next_change(1, 0.0, FPS, None, lookup(), work_out, ((0.0,),), (0.01,), (0.1,))
    assert after == Next(6, Frame(((0.5,),), False))  # 0.01 + 0.1 -> frame 6 (0.12 s)
    assert next_change(1, 0.0, FPS, 0.1, lookup(), work_out, ((0.0,),), (0.01,), (0.1,)) is None


def test_the_scan_follows_a_caps_fade_frame_by_frame():
    wanted = [DAY]
    caps = CapsLookup(lambda: wanted[0], lambda: False)  # lit: new caps fade in
    caps.at(0.0)
    wanted[0] = NIGHT
    work_out = Track(rate=1.0)  # full from 1 s on: then only the fading cap changes it
    after = scan(work_out, k=50, written=((1.0,),), caps=caps)
    assert after is not None and after.frame is not None
    assert after.frame.duties[0][0] < 1.0  # the cap fading down changes the written value
    brightness = [c.brightness for _, c in work_out.asked]
    assert brightness[0] == pytest.approx(1.0) and all(b < 1.0 for b in brightness[1:])
    steady = Track(rate=0.0)
    scan(steady, until=1.0)
    assert {c for _, c in steady.asked} == {DAY}  # no fade: one lookup for the whole scan
