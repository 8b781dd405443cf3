"""What the window and the terminal say, in plain words and in the person's language.

One module, so that both faces say a phase alike ("Breathe in", never "inhale"), and so that a
translation is made once. The words are gettext messages (the standard library's catalogs in
``faces/screen-data/locale/<language>/LC_MESSAGES/calmkit.mo``, made from the .po beside them with
``msgfmt``); a message with no translation shows in English, never as a key. Pure: no pygame,
no files but the catalog read once per language.

The hints under the button are built from flow_table's rows (what the flow really does), with
each row's words translated here.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from calmkit.config import parse_config
from calmkit.config.table import LANGUAGES as CONFIG_LANGUAGES
from calmkit.core.durations import clock_text
from calmkit.core.flow_table import TIMEOUTS, Mode, rows_for
from calmkit.core.gestures import DOUBLE, HOLD, LONG_HOLD, PRESS, UP

DOMAIN = "calmkit"
LOCALE_DIR = Path(__file__).resolve().parent / "screen-data" / "locale"
#: The languages calmkit has words for (English is the messages themselves).
LANGUAGES = CONFIG_LANGUAGES


def N_(message: str) -> str:
    """Marks a message for the catalogs where it is translated later (gettext's convention)."""
    return message


@dataclass(frozen=True)
class Words:
    """The messages of one language: ``words("Hold")`` is "Halten" in German."""

    language: str
    catalog: gettext.NullTranslations

    def __call__(self, message: str, **values: object) -> str:
        text = self.catalog.gettext(message) if message else ""
        return text.format(**values) if values else text


@functools.cache
def words_for(language: str = "en") -> Words:
    """The words for ``language`` ("de", "de_AT" ...); English for one calmkit has no words for."""
    catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    return Words(language, catalog)


# --- a session's phases ---------------------------------------------------------------------

#: What to do in each phase, said to the person (the program's phase names are jargon).
PHASE_WORDS: Mapping[str, str] = {
    "inhale": N_("Breathe in"),
    "hold": N_("Hold"),
    "exhale": N_("Breathe out"),
    "blink": N_("Blink with the light"),
    "press": N_("Squeeze between thumb and forefinger"),
    "release": N_("Let go, and rest your hand"),
    "switch": N_("Switch hands"),
    "quiet": N_("Quiet time: just rest"),
    "rest": N_("Rest"),
}
#: Steps of the packaged programs whose label makes a sentence of its own.
STEP_WORDS: Mapping[tuple[str, str], str] = {
    ("inhale", "top-up"): N_("Breathe in a little more"),
    ("rest", "fading out"): N_("Rest, as the light fades out"),
}
#: Step labels of the packaged programs, in words a person reads.
LABEL_WORDS: Mapping[str, str] = {
    "left hand": N_("left hand"),
    "right hand": N_("right hand"),
    "switch hands": N_("Switch hands"),
}
#: ground's senses: (what to name, how many of them), for many and for one thing.
SENSES: Mapping[str, tuple[str, str]] = {
    "see": (N_("Name {n} things you can see"), N_("Name one thing you can see")),
    "touch": (N_("Name {n} things you can touch"), N_("Name one thing you can touch")),
    "hear": (N_("Name {n} things you can hear"), N_("Name one thing you can hear")),
    "smell": (N_("Name {n} things you can smell"), N_("Name one thing you can smell")),
    "taste": (N_("Name {n} things you can taste"), N_("Name one thing you can taste")),
}
#: The terminal's short form of a sense: "see 2 of 5".
SENSE_SHORT: Mapping[str, str] = {
    "see": N_("see {count} of {items}"),
    "touch": N_("touch {count} of {items}"),
    "hear": N_("hear {count} of {items}"),
    "smell": N_("smell {count} of {items}"),
    "taste": N_("taste {count} of {items}"),
}


#: The packaged programs' names as a person says them (the ids are for the command line).
PROGRAM_NAMES: Mapping[str, str] = {
    "calm": N_("calm"),
    "box": N_("box breathing"),
    "478": N_("4-7-8 breathing"),
    "coherent": N_("resonance breathing"),
    "sigh": N_("cyclic sigh"),
    "winddown": N_("wind-down"),
    "winddown20": N_("20-minute wind-down"),
    "blink": N_("paced blinking"),
    "press": N_("thumb press"),
    "ground": N_("grounding"),
    "quiet": N_("quiet time"),
}
#: A word and what follows it ("press: pause"); French puts a space before the colon.
COLON = N_("{what}: {rest}")


@functools.cache
def _packaged() -> Mapping[str, object]:
    """The packaged programs as packaged (read once): a plain name is only for those."""
    return parse_config("", "defaults").programs


def program_name(words: Words, name: str, library: Mapping[str, object] | None = None) -> str:
    """A program as a person says it: "box breathing"; a program of the person's own (or a
    packaged one they changed) by its own name."""
    if name not in PROGRAM_NAMES:
        return name
    if library is not None and name in library and library[name] != _packaged().get(name):
        return name
    return words(PROGRAM_NAMES[name])


def colon(words: Words, what: str, rest: str) -> str:
    """ "what: rest", with the language's own spacing around the colon."""
    return words(COLON, what=what, rest=rest)


def phase_text(words: Words, phase: str, label: str = "", items: int = 0, counted: int = 0) -> str:
    """What to do now, as one line: "Breathe in", "Name 5 things you can see: 2 of 5"."""
    if phase == "prompt":
        text = phase_start(words, phase, label, items)
        if items > 1:
            text = colon(words, text, words("{count} of {items}", count=counted, items=items))
        return text
    return phase_start(words, phase, label, items)


def phase_start(words: Words, phase: str, label: str = "", items: int = 0) -> str:
    """A phase as it begins, with no count yet: the log's line ("Name 5 things you can see")."""
    if phase == "prompt":
        many, one = SENSES.get(label, (N_("Name {n} things"), N_("Name one thing")))
        return words(one) if items == 1 else words(many, n=items)
    if (phase, label) in STEP_WORDS:
        return words(STEP_WORDS[phase, label])
    text = words(PHASE_WORDS.get(phase, phase.capitalize()))
    if not label or words(LABEL_WORDS.get(label, label)) == text:
        return text
    if phase in ("press", "rest"):
        return colon(words, text, words(LABEL_WORDS.get(label, label)))
    return f"{text} ({words(LABEL_WORDS.get(label, label))})"  # a label of the person's own


def phase_short(words: Words, phase: str, label: str = "", items: int = 0, counted: int = 0) -> str:
    """The terminal's words: the same as the window's, a prompt as "see 2 of 5"."""
    if phase == "prompt" and label in SENSE_SHORT:
        return words(SENSE_SHORT[label], count=counted, items=items)
    return phase_text(words, phase, label, items, counted)


# --- the states around a session --------------------------------------------------------------

PAUSED = N_("Paused")
PAUSED_MORE = N_("Press to go on")
DONE = N_("Well done")
DONE_MORE = N_("You finished {program}.")
OFFER = N_("Quiet time?")
OFFER_MORE = N_("{length} of dim, steady light, to rest with your thoughts.")
OFFER_MORE_UNTIMED = N_("Dim, steady light, to rest with your thoughts.")
ONE_MINUTE = N_("One minute")
MINUTES = N_("{n} minutes")
ASK = N_("Did that help?")
ASK_MORE = N_("Press for yes, hold for no.")
SKIPS_IN = N_("Skips in {time}")
THANKS_YES = N_("Glad it helped")
THANKS_YES_MORE = N_("Thank you for telling me.")
THANKS_NO = N_("Thank you for telling me")
THANKS_NO_MORE = N_("Next time, a double press picks another program.")
STOPPING = N_("Going dark")
STOPPED = N_("stopped")
STARTING = N_("Starting")
PROGRAM_OF = N_("program {number} of {size}")
LENGTH = N_("{time} long")
ELAPSED_OF = N_("{elapsed} of {total}")
LEFT = N_("{time} left")

# the side of the window: the sound, the night, the keys
SOUND_ON = N_("sound on")
SOUND_OFF = N_("sound off")
NO_DEVICE = N_("no sound device")
MUTED = N_("muted")
NIGHT = N_("Night: lamp at most {percent} %, sound softer")
NIGHT_QUIET = N_("Night: lamp at most {percent} %")
KEYS = N_("space or click: the button · m: mute · g: light chart · q: quit")
TERMINAL_KEYS = N_(
    "Enter or space = press · h = hold · l = long hold · d = double press · m = mute · q = quit"
)
BUTTON = N_("button: {hint}")
CHART = N_("light, last {seconds} s")
NOW = N_("now")
MOTOR = N_("vibration")
PLAN = N_("My safety plan")


def offer_text(words: Words, seconds: float | None) -> str:
    """What the quiet offer promises: the real length of the quiet time a press starts."""
    if seconds is None or seconds <= 0:
        return words(OFFER_MORE_UNTIMED)
    minutes = seconds / 60
    if abs(minutes - round(minutes)) < 1e-6:
        length = words(ONE_MINUTE) if round(minutes) == 1 else words(MINUTES, n=round(minutes))
    else:
        length = clock_text(seconds)
    return words(OFFER_MORE, length=length)


def sound_status(words: Words, status: str, muted: bool) -> str:
    """What the sound mark says: "on", "off", "no_device" (shell.audio.Audio.status), or muted."""
    if status == "no_device":
        return words(NO_DEVICE)
    if status == "off":
        return words(SOUND_OFF)
    return words(MUTED) if muted else words(SOUND_ON)


def night_text(words: Words, brightness: float | None, volume: float | None) -> str:
    """The night cap, as a person understands it ("" by day)."""
    if brightness is None:
        return ""
    percent = round(brightness * 100)
    if volume is not None and volume < 1.0:
        return words(NIGHT, percent=percent)
    return words(NIGHT_QUIET, percent=percent)


# --- the hint under the button: flow_table's rows, translated -------------------------------

GESTURE_WORDS: Mapping[str, str] = {
    PRESS: N_("press"),
    DOUBLE: N_("double press"),
    HOLD: N_("hold"),
    LONG_HOLD: N_("keep holding"),
    UP: N_("let go"),
}
#: Every row's words and the timeouts' (flow_table), as messages for the catalogs.
HINT_MESSAGES: tuple[str, ...] = (
    N_("start {program}"),
    N_("next program"),
    N_("show which"),
    N_("pause"),
    N_("stop"),
    N_("not helping, {next}"),
    N_("one thing named"),
    N_("hold, let go"),
    N_("timed as a squeeze"),
    N_("hold while you squeeze"),
    N_("go on"),
    N_("quiet time"),
    N_("no thanks"),
    N_("yes"),
    N_("no"),
    N_("after 10 min: stop"),
    N_("skip"),
    N_("wait"),
    N_("going dark; the button does nothing now"),
    # what "not helping" leads to (Flow.hint_values)
    N_("end here"),
    N_("quiet time instead"),
    N_("try {program}"),
)


def _value(words: Words, key: str, value: str, library: Mapping[str, object] | None = None) -> str:
    """A hint placeholder's value in words: a program by its plain name, "try X" translated."""
    if value.startswith("try "):
        return words("try {program}", program=program_name(words, value[4:], library))
    if key == "program":
        return program_name(words, value, library)
    return words(value)


def hint_text(
    words: Words,
    mode: str,
    values: Mapping[str, str],
    library: Mapping[str, object] | None = None,
) -> str:
    """What each gesture does now, from the flow's own table (flow_table.hint), translated;
    ``library``, when given, tells a changed packaged program from the packaged one."""
    filled = {key: _value(words, key, value, library) for key, value in values.items()}
    filled.setdefault("program", "")
    filled.setdefault("next", "")
    parts = []
    for row in rows_for(Mode(mode)):
        if not row.shown:
            continue
        gesture = words(row.word) if row.word else words(GESTURE_WORDS[row.gesture])
        parts.append(colon(words, gesture, words(row.means).format_map(filled)))
    timeout = TIMEOUTS.get(Mode(mode))
    if timeout is not None:
        parts.append(colon(words, words("wait"), words(timeout.means)))
    if mode == Mode.STOPPING:
        parts.append(words("going dark; the button does nothing now"))
    return " · ".join(parts)


__all__ = [
    "LANGUAGES",
    "Words",
    "hint_text",
    "night_text",
    "offer_text",
    "phase_short",
    "phase_text",
    "program_name",
    "sound_status",
    "words_for",
]
