"""Putting a calmkit together from a Config: clock, pins, devices, sound, journal, flow, runner.

One place builds the pieces so that `calmkit run`, `calmkit play`, the simulator and the tests
get the same device. What differs is passed in: the clock (real, scaled or fake), mock pins or
real ones, whether to journal, a single program or the whole one-button flow.

Under ``--speed`` the clock runs faster, and only the clock knows by how much: what must keep
real time (a person's press, a sound's length, the lamp's frames a second) is turned into the
clock's seconds by asking it (``clock.from_real``).
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from calmkit.config import Config, GestureConfig
from calmkit.core.clock import Clock, FakeClock, MonotonicClock, ScaledClock, wall_synced
from calmkit.core.cues import Caps, caps_at
from calmkit.core.events import Event
from calmkit.core.flow import Flow, FlowSettings
from calmkit.core.gestures import LONG_HOLD_RATIO, GestureDetector
from calmkit.core.programs import Steps
from calmkit.core.safety_plan import offer, spoken_text
from calmkit.core.soundorder import SoundLine
from calmkit.devices import simbus
from calmkit.devices.hardware import Devices, PinChoice, choose_pins, mock_factory
from calmkit.shell import speech, texts, timesync, voices
from calmkit.shell.audio import SOUNDS, Audio
from calmkit.shell.chores import BatteryRead
from calmkit.shell.collaborators import Watchdog
from calmkit.shell.comfort import comfortable
from calmkit.shell.journal import Journal, default_path
from calmkit.shell.runner import SOUND_WAIT_S, Runner
from calmkit.shell.waiters import Item, QueueWaiter, Scripted, VirtualWaiter, Waiter

log = logging.getLogger("calmkit")


def flow_settings(config: Config, demo: bool = False) -> FlowSettings:
    plan = config.safety_plan
    return FlowSettings(
        default_program=config.default_program,
        menu=config.menu,
        quiet_offer_s=config.flow.quiet_offer_s,
        helped_s=config.flow.helped_s,
        pause_limit_s=config.flow.pause_limit_s,
        quiet_time=config.flow.quiet_time,
        floor=config.light.floor,
        voice=config.sound.voice,
        vibration=config.vibration.enabled,
        reach_out=config.reach_out.enabled,
        reach_out_sessions=config.reach_out.sessions,
        reach_out_within_h=config.reach_out.within_hours,
        reach_out_message=config.reach_out.message
        + ("" if plan.empty else f" {offer(config.gestures.hold_s * LONG_HOLD_RATIO)}"),
        demo=demo,
        adaptive=config.adaptive,
        night_start=config.night.start,
        night_end=config.night.end,
        safety_plan=spoken_text(plan),
        haptics=any(output.kind == "haptic" for output in config.hardware.outputs),
    )


def caps_for(config: Config, clock: Clock) -> Callable[[], Caps]:
    """Output limits right now: the day settings, lowered in the night window and whenever the
    clock is not synchronised (or cannot tell): a dim light is never wrong at night."""
    night = config.night

    def caps() -> Caps:
        return caps_at(
            clock.wall().time(),
            trusted=wall_synced(clock) is True,
            brightness=config.light.brightness,
            volume=config.sound.volume,
            vibration=config.vibration.strength if config.vibration.enabled else 0.0,
            night_start=night.start,
            night_end=night.end,
            night_brightness=night.brightness,
            night_volume=night.volume,
            night_vibration=night.vibration,
        )

    return caps


def audio_for(
    config: Config,
    warn: Callable[[str], None],
    voice: Path | None = None,
    reach_voice: Path | None = None,
) -> Audio:
    """The sound as the config sets it, with the user's own recording of the reach-out, the
    voice pack of the config's language (and ``voice``: the safety plan read aloud;
    ``reach_voice``: the person's own reach-out message read aloud; see shell/speech.py)."""
    overrides: dict[str, Path | str] = {}
    if config.reach_out.sound:
        overrides["say_reach_out"] = config.reach_out.sound
    elif reach_voice is not None:
        overrides["say_reach_out"] = reach_voice
    if voice is not None:
        overrides[speech.SAFETY_PLAN_SOUND] = voice
    choice = voices.choose_for(config)  # the language's voice pack, or a note and English
    return Audio(
        enabled=True,
        volume=config.sound.volume,
        fade_in_ms=config.sound.fade_in_ms,
        voice=config.sound.voice,
        user_dir=config.sound.dir,
        warn=warn,
        overrides=overrides,
        voice_dir=choice.folder,
        voice_note=choice.note,
    )


