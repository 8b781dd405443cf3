"""The runner's chores, each on its own due time: checkpoint, watchdog, pin history, sound card."""

import pytest

from calmkit.core.flow import IDLE, RUNNING
from calmkit.shell.chores import AUDIO_IDLE_S, CHECKPOINT_S, Chores


class Flow:
    def __init__(self, state=IDLE, record=None):
        self.state = state
        self.record = record

    def in_flight(self):
        return self.record


class Recorder:
    """A journal, a notifier and a sound card that note what they were asked."""

    def __init__(self, busy=False, watchdog_every=None):
        self.calls = []
        self.sounds: list[str] = []
        self.busy_now = busy
        self.every = watchdog_every
        self.last_ping = 0.0

    def checkpoint(self, record):
        self.calls.append(("checkpoint", record))
        return True

    def append(self, record):
        return True

    def flush(self):
        return True

    def next_watchdog(self):
        return None if self.every is None else self.last_ping + self.every

    def watchdog_due(self, now):
        return self.every is not None and now >= self.last_ping + self.every

    def ping_watchdog(self, now):
        self.last_ping = now
        self.calls.append(("ping", now))

    def play(self, name, volume_cap=1.0):
        self.sounds.append(name)  # the chores never play: a test may check that

    def stop(self):
        self.sounds.append("stop")

    def busy(self):
        return self.busy_now

    def suspend(self):
        self.calls.append(("suspend", None))


def test_nothing_to_do_means_no_wake_at_all():
    chores = Chores(Flow(), 0.0)
    chores.plan(drawing=True)
    assert chores.due is None  # an idle box sleeps with no deadline


def test_a_session_in_flight_is_checkpointed_every_thirty_seconds_until_it_ends():
    journal = Recorder()
    flow = Flow(RUNNING, {"programs": ["box"]})
    chores = Chores(flow, 0.0, journal=journal)
    chores.checkpoint.run(5.0)  # the session starts
    chores.plan(drawing=True)
    assert chores.due == 5.0 + CHECKPOINT_S
    chores.run(20.0, drawing=True)  # woken early (another chore): nothing due yet
    chores.run(35.0, drawing=True)
    assert journal.calls == [("checkpoint", flow.record)] * 2 and chores.due == 65.0
    chores.checkpoint.episode_ended()
    chores.plan(drawing=True)
    assert chores.due is None
    flow.record = None  # nothing in flight any more when it comes due: it stops by itself
    chores.checkpoint.run(70.0)
    assert chores.checkpoint.due is None


def test_the_watchdog_is_pinged_when_due_even_when_idle():
    notifier = Recorder(watchdog_every=10.0)
    chores = Chores(Flow(), 0.0, notifier=notifier)
    chores.plan(drawing=False)
    assert chores.due == 10.0
    chores.run(10.0, drawing=False)
    assert notifier.calls == [("ping", 10.0)] and chores.due == 20.0


def test_pin_history_is_cleared_on_its_time_and_waited_for_only_while_frames_are_drawn():
    cleared = []
    chores = Chores(Flow(), 0.0, clear_history=lambda: cleared.append(1), clear_every_s=60.0)
    chores.plan(drawing=False)
    assert chores.due is None  # no frames: the pins do not change, no wake for them
    chores.plan(drawing=True)
    assert chores.due == 60.0
    chores.run(60.0, drawing=True)
    assert cleared == [1] and chores.due == 120.0


@pytest.mark.parametrize(("busy", "state"), [(False, IDLE), (True, IDLE), (False, RUNNING)])
def test_the_sound_card_is_let_go_once_the_box_is_idle_and_quiet(busy, state):
    audio = Recorder(busy=busy)
    flow = Flow(IDLE)
    chores = Chores(flow, 0.0, audio=audio)
    chores.audio_idle.idle(2.0)
    chores.plan(drawing=False)
    assert chores.due == 2.0 + AUDIO_IDLE_S
    flow.state = state
    chores.run(chores.due, drawing=False)
    if state != IDLE:  # a session began meanwhile: the card stays, and no more checks
        assert audio.calls == [] and chores.due is None
    elif busy:  # a bell still ringing: look again later
        assert audio.calls == [] and chores.due == 2.0 + 2 * AUDIO_IDLE_S
    else:
        assert audio.calls == [("suspend", None)] and chores.due is None
        assert audio.sounds == []  # letting the card go plays nothing, stops nothing


def test_with_no_sound_card_idle_needs_no_wake():
    chores = Chores(Flow(), 0.0, audio=None)
    chores.audio_idle.idle(2.0)
    chores.plan(drawing=False)
    assert chores.due is None


def test_the_earliest_chore_wakes_the_runner():
    notifier = Recorder(watchdog_every=50.0)
    chores = Chores(
        Flow(RUNNING, {"x": 1}), 0.0, journal=Recorder(), notifier=notifier, audio=Recorder()
    )
    chores.checkpoint.run(0.0)
    chores.audio_idle.idle(40.0)
    chores.plan(drawing=False)
    assert chores.due == min(CHECKPOINT_S, 40.0 + AUDIO_IDLE_S, 50.0) == 30.0
