"""The `calmkit` command: the only place that prints for people.

Exit status: 0 ok, 2 bad config or usage, 3 hardware. A CalmkitError is printed as one clear
message; anything else is a bug, reported in one line (with the traceback only when
CALMKIT_DEBUG=1), never as a Python traceback in a person's face.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import itertools
import json
import logging
import math
import os
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from calmkit import __version__
from calmkit.core.durations import clock_text
from calmkit.core.errors import CalmkitError, ConfigError, UsageError
from calmkit.core.events import EventKind
from calmkit.faces.launch import RunSettings

log = logging.getLogger("calmkit")


#: Every status `calmkit` exits with, and what it means (README's table is checked against it).
EXIT_STATUSES: dict[int, str] = {
    0: "ok (and after Ctrl-C, SIGTERM or SIGHUP once calmkit is up: it stops gently)",
    1: "`doctor` found a check that failed; `voices import` could not use a file; "
    "a picture or journal that cannot be used; "
    "a standard output that cannot be written (a full disk, closed with `>&-`); "
    "an internal error (a bug: one line, `CALMKIT_DEBUG=1` shows the details)",
    2: "a bad config, or a bad command line (with the command's usage)",
    3: "a hardware problem (a pin in use, no permission)",
    130: "interrupted with Ctrl-C before calmkit was up",
}

#: How much faster than real time a demo may run, and how much slower: beyond these, waits round
#: to nothing or to for ever.
MIN_SPEED, MAX_SPEED = 0.01, 1000.0


class _Parser(argparse.ArgumentParser):
    """argparse, with "did you mean" for an option or a choice that does not exist."""

    def error(self, message: str) -> Any:  # argparse's NoReturn
        choice = _INVALID_CHOICE.search(message)
        if choice is not None:
            offered = re.findall(r"'([^']*)'", choice.group(2))
            close = difflib.get_close_matches(choice.group(1), offered, n=1)
            if close:
                message += f"; did you mean {close[0]}?"
        unknown = message.removeprefix("unrecognized arguments: ")
        first = unknown.split(" ")[0].partition("=")[0]
        if unknown != message and first.startswith("-"):
            options = [o for action in self._actions for o in action.option_strings]
            close = difflib.get_close_matches(first, options, n=1, cutoff=0.7)
            if close:
                message += f"; did you mean {close[0]}?"
        super().error(message)


#: argparse's words for a choice it does not know, e.g. `calmkit voices rendr`.
_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


#: The most days `--days` looks back: a hundred years (far more reaches past the calendar).
MAX_DAYS = 36500


#: What --days takes, said whenever it is given something else.
DAYS_SYNTAX = f"--days takes a whole number of days from 1 to {MAX_DAYS}"


def days_count(text: str) -> int:
    """``--days N`` read: plain ASCII digits (int() would take "1_0" and other scripts' digits);
    the range is checked by checked_days, once the command runs."""
    if re.fullmatch(r"\s*-?[0-9]+\s*", text) is None:
        raise argparse.ArgumentTypeError(f"{DAYS_SYNTAX}, not {text!r}")
    return int(text)


def checked_days(days: int | None) -> int | None:
    """``--days`` from 1 to MAX_DAYS (None: not given); UsageError (exit 2) otherwise: far more
    days reach back past the calendar's first year."""
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise UsageError(f"{DAYS_SYNTAX}, not {days}")
    return days


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="calmkit",
        description="A one-button bedside box for moments of crying or overwhelm. "
        "Not a medical device.",
    )
    parser.add_argument("--version", action="version", version=f"calmkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    config = _Parser(add_help=False)
    config.add_argument("--config", type=Path, metavar="FILE", help="the config file to use")
    config.add_argument("-v", "--verbose", action="store_true", help="log more (to stderr)")

    shown = _Parser(add_help=False)
    shown.add_argument("--sim", action="store_true", help="show the device in a window")
    shown.add_argument(
        "--headless",
        action="store_false",
        dest="sim",
        default=False,
        help="show it in the terminal (the default; the last of --sim and --headless counts)",
    )
    shown.add_argument("--events", action="store_true", help="print events as JSON lines")
    shown.add_argument(
        "--speed",
        type=float,
        default=None,
        metavar="X",
        help=f"run time X times faster, a demo ({MIN_SPEED:g} to {MAX_SPEED:g}; default 1)",
    )
    shown.add_argument("--mute", action="store_true", help="no sound")

    run = commands.add_parser(
        "run", parents=[config, shown], help="the appliance: wait for the button"
    )
    run.add_argument("--mock", action="store_true", help="use simulated pins even on a Pi")

    play = commands.add_parser("play", parents=[config, shown], help="run one program now")
    play.add_argument("program", help="a program name (see `calmkit programs`)")
    play.add_argument("--fast", action="store_true", help="run on a virtual clock, at once")
    play.add_argument("--mock", action="store_true", help="use simulated pins even on a Pi")
    play.add_argument(
        "--button",
        metavar="SCRIPT",
        help="with --fast: press the button at these seconds from the start, "
        "e.g. 10,10.2,40+2 (T = a press, T+H = down at T for H seconds)",
    )

    commands.add_parser("programs", parents=[config], help="list the programs")
    commands.add_parser("check", parents=[config], help="check the config file")

    history = commands.add_parser("history", parents=[config], help="the last days' sessions")
    history.add_argument("--csv", action="store_true", help="every session as CSV")
    history.add_argument(
        "--days", type=days_count, default=7, help=f"how many days (default 7, at most {MAX_DAYS})"
    )

    preview = commands.add_parser(
        "preview", parents=[config], help="draw a program's light over time (PNG or JPEG)"
    )
    preview.add_argument("program", help="a program name (see `calmkit programs`)")
    preview.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="the picture to write: FILE.png, or FILE.jpg for a JPEG",
    )

    from calmkit.faces.voices import add_arguments as voices_arguments

    voices_arguments(
        commands.add_parser(
            "voices", parents=[config], help="voice packs: list them, render one, import your own"
        ),
        config,
    )

    report = commands.add_parser(
        "report", parents=[config], help="a one-page report of what helped (on this device)"
    )
    report.add_argument("-o", "--output", type=Path, metavar="FILE", help=".pdf, .png or .html")
    report.add_argument(
        "--days",
        type=days_count,
        help=f"only the last N days (default: all; at most {MAX_DAYS})",
    )

    commands.add_parser("suggest", parents=[config], help="what a press would start now, and why")
    commands.add_parser("plan", parents=[config], help="print your safety plan")

    commands.add_parser(
        "doctor",
        parents=[config],
        help="check this box: config, pins, sound, voice, journal, safety plan, I2C chips, "
        "groups, watchdog, clock",
    )
    _describe_commands(commands)
    return parser