def safety_plan_voice(config: Config) -> Path | None:
    """The safety plan read aloud into a private WAV, when a plan is kept and a voice engine
    and sound are there (None: the faces show it, nothing is played)."""
    if config.safety_plan.empty or not (config.sound.enabled and config.sound.voice):
        return None
    if speech.engine() is None:
        return None
    return speech.render(spoken_text(config.safety_plan), speech.private_folder())


def reach_out_voice(config: Config) -> Path | None:
    """The person's own reach-out message read aloud into a private WAV, so the box says the
    words it shows (None: the message is the packaged one, which every voice pack speaks, or
    the person recorded it as reach_out.sound, or there is no voice engine or no sound)."""
    message = config.reach_out.message.strip()
    if not (config.reach_out.enabled and config.sound.enabled and config.sound.voice):
        return None
    if config.reach_out.sound or message == texts.load("en").prompts["say_reach_out"].strip():
        return None
    if speech.engine() is None:
        return None
    return speech.render(message, speech.private_folder(), "say_reach_out")


def sound_line(config: Config, audio: Audio, clock: Clock | None = None) -> SoundLine:
    """The order of sounds, decided on every sound's length as the files say (soundorder.py).

    Under --speed a sound still takes its real time: ``clock`` says how long that is on it.
    """
    on_clock = clock.from_real if clock is not None else float
    own = [
        step.sound
        for program in config.programs.values()
        for block in program.blocks
        if isinstance(block, Steps)
        for step in block.steps
        if step.sound
    ]
    voice = [speech.SAFETY_PLAN_SOUND] if speech.SAFETY_PLAN_SOUND in audio.overrides else []
    lengths = audio.lengths([*SOUNDS, *own, *voice])
    return SoundLine({name: on_clock(seconds) for name, seconds in lengths.items()})


def gestures_for(settings: GestureConfig, clock: Clock) -> GestureDetector:
    """The button keeps human timing under --speed: its times are real seconds on the clock."""
    real = clock.from_real
    return GestureDetector(
        real(settings.hold_s), real(settings.double_s), real(settings.debounce_s)
    )


def journal_path(config: Config) -> Path:
    return config.journal.path or default_path()


def recovery_notes(recovered: list[dict[str, Any]], journal: Journal) -> list[str]:
    """What the person is told at start about sessions an earlier run left behind."""
    kept = "journaled" if journal.problem is None else "kept (not saved yet, see above)"
    return [
        f"The session started {record.get('start', '?')} was cut off and is {kept} as interrupted."
        for record in recovered
    ]


@dataclass
class App:
    """A built calmkit; ``runner.run()`` starts it, ``close()`` releases everything."""

    config: Config
    clock: Clock
    pins: PinChoice
    devices: Devices
    flow: Flow
    runner: Runner
    audio: Audio | None = None
    journal: Journal | None = None
    waiter: Waiter | None = None
    notes: list[str] = field(default_factory=list)
    gauge: Any = None  # a wearable's fuel gauge (devices.gauge.Gauge), if the config fits one
    #: the safety plan read aloud (a private WAV), removed at close
    voice: Path | None = None
    #: the person's own reach-out message read aloud (a private WAV), removed at close
    reach_voice: Path | None = None

    def close(self) -> None:
        for spoken in (self.voice, self.reach_voice):
            if spoken is not None:
                speech.remove(spoken)
        if self.gauge is not None:
            self.gauge.close()
        self.devices.close()
        if self.audio is not None:
            self.audio.close()
        if self.journal is not None:
            self.journal.close()  # writes what is held back, if it now can


