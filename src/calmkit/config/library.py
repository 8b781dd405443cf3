"""Checks of the programs as a library: each program, the names they give one another, chains
(loops, lengths), the default program and the menu."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calmkit.config import values as check
from calmkit.config.blocks import _block_seconds, _Blocks, _minutes
from calmkit.config.nodes import _describe, _join, _Node
from calmkit.config.settings import MAX_COUNT, MAX_NAME
from calmkit.config.values import _BAD, _BLOCK_KEYS, _KINDS, _PROGRAM_KEYS, _PROGRAM_NAME
from calmkit.core.durations import clock_text
from calmkit.core.programs import (
    MAX_CHAIN,
    MAX_PROGRAM_S,
    Block,
    Breathe,
    Program,
    Quiet,
    Steps,
)


@dataclass
class _ProgramInfo:
    """What the cross-program checks need: where the program is and whom it names."""

    node: _Node
    path: str
    own_s: float | None  # None: the program's own blocks have problems
    then: list[tuple[str, _Node, str]]
    fallback: list[tuple[str, _Node, str]]
    then_node: _Node | None


class _Library(_Blocks):
    """Every program, and what they say of one another."""

    def __init__(self, home: Path | None) -> None:
        super().__init__(home)
        #: Programs whose whole chain was read and is within the limits (set by cross_check).
        self.chains_ok: set[str] = set()
        #: The programs whose rules as a whole can be checked: the sound ones, and those whose
        #: only problems are steps that stand in as asked (set by programs).
        self.checked: dict[str, Program] = {}
        self.infos: dict[str, _ProgramInfo] = {}

    def programs(self, top: dict[str, _Node], root: _Node) -> dict[str, Program] | None:
        node = top.get("programs")
        if node is None:
            self.problem(root, "programs", "missing key 'programs'")
            return None
        if not isinstance(node.value, dict):
            self.problem(node, "programs", f"expected a mapping of programs, got {_describe(node)}")
            return None
        programs: dict[str, Program] = {}
        infos: dict[str, _ProgramInfo] = {}
        ok = True
        for name, entry in node.value.items():
            path = _join("programs", name)
            if len(name) > MAX_NAME:
                self.problem(
                    entry,
                    _join("programs", name[:20] + "..."),
                    f"a program name of {len(name)} characters is too long; a program name is "
                    f"at most {MAX_NAME} characters (it is typed on the command line)",
                )
                ok = False
                continue
            if not _PROGRAM_NAME.fullmatch(name):
                self.problem(
                    entry,
                    path,
                    "a program name is letters, digits, - and _ (it is typed on the command line)",
                )
                ok = False
                continue
            stand_ins = self.stand_ins
            program, info = self.program(name, entry, path)
            if info is not None:
                infos[name] = info
            if program is None or self.stand_ins > stand_ins:
                ok = False
            if program is not None:
                programs[name] = program
        self.cross_check(node.value, infos)
        self.checked = programs
        return programs if ok else None

    def program(
        self, name: str, node: _Node, path: str
    ) -> tuple[Program | None, _ProgramInfo | None]:
        """The program, if sound, and what cross-checks need (its names), if they could be read."""
        entries = self.mapping(node, path, _PROGRAM_KEYS)
        if entries is None:
            return None, None
        bad = any(key not in _PROGRAM_KEYS for key in entries)  # reported; say no more of it
        description = ""
        if "description" in entries:
            description = self.take(check.text(entries["description"], f"{path}.description"))
            bad |= description is _BAD
        rounds = 1
        if "rounds" in entries:
            rounds = self.take(
                check.number(entries["rounds"], f"{path}.rounds", 1, MAX_COUNT, whole=True)
            )
            bad |= rounds is _BAD
        then: list[tuple[str, _Node, str]] = []
        fallback: list[tuple[str, _Node, str]] = []
        names_ok = True
        for key, target in (("then", then), ("fallback", fallback)):
            if key in entries:
                found, found_ok = self.names(entries[key], f"{path}.{key}")
                target.extend(found)
                names_ok &= found_ok
        info = _ProgramInfo(node, path, None, then, fallback, entries.get("then"))
        blocks: list[Block] = []
        if "blocks" in entries:
            for key in _BLOCK_KEYS:
                if key in entries:
                    self.problem(
                        entries[key],
                        f"{path}.{key}",
                        f"give either blocks or {key} beside them, not both",
                    )
                    bad = True
            listed = entries["blocks"]
            if not isinstance(listed.value, list):
                self.problem(listed, f"{path}.blocks", f"expected a list, got {_describe(listed)}")
                bad = True
            else:
                for index, item in enumerate(listed.value):
                    item_path = f"{path}.blocks[{index}]"
                    item_entries = self.mapping(item, item_path, _BLOCK_KEYS)
                    block = None
                    if item_entries is not None and (
                        set(item_entries) <= set(_BLOCK_KEYS)
                        or any(key in item_entries for key in _KINDS)
                    ):
                        block = self.block(item_entries, item, item_path)
                    if block is None:
                        bad = True
                    else:
                        blocks.append(block)
        elif any(key in entries for key in _BLOCK_KEYS):
            block = self.block({k: v for k, v in entries.items() if k in _BLOCK_KEYS}, node, path)
            if block is None:
                bad = True
            else:
                blocks.append(block)
        if bad or not names_ok:
            return None, info
        own_s = rounds * sum(_block_seconds(block) for block in blocks)
        if own_s > MAX_PROGRAM_S:
            self.problem(
                node,
                path,
                f"this program lasts {_minutes(own_s)}; a program lasts at most "
                f"{_minutes(MAX_PROGRAM_S)}",
            )
            return None, info
        if own_s <= 0 and not then:
            self.problem(
                node, path, "this program lasts 0 s; give it steps, breathe, quiet, blocks or then"
            )
            return None, info
        info.own_s = own_s
        if "description" not in entries and node.layer > 0:
            description = plain_description(blocks, own_s, [target for target, _, _ in then])
        program = Program(
            name=name,
            description=description,
            blocks=tuple(blocks),
            rounds=rounds,
            then=tuple(target for target, _, _ in then),
            fallback=tuple(target for target, _, _ in fallback),
        )
        return program, info

    def unknown_program(self, node: _Node, path: str, name: str, known: Mapping[str, Any]) -> None:
        message = f"no program named {name!r}"
        close = difflib.get_close_matches(name, list(known), n=1)
        if close:
            message += f"; did you mean {close[0]!r}?"
        self.problem(node, path, message)

    def cross_check(self, declared: dict[str, _Node], infos: dict[str, _ProgramInfo]) -> None:
        """Names in then / fallback exist; chains do not loop; a chain stays within the limit."""
        for info in infos.values():
            for target, node, path in info.then + info.fallback:
                if target not in declared:
                    self.unknown_program(node, path, target, declared)
        walk = _ChainWalk(infos, self)
        totals = walk.run()
        self.infos = infos
        self.chains_ok = {
            name
            for name in infos
            if (totals.get(name) or math.inf) <= MAX_PROGRAM_S
            and (walk.runs.get(name) or math.inf) <= MAX_CHAIN
        }
        for name, info in infos.items():
            runs = walk.runs.get(name)
            if (
                runs is not None
                and runs > MAX_CHAIN
                and all((walk.runs.get(target) or 0) <= MAX_CHAIN for target, _, _ in info.then)
            ):
                self.problem(
                    info.then_node or info.node,
                    f"{info.path}.then",
                    f"this chain runs {runs} programs; a chain runs at most {MAX_CHAIN}",
                )
        for name, info in infos.items():
            total = totals.get(name)
            if total is None or total <= MAX_PROGRAM_S:
                continue
            children_ok = all(
                (totals.get(target) or 0.0) <= MAX_PROGRAM_S for target, _, _ in info.then
            )
            if children_ok:
                where = info.then_node or info.node
                self.problem(
                    where,
                    f"{info.path}.then" if info.then_node is not None else info.path,
                    f"with its chain this program lasts {_minutes(total)}; a program with its "
                    f"chain lasts at most {_minutes(MAX_PROGRAM_S)}",
                )

    def program_ref(self, top: dict[str, _Node], root: _Node) -> Any:
        """default_program: the name of a program that exists."""
        key = "default_program"
        node = self.need(top, key, root, key)
        if node is None:
            return _BAD
        name = self.take(check.name(node, key))
        if name is _BAD:
            return _BAD
        declared = self.declared(top)
        if name not in declared:
            self.unknown_program(node, key, name, declared)
            return _BAD
        return name

    def menu(self, top: dict[str, _Node], root: _Node) -> list[str] | None:
        """The double-press menu: existing programs, each once."""
        node = self.need(top, "menu", root, "menu")
        if node is None:
            return None
        if not isinstance(node.value, list):
            self.problem(node, "menu", f"expected a list of program names, got {_describe(node)}")
            return None
        if not node.value:
            self.problem(node, "menu", "the menu needs at least one program")
            return None
        declared = self.declared(top)
        names: list[str] = []
        ok = True
        for index, item in enumerate(node.value):
            path = f"menu[{index}]"
            name = self.take(check.name(item, path))
            if name is _BAD:
                ok = False
            elif name not in declared:
                self.unknown_program(item, path, name, declared)
                ok = False
            elif name in names:
                self.problem(item, path, f"{name!r} is in the menu twice")
                ok = False
            else:
                names.append(name)
        if ok and node.layer == 0:  # no menu of the person's own: their programs join the menu
            names += added_programs(declared, names)
        return names if ok else None

    @staticmethod
    def declared(top: dict[str, _Node]) -> dict[str, _Node]:
        node = top.get("programs")
        return node.value if node is not None and isinstance(node.value, dict) else {}


def plain_description(blocks: list[Block], own_s: float, then: list[str]) -> str:
    """What a person's program without a description does, from what it is: "Quiet time,
    2 minutes". Never a packaged program's words: the person may have changed its steps."""
    kinds = {Steps: "your own steps", Breathe: "paced breathing", Quiet: "quiet time"}
    said = list(dict.fromkeys(kinds[type(block)] for block in blocks))
    text = ", ".join([*said, _length_words(own_s)] if said else [])
    if then:
        text += (", then " if text else "then ") + ", ".join(then)
    return text[:1].upper() + text[1:]


