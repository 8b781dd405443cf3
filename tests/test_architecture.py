"""The folders are the architecture: imports point down only, and the core stays pure.

faces -> shell -> devices / config -> core. The core may use the standard library and itself, and
nothing of the standard library that threads, sleeps, or touches files, sockets or processes.
Checked on the source with ``ast``, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "calmkit"

#: What each layer may import from calmkit (itself included), and from outside it.
LAYERS: dict[str, tuple[set[str], set[str]]] = {
    "core": ({"core"}, set()),
    "config": ({"core", "config"}, {"yaml"}),
    "devices": ({"core", "devices"}, {"gpiozero", "smbus2", "drv2605", "qwiic_max1704x"}),
    "shell": ({"core", "config", "devices", "shell"}, {"pygame", "gpiozero"}),
    "faces": ({"core", "config", "devices", "shell", "faces"}, {"pygame", "matplotlib"}),
}
#: Standard-library modules the pure core must not use.
IMPURE_MODULES = {
    "threading",
    "_thread",
    "multiprocessing",
    "concurrent",
    "asyncio",
    "queue",
    "socket",
    "subprocess",
    "select",
    "selectors",
    "signal",
    "shutil",
    "tempfile",
    "io",
    "os",
    "pathlib",
    "sqlite3",
    "ctypes",
}
#: Calls the pure core must not make.
IMPURE_CALLS = {"open", "sleep", "input", "print", "exec", "eval", "__import__"}


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"line {node.lineno}: relative import; write calmkit.…")
            base = node.module or ""
            if base == "calmkit":
                found += [(node.lineno, f"calmkit.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, base))
    return found


def _layer_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 and parts[0] in LAYERS else None


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_sits_in_a_layer():
    loose = [
        p.relative_to(PACKAGE).as_posix()
        for p in _sources()
        if _layer_of(p) is None and p.name not in {"__init__.py", "__main__.py"}
    ]
    assert loose == [], f"modules outside core/ config/ devices/ shell/ faces/: {loose}"


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_point_down_only(path: Path):
    layer = _layer_of(path)
    if layer is None:
        return
    own, outside = LAYERS[layer]
    tree = ast.parse(path.read_text(), str(path))
    wrong = []
    for line, name in _imports(tree):
        top = name.split(".")[0]
        if top == "calmkit":
            below = name.split(".")[1] if "." in name else ""
            if below not in own and below != "__version__":
                wrong.append(f"{line}: {name}")
        elif top not in sys.stdlib_module_names and top not in outside and top != "__future__":
            wrong.append(f"{line}: {name}")
    assert wrong == [], f"{path.name} ({layer}) imports across the layers: {wrong}"


@pytest.mark.parametrize(
    "path",
    sorted((PACKAGE / "core").rglob("*.py")),
    ids=lambda p: p.relative_to(PACKAGE).as_posix(),
)
def test_the_core_is_pure(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    wrong = [
        f"{line}: import {name}"
        for line, name in _imports(tree)
        if name.split(".")[0] in IMPURE_MODULES
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called in IMPURE_CALLS:
                wrong.append(f"{node.lineno}: calls {called}()")
    assert wrong == [], f"core/{path.name} is not pure: {wrong}"


def test_the_check_catches_what_it_should(tmp_path: Path):
    """The checker itself: a core module that sleeps and imports a thread is refused."""
    bad = tmp_path / "bad.py"
    bad.write_text("import threading\nimport time\n\ndef f():\n    time.sleep(1)\n    open('x')\n")
    tree = ast.parse(bad.read_text())
    names = {name for _, name in _imports(tree)}
    calls = {
        getattr(n.func, "attr", getattr(n.func, "id", None))
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
    }
    assert "threading" in names & IMPURE_MODULES
    assert {"sleep", "open"} <= calls & IMPURE_CALLS
