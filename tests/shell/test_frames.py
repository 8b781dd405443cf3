"""The runner's work-ahead cache: the frames of the coming second, worked out in one go."""

import pytest

from calmkit.core.cues import Caps
from calmkit.shell import frames as frames_module
from calmkit.shell.caps import CapsLookup
from calmkit.shell.frames import Frame, FramesAhead

FPS = 50
DAY = Caps(1.0, 1.0, 1.0)
NIGHT = Caps(0.3, 0.2, 0.5)


class Track:
    """A stand-in for Runner._work_out: the light rises with time; animating until ``end``."""

    def __init__(self, end: float = float("inf")) -> None:
        self.end = end
        self.asked: list[tuple[float, Caps]] = []

    def __call__(self, t: float, caps: Caps) -> Frame:
        self.asked.append((t, caps))
        return Frame(((t * caps.brightness,), (0.0,)), t < self.end)


def lookup(wanted=DAY, dark=True) -> CapsLookup:
    return CapsLookup(lambda: wanted, lambda: dark)


def test_a_frame_is_a_tuple_with_named_fields():
    frame = Frame(((0.5,), (0.2,)), True)
    assert frame.duties == ((0.5,), (0.2,)) and frame.animating
    duties, animating = frame  # the runner unpacks it as cheaply as a tuple
    assert (duties, animating) == (((0.5,), (0.2,)), True) and isinstance(frame, tuple)


def test_a_second_of_frames_is_worked_out_at_once_and_handed_out_by_number():
    ahead, work_out = FramesAhead(), Track()
    first = ahead.fill(10, 100.0, FPS, None, lookup(), work_out)
    assert [t for t, _ in work_out.asked] == pytest.approx([100.0 + k / FPS for k in range(10, 60)])
    assert first == work_out(100.0 + 10 / FPS, DAY)
    assert ahead.get(10) == first and ahead.get(59) is not None
    assert ahead.get(9) is None and ahead.get(60) is None  # before and after: work it out again
    ahead.clear()
    assert ahead.get(10) is None


def test_frames_end_before_the_flows_next_deadline_and_with_the_animations_last_frame():
    ahead, work_out = FramesAhead(), Track()
    ahead.fill(0, 0.0, FPS, 0.1, lookup(), work_out)
    assert len(ahead.frames) == 5  # 0, 0.02 ... 0.08: the flow changes at 0.1
    ahead, work_out = FramesAhead(), Track(end=0.05)
    ahead.fill(0, 0.0, FPS, None, lookup(), work_out)
    assert [f.animating for f in ahead.frames] == [True, True, True, False]  # the fade's end
    ahead.fill(7, 0.0, FPS, 0.0, lookup(), Track())
    assert len(ahead.frames) == 1  # a deadline already due: still the frame asked for


def test_ahead_s_bounds_the_work(monkeypatch):
    monkeypatch.setattr(frames_module, "AHEAD_S", 0.0)
    ahead = FramesAhead()
    ahead.fill(0, 0.0, FPS, None, lookup(), Track())
    assert len(ahead.frames) == 1  # each frame when it is due


def test_frames_ahead_follow_a_caps_fade_frame_by_frame():
    wanted = [DAY]
    caps = CapsLookup(lambda: wanted[0], lambda: False)  # lit: new caps fade in
    caps.at(0.0)
    wanted[0] = NIGHT
    work_out = Track()
    FramesAhead().fill(50, 0.0, FPS, None, caps, work_out)
    brightness = [c.brightness for _, c in work_out.asked]
    assert brightness[0] == pytest.approx(1.0) and brightness[-1] < brightness[0]
    assert all(b > a for a, b in zip(brightness[1:], brightness)), "falls every frame"
    steady = Track()
    FramesAhead().fill(0, 0.0, FPS, None, lookup(), steady)
    assert {c for _, c in steady.asked} == {DAY}  # no fade: one lookup for the whole second
