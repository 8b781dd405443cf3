"""Builders for tests: a calmkit on gpiozero's mock pins and the fake clock, driven by a script."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from calmkit.config import parse_config
from calmkit.core.clock import FakeClock
from calmkit.shell.app import App, build
from calmkit.shell.runner import Scripted

NOON = datetime(2026, 3, 2, 12, 0).astimezone()
MIDNIGHT = datetime(2026, 3, 2, 0, 0).astimezone()


@dataclass
class Rig:
    """A built app plus what it did: every event and every frame's pin readings."""

    app: App
    clock: FakeClock
    events: list = field(default_factory=list)
    frames: list = field(default_factory=list)

    @property
    def light_pin(self) -> Any:
        return self.app.devices.light_pins[0]

    @property
    def button_pin(self) -> Any:
        return self.app.devices.button_pin

    def at(self, t: float, action) -> None:
        self.app.waiter.add(t, action)

    def press(self, t: float, length: float = 0.1) -> None:
        self.at(t, self.button_pin.drive_low)
        self.at(t + length, self.button_pin.drive_high)

    def run(self) -> str:
        return self.app.runner.run()

    def kinds(self, kind: str) -> list:
        return [e for e in self.events if e.kind == kind]

    def level_at(self, t: float) -> float:
        """The light pin's duty as set by the frame drawn at time t (exactly)."""
        for when, duty, _motor in self.frames:
            if abs(when - t) < 1e-9:
                return duty
        raise AssertionError(f"no frame at t={t}")


def rig(yaml_text: str = "", wall: datetime = NOON, script: tuple = (), **kw) -> Rig:
    config = parse_config(yaml_text, "test.yaml")
    clock = FakeClock(wall_start=wall, speed=kw.get("speed", 1.0))  # the clock owns speed
    holder: dict = {}

    def on_frame(now: float) -> None:
        devices = holder["rig"].app.devices
        motor = devices.motor_pin.state if devices.motor_pin is not None else 0
        holder["rig"].frames.append((now, devices.light_pins[0].state, motor))

    app = build(
        config,
        clock=clock,
        on_event=lambda e: holder["rig"].events.append(e),
        on_frame=on_frame,
        script=[Scripted(t, a) for t, a in script],
        **kw,
    )
    holder["rig"] = Rig(app, clock)
    return holder["rig"]
