"""What an episode journals and when reach-out speaks: only what ran, once, whatever the clock."""

from datetime import datetime, timedelta

import pytest

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.core.episode import (
    REACH_OUT_MIN_S,
    UNKNOWN,
    YES,
    Episode,
    EpisodeDraft,
    reach_out_crossed,
    reach_out_due,
    tally,
)
from calmkit.core.flow import IDLE, Flow, FlowSettings
from calmkit.core.gestures import DOUBLE, HOLD, Gesture
from calmkit.shell.journal import Journal
from helpers import rig

LIBRARY = parse_config("", "test.yaml").programs
WALL = datetime(2026, 3, 2, 22, 0).astimezone()


def kinds(events, kind):
    return [e for e in events if e.kind == kind]


def flow_at(wall=WALL, recent_starts=(), **settings):
    clock = FakeClock(wall_start=wall)
    base = FlowSettings(
        **{"quiet_offer_s": 20, "helped_s": 30, "reach_out_sessions": 3, **settings}
    )
    return Flow(LIBRARY, clock, base, recent_starts), clock


def until(flow, clock, state):
    events = []
    while flow.state != state:
        clock.advance_to(flow.next_deadline())
        events += flow.tick()
    return events


def episode(flow, clock, seconds: float, program="box"):
    """Start ``program``, stop it after ``seconds`` with a hold-less double, answer nothing."""
    events = flow.start(program)
    clock.advance(seconds)
    events += flow.tick()
    events += flow.handle(Gesture(DOUBLE, clock.now()))
    events += until(flow, clock, IDLE)
    return events


def test_a_not_helping_hold_in_calms_first_seconds_journals_only_what_ran():
    flow, clock = flow_at()
    flow.start("calm")
    clock.advance(3.0)
    flow.tick()
    events = flow.handle(Gesture(HOLD, clock.now(), 0.8))  # not helping: on to ground
    assert kinds(events, "not_helping")[0].data["switch_to"] == "ground"
    clock.advance(5.0)
    events = flow.tick() + flow.stop()
    (end,) = kinds(events, "episode_end")
    assert end.data["programs"] == ["calm", "ground"]  # not winddown: it never started


def test_a_chain_that_ran_on_is_journaled_whole():
    flow, clock = flow_at()
    flow.start("calm")
    clock.advance(3 * 9 + 5)  # three cyclic sighs done, five seconds into winddown
    flow.tick()
    (end,) = kinds(flow.stop(), "episode_end")
    assert end.data["programs"] == ["calm", "winddown"]


def test_reach_out_speaks_once_when_the_threshold_is_crossed_not_after_every_session():
    flow, clock = flow_at()
    spoken = [bool(kinds(episode(flow, clock, 60), "reach_out")) for _ in range(5)]
    assert spoken == [False, False, True, False, False]


def test_sessions_shorter_than_10_s_do_not_count_towards_reach_out():
    flow, clock = flow_at()
    spoken = [bool(kinds(episode(flow, clock, s), "reach_out")) for s in (5, 9, 60, 60, 3, 60)]
    assert spoken == [False, False, False, False, False, True]


def test_demos_do_not_count_towards_reach_out():
    flow, clock = flow_at(demo=True)
    assert not any(kinds(episode(flow, clock, 60), "reach_out") for _ in range(5))


@pytest.mark.parametrize(
    "jump", [timedelta(days=3650), timedelta(days=-3650), timedelta(days=1)], ids=str
)
def test_reach_out_survives_a_wall_clock_jump(jump):
    """Two sessions, the wall clock jumps, two more: only sessions in the window count."""
    flow, clock = flow_at()
    episode(flow, clock, 60)
    episode(flow, clock, 60)
    flow.clock = jumped = FakeClock(clock.now(), wall_start=clock.wall() + jump)
    spoken = [bool(kinds(episode(flow, jumped, 60), "reach_out")) for _ in range(3)]
    assert spoken == [False, False, True]  # the two before the jump are out of the window
    assert len(flow.recent_starts) <= 5  # what it keeps stays small


def test_reach_out_plays_when_sessions_pile_up():
    earlier = [WALL - timedelta(hours=h) for h in (1, 5, 30)]
    flow, clock = flow_at(recent_starts=earlier, reach_out_sessions=4)
    assert not kinds(episode(flow, clock, 60), "reach_out")  # two earlier in 24 h + this one = 3
    events = episode(flow, clock, 60)
    assert kinds(events, "reach_out")
    assert kinds(events, "sound")[-1].data["name"] == "say_reach_out"


