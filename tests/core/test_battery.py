"""The battery as the flow sees it (core/battery.py): low once until charged, very low choosing
a short program, never refusing one."""

from __future__ import annotations

from calmkit.config import parse_config
from calmkit.core.battery import LONG_PROGRAM_S, Battery, choose_short, planned_s

LIBRARY = parse_config("", "test.yaml").programs
MENU = ("calm", "sigh", "box", "478", "coherent", "winddown", "ground", "press", "blink", "quiet")


def test_low_is_told_once_until_charged_above_the_rearm_level():
    battery = Battery()
    assert battery.state() == "unknown" and not battery.reading(None)
    assert not battery.reading(50.0) and battery.state() == "ok"
    assert battery.reading(14.9) and battery.low and battery.state() == "low"
    assert not battery.reading(12.0)
    assert not battery.reading(16.0)  # wobbling round 15 %: not again
    assert not battery.reading(14.0)
    assert not battery.reading(21.0)  # charged
    assert battery.reading(14.0)
    assert battery.reading(4.0) is False and battery.very_low and battery.state() == "very low"


def test_a_gauge_that_stops_answering_is_neither_low_nor_very_low():
    battery = Battery()
    battery.reading(3.0)
    battery.reading(None)
    assert not battery.low and not battery.very_low


def test_very_low_starts_the_shortest_short_program_of_the_same_kind():
    assert planned_s("calm", LIBRARY) > LONG_PROGRAM_S  # three sighs, then the wind-down
    assert choose_short("calm", MENU, LIBRARY) == "478"  # breathing, for breathing
    assert choose_short("box", MENU, LIBRARY) == "box"  # short already: itself
    assert choose_short("winddown", MENU, LIBRARY) == "478"  # 76 s, the shortest breathing
    assert planned_s("478", LIBRARY) < min(planned_s(n, LIBRARY) for n in ("box", "sigh"))


def test_with_no_short_program_the_chosen_one_still_starts():
    assert choose_short("winddown", ("winddown", "quiet"), LIBRARY) == "winddown"
    # no short breathing program: the shortest short one of any kind
    assert choose_short("winddown", ("winddown", "ground", "blink"), LIBRARY) == "blink"
