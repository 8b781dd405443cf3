"""What one frame of the window shows: a snapshot of the device, and its words.

``ViewState.read(app)`` reads the devices first (``Devices.shown()``: the level a person sees,
the motor's drive, the button), then the flow's state for the words. It only reads, so it may
run on any thread, and it never assumes a frame rate: each snapshot stands on its own.
The words come from faces/words.py, in the configured ``language``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from calmkit.core.durations import clock_text, countdown_text, elapsed_text
from calmkit.core.flow import QUIET_PROGRAM
from calmkit.core.flow_table import Mode, State
from calmkit.core.programs import expand
from calmkit.core.safety_plan import SafetyPlan, plan_text
from calmkit.core.session import COMPLETED, PAUSED
from calmkit.faces import words as w

#: The chart shows this many seconds of light level (on the device's clock).
STRIP_S = 30.0
#: Hard bound on the chart's samples, whatever the frame rate or --speed.
STRIP_MAX_SAMPLES = 1024
#: After a session that ran to its end: how long "Well done" shows before the quiet offer.
DONE_S = 4.0
#: After "did that help?" was answered: how long the thank-you shows.
THANKS_S = 8.0
#: Steps (phase, label) whose countdown is the session's, not the step's: quiet time and the
#: fading end it adds (programs.py labels that rest "fading out").
SESSION_COUNTDOWN = frozenset({("quiet", ""), ("rest", "fading out")})

RGB = tuple[int, int, int]
#: A single LED is drawn warm amber; an RGB lamp in the colour its three pins make.
AMBER = (1.0, 0.62, 0.26)


class LevelStrip:
    """The light level over the last ``span_s`` seconds, bounded in time and in samples."""

    def __init__(self, span_s: float = STRIP_S, maxlen: int = STRIP_MAX_SAMPLES) -> None:
        self.span_s = span_s
        self.samples: deque[tuple[float, float]] = deque(maxlen=maxlen)

    def add(self, t: float, level: float) -> None:
        if self.samples and t < self.samples[-1][0]:
            return  # time never goes back; ignore a stale reading
        self.samples.append((t, level))
        while self.samples and t - self.samples[0][0] > self.span_s:
            self.samples.popleft()

    def __len__(self) -> int:
        return len(self.samples)


_lengths: dict[tuple[int, str], tuple[Any, float]] = {}


def program_length(library: Any, name: str) -> float | None:
    """A program's planned seconds, cached per library (it does not change while an app runs;
    the library is kept with its entry, so a new one at the same id is never taken for it)."""
    key = (id(library), name)
    cached = _lengths.get(key)
    if cached is not None and cached[0] is library:
        return cached[1]
    try:
        total = expand(name, library).total_s
    except Exception:  # an unknown name shows no length rather than fail a frame
        return None
    if len(_lengths) > 64:
        _lengths.clear()
    _lengths[key] = (library, total)
    return total


@dataclass(frozen=True)
class ViewState:
    """Everything one frame shows, read from the app: pins first, the flow for the words."""

    now: float = 0.0
    light: tuple[float, ...] = (0.0,)  # perceptual level per channel (1, or 3 for red/green/blue)
    rgb: bool = False
    motor: float | None = None  # the motor pin's duty; None when no motor is fitted
    button_down: bool = False
    state: str = State.IDLE
    mode: str = Mode.IDLE  # what the button means now (flow_table.Mode): the hint comes from it
    hint_values: tuple[tuple[str, str], ...] = ()  # the hint's placeholders, from the flow
    showing_menu: bool = False  # idle, showing the selected program after a double or a hold
    paused: bool = False
    program: str = ""  # the program running, or the one a press would start
    part: str = ""  # the program of a chain the current step belongs to, when it differs
    description: str = ""  # the program's own words (idle)
    length: float | None = None  # the selected program's planned seconds (idle)
    offer_length: float | None = None  # the quiet time's planned seconds (the quiet offer)
    number: int = 0  # the selected program's place in the menu (idle), 0 when unknown
    menu_size: int = 0
    phase: str = ""
    label: str = ""
    items: int = 0  # things to name in a prompt step
    counted: int = 0  # ... named so far
    remaining: float | None = None  # seconds left in the step
    elapsed: float | None = None  # seconds into the session, pauses left out
    total: float | None = None  # the session's planned seconds
    timeout_at: float | None = None  # when the offer or the question skips, if left alone
    night_cap: float | None = None  # the lamp's cap when night mode lowers it, else None
    night_volume: float | None = None  # the sound's cap then
    brightness: float = 1.0  # the lamp's day cap (config light.brightness)
    muted: bool = False
    sound: bool = True  # False when sound is off altogether (--mute, config, no audio device)
    sound_status: str = "on"  # "on", "off", "no_device" (shell.audio.Audio.status)
    last_session: tuple[str, str, float] | None = None  # (program, status, when) from the flow
    last_answer: tuple[str, float] | None = None  # (helped, when)
    reach_out: tuple[str, float] | None = None  # (message, when)
    plan: str = ""  # the person's safety plan, while it is shown (asked for by a 4 s hold)
    why: str = ""  # idle, with adaptive on: what a press starts and why (Flow.why_selected)
    language: str = "en"
    chart: bool = False  # the debug chart of the light (key g)
    strip: tuple[tuple[float, float], ...] = ()
    strip_span: float = STRIP_S
    #: The programs (read only for their plain names: a changed packaged one keeps its id).
    library: Any = field(default=None, compare=False, repr=False)

    @property
    def words(self) -> w.Words:
        return w.words_for(self.language)

    @property
    def level(self) -> float:
        return max(self.light, default=0.0)

    @property
    def size_share(self) -> float:
        """How far the lamp has grown, 0..1: its level against the most it may show now."""
        top = self.night_cap if self.night_cap is not None else self.brightness
        return min(1.0, max(0.0, self.level / top)) if top > 0 else 0.0

    @property
    def moving(self) -> bool:
        """Whether the picture changes frame to frame (else it is drawn less often)."""
        return (
            self.level > 0
            or (self.motor or 0.0) > 0
            or self.button_down
            or self.state == State.RUNNING
        )

    @property
    def lamp_colour(self) -> tuple[float, float, float]:
        """The lamp's colour and brightness as 0..1 channels."""
        if self.rgb and len(self.light) == 3:
            r, g, b = self.light
            return (r, g, b)
        level = self.level
        return (AMBER[0] * level, AMBER[1] * level, AMBER[2] * level)

    @classmethod
    def read(cls, app: Any, strip: LevelStrip | None = None, chart: bool = False) -> ViewState:
        """A snapshot of ``app`` (from any thread: it only reads); feeds ``strip`` if given."""
        devices = app.devices
        shown = devices.shown()  # read back through the devices, never from their pins
        light, motor, button_down = shown.light, shown.motor, shown.pressed
        now = app.clock.now()
        flow = app.flow
        runner = app.runner
        state = flow.state
        idle = state == State.IDLE
        selected = flow.selected
        menu = tuple(flow.menu)
        session = flow.session  # one read: the runner thread may replace it meanwhile
        values: dict[str, Any] = {}
        if state == State.RUNNING and session is not None:
            current = session.current
            program = session.plan.program
            values = {
                "paused": session.state == PAUSED,
                "elapsed": session.active_s(),
                "total": session.plan.total_s,
            }
            if current is not None:
                values.update(
                    phase=current.phase,
                    label=current.step.label,
                    items=current.step.items,
                    counted=session.items_in_step,
                    remaining=session.step_remaining(),
                    part=current.program if current.program != program else "",
                )
        else:
            program = selected
            library = flow.library
            if program in library:
                values = {
                    "description": library[program].description,
                    "length": program_length(library, program),
                }
        number = menu.index(selected) + 1 if state == State.IDLE and selected in menu else 0
        caps = runner.caps()
        brightness = app.config.light.brightness
        night = caps.brightness < brightness - 1e-9
        level = max(light, default=0.0)
        if strip is not None:
            strip.add(now, level)
        audio = app.audio  # None: a run that plays nothing (sound off, --mute, a virtual clock)
        return cls(
            now=now,
            light=light,
            rgb=bool(devices.rgb),
            motor=motor,
            button_down=button_down,
            state=state,
            mode=flow.mode(),
            hint_values=tuple(flow.hint_values().items()),
            showing_menu=flow.showing_menu(now),
            program=program,
            number=number,
            menu_size=len(menu),
            timeout_at=flow.timeout_at(),
            offer_length=(
                program_length(flow.library, QUIET_PROGRAM) if state == State.OFFER_QUIET else None
            ),
            night_cap=caps.brightness if night else None,
            night_volume=caps.volume if night else None,
            brightness=brightness,
            muted=bool(runner.muted),
            sound=audio is not None,
            sound_status=audio.status if audio is not None else "off",
            last_session=flow.last_session,
            last_answer=flow.last_answer,
            reach_out=flow.last_reach_out,
            plan=_plan_shown(flow, getattr(app.config, "safety_plan", None), state, now),
            why=flow.why_selected() if idle and flow.settings.adaptive.enabled else "",
            language=getattr(app.config, "language", "en"),
            chart=chart,
            strip=tuple(strip.samples) if strip is not None else (),
            strip_span=strip.span_s if strip is not None else STRIP_S,
            library=flow.library,
            **values,
        )

    # --- the words ----------------------------------------------------------------------------

    def done(self) -> bool:
        """The calm moment after a session that ran to its end, before the quiet offer."""
        last = self.last_session
        return (
            self.state in (State.OFFER_QUIET, State.ASK_HELPED)
            and last is not None
            and last[1] == COMPLETED
            and self.now - last[2] < DONE_S
        )

    def thanks(self) -> str:
        """The answer to "did that help?" just given ("yes", "no"), else ""."""
        answer = self.last_answer
        if self.state != State.IDLE or answer is None or self.now - answer[1] >= THANKS_S:
            return ""
        return answer[0] if answer[0] in ("yes", "no") else ""

    def reach_out_text(self) -> str:
        """The reach-out message, shown from when it was said until the next session ends."""
        if self.reach_out is None or self.state == State.RUNNING:
            return ""
        message, when = self.reach_out
        if self.last_session is not None and self.last_session[2] > when:
            return ""
        return self.words(message.strip()) if message.strip() else ""

    def headline(self) -> str:
        """The big words: what to do now, or what the box is waiting for."""
        say = self.words
        if self.mode == Mode.STOPPING:
            return say(w.STOPPING)
        if self.state == State.RUNNING:
            if self.paused:
                return say(w.PAUSED)
            if not self.phase:
                return say(w.STARTING)
            return w.phase_text(say, self.phase, self.label, self.items, self.counted)
        if self.done():
            return say(w.DONE)
        if self.state == State.OFFER_QUIET:
            return say(w.OFFER)
        if self.state == State.ASK_HELPED:
            return say(w.ASK)
        thanks = self.thanks()
        if thanks:
            return say(w.THANKS_YES if thanks == "yes" else w.THANKS_NO)
        return self.name(self.program)

    def subline(self) -> str:
        """The smaller line under the headline."""
        say = self.words
        if self.state == State.RUNNING:
            return say(w.PAUSED_MORE) if self.paused else ""
        if self.done():
            assert self.last_session is not None
            return say(w.DONE_MORE, program=self.name(self.last_session[0]))
        if self.state == State.OFFER_QUIET:
            return w.offer_text(say, self.offer_length)
        if self.state == State.ASK_HELPED:
            return say(w.ASK_MORE)
        thanks = self.thanks()
        if thanks:
            return say(w.THANKS_YES_MORE if thanks == "yes" else w.THANKS_NO_MORE)
        return say(self.description)

    def details(self) -> str:
        """Idle: the program's length and place in the menu; waiting: when it skips."""
        say = self.words
        if self.state in (State.OFFER_QUIET, State.ASK_HELPED) and self.timeout_at is not None:
            if self.done():
                return ""
            return say(w.SKIPS_IN, time=countdown_text(self.timeout_at - self.now))
        if self.state != State.IDLE or self.thanks() or self.mode == Mode.STOPPING:
            return ""
        parts = []
        if self.length is not None:
            parts.append(say(w.LENGTH, time=clock_text(self.length)))
        if self.number:
            parts.append(say(w.PROGRAM_OF, number=self.number, size=self.menu_size))
        return " · ".join(parts)

    def countdown(self) -> str:
        """The seconds left: in the step, or in quiet time the session's (they add up)."""
        if self.state != State.RUNNING or self.remaining is None:
            return ""
        if (self.phase, self.label) in SESSION_COUNTDOWN and self.total is not None:
            left = self.total - (self.elapsed or 0.0)
            return self.words(w.LEFT, time=countdown_text(left))
        return countdown_text(self.remaining)

    def progress(self) -> str:
        """ "0:05 of 4:00": elapsed rounded down, so it adds up with the countdown beside it."""
        if self.state != State.RUNNING or not self.total:
            return ""
        return self.words(
            w.ELAPSED_OF, elapsed=elapsed_text(self.elapsed or 0.0), total=clock_text(self.total)
        )

    def progress_share(self) -> float:
        if self.state != State.RUNNING or not self.total:
            return 0.0
        return min(1.0, max(0.0, (self.elapsed or 0.0) / self.total))

    def sound_words(self) -> str:
        return w.sound_status(self.words, self.sound_status, self.muted)

    def night_words(self) -> str:
        return w.night_text(self.words, self.night_cap, self.night_volume)

    def name(self, program: str) -> str:
        """A program as a person says it ("box breathing"; their own by its own name)."""
        return w.program_name(self.words, program, self.library)

    def title(self) -> str:
        """Top left: the program (and the part of a chain it is in)."""
        title = self.name(self.program)
        return f"{title} · {self.name(self.part)}" if self.part else title

    def hint(self) -> str:
        """What the button does now: the flow's own table (flow_table.py), in words."""
        return w.hint_text(self.words, self.mode, dict(self.hint_values), self.library)


#: How long the safety plan stays on the screen after a 4 s hold asked for it (a press, or a
#: session, puts the usual screen back sooner).
PLAN_SHOWN_S = 120.0


def _plan_shown(flow: Any, plan: SafetyPlan | None, state: str, now: float) -> str:
    """The plan's text (core/safety_plan.plan_text) while it is shown: idle, asked for in the
    last PLAN_SHOWN_S, and no session since."""
    asked = flow.last_plan
    if plan is None or plan.empty or asked is None or state != State.IDLE:
        return ""
    last = flow.last_session
    if now - asked >= PLAN_SHOWN_S or (last is not None and last[2] > asked):
        return ""
    return plan_text(plan)
