"""The one pass over the layered tree: the settings sections, then the programs."""

from __future__ import annotations

import types
from typing import Any

from calmkit.config import wiring
from calmkit.config.nodes import _Node
from calmkit.config.rules import _Rules
from calmkit.config.table import SECTIONS, TOP, Check
from calmkit.config.values import _BAD, _TOP_KEYS


class _Checker(_Rules):
    """One pass over the layered tree that records every problem and builds the values."""

    def section(
        self,
        root: _Node,
        name: str,
        fields: dict[str, Check],
    ) -> dict[str, Any] | None:
        """A settings section: each field checked as the table says, unknown keys reported."""
        node = self.need(root.value, name, root, name)
        if node is None:
            return None
        entries = self.mapping(node, name, tuple(fields))
        if entries is None:
            return None
        values: dict[str, Any] = {}
        for key, check in fields.items():
            child = self.need(entries, key, node, name)
            values[key] = _BAD if child is None else check(self, child, f"{name}.{key}")
        return None if any(value is _BAD for value in values.values()) else values

    def config(self, root: _Node) -> dict[str, Any] | None:
        """The Config's fields (all but sources), or None when anything was reported."""
        top = self.mapping(root, "", _TOP_KEYS)
        if top is None:
            return None

        values: dict[str, Any] = {}
        for key, check in TOP.items():
            child = self.need(top, key, root, key)
            values[key] = _BAD if child is None else check(self, child, key)
        for name, (cls, fields) in SECTIONS.items():
            checked = self.section(root, name, fields)
            values[name] = None if checked is None else cls(**checked)
        if values["hardware"] is not None:
            wiring.clashes(self, top["hardware"])
        light = values["light"]
        if light is not None and light.floor > light.brightness:
            # on the one the person wrote: lowering the brightness is no mistake in the defaults
            entries = top["light"].value
            key = "brightness" if entries["brightness"].layer > entries["floor"].layer else "floor"
            self.problem(
                entries[key],
                f"light.{key}",
                f"the floor ({light.floor:g}) is above the brightness ({light.brightness:g})",
            )
        programs = self.programs(top, root)
        if "programs" in top:  # on the steps that could be read too: every problem at once
            self.safety(self.checked, light, top.get("light"))
        values["programs"] = None if programs is None else types.MappingProxyType(programs)
        values["default_program"] = self.program_ref(top, root)
        menu = self.menu(top, root)
        values["menu"] = None if menu is None else tuple(menu)
        if any(value is None or value is _BAD for value in values.values()):
            return None
        return values
