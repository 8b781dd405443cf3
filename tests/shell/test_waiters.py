"""How the runner waits: the clock says how long a deadline really takes; nothing else scales."""

import queue

import pytest

from calmkit.core.clock import FakeClock, ScaledClock
from calmkit.shell import waiters
from calmkit.shell.waiters import SLEEP_UNDER_S, QueueWaiter, VirtualWaiter


class Items:
    """A stand-in queue that records the timeout it is asked to block for (nothing blocks)."""

    def __init__(self, items=()):
        self.items = list(items)
        self.timeouts = []

    def empty(self):
        return not self.items

    def get_nowait(self):
        return self.items.pop(0)

    def get(self, timeout=None):
        self.timeouts.append(timeout)
        if not self.items:
            raise queue.Empty
        return self.items.pop(0)


@pytest.mark.parametrize("speed", [1.0, 4.0, 0.5])
def test_a_long_wait_blocks_on_the_queue_for_the_real_time_the_clock_says(speed):
    clock = FakeClock(start=100.0, speed=speed)
    items = Items()
    assert QueueWaiter(items, clock).wait(110.0) is None
    assert items.timeouts == [pytest.approx(10.0 / speed)]


def test_with_no_deadline_the_wait_has_no_timeout_and_an_item_comes_at_once():
    items = Items([("edge", True, 1.0)])
    waiter = QueueWaiter(items, FakeClock())
    assert waiter.wait(None) == ("edge", True, 1.0) and items.timeouts == [None]


def test_a_wait_of_a_frame_or_less_is_slept_then_the_queue_read(monkeypatch):
    slept = []
    monkeypatch.setattr(waiters.time, "sleep", slept.append)
    clock = FakeClock(start=0.0, speed=4.0)  # 0.08 s of this clock are 0.02 s of real time
    items = Items()
    waiter = QueueWaiter(items, clock)
    assert waiter.wait(0.08) is None
    assert slept == [pytest.approx(0.02)] and items.timeouts == []  # never a timed queue wait
    assert SLEEP_UNDER_S >= 0.02
    items.items.append(("stop", "now", 0.0))
    assert waiter.wait(0.08) == ("stop", "now", 0.0) and len(slept) == 1  # queued: no sleep
    assert waiter.wait(-1.0) is None and len(slept) == 1  # past: neither


def test_a_scaled_clocks_waiter_waits_a_speedth_of_the_clocks_time():
    clock = ScaledClock(10)
    items = Items()
    QueueWaiter(items, clock).wait(clock.now() + 5.0)
    assert items.timeouts[0] == pytest.approx(0.5, abs=0.01)


def test_a_virtual_waiter_moves_its_clock_to_each_deadline_and_plays_its_script():
    clock = FakeClock()
    items = queue.SimpleQueue()
    waiter = VirtualWaiter(items, clock)
    waiter.add(2.0, lambda: items.put(("edge", True, clock.now())))
    assert waiter.wait(1.0) is None and clock.now() == 1.0
    assert waiter.wait(5.0) == ("edge", True, 2.0) and clock.now() == 2.0
    assert waiter.wait(None) == ("stop", "nothing left to do", 2.0)
