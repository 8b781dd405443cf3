"""The `calmkit` command as a person meets it: output, exit codes, and never a traceback."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from calmkit.faces.cli import main
from calmkit.shell.journal import Journal


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_play_box_fast_events_prints_fifteen_cycles_and_ends_at_240(capsys):
    code, out, err = run(capsys, "play", "box", "--fast", "--events")
    assert code == 0 and err == ""
    events = [json.loads(line) for line in out.splitlines()]
    assert events[0] == {"t": 0.0, "event": "session_start", "program": "box", "planned_s": 240.0}
    phases = [e for e in events if e["event"] == "phase"]
    assert [p["phase"] for p in phases] == ["inhale", "hold", "exhale", "hold"] * 15
    assert all(p["duration_s"] == 4.0 for p in phases)
    assert [p["t"] for p in phases] == [4.0 * i for i in range(60)]
    assert [e for e in events if e["event"] != "sound"][-1] == {
        "t": 240.0,
        "event": "session_end",
        "status": "completed",
        "actual_s": 240.0,
    }


def test_play_fast_without_events_prints_plain_phase_lines(capsys):
    code, out, _ = run(capsys, "play", "478", "--fast")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "0:00  478: 76 s"
    assert lines[1] == "0:00  Breathe in  4 s"  # the window's words; --events has the names
    assert lines[2] == "0:04  Hold  7 s"
    assert "1:16  end: completed" in lines


def test_an_unknown_program_suggests_the_nearest(capsys):
    code, _out, err = run(capsys, "play", "boxx", "--fast")
    assert code == 2
    assert (
        err == "calmkit: there is no program 'boxx'. Did you mean 'box'? See `calmkit programs`.\n"
    )


def test_programs_lists_every_program_with_its_length(capsys):
    code, out, _ = run(capsys, "programs")
    assert code == 0
    assert " 1 *calm          8:24  Three cyclic sighs, then a slowing wind-down" in out
    assert " 3  box           4:00" in out


def test_programs_are_listed_in_menu_order_with_their_number_then_the_rest(tmp_path, capsys):
    from calmkit.config import load_config

    config = tmp_path / "c.yaml"
    config.write_text("menu: [quiet, box, calm]\n")
    code, out, _ = run(capsys, "programs", "--config", str(config))
    assert code == 0
    rows = out.splitlines()[:-2]
    assert [row.split()[:2] for row in rows[:3]] == [["1", "quiet"], ["2", "box"], ["3", "*calm"]]
    others = [name for name in load_config(config).programs if name not in ("quiet", "box", "calm")]
    assert rows[3].startswith(f"    {others[0]} ")  # not in the menu: no number
    names = [row[3:].split()[0].lstrip("*") for row in rows]
    assert names == ["quiet", "box", "calm", *others]  # every program, the menu's first


def test_a_typo_in_a_command_gets_a_suggestion(capsys):
    with pytest.raises(SystemExit) as done:
        main(["histroy"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "usage: calmkit [-h]" in err
    assert "there is no command 'histroy'; did you mean history?" in err


def test_a_bad_option_gets_the_commands_own_usage_and_a_suggestion(capsys):
    with pytest.raises(SystemExit) as done:
        main(["play", "box", "--fats"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: calmkit play ")  # not calmkit's top-level usage
    assert err.endswith(
        "calmkit play: error: unrecognized arguments: --fats; did you mean --fast?\n"
    )
    with pytest.raises(SystemExit):
        main(["history", "--dayz", "3"])
    assert capsys.readouterr().err.startswith("usage: calmkit history ")


def _subcommands():
    import argparse

    from calmkit.faces.cli import _commands, _parser

    return _commands(_parser()).choices.items(), argparse


def test_every_command_has_a_description_and_every_argument_help():
    """Walks the parser, commands of commands (`voices render`) included, so a command added
    later is held to it too."""
    commands, argparse = _subcommands()
    assert len(commands) >= 7
    todo = list(commands)
    while todo:
        name, sub = todo.pop()
        assert sub.description, name
        for action in sub._actions:
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)
            if isinstance(action, argparse._SubParsersAction):
                todo += [(f"{name} {n}", p) for n, p in action.choices.items()]


def test_a_typo_in_a_command_of_a_command_gets_a_suggestion(capsys):
    with pytest.raises(SystemExit) as done:
        main(["voices", "rendr"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: calmkit voices ")
    assert err.rstrip().endswith("did you mean render?")


def test_a_command_added_later_gets_its_description_from_its_help_line():
    import argparse

    from calmkit.faces.cli import _describe_commands, _Parser

    parser = _Parser(prog="calmkit")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    commands.add_parser("voices", help="list the voices")
    _describe_commands(commands)
    assert commands.choices["voices"].description == "List the voices."
    assert isinstance(commands.choices["voices"], argparse.ArgumentParser)


@pytest.mark.parametrize(
    ("days", "words"), [("1", "in the last day."), ("2", "in the last 2 days.")]
)
def test_history_of_one_day_is_grammatical(tmp_path, capsys, days, words):
    config = tmp_path / "c.yaml"
    config.write_text(f"journal: {{path: {tmp_path / 'j.db'}}}\n")
    code, out, _ = run(capsys, "history", "--days", days, "--config", str(config))
    assert code == 0 and f"0 sessions {words}" in out


def test_check_lists_every_problem_with_its_line_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "calmkit.yaml"
    bad.write_text(
        textwrap.dedent(
            """\
            light:
              brightnes: 0.5
            programs:
              mine:
                steps: [{inhale: 4}, {hold: 30}, {exhale: 4}]
                cycles: 3
            """
        )
    )
    code, _out, err = run(capsys, "check", "--config", str(bad))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"{bad}:2: light.brightnes: unknown key 'brightnes'; did you mean 'brightness'?"
    )
    assert lines[1].startswith(f"{bad}:5: programs.mine.steps[1]")
    assert "holds are at most 20 s" in lines[1]


def test_check_passes_on_the_defaults(capsys):
    code, out, _ = run(capsys, "check")
    assert code == 0 and out.startswith("ok: 11 programs")


def test_history_reads_the_journal_and_exports_csv(tmp_path, capsys):
    journal = tmp_path / "j.jsonl"
    config = tmp_path / "c.yaml"
    config.write_text(f"journal: {{path: {journal}}}\n")
    journal.write_text(
        json.dumps(
            {
                "start": "2026-03-02T23:10:00+00:00",
                "programs": ["calm"],
                "planned_s": 504,
                "actual_s": 504,
                "status": "completed",
                "pauses": 0,
                "items": 0,
                "squeeze_s": 0,
                "helped": "yes",
            }
        )
        + "\n"
    )
    code, out, _ = run(capsys, "history", "--csv", "--config", str(config))
    assert code == 0 and out.splitlines()[1].startswith("2026-03-02T23:10:00+00:00,calm,504")
    code, out, _ = run(capsys, "history", "--config", str(config))
    assert code == 0 and "sessions" in out


def test_no_traceback_for_a_binary_config(tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_bytes(b"\x00\xff\xfe garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "calmkit", "check", "--config", str(bad)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and str(bad) in proc.stderr


def test_a_missing_config_file_named_on_the_command_line_is_an_error(tmp_path, capsys):
    code, _, err = run(capsys, "check", "--config", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert err == f"{tmp_path / 'nope.yaml'}: --config: no such file\n"  # no line made up


@pytest.mark.parametrize("argv", [[], ["--version"]])
def test_help_and_version(argv, capsys):
    if argv:
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
        assert capsys.readouterr().out.startswith("calmkit ")
    else:
        assert main(argv) == 2


def test_a_reader_that_goes_away_stops_the_session_and_it_is_journaled(tmp_path):
    """`calmkit play box --headless | head -3`: no traceback, the session journaled as stopped."""
    journal = tmp_path / "j.jsonl"
    config = tmp_path / "c.yaml"
    config.write_text(f"journal: {{path: {journal}}}\nsound: {{enabled: false}}\n")
    argv = ["play", "box", "--headless", "--speed", "20", "--config", str(config)]
    child = subprocess.Popen(
        [sys.executable, "-m", "calmkit", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = [child.stdout.readline() for _ in range(3)]
    child.stdout.close()  # the reader goes away, as `head -3` does
    _, err = child.communicate(timeout=60)
    assert lines[0].strip().endswith("box: 240 s")
    assert child.returncode == 0
    assert "Traceback" not in err and "Error" not in err
    records = Journal(journal).read()
    assert [(r["status"], r["demo"]) for r in records] == [("stopped", True)]  # --speed: a demo
    assert Journal(journal).in_flight() == []


# --- --button: scripted presses on the virtual clock --------------------------------------------


def played(capsys, program, script):
    code, out, err = run(capsys, "play", program, "--fast", "--events", "--button", script)
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    return [e for e in events if e["event"] not in ("phase", "sound")]


def test_two_quick_presses_while_naming_things_are_two_things_named_at_once(capsys):
    events = played(capsys, "ground", "10,10.2")
    items = [e for e in events if e["event"] == "item"]
    # each press counts when it is let go, without waiting to see whether a double follows
    assert [(e["t"], e["count"]) for e in items] == [(10.1, 1), (10.3, 2)]
    assert events[-1]["event"] == "session_end" and events[-1]["status"] == "completed"


def test_while_naming_things_a_hold_let_go_is_not_helping_and_a_long_hold_stops(capsys):
    events = played(capsys, "ground", "10+2")
    assert [e["event"] for e in events[1:3]] == ["session_end", "not_helping"]
    assert events[2] == {"t": 12.0, "event": "not_helping", "switch_to": "press"}
    events = played(capsys, "ground", "10+6")
    assert [e["event"] for e in events] == ["session_start", "session_end"]
    assert events[1] == {"t": 14.0, "event": "session_end", "status": "stopped", "actual_s": 14.0}


def test_a_double_press_while_breathing_stops_and_a_press_pauses(capsys):
    events = played(capsys, "box", "10,10.2")
    stopped = {"t": 10.2, "event": "session_end", "status": "stopped", "actual_s": 10.2}
    assert events[1:] == [stopped]
    events = played(capsys, "box", "10,20")
    assert [(e["event"], e["t"]) for e in events[1:3]] == [("pause", 10.5), ("resume", 20.5)]


@pytest.mark.parametrize(
    "script",
    ["", "x", "10,,11", "-1", "10+0", "10+-2", "nan", "inf", "10+2,11", "1+1+1", "10;11"],
)
def test_a_bad_button_script_is_a_usage_error_that_says_the_syntax(capsys, script):
    code, out, err = run(capsys, "play", "ground", "--fast", "--button", script)
    assert code == 2 and out == ""
    assert "T+H" in err and "10,10.2,40+2" in err
    assert "Traceback" not in err


def test_button_needs_the_virtual_clock(capsys):
    code, _, err = run(capsys, "play", "ground", "--button", "10")
    assert code == 2 and "--fast" in err


# --- the terminal and the window: which face, and the fallback ---------------------------------


def tiny_config(tmp_path):
    config = tmp_path / "c.yaml"
    journal = tmp_path / "j.jsonl"
    config.write_text(
        f"journal: {{path: {journal}}}\nsound: false\n"
        "programs:\n  tiny:\n    steps: [{inhale: 2}, {exhale: 2}]\n    cycles: 1\n"
    )
    return config


def no_display(monkeypatch):
    for name in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")


def test_sim_without_a_display_says_so_and_shows_the_device_in_the_terminal(
    tmp_path, capsys, monkeypatch
):
    no_display(monkeypatch)
    config = tiny_config(tmp_path)
    code, out, err = run(capsys, "play", "tiny", "--sim", "--speed", "100", "--config", str(config))
    assert code == 0
    assert err.startswith(
        "calmkit: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "showing the device in the terminal instead.\n"
    )
    # plain lines, as on a pipe (their times come from the real clock at --speed 100: not checked)
    shown = [line.split("  ", 1)[1] for line in out.splitlines()[:2]]
    assert shown == ["tiny: 4 s", "Breathe in  2 s"]
    assert re.search(r"^\d:\d\d  end: completed$", out, re.M)  # the real clock: not its second


def test_headless_is_the_terminal_and_the_last_of_sim_and_headless_counts(
    tmp_path, capsys, monkeypatch
):
    no_display(monkeypatch)
    config = tiny_config(tmp_path)
    for shown in (["--headless"], ["--sim", "--headless"]):
        code, out, err = run(
            capsys, "play", "tiny", *shown, "--speed", "100", "--config", str(config)
        )
        assert code == 0 and "terminal instead" not in err  # no window was asked for
        assert re.search(r"^\d:\d\d  end: completed$", out, re.M)  # the real clock: not its second


@pytest.mark.parametrize("speed", ["0", "-2"])
def test_a_speed_that_cannot_be_is_a_usage_error(capsys, speed):
    code, out, err = run(capsys, "play", "box", "--speed", speed)
    assert code == 2 and out == ""
    assert err == f"calmkit: --speed takes a number from 0.01 to 1000, not {float(speed):g}\n"


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (
            ["--fast", "--speed", "5"],
            "calmkit: --fast runs at once on a virtual clock: leave out --speed",
        ),
        (
            ["--fast", "--sim"],
            "calmkit: --fast runs on a virtual clock with no window: leave out --sim",
        ),
    ],
)
def test_options_that_contradict_each_other_are_refused(capsys, options, words):
    """`--fast --sim` ran in the terminal without a word; `--fast --speed 5` ran at once."""
    code, out, err = run(capsys, "play", "box", *options)
    assert (code, out, err) == (2, "", words + "\n")


@pytest.mark.parametrize("speed", ["nan", "inf", "1e-300", "1e308", "0.001", "5000"])
def test_a_speed_out_of_range_is_a_usage_error_with_the_range(capsys, speed):
    code, out, err = run(capsys, "play", "box", "--speed", speed)
    assert code == 2 and out == ""
    assert err.startswith("calmkit: --speed takes a number from 0.01 to 1000")


def test_an_ascii_terminal_gets_question_marks_not_an_internal_error():
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "HOME": "/nonexistent"}
    proc = subprocess.run(
        [sys.executable, "-m", "calmkit", "programs"], capture_output=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert b"in 4 ? hold 4" in proc.stdout and b"internal error" not in proc.stderr


# --- a journal file that is not a file: refused at once, never a hang -------------------------


def _calmkit(tmp_path, *argv):
    """In a process of its own with a timeout: opening a FIFO would block for ever."""
    import os

    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    env.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    env.pop("CALMKIT_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "calmkit", *argv],
        capture_output=True,
        text=True,
        timeout=20,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("name", ["journal.db", "journal.jsonl", "journal.db.unsaved"])
def test_a_fifo_journal_file_is_named_once_and_the_session_still_runs(tmp_path, name):
    import os

    (tmp_path / "calmkit").mkdir()
    fifo = tmp_path / "calmkit" / name
    os.mkfifo(fifo)
    done = _calmkit(tmp_path, "play", "box", "--mute", "--mock", "--speed", "200")
    told = f"{fifo} is a named pipe (FIFO), not a file: remove it or set journal.path"
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(told) == 1
    assert "end: completed" in done.stdout


def test_history_names_a_fifo_journal_in_one_line_and_returns(tmp_path):
    import os

    (tmp_path / "calmkit").mkdir()
    os.mkfifo(tmp_path / "calmkit" / "journal.db")
    done = _calmkit(tmp_path, "history")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"journal: {tmp_path / 'calmkit' / 'journal.db'} is a named pipe (FIFO), not a file: "
        "remove it or set journal.path"
    ]


@pytest.mark.parametrize("script", ["1_0", "١٠", "10,١٢", "1e1", "+10", " 10 +1_0"])
def test_button_times_are_plain_ascii_decimals(capsys, script):
    code, out, err = run(capsys, "play", "ground", "--fast", "--button", script)
    assert code == 2 and out == ""
    assert "T+H" in err and "is not one" in err


def test_button_presses_out_of_time_order_are_refused_with_the_syntax(capsys):
    code, out, err = run(capsys, "play", "ground", "--fast", "--button", "10,5")
    assert code == 2 and out == ""
    assert "T+H" in err and "in time order (5 s comes after 10 s)" in err


def test_button_times_may_have_a_decimal_point_at_either_end(capsys):
    events = played(capsys, "ground", ".5,10.,20.25")
    assert [e["t"] for e in events if e["event"] == "item"] == [0.6, 10.1, 20.35]


def test_a_program_or_command_in_the_wrong_case_gets_the_suggestion(capsys):
    code, out, err = run(capsys, "play", "BOX", "--fast")
    assert code == 2 and out == ""
    assert "there is no program 'BOX'. Did you mean 'box'?" in err
    with pytest.raises(SystemExit) as stop:
        main(["PLAY", "box", "--fast"])
    assert stop.value.code == 2
    assert "there is no command 'PLAY'; did you mean play?" in capsys.readouterr().err


def test_nearest_ignores_case_and_keeps_the_names_own_spelling():
    from calmkit.faces.cli import nearest

    assert nearest("Ground", ["box", "ground"]) == "ground"
    assert nearest("mine", ["Mine", "box"]) == "Mine"
    assert nearest("zzzz", ["box", "ground"]) is None


@pytest.mark.parametrize("command", ["history", "report"])
@pytest.mark.parametrize("days", ["100000000", "36501", "0", "-3"])
def test_days_out_of_range_is_a_usage_error(tmp_path, capsys, command, days):
    config = tmp_path / "c.yaml"
    config.write_text(f"journal: {{path: {tmp_path / 'j.db'}}}\n")
    code, out, err = run(capsys, command, "--days", days, "--config", str(config))
    assert code == 2 and out == ""
    assert err == f"calmkit: --days takes a whole number of days from 1 to 36500, not {days}\n"


@pytest.mark.parametrize("command", ["history", "report"])
@pytest.mark.parametrize("days", ["x", "1_0", "١٠", "1.5"])
def test_days_that_are_not_plain_digits_are_refused_with_the_usage(tmp_path, capsys, command, days):
    config = tmp_path / "c.yaml"
    config.write_text(f"journal: {{path: {tmp_path / 'j.db'}}}\n")
    with pytest.raises(SystemExit) as stop:
        main([command, "--days", days, "--config", str(config)])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and f"usage: calmkit {command}" in err
    assert f"--days takes a whole number of days from 1 to 36500, not {days!r}" in err


def test_history_days_may_reach_back_a_hundred_years(tmp_path, capsys):
    config = tmp_path / "c.yaml"
    config.write_text(f"journal: {{path: {tmp_path / 'j.db'}}}\n")
    code, out, _ = run(capsys, "history", "--days", "36500", "--config", str(config))
    assert code == 0 and "0 sessions in the last 36500 days." in out


def test_doctor_help_names_every_check_it_makes(tmp_path, capsys, monkeypatch):
    from calmkit.faces.doctor import run_checks

    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    config = tmp_path / "c.yaml"
    config.write_text(
        f"journal: {{path: {tmp_path / 'j.db'}}}\n"
        "hardware: {outputs: [{kind: haptic, address: 0x5A, actuator: lra}]}\n"
    )
    from calmkit.faces.cli import _commands, _parser

    said = next(a.help for a in _commands(_parser())._choices_actions if a.dest == "doctor")
    assert said.startswith("check this box: ")
    families = {"audio": "sound", "audio device": "sound", "sound files": "sound"}
    checks = run_checks(config, root=tmp_path, environ={}, open_bus=lambda: None)
    names = {families.get(c.name, c.name.split()[0]) for c in checks}
    assert "i2c" in names  # the I2C chips are checked with this config
    names = {"I2C chips" if n in ("haptic", "battery", "i2c") else n for n in names}
    for name in names:
        assert name in said, name


# --- a standard output that cannot be written: one line, an exit status, the session journaled -


def _calmkit_to(tmp_path, stdout, *argv):
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    env.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    env.pop("CALMKIT_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "calmkit", *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )


FULL_DISK = (
    "calmkit: could not write to the standard output: the disk it goes to is full; the session "
    "stopped there. Send the output to a file with room, or to /dev/null.\n"
)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("events", [[], ["--events"]])
def test_a_full_disk_under_stdout_is_one_line_and_exit_1(tmp_path, events):
    with open("/dev/full", "w") as full:
        done = _calmkit_to(tmp_path, full, "play", "box", "--fast", *events)
    assert done.returncode == 1 and done.stderr == FULL_DISK


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_stops_a_real_session_and_journals_it_stopped(tmp_path):
    config = tmp_path / "c.yaml"  # long steps: a stall of the loaded machine never ends it
    config.write_text(
        f"journal: {{path: {tmp_path / 'j.jsonl'}}}\nsound: false\n"
        "programs:\n  tiny:\n    steps: [{inhale: 20}, {exhale: 20}]\n    cycles: 1\n"
    )
    with open("/dev/full", "w") as full:
        done = _calmkit_to(
            tmp_path, full, "play", "tiny", "--mock", "--speed", "10", "--config", str(config)
        )
    assert done.returncode == 1 and done.stderr == FULL_DISK
    records = Journal(tmp_path / "j.jsonl").read()
    assert [(r["status"], r["demo"]) for r in records] == [("stopped", True)]


@pytest.mark.parametrize("events", [[], ["--events"]])
def test_a_closed_stdout_is_one_line_and_exit_1_not_an_internal_error(tmp_path, events):
    done = _calmkit_to(tmp_path, subprocess.DEVNULL, "play", "box", "--fast", *events)
    assert done.returncode == 0  # the same run with a stdout that works
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    env.pop("CALMKIT_CONFIG", None)
    command = [sys.executable, "-m", "calmkit", "play", "box", "--fast", *events]
    closed = subprocess.run(
        ["sh", "-c", '"$@" >&-', "sh", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert closed.returncode == 1
    assert closed.stderr == (
        "calmkit: could not write to the standard output: it is closed (>&-); the session "
        "stopped there. Send the output to a file with room, or to /dev/null.\n"
    )