def _describe_commands(commands: Any) -> None:
    """Every subcommand's --help opens with what it does: its line in the command list, for a
    subcommand that gives no description of its own (one added later too)."""
    said = {action.dest: action.help for action in commands._choices_actions}
    for name, sub in commands.choices.items():
        if sub.description is None and said.get(name):
            words = str(said[name])
            sub.description = words[0].upper() + words[1:] + "."
        for action in sub._actions:  # a command's own actions (`voices render`) too
            if isinstance(action, argparse._SubParsersAction):
                _describe_commands(action)


def _commands(parser: argparse.ArgumentParser) -> Any:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def nearest(word: str, names: Sequence[str]) -> str | None:
    """The name ``word`` was most likely meant to be, with case not counting ("BOX" -> "box",
    "PLAY" -> "play"), or None when none is close."""
    lowered = {name.lower(): name for name in reversed(names)}  # the first of equals wins
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1)
    return lowered[close[0]] if close else None


def _no_such_command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """The message for a command that does not exist ("did you mean history?"), or None."""
    commands = _commands(parser)
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    if word is None or word in commands.choices:
        return None
    close = nearest(word, list(commands.choices))
    hint = f"; did you mean {close}?" if close else ""
    return f"there is no command {word!r}{hint} (see calmkit --help)"


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("calmkit: %(message)s"))
    root = logging.getLogger("calmkit")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.propagate = False


def _load(args: argparse.Namespace) -> Any:
    from calmkit.config import load_config

    return load_config(args.config)