def test_reach_out_can_be_turned_off():
    flow, clock = flow_at(recent_starts=[WALL - timedelta(hours=1)] * 5, reach_out=False)
    assert not kinds(episode(flow, clock, 60), "reach_out")


def test_reach_out_counts_only_the_window():
    now = datetime(2026, 3, 1, 12, 0)
    starts = [now - timedelta(hours=h) for h in (1, 2, 3, 25)]
    assert not reach_out_due(starts, now, 4, 24)
    assert reach_out_due(starts, now, 3, 24)
    edge, later = now - timedelta(hours=24), now + timedelta(seconds=1)
    assert reach_out_due([edge], now, 1, 24)  # exactly a day ago: still in the window
    assert not reach_out_due([later], now, 1, 24)  # after now (the clock was set back): not


def test_reach_out_crossed_is_about_the_latest_episode():
    now = WALL
    before = [now - timedelta(hours=h) for h in (1, 2)]
    assert reach_out_crossed(before, now, now, 3, 24)
    assert not reach_out_crossed([*before, now], now, now, 3, 24)  # already crossed
    assert not reach_out_crossed(before[:1], now, now, 3, 24)


def test_reach_out_across_starts_reads_the_journal_not_the_whole_journal(tmp_path):
    """The box reads only the last day's starts: the two today count, a demo and old ones not."""
    journal = Journal(tmp_path / "journal.db")
    base = {"programs": ["box"], "actual_s": 60.0, "status": "completed", "helped": "yes"}
    for start in (WALL - timedelta(hours=1), WALL - timedelta(hours=2), WALL - timedelta(days=3)):
        journal.append({**base, "start": start.isoformat()})
    journal.append({**base, "start": (WALL - timedelta(hours=3)).isoformat(), "demo": True})
    journal.append({**base, "start": "2026-03-02T21:30:00"})  # an old line: no offset, local
    r = rig("reach_out: {sessions: 4}\n", wall=WALL, journal=Journal(journal.path))
    assert len(r.app.flow.recent_starts) == 3
    r.app.runner.start("box")
    r.press(40.0, length=0.1)
    r.press(40.2, length=0.1)  # a double: stop, then "did that help?"
    assert r.run() == "nothing left to do"
    assert kinds(r.events, "reach_out")
    assert r.app.flow.state == IDLE


def test_a_speed_run_is_journaled_at_the_real_time_as_a_demo(tmp_path):
    journal = Journal(tmp_path / "journal.db", demo=True)
    future = "2036-03-02T23:10:00+00:00"  # where a --speed clock's wall time runs off to
    before = datetime.now().astimezone().replace(microsecond=0)
    journal.checkpoint({"start": future, "status": "interrupted"})
    journal.append({"start": future, "status": "completed", "actual_s": 600})
    (saved,) = Journal(journal.path).read()
    assert saved["demo"] is True
    started = datetime.fromisoformat(saved["start"])
    assert before <= started <= datetime.now().astimezone()
    assert Journal(journal.path).recent_starts(started, 24) == []


def test_a_new_process_does_not_speak_again_once_the_threshold_was_crossed(tmp_path):
    """`calmkit play` is a new process each time: the crossing is worked out from the journal."""
    journal = Journal(tmp_path / "journal.db")
    base = {"programs": ["box"], "actual_s": 60.0, "status": "completed", "helped": "yes"}
    for hours in (1, 2, 3, 4):
        journal.append({**base, "start": (WALL - timedelta(hours=hours)).isoformat()})
    r = rig("reach_out: {sessions: 4}\n", wall=WALL, journal=Journal(journal.path))
    r.app.runner.start("box")
    r.press(40.0, length=0.1)
    r.press(40.2, length=0.1)
    assert r.run() == "nothing left to do"
    assert kinds(r.events, "episode_end") and not kinds(r.events, "reach_out")


