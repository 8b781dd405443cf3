"""What the one button does, as data: (mode, gesture) -> action, and what that means to a person.

flow.py runs this table; the window, the terminal and README show it (a test checks README's
"One button" table against ``markdown()``), so what they say and what the box does cannot drift
apart. The model is h11's ``_state.py``: states and events are names, transitions are rows, and
nothing here acts. A *mode* is the flow's state made as fine as the button needs: in a session
the same press pauses a breath, names a thing in ``ground`` or resumes a pause.

Where a mode has no double press, the gesture detector answers a press at once and two quick
presses are two presses (see ``wanted``); where it has a long hold, it watches for one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from calmkit.core.gestures import DOUBLE, HOLD, LONG_HOLD, PRESS, UP


class State(StrEnum):
    """Where the flow is (a str: events carry it as plain text)."""

    IDLE = "idle"
    RUNNING = "running"
    OFFER_QUIET = "offer_quiet"
    ASK_HELPED = "ask_helped"


class Mode(StrEnum):
    """What the button means now."""

    IDLE = "idle"
    SESSION = "session"  # breathing, blinking, resting: any phase below that is not special
    PROMPT = "prompt"  # ground: naming things
    SQUEEZE = "squeeze"  # thumb press: press, release, switch hands
    QUIET = "quiet"  # quiet time
    PAUSED = "paused"
    OFFER_QUIET = "offer_quiet"
    ASK_HELPED = "ask_helped"
    STOPPING = "stopping"  # calmkit is going off (a signal, q): the light fades out


class Action(StrEnum):
    """What flow.py does for a row (one handler each)."""

    START = "start"
    NEXT_PROGRAM = "next_program"
    SHOW_PROGRAM = "show_program"
    PAUSE = "pause"  # pause, or resume when paused
    COUNT = "count"
    NOT_HELPING = "not_helping"
    ARM = "arm"  # a hold in ground: the release says "not helping", holding on stops
    LET_GO = "let_go"
    KEEP_HOLDING = "keep_holding"  # ... on to a long hold: stop
    SQUEEZE = "squeeze"  # nothing to do: the squeeze is timed from the button's down and up
    STOP = "stop"
    QUIET_TIME = "quiet_time"
    TO_ASK = "to_ask"
    YES = "yes"
    NO = "no"
    NO_ANSWER = "no_answer"
    READ_PLAN = "read_plan"  # the person's own safety plan, read aloud or shown


@dataclass(frozen=True)
class Row:
    """One transition: in ``mode``, ``gesture`` does ``action``, which ``means`` this to a person.

    ``means`` may name ``{program}`` (what a press in idle starts), ``{next}`` (what "not
    helping" leads to now) and ``{plan}`` (the safety plan; "" when none is kept: the row is
    left out of the hint); ``word`` replaces the gesture's name in the hint, ``shown=False``
    keeps a row out of the hint under the button.
    """

    mode: Mode
    gesture: str
    action: Action
    means: str
    word: str = ""
    shown: bool = True


@dataclass(frozen=True)
class Timeout:
    """What happens when a mode is left alone for the FlowSettings value named ``setting``."""

    setting: str
    action: Action
    means: str


def _session_rows(mode: Mode) -> tuple[Row, ...]:
    return (
        Row(mode, PRESS, Action.PAUSE, "pause"),
        Row(mode, DOUBLE, Action.STOP, "stop"),
        Row(mode, HOLD, Action.NOT_HELPING, "not helping, {next}"),
    )


ROWS: tuple[Row, ...] = (
    Row(Mode.IDLE, PRESS, Action.START, "start {program}"),
    Row(Mode.IDLE, DOUBLE, Action.NEXT_PROGRAM, "next program"),
    Row(Mode.IDLE, HOLD, Action.SHOW_PROGRAM, "show which"),
    # kept out of the hint under the button (it is long enough as it is, in every language):
    # README's table shows it, the reach-out message and `calmkit plan` point to it
    Row(Mode.IDLE, LONG_HOLD, Action.READ_PLAN, "{plan}", shown=False),
    *_session_rows(Mode.SESSION),
    *_session_rows(Mode.QUIET),
    Row(Mode.PROMPT, PRESS, Action.COUNT, "one thing named"),
    Row(Mode.PROMPT, HOLD, Action.ARM, "not helping, {next}", word="hold, let go"),
    Row(Mode.PROMPT, UP, Action.LET_GO, "not helping, {next}", shown=False),
    Row(Mode.PROMPT, LONG_HOLD, Action.KEEP_HOLDING, "stop", word="keep holding"),
    Row(Mode.SQUEEZE, PRESS, Action.PAUSE, "pause"),
    Row(Mode.SQUEEZE, DOUBLE, Action.STOP, "stop"),
    Row(Mode.SQUEEZE, HOLD, Action.SQUEEZE, "timed as a squeeze", word="hold while you squeeze"),
    Row(Mode.PAUSED, PRESS, Action.PAUSE, "go on"),
    Row(Mode.PAUSED, DOUBLE, Action.STOP, "stop"),
    Row(Mode.PAUSED, HOLD, Action.NOT_HELPING, "not helping, {next}"),
    Row(Mode.OFFER_QUIET, PRESS, Action.QUIET_TIME, "quiet time"),
    Row(Mode.OFFER_QUIET, DOUBLE, Action.QUIET_TIME, "quiet time (as a press)", shown=False),
    Row(Mode.OFFER_QUIET, HOLD, Action.TO_ASK, "no thanks"),
    Row(Mode.ASK_HELPED, PRESS, Action.YES, "yes"),
    Row(Mode.ASK_HELPED, DOUBLE, Action.YES, "yes (as a press)", shown=False),
    Row(Mode.ASK_HELPED, HOLD, Action.NO, "no"),
)

ROWS_BY_KEY: Mapping[tuple[Mode, str], Row] = {(row.mode, row.gesture): row for row in ROWS}
assert len(ROWS_BY_KEY) == len(ROWS), "two rows for the same mode and gesture"

#: Left alone: the one table both ``Flow.tick`` and ``Flow.next_deadline`` read. A pause is timed
#: from when it began, the other modes from when the flow entered them.
TIMEOUTS: Mapping[Mode, Timeout] = {
    Mode.PAUSED: Timeout("pause_limit_s", Action.STOP, "after 10 min: stop"),
    Mode.OFFER_QUIET: Timeout("quiet_offer_s", Action.TO_ASK, "skip"),
    Mode.ASK_HELPED: Timeout("helped_s", Action.NO_ANSWER, "skip"),
}

#: Screens that let a press settle: a press that went down less than SETTLE_S after the flow
#: entered them is the tail of what came before (a second quick press after naming the last thing,
#: a pause pressed as the session ended) and answers nothing.
SETTLING: frozenset[Mode] = frozenset({Mode.OFFER_QUIET, Mode.ASK_HELPED})
SETTLE_S = 0.4

#: The gestures each mode has a use for (what the detector should look for; see gestures.py).
WANTED: Mapping[Mode, frozenset[str]] = {
    mode: frozenset(row.gesture for row in ROWS if row.mode == mode) | {PRESS, HOLD}
    for mode in Mode
}

#: How the hint under the button names each gesture.
WORDS: Mapping[str, str] = {
    PRESS: "press",
    DOUBLE: "double",
    HOLD: "hold",
    LONG_HOLD: "keep holding",
    UP: "let go",
}

#: README's rows: the modes a person meets, in the order they meet them, as README names them.
WHEN: Mapping[Mode, str] = {
    Mode.IDLE: "idle (also while it shows the program's number)",
    Mode.SESSION: "running: breathing, blinking, resting",
    Mode.PROMPT: "running: naming things (`ground`)",
    Mode.SQUEEZE: "running: thumb press (`press`)",
    Mode.QUIET: "quiet time",
    Mode.PAUSED: "paused",
    Mode.OFFER_QUIET: "after a session: quiet time?",
    Mode.ASK_HELPED: '"did that help?"',
    Mode.STOPPING: "stopping (a signal, `q`): the light fades out",
}
#: README's columns: the gestures, as README names them.
COLUMNS: tuple[tuple[str, str], ...] = (
    (PRESS, "press"),
    (DOUBLE, "double press"),
    (HOLD, "hold (1.5 s)"),
    (LONG_HOLD, "keep holding (4 s)"),
)
#: What README says for the placeholders (the device fills them in as it goes).
README_VALUES: Mapping[str, str] = {
    "program": "the selected program",
    "next": "try the next program (`calm` → `ground` → `press`), then quiet time, then end",
    "plan": "your safety plan, read aloud (when you keep one)",
}


def rows_for(mode: Mode) -> tuple[Row, ...]:
    return tuple(row for row in ROWS if row.mode == mode)


def hint(mode: Mode, values: Mapping[str, str] | None = None) -> str:
    """The line under the button: what each gesture does in ``mode``, and what waiting does."""
    values = {**README_VALUES, "plan": "", **(values or {})}  # no plan unless one is named
    meanings = [(row, row.means.format_map(values)) for row in rows_for(mode) if row.shown]
    parts = [  # a row that means nothing now (no safety plan kept) is left out
        f"{row.word or WORDS[row.gesture]}: {means}" for row, means in meanings if means
    ]
    timeout = TIMEOUTS.get(mode)
    if timeout is not None:
        parts.append(f"wait: {timeout.means}")
    if mode == Mode.STOPPING:
        parts.append("going dark; the button does nothing now")
    return " · ".join(parts)


def markdown() -> str:
    """README's "One button" table, generated from the rows above."""
    head = ["when", *(name for _, name in COLUMNS), "left alone"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for mode in Mode:
        cells = [WHEN[mode]]
        for gesture, _ in COLUMNS:
            row = ROWS_BY_KEY.get((mode, gesture))
            if row is None:
                cells.append("·")
            else:
                means = row.means.format_map(README_VALUES)
                cells.append(f"{row.word}: {means}" if row.word else means)
        timeout = TIMEOUTS.get(mode)
        cells.append(timeout.means if timeout else "·")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