def build(
    config: Config,
    *,
    clock: Clock | None = None,
    pins: PinChoice | None = None,
    speed: float = 1.0,
    program: str | None = None,
    sound: bool = True,
    journal: bool | Journal = True,
    on_event: Callable[[Event], None] | None = None,
    on_frame: Callable[[float], None] | None = None,
    script: Iterable[Scripted] = (),
    notifier: Watchdog | None = None,
    clear_history: bool = False,
    warn: Callable[[str], None] | None = None,
) -> App:
    """Build a calmkit. ``program`` runs that one program and finishes (``calmkit play``).

    ``speed`` makes the clock (a ScaledClock above 1); a clock handed in brings its own speed,
    and ``speed``, if given too, must be the same.
    """
    warn = warn or log.warning
    if clock is None:
        synced = timesync.synchronised
        clock = MonotonicClock(synced) if speed == 1.0 else ScaledClock(speed, synced)
    elif speed not in (1.0, clock.speed):
        raise ValueError(f"speed={speed} was asked for, but the clock runs at {clock.speed}")
    demo = clock.speed != 1.0  # a --speed run: kept apart from the real ones
    virtual = isinstance(clock, FakeClock)
    if pins is None:
        pins = PinChoice(mock_factory(), True) if virtual else choose_pins(config.hardware.pins)
    if pins.mock:  # the simulated I2C bus keeps the runner's time (its gauge drains on it)
        simbus.on_clock(pins.factory, clock.now)
    devices = Devices(config.hardware, pins.factory, gamma=config.light.gamma)
    voice: Path | None = None
    reach_voice: Path | None = None
    try:
        notes = [pins.note] if pins.note else []
        the_journal: Journal | None = None
        starts = []
        if isinstance(journal, Journal):
            the_journal = journal
        elif journal and config.journal.enabled and not virtual:
            # a --speed run is a demo: kept at real times, out of history totals and reach-out
            the_journal = Journal(journal_path(config), warn=warn, demo=demo)
        if the_journal is not None:
            notes.extend(recovery_notes(the_journal.recover(), the_journal))
            starts = the_journal.recent_starts(clock.wall(), config.reach_out.within_hours)
        audio: Audio | None = None
        sounds = SoundLine({})
        voice = safety_plan_voice(config) if sound and not virtual else None
        reach_voice = reach_out_voice(config) if sound and not virtual else None
        if sound and config.sound.enabled:
            # a virtual run plays nothing, but orders its sounds (and shows them) all the same
            card = audio_for(config, warn, voice, reach_voice)  # the pack is chosen once
            sounds = sound_line(config, card, clock)
            if not virtual:
                audio = card
                if audio.open():  # says at start-up when there is no sound to be had ...
                    audio.suspend()  # ... then lets the card go until the first sound
        settings = flow_settings(config, demo=demo)
        if voice is None:  # no voice for the plan: it is shown, never said to be read
            settings = replace(settings, safety_plan_spoken=False)
        flow = Flow(
            config.programs,
            clock,
            settings,
            recent_starts=starts,
            single=program is not None,
        )
        if config.adaptive.enabled:  # what helped, from one aggregate query (shell/insights)
            from calmkit.shell.insights import learner_for

            flow.use_learner(learner_for(flow, the_journal))
        items: queue.SimpleQueue[Item] = queue.SimpleQueue()
        waiter: VirtualWaiter | QueueWaiter = (
            VirtualWaiter(items, clock, script)
            if isinstance(clock, FakeClock)
            else QueueWaiter(items, clock)
        )
        runner = Runner(
            flow,
            # the vibration under the comfort limit; a frame's length on the clock between writes
            comfortable(devices.outputs, clock.now, clock.from_real(1.0) / config.light.fps),
            clock,
            gestures=gestures_for(config.gestures, clock),
            caps=caps_for(config, clock),
            fps=config.light.fps / clock.from_real(1.0),  # frames a second of real time
            audio=audio,
            journal=the_journal,
            notifier=notifier,
            on_event=on_event,
            waiter=waiter,
            items=items,
            clear_history=devices.clear_history if clear_history else None,
            on_frame=on_frame,
            sounds=sounds,
            sound_wait_s=clock.from_real(SOUND_WAIT_S),
        )
        gauge = battery_gauge(config, pins)
        if gauge is not None:
            runner.chores.battery = BatteryRead(flow, gauge, clock.now())
        devices.on_edge(runner.edge)
    except BaseException:
        devices.close()
        for spoken in (voice, reach_voice):
            if spoken is not None:
                speech.remove(spoken)
        raise
    from calmkit.shell.mockbutton import listen  # mock pins under systemd only: see there

    listen(pins, clock, devices.button_pin, program)
    if program is not None:
        runner.start(program)
    return App(
        config,
        clock,
        pins,
        devices,
        flow,
        runner,
        audio,
        the_journal,
        waiter,
        notes,
        gauge,
        voice,
        reach_voice,
    )


def battery_gauge(config: Config, pins: PinChoice) -> Any:
    """The fuel gauge the config fits (hardware.battery), on the pins' bus; None if none."""
    if config.hardware.battery is None:
        return None
    from calmkit.devices.gauge import Gauge

    return Gauge(config.hardware.battery, pins.factory)
