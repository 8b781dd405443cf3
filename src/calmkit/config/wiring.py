"""Checks of the hardware section's wiring: the light's pins, the outputs named by kind (each
checked against its row of calmkit.core.settings.KINDS), and two devices on one pin or address.

Each check takes the recorder of problems (the checker), the node and its key path, and returns
the value, or _BAD once every problem in it is recorded.
"""

from __future__ import annotations

from typing import Any

from calmkit.config import values as check
from calmkit.config.nodes import _describe, _Node
from calmkit.config.values import _BAD, _is_number, _Values
from calmkit.core.settings import I2C_PINS, KINDS, OutputConfig, RGBPins

_COLOURS = ("red", "green", "blue")
_EXAMPLE = "{kind: led, pin: 22}"


def light_pins(report: _Values, node: _Node, path: str) -> Any:
    """One LED's pin, or {red, green, blue} for an RGB LED, or null for no lamp (a wearable)."""
    if node.value is None:
        return None
    if isinstance(node.value, dict):
        pins = pin_map(report, node, path, _COLOURS)
        return _BAD if pins is _BAD else RGBPins(*pins)
    if _is_number(node.value):
        return report.take(check.pin(node, path))
    report.problem(
        node,
        path,
        f"expected a GPIO pin number (0 to 27), {{red, green, blue}} or null (no lamp), got "
        f"{_describe(node)}",
    )
    return _BAD


def pin_map(report: _Values, node: _Node, path: str, names: tuple[str, ...]) -> Any:
    """A mapping of named pins ({red: 12, green: 16, blue: 19}), as a tuple in ``names`` order."""
    entries = report.mapping(node, path, names)
    if entries is None:
        return _BAD
    pins = []
    for name in names:
        child = report.need(entries, name, node, path)
        pins.append(_BAD if child is None else report.take(check.pin(child, f"{path}.{name}")))
    return _BAD if _BAD in pins else tuple(pins)


def outputs(report: _Values, node: _Node, path: str) -> Any:
    """``hardware.outputs``: devices named by kind, each with its pin, pins or I2C address."""
    if node.value is None:
        return ()
    if not isinstance(node.value, list):
        report.problem(
            node, path, f"expected a list of outputs like [{_EXAMPLE}], got {_describe(node)}"
        )
        return _BAD
    found = [output(report, item, f"{path}[{index}]") for index, item in enumerate(node.value)]
    return _BAD if _BAD in found else tuple(found)


def output(report: _Values, node: _Node, path: str) -> Any:
    """One output: its kind first, then the keys that kind takes (KINDS says which)."""
    if not isinstance(node.value, dict):
        report.problem(node, path, f"expected a mapping like {_EXAMPLE}, got {_describe(node)}")
        return _BAD
    entries = node.value
    kind_node = report.need(entries, "kind", node, path)
    kind = _BAD if kind_node is None else report.take(check.kind(kind_node, f"{path}.kind"))
    if kind is _BAD:
        return _BAD
    wiring = KINDS[kind]
    known = wiring.keys()
    report.mapping(node, path, known)
    bad = any(key not in known for key in entries)  # reported
    options = _options(report, entries, path, wiring.options)
    if wiring.address is not None:
        address: Any = wiring.address
        if "address" in entries:
            address = report.take(check.address(entries["address"], f"{path}.address"))
        if bad or address is _BAD or options is _BAD:
            return _BAD
        return OutputConfig(kind, path, address=address, options=options)
    if len(wiring.pins) == 1:
        pin_node = report.need(entries, "pin", node, path)
        pin = _BAD if pin_node is None else report.take(check.pin(pin_node, f"{path}.pin"))
        pins: Any = _BAD if pin is _BAD else (pin,)
    else:
        pins_node = report.need(entries, "pins", node, path)
        pins = (
            _BAD if pins_node is None else pin_map(report, pins_node, f"{path}.pins", wiring.pins)
        )
    active_high: Any = True
    if "active_high" in entries:
        active_high = report.take(check.boolean(entries["active_high"], f"{path}.active_high"))
    if bad or pins is _BAD or active_high is _BAD or options is _BAD:
        return _BAD
    return OutputConfig(kind, path, pins=pins, active_high=active_high, options=options)


