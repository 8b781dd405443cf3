"""The one-button flow: idle, running, the quiet offer, "did that help?", as a pure machine.

Gestures (from gestures.py) and time go in; events come out: session events, sounds to play, the
finished episode for the journal (episode.py). ``frame()`` says what the light and motor show
right now, before the caps and gamma the hardware applies (outside a session: ambient.py).

    idle --press--> running --(end)--> offer quiet --press--> running quiet --(end)--> ask
      ^  <--double: next program         |  (timeout, hold)                              |
      |                                  +-----------------------> ask --press/hold/timeout
      +---------------------------------------------------------------------------------+

What each gesture does where is a table in flow_table.py (ROWS, TIMEOUTS); this module carries
it out, one handler per action.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from calmkit.core.adaptive import OFF, AdaptiveConfig, Choice, Learner
from calmkit.core.ambient import (
    ACK_LEVEL,
    Fade,
    ask_level,
    menu_end,
    menu_level,
    offer_level,
)
from calmkit.core.battery import Battery, choose_short
from calmkit.core.clock import Clock, wall_synced
from calmkit.core.cues import IDLE_COLOUR, Frame, LightTrack, in_window, sound_for
from calmkit.core.episode import NO, UNKNOWN, YES, EpisodeDraft, tally
from calmkit.core.events import Event, EventKind
from calmkit.core.flow_table import (
    ROWS_BY_KEY,
    SETTLE_S,
    SETTLING,
    TIMEOUTS,
    WANTED,
    Action,
    Mode,
    State,
    hint,
)
from calmkit.core.gestures import DOUBLE, DOWN, PRESS, UP, Gesture
from calmkit.core.haptics import HapticTrack, notice_at, notice_length
from calmkit.core.programs import Program, expand
from calmkit.core.session import COMPLETED, ENDED, PAUSED, STOPPED, Session

IDLE, RUNNING, OFFER_QUIET, ASK_HELPED = (
    State.IDLE,
    State.RUNNING,
    State.OFFER_QUIET,
    State.ASK_HELPED,
)
#: Phases in which holding the button is a squeeze (timed for the journal), not "not helping".
SQUEEZE_PHASES = frozenset({"press", "release", "switch"})
#: Phases whose button means something of their own (see flow_table.Mode).
PHASE_MODES = {"prompt": Mode.PROMPT, "quiet": Mode.QUIET} | dict.fromkeys(
    SQUEEZE_PHASES, Mode.SQUEEZE
)
#: The program that a quiet offer starts.
QUIET_PROGRAM = "quiet"


@dataclass(frozen=True)
class FlowSettings:
    """What the flow needs from the config."""

    default_program: str = "calm"
    menu: tuple[str, ...] = ()
    quiet_offer_s: float = 20.0
    helped_s: float = 30.0
    pause_limit_s: float = 600.0
    #: Quiet time offered after a session and as the last "not helping" step (a wearable has no
    #: lamp to rest by, so its profile turns this off).
    quiet_time: bool = True
    floor: float = 0.03
    voice: bool = True
    vibration: bool = True
    reach_out: bool = True
    reach_out_sessions: int = 4
    reach_out_within_h: float = 24.0
    reach_out_message: str = ""
    #: A ``--speed`` demo: its episodes are marked and do not count towards reach-out.
    demo: bool = False
    #: Adaptive choice of the program (core/adaptive.py), with the night window of the caps.
    adaptive: AdaptiveConfig = OFF
    night_start: time = time(21, 0)
    night_end: time = time(7, 0)
    #: The person's safety plan as text to read aloud or show ("": none is kept), and whether
    #: its voice (the sound ``say_safety_plan``) is there to read it.
    safety_plan: str = ""
    safety_plan_spoken: bool = True
    #: The vibration is a haptic driver (a wearable's): the breath is felt in amplitude
    #: (haptics.py) rather than in a PWM motor's phase-start codes.
    haptics: bool = False


class Flow:
    """The device's behaviour for one button; see the module text."""

    def __init__(
        self,
        library: Mapping[str, Program],
        clock: Clock,
        settings: FlowSettings | None = None,
        recent_starts: Sequence[datetime] = (),
        single: bool = False,
        learner: Learner | None = None,
    ) -> None:
        self.library = library
        self.clock = clock
        self.settings = settings or FlowSettings()
        self.single = single
        self.origin = clock.now()
        self.state: State = IDLE
        menu = self.settings.menu or tuple(library)
        self.menu = tuple(name for name in menu if name in library)
        default = self.settings.default_program
        self.selected = default if default in library else self.menu[0]
        self.session: Session | None = None
        self.track: LightTrack | None = None
        self.feel: HapticTrack | None = None
        self.finished = False
        self.recent_starts: list[datetime] = list(recent_starts)
        self._draft: EpisodeDraft | None = None
        self._escalation: list[str] = []
        self._state_since = self.origin
        self._button_down = False
        self._armed = False  # a hold in ground: its release means "not helping"
        self._downs = (-math.inf, -math.inf)  # when the button last went down, and the time before
        self._squeeze_from: float | None = None
        self._menu_shown_at: float | None = None
        self._fade = Fade()
        self._last_level = 0.0
        #: For the faces' words after a session (they read state, never change it): the last
        #: session closed (program, status, when), the last answer to "did that help?" (helped,
        #: when) and the last reach-out message (message, when).
        self.last_session: tuple[str, str, float] | None = None
        self.last_answer: tuple[str, float] | None = None
        self.last_reach_out: tuple[str, float] | None = None
        self.last_plan: float | None = None  # when the safety plan was last asked for
        self.battery = Battery()
        self._notice: tuple[str, float] | None = None  # a pattern felt while idle, from then
        self._notice_waiting: str | None = None  # ... or once idle again
        self.learner = learner
        if learner is None and self.settings.adaptive.enabled:
            self.learner = self.new_learner(random.Random())
        self.choice: Choice | None = None
        self._episode_night = True
        self._adapt()

    # --- adaptive -----------------------------------------------------------------------------

    def new_learner(self, rng: random.Random) -> Learner:
        """An empty learner for this flow's menu and default program (the journal fills it)."""
        return Learner(self.settings.adaptive, self.selected, self.menu, rng)

    def night(self) -> bool:
        """The night window of the caps; an unsynchronised clock counts as night."""
        if wall_synced(self.clock) is not True:
            return True
        settings = self.settings
        return in_window(settings.night_start, settings.night_end, self.clock.wall().time())

    def use_learner(self, learner: Learner) -> None:
        """Follow what ``learner`` has counted (the journal's episodes, shell/insights.py)."""
        self.learner = learner
        self._adapt()

    def _adapt(self) -> None:
        """With adaptive on: select what has helped most at this time of day (core/adaptive)."""
        if self.learner is None or not self.settings.adaptive.enabled:
            return
        self.choice = self.learner.choose(self.night())
        self.selected = self.choice.program

    def why_selected(self) -> str:
        """One line for the idle screen: what a press starts, and why."""
        if self.choice is not None and self.choice.program == self.selected:
            return self.choice.reason
        if self.selected == self.settings.default_program:
            return f"{self.selected}: the default program"
        return f"{self.selected}: chosen from the menu"

    # --- events -------------------------------------------------------------------------------

    def _event(self, kind: EventKind, **data: Any) -> Event:
        return Event(kind, self.clock.now() - self.origin, None, data)

    def _sound(self, name: str | None) -> list[Event]:
        return [self._event(EventKind.SOUND, name=name)] if name else []

    def _rebase(self, events: list[Event]) -> list[Event]:
        """Session events on the flow's time line, with the sound each phase starts with."""
        out: list[Event] = []
        assert self.session is not None
        shift = self.session.started_at - self.origin
        for event in events:
            due = None if event.due is None else event.due + shift
            out.append(replace(event, t=event.t + shift, due=due))
            if event.kind == EventKind.PHASE:
                self._squeeze_boundary(event.data["phase"])
                voice = self.settings.voice
                out.extend(self._sound(sound_for(self.session.plan, event.data["index"], voice)))
            elif event.kind == EventKind.SESSION_END and event.data["status"] == COMPLETED:
                out.extend(self._sound(self.session.plan.end_sound or "bell_end"))
        return out

    def _enter(self, state: State) -> list[Event]:
        self.state = state
        self._state_since = self.clock.now()
        if state == IDLE and self._notice_waiting is not None:
            self._notice = (self._notice_waiting, self._state_since)
            self._notice_waiting = None
        return [self._event(EventKind.STATE, state=state)]

    # --- public -------------------------------------------------------------------------------

    def start(self, program: str | None = None) -> list[Event]:
        """Begin an episode with ``program`` (default: the selected one)."""
        if self.state != IDLE:
            return []
        name = program or self.selected
        events: list[Event] = []
        if self.battery.very_low:
            short = choose_short(name, self.menu, self.library)
            if short != name:
                events.append(
                    self._event(
                        EventKind.BATTERY,
                        state=self.battery.state(),
                        percent=self.battery.percent,
                        program=short,
                        instead_of=name,
                    )
                )
                name = short
        clock_note = None if wall_synced(self.clock) is True else "unsynced"
        self._draft = EpisodeDraft(
            self.clock.wall(), clock=clock_note, battery_start=self.battery.percent
        )
        self._episode_night = self.night()
        self._escalation = list(self.library[name].fallback)
        if self.learner is not None and self.settings.adaptive.enabled:
            self._escalation = list(self.learner.order(self._escalation, self._episode_night))
        self._menu_shown_at = None
        return events + self._run(name)

    def battery_reading(self, percent: float | None) -> bool:
        """A new battery level (None: the gauge gave none); True when the low-battery pattern
        starts (or waits for the session to end) because of it."""
        if self.battery.reading(percent):
            self.notice("low_battery")
            return self.settings.vibration
        return False

    def _run(self, name: str) -> list[Event]:
        plan = expand(name, self.library)
        if self._draft is not None:
            self._draft.tried.append(name)
        self.session = Session(plan, self.clock)
        self.track = LightTrack(plan, self.settings.floor)
        self.feel = HapticTrack(plan) if self.settings.haptics else None
        events = self._enter(RUNNING) if self.state != RUNNING else []
        return events + self._rebase(self.session.start()) + self._after_session_events()

    def handle(self, gesture: Gesture) -> list[Event]:
        """A gesture from the button, then whatever time has made due."""
        events = self.tick()
        if gesture.kind == DOWN:
            self._button_down = True
            self._armed = False
            self._downs = (gesture.t, self._downs[0])
            if self._in_squeeze_phase():
                self._squeeze_from = gesture.t
        elif gesture.kind == UP:
            self._button_down = False
            self._end_squeeze(gesture.t)
        mode = self.mode()
        row = ROWS_BY_KEY.get((mode, gesture.kind))
        if row is None or (mode in SETTLING and self._settling(gesture.kind)):
            return events
        # a handler may end the session (the last thing named): move on from it at once
        return events + self._handler(row.action)() + self._after_session_events()

    def _handler(self, action: str) -> Callable[[], list[Event]]:
        """The method that carries out a table row's action (every action has one: tested)."""
        handler: Callable[[], list[Event]] = getattr(self, f"_do_{action}")
        return handler

    def _settling(self, kind: str) -> bool:
        """Whether this press (or double) began too soon after the screen came to answer it."""
        if kind not in (PRESS, DOUBLE):
            return False
        began = self._downs[1] if kind == DOUBLE else self._downs[0]
        return -math.inf < began < self._state_since + SETTLE_S  # (-inf: no down was seen)

    def mode(self) -> Mode:
        """What the button means now (flow_table.Mode): the state, in a session its phase."""
        if self.finished:
            return Mode.STOPPING
        if self.state != RUNNING:
            return Mode(self.state)
        session = self.session
        if session is None or session.current is None:
            return Mode.SESSION
        if session.state == PAUSED:
            return Mode.PAUSED
        return PHASE_MODES.get(session.current.phase, Mode.SESSION)

    def wanted(self) -> frozenset[str]:
        """The gestures that mean something now: the detector waits for a double only then."""
        return WANTED[self.mode()]

    def hint(self) -> str:
        """What the button does now, in words, from the same table the flow runs on."""
        return hint(self.mode(), self.hint_values())

    def hint_values(self) -> dict[str, str]:
        """The placeholders of the hints: the program a press starts, where "not helping" goes."""
        following = self._not_helping_leads_to()
        if following is None:
            leads = "end here"
        elif following == QUIET_PROGRAM:
            leads = "quiet time instead"
        else:
            leads = f"try {following}"
        plan = "my safety plan" if self.settings.safety_plan else ""
        return {"program": self.selected, "next": leads, "plan": plan}

    def _timeout(self) -> tuple[float, Action] | None:
        """When the current mode runs out if left alone, and what happens then (TIMEOUTS)."""
        mode = self.mode()
        timeout = TIMEOUTS.get(mode)
        if timeout is None:
            return None
        since = self._state_since
        session = self.session  # one read: the faces ask (timeout_at) from another thread
        if mode == Mode.PAUSED and session is not None:
            since = session.paused_at or since
        return since + getattr(self.settings, timeout.setting), timeout.action

    def timeout_at(self) -> float | None:
        """When the current mode runs out if left alone (the faces count down to it), or None."""
        timeout = self._timeout()
        return None if timeout is None else timeout[0]

    def tick(self) -> list[Event]:
        """Let time pass: session boundaries, timeouts."""
        events: list[Event] = []
        timeout = self._timeout()
        if timeout is not None and self.clock.now() >= timeout[0]:
            # e.g. a pause left alone ends gently rather than light the room all night
            return self._handler(timeout[1])()
        if self.state == RUNNING and self.session is not None:
            events += self._rebase(self.session.update())
            events += self._after_session_events()
        return events

    def stop(self, status: str = STOPPED) -> list[Event]:
        """End whatever is going on (a signal, a quit key); an open episode is journaled.

        A session cut short gets ``status``; an episode whose sessions had already ended (waiting
        on the quiet offer or the question) keeps the status it had.
        """
        was_running = self.state == RUNNING and self.session is not None
        events = self._end_session(status)
        if self._draft is not None:
            events += self._finish(UNKNOWN, status=status if was_running else None, announce=False)
        self.finished = True
        return events

    def in_flight(self) -> dict[str, Any] | None:
        """The open episode as a journal record, as it would read if the power went now."""
        if self._draft is None:
            return None
        self._draft.battery_end = self.battery.percent
        return self._draft.interrupted(self.session).to_record()

    def next_deadline(self) -> float | None:
        """The next time tick() has something to do (None: nothing until a button edge)."""
        deadlines = []
        if self.state == RUNNING and self.session is not None:
            deadlines.append(self.session.next_deadline())
        timeout = self._timeout()
        if timeout is not None:
            deadlines.append(timeout[0])
        return min((d for d in deadlines if d is not None), default=None)

    def animating(self, at: float | None = None) -> bool:
        """Whether the light or motor may change without an edge: the runner draws frames then.

        ``at`` asks about a coming moment before next_deadline() (see frame()).
        """
        if self.state == RUNNING:
            return self.session is not None and self.session.state != PAUSED
        if self.state in (OFFER_QUIET, ASK_HELPED):
            return True
        now = self.clock.now() if at is None else at
        if self._fade.moving(now) or self._noticing(now):
            return True
        return self.showing_menu(now)

    def showing_menu(self, at: float | None = None) -> bool:
        """Whether idle shows the selected program's number now (after a double or a hold)."""
        now = self.clock.now() if at is None else at
        return self.state == IDLE and self._menu_shown_at is not None and now < self._menu_end()

    def frame(self, at: float | None = None) -> Frame:
        """Light level (perceptual, before caps) and motor drive now, or at clock time ``at``.

        Nothing changes but the time until next_deadline() or the next button edge, so the
        runner may work out the frames up to then ahead, in one go, from ``at``.
        """
        return self._frame(self.clock.now() if at is None else at)

    # --- what the gestures do (one handler per flow_table.Action) -------------------------------

    def _do_start(self) -> list[Event]:
        return self.start()

    def _do_next_program(self) -> list[Event]:
        position = self.menu.index(self.selected) if self.selected in self.menu else -1
        self.selected = self.menu[(position + 1) % len(self.menu)]
        return self._do_show_program()

    def _do_show_program(self) -> list[Event]:
        """Show (the number as slow pulses, the faces by name) and say the selected program."""
        self._menu_shown_at = self.clock.now()
        number = self.menu.index(self.selected) + 1 if self.selected in self.menu else 0
        selected = self._event(EventKind.SELECTED, program=self.selected, number=number)
        return [selected, *self._sound(f"name_{self.selected}")]

    def _do_pause(self) -> list[Event]:
        assert self.session is not None
        events = self._rebase(self.session.toggle_pause())
        if self.session.state == PAUSED:
            events += self._sound("say_paused" if self.settings.voice else "tick")
        return events

    def _do_count(self) -> list[Event]:
        assert self.session is not None
        return self._rebase(self.session.count_item()) + self._sound("tick")

    def _do_arm(self) -> list[Event]:
        """A hold while naming things: a tick now; letting go means "not helping"."""
        self._armed = True
        return self._sound("tick")

    def _do_let_go(self) -> list[Event]:
        if not self._armed:
            return []
        self._armed = False
        return self._do_not_helping()

    def _do_keep_holding(self) -> list[Event]:
        """A long hold stops, but only one that began here (not a "not helping" held on)."""
        if not self._armed:
            return []
        self._armed = False
        return self._do_stop()

    def _quiet_time(self) -> bool:
        """Whether quiet time is offered: after a session, and as the last "not helping"."""
        return self.settings.quiet_time and QUIET_PROGRAM in self.library

    def _not_helping_leads_to(self) -> str | None:
        """The program "not helping" switches to: the next fallback, then quiet time, or none."""
        if self._escalation:
            return self._escalation[0]
        session = self.session  # one read: the window asks from another thread
        running = session.plan.program if session is not None else None
        if self._quiet_time() and running != QUIET_PROGRAM:
            return QUIET_PROGRAM
        return None

    def _do_not_helping(self) -> list[Event]:
        following = self._not_helping_leads_to()
        if self._escalation:
            self._escalation.pop(0)
        if self.session is not None and self._draft is not None:
            self._draft.not_helping.append(self.session.plan.program)
        events = [
            *self._end_session(STOPPED),
            self._event(EventKind.NOT_HELPING, switch_to=following),
        ]
        if following is None:  # nothing left to try: end here, gently, and ask
            self._start_fade()
            return events + self._to_ask()
        return events + self._run(following)

    def _do_stop(self) -> list[Event]:
        """Stop the session, fade the light from where it is, and ask whether it helped."""
        events = self._end_session(STOPPED)
        self._start_fade()
        return events + self._to_ask()

    def _do_squeeze(self) -> list[Event]:
        return []  # timed from the button's down and up (see handle)

    def _do_quiet_time(self) -> list[Event]:
        return self._run(QUIET_PROGRAM)

    def _do_to_ask(self) -> list[Event]:
        return self._to_ask()

    def _do_yes(self) -> list[Event]:
        return self._finish(YES)

    def _do_no(self) -> list[Event]:
        return self._finish(NO)

    def _do_no_answer(self) -> list[Event]:
        return self._finish(UNKNOWN)

    def _do_read_plan(self) -> list[Event]:
        """A 4 s hold in idle: the person's safety plan, for the faces to read aloud or show.

        Only a hold that began in idle: one held on from a session is no request for it.
        """
        if self._downs[0] < self._state_since:
            return []
        if not self.settings.safety_plan:
            return self._sound("tick")
        spoken = self.settings.safety_plan_spoken and self.settings.voice
        self.last_plan = self.clock.now()
        shown = self._event(EventKind.SAFETY_PLAN, text=self.settings.safety_plan, spoken=spoken)
        return [shown, *(self._sound("say_safety_plan") if spoken else [])]

    # --- transitions --------------------------------------------------------------------------

    def _after_session_events(self) -> list[Event]:
        """When the running session has just completed: on to the quiet offer or the question."""
        session = self.session
        if self.state != RUNNING or session is None or session.state != ENDED:
            return []
        was_quiet = session.plan.program == QUIET_PROGRAM
        self._close_session()
        if self.single:
            return self._finish(UNKNOWN)
        if not was_quiet and self._quiet_time():
            self._start_fade()
            return self._enter(OFFER_QUIET) + self._sound("say_quiet_offer")
        return self._to_ask()

    def _end_session(self, status: str) -> list[Event]:
        """Stop the running session (if any) with ``status`` and close it into the episode."""
        if self.state != RUNNING or self.session is None:
            return []
        events = self._rebase(self.session.stop(status))
        self._close_session()
        return events

    def _close_session(self) -> None:
        if self.session is not None and self._draft is not None:
            self._draft.add(self.session)
        if self.session is not None:
            status = self.session.status or STOPPED
            self.last_session = (self.session.plan.program, status, self.clock.now())
        self._end_squeeze(self.clock.now())  # a squeeze counts only inside the squeeze phases
        self._last_level = self._session_level()
        self.session = None
        self.track = None

    def _to_ask(self) -> list[Event]:
        if self.single:
            return self._finish(UNKNOWN)
        return self._enter(ASK_HELPED) + self._sound(
            "say_did_it_help" if self.settings.voice else "tick"
        )

    def _finish(self, helped: str, status: str | None = None, announce: bool = True) -> list[Event]:
        events: list[Event] = []
        if self._draft is not None:
            if status is not None:
                self._draft.status = status
            self._draft.battery_end = self.battery.percent
            episode = self._draft.finish(helped)
            self._draft = None
            counted = tally(
                self.recent_starts,
                episode,
                self.clock.wall(),
                self.settings.reach_out_sessions,
                self.settings.reach_out_within_h,
                self.settings.demo,
            )
            self.recent_starts = list(counted.starts)
            record = episode.to_record()
            if self.learner is not None:
                self.learner.add(record, self._episode_night)
            events.append(self._event(EventKind.EPISODE_END, **record))
            if announce:
                self.last_answer = (helped, self.clock.now())
            if announce and counted.crossed and self.settings.reach_out:
                message = self.settings.reach_out_message
                self.last_reach_out = (message, self.clock.now())
                events += [
                    self._event(EventKind.REACH_OUT, message=message),
                    *self._sound("say_reach_out"),
                ]
        self._start_fade()
        events += self._enter(IDLE)
        self._adapt()
        if self.single:
            self.finished = True
        return events

    def _start_fade(self) -> None:
        """Fade the light out from where it is (a closed session left its level behind)."""
        now = self.clock.now()
        if self.state in (OFFER_QUIET, ASK_HELPED):
            self._last_level = self._frame(now).level
        self._fade = Fade(self._last_level, now)

    # --- light --------------------------------------------------------------------------------

    def _squeeze_boundary(self, phase: str) -> None:
        """A held button's squeeze is timed only while the phase is a squeeze phase."""
        if not self._button_down or self._draft is None:
            return
        now = self.clock.now()
        if phase in SQUEEZE_PHASES and self._squeeze_from is None:
            self._squeeze_from = now
        elif phase not in SQUEEZE_PHASES:
            self._end_squeeze(now)

    def _end_squeeze(self, now: float) -> None:
        """A squeeze under way ends now: its time goes into the episode."""
        if self._squeeze_from is not None and self._draft is not None:
            self._draft.add_squeeze(self._squeeze_from, now)
        self._squeeze_from = None

    def _in_squeeze_phase(self) -> bool:
        session = self.session
        return (
            self.state == RUNNING
            and session is not None
            and session.current is not None
            and session.current.phase in SQUEEZE_PHASES
        )

    def _session_level(self) -> float:
        if self.session is None or self.track is None or self.session.current is None:
            return self._last_level
        return self.track.level(self.session.index, self.session.step_elapsed())

    def _menu_end(self) -> float:
        assert self._menu_shown_at is not None
        number = self.menu.index(self.selected) + 1 if self.selected in self.menu else 1
        return menu_end(self._menu_shown_at, number)

    def _frame(self, now: float) -> Frame:
        if self.state == RUNNING and self.session is not None and self.track is not None:
            index = self.session.index
            if index < 0:
                return Frame(0.0, IDLE_COLOUR, 0.0)
            vibrate = self.settings.vibration and self.session.state != PAUSED
            if self.feel is None:
                return self.track.frame(index, self.session.step_elapsed(now), vibrate)
            t = self.session.step_elapsed(now)
            light = self.track.frame(index, t, False)
            return Frame(light.level, light.colour, self.feel.drive(index, t) if vibrate else 0.0)
        if self.state == OFFER_QUIET:
            # the light fades away over the grace time; a press still starts quiet time
            level = offer_level(
                self._fade.start, now - self._state_since, self.settings.quiet_offer_s
            )
            return Frame(level, IDLE_COLOUR, 0.0)
        if self.state == ASK_HELPED:
            ask = ask_level(now - self._state_since)
            return Frame(max(self._fade.level(now), ask), IDLE_COLOUR, 0.0)
        level = self._fade.level(now)
        if self._menu_shown_at is not None and now < self._menu_end():
            level = max(level, menu_level(now - self._menu_shown_at))
        if self._button_down:
            level = max(level, ACK_LEVEL)
        return Frame(level, IDLE_COLOUR, self._notice_drive(now))

    # --- notices: a pattern felt while idle (the battery is low) ------------------------------

    def notice(self, name: str) -> None:
        """Play notice ``name`` (haptics.NOTICES) now if idle, else once idle again; it is felt
        only if vibration is on."""
        if not self.settings.vibration:
            return
        if self.state == IDLE:
            self._notice = (name, self.clock.now())
        else:
            self._notice_waiting = name

    def _noticing(self, now: float) -> bool:
        notice = self._notice
        return notice is not None and now < notice[1] + notice_length(notice[0])

    def _notice_drive(self, now: float) -> float:
        notice = self._notice
        if notice is None or self.state != IDLE:
            return 0.0
        return notice_at(notice[0], now - notice[1])