def test_tally_counts_only_real_episodes_and_keeps_only_the_window():
    old, recent = WALL - timedelta(hours=30), WALL - timedelta(hours=1)

    def ran(seconds):
        return Episode(WALL, ("box",), 60.0, seconds, "completed")

    counted = tally([old, recent], ran(REACH_OUT_MIN_S), WALL, 2, 24)
    assert counted.starts == (recent, WALL) and counted.crossed  # 10 s is enough; the old one goes
    short = tally([old, recent], ran(REACH_OUT_MIN_S - 0.1), WALL, 2, 24)
    assert short.starts == (recent,) and not short.crossed
    demo = tally([recent], ran(60.0), WALL, 2, 24, demo=True)
    assert demo.starts == (recent,) and not demo.crossed
    edge = WALL - timedelta(hours=24)  # exactly at the window's edge: still in
    assert tally([edge], ran(60.0), WALL, 2, 24).starts == (edge, WALL)


def test_a_draft_journals_what_ran_and_its_squeezes():
    draft = EpisodeDraft(WALL, clock="unsynced")
    draft.add_squeeze(10.0, 12.5)
    draft.add_squeeze(20.0, 19.0)  # a clock that stepped back adds nothing, never less
    assert draft.squeeze_s == 2.5
    record = draft.finish(YES).to_record()
    assert record == {
        "start": WALL.isoformat(timespec="seconds"),
        "programs": [],
        "planned_s": 0.0,
        "actual_s": 0.0,
        "status": "completed",
        "pauses": 0,
        "items": 0,
        "squeeze_s": 2.5,
        "helped": "yes",
        "clock": "unsynced",
    }
    assert "clock" not in EpisodeDraft(WALL).finish(UNKNOWN).to_record()
    rounded = Episode(WALL, ("box",), 12.34, 5.67, "stopped", squeeze_s=1.26).to_record()
    assert (rounded["planned_s"], rounded["actual_s"], rounded["squeeze_s"]) == (12.3, 5.7, 1.3)


def test_an_interrupted_snapshot_leaves_the_draft_as_it_was():
    flow, clock = flow_at()
    flow.start("box")
    clock.advance(12.34)
    flow.tick()
    record = flow.in_flight()
    assert record["status"] == "interrupted" and record["helped"] == "unknown"
    assert record["programs"] == ["box"] and record["actual_s"] == 12.3
    assert flow._draft.programs == [] and flow._draft.actual_s == 0.0  # the session adds at its end
    (end,) = kinds(flow.stop(), "episode_end")
    assert end.data["actual_s"] == 12.3 and end.data["status"] == "stopped"


def test_a_draft_adds_its_sessions_programs_in_order_and_their_pauses():
    from calmkit.core.programs import Program, Step, Steps, expand
    from calmkit.core.session import Session

    library = {
        "x": Program("x", blocks=(Steps((Step("inhale", 4), Step("exhale", 4))),), then=("y",)),
        "y": Program("y", blocks=(Steps((Step("inhale", 4),)),)),
    }
    clock = FakeClock(wall_start=WALL)
    draft = EpisodeDraft(WALL)
    journaled = []
    for name, pauses, run_s in (("x", 1, 5.0), ("y", 2, 1.0), ("x", 0, 1.0)):
        session = Session(expand(name, library), clock)
        session.start()
        for _ in range(pauses):
            session.pause()
            session.resume()
        clock.advance(run_s)
        session.update()
        session.stop()
        draft.add(session)
        journaled.append(list(draft.programs))
    # x stopped in its last step, before its chain to y began: y is not journaled for it
    assert journaled == [["x"], ["x", "y"], ["x", "y", "x"]]
    assert draft.pauses == 3 and draft.actual_s == 7.0 and draft.status == "stopped"


@pytest.mark.parametrize(
    ("synced", "note"), [(True, None), (False, "unsynced"), (None, "unsynced")]
)
def test_an_episode_notes_a_wall_clock_not_known_to_be_right(synced, note):
    clock = FakeClock(wall_start=WALL, synced=synced)
    flow = Flow(LIBRARY, clock, FlowSettings())
    flow.start("box")
    clock.advance(12)
    flow.tick()
    (end,) = kinds(flow.stop(), "episode_end")
    assert end.data.get("clock") == note


def test_stopping_at_the_crossing_journals_the_episode_but_does_not_speak():
    flow, clock = flow_at(recent_starts=[WALL - timedelta(hours=h) for h in (1, 2)])
    flow.start("box")
    clock.advance(60)
    flow.tick()
    events = flow.stop()  # calmkit going off (a signal): no voice now
    assert kinds(events, "episode_end") and not kinds(events, "reach_out")
    assert len(flow.recent_starts) == 3  # it still counts
