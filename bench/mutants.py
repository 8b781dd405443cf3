"""A small mutation tester: flip one thing in a module, run its tests, see whether they notice.

    python bench/mutants.py src/calmkit/core/flow_table.py tests/core/test_flow.py [--list]

mutmut 3 (what we use for core/, see the note in its report) mutates only inside functions and
runs its mutants in processes forked after the tests warmed the module's caches, so it cannot
see module-level tables (flow_table's rows and timeouts) or code behind a cache (safety's
sample shapes). This tool mutates anywhere, one change at a time, each in a fresh process on a
copy of ``src`` (the tree is never touched): comparisons flipped, ``and``/``or`` swapped, ``not``
dropped, numbers moved, booleans flipped, and an enum-like ``Name.MEMBER`` swapped for a sibling
member the module also uses (``Action.PAUSE`` -> ``Action.STOP``). Strings are left alone:
hints and messages are checked by their own tests, and a changed word is rarely a behaviour.

Prints one line per survivor and a count: made, killed, survived (timeouts count as killed).
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLIPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


@dataclass(frozen=True)
class Mutant:
    index: int  # the node's position in ast.walk order
    what: str
    line: int


def _members(tree: ast.Module) -> dict[str, list[str]]:
    """For each Name used as ``Name.MEMBER`` with an upper-case member: the members used."""
    seen: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.attr.isupper()
        ):
            names = seen.setdefault(node.value.id, [])
            if node.attr not in names:
                names.append(node.attr)
    return {name: members for name, members in seen.items() if len(members) > 1}


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            found.add(id(body[0].value))
    return found


def mutations(tree: ast.Module) -> Iterator[tuple[int, ast.AST, str]]:
    """(walk index, node, description) for every single change this tool makes."""
    members = _members(tree)
    skip = _docstrings(tree)
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare) and type(node.ops[0]) in FLIPS:
            yield (
                index,
                node,
                f"{type(node.ops[0]).__name__} -> {FLIPS[type(node.ops[0])].__name__}",
            )
        elif isinstance(node, ast.BoolOp):
            yield index, node, "and <-> or"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield index, node, "not dropped"
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            yield index, node, f"{node.value} -> {not node.value}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            yield index, node, f"{node.value!r} -> {_moved(node.value)!r}"
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in members
            and node.attr in members[node.value.id]
        ):
            yield index, node, f"{node.value.id}.{node.attr} -> {_sibling(members, node)}"


def _moved(value: float) -> float:
    if value == 0:
        return 1
    return value + 1 if isinstance(value, int) else value * 2


def _sibling(members: dict[str, list[str]], node: ast.Attribute) -> str:
    assert isinstance(node.value, ast.Name)
    names = members[node.value.id]
    return f"{node.value.id}.{names[(names.index(node.attr) + 1) % len(names)]}"


def mutate(source: str, index: int) -> str:
    """``source`` with the change at walk position ``index`` applied."""
    tree = ast.parse(source)
    members = _members(tree)
    node = next(n for i, n in enumerate(ast.walk(tree)) if i == index)
    if isinstance(node, ast.Compare):
        node.ops[0] = FLIPS[type(node.ops[0])]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp):
        node.op = ast.UAdd()  # +x: the truth of x itself, for a bool
        node.operand = ast.Call(ast.Name("bool", ast.Load()), [node.operand], [])
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        node.value = not node.value
    elif isinstance(node, ast.Constant):
        node.value = _moved(node.value)
    elif isinstance(node, ast.Attribute):
        node.attr = _sibling(members, node).split(".", 1)[1]
    return ast.unparse(tree)


def run(module: Path, tests: list[str], timeout: float, listing: bool) -> int:
    source = module.read_text(encoding="utf-8")
    found = [
        Mutant(i, what, getattr(node, "lineno", 0))
        for i, node, what in mutations(ast.parse(source))
    ]
    if listing:
        for mutant in found:
            print(f"{module}:{mutant.line}: {mutant.what}")
        print(f"{len(found)} mutants")
        return 0
    relative = module.resolve().relative_to(ROOT / "src")
    killed = survived = 0
    with tempfile.TemporaryDirectory(prefix="mutants-") as scratch:
        copy = Path(scratch) / "src"
        shutil.copytree(ROOT / "src", copy)
        for packaged in ("config", "sounds"):  # the defaults and sounds sit beside src/
            (Path(scratch) / packaged).symlink_to(ROOT / packaged)
        target = copy / relative
        env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
        for mutant in found:
            target.write_text(mutate(source, mutant.index), encoding="utf-8")
            command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
            try:
                done = subprocess.run(
                    command, cwd=ROOT, env=env, capture_output=True, timeout=timeout, check=False
                )
                alive = done.returncode == 0
            except subprocess.TimeoutExpired:
                alive = False
            if alive:
                survived += 1
                print(f"survived {module}:{mutant.line}: {mutant.what}", flush=True)
            else:
                killed += 1
        target.write_text(source, encoding="utf-8")
    print(f"{module}: {len(found)} made, {killed} killed, {survived} survived")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", type=Path)
    parser.add_argument("tests", nargs="+")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--list", action="store_true", help="only list the mutants")
    args = parser.parse_args()
    return run(args.module, args.tests, args.timeout, args.list)


if __name__ == "__main__":
    raise SystemExit(main())
