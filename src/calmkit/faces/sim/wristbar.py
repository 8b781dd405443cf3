"""The wearable in the terminal: the haptic's amplitude as a bar, and the battery's level.

A wearable has no lamp, so the terminal's light bar would always be empty: for a config with a
haptic driver and no lamp (``is_wrist``), the line starts with what the wrist feels instead, read
back from the devices like everything the simulators show.
"""

from __future__ import annotations

from typing import Any

#: The bar's width in characters, and the eighths a character can show.
WIDTH = 16
EIGHTHS = " ▏▎▍▌▋▊▉█"


def is_wrist(config: Any) -> bool:
    """A wearable: a haptic driver and no lamp (False without a config)."""
    hardware = getattr(config, "hardware", None)
    if hardware is None:
        return False
    return hardware.light is None and any(o.kind == "haptic" for o in hardware.outputs)


def amplitude_bar(amplitude: float, width: int = WIDTH) -> str:
    """``amplitude`` (0..1) as a bar of ``width`` characters, in eighths of one."""
    eighths = round(min(1.0, max(0.0, amplitude)) * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (EIGHTHS[part] if part and full < width else "")
    return bar.ljust(width)


def battery_text(percent: float | None, state: str) -> str:
    """ "bat 54 %", "bat 12 % low", or "bat ?" with no reading."""
    if percent is None:
        return "bat ?"
    note = f" {state}" if state in ("low", "very low") else ""
    return f"bat {percent:.0f} %{note}"


def battery_note(data: dict[str, Any]) -> str:
    """What a ``battery`` event says: a very low battery started a short program instead."""
    percent = data.get("percent")
    level = f" ({percent:.0f} %)" if isinstance(percent, (int, float)) else ""
    return (
        f"battery {data.get('state', 'very low')}{level}: {data.get('program')} instead of "
        f"{data.get('instead_of')}, the shortest that suits; charge it soon"
    )


def wrist_bar(app: Any) -> str:
    """The start of the terminal's line for a wearable: the amplitude felt now and the battery
    (when the config fits a gauge)."""
    shown = app.devices.shown()
    text = f"▕{amplitude_bar(shown.motor or 0.0)}▏"
    if app.config.hardware.battery is not None:
        battery = app.flow.battery
        text += f" {battery_text(battery.percent, battery.state())}"
    return text
