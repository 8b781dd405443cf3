"""Draw docs/wiring.svg: how to wire the LED, the button and the vibration motor to a Pi.

    python docs/draw_wiring.py [--config FILE] [--out FILE]

The GPIO numbers come from config/calmkit.yaml (hardware.light, .button, .second_button,
.vibration), so the picture always matches the packaged defaults. Standard library and PyYAML
only (PyYAML is already one of calmkit's dependencies). To look at it as a PNG:
``rsvg-convert docs/wiring.svg -o /tmp/wiring.png``.

Layout: the 40-pin header is drawn as seen from above with the board's edge at the top, so the
even pins (2, 4, ... the outer row) are on top and the odd pins (1, 3, ...) below. A circuit
whose GPIO is on the top row is drawn above the header, one on the bottom row below it, each
returning to the nearest ground pin on its own row, so that no two wires cross.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# Physical pin -> name, for the 40-pin header of every Raspberry Pi since the B+ (Pi 5 too).
HEADER: dict[int, str] = {
    1: "3V3", 2: "5V", 3: "GPIO2", 4: "5V", 5: "GPIO3", 6: "GND", 7: "GPIO4", 8: "GPIO14",
    9: "GND", 10: "GPIO15", 11: "GPIO17", 12: "GPIO18", 13: "GPIO27", 14: "GND", 15: "GPIO22",
    16: "GPIO23", 17: "3V3", 18: "GPIO24", 19: "GPIO10", 20: "GND", 21: "GPIO9", 22: "GPIO25",
    23: "GPIO11", 24: "GPIO8", 25: "GND", 26: "GPIO7", 27: "GPIO0", 28: "GPIO1", 29: "GPIO5",
    30: "GND", 31: "GPIO6", 32: "GPIO12", 33: "GPIO13", 34: "GND", 35: "GPIO19", 36: "GPIO16",
    37: "GPIO26", 38: "GPIO20", 39: "GND", 40: "GPIO21",
}  # fmt: skip
GND_PINS = [p for p, n in HEADER.items() if n == "GND"]
FIVE_V_PIN = 2

# Geometry (px).
PITCH = 36  # between header pins
PIN_R = 12
X0 = 130  # x of header column 0 (pins 1 and 2)
LANE = 70  # between the two wires of a circuit, and between stacked circuits
WIDTH = 1000

# Colours: light background, dark text, one colour per net.
BG = "#fbfaf6"
INK = "#23211f"
MUTED = "#6b6760"
GND_C = "#3a3a3a"
V5_C = "#c62f2f"
LANE_COLOURS = {"light": "#d9781f", "button": "#2a6fdb", "second button": "#1f9e89"}
MOTOR_C = "#8a44b8"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def gpio_pin(bcm: int) -> int:
    """The physical header pin of a BCM GPIO number."""
    for pin, name in HEADER.items():
        if name == f"GPIO{bcm}":
            return pin
    raise SystemExit(f"draw_wiring: GPIO{bcm} is not on the 40-pin header")


def col(pin: int) -> int:
    return (pin - 1) // 2


def px(pin: int) -> float:
    return X0 + col(pin) * PITCH


def on_top(pin: int) -> bool:
    return pin % 2 == 0


def nearest_gnd(pin: int) -> int:
    same_row = [g for g in GND_PINS if g % 2 == pin % 2]
    return min(same_row, key=lambda g: (abs(col(g) - col(pin)), g))


def tag(pin: int) -> str:
    return f"{HEADER[pin]} · pin {pin}"


@dataclass
class Svg:
    parts: list[str] = field(default_factory=list)

    def add(self, s: str) -> None:
        self.parts.append(s)

    def line(self, pts: list[tuple[float, float]], colour: str, width: float = 3) -> None:
        d = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        self.add(
            f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="{width}" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
        )

    def dot(self, x: float, y: float, colour: str, r: float = 4.5) -> None:
        self.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>')

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float = 14,
        colour: str = INK,
        anchor: str = "start",
        weight: str = "normal",
    ) -> None:
        # A halo in the background colour keeps text readable where it passes near a wire.
        self.add(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{colour}" '
            f'text-anchor="{anchor}" font-weight="{weight}" stroke="{BG}" stroke-width="4" '
            f'paint-order="stroke" stroke-linejoin="round">{escape(s)}</text>'
        )


# ---- component symbols ----------------------------------------------------------------------


def resistor_h(svg: Svg, x: float, y: float, colour: str, label: str) -> float:
    """A resistor (IEC box) on a horizontal wire starting at x; returns its right end."""
    svg.add(
        f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="46" height="16" rx="2" fill="#fff" '
        f'stroke="{colour}" stroke-width="3"/>'
    )
    if label:
        svg.text(x + 23, y - 16, label, 14, INK, "middle", "bold")
    return x + 46


def led_h(svg: Svg, x: float, y: float, colour: str) -> float:
    """An LED pointing right (anode on the left); returns its right end."""
    w = 26
    svg.add(
        f'<polygon points="{x:.1f},{y - 13:.1f} {x:.1f},{y + 13:.1f} {x + w:.1f},{y:.1f}" '
        f'fill="#ffd24d" stroke="{colour}" stroke-width="3" stroke-linejoin="round"/>'
    )
    svg.line([(x + w, y - 14), (x + w, y + 14)], colour, 3)
    for dx in (8, 18):  # light coming out
        ax, ay = x + dx, y - 16
        svg.line([(ax, ay), (ax + 9, ay - 12)], colour, 2)
        svg.line([(ax + 9, ay - 12), (ax + 3, ay - 10)], colour, 2)
        svg.line([(ax + 9, ay - 12), (ax + 9, ay - 6)], colour, 2)
    svg.text(x + w / 2, y - 36, "LED", 14, INK, "middle", "bold")
    svg.text(x - 4, y + 30, "long leg (+)", 12, MUTED, "middle")
    return x + w


def button_h(svg: Svg, x: float, y: float, colour: str, label: str) -> float:
    """A normally-open push button on a horizontal wire; returns its right end."""
    w = 56
    svg.dot(x, y, colour, 4)
    svg.dot(x + w, y, colour, 4)
    svg.line([(x + 2, y - 6), (x + w - 2, y - 6)], colour, 3)  # the plunger's bar, lifted
    svg.line([(x + w / 2, y - 6), (x + w / 2, y - 22)], colour, 3)
    svg.line([(x + w / 2 - 10, y - 22), (x + w / 2 + 10, y - 22)], colour, 3)
    svg.text(x + w / 2, y + 24, label, 14, INK, "middle", "bold")
    return x + w


def diode_v(svg: Svg, x: float, y_top: float, y_bottom: float, colour: str) -> None:
    """A diode on a vertical wire, cathode (the band) at the top."""
    mid = (y_top + y_bottom) / 2
    svg.line([(x, y_top), (x, mid - 11)], colour)
    svg.line([(x, mid + 11), (x, y_bottom)], colour)
    svg.add(
        f'<polygon points="{x - 12:.1f},{mid + 11:.1f} {x + 12:.1f},{mid + 11:.1f} '
        f'{x:.1f},{mid - 11:.1f}" fill="#fff" stroke="{colour}" stroke-width="3" '
        'stroke-linejoin="round"/>'
    )
    svg.line([(x - 13, mid - 11), (x + 13, mid - 11)], colour, 4)


def motor_v(svg: Svg, x: float, y: float, colour: str) -> None:
    svg.add(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="17" fill="#fff" stroke="{colour}" stroke-width="3"/>'
    )
    svg.text(x, y + 6, "M", 17, colour, "middle", "bold")


def npn_base_right(svg: Svg, x: float, y: float, colour: str) -> tuple[float, float, float]:
    """An NPN transistor with its base lead coming in from the right at (x, y).

    Returns (x of collector and emitter leads, y of the collector lead's end, y of the
    emitter lead's end)."""
    bar = x - 20
    ce = bar - 24
    svg.add(
        f'<circle cx="{bar - 8:.1f}" cy="{y:.1f}" r="27" fill="#fff" stroke="{MUTED}" '
        'stroke-width="1.5"/>'
    )
    svg.line([(x, y), (bar, y)], colour)
    svg.line([(bar, y - 15), (bar, y + 15)], INK, 4)
    svg.line([(bar, y - 7), (ce, y - 22), (ce, y - 30)], INK)
    svg.line([(bar, y + 7), (ce, y + 22), (ce, y + 30)], INK)
    # The emitter's arrow points out of the transistor.
    ex, ey = ce + 4, y + 20.5
    svg.add(
        f'<polygon points="{ex:.1f},{ey:.1f} {ex + 11:.1f},{ey - 1.5:.1f} '
        f'{ex + 5:.1f},{ey - 9:.1f}" fill="{INK}"/>'
    )
    svg.text(ce - 8, y - 20, "C", 12, MUTED, "end")
    svg.text(bar + 6, y - 6, "B", 12, MUTED)
    svg.text(ce - 8, y + 30, "E", 12, MUTED, "end")
    return ce, y - 30, y + 30


# ---- circuits -------------------------------------------------------------------------------


@dataclass
class Chain:
    """A circuit from a GPIO pin through some parts in series to the nearest ground."""

    name: str
    pin: int
    parts: list[str]  # "resistor:LABEL", "led", "button:LABEL"


def chain_width(chain: Chain) -> float:
    return sum(70 if p.startswith(("resistor", "led")) else 80 for p in chain.parts) + 40


def draw_chain(svg: Svg, chain: Chain, depth: int, y_row: float, up: bool) -> None:
    colour = LANE_COLOURS.get(chain.name, "#d9781f")
    gnd = nearest_gnd(chain.pin)
    sign = -1 if up else 1
    near = y_row + sign * (60 + depth * 2 * LANE)
    far = near + sign * LANE
    # The pin further left takes the far wire, so the two never cross.
    sig_y, gnd_y = (far, near) if px(chain.pin) < px(gnd) else (near, far)
    start = max(px(chain.pin), px(gnd)) + 150  # past both pin labels
    end = start + chain_width(chain)
    pin_y = y_row + sign * PIN_R

    svg.line([(px(chain.pin), pin_y), (px(chain.pin), sig_y), (start, sig_y)], colour)
    svg.text(px(chain.pin) + 8, sig_y - 8, tag(chain.pin), 14, colour, weight="bold")
    svg.line([(px(gnd), pin_y), (px(gnd), gnd_y), (end, gnd_y), (end, sig_y)], GND_C)
    svg.text(px(gnd) + 8, gnd_y - 8, tag(gnd), 14, GND_C, weight="bold")

    x = start
    for part in chain.parts:
        kind, _, label = part.partition(":")
        svg.line([(x, sig_y), (x + 12, sig_y)], colour)
        x += 12
        if kind == "resistor":
            x = resistor_h(svg, x, sig_y, colour, label)
        elif kind == "led":
            svg.line([(x, sig_y), (x + 12, sig_y)], colour)
            x = led_h(svg, x + 12, sig_y, colour)
        elif kind == "button":
            x = button_h(svg, x, sig_y, colour, label)
        svg.line([(x, sig_y), (x + 12, sig_y)], colour)
        x += 12
    svg.line([(x, sig_y), (end, sig_y)], GND_C if sig_y != gnd_y else colour)


def draw_motor(svg: Svg, pin: int, top_y: float, y_top_row: float, y_bot_row: float) -> float:
    """GPIO -> 1 kΩ -> NPN base; 5V -> motor (diode across it) -> collector; emitter -> GND.

    Drawn below the header for a bottom-row GPIO (5V is led round the header's left end),
    returns the lowest y used."""
    if on_top(pin):
        raise SystemExit(
            "draw_wiring: the motor circuit is drawn below the header; pick a vibration GPIO "
            "on the odd-numbered row (the default, GPIO13 on pin 33, is)"
        )
    gnd = nearest_gnd(pin)
    y5 = top_y
    y_motor = y5 + 48
    y_coll = y_motor + 42
    y_base = y_coll + 62
    y_gnd = y_base + 62
    x_gpio = px(pin)
    x_base = x_gpio - 150  # room for the pin label and the resistor
    ce, coll_end, emit_end = npn_base_right(svg, x_base, y_base, MOTOR_C)
    x_motor = ce
    x_diode = x_motor - 70

    # GPIO13 -> 1 kΩ -> base
    svg.line([(x_gpio, y_bot_row + PIN_R), (x_gpio, y_base), (x_gpio - 12, y_base)], MOTOR_C)
    r_right = x_gpio - 12
    resistor_h(svg, r_right - 46 - 44, y_base, MOTOR_C, "")
    svg.text(r_right - 44 - 23, y_base + 28, "1 kΩ", 14, INK, "middle", "bold")
    svg.line([(r_right, y_base), (r_right - 44, y_base)], MOTOR_C)
    svg.line([(r_right - 46 - 44, y_base), (x_base, y_base)], MOTOR_C)
    svg.text(x_gpio - 8, y_base - 19, tag(pin), 14, MOTOR_C, "end", "bold")

    # 5V, led round the left end of the header, along the top of the motor block.
    x_left = X0 - 75
    y_up = y_top_row - PIN_R - 22
    svg.line(
        [
            (px(FIVE_V_PIN), y_top_row - PIN_R),
            (px(FIVE_V_PIN), y_up),
            (x_left, y_up),
            (x_left, y5),
            (x_motor, y5),
            (x_motor, y_motor - 17),
        ],
        V5_C,
    )
    svg.text(x_left + 10, y5 - 8, tag(FIVE_V_PIN), 14, V5_C, weight="bold")
    motor_v(svg, x_motor, y_motor, MOTOR_C)
    svg.text(x_motor + 26, y_motor - 2, "vibration motor", 14, INK, weight="bold")
    svg.text(x_motor + 26, y_motor + 15, "(small coin motor, 3-5 V)", 12, MUTED)
    svg.line([(x_motor, y_motor + 17), (x_motor, coll_end)], INK)

    # The flyback diode across the motor: band toward 5V.
    svg.dot(x_motor, y5, V5_C)
    svg.line([(x_motor, y5), (x_diode, y5)], V5_C)
    diode_v(svg, x_diode, y5, y_coll, INK)
    svg.line([(x_diode, y_coll), (x_motor, y_coll)], INK)
    svg.dot(x_motor, y_coll, INK)
    svg.dot(x_diode, y5, V5_C)
    svg.text(x_diode - 18, y_motor - 2, "1N4148 diode", 14, INK, "end", "bold")
    svg.text(x_diode - 18, y_motor + 15, "band toward 5V", 12, MUTED, "end")

    svg.text(ce - 44, y_base - 2, "NPN transistor", 14, INK, "end", "bold")
    svg.text(ce - 44, y_base + 15, "2N2222: check which leg is", 12, MUTED, "end")
    svg.text(ce - 44, y_base + 30, "C, B and E on yours", 12, MUTED, "end")

    # Emitter -> ground.
    svg.line(
        [(x_motor, emit_end), (x_motor, y_gnd), (px(gnd), y_gnd), (px(gnd), y_bot_row + PIN_R)],
        GND_C,
    )
    svg.text(px(gnd) - 8, y_gnd - 8, tag(gnd), 14, GND_C, "end", "bold")
    return y_gnd


def draw_header(svg: Svg, y_top: float, used: dict[int, str]) -> None:
    left, right = X0 - PITCH / 2 - 4, X0 + 19 * PITCH + PITCH / 2 + 4
    svg.add(
        f'<rect x="{left:.1f}" y="{y_top - PITCH / 2 - 4:.1f}" width="{right - left:.1f}" '
        f'height="{2 * PITCH + 8:.1f}" rx="8" fill="#2b2b2b"/>'
    )
    for pin in HEADER:
        x = px(pin)
        y = y_top if on_top(pin) else y_top + PITCH
        fill = used.get(pin, "#5c5c5c")
        if pin == 1:  # pin 1 has the square pad
            svg.add(
                f'<rect x="{x - PIN_R:.1f}" y="{y - PIN_R:.1f}" width="{2 * PIN_R}" '
                f'height="{2 * PIN_R}" rx="2" fill="{fill}" stroke="#bbb" stroke-width="1.5"/>'
            )
        else:
            stroke = ' stroke="#fff" stroke-width="2"' if pin in used else ""
            svg.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{PIN_R}" fill="{fill}"{stroke}/>')
        weight = "bold" if pin in used else "normal"
        colour = "#fff" if pin in used else "#d8d8d8"
        svg.add(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" fill="{colour}" '
            f'text-anchor="middle" font-weight="{weight}">{pin}</text>'
        )
    svg.text(right + 12, y_top + 5, "even pins: board edge", 12, MUTED)
    svg.text(right + 12, y_top + PITCH + 5, "odd pins", 12, MUTED)


def load_pins(config: Path) -> dict[str, int | None]:
    with config.open(encoding="utf-8") as f:
        hardware = (yaml.safe_load(f) or {}).get("hardware") or {}
    pins: dict[str, int | None] = {}
    for key in ("light", "button", "second_button", "vibration"):
        value = hardware.get(key)
        if isinstance(value, dict):
            raise SystemExit(
                f"draw_wiring: {config}: hardware.{key} is an RGB LED; this script draws the "
                "single-LED wiring of the packaged defaults"
            )
        if value is not None and not isinstance(value, int):
            raise SystemExit(f"draw_wiring: {config}: hardware.{key} is not a GPIO number")
        pins[key] = value
    if pins["light"] is None or pins["button"] is None:
        raise SystemExit(f"draw_wiring: {config}: hardware.light and hardware.button are needed")
    return pins


def draw(pins: dict[str, int | None]) -> str:
    chains = [
        Chain("light", gpio_pin(pins["light"]), ["resistor:330 Ω", "led"]),  # type: ignore[arg-type]
        Chain("button", gpio_pin(pins["button"]), ["button:push button"]),  # type: ignore[arg-type]
    ]
    if pins["second_button"] is not None:
        chains.append(
            Chain("second button", gpio_pin(pins["second_button"]), ["button:second button"])
        )
    motor = gpio_pin(pins["vibration"]) if pins["vibration"] is not None else None
    top = [c for c in chains if on_top(c.pin)]
    bottom = [c for c in chains if not on_top(c.pin)]

    title_h = 96
    y_top_row = title_h + 70 + len(top) * 2 * LANE
    y_bot_row = y_top_row + PITCH

    svg = Svg()
    for depth, chain in enumerate(top):
        draw_chain(svg, chain, depth, y_top_row, up=True)
    for depth, chain in enumerate(bottom):
        draw_chain(svg, chain, depth, y_bot_row, up=False)
    lowest = y_bot_row + (2 * LANE * len(bottom) if bottom else 20)
    if motor is not None:
        lowest = draw_motor(svg, motor, lowest + 40, y_top_row, y_bot_row)

    used = {c.pin: LANE_COLOURS.get(c.name, "#d9781f") for c in chains}
    used.update({nearest_gnd(c.pin): GND_C for c in chains})
    if motor is not None:
        used.update({motor: MOTOR_C, nearest_gnd(motor): GND_C, FIVE_V_PIN: V5_C})
    for pin, colour in list(used.items()):
        if colour == GND_C:
            used[pin] = "#111"
    draw_header(svg, y_top_row, used)

    notes_y = lowest + 50
    notes = [
        "GPIO numbers (BCM) are what config/calmkit.yaml uses; pin numbers count the header's "
        "positions.",
        "The button needs no resistor: calmkit switches on the Pi's internal pull-up.",
        "A GPIO pin cannot power the motor: the transistor switches it from 5V. The diode takes "
        "the motor's kick when it",
        "switches off; its band goes toward 5V (the wrong way round it shorts 5V to ground).",
        "Any 3 mm or 5 mm LED; through 330 Ω it draws 1-4 mA. A warm colour (amber, red) is "
        "kindest at night.",
    ]
    for i, note in enumerate(notes):
        svg.text(40, notes_y + i * 20, note, 13, INK)
    height = notes_y + len(notes) * 20 + 16

    light, button, vib = pins["light"], pins["button"], pins["vibration"]
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="{FONT}">',
        "<title>calmkit wiring: LED, button and vibration motor on a Raspberry Pi</title>",
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="{BG}"/>',
    ]
    title = Svg()
    title.text(40, 38, "Wiring calmkit to a Raspberry Pi", 24, INK, weight="bold")
    parts = [f"light GPIO{light}", f"button GPIO{button}"]
    if pins["second_button"] is not None:
        parts.append(f"second button GPIO{pins['second_button']}")
    if vib is not None:
        parts.append(f"motor GPIO{vib}")
    title.text(40, 62, f"From config/calmkit.yaml: {', '.join(parts)}.", 14, MUTED)
    title.text(
        40,
        82,
        "The 40-pin header as seen from above, board edge at the top, pin 1 (the square pad) "
        "at the left. Same on a Pi 3, 4, 5 and Zero.",
        14,
        MUTED,
    )
    return "\n".join([*head, *title.parts, *svg.parts, "</svg>", ""])