def _length_words(seconds: float) -> str:
    """ "2 minutes", "1 minute", "30 s", or m:ss when not whole minutes."""
    if seconds < 60:
        return f"{seconds:g} s"
    if abs(seconds / 60 - round(seconds / 60)) < 1e-6 and seconds >= 60:
        minutes = round(seconds / 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return clock_text(seconds)


def added_programs(declared: dict[str, _Node], menu: list[str]) -> list[str]:
    """The programs the person's own files add (not the packaged ones), in file order, that are
    not in the menu: so a program of their own is reachable from the button."""
    return [name for name, node in declared.items() if node.layer > 0 and name not in menu]


class _ChainWalk:
    """Depth-first over ``then`` (no recursion: chains may be long): loops and chain lengths."""

    def __init__(self, infos: dict[str, _ProgramInfo], checker: _Library) -> None:
        self.infos = infos
        self.checker = checker
        self.totals: dict[str, float | None] = {}
        #: How many programs each one's chain runs, itself included (None: unknown, a loop).
        self.runs: dict[str, int | None] = {}

    def run(self) -> dict[str, float | None]:
        for name in self.infos:
            if name not in self.totals:
                self.walk(name)
        return self.totals

    def walk(self, root: str) -> None:
        path: list[str] = [root]
        on_path: dict[str, int] = {root: 0}
        looped: set[str] = set()
        stack: list[Iterator[tuple[str, _Node, str]]] = [iter(self.infos[root].then)]
        while stack:
            current = path[-1]
            edge = next(stack[-1], None)
            if edge is None:
                stack.pop()
                path.pop()
                del on_path[current]
                self.totals[current] = None if current in looped else self.total(current)
                self.runs[current] = None if current in looped else self.count(current)
                continue
            target, node, where = edge
            if target in on_path:
                loop = [*path[on_path[target] :], target]
                self.checker.problem(node, where, f"the chain loops: {' -> '.join(loop)}")
                looped.update(loop)
                continue
            if target in self.totals or target not in self.infos:
                continue
            on_path[target] = len(path)
            path.append(target)
            stack.append(iter(self.infos[target].then))

    def total(self, name: str) -> float | None:
        total = self.infos[name].own_s
        if total is None:
            return None
        for target, _, _ in self.infos[name].then:
            if target not in self.infos:
                return None
            child = self.totals.get(target)
            if child is None:
                return None
            total += child
        return total

    def count(self, name: str) -> int | None:
        runs = 1
        for target, _, _ in self.infos[name].then:
            child = self.runs.get(target)
            if child is None:
                return None
            runs += child
        return runs