def _options(
    report: _Values,
    entries: dict[str, _Node],
    path: str,
    options: tuple[tuple[str, tuple[str, ...]], ...],
) -> Any:
    """A kind's options (its row's ``options``), each as written or its default."""
    found = []
    for key, words in options:
        value: Any = words[0]
        if key in entries:
            value = report.take(check.choice(entries[key], f"{path}.{key}", words))
        found.append((key, value))
    return _BAD if any(value is _BAD for _, value in found) else tuple(found)


def battery(report: _Values, node: _Node, path: str) -> Any:
    """``hardware.battery``: a MAX17048 fuel gauge's I2C address (0x36), or null for none."""
    if node.value is None:
        return None
    return report.take(check.address(node, path))


def clashes(report: _Values, hardware: _Node) -> None:
    """Two devices on one pin, or two chips on one I2C address: reported once, where the
    person most likely wrote it (the later layer; in one layer, the later key)."""
    entries = hardware.value
    used: list[tuple[int, str, str, _Node]] = []  # pin, key path, what the pin is, node
    for key in ("light", "button", "second_button", "vibration"):
        node = entries.get(key)
        if node is None:
            continue
        if key == "light" and isinstance(node.value, dict):
            for colour in _COLOURS:
                child = node.value.get(colour)
                if child is not None:
                    used.append((child.value, f"hardware.light.{colour}", "", child))
        else:
            used.append((node.value, f"hardware.{key}", "", node))
    addresses: list[tuple[int, str, str, _Node]] = []
    listed = entries.get("outputs")
    bus_taken = False
    for index, item in enumerate(listed.value if listed and isinstance(listed.value, list) else []):
        path = f"hardware.outputs[{index}]"
        wiring = KINDS[item.value["kind"].value]
        if wiring.address is not None:
            written = item.value.get("address")
            address = wiring.address if written is None else int(written.value)
            if written is None:
                addresses.append((address, path, "", item))
            else:
                addresses.append((address, f"{path}.address", "", written))
            if not bus_taken:
                bus_taken = True
                for pin, signal in zip(I2C_PINS, ("SDA", "SCL"), strict=True):
                    used.append((pin, path, f" (the I2C bus's {signal})", item))
        elif "pin" in item.value:
            used.append((item.value["pin"].value, f"{path}.pin", "", item.value["pin"]))
        else:
            for name in wiring.pins:
                child = item.value["pins"].value[name]
                used.append((child.value, f"{path}.pins.{name}", "", child))
    gauge = entries.get("battery")
    if gauge is not None and _is_number(gauge.value):
        addresses.append((int(gauge.value), "hardware.battery", "", gauge))
        if not bus_taken:
            for pin, signal in zip(I2C_PINS, ("SDA", "SCL"), strict=True):
                used.append((pin, "hardware.battery", f" (the I2C bus's {signal})", gauge))
    _report_twice_used(report, used, "pin {}")
    _report_twice_used(report, addresses, "address 0x{:02X}")


def _report_twice_used(report: _Values, used: list[tuple[int, str, str, _Node]], what: str) -> None:
    seen: dict[int, tuple[str, str, _Node]] = {}
    for value, path, note, node in used:
        if not _is_number(value) or not float(value).is_integer():
            continue
        value = int(value)
        if value not in seen:
            seen[value] = (path, note, node)
            continue
        other_path, other_note, other = seen[value]
        if other.layer > node.layer:
            message = f"{what.format(value)}{other_note} is also used by {path}{note}"
            report.problem(other, other_path, message)
        else:
            message = f"{what.format(value)}{note} is also used by {other_path}{other_note}"
            report.problem(node, path, message)