# ---- the wearable: the I2C bus with its two breakouts, the button, the cell --------------------

I2C_C = {"3V3": "#d9781f", "SDA": "#2a6fdb", "SCL": "#1f9e89", "GND": GND_C}
I2C_PINS = {"3V3": 1, "SDA": 3, "SCL": 5, "GND": 9}
WEARABLE_WIDTH = 1100
#: The haptic driver's box: right of the bus's last drop (pin 9, GND), so each tap meets its line.
DRV_X = 290


def breakout(
    svg: Svg, x: float, y: float, w: float, title: str, note: str, pins: list[str]
) -> dict[str, float]:
    """A breakout board as a box with its pins along the top; returns each pin's x."""
    svg.add(
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="70" rx="6" fill="#fff" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    svg.text(x + w / 2, y + 44, title, 15, INK, "middle", "bold")
    svg.text(x + w / 2, y + 62, note, 12, MUTED, "middle")
    where = {}
    for k, name in enumerate(pins):
        px_ = x + 22 + k * (w - 44) / max(1, len(pins) - 1)
        svg.dot(px_, y, INK, 4)
        svg.text(px_, y + 18, name, 11, MUTED, "middle")
        where[name] = px_
    return where


def load_wearable(config: Path) -> dict[str, int]:
    """The wearable profile's button GPIO, haptic and gauge addresses."""
    with config.open(encoding="utf-8") as f:
        hardware = (yaml.safe_load(f) or {}).get("hardware") or {}
    haptic = next(
        (
            o.get("address", 0x5A)
            for o in hardware.get("outputs") or []
            if o.get("kind") == "haptic"
        ),
        None,
    )
    if haptic is None or hardware.get("battery") is None:
        raise SystemExit(f"draw_wiring: {config}: not a wearable (no haptic output or battery)")
    return {
        "button": int(hardware.get("button", 17)),
        "haptic": haptic,
        "gauge": hardware["battery"],
    }


def draw_wearable(found: dict[str, int]) -> str:
    """docs/wiring-wearable.svg: a Pi Zero 2 W with a DRV2605L and an LRA, a MAX17048 on the
    LiPo cell, a charger with a 5 V boost, and the button; drawn like draw() draws the box."""
    svg = Svg()
    y_top_row = 260
    y_bot_row = y_top_row + PITCH
    # power, above the header: the cell through the gauge to the charger and boost, 5 V and GND in
    five, gnd_top = FIVE_V_PIN, 6
    charger_x, charger_y = 560, 100
    svg.add(
        f'<rect x="{charger_x}" y="{charger_y}" width="250" height="64" rx="6" fill="#fff" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    svg.text(charger_x + 125, charger_y + 28, "LiPo charger + 5 V boost", 15, INK, "middle", "bold")
    svg.text(
        charger_x + 125, charger_y + 48, "PowerBoost 1000C, or TP4056 + boost", 12, MUTED, "middle"
    )
    for pin, colour, y_lane, x_in in (
        (five, V5_C, 150, charger_x),
        (gnd_top, GND_C, 130, charger_x),
    ):
        x = px(pin)
        svg.line([(x, y_top_row - PIN_R), (x, y_lane), (x_in, y_lane)], colour)
    svg.text(px(five) - 6, 146, "5V", 13, V5_C, "end", "bold")
    svg.text(px(gnd_top) + 8, 122, "GND", 13, INK, "start", "bold")
    cell_x = 860
    svg.add(
        f'<rect x="{cell_x}" y="96" width="200" height="72" rx="10" fill="#f3efe4" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    svg.text(cell_x + 100, 126, "LiPo cell 3.7 V", 15, INK, "middle", "bold")
    svg.text(cell_x + 100, 146, "1000 mAh (2000 for a whole night)", 11, MUTED, "middle")
    # the I2C bus below the header: the leftmost pin runs deepest, so no two wires cross
    used: dict[int, str] = {five: V5_C, gnd_top: "#111"}
    bus_y: dict[str, float] = {}
    for depth, net in enumerate(("GND", "SCL", "SDA", "3V3")):
        pin = I2C_PINS[net]
        y = y_bot_row + 70 + depth * 26
        bus_y[net] = y
        svg.line([(px(pin), y_bot_row + PIN_R), (px(pin), y), (WEARABLE_WIDTH - 60, y)], I2C_C[net])
        svg.text(
            WEARABLE_WIDTH - 56,
            y + 5,
            net,
            12,
            I2C_C[net] if net != "GND" else INK,
            "start",
            "bold",
        )
        used[pin] = I2C_C[net] if net != "GND" else "#111"
    # the button: GPIO to a ground pin on the bottom row, shallower than the bus
    button_pin = gpio_pin(found["button"])
    ground = 25
    y_btn = y_bot_row + 38
    svg.line(
        [
            (px(button_pin), y_bot_row + PIN_R),
            (px(button_pin), y_btn),
            (px(button_pin) + 60, y_btn),
        ],
        LANE_COLOURS["button"],
    )
    end = button_h(svg, px(button_pin) + 60, y_btn, LANE_COLOURS["button"], "")
    svg.text(
        px(ground) + 12,
        y_btn + 4,
        f"push button: GPIO{found['button']} to GND",
        13,
        INK,
        "start",
        "bold",
    )
    svg.line([(end, y_btn), (px(ground), y_btn), (px(ground), y_bot_row + PIN_R)], GND_C)
    used.update({button_pin: LANE_COLOURS["button"], ground: "#111"})
    # the breakouts hang off the bus
    top = bus_y["3V3"] + 60
    for x, title, note, pins in (
        (
            DRV_X,
            f"DRV2605L  0x{found['haptic']:02X}",
            "haptic driver (Adafruit 2305 or alike)",
            ["VIN", "GND", "SCL", "SDA"],
        ),
        (
            560,
            f"MAX17048  0x{found['gauge']:02X}",
            "fuel gauge (Adafruit 5580 or alike)",
            ["VIN", "GND", "SCL", "SDA"],
        ),
    ):
        where = breakout(svg, x, top, 240, title, note, pins)
        for name, net in (("VIN", "3V3"), ("GND", "GND"), ("SCL", "SCL"), ("SDA", "SDA")):
            colour = I2C_C[net]
            svg.line([(where[name], bus_y[net]), (where[name], top)], colour, 2.5)
            svg.dot(where[name], bus_y[net], colour, 5)
    # the LRA on the driver's output, the cell on the gauge
    out_y = top + 70
    left, right = DRV_X + 60, DRV_X + 180
    svg.line([(left, out_y), (left, out_y + 40)], MOTOR_C)
    svg.line([(right, out_y), (right, out_y + 40)], MOTOR_C)
    svg.add(
        f'<rect x="{left - 15}" y="{out_y + 40:.1f}" width="150" height="40" rx="20" '
        f'fill="#fff" stroke="{MOTOR_C}" stroke-width="3"/>'
    )
    svg.text(left + 60, out_y + 66, "LRA (or ERM) motor", 13, MOTOR_C, "middle", "bold")
    svg.text(left + 6, out_y + 24, "OUT+", 11, MUTED)
    svg.text(right + 6, out_y + 24, "OUT-", 11, MUTED)
    gauge_bat = 800
    svg.line([(gauge_bat, top + 35), (cell_x + 40, top + 35), (cell_x + 40, 168)], INK, 2.5)
    svg.text(cell_x + 100, 186, "through the gauge's battery", 12, MUTED, "middle")
    svg.text(cell_x + 100, 202, "connectors (JST-PH)", 12, MUTED, "middle")
    svg.line([(cell_x, 132), (charger_x + 250, 132)], INK, 2.5)
    draw_header(svg, y_top_row, used)

    notes_y = out_y + 120
    notes = [
        "The I2C bus is GPIO 2 (SDA, pin 3) and GPIO 3 (SCL, pin 5), with 3V3 (pin 1) and GND: "
        "both breakouts hang on it.",
        "Turn it on with `sudo raspi-config nonint do_i2c 0` (systemd/install.sh does); "
        "`i2cdetect -y 1` then shows 36 and 5a.",
        "The button needs no resistor: calmkit switches on the Pi's internal pull-up.",
        "Optional sound: a MAX98357A I2S amp on GPIO 18, 19, 21 with 5V and GND, and a small "
        "speaker; set sound.enabled: true.",
        "Config: config/wearable.yaml (calmkit run --config wearable once installed).",
    ]
    for i, note in enumerate(notes):
        svg.text(40, notes_y + i * 20, note, 13, INK)
    height = notes_y + len(notes) * 20 + 16
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WEARABLE_WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WEARABLE_WIDTH} {height:.0f}" font-family="{FONT}">',
        "<title>calmkit on the wrist: a Pi Zero 2 W with a DRV2605L, a MAX17048 and a button"
        "</title>",
        f'<rect width="{WEARABLE_WIDTH}" height="{height:.0f}" fill="{BG}"/>',
    ]
    title = Svg()
    title.text(
        40, 38, "Wiring calmkit on the wrist: a Raspberry Pi Zero 2 W", 24, INK, weight="bold"
    )
    title.text(
        40,
        62,
        f"From config/wearable.yaml: haptic driver 0x{found['haptic']:02X}, fuel gauge "
        f"0x{found['gauge']:02X}, button GPIO{found['button']}; no lamp.",
        14,
        MUTED,
    )
    return "\n".join([*head, *title.parts, *svg.parts, "</svg>", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO / "config" / "calmkit.yaml")
    parser.add_argument("--out", type=Path, default=HERE / "wiring.svg")
    parser.add_argument(
        "--wearable",
        action="store_true",
        help="draw the wearable (config/wearable.yaml) into docs/wiring-wearable.svg",
    )
    args = parser.parse_args(argv)
    if args.wearable:
        config = args.config if args.config != REPO / "config" / "calmkit.yaml" else None
        out = args.out if args.out != HERE / "wiring.svg" else HERE / "wiring-wearable.svg"
        found = load_wearable(config or REPO / "config" / "wearable.yaml")
        out.write_text(draw_wearable(found), encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
        return 0
    args.out.write_text(draw(load_pins(args.config)), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
