"""The order of sounds: nothing talks over anything, on the fake clock, without a sound device."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calmkit.core.soundorder import GAP_S, SoundLine, answered_by_a_press, is_cue
from calmkit.faces.cli import main
from helpers import rig

LENGTHS = {"chime_in": 0.8, "tick": 0.15, "bell_end": 4.0, "say_quiet_offer": 2.5, "name_box": 1.1}


def starts(sounds) -> list[tuple[str, float]]:
    return [(s.name, s.start) for s in sounds]


def test_a_voice_waits_for_the_bell_then_starts_when_it_ends():
    line = SoundLine(LENGTHS)
    assert line.ask("bell_end", 10.0) == [] and line.ask("say_quiet_offer", 10.0) == []
    assert starts(line.due(10.0)) == [("bell_end", 10.0)]  # the voice waits for the bell
    assert line.next_deadline() == 14.0 + GAP_S  # a breath after the bell's last sample
    assert line.due(14.0) == []
    assert starts(line.due(14.0 + GAP_S)) == [("say_quiet_offer", 14.0 + GAP_S)]
    assert line.next_deadline() is None
    assert line.quiet_at() == pytest.approx(16.5 + 2 * GAP_S)


def test_a_chime_goes_ahead_of_a_waiting_voice_which_then_waits_for_it():
    line = SoundLine(LENGTHS)
    assert line.ask("name_box", 0.0) == []
    assert starts(line.ask("tick", 0.0)) == [("tick", 0.0)]  # asked at the same moment: first
    assert line.due(0.0) == []  # the voice waits for the tick (0.15 s)
    t = 0.15 + GAP_S
    assert starts(line.ask("chime_in", t)) == [("chime_in", t)]  # on time, first
    assert line.next_deadline() == pytest.approx(t + 0.8 + GAP_S)
    assert starts(line.due(t + 0.8 + GAP_S + 1e-9)) == [("name_box", t + 0.8 + GAP_S + 1e-9)]


def test_a_chime_is_left_out_rather_than_played_over_a_voice():
    line = SoundLine(LENGTHS)
    line.ask("say_quiet_offer", 0.0)
    line.due(0.0)
    assert line.ask("chime_in", 1.0) == []
    assert line.quiet_at() == 2.5 + GAP_S
    assert starts(line.ask("chime_in", 2.6)) == [("chime_in", 2.6)]


def test_a_press_answers_the_prompts_still_waiting_but_not_the_others():
    line = SoundLine({**LENGTHS, "say_reach_out": 8.5, "say_ground_see": 2.2})
    line.ask("bell_end", 0.0)
    line.due(0.0)
    for name in ("say_quiet_offer", "say_reach_out", "name_box", "say_ground_see"):
        line.ask(name, 0.0)
    line.pressed()
    assert starts(line.due(4.1)) == [("say_reach_out", 4.1)]
    assert starts(line.due(12.7)) == [("say_ground_see", 12.7)]


def test_a_sound_with_no_length_is_silence_and_clear_stops_everything():
    line = SoundLine({**LENGTHS, "say_paused": 0.0})
    assert line.ask("say_paused", 0.0) == [] and line.ask("no_such", 0.0) == []
    assert line.quiet_at() is None
    line.ask("bell_end", 0.0)
    line.due(0.0)
    line.ask("name_box", 0.0)
    line.clear()
    assert line.next_deadline() is None
    assert starts(line.ask("tick", 1.0)) == [("tick", 1.0)]


def test_kinds_of_sound():
    assert is_cue("chime_hold") and is_cue("tick") and not is_cue("bell_end")
    assert not is_cue("say_press") and not is_cue("my_rain")
    assert answered_by_a_press("name_calm") and answered_by_a_press("say_did_it_help")
    assert not answered_by_a_press("say_reach_out") and not answered_by_a_press("say_ground_see")


def test_the_order_of_sounds_is_pure():
    code = "import sys, calmkit.core.soundorder\nprint(' '.join(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = proc.stdout.split()
    assert not [
        m for m in loaded if m.startswith(("pygame", "gpiozero", "wave", "calmkit.shell.audio"))
    ]


# --- whole programs: the `sound` events say when each sound starts and how long it is ----------


def assert_no_overlap(sounds: list[dict]) -> None:
    assert sounds, "no sounds at all"
    ordered = sorted(sounds, key=lambda s: s["t"])
    for before, after in itertools.pairwise(ordered):
        assert after["t"] >= before["t"] + before["length_s"] - 1e-6, (before, after)


def sound_events(r) -> list[dict]:
    return [e.to_dict() for e in r.kinds("sound")]


@pytest.mark.parametrize("program", ["box", "ground", "press", "calm"])
def test_play_fast_events_show_every_sound_and_none_overlap(program, capsys, monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    assert main(["play", program, "--fast", "--events"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    sounds = [e for e in events if e["event"] == "sound"]
    assert_no_overlap(sounds)
    phases = [e for e in events if e["event"] == "phase"]
    assert len(sounds) >= len([p for p in phases if p["phase"] != "rest"])  # every cue heard
    assert sounds[-1]["name"] == "bell_end"


def test_calm_then_the_quiet_offer_then_quiet_then_the_ask_never_overlap():
    r = rig()
    r.app.runner.start("calm")
    end = 503.966  # calm and its wind-down
    r.press(end + 1.0)  # during the end bell: quiet time, and the offer is never said
    r.run()
    sounds = sound_events(r)
    assert_no_overlap(sounds)
    names = [(s["name"], s["t"]) for s in sounds]
    calm_end, quiet_end = (e.t for e in r.kinds("session_end"))
    assert calm_end == pytest.approx(end)
    assert [n for n, t in names if t >= end] == [
        "bell_end",
        "bell_start",  # waits for the end bell
        "bell_end",
        "say_did_it_help",  # waits for the end bell
    ]
    assert "say_quiet_offer" not in [n for n, _ in names]  # answered before it was said
    assert names[-2:] == [("bell_end", quiet_end), ("say_did_it_help", quiet_end + 4.0 + GAP_S)]


def test_the_quiet_offer_is_said_after_the_end_bell_not_over_it():
    r = rig()
    r.app.runner.start("box")
    r.run()
    names = [(s["name"], s["t"]) for s in sound_events(r)]
    assert names[-3:] == [
        ("bell_end", 240.0),
        ("say_quiet_offer", 244.0 + GAP_S),  # after the bell, not over it
        ("say_did_it_help", 260.0),
    ]
    assert_no_overlap(sound_events(r))


def test_ground_presses_during_a_prompt_never_tick_over_the_voice():
    r = rig()
    r.app.runner.start("ground")
    for t in (0.5, 1.2, 3.0, 3.6, 4.4, 5.0, 6.0):  # the first two while "what you can see" is said
        r.press(t)
    r.at(60, lambda: r.app.runner.request_stop("test"))
    r.run()
    sounds = sound_events(r)
    assert_no_overlap(sounds)
    assert len(r.kinds("item")) == 7
    assert [s["name"] for s in sounds].count("tick") >= 3  # the presses after it are heard


def test_the_reach_out_voice_follows_the_end_bell_and_play_waits_for_it():
    r = rig("reach_out: {sessions: 1}\n", program="box")
    assert r.run() == "finished"
    sounds = sound_events(r)
    assert_no_overlap(sounds)
    bell, reach = sounds[-2:]
    assert (bell["name"], reach["name"]) == ("bell_end", "say_reach_out")
    assert reach["t"] == pytest.approx(bell["t"] + bell["length_s"] + GAP_S)
    # play is over only once the message has been heard out
    assert r.clock.now() >= reach["t"] + reach["length_s"] - 1e-3


def test_play_waits_for_its_last_sound_fifteen_seconds_at_most():
    r = rig(program="box")
    r.app.runner.sounds.lengths["bell_end"] = 60.0  # a user's very long bell
    r.run()
    (end,) = r.kinds("session_end")
    assert end.t + 15.0 <= r.clock.now() <= end.t + 15.0 + 1.0  # 15 s, then the 0.8 s fade


def test_under_speed_a_sound_still_takes_its_real_time_on_the_faster_clock():
    from calmkit.config import parse_config
    from calmkit.core.clock import FakeClock
    from calmkit.shell.app import audio_for, sound_line

    config = parse_config("", "test.yaml")
    line = sound_line(config, audio_for(config, print), FakeClock(speed=10.0))
    assert line.length("bell_end") == pytest.approx(40.0)  # 4 real seconds at --speed 10
    r = rig(speed=10.0, program="box")
    assert r.app.runner.sound_wait_s == pytest.approx(150.0)


NAMES = ["chime_in", "chime_out", "tick", "bell_end", "say_quiet_offer", "name_box", "say_paused"]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(st.floats(0, 3), st.sampled_from([*NAMES, "press"]), st.integers(1, 3)),
        max_size=40,
    )
)
def test_whatever_is_asked_for_started_sounds_never_overlap_and_cues_are_on_time(asks):
    lengths = {**LENGTHS, "chime_out": 1.0, "say_paused": 0.7}
    line = SoundLine(lengths)
    now, started = 0.0, []
    for dt, name, times in asks:
        deadline = line.next_deadline()
        if deadline is not None and deadline <= now + dt:  # the runner wakes at each turn
            started += line.due(max(now, deadline))
        now += dt
        if name == "press":
            line.pressed()
            continue
        for _ in range(times):  # several asked for at one moment, as at a session's end
            for sound in line.ask(name, now):
                assert is_cue(sound.name) and sound.start == now  # a cue: now or never
                started.append(sound)
        started += line.due(now)
    while (deadline := line.next_deadline()) is not None:
        started += line.due(deadline)
    for before, after in itertools.pairwise(started):
        assert after.start >= before.end + GAP_S - 1e-9, (before, after)


def test_play_fast_events_the_reach_out_voice_comes_after_the_end_bell(capsys, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("reach_out: {sessions: 1}\n")  # the first session already reaches out
    assert main(["play", "478", "--fast", "--events", "--config", str(config)]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    sounds = [e for e in events if e["event"] == "sound"]
    assert_no_overlap(sounds)
    end = next(e["t"] for e in events if e["event"] == "session_end")
    assert [(s["name"], s["t"]) for s in sounds[-2:]] == [
        ("bell_end", end),
        ("say_reach_out", pytest.approx(end + 4.0 + GAP_S)),
    ]


def test_quiet_at_counts_every_sound_still_waiting_with_its_gap():
    line = SoundLine({"bell_end": 2.0, "say_a": 1.0, "say_b": 3.0})
    assert line.quiet_at() is None  # nothing ever sounded
    line.ask("bell_end", 10.0)
    (bell,) = line.due(10.0)
    line.ask("say_a", 10.5)
    line.ask("say_b", 10.5)
    assert line.due(10.5) == []  # the bell is sounding: both wait
    assert line.quiet_at() == pytest.approx(bell.end + GAP_S + (1.0 + GAP_S) + (3.0 + GAP_S))