def _program(config: Any, name: str) -> str:
    if name in config.programs:
        return name
    close = nearest(name, list(config.programs))
    hint = f" Did you mean {close!r}?" if close else ""
    raise UsageError(f"there is no program {name!r}.{hint} See `calmkit programs`.")


# --- commands -------------------------------------------------------------------------------


def cmd_programs(args: argparse.Namespace) -> int:
    from calmkit.core.programs import expand

    config = _load(args)
    rows = []
    order = [*config.menu, *(name for name in config.programs if name not in config.menu)]
    for name in order:
        plan = expand(name, config.programs)
        number = str(config.menu.index(name) + 1) if name in config.menu else ""
        marker = "*" if name == config.default_program else " "
        description = config.programs[name].description
        rows.append((f"{number:>2}", f"{marker}{name}", clock_text(plan.total_s), description))
    width = max(len(r[1]) for r in rows)
    for number, name, length, description in rows:
        print(f"{number} {name:<{width}}  {length:>6}  {description}")
    print(
        "The number is the program's place in the menu (a double press steps through it);\n"
        "* = started by a press. Run one with: calmkit play NAME"
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from calmkit.faces.doctor import plan_file_problem

    config = _load(args)
    files = ", ".join(str(s) for s in config.sources)
    print(f"ok: {len(config.programs)} programs; read {files}")
    problem = plan_file_problem(config)
    if problem is not None:
        print(f"note: {problem}")
    from calmkit.faces.voices import voice_note

    note = voice_note(config)
    if note:
        print(f"note: {note}")
    return 0


#: What `calmkit play --events` prints: the session itself, not the box's bookkeeping.
PLAY_EVENTS = frozenset(
    {
        EventKind.SESSION_START,
        EventKind.PHASE,
        EventKind.PAUSE,
        EventKind.RESUME,
        EventKind.ITEM,
        EventKind.NOT_HELPING,
        EventKind.SESSION_END,
        EventKind.SOUND,
    }
)


def _event_printer(enabled: bool, play: bool, out: Any = None) -> Any:
    """The --events printer, writing to ``out`` (a faces.stdout.Stdout: a closed or full stdout
    stops the session gently) or else straight to sys.stdout."""

    def emit(event: Any) -> None:
        if event.kind == EventKind.STATE or (play and event.kind not in PLAY_EVENTS):
            return
        line = json.dumps(event.to_dict(), ensure_ascii=False) + "\n"
        if out is not None:
            out.write(line)
            return
        sys.stdout.write(line)
        sys.stdout.flush()

    return emit if enabled else None


#: How long a scripted press without +H is down (seconds).
SCRIPTED_PRESS_S = 0.1
BUTTON_SYNTAX = (
    "--button takes comma-separated seconds from the session start: T is a press "
    "(0.1 s), T+H holds the button down at T for H seconds, e.g. --button 10,10.2,40+2"
)


#: A time in a --button script: plain ASCII decimals only (float() would also take "1_0",
#: "1e3", "nan" and other scripts' digits such as "١٠").
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def _seconds(text: str) -> float:
    if _SECONDS.fullmatch(text) is None:
        raise ValueError(text)
    return float(text)


def button_script(text: str) -> list[tuple[float, float]]:
    """``--button`` as (down at, held for) pairs, given in time order; UsageError when it is
    wrong (presses out of order are refused, not sorted: a script read back should mean what
    it says)."""
    presses: list[tuple[float, float]] = []
    for part in text.split(","):
        when, plus, held = part.strip().partition("+")
        try:
            t = _seconds(when)
            length = _seconds(held) if plus else SCRIPTED_PRESS_S
        except ValueError:
            raise UsageError(f"{BUTTON_SYNTAX}; {part.strip()!r} is not one") from None
        if not (math.isfinite(t) and math.isfinite(length)) or t < 0 or length <= 0:
            raise UsageError(f"{BUTTON_SYNTAX}; {part.strip()!r} is not one")
        presses.append((t, length))
    for (earlier, _), (later, _) in itertools.pairwise(presses):
        if later < earlier:
            raise UsageError(
                f"{BUTTON_SYNTAX}; give the presses in time order ({later:g} s comes after "
                f"{earlier:g} s)"
            )
    for (t, length), (following, _) in itertools.pairwise(presses):
        if following <= t + length:
            raise UsageError(
                f"{BUTTON_SYNTAX}; the press at {following:g} s comes while the button is still "
                f"down from {t:g} s (until {t + length:g} s)"
            )
    return presses


def _run_settings(args: argparse.Namespace, program: str | None) -> RunSettings:
    """What ``run`` / ``play`` asked for, checked: UsageError when the options disagree."""
    fast = getattr(args, "fast", False)  # only `play` has --fast and --button
    if fast and args.sim:
        raise UsageError("--fast runs on a virtual clock with no window: leave out --sim")
    if fast and args.speed is not None:
        raise UsageError("--fast runs at once on a virtual clock: leave out --speed")
    speed = 1.0 if args.speed is None else args.speed
    if not MIN_SPEED <= speed <= MAX_SPEED:  # NaN fails both: it is refused too
        raise UsageError(
            f"--speed takes a number from {MIN_SPEED:g} to {MAX_SPEED:g}, not {speed:g}"
        )
    script = getattr(args, "button", None)
    if script is not None and not fast:
        raise UsageError("--button presses on the virtual clock: add --fast")
    return RunSettings(
        program=program,
        speed=speed,
        mute=args.mute,
        fast=fast,
        events=args.events,
        mock=args.mock,
        window=args.sim,
        presses=tuple(button_script(script)) if script is not None else (),
    )


def _run_app(args: argparse.Namespace, program: str | None) -> int:
    config = _load(args)
    if program is not None:
        program = _program(config, program)
    settings = _run_settings(args, program)
    from calmkit.faces.stdout import Stdout

    out = Stdout()
    events = _event_printer(settings.events, play=program is not None, out=out)
    if settings.window:
        from calmkit.faces.sim import window

        problem = window.display_problem()
        if problem is None:
            return _output_result(window.run_window(config, settings, events), out)
        print(f"calmkit: {problem}; showing the device in the terminal instead.", file=sys.stderr)
    from calmkit.faces.sim.terminal import run_terminal

    return _output_result(run_terminal(config, settings, events, out), out)


def _output_result(code: int, out: Any) -> int:
    """The exit status once the run is over: a stdout that could not be written (a full disk,
    a closed one) is said in one line, exit 1; a reader that left (a closed terminal or pipe)
    is the person leaving, exit 0 as after SIGHUP."""
    problem = out.problem()
    if problem is None:
        return code
    with contextlib.suppress(OSError, ValueError):  # stderr may be gone as well
        print(f"calmkit: {problem}", file=sys.stderr)
    return 1


def cmd_run(args: argparse.Namespace) -> int:
    return _run_app(args, None)


def cmd_play(args: argparse.Namespace) -> int:
    return _run_app(args, args.program)


def cmd_history(args: argparse.Namespace) -> int:
    from calmkit.shell.app import journal_path
    from calmkit.shell.journal import (
        Journal,
        battery_line,
        day_bounds,
        format_helped,
        format_history,
        helped_counts,
        summarise,
        write_csv,
    )

    config = _load(args)
    journal = Journal(journal_path(config), warn=log.warning)
    odd = journal.odd_file()  # never opened: a FIFO would hang, a device never ends
    if odd is not None:
        print(f"journal: {odd}", file=sys.stderr)
        return 1
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:  # an odd character in an old record is shown, never a crash
        reconfigure(errors="backslashreplace")
    if args.csv:
        write_csv(journal.records, sys.stdout)  # streamed: every record, demos included
        return 0 if journal.problem is None else 1
    checked_days(args.days)
    today = date.today()
    records = journal.between(*day_bounds(today, args.days))  # through the index on start
    if journal.problem is not None:  # said on stderr: no table of zeros for a journal unread
        return 1
    print(format_history(summarise(records, today, args.days)))
    helped = format_helped(helped_counts(records))
    if helped:
        print(helped)
    battery = battery_line(records)  # a wearable's: its level after the last session
    if battery is not None:
        print(battery)
    demos = sum(1 for record in records if record.get("demo") is True)
    if demos:
        print(f"({demos} demo run{'s' if demos != 1 else ''} at --speed not counted)")
    if not records and not journal.path.exists():
        print(f"(no sessions journaled yet in {journal.path})")
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    from calmkit.core.programs import expand
    from calmkit.faces.preview import render_preview

    config = _load(args)
    name = _program(config, args.program)
    render_preview(expand(name, config.programs), args.output, floor=config.light.floor)
    print(f"wrote {args.output}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from calmkit.faces.report import check_output, text_report, write
    from calmkit.shell.insights import open_journal, report

    if args.output is not None:
        check_output(args.output)
    checked_days(args.days)
    config = _load(args)
    journal = open_journal(config)
    odd = journal.odd_file()  # never opened: a FIFO would hang, a device never ends
    if odd is not None:
        print(f"journal: {odd}", file=sys.stderr)
        return 1
    since, period = _since(args.days)
    folded = report(journal, since, config.reach_out.sessions, config.reach_out.within_hours)
    if journal.problem is not None:  # said on stderr: never a page of nothing for it
        return 1
    if args.output is None:
        print(text_report(folded, period))
        print("For the page with charts: calmkit report -o report.pdf (or .png, .html)")
        return 0
    write(folded, args.output, period)
    print(f"wrote {args.output} (made on this device, sent nowhere)")
    return 0


def _since(days: int | None) -> tuple[Any, str]:
    from calmkit.shell.journal import day_bounds

    if days is None:
        return None, "every session in the journal"
    return day_bounds(date.today(), days)[0], f"the last {days} day{'s' if days != 1 else ''}"


def cmd_suggest(args: argparse.Namespace) -> int:
    from calmkit.shell.insights import suggestion

    print(suggestion(_load(args)))
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from calmkit.core.safety_plan import plan_text
    from calmkit.faces.doctor import plan_file_problem

    config = _load(args)
    print(plan_text(config.safety_plan))
    problem = plan_file_problem(config)
    if problem is not None:
        print(f"\nnote: {problem}", file=sys.stderr)
    return 0


def cmd_voices(args: argparse.Namespace) -> int:
    from calmkit.faces.voices import run

    return run(args)


def cmd_doctor(args: argparse.Namespace) -> int:
    from calmkit.faces.doctor import run_checks

    checks = run_checks(args.config)
    width = max(len(c.name) for c in checks)
    marks = {"ok": "ok  ", "warn": "note", "fail": "FAIL"}
    for check in checks:
        mark = marks[check.level]
        print(f"{mark} {check.name:<{width}}  {check.detail}")
    failed = [c for c in checks if not c.ok]
    if failed:
        print(f"{len(failed)} check{'s' if len(failed) > 1 else ''} failed.")
    return 1 if failed else 0


COMMANDS = {
    "run": cmd_run,
    "play": cmd_play,
    "programs": cmd_programs,
    "check": cmd_check,
    "history": cmd_history,
    "preview": cmd_preview,
    "report": cmd_report,
    "suggest": cmd_suggest,
    "plan": cmd_plan,
    "voices": cmd_voices,
    "doctor": cmd_doctor,
}


def _printable_streams() -> None:
    """A terminal or pipe that cannot show a character (an ASCII locale) gets a "?" instead of
    an internal error: the descriptions and messages are the person's own text."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    _printable_streams()
    parser = _parser()
    words = list(sys.argv[1:] if argv is None else argv)
    problem = _no_such_command(parser, words)
    if problem is not None:
        parser.error(problem)
    args, extra = parser.parse_known_args(words)
    if extra:  # said with the subcommand's own usage, not calmkit's
        command = _commands(parser).choices.get(args.command, parser)
        command.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help()
        return 2
    _setup_logging(getattr(args, "verbose", False))
    try:
        return COMMANDS[args.command](args)
    except CalmkitError as error:
        for line in str(error).splitlines() or [type(error).__name__]:
            print(line if isinstance(error, ConfigError) else f"calmkit: {line}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # a bug: say so in one line, keep the details for debugging
        if os.environ.get("CALMKIT_DEBUG"):
            raise
        print(
            f"calmkit: internal error ({type(error).__name__}: {error}). This is a bug; "
            f"run again with CALMKIT_DEBUG=1 for details and please report it.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
